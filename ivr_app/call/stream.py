"""The stream server: Twilio's Media Streams of callers' audio, heard as they speak.

    python -m ivr_app.call.stream --bind 127.0.0.1:8765     (the Procfile's `stream`)

A call's first answer starts a one-way stream to STREAM_URL (call/twiml.py). Twilio signs
the websocket handshake as it signs webhooks (the wss URL, no parameters); an unsigned one
is refused with 403, and one past STREAM_MAX live streams with 503 (the call goes on with
keys, and spoken answers recorded after each prompt). Messages: `connected`, `start` (the
CallSid), `media` (20 ms of 8 kHz mu-law, base64), `mark`, `stop`. Each utterance the
endpointer finds is recognised and acted on in a thread (call/barge_in.py), so the event
loop keeps reading frames; a malformed message is skipped.

What closes a stream (docs/security.md): the handshake's signature covers the URL alone, so
`start` must carry the call's own proof (`<Parameter name="proof">`, an HMAC of the CallSid)
and the call must be at a question with no other stream live (1008); a connection without
`start` within START_SECONDS is closed (1008), as is a started one that sends no audio for
IDLE_SECONDS, whatever else it sends (1001); a message over MAX_MESSAGE bytes or a frame
over MAX_FRAME closes it (1009). One stream holds at most STREAM_BYTES: websockets' queue of
received messages, the endpointer's frames and one utterance being decided.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import hmac
import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import redis
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from werkzeug.datastructures import MultiDict

from ivr_app.call.barge_in import decide
from ivr_app.call.utterances import (
    MAX_BYTES,
    MAX_FRAME,
    PREROLL_FRAMES,
    START_FRAMES,
    Endpointer,
    Utterance,
)
from ivr_app.platform.config import settings
from ivr_app.platform.security import STREAM_PROOF, stream_proof, valid_signature
from ivr_app.services import Services, build_services

log = logging.getLogger(__name__)

START_SECONDS = 2.0  # Twilio says `start` at once; a connection that has not by then is closed
IDLE_SECONDS = 5.0  # no audio for this long: the stream is gone without its `stop`
LIVE_SECONDS = 15  # a stream's mark in Redis lasts this long unless renewed
RENEW_SECONDS = 5.0  # how often a live stream renews its mark and looks whether the call ended
MAX_MESSAGE = 4096  # a media message is about 350 bytes, `start` about 600
MAX_QUEUE = 16  # received messages websockets keeps for a stream before it stops reading
# what one stream may hold: its received messages, the endpointer's frames before speech and
# the utterance it gathers, and one utterance being decided (mu-law, then PCM twice)
STREAM_BYTES = (MAX_QUEUE + 1) * MAX_MESSAGE + (PREROLL_FRAMES + START_FRAMES) * MAX_FRAME \
    + MAX_BYTES + 5 * (MAX_BYTES + MAX_FRAME)
CLOSE_NORMAL, CLOSE_AWAY, CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_ERROR = 1000, 1001, 1008, 1009, 1011


@dataclass
class _Stream:
    """One call's stream: its ids, its endpointer, and the step read when speech began."""

    sid: str
    stream: str  # this connection's own id, held in the call's stream mark (one per call)
    endpointer: Endpointer
    onset: asyncio.Future[Any] | None = None
    deciding: bool = False  # an utterance of this stream is being recognised and acted on
    renewed: float = 0.0
    ended: bool = False


class StreamServer:
    """Hears the calls' streams with the process's services; recognition runs on `threads`."""

    def __init__(self, ivr: Services, max_streams: int | None = None, threads: int = 4,
                 idle_seconds: float = IDLE_SECONDS, start_seconds: float = START_SECONDS,
                 renew_seconds: float = RENEW_SECONDS):
        self.ivr = ivr
        self.max_streams = ivr.config["STREAM_MAX"] if max_streams is None else max_streams
        self.idle_seconds, self.start_seconds = idle_seconds, start_seconds
        self.renew_seconds = renew_seconds
        # recognition and decisions on `threads`; Redis reads apart, so none waits behind them
        self.pool: Executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hear")
        self.io: Executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stream-io")
        self._deciding: set[asyncio.Task[None]] = set()
        self.server: Server | None = None
        self.frames = 0  # media frames taken in, for the benchmark

    async def start(self, host: str, port: int) -> Server:
        self.server = await serve(self._handle, host, port, process_request=self._handshake,
                                  max_size=MAX_MESSAGE, max_queue=MAX_QUEUE, compression=None)
        return self.server

    def _handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        """403 unless Twilio signed this request; 503 when the streams we can hear are taken."""
        if not self._signed(request):
            return connection.respond(HTTPStatus.FORBIDDEN, "not signed by Twilio\n")
        if self.server is not None and len(self.server.connections) >= self.max_streams:
            log.warning("stream refused: %d streams already live", self.max_streams)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "at capacity\n")
        return None

    def _signed(self, request: Request) -> bool:
        token = self.ivr.config["TWILIO_AUTH_TOKEN"]
        if not token:
            return bool(self.ivr.config["INSECURE_DEV"])
        public = urlsplit(self.ivr.config["STREAM_URL"])  # the URL Twilio was given, as signed
        url = f"{public.scheme}://{public.netloc}{request.path}"
        given = request.headers.get("X-Twilio-Signature", "")
        return bool(given) and valid_signature(token, url, MultiDict(), given)

    async def _handle(self, ws: ServerConnection) -> None:
        stream: _Stream | None = None
        deadline = time.monotonic() + self.start_seconds  # for `start`, then for each frame
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
                except TimeoutError:
                    await (ws.close(CLOSE_AWAY, "no audio") if stream else
                           ws.close(CLOSE_POLICY, "no start"))
                    return
                message = _message(raw)
                kind = message.get("event")
                if kind == "start" and stream is None:
                    stream = await self._started(ws, message)
                    if stream is None:
                        return
                    deadline = time.monotonic() + self.idle_seconds
                elif kind == "media" and stream is not None:
                    audio = _audio(message)
                    if audio is not None and len(audio) > MAX_FRAME:
                        log.warning("stream of %s closed: a frame of %d bytes", stream.sid,
                                    len(audio))
                        await ws.close(CLOSE_TOO_BIG, "frame too large")
                        return
                    if audio is not None:
                        await self._media(stream, audio)
                        deadline = time.monotonic() + self.idle_seconds
                elif kind == "stop":
                    await ws.close(CLOSE_NORMAL, "stopped")
                    return
                if stream is not None and stream.ended:
                    await ws.close(CLOSE_NORMAL, "the call has no more questions")
                    return
        except ConnectionClosed:
            return
        except redis.RedisError:  # the call goes on with keys and recorded speech
            log.exception("a stream of %s ended: Redis failed", stream.sid if stream else "?")
            await ws.close(CLOSE_ERROR, "try again later")
        finally:
            if stream is not None:
                with contextlib.suppress(redis.RedisError):  # else its mark expires by itself
                    await self._io(self.ivr.store.stream_ended, stream.sid, stream.stream)

    async def _started(self, ws: ServerConnection, message: dict[str, Any]) -> _Stream | None:
        """The stream of the call `start` names, if it proves it is that call's, the call is
        at a question, and no other stream of it is live; else closed (1008) and None."""
        start = message.get("start")
        start = start if isinstance(start, dict) else {}
        sid, given = start.get("callSid"), start.get("customParameters")
        given = given.get(STREAM_PROOF) if isinstance(given, dict) else None
        if not (isinstance(sid, str) and isinstance(given, str) and hmac.compare_digest(
                given.encode(), stream_proof(self.ivr.config["TWILIO_AUTH_TOKEN"], sid).encode())):
            log.warning("stream for %s closed: not that call's proof", str(sid)[:40])
            await ws.close(CLOSE_POLICY, "not this call's stream")
            return None
        at = await self._io(self.ivr.store.step, sid)
        if not at.open:
            log.info("stream for %s closed: no such call at a question", sid[:40])
            await ws.close(CLOSE_POLICY, "no call at a question")
            return None
        stream = _Stream(sid, uuid.uuid4().hex, Endpointer(), renewed=time.monotonic())
        if not await self._io(self.ivr.store.stream_live, sid, stream.stream, LIVE_SECONDS):
            log.warning("stream for %s closed: the call has a stream already", sid[:40])
            await ws.close(CLOSE_POLICY, "the call has a stream")
            return None
        return stream

    async def _media(self, stream: _Stream, audio: bytes) -> None:
        self.frames += 1
        began, utterance = stream.endpointer.feed(audio)
        if began:  # the question being asked as the caller starts to speak
            stream.onset = asyncio.ensure_future(self._io(self.ivr.store.step, stream.sid))
        if utterance is not None and stream.onset is not None:
            onset, stream.onset = stream.onset, None
            if stream.deciding:  # one at a time: what a stream holds stays bounded
                log.info("call %s: an utterance dropped, the last is still decided", stream.sid)
            else:
                stream.deciding = True
                task = asyncio.create_task(self._decide(stream, onset, utterance))
                self._deciding.add(task)  # a reference, until it is done
                task.add_done_callback(self._deciding.discard)
        if time.monotonic() - stream.renewed > self.renew_seconds:
            stream.renewed = time.monotonic()
            at = await self._io(self.ivr.store.step, stream.sid)
            kept = await self._io(self.ivr.store.stream_live, stream.sid, stream.stream,
                                  LIVE_SECONDS)
            stream.ended = stream.ended or not at.open or not kept

    async def _decide(self, stream: _Stream, onset: asyncio.Future[Any],
                      utterance: Utterance) -> None:
        try:
            at = await onset
            decision = await self._run(decide, self.ivr, stream.sid, at, utterance)
        except Exception:
            log.exception("call %s: an utterance could not be acted on", stream.sid)
            return
        finally:
            stream.deciding = False
        event = decision.event
        log.info("call %s step %s: heard %r (%s): %s", stream.sid, at.seq,
                 event.value if event else "", event.confidence if event else "-",
                 decision.outcome)
        stream.ended = stream.ended or decision.ended

    async def _run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    async def _io(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.io, function, *args)

    async def close(self) -> None:
        """Close every stream, and let the decisions under way finish."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        if self._deciding:
            await asyncio.wait(set(self._deciding))
        self.pool.shutdown()
        self.io.shutdown()


def in_thread(server: StreamServer, host: str, port: int) -> Callable[[], None]:
    """Run `server` on an event loop of its own in a thread (tests, the benchmark, simulate);
    returns what stops it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="stream-server", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(host, port), loop).result(timeout=10)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

    return stop


def _audio(message: dict[str, Any]) -> bytes | None:
    """A media message's mu-law bytes; None if it is not one we can read (skipped)."""
    media = message.get("media")
    try:
        return base64.b64decode(media["payload"], validate=True)  # type: ignore[index]
    except (TypeError, KeyError, binascii.Error):
        return None


def _message(raw: str | bytes) -> dict[str, Any]:
    """A message as JSON; anything else (binary, broken JSON, not an object) as empty."""
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {}
    return message if isinstance(message, dict) else {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ivr_app.call.stream",
                                     description="Hear callers' Media Streams (barge-in).")
    parser.add_argument("--bind", default="127.0.0.1:8765", help="host:port to listen on")
    args = parser.parse_args(argv)
    config = settings()
    logging.basicConfig(level=config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ivr = build_services(config)
    if not config["STREAM_URL"]:  # `up` starts every process of the Procfile
        log.warning("STREAM_URL is not set: no call starts a stream, and every handshake is "
                    "refused (its signature is checked against that address); no model is loaded")
    else:  # now, not on a caller's time
        log.info("speech models loaded for %s", sorted(ivr.recognizer.languages()) or "none")
    host, _, port = args.bind.rpartition(":")

    async def run() -> None:
        streams = StreamServer(ivr)
        await streams.start(host or "127.0.0.1", int(port))
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):  # close streams (and their marks) first
            asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
        await stopping.wait()
        await streams.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
