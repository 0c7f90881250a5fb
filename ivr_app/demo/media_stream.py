"""Twilio's side of a Media Stream: a signed websocket that plays a WAV as 20 ms frames.

Shared by the stream tests, bench/stream.py and `simulate` (`stream: file.wav`). Messages
are shaped as Twilio sends them: `connected`, `start` (accountSid, streamSid, callSid,
tracks, customParameters: the `<Parameter>`s of the call's `<Stream>`, mediaFormat),
`media` (track, chunk, timestamp, base64 mu-law payload), `stop`.

    with MediaStream(url, token, call_sid, stream_parameters(twiml)) as stream:
        stream.play(clip("ko-yeyak-175.wav"), speed=4.0)  # then 0.5 s of line silence
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from typing import Any

from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from ivr_app.demo.twilio_rest import TwilioStandin
from speech.audio import read_wav

FRAME = 160  # 20 ms of 8 kHz mu-law
QUIET = b"\xff"  # mu-law for a sample of 0
ACCOUNT = "AC" + "5a" * 16


def mu_law_byte(sample: int) -> int:
    """ITU-T G.711 mu-law of a linear 16-bit sample (what the phone network sends)."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = magnitude.bit_length() - 8
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def mu_law_frames(wav: bytes) -> list[bytes]:
    """An 8 kHz WAV (mu-law or 16-bit PCM) as the 20 ms mu-law frames a stream carries."""
    audio = read_wav(wav)
    if audio.rate != 8000:
        raise ValueError(f"the phone line carries 8000 Hz audio; this WAV is {audio.rate} Hz")
    count = len(audio.pcm) // 2
    line = bytes(mu_law_byte(s) for s in struct.unpack(f"<{count}h", audio.pcm))
    line += QUIET * (-len(line) % FRAME)
    return [line[i:i + FRAME] for i in range(0, len(line), FRAME)]


def signed_headers(url: str, token: str) -> dict[str, str]:
    """The handshake's X-Twilio-Signature: the wss URL signed with no parameters."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, {})}


def stream_parameters(twiml: str) -> dict[str, str]:
    """The `<Parameter>`s of a TwiML document's `<Stream>`, as Twilio hands them to `start`."""
    return {p.get("name", ""): p.get("value", "")
            for stream in ET.fromstring(twiml).iter("Stream") for p in stream.iter("Parameter")}


class MediaStream:
    """One call's stream to the stream server at `url`, signed with `token` (None: unsigned),
    carrying the `parameters` of the call's `<Stream>`."""

    def __init__(self, url: str, token: str | None, call_sid: str,
                 parameters: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.url, self.call_sid = url, call_sid
        self.parameters = parameters or {}
        self.stream_sid = "MZ" + secrets.token_hex(16)
        extra = signed_headers(url, token) if token is not None else {}
        self._open = ExitStack()
        self.ws: ClientConnection = self._open.enter_context(connect(
            url, additional_headers=extra | (headers or {}), open_timeout=5, max_size=2**16))
        self.sent = 0  # media frames sent
        self.closed = False
        self._sequence = 0
        self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})

    def __enter__(self) -> MediaStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: dict[str, Any]) -> bool:
        """Send a message; once the server closed the stream, nothing more goes (as Twilio)."""
        if self.closed:
            return False
        self._sequence += 1
        try:
            self.ws.send(json.dumps({"sequenceNumber": str(self._sequence), **message}))
        except ConnectionClosed:
            self.closed = True
        return not self.closed

    def start(self) -> MediaStream:
        self.send({"event": "start", "streamSid": self.stream_sid, "start": {
            "accountSid": ACCOUNT, "streamSid": self.stream_sid, "callSid": self.call_sid,
            "tracks": ["inbound"], "customParameters": self.parameters,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}})
        return self

    def frame(self, payload: bytes) -> None:
        chunk = self.sent + 1
        if self.send({"event": "media", "streamSid": self.stream_sid, "media": {
                "track": "inbound", "chunk": str(chunk), "timestamp": str(chunk * 20),
                "payload": base64.b64encode(payload).decode()}}):
            self.sent = chunk

    def play(self, wav: bytes, speed: float = 1.0, then_quiet: float = 0.5) -> float:
        """Send the WAV's frames, `speed` times real time, then `then_quiet` seconds of line
        silence; returns when (time.monotonic) the last frame of the WAV went out."""
        last = self.frames(mu_law_frames(wav), speed)
        self.quiet(then_quiet, speed)
        return last

    def quiet(self, seconds: float, speed: float = 1.0) -> None:
        self.frames([QUIET * FRAME] * round(seconds * 50), speed)

    def frames(self, frames: list[bytes], speed: float = 1.0) -> float:
        """Send frames paced at `speed` times real time; returns when the last went out."""
        began = time.monotonic()
        for i, payload in enumerate(frames):
            wait = began + i * 0.02 / speed - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.frame(payload)
        return time.monotonic()

    def stop(self) -> None:
        self.send({"event": "stop", "streamSid": self.stream_sid, "stop": {
            "accountSid": ACCOUNT, "callSid": self.call_sid}})

    def closed_by_server(self, timeout: float = 5.0) -> int | None:
        """Wait for the server to close the stream; its close code, or None if it did not."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.ws.recv(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return None
        except Exception:  # closed: the close frame says how
            pass
        return self.ws.close_code

    def close(self) -> None:
        self._open.close()


def speak_over(url: str, token: str, call_sid: str, parameters: dict[str, str], wav: bytes,
               rest: TwilioStandin, wait: float = 2.0) -> str | None:
    """The caller says the WAV over the prompt, on the call's Media Stream (with its
    `<Stream>`'s `parameters`), in real time; the TwiML of the move the stream server made
    (fetched as Twilio would), or None if nothing moved the call within `wait` seconds of
    line silence after it."""
    path = f"/Calls/{call_sid}.json"
    before = len(rest.requests)
    with MediaStream(url, token, call_sid, parameters).start() as stream:
        stream.play(wav, then_quiet=0.0)
        for _ in range(round(wait / 0.1)):
            if any(r.method == "POST" and r.path.endswith(path) for r in rest.requests[before:]):
                return rest.fetch_twiml(call_sid)
            stream.quiet(0.1)
    return None
