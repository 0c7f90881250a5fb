"""What a caller's answer means at the demo flow's questions: keys, words, read-backs.

The answers module and the node types are asked directly, on the demo flow as lint loads
it, so each way a caller may put an answer is checked without a whole call around it."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from ivr_app.call import answers
from ivr_app.call.turn import Event
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes import collect, language, menu
from ivr_app.flow.nodes.base import REPEAT


@pytest.fixture
def flow(demo_flow: Flow) -> Flow:
    return demo_flow


def at(lang: str, phase: str = "ask", pending: str = "") -> dict[str, Any]:
    """A call's state at a question, in `lang`."""
    return {"lang": lang, "phase": phase, "pending": pending, "vars": {}}


def said(words: str) -> Event:
    return Event("speech", words, 0.9)


@pytest.mark.parametrize(("lang", "words", "goes_to"), [
    ("es", "dos", "billing_hours"),  # a key said as a word
    ("en", "two", "billing_hours"),
    ("es", "2", "billing_hours"),  # or as a digit
    ("es", "a ver dos", "billing_hours"),  # among other words
    ("ko", "2", "billing_hours"),  # in a language with no digit words known
    ("es", "la factura por favor", "billing_hours"),  # or an option's phrase
    ("en", "I want to cancel my service", "cancel_menu"),
    ("es", "uno dos", None),  # two keys: not understood
    ("es", "doce", None),
    ("es", "12", None),  # one number, but not a key
    ("es", "nueve", None),  # a key no option has
    ("en", "dos", None),  # a Spanish word is no English key
    ("es", "factura y visita", None),  # two options at once
])
def test_a_menu_understands_keys_said_as_words_and_option_phrases(flow, lang, words, goes_to):
    assert menu.answer(flow, at(lang), flow.nodes["main_menu"], said(words)) == goes_to


@pytest.mark.parametrize("words", ["repita por favor", "otra vez"])
def test_asking_to_hear_it_again_repeats_the_question(flow, words):
    assert menu.answer(flow, at("es"), flow.nodes["main_menu"], said(words)) is REPEAT
    assert language.answer(flow, at("es"), flow.nodes["language"], said(words)) is REPEAT
    assert menu.answer(flow, at("en"), flow.nodes["main_menu"], said(words)) is None


@pytest.mark.parametrize(("event", "lang"), [
    (Event("digits", "2"), "en"), (said("english please"), "en"), (said("two"), "en"),
    (Event("digits", "1"), "es"), (said("español"), "es"), (said("uno"), "es"),
])
def test_the_language_chosen_is_the_one_the_call_goes_on_in(flow, event, lang):
    state = at("es")
    assert language.answer(flow, state, flow.nodes["language"], event) == "main_menu"
    assert (state["lang"], state["vars"]) == (lang, {"language": lang})


@pytest.mark.parametrize("event", [Event("digits", "3"), said("français"), said("dos uno"),
                                   Event("digits", "12")])
def test_a_language_nobody_offered_is_not_understood(flow, event):
    state = at("es")
    assert language.answer(flow, state, flow.nodes["language"], event) is None
    assert state == at("es")


ACCOUNT = "12345674"  # eight digits with their Luhn check digit


@pytest.mark.parametrize("event", [Event("digits", ACCOUNT),
                                   said("uno dos tres cuatro cinco seis siete cuatro"),
                                   said("1 2 3 4 5 6 7 4")])
def test_an_account_number_typed_or_said_is_read_back_before_it_counts(flow, event):
    state = at("es")
    assert collect.answer(flow, state, flow.nodes["outage_account"], event) is REPEAT
    assert (state["phase"], state["pending"], state["vars"]) == ("confirm", ACCOUNT, {})


@pytest.mark.parametrize("event", [Event("digits", "1234567"), Event("digits", "123456740"),
                                   Event("digits", "18"),  # too short, though its Luhn is right
                                   Event("digits", "12345675"), said("uno dos tres"),
                                   said("uno dos tres cuatro cinco seis siete cuatro gracias"),
                                   Event("digits", "")])
def test_a_number_of_the_wrong_length_or_check_digit_is_not_understood(flow, event):
    state = at("es")
    assert collect.answer(flow, state, flow.nodes["outage_account"], event) is None
    assert (state["phase"], state["pending"]) == ("ask", "")


@pytest.mark.parametrize("yes", [Event("digits", "1"), said("uno")])
def test_confirming_the_read_back_keeps_the_number(flow, yes):
    state = at("es", "confirm", ACCOUNT)
    assert collect.answer(flow, state, flow.nodes["outage_account"], yes) == "outage_service"
    assert state["vars"] == {"account": ACCOUNT}


@pytest.mark.parametrize("no", [Event("digits", "2"), said("dos")])
def test_refusing_the_read_back_asks_for_the_number_again(flow, no):
    state = at("es", "confirm", ACCOUNT)
    assert collect.answer(flow, state, flow.nodes["outage_account"], no) is REPEAT
    assert (state["phase"], state["pending"], state["vars"]) == ("ask", "", {})


def test_any_other_answer_to_the_read_back_is_not_understood(flow):
    state = at("es", "confirm", ACCOUNT)
    assert collect.answer(flow, state, flow.nodes["outage_account"], Event("digits", "3")) \
        is None
    assert (state["phase"], state["pending"]) == ("confirm", ACCOUNT)


def test_an_answer_is_understood_if_the_question_would_act_on_it_and_asking_changes_nothing(
        flow):
    """What is said over a prompt, or a middling answer to read back, is acted on only if the
    question would take it (or it is the way out); asking leaves the call as it was."""
    ask = {**at("es"), "node": "outage_account"}
    confirm = {**at("es", "confirm", ACCOUNT), "node": "outage_account"}
    for state, event, expected in [
            (ask, Event("digits", ACCOUNT), True),
            (ask, said("uno dos tres cuatro cinco seis siete cuatro"), True),
            (ask, Event("digits", "0"), True), (ask, said("quiero hablar con un agente"), True),
            (ask, Event("digits", "1234"), False), (ask, Event("silence"), False),
            (confirm, Event("digits", "1"), True), (confirm, Event("digits", "3"), False)]:
        before = copy.deepcopy(state)
        assert answers.understood(flow, state, event) is expected, event
        assert state == before


def test_words_that_are_not_digits_make_no_number(flow):
    four = replace(flow.nodes["outage_account"], min_length=4, max_length=4, checksum="")
    assert collect.answer(flow, at("es"), four, said("uno dos tres gracias")) is None
    assert collect.answer(flow, at("ko"), four, said("일 이 삼 사")) is None  # no digit words


def test_a_number_without_read_back_counts_at_once(flow):
    node = replace(flow.nodes["outage_account"], confirm=False, checksum="")
    state = at("en")
    assert collect.answer(flow, state, node, Event("digits", "12345678")) == "outage_service"
    assert state["vars"] == {"account": "12345678"}


@pytest.mark.parametrize(("digits", "valid"), [("79927398713", True), ("79927398710", False),
                                                ("0", True), ("18", True), ("19", False),
                                                ("4111111111111111", True)])
def test_the_luhn_check_digit(digits, valid):
    assert collect.luhn_ok(digits) is valid


@pytest.mark.parametrize(("event", "escapes"), [
    (Event("digits", "0"), True), (Event("digits", "00"), False), (Event("digits", "1"), False),
    (said("quiero hablar con un agente"), True), (said("a real person please"), True),
    (said("agencia"), False), (Event("silence"), False),
])
def test_zero_or_an_escape_word_asks_for_a_person(flow, event, escapes):
    assert answers.is_escape(flow, event) is escapes


@pytest.mark.parametrize(("event", "asks"), [
    (said("quiero hablar con el gerente"), True), (said("your manager"), True),
    (said("quiero un agente"), False), (Event("digits", "9"), False),
])
def test_supervisor_words_skip_to_the_supervisors(flow, event, asks):
    assert answers.asks_for_supervisor(flow, event) is asks
    no_supervisors = replace(flow, human=replace(flow.human, supervisor_queue=""))
    assert answers.asks_for_supervisor(no_supervisors, event) is False
