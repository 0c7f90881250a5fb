"""A spoken answer the line is not sure of is read back for a yes, through the signed
webhook: yes (or 1) acts on it, no (or 2) and silence ask again with the keys read out,
0 reaches a person. The demo flow's Spanish bands are the default ones (0.7, 0.4)."""

from __future__ import annotations

import pytest

from ivr_app.call.engine import REASON_ASKED, REASON_NO_INPUT
from ivr_app.flow import builtins

ES = builtins.MESSAGES["es"]
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


def test_an_answer_below_the_bands_is_not_understood(menu):
    menu.says("facturación", 0.3)
    assert ES["not_understood"] in heard(menu)
    assert READ_BACK not in heard(menu)



def test_a_middling_escape_word_reaches_a_person_without_a_read_back(menu):
    menu.says("agente", 0.55)
    assert (menu.ending.kind, menu.ending.reason) == ("human", REASON_ASKED)
