"""Who the stream server lets in and what it tells them: Twilio's signed handshake (at the
public address a proxy stands behind), the call's own proof in `start`, one stream per call
and STREAM_MAX in all; each stream it closes gets a close code and reason, and the operator
a line in the log saying why. No speech model is loaded: none of this hears audio."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from ivr_app.call import stream as stream_module
from ivr_app.call.utterances import FRAME_BYTES
from ivr_app.demo.media_stream import MediaStream, signed_headers
from ivr_app.platform.security import STREAM_PROOF, stream_proof
from tests.conftest import TOKEN
from tests.stream import BargeLine, DoorLine

LOGGER = stream_module.__name__


@pytest.fixture
def line(make_app, redis) -> Iterator[DoorLine]:
    built = DoorLine(make_app)
    yield built
    built.stop()


def said(caplog) -> list[tuple[str, str]]:
    """What the stream server logged: (level, message)."""
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def closed(stream: MediaStream) -> tuple[int | None, str]:
    code = stream.closed_by_server()
    return code, stream.ws.close_reason if code is not None else ""


@pytest.mark.parametrize("signer", ["no one", "another token", "for another path"])
def test_a_handshake_twilio_did_not_sign_is_refused_before_any_audio(line, signer):
    call = line.call()
    url, token = {"no one": (line.url, None),
                  "another token": (line.url, "a-token-that-is-not-ours-4421"),
                  "for another path": (line.url.replace("/stream", "/other"), TOKEN)}[signer]
    with pytest.raises(InvalidStatus) as refused:
        MediaStream(line.url, None, call.sid, headers=signed_headers(url, token)
                    if token else None)
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b"not signed by Twilio\n"
    assert not line.streaming(call)


def test_the_server_hears_on_the_address_it_is_given_alone(line):
    call = line.call()
    elsewhere = line.url.replace("127.0.0.1", "127.0.0.2")  # the same machine, another address
    with pytest.raises(OSError):
        MediaStream(elsewhere, None, call.sid, headers=signed_headers(line.url, TOKEN))


def test_behind_a_proxy_the_handshake_is_checked_against_the_public_address(make_app, redis):
    public = "wss://ivr.example.org/stream"
    line = DoorLine(make_app, public=public)
    try:
        call = line.call()
        with pytest.raises(InvalidStatus):  # signed for the address the server listens on
            MediaStream(line.url, TOKEN, call.sid, call.stream_parameters)
        with MediaStream(line.url, None, call.sid, call.stream_parameters,
                         headers=signed_headers(public, TOKEN)).start():
            BargeLine.wait_for(lambda: line.streaming(call) or None, "the stream heard")
    finally:
        line.stop()


@pytest.mark.parametrize("insecure", [True, False])
def test_without_an_auth_token_only_a_development_line_takes_streams(make_app, redis,
                                                                     insecure):
    line = DoorLine(make_app, config={"TWILIO_AUTH_TOKEN": "", "INSECURE_DEV": insecure})
    try:
        if insecure:
            call = line.call()
            with MediaStream(line.url, None, call.sid, call.stream_parameters).start():
                BargeLine.wait_for(lambda: line.streaming(call) or None, "the stream heard")
        else:  # its webhooks are refused too: no call gets this far
            with pytest.raises(InvalidStatus) as refused:
                MediaStream(line.url, None, "CA" + "4" * 32)
            assert refused.value.response.status_code == 403
    finally:
        line.stop()


def test_streams_past_capacity_are_refused_and_the_operator_is_told(make_app, redis, caplog):
    line = DoorLine(make_app, max_streams=2)
    try:
        first, second, third = line.call(), line.call(), line.call()
        with caplog.at_level(logging.INFO, logger=LOGGER), \
                MediaStream(line.url, TOKEN, first.sid, first.stream_parameters).start(), \
                MediaStream(line.url, TOKEN, second.sid, second.stream_parameters).start() as two:
            with pytest.raises(InvalidStatus) as refused:
                MediaStream(line.url, TOKEN, third.sid, third.stream_parameters)
            assert refused.value.response.status_code == 503
            assert refused.value.response.body == b"at capacity\n"
            two.stop()
            assert two.closed_by_server() == 1000
            with MediaStream(line.url, TOKEN, third.sid, third.stream_parameters).start():
                BargeLine.wait_for(lambda: line.streaming(third) or None, "a place freed")
        assert said(caplog) == [("WARNING", "stream refused: 2 streams already live")]
    finally:
        line.stop()


@pytest.mark.parametrize("start", [
    "not an object", {"callSid": 8675309}, {"customParameters": "proof"},
    {"customParameters": {STREAM_PROOF: 42}}])
def test_a_start_that_names_no_call_or_no_proof_is_closed(line, start, caplog):
    call = line.call()
    with caplog.at_level(logging.INFO, logger=LOGGER), \
            MediaStream(line.url, TOKEN, call.sid) as stream:
        if isinstance(start, dict):
            start = {"callSid": call.sid, "customParameters": call.stream_parameters} | start
        stream.send({"event": "start", "start": start})
        assert closed(stream) == (1008, "not this call's stream")
    sid = start.get("callSid") if isinstance(start, dict) else None
    assert said(caplog) == [("WARNING",
                             f"stream for {str(sid)[:40]} closed: not that call's proof")]
    assert not line.streaming(call)


def test_a_stream_whose_proof_is_not_ours_is_closed_and_logged_by_its_call(line, caplog):
    long_sid = "CA" + "7" * 48  # not Twilio's length: the log keeps its first 40 characters
    with caplog.at_level(logging.INFO, logger=LOGGER), \
            MediaStream(line.url, TOKEN, long_sid, {STREAM_PROOF: "f" * 64}).start() as stream:
        assert closed(stream) == (1008, "not this call's stream")
    assert said(caplog) == [("WARNING",
                             f"stream for {long_sid[:40]} closed: not that call's proof")]


@pytest.mark.parametrize("which", ["never dialled", "hung up"])
def test_a_stream_for_a_call_not_at_a_question_is_closed(line, which, caplog):
    if which == "hung up":
        call = line.call()
        call.hang_up()
        sid = call.sid
    else:
        sid = "CA" + "3" * 48
    with caplog.at_level(logging.INFO, logger=LOGGER), MediaStream(
            line.url, TOKEN, sid, {STREAM_PROOF: stream_proof(TOKEN, sid)}).start() as stream:
        assert closed(stream) == (1008, "no call at a question")
    assert said(caplog) == [("INFO", f"stream for {sid[:40]} closed: no such call at a question")]
    assert not line.ivr.store.step(sid).streaming


def test_a_second_stream_of_a_call_is_closed_and_the_first_keeps_its_place(line, caplog):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as first:
        BargeLine.wait_for(lambda: line.streaming(call) or None, "the first stream")
        with caplog.at_level(logging.INFO, logger=LOGGER), MediaStream(
                line.url, TOKEN, call.sid, call.stream_parameters).start() as second:
            assert closed(second) == (1008, "the call has a stream")
        assert said(caplog) == [("WARNING",
                                 f"stream for {call.sid} closed: the call has a stream already")]
        first.quiet(0.1, speed=5.0)
        assert line.streaming(call)  # the closed one took nothing of the first's
        first.stop()
        assert closed(first) == (1000, "stopped")
    BargeLine.wait_for(lambda: not line.streaming(call) or None, "the stream forgotten")


def test_a_connection_that_never_starts_is_closed_soon_whatever_it_sends(make_app, redis):
    line = DoorLine(make_app, start_seconds=0.4)
    try:
        call = line.call()
        with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters) as stream:
            opened = time.monotonic()
            while not stream.closed and time.monotonic() - opened < 2:
                stream.send({"event": "mark", "mark": {"name": "early"}})
                stream.frame(b"\xff" * FRAME_BYTES)  # audio before `start` counts for nothing
                time.sleep(0.05)
            assert closed(stream) == (1008, "no start")
            assert 0.3 < time.monotonic() - opened < 1.0
        assert not line.streaming(call)
    finally:
        line.stop()


def test_a_stream_that_stops_frees_its_call_and_counts_its_frames(line):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as stream:
        BargeLine.wait_for(lambda: line.streaming(call) or None, "the stream")
        stream.quiet(0.26, speed=10.0)  # 13 frames
        stream.stop()
        assert closed(stream) == (1000, "stopped")
    assert line.server.frames == 13  # what the benchmark reads
    # its next question records spoken answers again
    BargeLine.wait_for(lambda: not line.streaming(call) or None, "the stream forgotten")
