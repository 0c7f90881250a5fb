"""The agent roster and each agent's status, kept in Redis so every process agrees.

Status is one of available, offered (a call is ringing them), busy, wrap-up and
away. Every change is timestamped in the agent's history, so handle and idle
times can be measured. Offering a call reserves the agent atomically: two
callers can never be offered the same agent at once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import redis
import yaml

from ivr_app.state.lifecycle import AGENT_EVENTS, AGENT_STATUSES

# The roster is kept until an agent is removed (no TTL): agents are people, not calls; the
# history is trimmed to HISTORY_LENGTH entries instead.
AGENTS_KEY = "ivr:agents"  # set of agent ids
AGENT_KEY = "ivr:agent:{id}"  # hash: the Agent fields, status, since, call, leg
HISTORY_KEY = "ivr:agent:{id}:history"  # list of {"status", "at", "call"} JSON, newest first
HISTORY_LENGTH = 500

STATUSES = AGENT_STATUSES
# An agent id is part of Redis keys: "bob:history" would be bob's history list.
_AGENT_ID = re.compile(r"[a-z0-9_-]{1,32}")
AGENT_ID_RULE = "an agent id is 1 to 32 of a-z, 0-9, '_' and '-' ([a-z0-9_-])"

# KEYS: agent hash; ARGV: caller sid, now (ISO). Reserve only an available agent.
_RESERVE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'available' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'offered', 'since', ARGV[2], 'call', ARGV[1])
return 1
"""

# KEYS: agent hash, history; ARGV: the call the event is about, statuses it may come from
# (comma list), new status, now (ISO), the call kept after it ("" for none), history length.
# Moves the agent only while they are in one of those statuses for that very call.
_FOLLOW = """
local status = redis.call('HGET', KEYS[1], 'status') or ''
local call = redis.call('HGET', KEYS[1], 'call') or ''
if call ~= ARGV[1] then return 0 end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'since', ARGV[4], 'call', ARGV[5])
if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 'leg') end
redis.call('LPUSH', KEYS[2], cjson.encode({status=ARGV[3], at=ARGV[4], call=ARGV[5]}))
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
return 1
"""


@dataclass
class Agent:
    """Who an agent is and what they can take; status lives beside it in Redis."""

    id: str
    name: str
    phone: str = ""  # E.164, or empty when the agent uses a Twilio Client identity
    client: str = ""  # Twilio Client identity
    languages: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    supervisor: bool = False
    status: str = "away"
    since: str = ""
    call: str = ""  # the caller they are offered or talking to
    leg: str = ""  # the call we placed to them for it (its CallSid), once placed

    def speaks(self, lang: str) -> bool:
        return lang in self.languages

    def serves(self, queue: str) -> bool:
        return queue in self.queues

    @property
    def address(self) -> str:
        """What Twilio dials to reach them: a number or client:identity."""
        return self.phone or f"client:{self.client}"


class Roster:
    """Reads and changes the roster; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection
        self._reserve = connection.register_script(_RESERVE)
        self._follow = connection.register_script(_FOLLOW)

    def all(self) -> list[Agent]:
        ids = sorted(self.redis.smembers(AGENTS_KEY))
        pipe = self.redis.pipeline(transaction=False)
        for agent_id in ids:
            pipe.hgetall(AGENT_KEY.format(id=agent_id))
        return [_from_hash(h) for h in pipe.execute() if h]

    def get(self, agent_id: str) -> Agent | None:
        raw = self.redis.hgetall(AGENT_KEY.format(id=agent_id))
        return _from_hash(raw) if raw else None

    def save(self, agent: Agent) -> None:
        """Add or edit an agent's details; their status is left as it is."""
        key = AGENT_KEY.format(id=agent.id)
        details = {k: v for k, v in _to_hash(agent).items()
                   if k not in ("status", "since", "call")}
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping=details)
        pipe.hsetnx(key, "status", "away")
        pipe.hsetnx(key, "since", "")
        pipe.sadd(AGENTS_KEY, agent.id)
        pipe.execute()

    def remove(self, agent_id: str) -> None:
        pipe = self.redis.pipeline()
        pipe.srem(AGENTS_KEY, agent_id)
        pipe.delete(AGENT_KEY.format(id=agent_id), HISTORY_KEY.format(id=agent_id))
        pipe.execute()

    def set_status(self, agent_id: str, status: str, now: dt.datetime, call: str = "") -> None:
        """Record a status change with its time (and the call it concerns)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        at = now.isoformat(timespec="seconds")
        pipe = self.redis.pipeline()
        pipe.hset(AGENT_KEY.format(id=agent_id), mapping={"status": status, "since": at,
                                                          "call": call})
        pipe.lpush(HISTORY_KEY.format(id=agent_id),
                   json.dumps({"status": status, "at": at, "call": call}))
        pipe.ltrim(HISTORY_KEY.format(id=agent_id), 0, HISTORY_LENGTH - 1)
        pipe.execute()

    def reserve(self, agent_id: str, caller_sid: str, now: dt.datetime) -> bool:
        """Offer a caller to an agent if they are still available; False if someone was faster."""
        at = now.isoformat(timespec="seconds")
        if not self._reserve(keys=[AGENT_KEY.format(id=agent_id)], args=[caller_sid, at]):
            return False
        pipe = self.redis.pipeline()
        pipe.lpush(HISTORY_KEY.format(id=agent_id),
                   json.dumps({"status": "offered", "at": at, "call": caller_sid}))
        pipe.ltrim(HISTORY_KEY.format(id=agent_id), 0, HISTORY_LENGTH - 1)
        pipe.execute()
        return True

    def follow(self, agent_id: str, call: str, event: str, now: dt.datetime) -> bool:
        """Move the agent as `event` about `call` says (state/lifecycle.py AGENT_EVENTS),
        only while that call is theirs and they are where the event may come from; False
        for a late event (they moved on), which changes nothing."""
        sources, status = AGENT_EVENTS[event]
        keep = call if status in ("offered", "busy") else ""
        at = now.isoformat(timespec="seconds")
        return bool(self._follow(
            keys=[AGENT_KEY.format(id=agent_id), HISTORY_KEY.format(id=agent_id)],
            args=[call, ",".join(sources), status, at, keep, HISTORY_LENGTH]))

    def set_leg(self, agent_id: str, leg_sid: str) -> None:
        """Remember the call placed to the agent, so the console can move it when they accept."""
        self.redis.hset(AGENT_KEY.format(id=agent_id), "leg", leg_sid)

    def history(self, agent_id: str) -> list[dict[str, str]]:
        return [json.loads(e) for e in self.redis.lrange(HISTORY_KEY.format(id=agent_id), 0, -1)]

    def seed(self, path: str | Path) -> int:
        """Add the agents of a YAML roster file that are not in Redis yet; returns how many."""
        known = self.redis.smembers(AGENTS_KEY)
        added = 0
        for agent in read_roster(path):
            if agent.id not in known:
                self.save(agent)
                self.redis.hset(AGENT_KEY.format(id=agent.id), "status", agent.status)
                added += 1
        return added


def read_roster(path: str | Path) -> list[Agent]:
    """The agents of a YAML roster file (a list of entries); ValueError says what is wrong."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: a roster is a list of agents")
    return [parse_agent(entry) for entry in entries]


def is_agent_id(text: str) -> bool:
    return bool(_AGENT_ID.fullmatch(text))


def _check_phone(agent_id: str, phone: str) -> None:
    """An agent's phone is a valid number written in E.164, as Twilio dials it."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number) or phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164) != phone:
        raise ValueError(f"agent {agent_id!r}: phone {phone!r} is not a valid number in "
                         "E.164, like +5215512345678")


def parse_agent(entry: dict[str, Any]) -> Agent:
    """An Agent from a roster entry or an API body; ValueError says what is wrong."""
    if not isinstance(entry, dict):
        raise ValueError("an agent must be a mapping")
    allowed = {"id", "name", "phone", "client", "languages", "queues", "supervisor", "status"}
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}; expected "
                         f"{', '.join(sorted(allowed))}")
    for name in ("id", "name"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ValueError(f"agent needs a {name!r}")
    if not is_agent_id(entry["id"]):
        raise ValueError(f"{entry['id'][:40]!r}: {AGENT_ID_RULE}")
    if not (entry.get("phone") or entry.get("client")):
        raise ValueError(f"agent {entry['id']!r} needs a 'phone' or a 'client' identity")
    if entry.get("phone"):
        _check_phone(entry["id"], str(entry["phone"]))
    if entry.get("status", "away") not in STATUSES:
        raise ValueError(f"unknown status {entry['status']!r}")
    lists = {k: entry.get(k) or [] for k in ("languages", "queues")}
    for name, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"agent {entry['id']!r}: {name!r} must be a list of text")
    return Agent(id=entry["id"], name=entry["name"], phone=str(entry.get("phone") or ""),
                 client=str(entry.get("client") or ""), supervisor=bool(entry.get("supervisor")),
                 status=entry.get("status", "away"), **lists)


def public(agent: Agent) -> dict[str, Any]:
    return asdict(agent)


def _to_hash(agent: Agent) -> dict[str, str]:
    return {"id": agent.id, "name": agent.name, "phone": agent.phone, "client": agent.client,
            "languages": ",".join(agent.languages), "queues": ",".join(agent.queues),
            "supervisor": "1" if agent.supervisor else "0", "status": agent.status,
            "since": agent.since, "call": agent.call}


def _from_hash(h: dict[str, str]) -> Agent:
    return Agent(id=h["id"], name=h.get("name", ""), phone=h.get("phone", ""),
                 client=h.get("client", ""),
                 languages=[x for x in h.get("languages", "").split(",") if x],
                 queues=[x for x in h.get("queues", "").split(",") if x],
                 supervisor=h.get("supervisor") == "1", status=h.get("status", "away"),
                 since=h.get("since", ""), call=h.get("call", ""), leg=h.get("leg", ""))
