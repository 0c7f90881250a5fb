"""A call's state and its steps as Redis keeps them: what a live media stream reads of the
question a caller is at, one stream per call, a question asked while a stream hears the
caller, a step that cannot settle, and how long a call is kept."""

from __future__ import annotations

import time

import pytest

from ivr_app.demo.simulator import Call
from ivr_app.state.calls import (
    ANSWER_KEY,
    CALL_KEY,
    CALL_TTL,
    FLOW_SOURCE_KEY,
    NOTES_KEY,
    Step,
    UnknownStep,
)
from ivr_app.state.recent import RecentSteps
from tests.conftest import TOKEN, distinct_number
from tests.test_webhook import Ear

STREAM = "MZ" + "1" * 32
OTHER_STREAM = "MZ" + "2" * 32


def test_a_stream_reads_the_question_a_caller_is_at_when_it_was_asked_and_whether_it_is_over(
        call, store):
    before = time.time()
    call.dial().press("2")  # English: now at the main menu, step 1
    at = store.step(call.sid)
    assert (at.seq, at.state["lang"], at.state["node"]) == (1, "en", "main_menu")
    assert at.open and not at.streaming and not at.ended
    assert before - 1 < at.asked < time.time() + 1  # a prompt still playing is told by it
    call.hang_up()
    over = store.step(call.sid)
    assert over.ended and not over.open and over.seq == 1
    never = store.step("CA" + "4" * 32)
    assert never == Step(None, None, 0.0, False, False) and not never.open


def test_while_a_stream_hears_the_caller_the_questions_record_nothing(app, store):
    ivr = app.extensions["ivr"]
    ivr.recognizer = ivr.listener = Ear()  # a line that hears Spanish and English
    call = Call(app, TOKEN, caller=distinct_number()).dial()
    assert "<Record" in store.answer(call.sid, None)  # no stream: the answer is recorded
    assert store.stream_live(call.sid, STREAM, 60) and store.step(call.sid).streaming
    asked_again = call.post("/voice/step?seq=0", {"Digits": "7"})  # a wrong key
    assert "<Gather" in asked_again and "<Record" not in asked_again  # the stream hears it
    assert not store.stream_live(call.sid, OTHER_STREAM, 60), "one stream per call"
    store.stream_ended(call.sid, OTHER_STREAM)  # not the live one: it changes nothing
    assert store.step(call.sid).streaming
    store.stream_ended(call.sid, STREAM)
    assert not store.step(call.sid).streaming
    assert "<Record" in call.post("/voice/step?seq=1", {"Digits": "9"})  # recorded again


def test_a_step_whose_stream_keeps_starting_and_ending_is_given_up_not_decided_forever(
        call, store):
    call.dial()
    store.recent = RecentSteps()  # another process: it reads the call first
    decided: list[bool] = []

    def decide(state, streaming):
        decided.append(streaming)  # and meanwhile the stream starts, or ends
        if streaming:
            store.stream_ended(call.sid, STREAM)
        else:
            store.stream_live(call.sid, STREAM, 60)
        return state, "<Response/>"

    with pytest.raises(UnknownStep, match="its stream kept starting and ending"):
        store.take(call.sid, 0, decide)
    assert decided == [False, True]  # read, decided, read again, decided again: no more
    assert store.load(call.sid)[0] == 0 and store.answer(call.sid, 0) is None


def test_a_step_that_comes_after_the_caller_hung_up_hangs_up_in_any_process(call, store):
    call.dial().press("1")  # at the main menu, step 1
    call.hang_up()
    store.recent = RecentSteps()  # another process: it reads the call first
    answer = call.post("/voice/step?seq=1", {"Digits": "0"})  # 0 comes late
    assert answer.endswith("<Response><Hangup /></Response>")
    assert store.load(call.sid)[0] == 1  # nothing decided


def test_a_call_its_notes_and_its_flow_text_are_kept_six_hours_from_its_last_step(
        app, call, store, redis):
    flow = app.extensions["ivr"].registry.current("main")
    source = FLOW_SOURCE_KEY.format(name=flow.name, version=flow.version)
    redis.delete(source)  # lost (a failover, a flush): the next call brings it back
    call.dial().press("1")
    store.add_note(call.sid, "ana: called about the outage")
    for key in (CALL_KEY.format(sid=call.sid), ANSWER_KEY.format(sid=call.sid, seq=0),
                NOTES_KEY.format(sid=call.sid), source):
        assert CALL_TTL - 60 < redis.ttl(key) <= CALL_TTL == 6 * 3600, key


def test_a_missing_replica_is_told_again_once_a_minute_has_passed(make_app, caplog):
    app = make_app(REDIS_WAIT_REPLICAS=1, REDIS_WAIT_MS=10)  # this Redis has no replica
    store = app.extensions["ivr"].store
    with caplog.at_level("WARNING", logger="ivr_app.state.calls"):
        call = Call(app, TOKEN, caller=distinct_number()).dial()  # told: the first step
        call.press("1")  # a moment later: not again
        assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
        store._warned = time.monotonic() - 59  # told 59 s ago: not again yet
        call.press("2")
        store._warned = time.monotonic() - 60.5  # told a minute and a half-second ago
        call.press("12345674")
    told = [r.getMessage() for r in caplog.records if r.name == "ivr_app.state.calls"]
    assert told == ["a step reached 0 of 1 replicas within 10 ms"] * 2
