"""Recent calls and chosen languages remembered by caller number, so a caller who calls
again need not start over, nor choose their language again.

The lookup key is a keyed hash (HMAC-SHA256) of the number, never the number in clear:
the key is CALLER_HASH_KEY, or one made at random the first time and kept in Redis for
every process (read from there at each lookup). A call expires when the flow's
`returning.within_hours` is over; a language LANGUAGE_DAYS after the last call that chose
or kept it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

import redis

REMEMBERED_KEY = "ivr:returning:{digest}"  # JSON: the earlier call, as the agent will see it
LANGUAGE_KEY = "ivr:language:{digest}"  # the language code the number last chose
LANGUAGE_DAYS = 180
SECRET_KEY = "ivr:secret:caller-hash"  # the hash key, when CALLER_HASH_KEY is not set


class Remembered:
    """Takes a Redis connection (decode_responses=True) and the configured hash key."""

    def __init__(self, connection: redis.Redis, hash_key: str = ""):
        self.redis = connection
        self._key = hash_key.encode()

    def digest(self, number: str) -> str:
        return hmac.new(self._key or self._shared_key(), number.encode(),
                        hashlib.sha256).hexdigest()

    def _shared_key(self) -> bytes:
        """The key kept in Redis, made if it is missing, in one round trip. Read at every
        lookup, never kept here: a process holding a key Redis has lost (restarted empty,
        flushed) would hash unlike every process that made the new one, and a caller asked
        by one would not be found by the next."""
        pipe = self.redis.pipeline()  # MULTI: one round trip (SET NX GET needs Redis 7)
        pipe.set(SECRET_KEY, secrets.token_hex(32), nx=True)
        pipe.get(SECRET_KEY)
        return pipe.execute()[1].encode()

    def keep(self, number: str, call: dict[str, Any], hours: int) -> None:
        self.redis.set(REMEMBERED_KEY.format(digest=self.digest(number)),
                       json.dumps(call, ensure_ascii=False), ex=hours * 3600)

    def find(self, number: str) -> dict[str, Any] | None:
        raw = self.redis.get(REMEMBERED_KEY.format(digest=self.digest(number)))
        return json.loads(raw) if raw else None

    def forget(self, number: str) -> None:
        self.redis.delete(REMEMBERED_KEY.format(digest=self.digest(number)))

    def keep_language(self, number: str, lang: str) -> None:
        self.redis.set(LANGUAGE_KEY.format(digest=self.digest(number)), lang,
                       ex=LANGUAGE_DAYS * 24 * 3600)

    def language(self, number: str) -> str | None:
        return self.redis.get(LANGUAGE_KEY.format(digest=self.digest(number)))
