"""Texts about callbacks: what each callback's customer was sent (the console shows it), the
once-only guard of each text, the time the last one promised, and the numbers that asked
for no more texts.

A text is guarded by SET NX on its own name (the kind, and for a moved callback the new
time), so a job run twice never sends it twice. The opt-out list is meant to last: it has
no TTL, and holds keyed hashes of the numbers (state/remembered.py's digest), never the
numbers in clear. A callback's texts live as long as a finished callback does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import redis

from ivr_app.state.callbacks import FINISHED_TTL

SENT_KEY = "ivr:callback:{id}:texts"  # list of {"at", "kind", "body", "sid"} JSON, oldest first
GUARD_KEY = "ivr:callback:{id}:text:{name}"  # "sending", then the message sid
PROMISED_KEY = "ivr:callback:{id}:promised"  # ISO time the last text said we would call
OPTED_OUT_KEY = "ivr:texts:opted-out"  # set of number digests: no TTL, a STOP lasts
SENDING = "sending"


class Texts:
    """Takes a Redis connection (decode_responses=True) and how numbers are hashed."""

    def __init__(self, connection: redis.Redis, digest: Callable[[str], str]):
        self.redis = connection
        self._digest = digest

    def claim(self, callback_id: str, name: str) -> bool:
        """The once-only guard of one text: True for the first claimer only."""
        return bool(self.redis.set(GUARD_KEY.format(id=callback_id, name=name), SENDING,
                                   nx=True, ex=FINISHED_TTL))

    def release(self, callback_id: str, name: str) -> None:
        """Undo a claim whose text was certainly not sent (Twilio refused it)."""
        self.redis.delete(GUARD_KEY.format(id=callback_id, name=name))

    def claimed(self, callback_id: str, name: str) -> bool:
        return bool(self.redis.exists(GUARD_KEY.format(id=callback_id, name=name)))

    def sent(self, callback_id: str, name: str, kind: str, body: str, sid: str,
             promised: dt.datetime | None, now: dt.datetime) -> None:
        """Keep a text sent, and the time it promised (None: "when it is your turn")."""
        log = SENT_KEY.format(id=callback_id)
        entry = {"at": now.isoformat(timespec="seconds"), "kind": kind, "body": body,
                 "sid": sid}
        pipe = self.redis.pipeline()
        pipe.set(GUARD_KEY.format(id=callback_id, name=name), sid, ex=FINISHED_TTL)
        if promised is not None:
            pipe.set(PROMISED_KEY.format(id=callback_id),
                     promised.isoformat(timespec="seconds"), ex=FINISHED_TTL)
        pipe.rpush(log, json.dumps(entry, ensure_ascii=False)).expire(log, FINISHED_TTL)
        pipe.execute()

    def of(self, callback_id: str) -> list[dict[str, Any]]:
        """The texts a callback's customer was sent, oldest first."""
        return [json.loads(e) for e in self.redis.lrange(SENT_KEY.format(id=callback_id), 0, -1)]

    def promised(self, callback_id: str) -> dt.datetime | None:
        """When the last text said we would call; None if none was sent."""
        raw = self.redis.get(PROMISED_KEY.format(id=callback_id))
        return dt.datetime.fromisoformat(raw) if raw else None

    def opt_out(self, number: str) -> None:
        self.redis.sadd(OPTED_OUT_KEY, self._digest(number))

    def opt_in(self, number: str) -> None:
        self.redis.srem(OPTED_OUT_KEY, self._digest(number))

    def opted_out(self, number: str) -> bool:
        return bool(self.redis.sismember(OPTED_OUT_KEY, self._digest(number)))
