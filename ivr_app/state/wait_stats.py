"""What the wait estimates are built on, and how far off they were, kept in Redis per queue.

An agent's time on a call is talk (answer to hang-up) then wrap-up (hang-up to free
again): both are measured, per queue, over its last 50 calls. Also every estimate
given to a caller, and the wait that followed it (or the hang-up). line/wait.py turns
these into the estimate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import redis

from ivr_app.platform.clock import Clock
from ivr_app.state.calls import CALL_TTL

TALK_TIMES_KEY = "ivr:wait:{queue}:talk_times"  # list of seconds, newest first
WRAP_UPS_KEY = "ivr:wait:{queue}:wrap_ups"  # list of seconds, newest first
WRAPPING_UP_KEY = "ivr:wait:agent:{agent}:wrap-up"  # JSON {"queue", "at"} while it lasts
ESTIMATES_KEY = "ivr:wait:call:{sid}"  # list of {"queue", "position", "estimate_s", "at", "test"}
OUTCOMES_KEY = "ivr:wait:{queue}:outcomes"  # list of finished waits (JSON), newest first
STATS_TTL = 30 * 24 * 3600
HANDLE_WINDOW = 50  # answered calls whose talk and wrap-up are kept
MIN_CALLS = 5  # finished waits needed before their hang-up rate is trusted
OUTCOMES_KEPT = 500  # recent callers the error is measured over


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

    def __init__(self, connection: redis.Redis, clock: Clock, default_talk: float,
                 default_wrap_up: float, window: int = HANDLE_WINDOW,
                 min_calls: int = MIN_CALLS):
        self.redis = connection
        self.clock = clock
        self.default_talk = default_talk
        self.default_wrap_up = default_wrap_up
        self.window = window
        self.min_calls = min_calls

    def record_talk(self, queue: str, agent: str, seconds: float) -> None:
        """An answered call of the queue ended after `seconds` of talk; the agent's
        wrap-up starts now."""
        self._push(TALK_TIMES_KEY.format(queue=queue), seconds, self.window)
        self.redis.set(WRAPPING_UP_KEY.format(agent=agent),
                       json.dumps({"queue": queue, "at": self._now()}), ex=STATS_TTL)

    def record_wrap_up_end(self, agent: str) -> float | None:
        """The agent is done wrapping up (free or away): the wrap-up's length, counted
        once for the queue of the call it followed; None if none was under way."""
        started = self.redis.getdel(WRAPPING_UP_KEY.format(agent=agent))
        if started is None:
            return None
        wrap_up = json.loads(started)
        seconds = max(self._now() - wrap_up["at"], 0.0)
        self._push(WRAP_UPS_KEY.format(queue=wrap_up["queue"]), seconds, self.window)
        return seconds

    def handling(self, queue: str) -> tuple[list[float], list[float], float, float]:
        """The queue's recent talk times and wrap-ups (newest first), and the defaults used
        until enough are measured."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.lrange(TALK_TIMES_KEY.format(queue=queue), 0, self.window - 1)
        pipe.lrange(WRAP_UPS_KEY.format(queue=queue), 0, self.window - 1)
        talks, wraps = pipe.execute()
        return ([float(s) for s in talks], [float(s) for s in wraps], self.default_talk,
                self.default_wrap_up)

    def record_estimate(self, sid: str, queue: str, position: int, estimate_s: float,
                        test: bool = False) -> None:
        """Keep an estimate as it is given; inf (no agents) is kept as no estimate. A test
        call's is kept for the agent's screen, and never scored: it would skew the line's."""
        given = {"queue": queue, "position": position, "at": self._now(),
                 "estimate_s": estimate_s if math.isfinite(estimate_s) else None, "test": test}
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

    def given(self, sid: str) -> list[dict[str, Any]]:
        """The estimates a caller still waiting (or a test call, to its end) was told, oldest
        first."""
        return [json.loads(raw) for raw in self.redis.lrange(ESTIMATES_KEY.format(sid=sid), 0, -1)]

    def finished(self, queue: str, sid: str) -> dict[str, Any] | None:
        """A caller's finished wait (outcome, waited_s, the estimates told), if still kept."""
        return next((o for o in self._outcomes(queue) if o["sid"] == sid), None)

    def _outcomes(self, queue: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in
                self.redis.lrange(OUTCOMES_KEY.format(queue=queue), 0, -1)]

    def _finish(self, sid: str, outcome: str) -> float | None:
        """Move a caller's estimates to the queue's outcomes, once even if called twice. A
        test call's stay where they are, for its agent's screen, until they expire."""
        key = ESTIMATES_KEY.format(sid=sid)
        first = self.redis.lindex(key, 0)
        if first is None or json.loads(first).get("test"):
            return None
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
