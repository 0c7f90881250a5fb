"""Callers interrupt a prompt by speaking: Twilio's Media Stream of the call is heard live by
the stream server (the real Korean Vosk model), which moves the call through the REST API."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from werkzeug.datastructures import MultiDict

from ivr_app.call import stream as stream_server
from ivr_app.call.barge_in import prompt_seconds
from ivr_app.demo.media_stream import MediaStream, mu_law_frames, signed_headers
from ivr_app.demo.simulator import BASE_URL
from ivr_app.platform.security import STREAM_PROOF, stream_proof, valid_signature
from tests.conftest import TOKEN
from tests.stream import BargeLine, StreamProcess
from tests.support.spoken import (
    AUDIO,
    ESCAPE_CLIPS,
    KO_MESSAGES,
    KO_MODEL,
    OPTION_CLIPS,
    clip,
    flow_text,
)

pytestmark = pytest.mark.speech

OFF_MENU = "ko-annyeong-150.wav"  # "안녕하세요": no option of the menu
# clips the rejection of off-menu speech lets through run after run (see spoken.py)
BOOKING, CANCELLING = OPTION_CLIPS["ko"][1], OPTION_CLIPS["ko"][2]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def line(make_app, redis, tmp_path) -> Iterator[BargeLine]:
    built = BargeLine(make_app, tmp_path)
    yield built
    built.close()


def spoken_events(line: BargeLine, call) -> list[tuple[str, str]]:
    state = line.ivr.store.step(call.sid).state
    return [(e["event"], e["input"]) for e in state["path"] if "input" in e]


@pytest.mark.parametrize(("name", "reason"), [(BOOKING, "option 2"), (CANCELLING, "option 3"),
                                              (ESCAPE_CLIPS["ko"], "asked for a person")])
def test_saying_an_option_during_the_prompt_moves_the_call_to_its_node(line, name, reason,
                                                                      caplog):
    call = line.call()
    with caplog.at_level(logging.INFO, logger=stream_server.__name__), line.stream(call) as stream:
        stream.play(clip(name), speed=2.0)
        update = line.moved_to(call)
    assert update.form["Url"] == f"{BASE_URL}/voice/step?seq=0"
    assert update.form["Method"] == "POST"
    assert (call.ending.kind, call.ending.reason) == ("human", reason)
    kind, said = spoken_events(line, call)[0]
    assert kind == "speech"
    logged = [r.getMessage() for r in caplog.records if r.name == stream_server.__name__]
    assert len(logged) == 1  # what was heard, how sure, and what became of it
    assert re.fullmatch(rf"call {call.sid} step 0: heard {re.escape(repr(said))} "
                        r"\((0|1)(\.\d+)?\): moved", logged[0]), logged


def test_a_key_pressed_while_the_caller_speaks_wins(line):
    call = line.call()
    frames = mu_law_frames(clip(BOOKING))
    with line.stream(call) as stream:
        stream.frames(frames[:8])  # the caller starts to say option 2...
        time.sleep(0.2)
        call.press("3")  # ...and presses 3 before the phrase ends
        stream.frames(frames[8:])
        stream.quiet(1.0, speed=4.0)
        time.sleep(0.5)
    assert line.moves(call) == []
    assert call.ending.reason == "option 3"
    assert spoken_events(line, call) == [("digits", "3")]


@pytest.mark.parametrize(("sound", "speed"), [(OFF_MENU, 2.0), ("noise-white-noise.wav", 3.0),
                                            ("noise-hum.wav", 3.0)])
def test_an_off_menu_phrase_or_steady_noise_over_the_prompt_changes_nothing(line, sound, speed):
    call = line.call()
    with line.stream(call) as stream:
        stream.play(clip(sound), speed=speed)
        time.sleep(0.5)
    assert line.moves(call) == []
    assert line.ivr.store.step(call.sid).seq == 0
    assert call.press("1").ending.reason == "option 1"


def test_an_off_menu_phrase_after_the_prompt_is_a_wrong_answer(line):
    call = line.call()
    playing = prompt_seconds(line.ivr.store.answer(call.sid, None))
    assert 3 < playing < 8  # "1, 2, 3.", how to reach a person, and the speech hint
    with line.stream(call) as stream:
        stream.quiet(playing, speed=1.0)  # the caller waits for the prompt to end
        stream.play(clip(OFF_MENU))
        line.moved_to(call)
    assert KO_MESSAGES["not_understood"] in call.heard[-3]
    assert call.waiting
    assert spoken_events(line, call)[0][0] == "unclear"


def test_malformed_messages_are_skipped_and_the_stream_goes_on(line):
    call = line.call()
    with MediaStream(line.url, TOKEN, call.sid, call.stream_parameters) as stream:
        stream.send({"event": "media", "media": {"payload": "AAAA"}})  # before `start`
        stream.ws.send("{not json")
        stream.ws.send(b"\x00\x01binary")
        stream.ws.send("[1, 2, 3]")
        stream.start()
        stream.send({"event": "media", "media": {"payload": "@@not base64@@"}})
        stream.send({"event": "media", "media": "nothing"})
        stream.send({"event": "start", "start": {"callSid": "CA" + "9" * 32}})  # a second one
        stream.play(clip(BOOKING), speed=2.0)
        line.moved_to(call)
    assert call.ending.reason == "option 2"


def test_a_stream_that_never_stops_is_closed_and_forgotten(make_app, redis, tmp_path):
    line = BargeLine(make_app, tmp_path, idle_seconds=0.5)
    try:
        call = line.call()
        with line.stream(call) as stream:
            stream.quiet(0.2, speed=2.0)  # then Twilio goes silent, without `stop`
            assert stream.closed_by_server(timeout=3.0) == 1001
        line.wait_for(lambda: not line.ivr.store.step(call.sid).streaming or None,
                      "the stream forgotten")
    finally:
        line.close()


def test_streams_past_capacity_are_refused_and_those_calls_keep_the_recording(
        make_app, redis, tmp_path):
    line = BargeLine(make_app, tmp_path, max_streams=1)
    try:
        heard, recorded = line.call(), line.call()
        with line.stream(heard):
            with pytest.raises(InvalidStatus) as refused:
                MediaStream(line.url, TOKEN, recorded.sid)
            assert refused.value.response.status_code == 503
            heard.press("7")
            recorded.press("7")  # a wrong key: the question is asked again
        assert "<Record" not in line.ivr.store.answer(heard.sid, 0)  # the stream hears it
        assert "<Record" in line.ivr.store.answer(recorded.sid, 0)
    finally:
        line.close()


def test_simulate_plays_a_wav_over_the_prompt_through_a_media_stream(redis_url, redis, tmp_path):
    (tmp_path / "line.yaml").write_text(flow_text("ko"), encoding="utf-8")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ko").symlink_to(KO_MODEL)
    done = subprocess.run(
        [sys.executable, "-m", "ivr_app", "simulate", str(tmp_path / "line.yaml"), "--script",
         f"stream: {AUDIO / OFF_MENU},stream: {AUDIO / CANCELLING}"],
        cwd=ROOT, text=True, capture_output=True, timeout=60,
        env={**os.environ, "REDIS_URL": redis_url, "VOSK_MODELS_DIR": str(tmp_path / "models")})
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    first, second = (i for i, line in enumerate(said) if "speaks over the prompt" in line)
    assert said[first + 1] == "IVR    (nothing understood: the prompt plays on)"
    assert said[second + 1] == "IVR    (the prompt is cut short: the call moves on)"
    assert said[-1] == "Call ended with: a person (queue 'support', reason: option 3)"


def test_the_stream_follows_the_call_to_its_next_question(line):
    call = line.call()
    with line.stream(call) as stream:
        call.press("7")  # a wrong key: the question is asked again, as step 1
        stream.play(clip(CANCELLING), speed=2.0)
        update = line.moved_to(call)
    assert update.form["Url"] == f"{BASE_URL}/voice/step?seq=1"
    assert call.ending.reason == "option 3"


def test_when_twilio_refuses_the_move_the_decided_answer_plays_after_the_prompt(line):
    call = line.call()
    line.standin.fail_next(1, status=500, path=f"/Calls/{call.sid}")
    with line.stream(call) as stream:
        stream.play(clip(BOOKING), speed=2.0)
        line.wait_for(lambda: line.ivr.store.step(call.sid).seq or None, "the step taken")
    assert call.stays_silent().ending.reason == "option 2"  # the <Gather> ends, as it does
    late = call.post("/voice/step?seq=0", {"Digits": "3"})  # a key after the phrase won
    assert late == line.ivr.store.answer(call.sid, 0)


def test_a_handshake_signed_with_or_without_the_wss_default_port_is_accepted():
    """Twilio may sign the URL with :443 written out or left out, as for webhooks."""
    url = "wss://ivr.example.com/stream"
    for signed in (url, "wss://ivr.example.com:443/stream"):
        given = signed_headers(signed, TOKEN)["X-Twilio-Signature"]
        assert valid_signature(TOKEN, url, MultiDict(), given)
    assert not valid_signature(TOKEN, url, MultiDict(), signed_headers(
        "wss://ivr.example.com:80/stream", TOKEN)["X-Twilio-Signature"])


def test_the_procfile_stream_process_checks_handshakes_and_closes_unknown_calls(redis_url,
                                                                              redis):
    unknown = "CA" + "1" * 32
    with StreamProcess(redis_url) as server:
        with pytest.raises(InvalidStatus):
            MediaStream(server.url, None, unknown)
        with MediaStream(server.url, TOKEN, unknown, proof(unknown)).start() as stream:
            assert stream.closed_by_server() == 1008
        server.process.terminate()
        assert server.process.wait(timeout=10) == 0  # SIGTERM: streams closed, then it exits


def proof(sid: str) -> dict[str, str]:
    """The `<Stream>` parameters the app gives call `sid` (tests of calls it never answered)."""
    return {STREAM_PROOF: stream_proof(TOKEN, sid)}
