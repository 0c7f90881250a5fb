"""What the stream server closes: a stream that is not its call's, a second stream of a call,
frames larger than Twilio sends, connections that never start or send no audio; and what a
flood of such streams costs the real server, read from /proc."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from ivr_app.call.stream import MAX_FRAME, STREAM_BYTES
from ivr_app.call.utterances import FRAME_BYTES
from ivr_app.demo.media_stream import MediaStream, stream_parameters
from ivr_app.demo.simulator import Call
from tests.conftest import TOKEN
from tests.stream import BargeLine, DoorLine, StreamProcess


@pytest.fixture
def line(make_app, redis) -> Iterator[DoorLine]:
    built = DoorLine(make_app)
    yield built
    built.stop()


def test_each_call_is_given_its_own_proof_for_its_stream(line):
    first, second = line.call(), line.call()
    assert set(first.stream_parameters) == {"proof"}
    assert first.stream_parameters != second.stream_parameters
    # the kept TwiML of a turn never carries one call's proof to another
    assert stream_parameters(line.ivr.store.answer(second.sid, None)) == second.stream_parameters


@pytest.mark.parametrize("shown", ["none", "another call's", "made up"])
def test_a_stream_without_its_own_calls_proof_is_closed(line, shown):
    other, call = line.call(), line.call()
    parameters = {"none": {}, "another call's": other.stream_parameters,
                  "made up": {"proof": "0" * 64}}[shown]
    with MediaStream(line.url, TOKEN, call.sid, parameters).start() as stream:
        assert stream.closed_by_server() == 1008
    assert not line.streaming(call)
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as stream:
        BargeLine.wait_for(lambda: line.streaming(call) or None, "the call's own stream")


def test_a_call_has_one_stream_at_a_time(line):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as first:
        BargeLine.wait_for(lambda: line.streaming(call) or None, "the first stream")
        with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as second:
            assert second.closed_by_server() == 1008
        first.quiet(0.2, speed=4.0)
        assert first.closed_by_server(timeout=0.3) is None  # the first hears on
        first.stop()
    BargeLine.wait_for(lambda: not line.streaming(call) or None, "the first stream gone")
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start():  # Twilio again
        BargeLine.wait_for(lambda: line.streaming(call) or None, "a new stream")


@pytest.mark.parametrize("size", [45_000, MAX_FRAME + 1])
def test_a_frame_larger_than_twilio_sends_closes_the_stream(line, size):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as stream:
        stream.frame(b"\xff" * FRAME_BYTES)
        stream.frame(b"\xff" * MAX_FRAME)  # a margin over the 20 ms Twilio sends
        assert stream.closed_by_server(timeout=0.3) is None
        stream.frame(b"\xff" * size)
        assert stream.closed_by_server() == 1009


@pytest.mark.drill  # two seconds of real waiting
def test_a_connection_that_never_says_start_is_closed_after_two_seconds(line):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters) as stream:
        opened = time.monotonic()
        while not stream.closed and time.monotonic() - opened < 4:
            stream.send({"event": "mark", "mark": {"name": "held"}})
            time.sleep(0.1)
        assert stream.closed_by_server(timeout=1.0) == 1008
        assert 1.8 < time.monotonic() - opened < 3.2


def test_messages_without_audio_do_not_keep_a_stream_open(make_app, redis):
    line = DoorLine(make_app, idle_seconds=0.5)
    try:
        call = line.call()
        with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters).start() as stream:
            stream.quiet(1.2)  # line silence is audio: it keeps the stream open
            assert stream.closed_by_server(timeout=0.1) is None
            began = time.monotonic()
            while not stream.closed and time.monotonic() - began < 3:
                stream.send({"event": "mark", "mark": {"name": "held"}})
                stream.send({"event": "media", "media": {"payload": "@@"}})  # no audio in it
                time.sleep(0.05)
            assert stream.closed_by_server(timeout=1.0) == 1001
            assert stream.ws.close_reason == "no audio"
            assert time.monotonic() - began < 1.5
    finally:
        line.stop()


def flood(url: str, call: Call, frame: bytes, count: int) -> None:
    """A stream that sends `count` frames of `frame` as fast as it can, then `stop`, and waits
    for the server to have read them all (or closed it)."""
    with MediaStream(url, TOKEN, call.sid, call.stream_parameters).start() as stream:
        for _ in range(count):
            stream.frame(frame)
        stream.stop()
        stream.closed_by_server(timeout=60)


@pytest.mark.drill  # the stream server, a process of its own
def test_a_flood_of_large_frames_leaves_the_real_server_small_and_answering(
        make_app, redis, redis_url):
    with StreamProcess(redis_url, STREAM_MAX="40") as server:
        app = make_app(STREAM_URL=server.url)
        calls = [Call(app, TOKEN).dial() for _ in range(21)]
        flood(server.url, calls[0], os.urandom(FRAME_BYTES), 100)  # warm: every path taken once
        time.sleep(0.5)
        server.reset_peak()
        before = server.peak_mb()
        floods = [threading.Thread(target=flood, args=(
            server.url, call, os.urandom(45_000 if i % 2 else MAX_FRAME), 250))
            for i, call in enumerate(calls[1:])]
        for thread in floods:
            thread.start()
        time.sleep(0.3)
        began = time.monotonic()  # a caller's stream meanwhile opens at once
        fresh = Call(app, TOKEN).dial()
        with MediaStream(server.url, TOKEN, fresh.sid, fresh.stream_parameters).start():
            BargeLine.wait_for(lambda: app.extensions["ivr"].store.step(fresh.sid).streaming
                               or None, "a stream opened during the flood")
            opened = time.monotonic() - began
        for thread in floods:
            thread.join(timeout=60)
        peak = server.peak_mb()
    bound = 20 * STREAM_BYTES / 2**20
    assert bound < 8  # what 20 streams may hold, as stream.py states it
    assert peak - before < bound + 8, (before, peak)  # + the threads' and allocator's slack
    assert opened < 1.0
