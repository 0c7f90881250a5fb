"""A caller who calls again soon need not start over: the earlier call is offered first."""

from __future__ import annotations

import pytest

from ivr_app.demo.simulator import Call
from ivr_app.state.remembered import REMEMBERED_KEY, SECRET_KEY
from tests.line import ACCOUNT, Line

BILL_QUESTION = "¿Llama por su llamada de ayer sobre su factura?"


def dispute_a_bill_with_ana(line: Line, caller: str) -> Call:
    """Yesterday's call: a bill dispute that ana took, with a note she left."""
    line.agent("ana", ["es"], ["billing"])
    call = line.caller(caller)
    call.dial().press("1").press("2").press(ACCOUNT).press("1").press("1")
    assert (call.ending.queue, call.ending.reason) == ("billing", "bill dispute")
    line.run_jobs()
    [(ringing, _)] = [(c["sid"], c["to"]) for c in line.standin.created_calls]
    line.agent_presses(line.standin.answer(ringing), "1")
    line.ivr.store.add_note(call.sid, "refund promised for the double charge")
    call.hang_up()
    line.standin.hang_up(ringing)
    return call


def calls_again(line: Line, caller: str, hours_later: float) -> Call:
    line.clock.advance(hours_later * 3600)
    call = line.caller(caller)
    return call.dial()


def test_a_caller_who_calls_again_the_next_day_goes_on_with_yesterdays_case(line):
    dispute_a_bill_with_ana(line, "+525511110001")
    line.agent("beto", ["es"], ["billing"], since_s=3600)  # idle longest, but not preferred
    line.ivr.roster.set_status("ana", "available", line.clock())
    again = calls_again(line, "+525511110001", 20)
    assert again.heard[0] == f"[es-MX] {BILL_QUESTION} Para continuar con ella, marque uno. " \
        "Para otra cosa, marque dos."
    again.press("1")
    assert (again.ending.queue, again.ending.reason) == ("billing",
                                                         "calling again: bill dispute")
    line.run_jobs()
    rung = [c["to"] for c in line.standin.created_calls][-1]
    assert rung == line.ivr.roster.get("ana").phone  # who took it yesterday, first
    whisper = line.standin.answer(line.standin.created_calls[-1]["sid"])
    assert "Llamó antes por: aclaración de un cargo." in whisper  # the flow's Spanish name
    assert "Nota de esa llamada: refund promised for the double charge." in whisper
    assert "account: 1 2 3 4 5 6 7 4." in whisper  # the account, not asked again
    context = line.get(f"/api/calls/{again.sid}/context").get_json()
    assert context["earlier"]["reason"] == "bill dispute"
    assert context["earlier"]["agent"] == "ana"
    assert [p["node"] for p in context["earlier"]["path"]][:3] == ["language", "language",
                                                                  "main_menu"]


def test_anything_but_1_starts_the_flow_and_0_still_reaches_a_person(line):
    dispute_a_bill_with_ana(line, "+525511110002")
    other = calls_again(line, "+525511110002", 2)
    assert BILL_QUESTION.replace("ayer", "hoy") in other.heard[0]
    other.press("2")
    # the flow, in the language the number chose yesterday
    assert "Para reportar una falla" in " ".join(other.heard[-4:]) and other.waiting
    person = calls_again(line, "+525511110002", 1)
    person.press("0")
    assert (person.ending.queue, person.ending.reason) == ("support", "asked for a person")


def test_a_caller_we_remember_who_says_agente_reaches_a_person(line):
    dispute_a_bill_with_ana(line, "+525511110006")
    again = calls_again(line, "+525511110006", 2)
    again.says("agente")  # as at any question: the way out
    assert (again.ending.queue, again.ending.reason) == ("support", "asked for a person")


def test_after_the_window_the_earlier_call_is_forgotten(line):
    dispute_a_bill_with_ana(line, "+525511110003")
    late = calls_again(line, "+525511110003", 49)  # the demo flow remembers for 48 hours
    assert late.heard[0].startswith("[es-MX] Para reportar una falla")  # its language kept


def test_an_outage_reported_without_a_person_is_an_open_issue_remembered_with_no_agent(line):
    call = line.caller("+525511110005")
    call.dial().press("1").press("1").press(ACCOUNT).press("1").press("1").press("2")
    assert call.ending.kind == "goodbye"
    call.hang_up()
    again = calls_again(line, "+525511110005", 3)
    assert "¿Llama por su llamada de hoy sobre su falla de servicio?" in again.heard[0]
    again.press("1")
    assert (again.ending.queue, again.ending.reason) == ("support",
                                                         "calling again: open issue: outage")
    earlier = line.get(f"/api/calls/{again.sid}/context").get_json()["earlier"]
    assert earlier["agent"] == ""  # no agent took that call: none is offered it first


@pytest.mark.parametrize("withheld", ["anonymous", "+266696687"])  # as Twilio gives them
def test_a_call_from_a_withheld_number_is_never_offered_to_the_next_caller_who_withholds_theirs(
        line, redis, withheld):
    """Strangers share a withheld number: one's bill dispute, account and agent's note must
    never greet the next, nor reach that caller's agent."""
    dispute_a_bill_with_ana(line, withheld)
    assert not redis.keys(REMEMBERED_KEY.format(digest="*"))
    stranger = calls_again(line, withheld, 2)
    assert "Llama por su llamada" not in stranger.heard[0]
    assert stranger.heard[0].startswith("[es-MX] Gracias por llamar")  # the language question


def test_numbers_are_looked_up_by_a_keyed_hash_never_in_clear(line, redis):
    dispute_a_bill_with_ana(line, "+525511110004")
    [key] = redis.keys("ivr:returning:*")
    digest = line.ivr.remembered.digest("+525511110004")
    assert key.decode() == REMEMBERED_KEY.format(digest=digest)
    assert digest != line.ivr.remembered.digest("+525511110005") and len(digest) == 64
    assert b"5511110004" not in key + redis.get(key)


def test_a_caller_who_goes_on_twice_is_calling_again_once(line):
    dispute_a_bill_with_ana(line, "+525511110011")
    for hours in (1, 1):
        again = calls_again(line, "+525511110011", hours).press("1")
        assert again.ending.reason == "calling again: bill dispute"
        again.hang_up()


def test_a_test_phone_is_never_greeted_as_calling_again(make_app, redis, twilio_standin):
    line = Line(make_app, twilio_standin, TEST_CALLERS="+525511110012")
    dispute_a_bill_with_ana(line, "+525511110012")
    again = calls_again(line, "+525511110012", 1)
    assert BILL_QUESTION.replace("ayer", "hoy") not in " ".join(again.heard)
    assert "Para español, marque uno" in " ".join(again.heard)


def test_after_redis_loses_the_hash_key_every_process_reads_the_caller_alike(
        line, make_app, redis):
    """Process A hashed a number, then Redis lost the key (restarted empty, or a flush):
    process B makes a new one. A caller asked the question on B who answers on A, as
    Twilio may send them, still goes on with their earlier call, not into the menus."""
    line.caller("+525511110013").dial().hang_up()  # process A has hashed a number
    redis.delete(SECRET_KEY)
    other = make_app(clock=line.clock, **{k: line.app.config[k] for k in (
        "PUBLIC_BASE_URL", "AGENT_API_TOKEN", "TWILIO_CALLER_ID", "TWILIO_AUTH_TOKEN",
        "TWILIO_ACCOUNT_SID", "TWILIO_API_BASE")})  # process B, on the same line

    def on_b() -> Call:
        call = line.caller("+525511110014")
        call.client = other.test_client()
        return call

    on_b().dial().press("1").press("1").press(ACCOUNT).press("1").press("1").press("2")\
        .hang_up()  # an outage reported: remembered by B
    again = on_b().dial()
    assert "¿Llama por su llamada de hoy sobre su falla de servicio?" in again.heard[0]
    again.client = line.app.test_client()  # the answer reaches process A
    again.press("1")
    assert (again.ending.queue, again.ending.reason) == ("support",
                                                         "calling again: open issue: outage")
