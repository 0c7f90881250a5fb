"""The README's demo, with real processes: `up` without a Twilio account (gunicorn, the RQ
worker, Redis, the demo line), `simulate` in another terminal, and the agent in the console.
A caller presses 0, Ana accepts on her screen (which picks up her demo phone), and
`simulate` says so within 3 s; Ana hangs up, the caller's call ends, and Ana goes through
wrap-up to available."""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import redis as redis_py
import requests

from ivr_app.state.agents import Roster
from ivr_app.state.users import Users
from tests.browser.stack import ROOT
from tests.console.conftest import PASSWORD
from tests.support.servers import free_port
from tests.support.workers import wait_for


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


def test_the_agent_accepts_in_the_console_and_simulate_is_put_through(redis_url, redis,
                                                                      tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")} | {
        "REDIS_URL": redis_url, "WRAP_UP_SECONDS": "2", "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT)}
    with open(tmp_path / "up.log", "w") as log:
        # from a folder of its own: up's var/ (where simulate finds the demo line) is there
        up = subprocess.Popen([sys.executable, "-m", "ivr_app", "up", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    store = redis_py.Redis.from_url(redis_url, decode_responses=True)
    roster, simulate = Roster(store), None
    try:
        wait_for(lambda: _answers(base), 40, "up to serve the console")
        wait_for(lambda: roster.get("ana"), 10, "the demo roster")
        roster.set_status("ana", "available", dt.datetime.now(dt.UTC))
        Users(store).add("ana", "agent", PASSWORD)
        ana = Console(base, "ana")

        simulate = subprocess.Popen(
            [sys.executable, "-m", "ivr_app", "simulate", str(ROOT / "flows" / "main.yaml"),
             "--script", "1,0", "--wait-for-agent", "60"], cwd=tmp_path, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        (said, reader), seen = lines_of(simulate), []
        next_line(said, "(holding up to 60 s", 30, seen)
        ringing = wait_for(lambda: (v := ana.get("/console/agent/live"))["call"] and v, 20,
                           "Ana's screen to ring")
        assert ringing["agent"]["status"] == "offered"
        accepted = ana.post("/console/agent/accept", {"call": ringing["call"]["call_sid"]})
        assert accepted.status_code == 200, accepted.text
        assert next_line(said, "CALLER connected to agent ", 3, seen) == \
            "CALLER connected to agent ana"

        leg = roster.get("ana").leg  # her phone: Accept picked it up, into the caller's room
        wait_for(lambda: "[conference call-" in str(ana.get("/console/demo/calls")), 3,
                 "Ana's phone to join the caller without her answering it again")
        assert ana.post(f"/console/demo/calls/{leg}/answer").status_code == 409
        assert ana.post(f"/console/demo/calls/{leg}/hangup").status_code == 202
        next_line(said, "END the agent hung up", 5, seen)
        assert simulate.wait(timeout=10) == 0
        wait_for(lambda: roster.get("ana").status == "available", 10, "Ana free again")
        since_the_call = [e["status"] for e in reversed(roster.history("ana"))][-4:]
        assert since_the_call == ["offered", "busy", "wrap-up", "available"]
        assert "Logging error" not in (tmp_path / "up.log").read_text()  # gunicorn's too
    finally:
        if simulate is not None:
            if simulate.poll() is None:
                os.killpg(simulate.pid, signal.SIGKILL)
            simulate.wait(timeout=10)
            reader.join(timeout=10)
            simulate.stdout.close()
        os.killpg(up.pid, signal.SIGINT)
        up.wait(timeout=30)
        store.close()


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/console/login", timeout=1).status_code == 200
    except requests.RequestException:
        return False
