"""Shared fixtures: a Redis server that answers, and a clean database per test."""

from __future__ import annotations

import atexit
import datetime as dt
import fcntl
import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import redis as redis_py
from flask import Flask

from ivr_app import create_app
from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.flow.model import Flow
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from ivr_app.platform.redis_server import answers, ensure_redis, stop_redis
from ivr_app.state import users
from ivr_app.state.calls import CallStore

# The quick tests that take one core module alone run first, so that a failure in the
# core shows in seconds (mutation testing stops at each mutant's first failing test).
CORE_ALONE = ("test_answers.py", "test_engine.py", "test_routing.py", "test_callback_records.py")
# Under mutmut, which names its run in MUTANT_UNDER_TEST: each test's whole time (fixtures
# included, which mutmut's own figure leaves out) is kept from its statistics run, and every
# mutant then meets its quickest tests first (mutmut hands them over in no set order), so a
# mutant its quickest test kills costs about that test. In mutants/, its working folder.
TEST_TIMES = Path("test-times.json")
_timed: dict[str, float] = {}  # this statistics run's
_recorded: dict[str, float] = {}  # TEST_TIMES as read, with this run's added

REDIS_SERVER_URL = "redis://127.0.0.1:6379/0"
_HELD: dict[int, tuple[str, IO[str]]] = {}  # by process: the database it took, and its lock


def own_redis_url() -> str:
    """A database of its own, flushed around each test. IVR_TEST_REDIS_DB separates parallel
    runs: a number, or a range ("8-11") from which each test process takes one that no
    other holds (a lock file, let go when the process ends), so that the children of a
    mutation run never flush each other's data."""
    wanted = os.environ.get("IVR_TEST_REDIS_DB", "13")
    first, _, last = wanted.partition("-")
    if not last:
        return f"redis://127.0.0.1:6379/{wanted}"
    if os.getpid() not in _HELD:  # a forked process takes its own, whatever its parent held
        for number in range(int(first), int(last) + 1):
            lock = open(Path(tempfile.gettempdir()) / f"ivr-test-redis-db-{number}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            _HELD[os.getpid()] = (str(number), lock)
            atexit.register(lock.close)
            break
        else:
            raise RuntimeError(f"every test database of IVR_TEST_REDIS_DB={wanted} is taken")
    return f"redis://127.0.0.1:6379/{_HELD[os.getpid()][0]}"


# Folders whose every test is of one kind: the fast loop leaves them out (docs/testing.md).
FOLDER_MARKS = {"browser": pytest.mark.browser, "speech": pytest.mark.speech}


def pytest_configure() -> None:
    # scrypt at a 32nd of its cost (n=2**10, not 2**15): hundreds of users are added and
    # signed in, at 0.1 s of CPU a hash otherwise. Stored hashes still say scrypt, and a
    # check still follows the cost its hash names (the line's own processes keep theirs).
    users.PASSWORD_HASH = "scrypt:1024:8:1"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        mark = FOLDER_MARKS.get(item.path.parent.name)
        if mark is not None and item.path.parent.parent == Path(__file__).parent:
            item.add_marker(mark)
    items.sort(key=lambda item: item.path.name not in CORE_ALONE)  # stable: order kept
    if os.environ.get("MUTANT_UNDER_TEST", "stats") != "stats":
        times = _recorded_times()
        items.sort(key=lambda item: times.get(item.nodeid, math.inf))


def _recorded_times() -> dict[str, float]:
    """The statistics run's times, read once: by mutmut's fork server as it warms up, so
    that the mutants' processes, forked from it, find them read."""
    if not _recorded:
        try:
            _recorded.update(json.loads(TEST_TIMES.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
    return _recorded


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _timed[report.nodeid] = _timed.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish() -> None:
    if os.environ.get("MUTANT_UNDER_TEST") == "stats" and _timed:
        _recorded_times().update(_timed)
        TEST_TIMES.write_text(json.dumps(_recorded), encoding="utf-8")
        _timed.clear()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Make sure Redis answers on 6379, starting a throwaway one on a machine that has none."""
    data_dir = tmp_path_factory.mktemp("redis")
    already_running = answers(REDIS_SERVER_URL)
    url = ensure_redis(REDIS_SERVER_URL, data_dir, persistent=False)
    yield url
    if not already_running:  # never stop a server this session did not start
        stop_redis(url, data_dir)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """URL of the test database, for code that opens its own connections."""
    return own_redis_url()


@pytest.fixture
def redis(redis_url: str) -> Iterator[redis_py.Redis]:
    """A client on the test database, empty at the start and flushed at the end of the test."""
    client = redis_py.Redis.from_url(redis_url, decode_responses=False)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def aof_written(client: redis_py.Redis) -> bool:
    """Whether Redis has written every answered command to its append-only file, with no
    sync pending: what a killed server then reloads (appendfsync everysec writes it within
    about a second, or two when the disk is slow)."""
    info = client.info("persistence")
    return info["aof_buffer_length"] == 0 and info["aof_pending_bio_fsync"] == 0


@pytest.fixture(scope="module")
def demo_flow() -> Flow:
    """The demo flow (flows/main.yaml), as lint and the app load it."""
    return validate(parse(Path("flows/main.yaml").read_text(encoding="utf-8"), "main.yaml"),
                    "main")


# -- the app, driven the way Twilio drives it --------------------------------------------

TOKEN = "test-auth-token-0123456789abcdef"
# A Wednesday morning in Mexico City: the demo flow's billing office is open.
OFFICE_HOURS = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))


_NUMBERS = itertools.count(1)


def distinct_number() -> str:
    """A phone number no other caller or agent of the test run has (Twilio's +1500555 range)."""
    return f"+1500555{next(_NUMBERS):04d}"


@pytest.fixture
def make_app(redis_url: str) -> Iterator[Callable[..., Flask]]:
    """Build the app on the test database; keyword arguments override its config. Apps are
    built for the simulator (typed speech), unless typed_speech=False: as on the line."""
    built: list[Flask] = []

    def build(clock: Callable[[], dt.datetime] = lambda: OFFICE_HOURS, typed_speech: bool = True,
              **config: Any) -> Flask:
        settings = {"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": TOKEN, "FLOWS_DIR": "flows",
                    "IVR_FLOW": "main", "TESTING": True} | config
        built.append(create_app(settings, clock=clock, typed_speech=typed_speech))
        return built[-1]

    yield build
    for app in built:
        app.extensions["ivr"].close()


@pytest.fixture
def app(make_app: Callable[..., Flask], redis: redis_py.Redis) -> Flask:
    return make_app()


@pytest.fixture
def store(app: Flask) -> CallStore:
    """The app's call state, to check what a call left behind."""
    return app.extensions["ivr"].store


@pytest.fixture
def make_call(make_app: Callable[..., Flask], redis: redis_py.Redis) -> Callable[..., Call]:
    """A caller on a fresh app; keyword arguments go to make_app."""

    def build(**app_config: Any) -> Call:
        return Call(make_app(**app_config), TOKEN, caller=distinct_number())

    return build


@pytest.fixture
def call(app: Flask) -> Call:
    """A caller on the demo line, during office hours, not yet dialled."""
    return Call(app, TOKEN, caller=distinct_number())


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandin]:
    """A running stand-in for Twilio's REST API, fresh for each test."""
    standin = TwilioStandin().start()
    yield standin
    standin.stop()


@pytest.fixture
def line(make_app: Callable[..., Flask], redis: redis_py.Redis) -> Iterator[Any]:
    """The line with agents and a local stand-in for Twilio's REST API (tests/line.py)."""
    from tests.line import Line

    standin = TwilioStandin().start()
    try:
        yield Line(make_app, standin)
    finally:
        standin.stop()
