"""Call state in Redis, keyed by CallSid, so any web process can answer any step.

Each TwiML document we send carries a step number. A step is applied once: the
new state and the TwiML answer are written together only if the call is still
at that step, and a repeated request for a step (Twilio retries) gets the very
same answer back. That keeps retries from counting twice or skipping a node.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import redis
from redis.commands.core import Script

from ivr_app.state.lifecycle import ENDED, FINAL_RANK, call_rank
from ivr_app.state.recent import recent_steps

log = logging.getLogger(__name__)

CALL_KEY = "ivr:call:{sid}"  # hash: seq, data (JSON), asked (when seq was set), status fields,
# the agent who took the call and the wait before them
NOTES_KEY = "ivr:call:{sid}:notes"  # list of notes agents added, oldest first
ANSWER_KEY = "ivr:call:{sid}:answer:{seq}"  # the TwiML sent in reply to step `seq`
FLOW_SOURCE_KEY = "ivr:flow:{name}:{version}"  # text of a flow version calls are using
STREAM_KEY = "ivr:call:{sid}:stream"  # the sid of the call's live media stream, while it lives
CALL_TTL = 6 * 3600


def _encode(state: dict[str, Any]) -> str:
    """A state as compact JSON (UTF-8 as is): orjson, a tenth of the json module's time."""
    return orjson.dumps(state).decode()


_decode = orjson.loads


# Stores step ARGV[1]'s outcome: the new step number ARGV[2], the state ARGV[3] and the
# answer ARGV[4], for ARGV[5] seconds. The step's time (Redis's clock, Unix seconds) goes to
# `asked`: a live stream tells from it whether the question's prompt is still playing; and
# with the step number it names this commit alone (what a cached state is checked by).
_STORE = """
  local now = redis.call('TIME')
  local asked = now[1] .. '.' .. string.format('%06d', tonumber(now[2]))
  redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'data', ARGV[3], 'asked', asked)
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
"""

# A call's first step. KEYS: call, answer[, flow source]; ARGV in _TAKE's order: "" (no step
# before it), new seq (0), data, answer, ttl; stored only if the call has no state yet.
# Returns {1 if this request took the step else 0, whether the flow source is kept (its TTL
# renewed here, so a new call need not send the flow's text again), the step's time if taken
# here, the answer that stands} (the answer last: a nil one ends the reply).
_COMMIT = """
local kept = 1
if KEYS[3] then kept = redis.call('EXPIRE', KEYS[3], ARGV[5]) end
local current = redis.call('HGET', KEYS[1], 'seq')
if current == false then
""" + _STORE + """
  return {1, kept, asked, ARGV[4]}
end
return {0, kept, '', redis.call('GET', KEYS[2])}
"""

# A step in one round trip. KEYS: call, answer to step ARGV[1], the call's stream mark;
# ARGV: seq, then (to commit what was decided from state known beforehand) new seq, data,
# answer, ttl, and '1' or '0': whether that decision took a stream as live ('' for each of
# these five: a read); the rank of a final status (state/lifecycle.py); last, the time of
# the step the state decided from was taken at ('' for a read). {3} if the call is over
# (nothing is decided for it). Commits only if the call is still at that step, taken at that
# time (a state lost by a failover and taken again is another), with its stream as assumed:
# {1, the step's time}. Else {0, the answer that stands} if the step was taken, or {2,
# stream live, the call's seq, data and step time} to decide from.
_TAKE = """
local current = redis.call('HMGET', KEYS[1], 'seq', 'data', 'status_rank', 'asked')
if tonumber(current[3] or '-1') >= tonumber(ARGV[7]) then return {3} end
local streaming = redis.call('EXISTS', KEYS[3])
if ARGV[2] ~= '' and current[1] == ARGV[1] and current[4] == ARGV[8]
    and tonumber(ARGV[6]) == streaming then
""" + _STORE + """
  return {1, asked}
end
local standing = redis.call('GET', KEYS[2])
if standing then return {0, standing} end
return {2, streaming, current[1], current[2], current[4]}
"""


# KEYS: stream; ARGV: stream sid. Ends the stream's mark only if it is still this stream's.
# KEYS: the call's stream mark; ARGV: stream sid, ttl. Takes the mark or renews our own; 0 if
# another stream of the call holds it.
_STREAM_LIVE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""

_STREAM_ENDED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: call; ARGV: the status's rank (state/lifecycle.py), its SequenceNumber ("" when
# Twilio sent none), the final rank, ttl, then status_* field/value pairs. A status is kept
# only if it moves the call on: never after a final one, nor behind a later sequence number
# or a status further along. Returns 1 if kept.
_STATUS = """
local kept = tonumber(redis.call('HGET', KEYS[1], 'status_rank') or '-1')
local rank = tonumber(ARGV[1])
if kept >= tonumber(ARGV[3]) or rank < kept then return 0 end
local seq = redis.call('HGET', KEYS[1], 'status_seq')
if ARGV[2] ~= '' and seq and seq ~= '' and tonumber(ARGV[2]) <= tonumber(seq) then return 0 end
redis.call('HSET', KEYS[1], 'status_rank', ARGV[1], 'status_seq', ARGV[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


class UnknownStep(LookupError):
    """A step this call never had, or one from before its state expired: logged in one line."""


@dataclass(frozen=True)
class Step:
    """Where a call is: its step number and state, when that step was taken (Unix seconds),
    whether a media stream of it is live, and whether it ended."""

    seq: int | None
    state: dict[str, Any] | None
    asked: float
    streaming: bool
    ended: bool

    @property
    def open(self) -> bool:
        """Whether the call is known and still at a question (no outcome, not hung up)."""
        return self.state is not None and not self.state.get("outcome") and not self.ended


@dataclass(frozen=True)
class Committed:
    """What a step's commit found: whether this request took the step, and the answer
    that stands for it (None if the call moved on and that answer expired, or ended)."""

    won: bool
    answer: str | None
    ended: bool = False  # the call was over before the step came: nothing was decided


class CallStore:
    """Reads and writes call state; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis, ttl: int = CALL_TTL, wait_replicas: int = 0,
                 wait_ms: int = 0):
        """With `wait_replicas`, each commit also waits (WAIT, in the same round trip) until
        that many replicas have it, or `wait_ms` pass: a step a caller has heard then
        survives the master's death (docs/capacity.md weighs the cost)."""
        self.redis = connection
        self.ttl = ttl
        self.wait = (wait_replicas, wait_ms) if wait_replicas > 0 else None
        self._warned = float("-inf")
        self._commit = connection.register_script(_COMMIT)
        self._take = connection.register_script(_TAKE)
        self.recent = recent_steps()
        self._stream_live = connection.register_script(_STREAM_LIVE)
        self._stream_ended = connection.register_script(_STREAM_ENDED)
        self._status = connection.register_script(_STATUS)

    def load(self, sid: str) -> tuple[int | None, dict[str, Any] | None]:
        """The call's current step number and state, or (None, None) if unknown."""
        seq, data = self.redis.hmget(CALL_KEY.format(sid=sid), "seq", "data")
        if seq is None or data is None:
            return None, None
        return int(seq), _decode(data)

    def step(self, sid: str) -> Step:
        """The call's step with its time, stream and end, in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(CALL_KEY.format(sid=sid), "seq", "data", "asked", "status_call")
        pipe.exists(STREAM_KEY.format(sid=sid))
        (seq, data, asked, status), streaming = pipe.execute()
        known = seq is not None and data is not None
        return Step(int(seq) if known else None, _decode(data) if known else None,
                    float(asked or 0), bool(streaming), status in ENDED)

    def take(self, sid: str, seq: int,
             decide: Callable[[dict[str, Any], bool], tuple[dict[str, Any], str]]) -> Committed:
        """Take step `seq` of the call once: `decide` turns the call's state at that step
        (and whether a media stream of it is live) into its next state and answer, stored
        together unless another request took the step first.

        One round trip when this process took the call's step before (it knows the state):
        the script commits only if the call is still where it was left, else hands back the
        state to decide from again. A step already taken (a Twilio retry, an answer arriving
        second) or a call already put through gets the answer that stands, without deciding
        again; UnknownStep if there is none. A step after the call ended decides nothing
        (`ended`).
        """
        keys = [CALL_KEY.format(sid=sid), ANSWER_KEY.format(sid=sid, seq=seq),
                STREAM_KEY.format(sid=sid)]
        known = self.recent.get(sid, seq)
        read = [seq, "", "", "", "", "", FINAL_RANK, ""]
        for _ in range(3):  # the cached state, then fresh state (again if a stream began)
            if known is None:
                found = self._run(self._take, keys, read)
            else:
                data, streaming, asked = known
                state = _decode(data)
                if state.get("outcome"):  # put through: it has no next step to take
                    found = self._run(self._take, keys, read)
                else:
                    state, answer = decide(state, streaming)
                    data = _encode(state)
                    found = self._run(self._take, keys, [seq, seq + 1, data, answer, self.ttl,
                                                         int(streaming), FINAL_RANK, asked])
                    if found[0] == 1:
                        self.recent.put(sid, seq + 1, data, streaming, found[1])
                        return Committed(True, answer)
            if found[0] == 3:
                return Committed(False, None, ended=True)
            if found[0] == 0:
                return Committed(False, found[1])
            streaming, at, data, asked = bool(found[1]), found[2], found[3], found[4] or ""
            if at != str(seq) or data is None or _decode(data).get("outcome"):
                raise UnknownStep(f"no step {seq} for this call (now at {at})")
            known = (data, streaming, asked)
        raise UnknownStep(f"step {seq} of this call: its stream kept starting and ending")

    def asked(self, sid: str) -> str | None:
        """The TwiML the call was last sent: the question it is at now, if any."""
        current, _ = self.load(sid)
        return self.answer(sid, current - 1 if current else None)

    def stream_live(self, sid: str, stream: str, ttl: int) -> bool:
        """A media stream of the call is live for `ttl` seconds more (renewed while it is);
        False, and nothing changed, while another stream of the call is live: one per call."""
        return bool(self._stream_live(keys=[STREAM_KEY.format(sid=sid)], args=[stream, ttl]))

    def stream_ended(self, sid: str, stream: str) -> None:
        """The stream is gone: later questions take spoken answers by recording again."""
        self._stream_ended(keys=[STREAM_KEY.format(sid=sid)], args=[stream])

    def commit(self, sid: str, state: dict[str, Any], answer: str,
               flow_source: tuple[str, str, str] | None = None) -> Committed:
        """Store a call's first state and answer unless another request already did.

        Only the request that won may act on its turn (put the caller in line); a loser
        answers with what stands. With `flow_source` (name, version, text) the flow text is
        kept too, so another process can finish this call on that version. Later steps go
        through `take`.
        """
        keys = [CALL_KEY.format(sid=sid), ANSWER_KEY.format(sid=sid, seq="start")]
        if flow_source is not None:
            name, version, _ = flow_source
            keys.append(FLOW_SOURCE_KEY.format(name=name, version=version))
        args = ["", "0", _encode(state), answer, self.ttl]
        won, kept, asked, *standing = self._run(self._commit, keys, args)
        if flow_source is not None and not kept:  # the version's first call, or Redis lost it
            self.redis.set(keys[2], flow_source[2], ex=self.ttl)
        if won == 1:
            self.recent.put(sid, 0, args[2], False, asked)  # its stream starts later
        return Committed(won == 1, standing[0] if standing else None)

    def _run(self, script: Script, keys: list[str], args: list[Any]) -> list[Any]:
        """The script, and with `wait_replicas` the WAIT for its writes, in one round trip."""
        if self.wait is None:
            return script(keys=keys, args=args, client=self.redis)
        pipe = self.redis.pipeline(transaction=False)
        pipe.evalsha(script.sha, len(keys), *keys, *args)
        pipe.execute_command("WAIT", *self.wait)
        try:
            result, replicas = pipe.execute()
        except redis.exceptions.NoScriptError:  # a restarted or new master: load it once
            return script(keys=keys, args=args, client=self.redis)
        if replicas < self.wait[0] and time.monotonic() - self._warned > 60:
            self._warned = time.monotonic()  # at most once a minute: a replica is down
            log.warning("a step reached %d of %d replicas within %d ms", replicas, *self.wait)
        return result

    def answer(self, sid: str, seq: int | None) -> str | None:
        """The answer already given to step `seq`, if it is still kept."""
        step = "start" if seq is None else str(seq)
        return self.redis.get(ANSWER_KEY.format(sid=sid, seq=step))

    def record_status(self, sid: str, fields: dict[str, str], sequence: str = "") -> bool:
        """Keep the call's status (Twilio's status callback) beside its state, if it moves
        the call on (state/lifecycle.py); False for a late or repeated one, which changes
        nothing."""
        pairs = [x for k, v in fields.items() for x in (f"status_{k}", v)]
        rank = call_rank(fields.get("call", ""))
        return bool(self._status(keys=[CALL_KEY.format(sid=sid)],
                                 args=[rank, sequence, FINAL_RANK, self.ttl, *pairs]))

    def status(self, sid: str) -> dict[str, str]:
        raw = self.redis.hgetall(CALL_KEY.format(sid=sid))
        return {k[7:]: v for k, v in raw.items()
                if k.startswith("status_") and k not in ("status_rank", "status_seq")}

    def set_handled_by(self, sid: str, agent_id: str, waited_s: float) -> None:
        """The agent who took the call (a caller calling again is offered to them first),
        and how long the caller had waited in line for them: a caller can line up again
        after their agent (the survey's 0 or "no", an escalation), and the line keeps only
        the newest entry."""
        self.redis.hset(CALL_KEY.format(sid=sid), mapping={"agent": agent_id,
                                                           "waited": waited_s})

    def handled_by(self, sid: str) -> str:
        return self.redis.hget(CALL_KEY.format(sid=sid), "agent") or ""

    def waited_for_agent(self, sid: str) -> float | None:
        """Seconds the caller waited in line for the agent who took them last, if one did."""
        waited = self.redis.hget(CALL_KEY.format(sid=sid), "waited")
        return float(waited) if waited else None

    def add_note(self, sid: str, note: str) -> None:
        """Keep an agent's note with the call, so the next person reads it too."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(NOTES_KEY.format(sid=sid), note)
        pipe.expire(NOTES_KEY.format(sid=sid), self.ttl)
        pipe.execute()

    def notes(self, sid: str) -> list[str]:
        return self.redis.lrange(NOTES_KEY.format(sid=sid), 0, -1)
