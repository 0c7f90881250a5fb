"""What lint counts of a turn is what the caller is sent: every Say and Play of the turn,
as TwiML writes them, and every node it walks through (the limits themselves:
tests/test_flow_limits.py). A turn that ends at a person, a goodbye or a question in the
caller's language is counted exactly; a question that may be read back or asked in several
languages is counted as its longest form, never less than what is played."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import dialog, engine, twiml
from ivr_app.call.turn import Event
from ivr_app.flow import spec
from ivr_app.flow.source import parse
from ivr_app.flow.turn_rules import turn_bytes
from ivr_app.flow.validate import validate

NOW = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)
ES = "languages:\n  es: {voice: Polly.Mia, locale: es-MX}\nhuman:\n  queue: support\n"


def loaded(nodes: str, head: str = ES, start: str = "first") -> object:
    return validate(parse(f"{head}start: {start}\nnodes:\n{nodes}", "sizes.yaml"), "sizes")


def sent(document: str) -> int:
    """Bytes of the Say and Play elements of a TwiML document."""
    return sum(len(part.encode()) for part in
               re.findall(r"<Say [^>]*>.*?</Say>|<Play>.*?</Play>", document))


def said(flow, lang: str, key: str) -> int:
    """Bytes of one of the flow's messages said on its own."""
    response = VoiceResponse()
    dialog.say(response, flow, lang, flow.messages[lang][key])
    return sent(str(response))


def first_turn(flow, speech=("es",), known: dict | None = None) -> tuple[str, int]:
    state = engine.new_state(flow, {"CallSid": "CA" + "7" * 32}, NOW)
    state["vars"].update(known or {})
    turn = engine.start(flow, state, NOW)
    return twiml.render(flow, turn, 1, speech=speech), len(state["path"])


PLAYED_TO_A_PERSON = """\
  first: {type: say, prompt: {es: {play: 'https://example.com/a.mp3?x=1&y=2'}}, next: which}
  which:
    type: branch
    cases: [{when: {var: plan, equals: gold}, goto: gold}]
    otherwise: plain
  gold: {type: say, prompt: {es: 'Cliente <oro> & más'}, next: agent}
  plain: {type: say, prompt: {es: Hola}, next: agent}
  agent: {type: transfer, prompt: {es: Le comunicamos.}, queue: support}
"""
TO_A_GOODBYE = """\
  first: {type: say, prompt: {es: Aviso uno.}, next: second}
  second: {type: say, prompt: {es: {play: 'https://example.com/b.mp3'}}, next: bye}
  bye: {type: goodbye, prompt: {es: Adiós.}}
"""
TO_A_QUESTION = """\
  first: {type: say, prompt: {es: Bienvenido.}, next: menu}
  menu:
    type: menu
    prompt: {es: Para facturación marque uno.}
    options: [{key: 1, say: {es: [factura]}, goto: bye}]
  bye: {type: goodbye, prompt: {es: Adiós.}}
"""


@pytest.mark.parametrize("nodes, known", [
    (PLAYED_TO_A_PERSON, {"plan": "gold"}), (PLAYED_TO_A_PERSON, {"plan": "basic"}),
    (TO_A_GOODBYE, {}), (TO_A_QUESTION, {})], ids=["longest branch", "shorter branch",
                                                   "goodbye", "question"])
def test_a_turn_to_a_person_a_goodbye_or_a_question_is_counted_as_exactly_what_it_sends(
        nodes, known):
    flow = loaded(nodes)
    document, walked = first_turn(flow, known=known)
    nodes_counted, size = turn_bytes(flow, "es", "first")
    if known.get("plan") == "basic":  # the other branch is the longer: counted, not sent
        assert size > sent(document) and nodes_counted == walked
    else:
        assert (nodes_counted, size) == (walked, sent(document))


COLLECT = """\
  first: {type: say, prompt: {es: Hola.}, next: account}
  account:
    type: collect
    variable: account
    length: 4
    prompt: {es: Marque su cuenta.}
    next: after
  after: {type: say, prompt: {es: SAID}, next: bye}
  bye: {type: goodbye, prompt: {es: Adiós.}}
"""


@pytest.mark.parametrize("after", ["Gracias.", "Gracias, lo pasamos con facturación. " * 12])
def test_a_question_skipped_once_its_answer_is_known_counts_the_longer_of_both_ways(after):
    flow = loaded(COLLECT.replace("SAID", repr(after)))
    asked, _ = first_turn(flow)
    skipped, walked = first_turn(flow, known={"account": "1234"})
    state = engine.new_state(flow, {"CallSid": "CA" + "8" * 32}, NOW)
    engine.start(flow, state, NOW)
    read_back = twiml.render(flow, engine.handle(flow, state, Event("digits", "1234"), NOW), 2)
    nodes_counted, size = turn_bytes(flow, "es", "first")
    assert nodes_counted == walked == 4
    assert size >= max(sent(asked), sent(skipped), sent(read_back))
    assert (size == sent(skipped)) == (len(after) > 100)  # the way past it is the longer


def test_a_read_back_is_counted_for_the_longest_number_a_caller_may_type():
    flow = loaded(COLLECT.replace("length: 4", f"length: {spec.MAX_DIGITS}")
                  .replace("SAID", "Gracias."))
    state = engine.new_state(flow, {"CallSid": "CA" + "9" * 32}, NOW)
    engine.start(flow, state, NOW)  # "Hola.", then the question
    longest = "4" * spec.MAX_DIGITS
    read_back = twiml.render(flow, engine.handle(flow, state, Event("digits", longest), NOW), 2)
    assert longest not in read_back and " ".join(longest) in read_back  # digit by digit
    # with the speech hint, which a question that may be answered aloud says after it
    assert turn_bytes(flow, "es", "account")[1] == sent(read_back) + said(flow, "es",
                                                                          "speech_hint")


LANGUAGE = ES.replace("human:", "  en: {voice: Polly.Joanna, locale: en-US}\nhuman:") + """\
start: pick
nodes:
  pick:
    type: language
    prompt: {es: Para español marque uno., en: For English press two.}
    choices: [{key: 1, language: es}, {key: 2, language: en}]
    next: bye
  bye: {type: goodbye, prompt: {es: Adiós., en: Bye.}}
"""


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_question_asked_in_every_language_is_counted_in_each_with_its_hint(lang):
    flow = validate(parse(LANGUAGE, "sizes.yaml"), "sizes")
    state = engine.new_state(flow, {"CallSid": "CA" + "6" * 32}, NOW)
    state["lang"] = lang
    document = twiml.render(flow, engine.start(flow, state, NOW), 1, speech=(lang,))
    other = "en" if lang == "es" else "es"
    assert "For English" in document and "Para español" in document
    assert turn_bytes(flow, lang, "pick") == (2, sent(document) + said(flow, other,
                                                                       "speech_hint"))
