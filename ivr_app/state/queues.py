"""Callers waiting for a person, in order, per queue.

Twilio holds the audio (<Enqueue>); this keeps our own record of who waits,
since when, in which language and why, so positions, wait estimates and agent
offers are computed from one place. Each waiter also remembers which agents
were already offered the call and did not take it, so they are not rung again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import redis

from ivr_app.state.calls import CALL_KEY
from ivr_app.state.lifecycle import FINAL_RANK

WAITING_KEY = "ivr:queue:{queue}:waiting"  # zset: caller sid -> arrival number
ARRIVALS_KEY = "ivr:queue:arrivals"  # counter: orders callers who arrive in the same ms
WAITER_KEY = "ivr:waiter:{sid}"  # hash: the Waiter fields
WAITER_TTL = 24 * 3600
ENDED_TTL = 15 * 60  # a finished call's record: the agent's leg may still ask for its queue
MOVE_TRIES = 5

# KEYS: waiter hash; ARGV: expected offer, new offer, language fallback flag.
_SWAP_OFFER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'offered') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'offered', ARGV[2])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'language_fallback', ARGV[3]) end
return 1
"""

# KEYS: waiting zset, arrivals counter, waiter hash, the line the caller is in now (the
# first key when none), the call's record; ARGV: sid, ttl, place ("" for a new arrival),
# arrival in ms, that line's queue as read before ("" for none), the final status rank
# (state/lifecycle.py), then field/value pairs. A call Twilio reported over is lined up for
# nobody, and a repeated join (a Twilio retry) changes nothing: both answer 0; a caller
# moved meanwhile answers -1, to be read again. A
# place is the arrival time in ms and 3 digits of a counter, built as a string (Lua would
# print so large a number in floating point).
_JOIN = """
if tonumber(redis.call('HGET', KEYS[5], 'status_rank') or '-1') >= tonumber(ARGV[6]) then
  return 0
end
if (redis.call('HGET', KEYS[3], 'queue') or '') ~= ARGV[5] then return -1 end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local place = ARGV[3]
if place == '' then
  place = ARGV[4] .. string.format('%03d', redis.call('INCR', KEYS[2]) % 1000)
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[1], place, ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], 'place', place, unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
"""

# KEYS: waiter hash, the line it is in now, the line to put it back in; ARGV: sid, ttl,
# "1" to take its old place again, then the record's field/value pairs ("" for none).
_PUT_BACK = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
if #ARGV < 4 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[1], 'place'), ARGV[1])
end
return 1
"""


@dataclass(frozen=True)
class Waiter:
    sid: str
    queue: str
    lang: str
    reason: str
    entered: float
    offered: str = ""  # agent id currently being offered this caller
    passed: tuple[str, ...] = ()  # agents who did not take the call
    announced: float = 0.0  # when the position was last announced
    leaving_for: str = ""  # queue the caller asked to move to (e.g. the supervisors)
    language_fallback: bool = False  # offered to an agent who does not speak their language
    room: str = ""  # the conference an agent took them into
    place: int = 0  # arrival in ms, then 3 digits of a counter: the order of the line
    prefer: str = ""  # the agent to offer first (who took this caller's earlier call)
    test: bool = False  # a test call (TEST_CALLERS, simulate): kept out of the statistics


@dataclass(frozen=True)
class Snapshot:
    """A caller's record and place as they were before a move, to put back if it fails."""

    sid: str
    record: dict[str, str]
    in_line: bool


class Queues:
    """Joins, leaves and positions; takes a Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection
        self._join = connection.register_script(_JOIN)
        self._put_back = connection.register_script(_PUT_BACK)
        self._swap_offer = connection.register_script(_SWAP_OFFER)

    def join(self, sid: str, queue: str, lang: str, reason: str, now: dt.datetime,
             place: int | None = None, prefer: str = "", test: bool = False) -> bool:
        """Put a caller (or a callback) in line; False if already in it (a Twilio retry), or
        if Twilio reported the call over.

        A caller in another line leaves it in the same step (a move: never in two lines).
        `place` puts a callback back where its caller stood; new arrivals go last. A `test`
        call waits like any other but is left out of the wait statistics.
        """
        fields = {"queue": queue, "lang": lang, "reason": reason, "entered": now.timestamp(),
                  "prefer": prefer, "test": "1" if test else ""}
        pairs = [item for pair in fields.items() for item in pair]
        waiter_key = WAITER_KEY.format(sid=sid)
        for _ in range(MOVE_TRIES):
            old = self.redis.hget(waiter_key, "queue") or ""
            keys = [WAITING_KEY.format(queue=queue), ARRIVALS_KEY, waiter_key,
                    WAITING_KEY.format(queue=old or queue), CALL_KEY.format(sid=sid)]
            args = [sid, WAITER_TTL, "" if place is None else place, _ms(now), old,
                    FINAL_RANK, *pairs]
            joined = self._join(keys=keys, args=args)
            if joined >= 0:
                return bool(joined)
        raise RuntimeError(f"{sid} kept moving between lines; not lined up in {queue}")

    def snapshot(self, sid: str) -> Snapshot:
        """The caller's record and whether they hold a place, before a move."""
        record = self.redis.hgetall(WAITER_KEY.format(sid=sid))
        queue = record.get("queue", "")
        in_line = bool(queue) and self.position(queue, sid) is not None
        return Snapshot(sid, record, in_line)

    def put_back(self, before: Snapshot) -> None:
        """Undo a move: out of the new line, the old record, and the old place if they had one."""
        key = WAITER_KEY.format(sid=before.sid)
        now_in = self.redis.hget(key, "queue") or ""
        old = before.record.get("queue", "")
        pairs = [item for pair in before.record.items() for item in pair]
        self._put_back(keys=[key, WAITING_KEY.format(queue=now_in),
                             WAITING_KEY.format(queue=old)],
                       args=[before.sid, WAITER_TTL, "1" if before.in_line else "", *pairs])

    @staticmethod
    def place_at(arrived: dt.datetime) -> int:
        """The place of a caller who arrived at `arrived` (one our line learns of late)."""
        return _ms(arrived) * 1000

    def waiter(self, sid: str) -> Waiter | None:
        raw = self.redis.hgetall(WAITER_KEY.format(sid=sid))
        if not raw:
            return None
        return Waiter(sid=sid, queue=raw["queue"], lang=raw["lang"], reason=raw["reason"],
                      entered=float(raw["entered"]), offered=raw.get("offered", ""),
                      passed=tuple(p for p in raw.get("passed", "").split(",") if p),
                      announced=float(raw.get("announced") or 0),
                      leaving_for=raw.get("leaving_for", ""),
                      language_fallback=raw.get("language_fallback") == "1",
                      room=raw.get("room", ""), place=int(raw.get("place") or 0),
                      prefer=raw.get("prefer", ""), test=raw.get("test") == "1")

    def position(self, queue: str, sid: str) -> int | None:
        """1-based place in line, or None once the caller has left it."""
        rank = self.redis.zrank(WAITING_KEY.format(queue=queue), sid)
        return None if rank is None else rank + 1

    def head(self, queue: str, count: int) -> list[str]:
        """The first `count` callers of a line: what a request may read, however long it is."""
        return self.redis.zrange(WAITING_KEY.format(queue=queue), 0, count - 1) if count > 0 \
            else []

    def length(self, queue: str) -> int:
        return self.redis.zcard(WAITING_KEY.format(queue=queue))

    def in_order(self, queue: str, page: int = 100) -> Iterator[str]:
        """The line from its head, read a page at a time, for a reader that may stop early;
        a caller who leaves meanwhile moves nobody past the reader (pages go by place)."""
        key, at, seen = WAITING_KEY.format(queue=queue), "-inf", set()
        while True:
            found = self.redis.zrangebyscore(key, at, "+inf", start=0, num=page + len(seen),
                                             withscores=True)
            fresh = [(sid, place) for sid, place in found if sid not in seen]
            yield from (sid for sid, _ in fresh)
            if len(found) < page + len(seen) or not fresh:
                return
            at = fresh[-1][1]  # from the last place read, again: places may be shared
            seen = {sid for sid, place in found if place == at}

    def leave(self, sid: str) -> Waiter | None:
        """Take a caller out of line (moved or gone); their record, or None if not in line."""
        found = self.waiter(sid)
        if found is None or not self.redis.zrem(WAITING_KEY.format(queue=found.queue), sid):
            return None
        return found

    def end(self, sid: str) -> Waiter | None:
        """The call is over: out of line, and its record kept only ENDED_TTL more (the
        agent's leg may still ask its queue). The record if they were still in line."""
        gone = self.leave(sid)
        self.redis.expire(WAITER_KEY.format(sid=sid), ENDED_TTL)
        return gone

    def claim(self, sid: str, room: str) -> Waiter | None:
        """Take a caller out of line for an agent; None if another agent (or a hang-up) won."""
        found = self.waiter(sid)
        if found is None or not self.redis.zrem(WAITING_KEY.format(queue=found.queue), sid):
            return None
        self.redis.hset(WAITER_KEY.format(sid=sid), "room", room)
        return found

    def mark_announced(self, sid: str, now: dt.datetime) -> None:
        self.redis.hset(WAITER_KEY.format(sid=sid), "announced", now.timestamp())

    def mark_leaving(self, sid: str, queue: str) -> None:
        self.redis.hset(WAITER_KEY.format(sid=sid), "leaving_for", queue)

    def offer(self, sid: str, agent_id: str, language_fallback: bool) -> bool:
        """Mark a caller as offered to an agent; False if another worker offered them first."""
        fallback = "1" if language_fallback else ""
        keys = [WAITER_KEY.format(sid=sid)]
        return bool(self._swap_offer(keys=keys, args=["", agent_id, fallback]))

    def clear_offer(self, sid: str, agent_id: str) -> None:
        """Forget this agent's offer, which failed through nobody's fault (they may be
        offered again); an offer another worker made meanwhile is left alone."""
        self._swap_offer(keys=[WAITER_KEY.format(sid=sid)], args=[agent_id, "", ""])

    def offer_failed(self, sid: str, agent_id: str) -> None:
        """The agent did not take the call: forget the offer and do not ring them again."""
        waiter = self.waiter(sid)
        if waiter is None:
            return
        passed = ",".join(dict.fromkeys((*waiter.passed, agent_id)))
        self.redis.hset(WAITER_KEY.format(sid=sid), mapping={"offered": "", "passed": passed})


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)
