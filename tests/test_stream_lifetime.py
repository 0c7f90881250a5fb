"""How long a stream the server let in lives: while its call is at a question and it sends
audio; it ends when the call ends, another stream takes the call's place, Redis fails, the
server shuts down, or a frame is larger than Twilio sends; what it cannot read it skips.
No speech model is loaded: a sound on such a line is an utterance the call takes by keys."""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from ivr_app.call import stream as stream_module
from ivr_app.call.stream import LIVE_SECONDS, MAX_FRAME, MAX_MESSAGE
from ivr_app.demo.media_stream import MediaStream, mu_law_byte
from ivr_app.demo.simulator import Call
from ivr_app.state.calls import CALL_KEY, STREAM_KEY
from tests.conftest import TOKEN
from tests.stream import BargeLine, DoorLine
from tests.support.servers import free_port

LOGGER = stream_module.__name__
TONE = bytes(mu_law_byte(round(9000 * math.sin(2 * math.pi * 440 * i / 8000)))
             for i in range(160))  # 20 ms of a loud 440 Hz tone


@pytest.fixture
def line(make_app, redis) -> Iterator[DoorLine]:
    built = DoorLine(make_app, renew_seconds=0.2)
    yield built
    built.stop()


def said(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def heard_until_closed(stream: MediaStream, seconds: float = 3.0) -> tuple[int | None, str]:
    """Line silence until the server closes the stream (or `seconds` pass)."""
    for _ in range(round(seconds / 0.05)):
        stream.quiet(0.05)
        if stream.closed:
            break
    code = stream.closed_by_server(timeout=0.5)
    return code, stream.ws.close_reason if code is not None else ""


def opened(line: DoorLine, call) -> MediaStream:
    stream = MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start()
    BargeLine.wait_for(lambda: line.streaming(call) or None, "the stream heard")
    return stream


def test_a_stream_for_a_call_that_has_ended_is_closed_and_forgotten(line):
    call = line.call()
    with opened(line, call) as stream:
        stream.quiet(0.5)
        assert not stream.closed  # renewed while the call is at its question
        call.hang_up()
        assert heard_until_closed(stream) == (1000, "the call has no more questions")
    BargeLine.wait_for(lambda: not line.streaming(call) or None, "the stream forgotten")


def test_a_live_stream_keeps_its_calls_mark_fresh(line, redis):
    call = line.call()
    with opened(line, call) as stream:
        stream.quiet(1.5)
        left = redis.pttl(STREAM_KEY.format(sid=call.sid))
        assert LIVE_SECONDS * 1000 - 600 < left <= LIVE_SECONDS * 1000


def test_a_stream_whose_place_another_took_is_closed(line, redis):
    call = line.call()
    with opened(line, call) as old:
        redis.delete(STREAM_KEY.format(sid=call.sid))  # its mark lost, as in a Redis restart
        with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as new:
            BargeLine.wait_for(lambda: line.streaming(call) or None, "the new stream")
            assert heard_until_closed(old) == (1000, "the call has no more questions")
            new.quiet(0.3)
            assert not new.closed and line.streaming(call)  # the old one left the new's mark


def test_speaking_after_the_call_ended_closes_the_stream(make_app, redis):
    line = DoorLine(make_app)  # renewed only after 5 s: the utterance ends it first
    try:
        call = line.call()
        with opened(line, call) as stream:
            call.hang_up()
            stream.frames([TONE] * 12, speed=4.0)
            assert heard_until_closed(stream, 2.0) == (1000, "the call has no more questions")
    finally:
        line.stop()


def test_a_sound_on_a_line_without_a_model_leaves_the_call_to_its_keys(line, caplog):
    call = line.call()
    with caplog.at_level(logging.INFO, logger=LOGGER), opened(line, call) as stream:
        for sounds in (1, 2):  # one sound, and another once the first is decided
            stream.frames([TONE] * 12, speed=4.0)
            stream.quiet(0.6, speed=2.0)
            BargeLine.wait_for(lambda n=sounds: len(said(caplog)) >= n or None, "it logged")
        assert not stream.closed
    assert said(caplog) == [("INFO", f"call {call.sid} step 0: heard '' (-): keys")] * 2
    assert line.ivr.store.step(call.sid).seq == 0  # the question still stands
    call.press("1")
    assert line.ivr.store.step(call.sid).seq == 1


def test_a_sound_redis_failed_to_place_is_logged_and_the_stream_hears_on(make_app, redis,
                                                                         caplog):
    line = DoorLine(make_app)  # renewed only after 5 s: only the sound meets the failure
    try:
        call = line.call()
        key = CALL_KEY.format(sid=call.sid)
        kept = redis.hgetall(key)
        with caplog.at_level(logging.INFO, logger=LOGGER), opened(line, call) as stream:
            redis.delete(key)
            redis.set(key, "not a call")  # the step read as the caller starts fails
            stream.frames([TONE] * 12, speed=4.0)
            stream.quiet(0.6, speed=2.0)
            BargeLine.wait_for(lambda: said(caplog) or None, "the sound logged")
            redis.delete(key)
            redis.hset(key, mapping=kept)
            assert stream.closed_by_server(timeout=0.3) is None
        assert said(caplog) == [("ERROR", f"call {call.sid}: an utterance could not be acted on")]
        call.press("3")
        assert line.ivr.store.step(call.sid).seq == 1
    finally:
        line.stop()


@pytest.mark.parametrize("when", ["at start", "while it hears"])
def test_when_redis_fails_the_stream_closes_and_the_call_goes_on(line, redis, caplog, when):
    call = line.call()
    key = CALL_KEY.format(sid=call.sid)
    kept = redis.hgetall(key)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters) as stream:
            if when == "while it hears":
                stream.start()
                BargeLine.wait_for(lambda: line.streaming(call) or None, "the stream heard")
            redis.delete(key)
            redis.set(key, "not a call")  # each read of the call now fails (WRONGTYPE)
            stream.start() if when == "at start" else stream.quiet(0.4)
            assert heard_until_closed(stream) == (1011, "try again later")
        redis.delete(key)
        redis.hset(key, mapping=kept)
    who = call.sid if when == "while it hears" else "?"
    assert [m for level, m in said(caplog) if level == "ERROR"] == [
        f"a stream of {who} ended: Redis failed"]
    BargeLine.wait_for(lambda: not line.streaming(call) or None, "the stream forgotten")
    call.press("2")  # the call goes on by keys
    assert line.ivr.store.step(call.sid).seq == 1


def test_a_frame_larger_than_twilio_sends_is_logged_with_its_size(line, caplog):
    call = line.call()
    with caplog.at_level(logging.INFO, logger=LOGGER), opened(line, call) as stream:
        stream.frame(b"\xff" * (MAX_FRAME + 7))
        assert heard_until_closed(stream) == (1009, "frame too large")
    assert said(caplog) == [("WARNING", f"stream of {call.sid} closed: a frame of "
                                        f"{MAX_FRAME + 7} bytes")]


def test_a_message_over_4_kb_closes_the_stream_whatever_it_holds(line):
    call = line.call()
    with opened(line, call) as stream:
        stream.send({"event": "mark", "mark": {"name": "m" * MAX_MESSAGE}})
        code, reason = heard_until_closed(stream)  # websockets' own limit, set to 4 KB
        assert code == 1009 and reason.endswith(f"exceeds limit of {MAX_MESSAGE} bytes")
    assert stream.ws.response.headers.get("Sec-WebSocket-Extensions") is None  # uncompressed


def test_what_the_server_cannot_read_is_skipped_and_the_stream_hears_on(line):
    call, other = line.call(), line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters) as stream:
        for raw in ["{not json", b"\xff\xfe binary", "[1, 2, 3]", '"start"']:
            stream.ws.send(raw)
        stream.start()
        stream.send({"event": "media", "media": {"payload": "@@not base64@@"}})
        stream.send({"event": "media", "media": "nothing"})
        stream.send({"event": "start", "start": {"callSid": other.sid,
                                                 "customParameters": other.stream_parameters}})
        stream.quiet(0.5)
        assert stream.closed_by_server(timeout=0.3) is None
        assert line.streaming(call) and not line.streaming(other)  # the first `start` holds
        assert line.server.frames == 25


def test_a_server_shutting_down_closes_its_streams_and_frees_their_calls(make_app, redis):
    line = DoorLine(make_app)
    calls = [line.call(), line.call()]
    streams = [opened(line, call) for call in calls]
    line.stop()
    for stream in streams:
        assert stream.closed_by_server() == 1001
        stream.close()
    assert not any(line.streaming(call) for call in calls)


@pytest.mark.parametrize(("bind", "public"), [("127.0.0.1", True), ("", True), ("", False)])
def test_the_procfile_process_hears_at_its_address_and_closes_its_streams_on_sigterm(
        make_app, redis, redis_url, monkeypatch, caplog, bind, public):
    port = free_port()
    url = f"ws://127.0.0.1:{port}/stream"
    for name, value in {"REDIS_URL": redis_url, "STREAM_URL": url if public else "",
                        "TWILIO_AUTH_TOKEN": TOKEN, "VOSK_MODELS_DIR": ""}.items():
        monkeypatch.setenv(name, value)
    app = make_app(STREAM_URL=url)
    call = Call(app, TOKEN).dial()
    seen: list[object] = []

    def caller() -> None:
        try:
            with BargeLine.wait_for(lambda: _connected(url, call), "the server", 10) as stream:
                BargeLine.wait_for(lambda: app.extensions["ivr"].store.step(call.sid).streaming
                                   or None, "the stream heard")
                elsewhere = _connected(url.replace("127.0.0.1", "127.0.0.2"), call)
                os.kill(os.getpid(), signal.SIGTERM)  # the stream server is this process here
                seen.extend([stream.closed_by_server(), elsewhere])
        except InvalidStatus as refused:
            seen.append(refused.response.status_code)
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=caller)
    thread.start()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        stream_module.main(["--bind", f"{bind}:{port}"])  # returns once SIGTERM closed it all
    thread.join(timeout=10)
    assert seen == ([1001, None] if public else [403])  # heard on 127.0.0.1 alone
    assert not app.extensions["ivr"].store.step(call.sid).streaming
    assert said(caplog)[0] == (("INFO", "speech models loaded for none") if public else (
        "WARNING", "STREAM_URL is not set: no call starts a stream, and every handshake is "
        "refused (its signature is checked against that address); no model is loaded"))


def _connected(url: str, call: Call) -> MediaStream | None:
    try:
        return MediaStream(url, TOKEN, call.sid, call.stream_parameters).start()
    except OSError:
        return None
