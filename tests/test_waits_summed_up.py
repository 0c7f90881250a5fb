"""The wait a call's summary gives (workers/metrics.py): from entering the line to the
person who answered, never less than nothing."""

from __future__ import annotations

import pytest

from ivr_app.state.call_log import CallLog
from tests.line import Line, created_calls
from tests.survey import a_line_with_survey, helped_by


@pytest.fixture
def line(make_app, redis, tmp_path):
    with a_line_with_survey(make_app, tmp_path) as line:
        yield line


def summary(line: Line, sid: str) -> dict:
    line.run_jobs()
    [found] = [s for s in CallLog(line.ivr.redis).between(0, 2e10) if s["sid"] == sid]
    return found


def test_a_caller_answered_within_the_second_they_lined_up_waited_nothing(line):
    line.clock.advance(0.78)  # mid-second: the agent's answer is in the same second
    line.agent("ana", ["es"], ["support"])
    call = line.caller("+15005550041").dial().press("1").press("0")
    line.clock.advance(0.1)
    line.run_jobs()
    leg, _ = created_calls(line)[-1]
    line.agent_presses(line.standin.answer(leg), "1")
    call.hang_up()
    assert summary(line, call.sid)["waited_s"] == pytest.approx(0.1, abs=0.001)


def test_a_caller_back_in_line_after_the_survey_keeps_the_wait_before_their_agent(line):
    call = helped_by(line, "ana", "1", "0", number="+15005550042")  # 120 s with Ana
    call.press("0")  # not done: back in line for a person
    line.clock.advance(30)
    call.hang_up()
    found = summary(line, call.sid)
    assert (found["outcome"], found["agent"], found["waited_s"]) == ("person", "ana", 0)
