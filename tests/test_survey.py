"""When the agent hangs up, the caller is asked whether their problem was solved."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ivr_app.demo.demo_line import DemoTwilio
from ivr_app.demo.simulator import Call
from ivr_app.flow.errors import FlowError
from ivr_app.flow.validate import load_flow
from ivr_app.state.surveys import Surveys
from tests.line import Line, created_calls
from tests.support.workers import wait_for
from tests.survey import (
    SURVEY,
    a_line_with_survey,
    helped_by,
    taken_by_the_next,
    with_survey,
    without_survey,
)

ESCAPE = "[es-MX] Para hablar con una persona, marque cero."


@pytest.fixture
def line(make_app, redis, tmp_path):
    with a_line_with_survey(make_app, tmp_path) as line:
        yield line


def helped_by_ana(line: Line, lang_key: str = "1", number: str = "") -> Call:
    return helped_by(line, "ana", lang_key, "0", number=number)


def test_a_helped_caller_says_it_was_solved_and_rates_the_call(line):
    call = helped_by_ana(line)
    assert call.heard[-2:] == [f"[es-MX] {SURVEY['resolved']['es']}", ESCAPE]
    assert line.standin.call(call.sid)["status"] == "in-progress"  # not hung up on
    assert line.ivr.roster.get("ana").status == "wrap-up"
    call.press("1")
    assert call.last_heard() == f"[es-MX] {SURVEY['rating']['es']}"
    call.press("4")
    assert call.last_heard() == f"[es-MX] {SURVEY['thanks']['es']}"
    assert call.ending.kind == "goodbye"
    assert Surveys(line.ivr.redis).summary(call.sid) == {"resolved": True, "rating": 4}


def test_the_survey_is_asked_in_the_callers_language(line):
    call = helped_by_ana(line, lang_key="2")
    assert call.heard[-2] == f"[en-US] {SURVEY['resolved']['en']}"


def test_a_caller_who_stays_silent_skips_the_survey(line):
    call = helped_by_ana(line)
    call.stays_silent()
    assert call.last_heard() == f"[es-MX] {SURVEY['thanks']['es']}"
    assert call.ending.kind == "goodbye"
    assert Surveys(line.ivr.redis).summary(call.sid) == {"resolved": None, "rating": None}


def test_zero_at_the_survey_still_reaches_a_person(line):
    call = helped_by_ana(line)
    call.press("0")
    assert call.ending.kind == "human" and call.ending.queue == "support"
    assert line.ivr.queues.position("support", call.sid) == 1
    assert line.ivr.queues.waiter(call.sid).reason == "asked for a person"


def test_not_solved_offers_a_callback_from_the_callers_old_place(line):
    call = helped_by_ana(line, number="+525512349901")  # a mobile we may call back
    call.press("2").stays_silent()  # no, and no rating
    assert call.heard[-2].startswith("[es-MX] Le llamaremos al ")  # the callback offer
    assert Surveys(line.ivr.redis).summary(call.sid) == {"resolved": False, "rating": None}
    call.press("1").press("1")  # that number, as soon as it is their turn
    assert call.last_heard() == "[es-MX] Gracias por llamar. Hasta luego."
    booked = line.ivr.redis.hget(f"ivr:callback-offer:{call.sid}", "callback")
    assert line.ivr.callbacks.get(booked).number == call.caller
    assert line.ivr.queues.position("support", booked) == 1


def test_an_answer_after_the_surveys_seconds_is_not_taken(line):
    call = helped_by_ana(line)
    line.clock.advance(31)
    call.press("2")
    assert call.last_heard() == f"[es-MX] {SURVEY['thanks']['es']}"
    assert Surveys(line.ivr.redis).summary(call.sid) == {"resolved": None, "rating": None}


def test_a_repeated_dial_action_asks_the_question_it_stands_at(line):
    call = helped_by_ana(line)
    call.press("1")
    again = call.post("/voice/survey", {"DialCallStatus": "completed"})
    assert SURVEY["rating"]["es"] in again and SURVEY["resolved"]["es"] not in again


def test_a_caller_who_hung_up_first_is_not_surveyed(line):
    call = helped_by_ana(line)
    answer = call.post("/voice/survey", {"CallStatus": "completed"})
    assert "<Hangup" in answer and "Gather" not in answer


def test_an_escalated_caller_is_surveyed_after_the_supervisor_not_on_the_way(line):
    """Ana escalates: the call update that takes the caller to the supervisors' line makes
    Twilio ask the caller's <Dial> action, whose answer is not played; nothing begins there.
    Sol takes the call and hangs up: then the caller is asked."""
    line.agent("ana", ["es"], ["support"])
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    call = line.caller().dial().press("1").press("0")
    taken_by_the_next(line, call)
    line.post(f"/api/calls/{call.sid}/escalate", {"agent": "ana", "note": "quiere un reembolso"})
    call.moved(line.standin.fetch_twiml(call.sid))  # out of Ana's room, into the line
    assert Surveys(line.ivr.redis).get(call.sid) is None, "no survey begun on the way"
    assert not any(SURVEY["resolved"]["es"] in heard for heard in call.heard)
    sol = taken_by_the_next(line, call)
    line.standin.hang_up(sol)
    call.conference_ends()
    assert call.heard[-2:] == [f"[es-MX] {SURVEY['resolved']['es']}", ESCAPE]


def test_without_a_survey_the_callers_dial_has_no_action_and_ends_with_the_agent(
        make_app, redis, twilio_standin, tmp_path):
    line = Line(make_app, twilio_standin, FLOWS_DIR=str(without_survey(tmp_path).parent))
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")
    assert "<Dial>" in line.standin.fetch_twiml(call.sid)
    line.standin.hang_up(leg)
    assert line.standin.call(call.sid)["status"] == "completed"
    assert Surveys(line.ivr.redis).get(call.sid) is None


def test_on_ups_demo_line_the_agent_hanging_up_takes_the_caller_to_the_survey(
        make_app, redis, tmp_path):
    """`up` without Twilio: the demo line ends the conference as Twilio does, and the
    caller's <Dial> action answers with the survey, which the caller then hears."""
    with_survey(tmp_path)
    demo = DemoTwilio().start()
    web = requests.Session()
    web.trust_env = False
    try:
        line = Line(make_app, demo, FLOWS_DIR=str(tmp_path))
        line.agent("ana", ["es"], ["support"])
        call = line.caller().dial().press("1").press("0")
        line.run_jobs()
        leg, _ = created_calls(line)[-1]
        web.post(f"{demo.url}/demo/calls/{leg}/answer")
        wait_for(lambda: "<Gather" in demo.heard.get(leg, ""), 15, "the whisper")
        web.post(f"{demo.url}/demo/calls/{leg}/press", data={"Digits": "1"})
        wait_for(lambda: "<Conference" in demo.heard.get(call.sid, ""), 15, "the bridge")
        call.moved(demo.heard[call.sid])
        web.post(f"{demo.url}/demo/calls/{leg}/hangup")
        wait_for(lambda: "<Gather" in demo.heard[call.sid], 15, "the survey")
    finally:
        demo.stop()
    call.moved(demo.heard[call.sid])
    assert call.heard[-2:] == [f"[es-MX] {SURVEY['resolved']['es']}", ESCAPE]
    assert not call.room and call.waiting


# -- lint -------------------------------------------------------------------------------

def problems(path: Path) -> list[str]:
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    return [str(p) for p in caught.value.problems]


def test_lint_names_a_survey_question_missing_a_language_with_its_line(tmp_path):
    path = with_survey(tmp_path, thanks={"es": "Gracias."})
    line = path.read_text().splitlines().index("  thanks:") + 1
    assert problems(path) == [f"{path}:{line + 1}:5: 'thanks' has no 'en' translation "
                              "[translation]"]


def test_lint_refuses_a_survey_longer_than_thirty_seconds(tmp_path):
    path = with_survey(tmp_path, seconds=45)
    line = path.read_text().splitlines().index("  seconds: 45") + 1
    assert problems(path) == [f"{path}:{line}:12: 'seconds' must be seconds from 10 to 30, "
                              "not 45 [range]"]


def test_lint_refuses_questions_whose_waits_outlast_the_survey(tmp_path):
    path = with_survey(tmp_path, timeout=8, seconds=15)
    line = path.read_text().splitlines().index("survey:") + 1
    assert problems(path) == [
        f"{path}:{line}:1: 2 questions with the flow's timeout of 8 s wait up to 16 s for keys, "
        "more than the survey's 15 s: lower 'timeout' or leave out 'rating' [survey-time]"]
