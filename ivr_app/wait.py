"""How long a caller waiting for a person will wait, and how far off we were.

The estimate, as told to callers on entering the queue and every minute after:

1. H, the queue's handle time, is the average length of its last 50 answered calls
   (the configured default until 5 calls have been measured).
2. Each agent signed in to the queue is free in some number of seconds: 0 if available;
   if on a call, what is left of an average call, H minus the time on the call so far,
   but never less than 15% of H (a call that runs long is still expected to end soon,
   not to have ended already). Agents who are away do not count.
3. The line is played forward: whenever an agent frees up, they take the next caller
   and are busy again for H. The caller in position k is told the time of the k-th
   freeing. With c agents all free, callers 1 to c hear 0, callers c+1 to 2c hear H,
   and so on; roughly, position k waits k x H / c.
4. Callers ahead may hang up. The queue's hang-up rate r is measured on its recent
   waits: hang-ups divided by the seconds all those callers spent waiting (0 until 5
   waits are known). Playing forward, each caller still ahead is expected to stay
   for t more seconds with chance e^(-r t), and the caller is told the first freeing
   at which less than half a caller is expected still ahead. With r = 0 this is
   exactly the k-th freeing of step 3.
5. With nobody signed in there is no estimate (infinity): offer the caller something
   else (a callback, a message), never a made-up number.

Every estimate given is recorded with the wait that followed, so its mean absolute
error per queue can be shown to supervisors; callers who hang up first are kept
apart, since their real wait is unknown.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from .services import Clock
from .state import CALL_TTL

HANDLE_TIMES_KEY = "ivr:wait:{queue}:handle_times"  # list of seconds, newest first
ESTIMATES_KEY = "ivr:wait:call:{sid}"  # list of {"queue", "position", "estimate_s", "at"} JSON
OUTCOMES_KEY = "ivr:wait:{queue}:outcomes"  # list of finished waits (JSON), newest first
STATS_TTL = 30 * 24 * 3600
HANDLE_WINDOW = 50  # answered calls in the rolling average
MIN_CALLS = 5  # measured calls needed before the average replaces the default
OUTCOMES_KEPT = 500  # recent callers the error is measured over
BUSY_FLOOR = 0.15  # a busy agent is free in at least this share of the handle time


def estimate_wait(position: int, agents: Sequence[float], handle_time: float,
                  hang_up_rate: float = 0.0) -> float:
    """Seconds until the caller at `position` (1-based) reaches an agent; inf with no agents.

    `agents` holds, per agent signed in, the seconds until they are free (0: available).
    """
    if position < 1:
        raise ValueError(f"position must be 1 or more, got {position}")
    if not agents:
        return math.inf
    free_at = sorted(agents)  # a sorted list is already a heap
    ahead, now = float(position - 1), 0.0  # callers expected still ahead, at time `now`
    while True:
        free = free_at[0]
        ahead *= math.exp(-hang_up_rate * (free - now))
        if ahead <= 0.5:
            return free
        ahead, now = ahead - 1, free
        heapq.heapreplace(free_at, free + handle_time)


def busy_agent_free_in(on_call_for: float, handle_time: float) -> float:
    """What is left of an average call after `on_call_for` seconds on it, floored."""
    return max(handle_time - on_call_for, BUSY_FLOOR * handle_time)


def average_handle_time(recent: Sequence[float], default: float,
                        min_calls: int = MIN_CALLS) -> float:
    """The mean of recent handle times, or `default` while too few are known to trust."""
    return sum(recent) / len(recent) if len(recent) >= min_calls else default


def measured_hang_up_rate(waits: int, hung_up: int, waited_s: float,
                          min_waits: int = MIN_CALLS) -> float:
    """Hang-ups per second of waiting over finished waits; 0 until enough are known."""
    return hung_up / waited_s if waits >= min_waits and waited_s > 0 else 0.0


@dataclass(frozen=True)
class Accuracy:
    """How well a queue's recent estimates held up, for supervisors."""

    answered: int  # callers answered after hearing at least one estimate
    abandoned: int  # callers who hung up first: their real wait is unknown
    estimates: int  # estimates scored against the wait that followed
    mean_abs_error_s: float | None  # None until an estimate has been scored


class WaitStats:
    """Handle times and estimate outcomes per queue; takes its Redis connection and clock."""

    def __init__(self, connection: redis.Redis, clock: Clock, default_handle_time: float,
                 window: int = HANDLE_WINDOW, min_calls: int = MIN_CALLS):
        self.redis = connection
        self.clock = clock
        self.default_handle_time = default_handle_time
        self.window = window
        self.min_calls = min_calls

    def record_handle_time(self, queue: str, seconds: float) -> None:
        """Count an answered call's length (talk and wrap-up) in the queue's average."""
        self._push(HANDLE_TIMES_KEY.format(queue=queue), seconds, self.window)

    def handle_time(self, queue: str) -> float:
        """The queue's average handle time over its last calls, or the default."""
        recent = self.redis.lrange(HANDLE_TIMES_KEY.format(queue=queue), 0, self.window - 1)
        return average_handle_time([float(s) for s in recent], self.default_handle_time,
                                   self.min_calls)

    def record_estimate(self, sid: str, queue: str, position: int, estimate_s: float) -> None:
        """Keep an estimate as it is given; inf (no agents) is kept as no estimate."""
        given = {"queue": queue, "position": position, "at": self._now(),
                 "estimate_s": estimate_s if math.isfinite(estimate_s) else None}
        key = ESTIMATES_KEY.format(sid=sid)
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(given))
        pipe.expire(key, CALL_TTL)
        pipe.execute()

    def record_answered(self, sid: str) -> float | None:
        """Score the caller's estimates against their real wait; returns that wait."""
        return self._finish(sid, "answered")

    def record_abandoned(self, sid: str) -> float | None:
        """Note that the caller hung up first; their estimates stay unscored."""
        return self._finish(sid, "abandoned")

    def hang_up_rate(self, queue: str) -> float:
        """How readily the queue's callers hang up, per second of waiting, lately."""
        outcomes = self._outcomes(queue)
        return measured_hang_up_rate(len(outcomes),
                                     sum(o["outcome"] == "abandoned" for o in outcomes),
                                     sum(o["waited_s"] for o in outcomes), self.min_calls)

    def accuracy(self, queue: str) -> Accuracy:
        """Mean absolute error of the estimates given to the queue's recent callers."""
        outcomes = self._outcomes(queue)
        errors = [abs(e["estimate_s"] - e["remaining_s"]) for o in outcomes
                  if o["outcome"] == "answered" for e in o["estimates"]
                  if e["estimate_s"] is not None]
        return Accuracy(answered=sum(o["outcome"] == "answered" for o in outcomes),
                        abandoned=sum(o["outcome"] == "abandoned" for o in outcomes),
                        estimates=len(errors),
                        mean_abs_error_s=sum(errors) / len(errors) if errors else None)

    def _outcomes(self, queue: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in
                self.redis.lrange(OUTCOMES_KEY.format(queue=queue), 0, -1)]

    def _finish(self, sid: str, outcome: str) -> float | None:
        """Move a caller's estimates to the queue's outcomes, once even if called twice."""
        key = ESTIMATES_KEY.format(sid=sid)
        pipe = self.redis.pipeline()  # MULTI: a retried callback finds nothing left
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        given = [json.loads(raw) for raw in pipe.execute()[0]]
        if not given:
            return None
        now = self._now()
        if outcome == "answered":
            for estimate in given:
                estimate["remaining_s"] = now - estimate["at"]
        waited = now - given[0]["at"]
        record = {"sid": sid, "outcome": outcome, "waited_s": waited, "estimates": given}
        self._push(OUTCOMES_KEY.format(queue=given[0]["queue"]), json.dumps(record),
                   OUTCOMES_KEPT)
        return waited

    def _push(self, key: str, value: float | str, keep: int) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.lpush(key, value)
        pipe.ltrim(key, 0, keep - 1)
        pipe.expire(key, STATS_TTL)
        pipe.execute()

    def _now(self) -> float:
        return self.clock().timestamp()
