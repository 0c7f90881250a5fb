"""Who is offered the next caller: agents of the queue who speak their language, the one
idle longest first; anyone of the queue when nobody speaks it; never an agent away."""

from __future__ import annotations

import logging

import pytest

from ivr_app.call.fallback import line_up
from ivr_app.callbacks.placing import request_callback
from ivr_app.line.routing import dispatch, pick_agent
from ivr_app.state.agents import Agent
from tests.line import Line, created_calls
from tests.test_webhook import FORM
from workers import routing as routing_jobs


def agent(agent_id: str, since: str, langs: tuple[str, ...] = ("es",),
          queues: tuple[str, ...] = ("support",), status: str = "available") -> Agent:
    return Agent(id=agent_id, name=agent_id.title(), languages=list(langs),
                 queues=list(queues), status=status, since=since)


def test_the_agent_idle_longest_who_speaks_the_callers_language_is_chosen():
    agents = [agent("ana", "2026-11-25T10:05:00"), agent("bea", "2026-11-25T10:01:00"),
              agent("joe", "2026-11-25T09:00:00", langs=("en",)),
              agent("lia", "2026-11-25T08:00:00", queues=("billing",)),
              agent("max", "2026-11-25T07:00:00", status="busy")]
    assert pick_agent(agents, "support", "es") == (agents[1], False)
    assert pick_agent(agents, "support", "en") == (agents[2], False)


def test_with_nobody_of_their_language_signed_in_anyone_of_the_queue_is_offered_and_told():
    agents = [agent("ana", "2026-11-25T10:05:00"), agent("bea", "2026-11-25T10:01:00"),
              agent("joe", "2026-11-25T09:00:00", langs=("en",), status="away")]
    assert pick_agent(agents, "support", "en") == (agents[1], True)


def test_a_busy_speaker_of_the_language_is_waited_for_rather_than_another_language():
    agents = [agent("ana", "2026-11-25T10:05:00"),
              agent("joe", "2026-11-25T09:00:00", langs=("en",), status="busy")]
    assert pick_agent(agents, "support", "en") == (None, False)


def test_agents_who_let_this_caller_pass_are_not_rung_again():
    agents = [agent("ana", "2026-11-25T09:00:00"), agent("bea", "2026-11-25T10:01:00")]
    assert pick_agent(agents, "support", "es", passed=("ana",)) == (agents[1], False)
    assert pick_agent(agents, "support", "es", passed=("ana", "bea")) == (None, False)


def test_the_agent_a_returning_caller_spoke_to_wins_when_free():
    agents = [agent("ana", "2026-11-25T09:00:00"), agent("bea", "2026-11-25T10:01:00"),
              agent("cruz", "2026-11-25T08:00:00", status="busy")]
    assert pick_agent(agents, "support", "es", prefer="bea") == (agents[1], False)
    assert pick_agent(agents, "support", "es", prefer="cruz") == (agents[0], False)


def test_agents_idle_since_the_same_moment_are_taken_in_id_order():
    agents = [agent("bea", "2026-11-25T09:00:00"), agent("ana", "2026-11-25T09:00:00")]
    assert pick_agent(agents, "support", "es") == (agents[1], False)


def test_nobody_signed_in_for_the_queue_means_nobody_is_offered():
    agents = [agent("ana", "2026-11-25T09:00:00", queues=("billing",)),
              agent("bea", "2026-11-25T09:00:00", status="away")]
    assert pick_agent(agents, "support", "es") == (None, False)


def lined_up_late(line: Line, *, hung_up: bool):
    """A caller our fallback sent to a person while Redis was down, lined up once it is back
    (they may have hung up meanwhile, which Redis never heard of)."""
    call = line.caller()
    if hung_up:
        line.standin.hang_up(call.sid)
    line_up(line.ivr, call.sid, FORM | {"CallSid": call.sid}, line.ivr.registry.current("main"),
            line.clock())
    return call


def test_a_caller_lined_up_late_who_hung_up_meanwhile_rings_no_agent(line):
    line.agent("ana", ["es"], ["support"], since_s=60)
    line.agent("bea", ["es"], ["support"])  # still free when routing reaches the one gone
    gone = lined_up_late(line, hung_up=True)
    line.clock.advance(5)  # first in line
    live = lined_up_late(line, hung_up=False)
    assert list(line.ivr.queues.in_order("support")) == [gone.sid, live.sid]
    assert routing_jobs.dispatch(line.ivr, "support") == [(live.sid, "ana")]  # in one pass
    assert line.ivr.queues.position("support", gone.sid) is None
    assert [c["to"] for c in line.standin.created_calls] == [line.phone("ana")]
    assert line.ivr.queues.waiter(live.sid).offered == "ana"


def test_a_caller_lined_up_late_is_offered_when_twilio_cannot_say_if_they_are_there(
        line, caplog):
    line.agent("ana", ["es"], ["support"])
    call = lined_up_late(line, hung_up=False)
    line.standin.fail_next(path=f"/Calls/{call.sid}.json")
    line.run_jobs()
    assert line.ivr.queues.waiter(call.sid).offered == "ana"
    assert f"call {call.sid}: Twilio could not say whether it is live; offering it" \
        in caplog.messages


def test_callers_are_offered_in_line_order_each_once(line, caplog):
    caplog.set_level(logging.INFO, logger="ivr_app.line.routing")
    line.agent("ana", ["es"], ["support"], since_s=60)
    line.agent("zoe", ["es"], ["support"], since_s=900)
    first, second = (line.caller().dial().press("1").press("0") for _ in range(2))
    assert routing_jobs.dispatch(line.ivr, "support") == [(first.sid, "zoe"), (second.sid, "ana")]
    legs = [c["sid"] for c in line.standin.created_calls]
    assert f"ringing agent zoe ({legs[0]}) for call {first.sid}" in caplog.messages
    assert routing_jobs.dispatch(line.ivr, "support") == []  # both are being rung already
    assert len(line.standin.created_calls) == 2


def test_a_caller_being_rung_for_one_agent_is_not_rung_for_another_meanwhile(line):
    line.agent("ana", ["es"], ["support"], since_s=60)
    line.agent("zoe", ["es"], ["support"], since_s=900)
    caller = line.caller().dial().press("1").press("0")
    assert routing_jobs.dispatch(line.ivr, "support") == [(caller.sid, "zoe")]
    assert routing_jobs.dispatch(line.ivr, "support") == []  # Ana is free, the caller is not
    assert len(line.standin.created_calls) == 1
    assert "offered" not in [e["status"] for e in line.ivr.roster.history("ana")]  # not a flash
    behind = line.caller().dial().press("1").press("0")
    assert routing_jobs.dispatch(line.ivr, "support") == [(behind.sid, "ana")]  # not held up


def test_a_caller_waiting_for_an_agent_of_their_language_does_not_hold_up_the_one_behind(
        line):
    """Bea, the English speaker, is on a call: the English caller first in line waits for her,
    and Ana takes the Spanish caller behind."""
    line.agent("ana", ["es"], ["support"])
    line.agent("bea", ["en"], ["support"], status="busy")
    english = line.caller().dial().press("2").press("0")
    line.clock.advance(7)
    spanish = line.caller().dial().press("1").press("0")
    assert routing_jobs.dispatch(line.ivr, "support") == [(spanish.sid, "ana")]
    assert line.ivr.queues.position("support", english.sid) == 1


def test_an_agent_held_for_a_caller_another_worker_offered_first_is_given_the_next_one(
        line, monkeypatch):
    """Two workers read the line at once: the one whose offer comes second gives Ana back at
    once (withdrawn, not her doing) and offers her the next caller in line."""
    line.agent("ana", ["es"], ["support"], since_s=60)
    line.agent("zoe", ["es"], ["support"], since_s=900)
    first = line.caller().dial().press("1").press("0")
    as_read = line.ivr.queues.waiter(first.sid)  # the other worker's read, before any offer
    assert routing_jobs.dispatch(line.ivr, "support") == [(first.sid, "zoe")]
    second = line.caller().dial().press("1").press("0")
    read = line.ivr.queues.waiter
    monkeypatch.setattr(line.ivr.queues, "waiter",
                        lambda sid: as_read if sid == first.sid else read(sid))
    assert routing_jobs.dispatch(line.ivr, "support") == [(second.sid, "ana")]
    history = list(reversed(line.ivr.roster.history("ana")))[-3:]
    assert [(e["status"], e["call"]) for e in history] == [
        ("offered", first.sid), ("available", ""), ("offered", second.sid)]
    assert read(first.sid).offered == "zoe"  # her offer stands


def test_an_agent_another_worker_took_first_leaves_the_caller_to_the_next_free_agent(
        line, monkeypatch):
    """The pass read Ana as free, but another worker reserved her for its own caller first:
    the first caller in line is offered Bruno in the same pass, ahead of the one behind."""
    line.agent("ana", ["es"], ["support"], since_s=900)
    line.agent("bruno", ["es"], ["support"], since_s=60)
    first = line.caller().dial().press("1").press("0")
    line.caller().dial().press("1").press("0")
    as_read = line.ivr.roster.all()  # this worker's read, before the other's reservation
    assert line.ivr.roster.reserve("ana", "CA" + "5e" * 16, line.clock())
    stale, read = [as_read], line.ivr.roster.all
    monkeypatch.setattr(line.ivr.roster, "all", lambda: stale.pop() if stale else read())
    assert routing_jobs.dispatch(line.ivr, "support") == [(first.sid, "bruno")]
    assert line.ivr.roster.get("ana").call == "CA" + "5e" * 16  # the other worker's stands
    bruno = line.ivr.roster.get("bruno")
    assert (bruno.status, bruno.call) == ("offered", first.sid)  # reserved, as Ana would be


@pytest.mark.parametrize("missing", [("TWILIO_CALLER_ID",), ("TWILIO_ACCOUNT_SID",),
                                     ("TWILIO_ACCOUNT_SID", "TWILIO_CALLER_ID")])
def test_without_twilio_settings_nobody_is_rung_and_callers_keep_their_place(
        make_app, line, missing, caplog):
    unset = Line(make_app, line.standin, **dict.fromkeys(missing, ""))
    unset.agent("ana", ["es"], ["support"])
    call = unset.caller().dial().press("1").press("0")
    assert routing_jobs.dispatch(unset.ivr, "support") == []
    assert line.standin.requests == [] and unset.ivr.queues.position("support", call.sid) == 1
    assert unset.ivr.roster.get("ana").status == "available"
    assert (f"cannot ring agents for queue support: {', '.join(missing)} not set; callers "
            "keep holding, with their place announced") in caplog.messages


def test_a_callback_twilio_will_not_place_frees_its_agent_and_keeps_its_place(line, caplog):
    """The customer could not be called: not the agent's doing, so they stay available."""
    line.agent("ana", ["es"], ["support"], status="busy")
    callback = request_callback(line.ivr, line.caller().dial().press("1").press("0").sid,
                                "+525512345678")
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.standin.fail_next(status=400, path="/Calls.json")
    assert routing_jobs.dispatch(line.ivr, "support") == []
    assert f"could not offer {callback.id} to agent ana; trying again later" in caplog.messages
    assert line.ivr.roster.get("ana").status == "available"
    assert list(line.ivr.queues.in_order("support")) == [callback.id]
    assert line.ivr.queues.waiter(callback.id).offered == ""
    assert line.ivr.callbacks.get(callback.id).state == "waiting"
    assert routing_jobs.dispatch(line.ivr, "support") == [(callback.id, "ana")]


def test_a_callback_whose_attempt_was_placed_elsewhere_gives_its_agent_back(line, caplog):
    """Another worker placed this attempt's call first (place() answers None): Ana is free
    again at once, and the log says why nobody was called."""
    line.agent("ana", ["es"], ["support"], status="busy")
    callback = request_callback(line.ivr, line.caller().dial().press("1").press("0").sid,
                                "+525512340099")
    line.ivr.roster.set_status("ana", "available", line.clock())
    assert dispatch(line.ivr, "support", lambda ivr, cb, agent: None) == []
    assert line.ivr.roster.get("ana").status == "available"
    failed = next(r for r in caplog.records if r.getMessage().startswith("could not offer"))
    assert str(failed.exc_info[1]) == f"callback {callback.id} was not placed (already tried)"


def test_a_customer_on_the_line_whose_agent_does_not_answer_is_put_through_to_the_next(line):
    """The customer answered our callback and pressed 1, then Ana's phone rang out: Bea is
    rung for the customer still holding, who is not called again."""
    line.agent("ana", ["es"], ["support"], since_s=900)
    line.agent("bea", ["es"], ["support"], since_s=60)
    customer = "+525512345678"
    callback = request_callback(line.ivr, line.caller().dial().press("1").press("0").sid,
                                customer)
    line.run_jobs()
    [call] = [sid for sid, to in created_calls(line) if to == customer]
    line.agent_presses(line.standin.answer(call), "1")
    ana_leg, to = created_calls(line)[-1]
    assert to == line.phone("ana")
    assert line.standin.fail_call(ana_leg, "no-answer").status == 204
    line.run_jobs()
    assert created_calls(line)[-1][1] == line.phone("bea")
    assert [sid for sid, to in created_calls(line) if to == customer] == [call]
    assert line.ivr.callbacks.get(callback.id).state == "connected"
