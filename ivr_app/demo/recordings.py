"""Recordings served as Twilio's API serves them, from 127.0.0.1: for the simulator and tests.

    server = RecordingServer(account_sid, auth_token).start()
    url = server.add(wav_bytes)  # a RecordingUrl on api.twilio.com, as Twilio would post it
    # the app, with TWILIO_API_BASE=server.base, fetches it from here
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API = "https://api.twilio.com"


@dataclass
class _Recording:
    wav: bytes
    not_ready: int  # how many more requests are answered 404, as while Twilio stores it
    delay: float  # seconds before each answer, as over a slow link


class RecordingServer:
    """Serves /2010-04-01/Accounts/<sid>/Recordings/<RE...>.wav with Basic auth, on loopback."""

    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self._auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._recordings: dict[str, _Recording] = {}
        self.requests: list[str] = []  # paths asked for, in order
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.recordings = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def add(self, wav: bytes, not_ready: int = 0, delay: float = 0.0) -> str:
        """Keep a recording; returns its RecordingUrl (on api.twilio.com, without extension)."""
        path = (f"/2010-04-01/Accounts/{self.account_sid}/Recordings/"
                f"RE{secrets.token_hex(16)}")
        with self._lock:
            self._recordings[path + ".wav"] = _Recording(wav, not_ready, delay)
        return API + path

    def answer(self, path: str, auth: str) -> tuple[int, bytes, float]:
        """Status, body and delay for a GET of `path`."""
        with self._lock:
            self.requests.append(path)
            recording = self._recordings.get(path)
            if auth != self._auth:
                return 401, b"", 0.0
            if recording is None:
                return 404, b"", 0.0
            if recording.not_ready:
                recording.not_ready -= 1
                return 404, b"", recording.delay
            return 200, recording.wav, recording.delay


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body, delay = self.server.recordings.answer(  # type: ignore[attr-defined]
            self.path, self.headers.get("Authorization", ""))
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "audio/x-wav" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the app gave up waiting (a time budget test)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def wav_seconds(wav: bytes) -> int:
    """How long a WAV plays, in whole seconds rounded up, as Twilio reports RecordingDuration
    (its "fmt " chunk's byte rate into its "data" chunk's size; 0 for what is not a WAV)."""
    if wav[:4] != b"RIFF":
        return 0
    rate = size = 0
    at = 12
    while at + 8 <= len(wav):
        chunk, length = wav[at:at + 4], int.from_bytes(wav[at + 4:at + 8], "little")
        if chunk == b"fmt ":
            rate = int.from_bytes(wav[at + 16:at + 20], "little")
        elif chunk == b"data":
            size = min(length, len(wav) - at - 8)
        at += 8 + length + length % 2
    return -(-size // rate) if rate else 0
