"""Every version of a flow that went live, with who and when, and the draft being worked on.

The file under flows/ stays what answers calls (flow/registry.py); this is its record:
each activation from the console, each rollback, and each edit noticed on disk, newest
first, with the full text so any of them can be put back. Kept until trimmed to KEPT
entries per flow (no TTL: it is the only account of who changed a live flow). A draft,
an edit that failed the loader or was made from a version no longer live, lives DRAFT_TTL,
with the version it was edited from. Saves of a flow take turns (`editing`), so the
version a save was edited from is compared with the live one and replaced in one step.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import redis
from redis.lock import Lock

LOG_KEY = "ivr:flowlog:{name}"  # list of {"version", "text", "who", "at", "how", "written"} JSON
DRAFT_KEY = "ivr:flowdraft:{name}"  # hash: text, who, at, base (the version it was edited from)
LOCK_KEY = "ivr:flowlock:{name}"  # held while a save compares versions and writes the file
LOCK_SECONDS = 30  # a process that died holding it lets go after this long
KEPT = 100
DRAFT_TTL = 30 * 24 * 3600
HOWS = ("console", "rollback", "disk")  # saved in the console, rolled back, edited on disk

# KEYS: log; ARGV: version, entry JSON, kept, written. Add the entry unless that version is the
# newest, or the newest was written to the file later than this one (a read of the file that
# raced with a save).
_RECORD = """
local head = redis.call('LINDEX', KEYS[1], 0)
if head then
  local newest = cjson.decode(head)
  if newest['version'] == ARGV[1] or newest['written'] >= tonumber(ARGV[4]) then return 0 end
end
redis.call('LPUSH', KEYS[1], ARGV[2])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return 1
"""


class FlowHistory:
    """Activated versions and drafts per flow; takes a Redis connection (decode_responses)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection
        self._record = connection.register_script(_RECORD)

    def record(self, name: str, version: str, text: str, who: str, how: str,
               now: dt.datetime, written: float) -> bool:
        """Note that `version` went live, its file written at `written` (its mtime); False if
        it already was the newest entry, or an entry written later is."""
        if how not in HOWS:
            raise ValueError(f"how must be one of {', '.join(HOWS)}")
        entry = {"version": version, "text": text, "who": who, "how": how,
                 "at": now.isoformat(timespec="seconds"), "written": written}
        return bool(self._record(keys=[LOG_KEY.format(name=name)],
                                 args=[version, json.dumps(entry, ensure_ascii=False), KEPT,
                                       repr(written)]))

    def entries(self, name: str) -> list[dict[str, Any]]:
        """Newest first."""
        return [json.loads(raw) for raw in self.redis.lrange(LOG_KEY.format(name=name), 0, -1)]

    def entry(self, name: str, version: str) -> dict[str, Any] | None:
        return next((e for e in self.entries(name) if e["version"] == version), None)

    def live(self, name: str) -> str:
        """The version that went live last ("" before any)."""
        newest = self.redis.lindex(LOG_KEY.format(name=name), 0)
        return json.loads(newest)["version"] if newest else ""

    def editing(self, name: str) -> Lock:
        """Held (`with`) by one save of the flow at a time, in every process."""
        return self.redis.lock(LOCK_KEY.format(name=name), timeout=LOCK_SECONDS,
                               blocking_timeout=LOCK_SECONDS)

    def save_draft(self, name: str, text: str, who: str, now: dt.datetime, base: str) -> None:
        """Keep `text`, edited from version `base`, as the flow's draft."""
        key = DRAFT_KEY.format(name=name)
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"text": text, "who": who, "base": base,
                                "at": now.isoformat(timespec="seconds")})
        pipe.expire(key, DRAFT_TTL)
        pipe.execute()

    def draft(self, name: str) -> dict[str, str] | None:
        return self.redis.hgetall(DRAFT_KEY.format(name=name)) or None

    def drop_draft(self, name: str) -> None:
        self.redis.delete(DRAFT_KEY.format(name=name))
