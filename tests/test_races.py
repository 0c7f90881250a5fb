"""Races and moves: one request wins a step, a caller is in one line at a time, and a
customer has one callback per number."""

from __future__ import annotations

import pytest

from ivr_app.demo.simulator import Call
from tests.line import PUBLIC, Line, created_calls

CUSTOMER = "+525512345678"  # a Mexico City number, said back as 5 5 1 2 3 4 5 6 7 8


@pytest.mark.parametrize("knows_the_call", [True, False], ids=["state-kept", "state-read"])
def test_the_request_that_loses_a_race_for_a_step_puts_nobody_in_line(call, store, monkeypatch,
                                                                        knows_the_call):
    call.dial()
    # The first request has the call's state (kept from this process's last step, or read
    # from Redis), then another one wins the step while it decides.
    where, name = (store.recent, "get") if knows_the_call else (store, "_run")
    learn = getattr(where, name)

    def overtaken(*args, **kwargs):
        found = learn(*args, **kwargs)
        monkeypatch.setattr(where, name, learn)
        call.post("/voice/step?seq=0", {"Digits": "1"})  # Spanish: on to the main menu
        return found

    if not knows_the_call:
        monkeypatch.setattr(store.recent, "get", lambda sid, seq: None)
    monkeypatch.setattr(where, name, overtaken)
    answer = call.post("/voice/step?seq=0", {"Digits": "0"})  # a person, but too late
    assert "Para reportar una falla" in answer and "<Enqueue" not in answer
    ivr = call.app.extensions["ivr"]
    assert ivr.queues.waiter(call.sid) is None
    assert list(ivr.queues.in_order("support")) == []
    assert store.load(call.sid)[1]["node"] == "main_menu"


# -- moving a caller to another line -------------------------------------------------------

def two_waiting(line: Line) -> tuple[Call, Call]:
    """Two Spanish callers holding for support while its only agent is on a call."""
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    return (line.caller().dial().press("1").press("0"),
            line.caller().dial().press("1").press("0"))


def escalate(line: Line, call: Call, note: str = "wants a refund"):
    return line.post(f"/api/calls/{call.sid}/escalate", {"agent": "ana", "note": note})


def test_an_escalated_caller_leaves_the_old_line_in_the_same_step(line):
    first, second = two_waiting(line)
    assert escalate(line, first).status_code == 202
    assert list(line.ivr.queues.in_order("support")) == [second.sid]
    assert list(line.ivr.queues.in_order("supervisors")) == [first.sid]
    second.press("0")
    assert "[es-MX] Usted es el número 1 en la fila." in second.heard[-6:]


def test_a_move_whose_redirect_fails_is_undone_and_the_api_says_so(line):
    first, second = two_waiting(line)
    before = line.ivr.queues.waiter(first.sid)
    line.standin.fail_next(path=f"/Calls/{first.sid}.json")
    answer = escalate(line, first)
    assert answer.status_code == 502
    assert "still waits in support" in answer.get_json()["error"]
    assert list(line.ivr.queues.in_order("support")) == [first.sid, second.sid]
    assert list(line.ivr.queues.in_order("supervisors")) == []
    assert line.ivr.queues.waiter(first.sid) == before
    assert line.ivr.store.notes(first.sid) == []


def test_escalating_without_twilio_credentials_is_refused_and_changes_nothing(
        make_app, redis, twilio_standin):
    line = Line(make_app, twilio_standin, TWILIO_ACCOUNT_SID="")
    first, second = two_waiting(line)
    answer = escalate(line, first)
    assert answer.status_code == 409
    assert "TWILIO_ACCOUNT_SID" in answer.get_json()["error"]
    assert list(line.ivr.queues.in_order("support")) == [first.sid, second.sid]
    assert list(line.ivr.queues.in_order("supervisors")) == []
    assert line.ivr.store.notes(first.sid) == []


def test_the_supervisor_key_moves_the_caller_out_of_the_old_line(line):
    first, second = two_waiting(line)
    first.press("9")
    assert list(line.ivr.queues.in_order("support")) == [second.sid]
    assert list(line.ivr.queues.in_order("supervisors")) == [first.sid]


def test_when_a_call_ends_its_line_record_goes_soon_after(line):
    line.agent("bea", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(agent_call, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(agent_call), "1")
    line.clock.advance(120)
    call.hang_up()  # the caller's status callback comes first
    assert 0 < line.ivr.redis.ttl(f"ivr:waiter:{call.sid}") <= 15 * 60
    line.standin.hang_up(agent_call, duration=120)
    assert line.ivr.redis.lrange("ivr:wait:support:talk_times", 0, -1) == ["120.0"]


# -- one callback per number ---------------------------------------------------------------

def customer_waiting(line: Line) -> Call:
    """The customer calls and waits in the support line (or greets a pending callback)."""
    call = Call(line.app, line.standin.auth_token, base_url=PUBLIC, caller=CUSTOMER)
    line.standin.incoming_call(call.sid, call.caller, call.number)
    return call.dial()


def test_a_second_callback_to_the_same_number_is_told_about_the_first(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    first = customer_waiting(line).press("1").press("0")
    first.press("1").press("1").press("1")  # a callback to this number, in turn
    [callback] = line.ivr.callbacks.pending_for(CUSTOMER)

    again = customer_waiting(line).press("0")  # "a person now", the callback kept
    again.press("1").press("1")
    heard = len(again.heard)
    again.press("1")
    assert again.heard[heard:] == [
        "[es-MX] Ya tiene una devolución de llamada pendiente al 5 5 1 2 3 4 5 6 7 8.",
        "[es-MX] Usted es el número 1 en la fila.",
        "[es-MX] Tiempo estimado de espera: 6 minutos.",
        "[es-MX] Gracias por llamar. Hasta luego."]
    assert [c.id for c in line.ivr.callbacks.pending_for(CUSTOMER)] == [callback.id]
    assert list(line.ivr.queues.in_order("support")) == [callback.id]
