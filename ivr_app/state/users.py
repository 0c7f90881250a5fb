"""Who may use the console: a name, a role and a password hash, kept in Redis.

Like the roster, users are kept until removed (no TTL): they are people, not calls.
Passwords are stored only as werkzeug hashes (scrypt). An agent user answers as the
roster agent of the same id unless told otherwise. Each user has a session generation that
every console session names: setting a password or ending the user's sessions makes a new
one, so a copied cookie stops working on the server, not only in the browser that signed out.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass

import redis
from werkzeug.security import check_password_hash, generate_password_hash

USERS_KEY = "ivr:users"  # set of user names
USER_KEY = "ivr:user:{name}"  # hash: name, role, password (hash), agent, sessions
FAILURES_KEY = "ivr:login:failures:{name}"  # wrong passwords given for a name, this hour
FAILURES_TTL = 3600
SECRET_KEY = "ivr:console:secret"  # the session-signing key when SECRET_KEY is not set
ROLES = ("agent", "supervisor")
MIN_PASSWORD = 8
# a user removed meanwhile stays removed (no hash of a generation alone)
_END_SESSIONS = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'sessions', ARGV[1]) end
"""
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
# werkzeug's scrypt at its own cost (about 0.1 s of CPU a hash, each check as much, as meant).
# The tests lower the cost (tests/conftest.py): a hash names its cost, and a check follows it.
PASSWORD_HASH = "scrypt"


@dataclass(frozen=True)
class User:
    name: str
    role: str
    agent: str  # the roster agent they answer calls as
    sessions: str = ""  # the generation every live session of theirs names

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


class Users:
    """Console users; takes its Redis connection (decode_responses=True)."""

    def __init__(self, connection: redis.Redis):
        self.redis = connection

    def add(self, name: str, role: str, password: str, agent: str = "") -> bool:
        """Create or replace a user; True if new. ValueError says what is wrong."""
        if not _NAME.match(name):
            raise ValueError(f"user name {name!r}: use 1-40 lower-case letters, digits, "
                             "'.', '_' or '-', starting with a letter or digit")
        if role not in ROLES:
            raise ValueError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
        fields = {"name": name, "role": role, "agent": agent or name, "sessions": _generation(),
                  "password": generate_password_hash(password, PASSWORD_HASH)}
        pipe = self.redis.pipeline()
        pipe.hset(USER_KEY.format(name=name), mapping=fields)
        pipe.sadd(USERS_KEY, name)
        return bool(pipe.execute()[-1])

    def get(self, name: str) -> User | None:
        raw = self.redis.hgetall(USER_KEY.format(name=name))
        if not raw:
            return None
        return User(raw["name"], raw["role"], raw.get("agent") or raw["name"],
                    raw.get("sessions", ""))

    def check(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; None otherwise, in about the same time."""
        stored = self.redis.hget(USER_KEY.format(name=name), "password")
        against = stored or _dummy_hash(PASSWORD_HASH)
        if not check_password_hash(against, password) or stored is None:
            return None
        return self.get(name)

    def end_sessions(self, name: str) -> None:
        """Every session of the user ends: those that name the old generation are refused."""
        self.redis.eval(_END_SESSIONS, 1, USER_KEY.format(name=name), _generation())

    def failed(self, name: str) -> int:
        """Count a wrong password given for `name` (known or not); the count this hour."""
        pipe = self.redis.pipeline()
        pipe.incr(FAILURES_KEY.format(name=name))
        pipe.expire(FAILURES_KEY.format(name=name), FAILURES_TTL, nx=True)
        return int(pipe.execute()[0])

    def failures(self, name: str) -> int:
        """Wrong passwords given for `name` this hour, from every address."""
        return int(self.redis.get(FAILURES_KEY.format(name=name)) or 0)

    def remove(self, name: str) -> bool:
        pipe = self.redis.pipeline()
        pipe.delete(USER_KEY.format(name=name))
        pipe.srem(USERS_KEY, name)
        return bool(pipe.execute()[-1])

    def all(self) -> list[User]:
        found = (self.get(name) for name in sorted(self.redis.smembers(USERS_KEY)))
        return [user for user in found if user is not None]

    def session_secret(self) -> str:
        """One signing key for every web process, made on first use and kept."""
        self.redis.set(SECRET_KEY, secrets.token_hex(32), nx=True)
        return self.redis.get(SECRET_KEY)


def _generation() -> str:
    return secrets.token_hex(8)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the name is unknown, so that a wrong name costs as long as a
    wrong password."""
    return generate_password_hash(secrets.token_hex(8), method)


_dummy_hash(PASSWORD_HASH)  # made now: a first unknown name costs no more than the next
