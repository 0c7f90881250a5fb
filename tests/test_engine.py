"""The flow engine taken alone, on the demo flow: what a caller hears and where the call
goes for each thing they do, with no webhook, Redis or TwiML around it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ivr_app.call import engine
from ivr_app.call.turn import Ask, Event, Human, Speech
from ivr_app.flow.model import Flow
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.conftest import OFFICE_HOURS

ES_ESCAPE = Speech("es", "Para hablar con una persona, marque cero.")
ES_TO_HUMAN = Speech("es", "Le comunicamos con una persona. Un momento, por favor.")
NIGHT = OFFICE_HOURS.replace(hour=23)


def at_main_menu(flow: Flow) -> dict[str, Any]:
    """A Spanish caller who has just chosen their language."""
    state = engine.new_state(flow, {"CallSid": "CA1", "From": "+525512345678",
                                    "To": "+15005550001"}, OFFICE_HOURS)
    engine.start(flow, state, OFFICE_HOURS)
    engine.handle(flow, state, Event("digits", "1"), OFFICE_HOURS)
    return state


def test_a_new_call_starts_at_the_flows_start_in_its_default_language(demo_flow):
    state = engine.new_state(demo_flow, {"CallSid": "CA1", "From": "+525512345678",
                                         "To": "+15005550001"}, OFFICE_HOURS)
    assert state == {
        "sid": "CA1", "from": "+525512345678", "to": "+15005550001", "flow": "main",
        "version": demo_flow.version, "lang": "es", "vars": {}, "node": "language",
        "phase": "ask", "pending": "", "tries": 0, "path": [], "outcome": None,
        "started": "2026-11-25T10:00:00-06:00"}
    turn = engine.start(demo_flow, state, OFFICE_HOURS)
    assert [s.lang for s in turn.speech] == ["es", "es", "en", "en"]
    assert turn.speech[1] == ES_ESCAPE
    assert turn.ask == Ask("language", 1, demo_flow.timeout, voice="es")
    assert (turn.human, turn.hangup) == (None, False)
    assert state["path"] == [{"at": "2026-11-25T10:00:00-06:00", "node": "language",
                              "event": "enter"}]


def test_speech_not_recognised_in_time_asks_for_keys_then_goes_to_a_person(demo_flow):
    state = at_main_menu(demo_flow)
    first = engine.handle(demo_flow, state, Event("unheard"), OFFICE_HOURS)
    assert first.speech[0] == Speech(
        "es", "No pudimos reconocer su voz. Por favor, use el teclado.")
    assert first.ask == Ask("main_menu", 1, demo_flow.timeout, voice="")  # keys only now
    assert (first.human, state["tries"], state["unheard"]) == (None, 1, 1)
    later = OFFICE_HOURS + dt.timedelta(seconds=30)
    second = engine.handle(demo_flow, state, Event("unheard"), later)
    assert second.speech == [ES_TO_HUMAN] and second.ask is None
    assert second.human == Human("support", "speech not recognised in time")
    assert state["outcome"] == {"type": "human", "queue": "support",
                                "reason": "speech not recognised in time", "node": "main_menu",
                                "at": "2026-11-25T10:00:30-06:00"}


def test_speech_not_recognised_after_the_last_retry_goes_to_a_person_at_once(demo_flow):
    state = at_main_menu(demo_flow)
    for _ in range(demo_flow.retries):
        engine.handle(demo_flow, state, Event("silence"), OFFICE_HOURS)
    turn = engine.handle(demo_flow, state, Event("unheard"), NIGHT)
    assert turn.human == Human("support", "speech not recognised in time")
    assert state["outcome"]["at"] == "2026-11-25T23:00:00-06:00"


@pytest.mark.parametrize(("event", "said", "reason"), [
    (Event("silence"), "No recibimos su respuesta.", "no input"),
    (Event("digits", "7"), "No entendimos su respuesta.", "not understood"),
    (Event("unclear", "", 0.2), "No entendimos su respuesta.", "not understood"),
])
def test_a_question_is_asked_again_for_each_retry_then_a_person_takes_over(
        demo_flow, event, said, reason):
    state = at_main_menu(demo_flow)
    for tries in range(1, demo_flow.retries + 1):
        turn = engine.handle(demo_flow, state, event, OFFICE_HOURS)
        assert turn.speech[0] == Speech("es", said) and turn.human is None
        assert turn.ask == Ask("main_menu", 1, demo_flow.timeout, voice="es")
        assert state["tries"] == tries
    turn = engine.handle(demo_flow, state, event, OFFICE_HOURS)
    assert (turn.speech, turn.human, turn.ask) == ([ES_TO_HUMAN], Human("support", reason),
                                                   None)


def test_what_the_caller_did_is_kept_in_the_calls_path(demo_flow):
    state = at_main_menu(demo_flow)
    engine.handle(demo_flow, state, Event("speech", "factura", 0.75), OFFICE_HOURS)
    assert state["path"][-3:-1] == [
        {"at": "2026-11-25T10:00:00-06:00", "node": "main_menu", "event": "speech",
         "input": "factura", "confidence": 0.75},
        {"at": "2026-11-25T10:00:00-06:00", "node": "billing_hours", "event": "enter"}]
    assert state["path"][1] == {"at": "2026-11-25T10:00:00-06:00", "node": "language",
                                "event": "digits", "input": "1"}  # keys have no confidence


def test_the_escape_and_the_supervisor_words_win_over_any_answer(demo_flow):
    state = at_main_menu(demo_flow)
    turn = engine.handle(demo_flow, state, Event("speech", "dos, con el gerente"), OFFICE_HOURS)
    assert turn.human == Human("supervisors", "asked for a supervisor")
    state = at_main_menu(demo_flow)
    turn = engine.handle(demo_flow, state, Event("speech", "dos, un agente"), OFFICE_HOURS)
    assert turn.human == Human("support", "asked for a person")


def test_an_account_number_is_read_back_digit_by_digit_and_kept_once_confirmed(demo_flow):
    state = at_main_menu(demo_flow)
    turn = engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)
    assert turn.ask == Ask("outage_account", 8, demo_flow.timeout, voice="")
    turn = engine.handle(demo_flow, state, Event("digits", "12345674"), OFFICE_HOURS)
    assert turn.speech[0].text.startswith("Usted marcó 1 2 3 4 5 6 7 4.")
    assert turn.ask == Ask("outage_account", 1, demo_flow.timeout)
    turn = engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)
    assert state["vars"]["account"] == "12345674" and turn.ask.node == "outage_service"


def test_billing_after_hours_goes_to_the_closed_office_transfer(demo_flow):
    state = at_main_menu(demo_flow)
    state["path"].clear()
    turn = engine.handle(demo_flow, state, Event("digits", "2"), NIGHT)
    assert turn.human is not None and state["node"] == "billing_closed"
    open_state = at_main_menu(demo_flow)
    turn = engine.handle(demo_flow, open_state, Event("digits", "2"), OFFICE_HOURS)
    assert turn.ask.node == "billing_account" and turn.human is None


def test_only_a_goodbye_hangs_up(demo_flow):
    state = at_main_menu(demo_flow)
    state["vars"]["account"] = "12345674"  # known already: the question is skipped
    turn = engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)
    assert turn.ask.node == "outage_service"
    engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)  # internet
    turn = engine.handle(demo_flow, state, Event("digits", "2"), OFFICE_HOURS)  # that is all
    assert turn.hangup and turn.ask is None and turn.human is None
    assert state["outcome"] == {"type": "goodbye", "node": "goodbye",
                                "at": "2026-11-25T10:00:00-06:00"}


BRANCHING = """
languages:
  es: {voice: Polly.Mia, locale: es-MX}
  en: {voice: Polly.Joanna, locale: en-US}
human: {queue: support}
start: pick
nodes:
  pick:
    type: branch
    cases:
      - when: {var: account, is_set: true}
        goto: known
      - when: {var: plan, in: [business, pro]}
        goto: business
      - when: {var: language, equals: en}
        goto: english
    otherwise: spanish
  known: {type: goodbye, prompt: {es: Cuenta conocida., en: Known account.}}
  business: {type: goodbye, prompt: {es: Negocios., en: Business.}}
  english: {type: goodbye, prompt: {es: Inglés., en: English.}}
  spanish: {type: goodbye, prompt: {es: Español., en: Spanish.}}
"""


@pytest.mark.parametrize(("lang", "variables", "ends_at"), [
    ("es", {}, "spanish"), ("en", {}, "english"), ("en", {"plan": "pro"}, "business"),
    ("es", {"plan": "home"}, "spanish"), ("es", {"account": "12345674", "plan": "pro"}, "known"),
    ("es", {"account": ""}, "spanish"),
])
def test_a_branch_takes_the_first_case_that_holds(lang, variables, ends_at):
    flow = validate(parse(BRANCHING, "branching.yaml"), "branching")
    state = engine.new_state(flow, {}, OFFICE_HOURS) | {"lang": lang, "vars": dict(variables)}
    engine.start(flow, state, OFFICE_HOURS)
    assert state["outcome"]["node"] == ends_at


def test_a_wrong_answer_at_the_read_back_is_said_before_the_read_back_again(demo_flow):
    state = at_main_menu(demo_flow)
    engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)
    engine.handle(demo_flow, state, Event("digits", "12345674"), OFFICE_HOURS)
    turn = engine.handle(demo_flow, state, Event("digits", "5"), OFFICE_HOURS)
    assert turn.speech[0] == Speech("es", "No entendimos su respuesta.")
    assert turn.speech[1].text.startswith("Usted marcó 1 2 3 4 5 6 7 4.")


def test_a_prompt_that_already_tells_how_to_reach_a_person_gets_no_second_note():
    flow = validate(parse(BRANCHING.replace(
        "start: pick", "start: ask").replace("nodes:\n", """nodes:
  ask:
    type: menu
    prompt: {es: "Para facturas marque uno; para alguien, oprima cero.", en: "Bills: one."}
    options: [{key: 1, goto: pick}]
""", 1), "escape.yaml"), "escape")
    turn = engine.start(flow, engine.new_state(flow, {}, OFFICE_HOURS), OFFICE_HOURS)
    assert [s.text for s in turn.speech] == [
        "Para facturas marque uno; para alguien, oprima cero."]


def test_prompts_said_one_after_another_are_all_heard():
    flow = validate(parse(BRANCHING.replace("start: pick", "start: hello").replace(
        "nodes:\n", """nodes:
  hello: {type: say, prompt: {es: Hola., en: Hello.}, next: news}
  news: {type: say, prompt: {es: Hay una falla., en: There is an outage.}, next: pick}
""", 1), "says.yaml"), "says")
    turn = engine.start(flow, engine.new_state(flow, {}, OFFICE_HOURS), OFFICE_HOURS)
    assert [s.text for s in turn.speech] == ["Hola.", "Hay una falla.", "Español."]


def test_each_question_has_its_own_retries(demo_flow):
    state = engine.new_state(demo_flow, {}, OFFICE_HOURS)
    engine.start(demo_flow, state, OFFICE_HOURS)
    engine.handle(demo_flow, state, Event("silence"), OFFICE_HOURS)  # once at the language
    engine.handle(demo_flow, state, Event("digits", "1"), OFFICE_HOURS)
    assert state["tries"] == 0
    for _ in range(demo_flow.retries):
        assert engine.handle(demo_flow, state, Event("silence"), OFFICE_HOURS).human is None
