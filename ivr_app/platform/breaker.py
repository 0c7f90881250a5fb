"""Fail fast while Redis is in trouble, so callers reach a person instead of waiting.

Twilio gives a webhook 15 s. A Redis that stalls (a long command, a failover) would hold
every request for the whole socket timeout, and gunicorn's few sync workers would queue
callers behind each other. So every Redis command of a process goes through one Breaker:
after a connection error or a timeout it opens for `cooldown` seconds, and commands fail
at once (CircuitOpen, a redis.ConnectionError) without touching the network; the webhooks
answer with TwiML to a person. After the cooldown the next command is a trial: success
closes the breaker, failure opens it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")


class CircuitOpen(redis.ConnectionError):
    """Redis failed moments ago: not tried again until the cooldown is over."""


class Breaker:
    """Shared by every connection of a process (copies of it are itself)."""

    def __init__(self, cooldown: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self.clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.clock() < self._open_until

    def check(self) -> None:
        if self.is_open:
            raise CircuitOpen(f"Redis failed less than {self.cooldown:g} s ago; not tried")

    def failed(self, error: Exception) -> None:
        with self._lock:
            if not self._open_until:
                log.error("Redis failed (%s): answering from fallbacks for %g s", error,
                          self.cooldown)
            self._open_until = self.clock() + self.cooldown

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                if self._open_until and not self.is_open:
                    log.warning("Redis answers again")
                    self._open_until = 0.0

    def __deepcopy__(self, memo: dict[int, Any]) -> Breaker:
        return self  # redis-py copies a connection's Retry, and with it this


class GuardedRetry(Retry):
    """No retries (a caller is waiting), and every command reports to the breaker."""

    def __init__(self, breaker: Breaker):
        super().__init__(NoBackoff(), 0)
        self.breaker = breaker

    def call_with_retry(self, do: Callable[[], T], fail: Callable[..., Any],
                        *args: Any, **kwargs: Any) -> T:
        self.breaker.check()
        try:
            result = super().call_with_retry(do, fail, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self.breaker.failed(exc)
            raise
        self.breaker.succeeded()
        return result
