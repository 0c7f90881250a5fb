"""The Korean one-menu line with a stream server hearing its calls, and Twilio's REST
stand-in receiving the moves the server makes (tests/test_stream.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from ivr_app.call.stream import StreamServer, in_thread
from ivr_app.demo.media_stream import MediaStream
from ivr_app.demo.simulator import BASE_URL, Call
from ivr_app.demo.twilio_rest import Recorded, TwilioStandin
from tests.conftest import TOKEN
from tests.support.servers import free_port
from tests.support.spoken import KO_MODEL, flow_text

ROOT = Path(__file__).resolve().parents[1]


class BargeLine:
    """Callers on the line; each `stream(call)` is the media stream Twilio opens for a call."""

    def __init__(self, make_app: Callable[..., Flask], folder: Path, max_streams: int = 4,
                 idle_seconds: float = 5.0, start_seconds: float = 2.0, **config: Any) -> None:
        (folder / "flows").mkdir()
        (folder / "flows" / "line.yaml").write_text(flow_text("ko"), encoding="utf-8")
        (folder / "models").mkdir()
        (folder / "models" / "ko").symlink_to(KO_MODEL)
        self.standin = TwilioStandin(auth_token=TOKEN).start()
        port = free_port()
        self.url = f"ws://127.0.0.1:{port}/stream"
        self.app = make_app(FLOWS_DIR=str(folder / "flows"), IVR_FLOW="line",
                            VOSK_MODELS_DIR=str(folder / "models"), STREAM_URL=self.url,
                            PUBLIC_BASE_URL=BASE_URL, **self.standin.config(), **config)
        self.standin.app = self.app  # the calls it moves fetch their TwiML from the app
        self.ivr = self.app.extensions["ivr"]
        self.server = StreamServer(self.ivr, max_streams=max_streams, idle_seconds=idle_seconds,
                                   start_seconds=start_seconds)
        self._stop = in_thread(self.server, "127.0.0.1", port)

    def close(self) -> None:
        self._stop()
        self.standin.stop()

    def call(self) -> Call:
        """A caller dials in; the REST API knows the call, as Twilio's does."""
        call = Call(self.app, TOKEN)
        self.standin.incoming_call(call.sid, call.caller, call.number)
        return call.dial()

    def stream(self, call: Call, token: str | None = TOKEN) -> MediaStream:
        """The media stream of `call` as Twilio opens it (connected, start)."""
        stream = MediaStream(self.url, token, call.sid, call.stream_parameters).start()
        self.wait_for(lambda: self.ivr.store.step(call.sid).streaming or None, "stream live")
        return stream

    def moves(self, call: Call) -> list[str]:
        """The URLs the call was moved to through the REST API, oldest first."""
        return [r.form["Url"] for r in self._updates(call)]

    def moved_to(self, call: Call, seconds: float = 5.0) -> Recorded:
        """Wait for the stream server to move the call; the caller then hears the new TwiML."""
        update = self.wait_for(lambda: next(iter(self._updates(call)), None), "a move", seconds)
        call.moved(self.standin.fetch_twiml(call.sid))
        return update

    def _updates(self, call: Call) -> list[Recorded]:
        return [r for r in self.standin.requests
                if r.method == "POST" and r.path.endswith(f"/Calls/{call.sid}.json")]

    @staticmethod
    def wait_for(found: Callable[[], Any], what: str, seconds: float = 5.0) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = found()
            if value is not None:
                return value
            time.sleep(0.02)
        raise AssertionError(f"no {what} within {seconds} s")


class DoorLine:
    """The demo line with a stream server in a thread (no speech model: only its doors).
    `public` is the STREAM_URL Twilio is given, when a proxy stands before the server."""

    def __init__(self, make_app: Callable[..., Flask], public: str | None = None,
                 config: dict[str, Any] | None = None, **server: Any) -> None:
        port = free_port()
        self.url = f"ws://127.0.0.1:{port}/stream"
        self.app = make_app(STREAM_URL=public or self.url, **(config or {}))
        self.ivr = self.app.extensions["ivr"]
        self.server = StreamServer(self.ivr, **server)
        self.stop = in_thread(self.server, "127.0.0.1", port)

    def call(self) -> Call:
        return Call(self.app, TOKEN).dial()

    def streaming(self, call: Call) -> bool:
        return self.ivr.store.step(call.sid).streaming


class StreamProcess:
    """The stream server as the Procfile runs it, in a process of its own on `redis_url`."""

    def __init__(self, redis_url: str, **env: str) -> None:
        port = free_port()
        self.url = f"ws://127.0.0.1:{port}/stream"
        command = next(line.split(": ", 1)[1] for line in
                       (ROOT / "Procfile").read_text().splitlines() if line.startswith("stream: "))
        self.process = subprocess.Popen(
            command.replace("python", sys.executable, 1).replace("$PORT", str(port)).split(),
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "REDIS_URL": redis_url, "STREAM_URL": self.url,
                 "TWILIO_AUTH_TOKEN": TOKEN, "VOSK_MODELS_DIR": "", **env})
        BargeLine.wait_for(lambda: _listening(port) or None, "the stream server", 20)

    def __enter__(self) -> StreamProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def resident_mb(self) -> float:
        """The server's resident memory now (VmRSS), as the kernel counts it."""
        return self._status_mb("VmRSS:")

    def peak_mb(self) -> float:
        """The most resident memory the server has had since `reset_peak` (VmHWM)."""
        return self._status_mb("VmHWM:")

    def reset_peak(self) -> None:
        """Start VmHWM again from what is resident now (Linux's clear_refs, 5)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def _status_mb(self, field: str) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith(field))) / 1024


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
