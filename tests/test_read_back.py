"""A spoken answer the line is not sure of is read back for a yes, through the signed
webhook: yes (or 1) acts on it, no (or 2) and silence ask again with the keys read out,
0 reaches a person. The demo flow's Spanish bands are the default ones (0.7, 0.4)."""

from __future__ import annotations

import pytest

from ivr_app.call.engine import REASON_ASKED, REASON_NO_INPUT, REASON_NOT_UNDERSTOOD
from ivr_app.flow import builtins
from ivr_app.flow.vocabulary import phrases_now

ES = builtins.MESSAGES["es"]
EN = builtins.MESSAGES["en"]
READ_BACK = ES["confirm_choice"].format(phrase="facturación")
KEYS_READ_OUT = ES["keys_again"].split(":")[0]


def heard(call):
    return [line.split("] ", 1)[1] for line in call.heard]


@pytest.fixture
def menu(call):
    """A caller at the main menu, in Spanish."""
    return call.dial().press("1")


def test_a_sure_answer_is_acted_on_at_once(menu):
    menu.says("facturación", 0.9)
    assert READ_BACK not in heard(menu)
    assert menu.app.extensions["ivr"].store.load(menu.sid)[1]["node"] != "main_menu"


def test_words_typed_without_a_confidence_are_what_they_say(menu):
    """A trial's typed words carry no confidence: nothing to read back, nor to fail on."""
    menu._answer({"SpeechResult": "facturación"})
    assert READ_BACK not in heard(menu)
    _, state = menu.app.extensions["ivr"].store.load(menu.sid)
    assert "billing_hours" in [e["node"] for e in state["path"]]


def test_a_middling_answer_is_read_back_and_a_yes_acts_on_it(menu):
    menu.says("facturación", 0.55)
    assert heard(menu)[-2:] == [READ_BACK, ES["escape"]]
    _, state = menu.app.extensions["ivr"].store.load(menu.sid)
    assert (state["node"], state["phase"]) == ("main_menu", "read back")
    menu.says("sí", 0.9)
    assert menu.app.extensions["ivr"].store.load(menu.sid)[1]["path"][-1]["node"] \
        in ("billing_account", "billing_closed")


def test_key_one_at_the_read_back_acts_on_the_answer(menu):
    menu.says("facturación", 0.55).press("1")
    _, state = menu.app.extensions["ivr"].store.load(menu.sid)
    assert "billing_hours" in [e["node"] for e in state["path"]]


@pytest.mark.parametrize("answer", ["no", "2", "silence", "mumble"])
def test_no_silence_or_anything_unclear_asks_again_with_the_keys_read_out(menu, answer):
    menu.says("facturación", 0.55)
    if answer == "2":
        menu.press("2")
    elif answer == "silence":
        menu.stays_silent()
    else:
        menu.says(answer, 0.9)
    assert menu.waiting
    said = heard(menu)
    assert any(line.startswith(KEYS_READ_OUT) and "factura, marque dos" in line
               for line in said[-4:])
    _, state = menu.app.extensions["ivr"].store.load(menu.sid)
    assert (state["node"], state["phase"]) == ("main_menu", "ask")
    assert "billing_hours" not in [e["node"] for e in state["path"]]


def test_zero_at_the_read_back_reaches_a_person(menu):
    menu.says("facturación", 0.55).press("0")
    assert (menu.ending.kind, menu.ending.reason) == ("human", REASON_ASKED)


def test_silence_at_every_read_back_ends_with_a_person(menu):
    for _ in range(3):
        menu.says("facturación", 0.55).stays_silent()
    assert (menu.ending.kind, menu.ending.reason) == ("human", REASON_NO_INPUT)


@pytest.mark.parametrize(("unsure", "reason"),
                         [("silence", REASON_NO_INPUT), ("mumble", REASON_NOT_UNDERSTOOD)])
def test_each_unsure_read_back_is_one_try_and_the_last_reaches_the_support_queue(
        menu, demo_flow, unsure, reason):
    """As at any question: the flow's retries keep the caller at the menu, one more hands
    them to the flow's queue, saying why (silence, or words that were neither yes nor no)."""

    def read_back_left_unsure():
        menu.says("facturación", 0.55)
        menu.stays_silent() if unsure == "silence" else menu.says(unsure, 0.9)

    for _ in range(demo_flow.retries):
        read_back_left_unsure()
        assert menu.ending is None and menu.waiting
    read_back_left_unsure()
    assert (menu.ending.kind, menu.ending.queue, menu.ending.reason) == \
        ("human", demo_flow.human.queue, reason)


def test_a_no_at_the_read_back_reads_out_every_key_of_the_menu(menu):
    menu.says("facturación", 0.55).says("no", 0.9)
    assert ES["keys_again"].format(keys="falla, marque uno; factura, marque dos; cancelar un "
                                   "servicio, marque tres; visita, marque cuatro") in heard(menu)


def test_a_no_at_the_read_back_of_a_spoken_account_number_asks_for_it_again_without_keys(menu):
    """An account number has no keys to read out: the caller hears the question again, not
    an empty list."""
    menu.press("1")  # outage: the account number
    menu.says("cuatro siete uno seis cero tres dos cero", 0.55)
    assert heard(menu)[-2].startswith(ES["confirm_choice"].split("{")[0])
    menu.says("no", 0.9)
    assert heard(menu)[-2:] == ["Marque su número de cuenta de ocho dígitos. Lo encuentra en "
                                "su factura.", ES["escape"]]


@pytest.mark.parametrize("yes", ["sí", "yes"])
def test_a_language_said_unsurely_is_read_back_in_each_language_and_a_yes_in_either_speaks_it(
        call, yes):
    """The caller has not chosen a language yet: the read-back is said in both, as the
    question was, and a yes in either acts on the words heard ("english": English)."""
    call.dial().says("english", 0.55)
    assert [ES["confirm_choice"].format(phrase="english"),
            EN["confirm_choice"].format(phrase="english")] == \
        [line for line in heard(call)[-4:] if "?" in line]
    call.says(yes, 0.9)
    _, state = call.app.extensions["ivr"].store.load(call.sid)
    assert (state["lang"], state["node"]) == ("en", "main_menu")


def test_an_answer_below_the_bands_is_not_understood(menu):
    menu.says("facturación", 0.3)
    assert ES["not_understood"] in heard(menu)
    assert READ_BACK not in heard(menu)



def test_a_middling_escape_word_reaches_a_person_without_a_read_back(menu):
    menu.says("agente", 0.55)
    assert (menu.ending.kind, menu.ending.reason) == ("human", REASON_ASKED)


def test_the_read_back_listens_for_yes_and_no_in_the_languages_it_was_said_in(call, demo_flow):
    """What the recogniser's grammar holds: at the language question both languages' yes
    and no; at a menu, once Spanish is chosen, Spanish only."""
    store = call.app.extensions["ivr"].store
    call.dial().says("english", 0.55)
    assert {"sí", "no", "yes", "correct"} <= set(phrases_now(demo_flow, store.load(call.sid)[1]))
    call.says("no", 0.9).press("1").says("facturación", 0.55)
    at_menu = phrases_now(demo_flow, store.load(call.sid)[1])
    assert "sí" in at_menu and "yes" not in at_menu
