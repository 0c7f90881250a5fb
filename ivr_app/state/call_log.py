"""Finished calls, one summary each, kept for the console's metrics and a caller's history.

A call's state lives six hours; its summary, written when Twilio reports the end
(workers/metrics.py), lives KEEP seconds. A summary is a JSON object:

    sid, flow, version, from, lang, trial (a console "Try a call"), test (TEST_CALLERS,
    `simulate`), topic (the flow's `topic` variable, "" if it set none),
    started, ended (epoch seconds),
    outcome: self-service | person | callback | in-line | hung-up   (see OUTCOMES)
    zero_out: the question where the caller asked for a person ("" if they did not),
    person_node: the node where the call went to a person (asked, sent, or a transfer),
    reason, queue, agent,
    to_person_s: call start to an agent taking the call (None if none did),
    waited_s: time in line (for the agent who took the call, if one did),
    told_s: the first wait estimate they heard (None if none),
    callback: the callback they asked for ("" if none),
    remembered_lang: the language its number had chosen before ("" if none),
    greeted: the question it answered before the flow ("earlier-call", "pending-callback"; ""),
    inputs: the caller's answers in the flow, in order, as the call's path recorded them
            ({at, node, event, input, confidence?, heard?, refused?}): what `replay` plays again,
    survey: {resolved: true | false | null, rating: 1-5 | null} after the agent hung up
      (state/surveys.py), null if no survey was asked

Agents' wrap-up notes are kept beside it, by call.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import redis

CALLS_KEY = "ivr:calllog"  # zset: sid -> call start (epoch seconds)
ENTRY_KEY = "ivr:calllog:{sid}"  # the summary, JSON
NUMBER_KEY = "ivr:calllog:number:{number}"  # zset: sid -> call start, per caller number
WRAP_UP_KEY = "ivr:calllog:{sid}:wrap-up"  # JSON {"agent", "code", "note", "at"}
KEEP = 90 * 24 * 3600

# self-service: the flow said goodbye; person: an agent took the call; callback: they asked to
# be called back (or left a voice message); in-line: they waited for a person and hung up;
# hung-up: they hung up in the menus.
OUTCOMES = ("self-service", "person", "callback", "in-line", "hung-up")


class CallLog:
    """Call summaries and wrap-ups; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def record(self, summary: dict[str, Any]) -> None:
        """Keep a finished call's summary (again, if a job is repeated: the same key)."""
        sid, started = summary["sid"], summary["started"]
        number_key = NUMBER_KEY.format(number=summary["from"])
        pipe = self.redis.pipeline()
        pipe.set(ENTRY_KEY.format(sid=sid), json.dumps(summary, ensure_ascii=False), ex=KEEP)
        for key in (CALLS_KEY, number_key):
            pipe.zadd(key, {sid: started})
            pipe.zremrangebyscore(key, 0, started - KEEP)
            pipe.expire(key, KEEP)
        pipe.execute()

    def between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Summaries of the calls that started in [start, end), oldest first."""
        return self._entries(self.redis.zrangebyscore(CALLS_KEY, start, f"({end}"))

    def of_day(self, day: dt.date) -> list[dict[str, Any]]:
        """Summaries of the calls that started on a day, in the server's time zone."""
        start = dt.datetime.combine(day, dt.time()).astimezone()
        return self.between(start.timestamp(), (start + dt.timedelta(days=1)).timestamp())

    def following(self, spans: list[tuple[str, float, float]]) -> list[list[dict[str, Any]]]:
        """For each (number, after, until), that number's calls that started in (after,
        until], oldest first: two round trips for them all."""
        pipe = self.redis.pipeline(transaction=False)
        for number, after, until in spans:
            pipe.zrangebyscore(NUMBER_KEY.format(number=number), f"({after}", until)
        found = pipe.execute() if spans else []
        entries = {e["sid"]: e for e in self._entries(sorted({s for f in found for s in f}))}
        return [[entries[sid] for sid in sids if sid in entries] for sids in found]

    def of_number(self, number: str, limit: int = 10) -> list[dict[str, Any]]:
        """A caller number's latest finished calls, newest first."""
        if not number:
            return []
        return self._entries(self.redis.zrevrange(NUMBER_KEY.format(number=number), 0,
                                                  limit - 1))

    def save_wrap_up(self, sid: str, agent: str, code: str, note: str,
                     now: dt.datetime) -> None:
        entry = {"agent": agent, "code": code, "note": note,
                 "at": now.isoformat(timespec="seconds")}
        self.redis.set(WRAP_UP_KEY.format(sid=sid), json.dumps(entry, ensure_ascii=False),
                       ex=KEEP)

    def wrap_up(self, sid: str) -> dict[str, str] | None:
        raw = self.redis.get(WRAP_UP_KEY.format(sid=sid))
        return json.loads(raw) if raw else None

    def _entries(self, sids: list[str]) -> list[dict[str, Any]]:
        if not sids:
            return []
        raws = self.redis.mget([ENTRY_KEY.format(sid=sid) for sid in sids])
        return [json.loads(raw) for raw in raws if raw]
