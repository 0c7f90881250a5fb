"""Fail fast while Redis is in trouble, so callers reach a person instead of waiting.

Twilio gives a webhook 15 s. A Redis that stalls (a long command, a failover) would hold
every request for the whole socket timeout, and a web process's few workers would queue
callers behind each other. So every Redis command of a process goes through one Breaker:
after a connection error or a timeout it opens, and commands fail at once (CircuitOpen, a
redis.ConnectionError) without touching the network; the webhooks answer with TwiML to a
person. It does not stay open blindly: `probe` seconds after a failure, one command tries
Redis (half-open) while the others wait a moment for its outcome. Its success closes the
breaker, so a process serves normally again within about `probe` seconds of Redis (or the
master Sentinel names after a failover) answering; its failure opens it for another `probe`.
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
    """Redis failed moments ago and is being tried by another command, or soon will be."""


class Breaker:
    """Shared by every connection of a process (copies of it are itself)."""

    def __init__(self, probe: float = 0.5, clock: Callable[[], float] = time.monotonic,
                 wait: float = 0.2):
        self.probe = probe  # seconds from a failure to the next trial
        self.wait = wait  # how long a command waits for a trial under way
        self.clock = clock
        self._failed_since: float | None = None  # None: closed
        self._next_trial = 0.0
        self._trying = False  # a trial is under way
        self._changed = threading.Condition()

    @property
    def is_open(self) -> bool:
        """Whether a command would now fail at once: Redis failed and no trial is due."""
        return self._failed_since is not None and (
            self._trying or self.clock() < self._next_trial)

    def check(self) -> bool:
        """Let a command through, saying whether it is the trial; CircuitOpen if not let."""
        if self._failed_since is None:
            return False
        with self._changed:
            if self._failed_since is not None and not self._trying \
                    and self.clock() >= self._next_trial:
                self._trying = True
                return True
            if self._trying:  # its outcome is a moment away: better than a person at once
                self._changed.wait_for(lambda: not self._trying, timeout=self.wait)
            if self._failed_since is None:
                return False
        raise CircuitOpen(f"Redis failed; tried again every {self.probe:g} s")

    def failed(self, error: Exception) -> None:
        with self._changed:
            now = self.clock()
            if self._failed_since is None:
                log.error("Redis failed (%s): answering from fallbacks, trying again every "
                          "%g s", error, self.probe)
                self._failed_since = now
            self._next_trial = now + self.probe
            self._trying = False
            self._changed.notify_all()

    def succeeded(self) -> None:
        if self._failed_since is None and not self._trying:
            return
        with self._changed:
            if self._failed_since is not None:
                log.warning("Redis answers again, after %.1f s",
                            self.clock() - self._failed_since)
            self._failed_since = None
            self._trying = False
            self._changed.notify_all()

    def abandoned(self) -> None:
        """A trial ended without a word from Redis either way: the next command tries."""
        with self._changed:
            self._trying = False
            self._changed.notify_all()

    def __deepcopy__(self, memo: dict[int, Any]) -> Breaker:
        return self  # redis-py copies a connection's Retry, and with it this


class GuardedRetry(Retry):
    """No retries (a caller is waiting), and every command reports to the breaker."""

    def __init__(self, breaker: Breaker):
        super().__init__(NoBackoff(), 0)
        self.breaker = breaker

    def call_with_retry(self, do: Callable[[], T], fail: Callable[..., Any],
                        *args: Any, **kwargs: Any) -> T:
        trial = self.breaker.check()
        try:
            result = super().call_with_retry(do, fail, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self.breaker.failed(exc)
            raise
        except redis.RedisError:
            self.breaker.succeeded()  # Redis answered, with an error of the command's own
            raise
        except BaseException:
            if trial:
                self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        return result
