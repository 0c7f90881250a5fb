"""A simulated caller on `up`'s demo line: an agent can take the call, and both hang up.

`simulate` runs the app in its own process, but the agents ring, accept and hang up through
`up` (its worker, its console, its demo line, demo_line.py). `up` writes where its demo line
listens to `var/demo-line.json`; `simulate` finds it there, tells the demo line its call came
in, and watches the call there: when the line moves it (a call update: the agent took it),
the TwiML Twilio fetched plays to the caller; when the call ends there (the agent hung up,
the conference ended), the simulated call ends too.

    CALLER connected to agent ana
    IVR    [conference call-CA..: you talk with ana]
    END the agent hung up
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from ivr_app.demo.simulator import Call, Ending, apply_input
from ivr_app.demo.twilio_rest import TERMINAL

PLACE = Path("var") / "demo-line.json"  # where `up` says its demo line listens
POLL_SECONDS = 0.25
HANG_UP = "hangup"
AGENT_HUNG_UP = "the agent hung up"  # how a call the line ended ends (simulator.Ending)
LINE_HUNG_UP = "the line hung up"


def publish(demo_url: str, app_url: str, place: Path = PLACE) -> Callable[[], None]:
    """Say where the demo line and the app it calls listen; returns how to take it back
    (with the folder, if it was made for it)."""
    made = not place.parent.exists()
    place.parent.mkdir(parents=True, exist_ok=True)
    place.write_text(json.dumps({"demo": demo_url, "app": app_url}), encoding="utf-8")

    def withdraw() -> None:
        place.unlink(missing_ok=True)
        if made:
            with contextlib.suppress(OSError):  # up's Redis keeps its data there too
                place.parent.rmdir()

    return withdraw


class DemoLine:
    """`up`'s demo line as one simulated call sees it."""

    def __init__(self, demo_url: str, app_url: str) -> None:
        self.demo_url, self.app_url = demo_url, app_url
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never through a proxy

    @classmethod
    def find(cls, place: Path = PLACE) -> DemoLine | None:
        """The demo line `up` runs now, or None (no `up`, or `up` with a Twilio account)."""
        try:
            found = json.loads(place.read_text(encoding="utf-8"))
            line = cls(found["demo"], found["app"])
            line.http.get(f"{line.demo_url}/demo/calls", timeout=2).raise_for_status()
        except (OSError, ValueError, KeyError, requests.RequestException):
            return None
        return line

    def came_in(self, call: Call) -> None:
        """The call reaches the line through Twilio: its end is reported to the app."""
        self.http.post(f"{self.demo_url}/demo/calls/{call.sid}/dial", timeout=5, data={
            "From": call.caller, "To": call.number,
            "StatusCallback": f"{self.app_url}/voice/status"}).raise_for_status()

    def now(self, sid: str) -> tuple[str, str]:
        """The call's status there, and the TwiML Twilio last fetched for it ("" if none)."""
        found = self.http.get(f"{self.demo_url}/demo/calls/{sid}", timeout=5).json()
        return found.get("status", ""), found.get("twiml", "")

    def hang_up(self, sid: str) -> None:
        self.http.post(f"{self.demo_url}/demo/calls/{sid}/hangup", timeout=5)


def look(call: Call, line: DemoLine, seen: str) -> tuple[str, bool]:
    """One look at the call on the demo line: TwiML it got since `seen` (a call update: the
    agent took it) plays to the caller; an end there (the agent hung up, or the line did)
    ends the simulated call. Returns the TwiML seen now, and whether the call is over."""
    try:
        status, twiml = line.now(call.sid)
    except (requests.RequestException, ValueError):
        return seen, False  # the line did not answer: look again later
    who = AGENT_HUNG_UP if call.room else LINE_HUNG_UP
    if twiml and twiml != seen:  # what it played before it ended, too
        call.moved(twiml)
        seen = twiml
    if status in TERMINAL:
        call.ending = Ending(who)
        call.echo_line(f"END {who}")
        return seen, True
    return seen, False


class Watch:
    """Follows the call on the demo line in the background and plays what happens there."""

    def __init__(self, call: Call, line: DemoLine) -> None:
        self.call, self.line = call, line
        self.lock = threading.Lock()  # the caller's own actions and the line's take turns
        self.connected = threading.Event()
        self.ended = threading.Event()
        self._seen = ""
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Watch:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self.ended.is_set():
            with self.lock:
                if self.ended.is_set():  # the caller hung up meanwhile
                    return
                self._seen, over = look(self.call, self.line, self._seen)
                if over:
                    self.ended.set()
                elif self.call.room:
                    self.connected.set()
            self.ended.wait(POLL_SECONDS)

    def act(self, line: str) -> None:
        """One thing the caller types: `hangup` hangs up, anything else as apply_input."""
        with self.lock:
            if self.ended.is_set():
                return
            if line.strip().lower() == HANG_UP:
                self.hang_up()
            elif self.call.room:
                self.call.echo_line(f"(talking to agent {self.call.agent}; type {HANG_UP} "
                                    "to hang up)")
            else:
                apply_input(self.call, line)

    def hang_up(self) -> None:
        """The caller puts the phone down: Twilio reports it to the line, and the app."""
        if self.ended.is_set():
            return
        self.ended.set()
        self.call.hang_up()
        self.line.hang_up(self.call.sid)

    def wait_for_agent(self, seconds: float) -> bool:
        """Hold the caller up to `seconds` for an agent to take the call."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.ended.is_set():
            if self.connected.wait(POLL_SECONDS):
                return True
        return self.connected.is_set()

    def wait_for_end(self) -> None:
        """Stay on the call until one side hangs up, or the agent leaves it and the line
        asks something (a flow's survey)."""
        while not self.ended.wait(POLL_SECONDS):
            with self.lock:
                if not self.call.room:
                    return
