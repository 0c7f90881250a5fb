"""The agent's screen as data, and what an agent does from it: accept, escalate, call back,
wrap up. Twilio is the REST stand-in; jobs run as the worker would run them."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr_app.state.call_log import CallLog
from ivr_app.state.calls import CALL_TTL, NOTES_KEY
from tests.console.conftest import Browser, add_people
from tests.line import ACCOUNT, PUBLIC, created_calls

CUSTOMER = "+525512340001"


@pytest.fixture
def ana(line) -> Browser:
    add_people(line.app)
    line.agent("ana", ["es"], ["support"])
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    browser = Browser(line.app)
    browser.sign_in("ana")
    return browser


def ring_ana(line, number: str = ""):
    call = line.caller(number).dial().press("1").press("1").press(ACCOUNT).press("1").press("0")
    line.run_jobs()
    return call


def test_the_ringing_call_carries_its_whole_story(line, ana):
    earlier = line.caller(CUSTOMER)
    earlier.dial().press("1")  # hangs up at the main menu: nothing to go on with later
    earlier.hang_up()
    line.run_jobs()
    call = ring_ana(line, CUSTOMER)  # the same customer calls again
    view = ana.get("/console/agent/live").get_json()
    assert view["agent"]["status"] == "offered"
    story = view["call"]
    assert (story["call_sid"], story["caller"], story["reason"]) == (
        call.sid, call.caller, "asked for a person")
    assert story["variables"] == {"account": ACCOUNT, "topic": "outage"}
    assert story["wait_had_s"] == 0 and "wait_told_s" in story
    assert [e["outcome"] for e in story["earlier"]] == ["hung-up"]
    assert view["queues"][0]["waiting"][0]["topic"] == "outage"


def test_accepting_in_the_console_bridges_the_caller_and_the_agents_phone(line, ana):
    call = ring_ana(line)
    [(leg, _)] = created_calls(line)
    assert ana.post("/console/agent/accept", {"call": call.sid}).status_code == 200
    assert line.ivr.roster.get("ana").status == "busy"
    updates = {r.path.rsplit("/", 1)[-1]: r.form["Url"] for r in line.standin.requests
               if r.method == "POST" and "Url" in r.form and r.path.endswith(".json")
               and not r.path.endswith("Calls.json")}
    assert updates[f"{call.sid}.json"] == f"{PUBLIC}/agent/bridge?caller={call.sid}"
    assert updates[f"{leg}.json"] == f"{PUBLIC}/agent/bridge?caller={call.sid}"
    assert f"call-{call.sid}" in line.standin.answer(leg)  # picked up: straight to the caller
    assert ana.post("/console/agent/accept", {"call": call.sid}).status_code == 409


def test_an_agent_escalates_their_call_with_a_note(line, ana):
    call = ring_ana(line)
    ana.post("/console/agent/accept", {"call": call.sid})
    answer = ana.post("/console/agent/escalate", {"call": call.sid, "note": "wants a refund"})
    assert answer.get_json() == {"queue": "supervisors", "reason": "escalated by ana"}
    assert line.ivr.store.notes(call.sid) == ["ana: wants a refund"]  # the note, once
    assert line.ivr.queues.position("supervisors", call.sid) == 1
    other = line.caller().dial().press("1").press("0")
    refused = ana.post("/console/agent/escalate", {"call": other.sid, "note": "x"})
    assert refused.status_code == 409


def test_an_agent_schedules_a_callback_for_their_caller(line, ana):
    call = ring_ana(line)
    ana.post("/console/agent/accept", {"call": call.sid})
    when = (line.clock() + dt.timedelta(hours=2)).isoformat()
    answer = ana.post("/console/agent/callback", {"call": call.sid, "when": when,
                                                  "number": "+525512345678"}).get_json()
    callback = line.ivr.callbacks.get(answer["callback"])
    assert (callback.number, callback.state, callback.due_at) == (
        "+525512345678", "requested", when)
    assert callback.context["scheduled_by"] == "ana"
    past = (line.clock() - dt.timedelta(hours=1)).isoformat()
    assert ana.post("/console/agent/callback", {"call": call.sid, "when": past}
                    ).status_code == 400


def test_wrap_up_with_a_code_and_a_note_is_kept_with_the_call(line, ana):
    call = ring_ana(line)
    ana.post("/console/agent/accept", {"call": call.sid})
    [(leg, _)] = created_calls(line)
    line.standin.hang_up(leg)
    assert ana.get("/console/agent/live").get_json()["wrap_up_call"] == call.sid
    line.clock.advance(20)
    saved = ana.post("/console/agent/status", {"status": "wrap-up", "code": "resolved",
                                               "note": "router restarted"})
    assert saved.get_json()["status"] == "wrap-up"
    assert CallLog(line.ivr.redis).wrap_up(call.sid)["note"] == "router restarted"
    assert "ana: [resolved] router restarted" in line.ivr.store.notes(call.sid)
    assert ana.post("/console/agent/status", {"status": "busy"}).status_code == 400
    line.clock.advance(25)
    assert ana.post("/console/agent/status", {"status": "available"}).status_code == 200
    queue = line.ivr.queues.waiter(call.sid).queue
    assert line.ivr.wait_stats.handling(queue)[1] == [45]  # hang-up to available: wrap-up


def test_an_agent_missing_from_the_roster_is_told_so(line, ana):
    line.ivr.roster.remove("ana")
    assert ana.get("/console/agent/live").get_json() == {"agent": None, "agent_id": "ana"}


def test_every_note_on_a_call_reaches_the_next_person_in_order_while_the_call_is_kept(line):
    call = line.caller().dial().press("1").press("0")
    notes = ["ana: wants a refund", "sol: refund approved", "ana: told the caller"]
    for note in notes:
        line.ivr.store.add_note(call.sid, note)
    assert line.ivr.store.notes(call.sid) == notes
    assert 0 < line.ivr.redis.ttl(NOTES_KEY.format(sid=call.sid)) <= CALL_TTL
