"""One call, one story: late or shuffled events never bring an ended call back, and the
agent follows the caller's call from the ring to the wrap-up (state/lifecycle.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_app.callbacks.placing import request_callback
from tests.console.conftest import Browser, add_people
from tests.line import created_calls
from tests.survey import SURVEY

CUSTOMER = "+525512340001"


def holding(line):
    """A caller who pressed 1 for Spanish and 0 for a person: waiting in the support line."""
    return line.caller().dial().press("1").press("0")


def twilio_reports(call, status: str, sequence: int) -> None:
    """A status callback for the caller's call, numbered as Twilio numbers them."""
    call.post("/voice/status", {"CallStatus": status, "SequenceNumber": str(sequence),
                                "CallDuration": "30" if status == "completed" else ""})


def test_status_callbacks_that_arrive_shuffled_leave_the_call_completed(line):
    call = holding(line)
    twilio_reports(call, "completed", 3)
    twilio_reports(call, "in-progress", 1)
    twilio_reports(call, "ringing", 0)
    assert line.ivr.store.status(call.sid)["call"] == "completed"
    assert line.ivr.store.step(call.sid).ended
    assert list(line.ivr.queues.in_order("support")) == []


def test_a_status_behind_the_one_kept_changes_nothing_even_unnumbered(line):
    call = line.caller().dial()
    call.post("/voice/status", {"CallStatus": "in-progress"})
    call.post("/voice/status", {"CallStatus": "ringing"})
    assert line.ivr.store.status(call.sid)["call"] == "in-progress"


def test_a_step_after_completed_hangs_up_and_lines_nobody_up(line):
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("1")  # at the main menu
    seq, _ = line.ivr.store.load(call.sid)
    twilio_reports(call, "completed", 2)
    answer = call.post(f"/voice/step?seq={seq}", {"Digits": "0"})  # 0 comes late
    assert answer.endswith("<Response><Hangup /></Response>")
    line.run_jobs()
    assert list(line.ivr.queues.in_order("support")) == []
    assert line.ivr.queues.waiter(call.sid) is None
    assert created_calls(line) == []  # nobody rung for a caller who is gone


def test_the_caller_hangs_up_while_the_agent_rings_and_the_ringing_stops(line):
    line.agent("ana", ["es"], ["support"])
    call = holding(line)
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    assert line.ivr.roster.get("ana").status == "offered"
    call.hang_up()
    assert line.ivr.roster.get("ana").status == "available"
    assert line.standin.call(leg)["status"] == "canceled"  # her phone stops ringing
    line.standin.hang_up(leg)  # Twilio reports the canceled leg: nothing moves again
    assert line.ivr.roster.get("ana").status == "available"


def test_the_agent_is_offered_the_next_caller_when_the_one_ringing_hangs_up(line):
    line.agent("ana", ["es"], ["support"])
    first, second = holding(line), holding(line)
    line.run_jobs()
    first.hang_up()
    line.run_jobs()
    assert line.ivr.roster.get("ana").call == second.sid
    assert line.ivr.roster.get("ana").status == "offered"


def test_the_caller_hangs_up_mid_call_then_wrap_up_then_available(line):
    line.agent("ana", ["es"], ["support"])
    call = holding(line)
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")
    assert line.ivr.roster.get("ana").status == "busy"
    call.hang_up()
    assert line.standin.call(leg)["status"] == "completed"  # the conference ended her leg
    line.standin.hang_up(leg)  # and Twilio reports it
    assert line.ivr.roster.get("ana").status == "wrap-up"
    line.end_wrap_up("ana")
    assert line.ivr.roster.get("ana").status == "available"


def test_a_late_not_answered_report_does_not_set_an_agent_on_a_call_away(line):
    line.agent("ana", ["es"], ["support"])
    holding(line)
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")
    agent = line.ivr.roster.get("ana")
    assert not line.ivr.roster.follow("ana", agent.call, "not-taken", line.clock())
    assert line.ivr.roster.get("ana").status == "busy"


@pytest.fixture
def ana(line) -> Browser:
    """Ana, an agent of the support line, signed in to the console."""
    add_people(line.app)
    line.agent("ana", ["es"], ["support"], status="away")
    browser = Browser(line.app)
    browser.sign_in("ana")
    return browser


def callback_due(line, ana) -> tuple[str, str]:
    """A caller asked for a callback; its turn comes and the customer's phone rings for
    Ana. The callback's id and the call to the customer."""
    callback = request_callback(line.ivr, holding(line).sid, CUSTOMER)
    ana.post("/console/agent/status", {"status": "available"})
    line.run_jobs()
    [(customer, to)] = created_calls(line)
    assert to == CUSTOMER
    return callback.id, customer


def ringing_on_screen(ana) -> str:
    """The call Ana's screen says is ringing for her, as its Accept button posts it."""
    view = ana.get("/console/agent/live").get_json()
    assert view["agent"]["status"] == "offered"
    return view["call"]["call_sid"]


def test_a_callback_answered_by_the_customer_is_accepted_on_the_agents_screen(line, ana):
    callback, customer = callback_due(line, ana)
    line.agent_presses(line.standin.answer(customer), "1")  # "to talk to a person now, 1"
    accepted = ana.post("/console/agent/accept", {"call": ringing_on_screen(ana)})
    assert accepted.status_code == 200, accepted.get_json()
    assert line.ivr.roster.get("ana").status == "busy"
    agent_leg, _ = created_calls(line)[-1]
    assert f">call-{callback}</Conference>" in line.standin.answer(agent_leg)


def test_a_callback_accepted_while_the_customers_phone_rings_connects_when_they_answer(
        line, ana):
    callback, customer = callback_due(line, ana)
    assert ana.post("/console/agent/accept", {"call": ringing_on_screen(ana)}).status_code == 200
    line.agent_presses(line.standin.answer(customer), "1")
    agent_leg, to = created_calls(line)[-1]
    assert to == line.phone("ana")
    assert f">call-{callback}</Conference>" in line.standin.answer(agent_leg)


def test_an_accepted_callback_whose_customer_never_answers_frees_the_agent(line, ana):
    _, customer = callback_due(line, ana)
    ana.post("/console/agent/accept", {"call": ringing_on_screen(ana)})
    line.standin.fail_call(customer, "no-answer")
    assert line.ivr.roster.get("ana").status == "available"


def test_the_agent_hangs_up_and_the_callers_call_ends_after_the_survey(line):
    line.agent("ana", ["es"], ["support"])
    call = holding(line)
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")
    call.moved(line.standin.fetch_twiml(call.sid))  # Twilio puts the caller through
    line.standin.hang_up(leg)  # Ana puts the phone down
    assert line.ivr.roster.get("ana").status == "wrap-up"
    call.conference_ends()  # the caller's <Dial> action: the demo flow's survey
    assert call.heard[-2] == f"[es-MX] {SURVEY['resolved']['es']}"
    call.stays_silent()  # skipped: thanks, and the line hangs up
    assert call.last_heard() == f"[es-MX] {SURVEY['thanks']['es']}"
    assert call.ending.kind == "goodbye"


def test_a_try_a_call_that_reaches_a_person_and_ends_leaves_nobody_ringing(line, ana):
    ana.post("/console/agent/status", {"status": "available"})
    sol = Browser(line.app)
    sol.sign_in("sol")
    text = Path("flows/main.yaml").read_text(encoding="utf-8")
    sid = sol.post("/console/try/main", {"text": text}).get_json()["sid"]
    for key in ("1", "0"):
        sol.post(f"/console/try/call/{sid}", {"action": "press", "value": key})
    line.run_jobs()
    assert ringing_on_screen(ana) == sid
    [(leg, _)] = created_calls(line)
    sol.post(f"/console/try/call/{sid}", {"action": "hangup"})
    assert ana.get("/console/agent/live").get_json()["agent"]["status"] == "available"
    assert line.standin.call(leg)["status"] == "canceled"


def test_an_escalation_is_accepted_on_the_supervisors_screen(line, ana):
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    ana.post("/console/agent/status", {"status": "available"})
    call = holding(line)
    line.run_jobs()
    assert ana.post("/console/agent/accept", {"call": ringing_on_screen(ana)}).status_code == 200
    ana.post("/console/agent/escalate", {"call": call.sid, "note": "wants a refund"})
    line.run_jobs()
    sol = Browser(line.app)
    sol.sign_in("sol")
    assert ringing_on_screen(sol) == call.sid
    assert sol.post("/console/agent/accept", {"call": call.sid}).status_code == 200
    assert line.ivr.roster.get("sol").status == "busy"


def test_a_caller_escalated_who_hangs_up_frees_the_supervisor_ringing_too(line, ana):
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    ana.post("/console/agent/status", {"status": "available"})
    call = holding(line)
    line.run_jobs()
    ana.post("/console/agent/accept", {"call": ringing_on_screen(ana)})
    ana.post("/console/agent/escalate", {"call": call.sid, "note": "wants a refund"})
    line.run_jobs()
    assert line.ivr.roster.get("sol").status == "offered"
    call.hang_up()
    assert line.ivr.roster.get("sol").status == "available"


def test_a_call_reported_over_is_lined_up_by_no_path(line):
    call = line.caller().dial().press("1")
    twilio_reports(call, "completed", 2)
    assert not line.ivr.queues.join(call.sid, "support", "es", "asked for a person",
                                    line.clock())
    assert list(line.ivr.queues.in_order("support")) == []
