"""The demo line plays what Twilio does on its own time: a ring that times out, a call
update that moves a caller out of the line at once, a call ended through the API reported
to its status callback, conference rooms that end and finish the `<Dial>` of those still in
them (docs/demo-twilio.md)."""

from __future__ import annotations

import pytest
import requests

from ivr_app.demo.demo_line import DemoTwilio
from tests.line import Line, created_calls
from tests.support.workers import wait_for
from tests.survey import SURVEY

SURVEY_ASKED = SURVEY["resolved"]["es"]


@pytest.fixture
def ring_seconds() -> int:
    return 30


@pytest.fixture
def line(make_app, redis, ring_seconds):
    """The line with Twilio played by the demo line, agents rung `ring_seconds`."""
    standin = DemoTwilio().start()
    try:
        yield Line(make_app, standin, AGENT_RING_SECONDS=ring_seconds)
    finally:
        standin.stop()


@pytest.mark.parametrize("ring_seconds", [1])
def test_a_ring_nobody_answers_passes_the_call_to_the_next_agent(line):
    line.agent("ana", ["es"], ["support"], since_s=60)  # idle the longest: rung first
    line.agent("bob", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(ana_leg, _)] = created_calls(line)
    wait_for(lambda: line.ivr.roster.get("ana").status == "away", 10,
             "Ana's phone to stop ringing after the ring time, and Twilio to say so")
    assert line.standin.call(ana_leg)["status"] == "no-answer"
    line.run_jobs()
    assert created_calls(line)[-1][1] == line.phone("bob")
    assert {"status": "offered", "call": call.sid} in [
        {k: e[k] for k in ("status", "call")} for e in line.ivr.roster.history("bob")]


def test_an_accepted_caller_leaves_the_line_for_the_agents_conference_at_once(line):
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")
    heard = wait_for(lambda: line.standin.heard.get(call.sid), 10,
                     "Twilio to fetch the caller's new TwiML")
    assert f">call-{call.sid}</Conference>" in heard


def test_a_call_ended_through_the_api_is_reported_to_its_status_callback(line):
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    call.hang_up()  # the line cancels Ana's ringing phone; Twilio reports it canceled
    wait_for(lambda: any(h.url.endswith("agent=ana") and h.params["CallStatus"] == "canceled"
                         for h in line.standin.webhooks), 10, "the canceled leg's report")
    assert line.standin.call(leg)["status"] == "canceled"
    assert line.ivr.roster.get("ana").status == "available"


def on_the_demo_line(line, sid: str, action: str, digits: str = "") -> None:
    """What a person on a placed call does, through the demo line's own routes."""
    done = requests.post(f"{line.standin.url}/demo/calls/{sid}/{action}", timeout=5,
                         data={"Digits": digits})
    assert done.status_code == 202, done.text


def in_the_room(line, caller: str) -> tuple[str, str]:
    """Ana took the caller: her phone and the caller's call meet in the caller's room. The
    caller's call reports to the line's status URL, as the number's settings say."""
    line.agent("ana", ["es"], ["support"])
    line.standin.incoming_call(caller, "+525512340077", "+15005550001",
                               status_callback=f"{line.public}/voice/status")
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    on_the_demo_line(line, leg, "answer")
    wait_for(lambda: "<Gather" in line.standin.heard.get(leg, ""), 10, "the whisper")
    on_the_demo_line(line, leg, "press", "1")
    wait_for(lambda: line.standin.rooms.where(caller)[1], 10, "the two to talk in the room")
    return leg, caller


def ended_by_the_app(line, sid: str) -> list:
    return [r for r in line.standin.requests
            if r.path.endswith(f"/Calls/{sid}.json") and r.form.get("Status")]


def test_the_agent_hangs_up_and_the_room_ends_the_callers_call_as_twilio_does(line):
    caller = line.caller().dial().press("1").press("0").sid
    leg, _ = in_the_room(line, caller)
    on_the_demo_line(line, leg, "hangup")  # Ana puts her phone down
    wait_for(lambda: SURVEY_ASKED in line.standin.heard.get(caller, ""), 10,
             "the caller's <Dial> to end with the room (endConferenceOnExit), and its action "
             "to ask the demo flow's survey")
    wait_for(lambda: line.ivr.roster.get("ana").status == "wrap-up", 10, "Ana to wrap up")
    assert line.standin.call(caller)["status"] == "in-progress"  # on, for the survey
    line.standin.hang_up(caller)  # the caller does not answer it
    wait_for(lambda: line.standin.call(caller)["status"] == "completed", 10, "the end")
    assert ended_by_the_app(line, caller) == []  # the room did it, not a call update
    reports = [(h.params["CallStatus"], h.params["SequenceNumber"])
               for h in line.standin.webhooks
               if h.params["CallSid"] == caller and "SequenceNumber" in h.params]
    assert reports == [("completed", "0")]  # reported once
    assert line.ivr.store.status(caller)["call"] == "completed"


def test_the_caller_hangs_up_and_the_room_ends_the_agents_call(line):
    caller = line.caller().dial().press("1").press("0").sid
    leg, _ = in_the_room(line, caller)
    line.standin.hang_up(caller)  # the caller puts the phone down
    wait_for(lambda: line.standin.call(leg)["status"] == "completed", 10,
             "Ana's <Dial> to end with the room")
    wait_for(lambda: line.ivr.roster.get("ana").status == "wrap-up", 10, "Ana to wrap up")
    assert ended_by_the_app(line, leg) == []
    statuses = [h.params["CallStatus"] for h in line.standin.webhooks
                if h.params["CallSid"] == leg and "SequenceNumber" in h.params]
    assert statuses == ["in-progress", "completed"]


def into_the_room(line, sid: str, twiml: str) -> None:
    """A call update with Twiml (Twilio's REST API): the call plays it at once."""
    line.ivr.twilio.calls(sid).update(twiml=twiml)
    wait_for(lambda: line.standin.heard.get(sid) == twiml, 10, f"{sid} to play its TwiML")


def test_a_room_left_by_its_last_participant_without_end_on_exit_tells_nobody(line):
    first, second = line.caller().sid, line.caller().sid
    into_the_room(line, first, "<Response><Dial><Conference>r1</Conference></Dial></Response>")
    into_the_room(line, second, "<Response><Dial><Conference endConferenceOnExit='false'>"
                                "r1</Conference></Dial><Say>after</Say></Response>")
    line.standin.hang_up(first)  # endConferenceOnExit is false by default: the room goes on
    assert line.standin.call(second)["status"] == "in-progress"
    assert line.standin.heard[second].endswith("<Say>after</Say></Response>")


def test_a_room_that_ends_plays_the_verbs_after_dial_then_the_call_ends(line):
    agent, caller = line.caller().sid, line.caller().sid
    into_the_room(line, caller, "<Response><Dial><Conference>r2</Conference></Dial>"
                                "<Say>after the call</Say></Response>")
    into_the_room(line, agent, "<Response><Dial><Conference endConferenceOnExit='true'>r2"
                               "</Conference></Dial></Response>")
    line.standin.hang_up(agent)
    assert line.standin.heard[caller] == "<Response><Say>after the call</Say></Response>"
    assert line.standin.call(caller)["status"] == "completed"  # it played out


def test_a_room_that_ends_requests_the_dials_action_signed_and_plays_its_answer(line):
    agent, caller = line.caller().sid, line.caller().sid
    action = f"{line.public}/agent/whisper"  # it answers a call it does not know: goodbye
    into_the_room(line, caller, f"<Response><Dial action='{action}'><Conference>r3"
                                "</Conference></Dial><Say>never heard</Say></Response>")
    into_the_room(line, agent, "<Response><Dial><Conference endConferenceOnExit='true'>r3"
                               "</Conference></Dial></Response>")
    line.standin.hang_up(agent)
    [asked] = [h for h in line.standin.webhooks if h.url == action]
    assert asked.status == 200  # the app checked Twilio's signature
    assert (asked.params["CallSid"], asked.params["DialCallStatus"]) == (caller, "completed")
    assert "<Hangup />" in line.standin.heard[caller]
    assert "never heard" not in line.standin.heard[caller]
    assert line.standin.call(caller)["status"] == "completed"


def test_a_call_moved_out_of_its_room_requests_its_dials_action_and_plays_the_new_twiml(line):
    """Twilio asks a moved call's <Dial> action and plays nothing of its answer: the call
    plays the TwiML it was moved to (an escalation takes a caller from the agent's room)."""
    caller = line.caller().sid
    action = f"{line.public}/agent/whisper"
    into_the_room(line, caller, f"<Response><Dial action='{action}'><Conference>r4"
                                "</Conference></Dial></Response>")
    into_the_room(line, caller, "<Response><Gather><Say>moved on</Say></Gather></Response>")
    [asked] = [h for h in line.standin.webhooks if h.url == action]
    assert (asked.params["CallSid"], asked.params["DialCallStatus"]) == (caller, "completed")
    assert line.standin.call(caller)["status"] == "in-progress"
