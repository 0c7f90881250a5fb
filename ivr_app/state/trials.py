"""Calls a supervisor places from the console ("Try a call") on a flow version of their choice.

The console marks the call before dialling; the call's greeter reads the mark and starts
that version instead of the live one. The simulated caller's place in the conversation is
kept here between the supervisor's clicks and the page's looks, which any web process may
answer, one at a time (`lock`).
"""

from __future__ import annotations

import json
from typing import Any

import redis

# hash: flow, version, who, caller (the simulator's state, JSON), and as the call goes on:
# seen (the TwiML the demo line last gave the call), hung_up ("caller" once they did)
TRIAL_KEY = "ivr:trial:{sid}"
TRIAL_LOCK = "ivr:trial:{sid}:lock"  # held while one request plays the caller's part
TRIAL_TTL = 6 * 3600  # as long as the call's own state
LOCK_SECONDS = 20  # longer than any step's webhooks take


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

    def keep_caller(self, sid: str, caller: dict[str, Any], **noted: str) -> None:
        """The caller's place in the conversation, and anything `noted` about the call."""
        self.redis.hset(TRIAL_KEY.format(sid=sid),
                        mapping={"caller": json.dumps(caller), **noted})

    def lock(self, sid: str) -> redis.lock.Lock:
        """One request at a time plays the caller's part (a click and a look may cross)."""
        return self.redis.lock(TRIAL_LOCK.format(sid=sid), timeout=LOCK_SECONDS,
                               blocking_timeout=LOCK_SECONDS)

    def caller(self, sid: str) -> dict[str, Any] | None:
        raw = self.redis.hget(TRIAL_KEY.format(sid=sid), "caller")
        return json.loads(raw) if raw else None
