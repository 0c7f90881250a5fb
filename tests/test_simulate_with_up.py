"""The README's demo, with real processes: `up` without a Twilio account (gunicorn, the RQ
worker, Redis, the demo line), `simulate` in another terminal, and the agent in the console.
A caller presses 0, Ana accepts on her screen (which picks up her demo phone), and
`simulate` says so within 3 s; Ana hangs up, the caller's call ends, and Ana goes through
wrap-up to available. A ring nobody answers passes the call to the next agent."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py
import requests

from ivr_app.state.agents import Roster
from ivr_app.state.queues import Queues
from ivr_app.state.surveys import Surveys
from ivr_app.state.users import Users
from tests.browser.stack import ROOT
from tests.console.conftest import PASSWORD
from tests.support.servers import free_port
from tests.support.workers import wait_for

pytestmark = pytest.mark.drill


def lines_of(proc: subprocess.Popen) -> tuple[queue.Queue, threading.Thread]:
    """The process's output, line by line, as it prints them (and the thread reading it)."""
    said: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            said.put(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return said, reader


def next_line(said: queue.Queue, starting: str, seconds: float, seen: list[str]) -> str:
    """The first line that starts with `starting` within `seconds` (all lines kept in seen)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = said.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if line.startswith(starting):
            return line
    raise AssertionError(f"no line starting {starting!r} within {seconds} s:\n" +
                         "\n".join(seen))


class Console:
    """Ana's screen over HTTP, as her browser posts it."""

    def __init__(self, base: str, name: str) -> None:
        self.base, self.web = base, requests.Session()
        self.web.trust_env = False
        page = self.web.get(f"{base}/console/login").text
        self.token = page.split('name="csrf_token" value="')[1].split('"')[0]
        self.web.post(f"{base}/console/login", data={"name": name, "password": PASSWORD,
                                                     "csrf_token": self.token})

    def get(self, path: str) -> dict:
        return self.web.get(f"{self.base}{path}").json()

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.web.post(f"{self.base}{path}", json=body or {},
                             headers={"X-CSRFToken": self.token})


@contextlib.contextmanager
def running_up(redis_url: str, folder: Path, **settings: str) -> Iterator[str]:
    """`up` without a Twilio account, from a folder of its own (its var/, where `simulate`
    finds the demo line, is there); yields the console's address once it answers."""
    port = free_port()
    env = up_env(redis_url) | settings
    with open(folder / "up.log", "w") as log:
        up = subprocess.Popen([sys.executable, "-m", "ivr_app", "up", "--port", str(port)],
                              cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), 40, "up to serve the console")
        yield base
    finally:
        os.killpg(up.pid, signal.SIGINT)
        up.wait(timeout=30)


def up_env(redis_url: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")} | {
        "REDIS_URL": redis_url, "WRAP_UP_SECONDS": "2", "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT)}


@contextlib.contextmanager
def simulating(folder: Path, redis_url: str, *args: str) -> Iterator[tuple[subprocess.Popen,
                                                                           queue.Queue]]:
    """`simulate` in another terminal, its lines as it prints them."""
    simulate = subprocess.Popen(
        [sys.executable, "-m", "ivr_app", "simulate", str(ROOT / "flows" / "main.yaml"),
         *args], cwd=folder, env=up_env(redis_url), text=True, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    said, reader = lines_of(simulate)
    try:
        yield simulate, said
    finally:
        if simulate.poll() is None:
            os.killpg(simulate.pid, signal.SIGKILL)
        simulate.wait(timeout=10)
        reader.join(timeout=10)
        simulate.stdin.close()
        simulate.stdout.close()


def available(roster: Roster, *agents: str) -> None:
    """Agents set available in this order: the first has been idle the longest."""
    for i, agent in enumerate(agents):
        roster.set_status(agent, "available",
                          dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60 - i))


def test_the_agent_accepts_in_the_console_and_simulate_is_put_through(redis_url, redis,
                                                                      tmp_path):
    store = redis_py.Redis.from_url(redis_url, decode_responses=True)
    roster = Roster(store)
    with running_up(redis_url, tmp_path) as base:
        wait_for(lambda: roster.get("ana"), 10, "the demo roster")
        available(roster, "ana")
        Users(store).add("ana", "agent", PASSWORD)
        ana = Console(base, "ana")
        with simulating(tmp_path, redis_url, "--script", "1,0", "--wait-for-agent",
                        "60") as (simulate, said):
            seen: list[str] = []
            next_line(said, "(holding up to 60 s", 30, seen)
            ringing = wait_for(lambda: (v := ana.get("/console/agent/live"))["call"] and v,
                               20, "Ana's screen to ring")
            assert ringing["agent"]["status"] == "offered"
            accepted = ana.post("/console/agent/accept", {"call": ringing["call"]["call_sid"]})
            assert accepted.status_code == 200, accepted.text
            assert next_line(said, "CALLER connected to agent ", 3, seen) == \
                "CALLER connected to agent ana"

            leg = roster.get("ana").leg  # her phone: Accept picked it up, into the room
            wait_for(lambda: {"sid": leg, "room": ringing["call"]["call_sid"]} in [
                {"sid": c["sid"], "room": c["room"].removeprefix("call-")}
                for c in ana.get("/console/demo/calls")["calls"]], 3,
                "Ana's phone to join the caller's room without her answering it again")
            assert ana.post(f"/console/demo/calls/{leg}/answer").status_code == 409
            assert ana.post(f"/console/demo/calls/{leg}/hangup").status_code == 202
            next_line(said, "IVR    (the agent left: the call moves on)", 5, seen)
            next_line(said, "IVR    [es-MX] ¿Resolvimos su consulta?", 5, seen)  # the survey
            simulate.stdin.write("1\n5\n")  # solved; five out of five
            simulate.stdin.flush()
            next_line(said, "IVR    [es-MX] Gracias por su respuesta. Hasta luego.", 5, seen)
            assert next_line(said, "Call ended with:", 5, seen) == "Call ended with: goodbye"
            assert simulate.wait(timeout=10) == 0
        assert Surveys(store).summary(ringing["call"]["call_sid"]) == {"resolved": True,
                                                                       "rating": 5}
        wait_for(lambda: roster.get("ana").status == "available", 10, "Ana free again")
        since_the_call = [e["status"] for e in reversed(roster.history("ana"))][-4:]
        assert since_the_call == ["offered", "busy", "wrap-up", "available"]
    assert "Logging error" not in (tmp_path / "up.log").read_text()  # gunicorn's too
    store.close()


def test_a_ring_nobody_answers_passes_the_call_to_the_next_agent(redis_url, redis, tmp_path):
    store = redis_py.Redis.from_url(redis_url, decode_responses=True)
    roster = Roster(store)
    with running_up(redis_url, tmp_path, AGENT_RING_SECONDS="2"):
        wait_for(lambda: roster.get("bruno"), 10, "the demo roster")
        available(roster, "ana", "bruno")  # Ana idle the longest: rung first
        with simulating(tmp_path, redis_url, "--script", "1,0", "--wait-for-agent", "30"):
            wait_for(lambda: roster.get("bruno").status == "offered", 30,
                     "Bruno rung once Ana's ring time is over")
            ana = list(reversed(roster.history("ana")))[-2:]  # read after, not polled: a 2 s
            assert [e["status"] for e in ana] == ["offered", "away"]  # ring is easily missed
            rang = _at(ana[1]) - _at(ana[0])  # she did not answer: set away, her ring over
            assert dt.timedelta(seconds=1) <= rang <= dt.timedelta(seconds=2 + 3)
            bruno = list(reversed(roster.history("bruno")))[-1]
            assert bruno["status"] == "offered" and _at(bruno) >= _at(ana[1])
    store.close()


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_caller_who_presses_ctrl_c_while_ringing_an_agent_has_hung_up(redis_url, redis,
                                                                         tmp_path, sent):
    """Ctrl-C in `simulate` (or its terminal closed, or the process told to stop) is the
    caller putting the phone down: Ana's phone stops ringing and she stays available, and
    the caller is no longer in line."""
    store = redis_py.Redis.from_url(redis_url, decode_responses=True)
    roster = Roster(store)
    with running_up(redis_url, tmp_path):
        wait_for(lambda: roster.get("ana"), 10, "the demo roster")
        available(roster, "ana")
        with simulating(tmp_path, redis_url, "--script", "1,0", "--wait-for-agent", "60") as (
                simulate, said):
            wait_for(lambda: roster.get("ana").status == "offered", 20, "Ana's phone to ring")
            caller = roster.get("ana").call
            simulate.send_signal(sent)
            assert simulate.wait(timeout=10) == 0
            wait_for(lambda: roster.get("ana").status == "available", 5, "Ana free again")
            assert Queues(store).position("support", caller) is None
    store.close()


def test_a_caller_whose_terminal_is_gone_still_hangs_up(redis_url, redis, tmp_path):
    """The terminal closed under `simulate`: its output goes nowhere, then SIGHUP. The
    caller still puts the phone down: Ana is free again and nobody is left in line."""
    store = redis_py.Redis.from_url(redis_url, decode_responses=True)
    roster = Roster(store)
    with running_up(redis_url, tmp_path):
        wait_for(lambda: roster.get("ana"), 10, "the demo roster")
        available(roster, "ana")
        terminal, output = os.pipe()
        simulate = subprocess.Popen(
            [sys.executable, "-m", "ivr_app", "simulate", str(ROOT / "flows" / "main.yaml"),
             "--script", "1,0", "--wait-for-agent", "60"], cwd=tmp_path, env=up_env(redis_url),
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True)
        os.close(output)
        try:
            wait_for(lambda: roster.get("ana").status == "offered", 20, "Ana's phone to ring")
            caller = roster.get("ana").call
            os.close(terminal)  # the window is closed: nothing reads what simulate says
            simulate.send_signal(signal.SIGHUP)
            simulate.wait(timeout=10)
            wait_for(lambda: roster.get("ana").status == "available", 5, "Ana free again")
            assert Queues(store).position("support", caller) is None
        finally:
            if simulate.poll() is None:
                os.killpg(simulate.pid, signal.SIGKILL)
            simulate.wait(timeout=10)
    store.close()


def _at(entry: dict[str, str]) -> dt.datetime:
    """When an agent's history says a status began (to the second)."""
    return dt.datetime.fromisoformat(entry["at"])


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/console/login", timeout=1).status_code == 200
    except requests.RequestException:
        return False
