"""A call's survey after its agent hung up: when it began, where it stands, the answers.

One hash per call, kept as long as the call's own state: the call's summary
(workers/metrics.py) reads it when Twilio reports the end of the call.

    started: epoch seconds;  step: resolved | rating | done
    resolved: yes | no ("" unanswered);  rating: 1-5 ("" unanswered)
"""

from __future__ import annotations

from typing import Any

import redis

SURVEY_KEY = "ivr:survey:{sid}"  # hash: started, step, resolved, rating
SURVEY_TTL = 6 * 3600  # as long as the call's own state


class Surveys:
    """Surveys of calls; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def begin(self, sid: str, started: float, first: str) -> bool:
        """Start the call's survey at question `first`; False if it began already (a
        Twilio retry of the <Dial>'s action)."""
        key = SURVEY_KEY.format(sid=sid)
        if not self.redis.hsetnx(key, "started", started):
            return False
        self.redis.pipeline().hset(key, "step", first).expire(key, SURVEY_TTL).execute()
        return True

    def get(self, sid: str) -> dict[str, str] | None:
        """The survey's fields; None for a call that was not surveyed."""
        return self.redis.hgetall(SURVEY_KEY.format(sid=sid)) or None

    def note(self, sid: str, **fields: str) -> None:
        self.redis.hset(SURVEY_KEY.format(sid=sid), mapping=fields)

    def summary(self, sid: str) -> dict[str, Any] | None:
        """The survey as a call's summary keeps it: resolved (True, False or None when not
        answered) and rating (1-5 or None); None if none was asked."""
        found = self.get(sid)
        if found is None:
            return None
        resolved = found.get("resolved", "")
        rating = found.get("rating", "")
        return {"resolved": None if not resolved else resolved == "yes",
                "rating": int(rating) if rating.isdigit() else None}
