"""Recent calls and chosen languages remembered by caller number, so a caller who calls
again need not start over, nor choose their language again.

The lookup key is a keyed hash (HMAC-SHA256) of the number, never the number in clear:
the key is CALLER_HASH_KEY, or one made at random the first time and kept in Redis for
every process (checked against Redis's at each lookup). A call expires when the flow's
`returning.within_hours` is over; a language LANGUAGE_DAYS after the last call that chose
or kept it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import redis
from redis.client import Pipeline

REMEMBERED_KEY = "ivr:returning:{digest}"  # JSON: the earlier call, as the agent will see it
LANGUAGE_KEY = "ivr:language:{digest}"  # the language code the number last chose
LANGUAGE_DAYS = 180
SECRET_KEY = "ivr:secret:caller-hash"  # the hash key, when CALLER_HASH_KEY is not set


@dataclass(frozen=True)
class Known:
    """What a number left when its call comes in: the language it chose, its earlier call."""

    language: str | None = None
    earlier: dict[str, Any] | None = None


class Remembered:
    """Takes a Redis connection (decode_responses=True) and the configured hash key."""

    def __init__(self, connection: redis.Redis, hash_key: str = ""):
        self.redis = connection
        self._key = hash_key.encode()
        self._last_shared = b""  # the shared key as the last lookup found it in Redis

    def digest(self, number: str) -> str:
        return _digest(self._key or self._shared_key(), number)

    def about(self, number: str) -> Known:
        """The number's language and earlier call, in one round trip: the shared key the
        last lookup found is used, and read again in the same round trip; if Redis holds
        another (restarted empty, flushed), the lookup is made again with that one."""
        key = self._key or self._last_shared or self._shared_key()
        for _ in range(2):
            digest = _digest(key, number)
            pipe = self.redis.pipeline(transaction=False)
            pipe.get(LANGUAGE_KEY.format(digest=digest))
            pipe.get(REMEMBERED_KEY.format(digest=digest))
            if not self._key:
                _read_shared_key(pipe)
            language, earlier, *shared = pipe.execute()
            if shared:  # the key Redis holds, for the next lookup; made with another: again
                self._last_shared = shared[1].encode()
                if self._last_shared != key:
                    key = self._last_shared
                    continue
            return Known(language, json.loads(earlier) if earlier else None)
        return Known()  # the key changed twice in two round trips: nothing found, as new

    def _shared_key(self) -> bytes:
        """The key kept in Redis, made if it is missing, in one round trip. Read afresh for
        every write, and checked by every lookup in its own round trip (`about`): a process
        holding a key Redis has lost (restarted empty, flushed) would hash unlike every
        process that made the new one, and a caller asked by one would not be found by the
        next."""
        pipe = self.redis.pipeline()  # MULTI: one round trip
        _read_shared_key(pipe)
        return pipe.execute()[1].encode()

    def keep(self, number: str, call: dict[str, Any], hours: int) -> None:
        self.redis.set(REMEMBERED_KEY.format(digest=self.digest(number)),
                       json.dumps(call, ensure_ascii=False), ex=hours * 3600)

    def forget(self, number: str) -> None:
        self.redis.delete(REMEMBERED_KEY.format(digest=self.digest(number)))

    def keep_language(self, number: str, lang: str) -> None:
        self.redis.set(LANGUAGE_KEY.format(digest=self.digest(number)), lang,
                       ex=LANGUAGE_DAYS * 24 * 3600)


def _read_shared_key(pipe: Pipeline) -> None:
    """Queue the shared key's read, made first if it is missing (SET NX GET needs Redis 7)."""
    pipe.set(SECRET_KEY, secrets.token_hex(32), nx=True)
    pipe.get(SECRET_KEY)


def _digest(key: bytes, number: str) -> str:
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
