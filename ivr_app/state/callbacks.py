"""Callbacks: "we will call you back" kept as a record with a state machine, never lost.

Each callback is a Redis hash with its whole history. Jobs are derived from
records (workers/callbacks.py), never the other way round, so a lost job is
found and re-made by the reconciler. States:

    requested -> waiting -> dialing -> connected -> completed
                    ^          |
                    |          v
                    +---- retry-wait ----> missed
    (requested, waiting and retry-wait can also become cancelled)

A callback waits in the same line as callers holding on, at the place the
caller had, so it is served in turn. Placing a call is guarded per attempt
(SET NX), so a customer is never called twice for the same attempt.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import redis

# The callback's leg: its states and moves, written once with the other legs'.
from ivr_app.state.lifecycle import CALLBACK_MOVES
from ivr_app.state.lifecycle import CALLBACK_PENDING as PENDING

# A callback's record has no TTL until it is finished (never lost while a customer waits for
# it); then it and its history live FINISHED_TTL more, for supervisors to see.
CALLBACK_KEY = "ivr:callback:{id}"  # hash: the Callback fields
HISTORY_KEY = "ivr:callback:{id}:history"  # list of {"state", "at", "note"} JSON, oldest first
ACTIVE_KEY = "ivr:callbacks:active"  # set of ids not yet completed, missed or cancelled
BY_NUMBER_KEY = "ivr:callbacks:number:{number}"  # set of active ids per customer number
ATTEMPT_KEY = "ivr:callback:{id}:attempt:{n}"  # placed-call marker: "<at>" then the call sid
REQUESTED_KEY = "ivr:callbacks:requested"  # zset: id -> when requested; the console's index
FINISHED_TTL = 30 * 24 * 3600  # finished callbacks stay visible to supervisors for a month
ATTEMPT_TTL = 7 * 24 * 3600
_ID = re.compile(r"CB[0-9a-f]{32}")

# KEYS: callback hash, history, active set, number set; ARGV: from states (comma list),
# to state, at (ISO), note, ttl for finished ones, then field/value pairs to set.
_TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == state then allowed = true end end
if not allowed then return state end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated', ARGV[3])
if #ARGV > 5 then redis.call('HSET', KEYS[1], unpack(ARGV, 6)) end
redis.call('RPUSH', KEYS[2], cjson.encode({state=ARGV[2], at=ARGV[3], note=ARGV[4]}))
if ARGV[2] == 'completed' or ARGV[2] == 'missed' or ARGV[2] == 'cancelled' then
  redis.call('SREM', KEYS[3], redis.call('HGET', KEYS[1], 'id'))
  redis.call('SREM', KEYS[4], redis.call('HGET', KEYS[1], 'id'))
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
return 'ok'
"""


def is_callback_id(text: str) -> bool:
    return bool(_ID.fullmatch(text))


class AlreadyPending(Exception):
    """The number has a callback pending already: one at a time per number."""

    def __init__(self, callback: Callback):
        super().__init__(f"{callback.number} has callback {callback.id} pending already")
        self.callback = callback


class UnknownCallback(LookupError):
    """A request about a callback we do not keep (never ours, or its record expired):
    answered, and logged in one line."""


@dataclass
class Callback:
    id: str
    number: str  # E.164, checked when the caller gave it
    lang: str
    queue: str
    reason: str
    flow: str
    place: int  # the caller's place in line when they asked
    requested_at: str
    due_at: str = ""  # a chosen slot (ISO), or empty for "when it is my turn"
    state: str = "requested"
    attempts: int = 0
    max_attempts: int = 3
    spacing_s: int = 600
    call_sid: str = ""  # the current attempt's outbound call
    agent: str = ""  # the agent reserved for the current attempt
    updated: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # what the agent will be told

    def minutes_since_request(self, now: dt.datetime) -> int:
        return round((now - dt.datetime.fromisoformat(self.requested_at)).total_seconds() / 60)


class Callbacks:
    """Callback records; takes a Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection
        self._transition = connection.register_script(_TRANSITION)

    def create(self, *, number: str, lang: str, queue: str, reason: str, flow: str, place: int,
               context: dict[str, Any], now: dt.datetime, due_at: dt.datetime | None = None,
               max_attempts: int = 3, spacing_s: int = 600) -> Callback:
        """Store a new request before the caller hears it confirmed; AlreadyPending if the
        number has one pending (checked and stored in one transaction on its number)."""
        callback = Callback(id="CB" + secrets.token_hex(16), number=number, lang=lang,
                            queue=queue, reason=reason, flow=flow, place=place,
                            requested_at=now.isoformat(timespec="seconds"),
                            due_at=due_at.isoformat(timespec="seconds") if due_at else "",
                            max_attempts=max_attempts, spacing_s=spacing_s, context=context,
                            updated=now.isoformat(timespec="seconds"))
        by_number = BY_NUMBER_KEY.format(number=number)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(by_number)  # another request for the number makes this retry
                    pending = [c for c in self.pending_for(number) if c.state in PENDING]
                    if pending:
                        raise AlreadyPending(pending[0])
                    pipe.multi()
                    pipe.hset(CALLBACK_KEY.format(id=callback.id), mapping=_to_hash(callback))
                    pipe.rpush(HISTORY_KEY.format(id=callback.id), json.dumps(
                        {"state": "requested", "at": callback.requested_at, "note": ""}))
                    pipe.sadd(ACTIVE_KEY, callback.id)
                    pipe.sadd(by_number, callback.id)
                    pipe.zadd(REQUESTED_KEY, {callback.id: now.timestamp()})  # finished
                    pipe.zremrangebyscore(REQUESTED_KEY, 0,  # ones expire, so trim too
                                          now.timestamp() - FINISHED_TTL)
                    pipe.expire(REQUESTED_KEY, FINISHED_TTL)
                    pipe.execute()
                    return callback
                except redis.WatchError:
                    continue

    def get(self, callback_id: str) -> Callback | None:
        raw = self.redis.hgetall(CALLBACK_KEY.format(id=callback_id))
        return _from_hash(raw) if raw else None

    def move(self, callback_id: str, from_states: tuple[str, ...], to: str, now: dt.datetime,
             note: str = "", **fields: Any) -> bool:
        """Change state only from one of `from_states`; False if the record was elsewhere."""
        if to not in sum(CALLBACK_MOVES.values(), ()):
            raise ValueError(f"unknown callback state {to!r}")
        for state in from_states:
            if to not in CALLBACK_MOVES.get(state, ()):
                raise ValueError(f"a callback cannot go from {state} to {to}")
        number = self.redis.hget(CALLBACK_KEY.format(id=callback_id), "number") or ""
        pairs = [str(v) for kv in fields.items() for v in kv]
        keys = [CALLBACK_KEY.format(id=callback_id), HISTORY_KEY.format(id=callback_id),
                ACTIVE_KEY, BY_NUMBER_KEY.format(number=number)]
        args = [",".join(from_states), to, now.isoformat(timespec="seconds"), note,
                FINISHED_TTL, *pairs]
        return self._transition(keys=keys, args=args) == "ok"

    def history(self, callback_id: str) -> list[dict[str, str]]:
        return [json.loads(e) for e in self.redis.lrange(HISTORY_KEY.format(id=callback_id),
                                                         0, -1)]

    def active(self) -> list[Callback]:
        """Every callback not yet completed, missed or cancelled (for the reconciler)."""
        ids = sorted(self.redis.smembers(ACTIVE_KEY))
        return [c for c in (self.get(i) for i in ids) if c is not None]

    def requested_between(self, start: float, end: float) -> list[Callback]:
        """Callbacks asked for in [start, end) (epoch seconds) still on record, oldest first."""
        ids = self.redis.zrangebyscore(REQUESTED_KEY, start, f"({end}")
        return [c for c in (self.get(i) for i in ids) if c is not None]

    def pending_for(self, number: str) -> list[Callback]:
        """Active callbacks of a customer number, oldest first (they may call back in)."""
        ids = self.redis.smembers(BY_NUMBER_KEY.format(number=number))
        found = [c for c in (self.get(i) for i in ids) if c is not None]
        return sorted(found, key=lambda c: c.requested_at)

    def claim_attempt(self, callback_id: str, attempt: int, now: dt.datetime) -> bool:
        """The once-only guard of an outbound call: True for the first claimer only."""
        return bool(self.redis.set(ATTEMPT_KEY.format(id=callback_id, n=attempt),
                                   now.isoformat(timespec="seconds"), nx=True, ex=ATTEMPT_TTL))

    def record_attempt_call(self, callback_id: str, attempt: int, call_sid: str) -> None:
        """Remember which call an attempt placed (the reconciler checks it)."""
        self.redis.set(ATTEMPT_KEY.format(id=callback_id, n=attempt), call_sid, ex=ATTEMPT_TTL)

    def forget_attempt(self, callback_id: str, attempt: int) -> None:
        """Undo a claim whose call was certainly not placed (Twilio refused it)."""
        self.redis.delete(ATTEMPT_KEY.format(id=callback_id, n=attempt))

    def attempt_marker(self, callback_id: str, attempt: int) -> str | None:
        return self.redis.get(ATTEMPT_KEY.format(id=callback_id, n=attempt))

    def attach(self, callback_id: str, extra: dict[str, Any]) -> bool:
        """Add to what the agent will be told, never replacing what is there; False if
        something of the same name was there already (and `extra` was not added)."""
        callback = self.get(callback_id)
        if callback is None or set(extra) & set(callback.context):
            return False
        context = json.dumps(callback.context | extra, ensure_ascii=False)
        self.redis.hset(CALLBACK_KEY.format(id=callback_id), "context", context)
        return True

    def set_fields(self, callback_id: str, **fields: Any) -> None:
        self.redis.hset(CALLBACK_KEY.format(id=callback_id),
                        mapping={k: str(v) for k, v in fields.items()})


def _to_hash(c: Callback) -> dict[str, str]:
    plain = {k: str(v) for k, v in c.__dict__.items() if k != "context"}
    return plain | {"context": json.dumps(c.context, ensure_ascii=False)}


def _from_hash(h: dict[str, str]) -> Callback:
    ints = ("place", "attempts", "max_attempts", "spacing_s")
    fields = {k: (int(v) if k in ints else v) for k, v in h.items()
              if k in Callback.__dataclass_fields__ and k != "context"}
    return Callback(**fields, context=json.loads(h.get("context") or "{}"))
