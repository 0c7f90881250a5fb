"""What a caller's answer means at the demo flow's questions: keys, words, read-backs.

The answers module is asked directly, on the demo flow as loaded for calls, so each way a
caller may put an answer is checked without a whole call around it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ivr_app.call import answers
from ivr_app.call.turn import Event
from ivr_app.flow.model import Flow


@pytest.fixture
def flow(app: Flask) -> Flow:
    return app.extensions["ivr"].registry.current("main")


def at(lang: str, phase: str = "ask", pending: str = "") -> dict[str, Any]:
    """A call's state at a question, in `lang`."""
    return {"lang": lang, "phase": phase, "pending": pending, "vars": {}}


def said(words: str) -> Event:
    return Event("speech", words, 0.9)


@pytest.mark.parametrize(("lang", "words", "goes_to"), [
    ("es", "dos", "billing_hours"),  # a key said as a word
    ("en", "two", "billing_hours"),
    ("es", "2", "billing_hours"),  # or as a digit
    ("es", "la factura por favor", "billing_hours"),  # or an option's phrase
    ("en", "I want to cancel my service", "cancel_menu"),
    ("es", "uno dos", None),  # two keys: not understood
    ("es", "doce", None),
    ("en", "dos", None),  # a Spanish word is no English key
    ("es", "factura y visita", None),  # two options at once
])
def test_a_menu_understands_keys_said_as_words_and_option_phrases(flow, lang, words, goes_to):
    assert answers.menu(flow, at(lang), flow.nodes["main_menu"], said(words)) == goes_to
