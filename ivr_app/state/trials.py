"""Calls a supervisor places from the console ("Try a call") on a flow version of their choice.

The console marks the call before dialling; the call's greeter reads the mark and starts
that version instead of the live one. The simulated caller's place in the conversation is
kept here between the supervisor's clicks, which any web process may answer.
"""

from __future__ import annotations

import json
from typing import Any

import redis

TRIAL_KEY = "ivr:trial:{sid}"  # hash: flow, version, who, caller (the simulator's state, JSON)
TRIAL_TTL = 6 * 3600  # as long as the call's own state


class Trials:
    """Trial calls; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def start(self, sid: str, flow: str, version: str, who: str) -> None:
        key = TRIAL_KEY.format(sid=sid)
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"flow": flow, "version": version, "who": who})
        pipe.expire(key, TRIAL_TTL)
        pipe.execute()

    def get(self, sid: str) -> dict[str, str] | None:
        """The trial's flow, version and who placed it; None for any other call."""
        found = self.redis.hgetall(TRIAL_KEY.format(sid=sid))
        return found or None

    def keep_caller(self, sid: str, caller: dict[str, Any]) -> None:
        self.redis.hset(TRIAL_KEY.format(sid=sid), "caller", json.dumps(caller))

    def caller(self, sid: str) -> dict[str, Any] | None:
        raw = self.redis.hget(TRIAL_KEY.format(sid=sid), "caller")
        return json.loads(raw) if raw else None
