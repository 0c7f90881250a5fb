"""A caller whose number chose a language is greeted in it, and can change it at once;
test calls neither leave nor find a language remembered."""

from __future__ import annotations

import pytest

from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.console.conftest import Browser, add_people
from tests.line import ACCOUNT, Line

ENGLISH_MENU = "[en-US] To report an internet or TV outage, press one."
SPANISH_MENU = "[es-MX] Para reportar una falla de internet o televisión, marque uno."
CHANGE_TO_SPANISH = "[es-MX] Para español, marque asterisco o diga español."
LANGUAGE_QUESTION = "[es-MX] Gracias por llamar a Red Hogar. Para español, marque uno."


def chooses_english_and_hangs_up(line: Line, number: str) -> None:
    first = line.caller(number).dial()
    assert first.heard[0] == LANGUAGE_QUESTION
    first.press("2")
    assert ENGLISH_MENU in first.heard[-2]
    first.hang_up()


def test_a_caller_who_chose_english_is_greeted_in_english_and_told_how_to_change(line):
    chooses_english_and_hangs_up(line, "+525511330001")
    again = line.caller("+525511330001").dial()
    assert again.heard[0].startswith(ENGLISH_MENU)  # no language question
    assert again.heard[-2:] == ["[en-US] To speak with a person, press zero.",
                                CHANGE_TO_SPANISH]
    again.press("3")  # the menu as usual: cancel a service
    assert again.heard[-2].startswith("[en-US] To cancel internet, press one.")
    assert again.heard.count(CHANGE_TO_SPANISH) == 1


def test_the_agent_sees_the_language_was_remembered(line):
    chooses_english_and_hangs_up(line, "+525511330002")
    line.agent("ana", ["en"], ["support"])
    add_people(line.app)
    ana = Browser(line.app)
    ana.sign_in("ana")
    again = line.caller("+525511330002").dial().press("0")
    assert again.ending.queue == "support"
    line.run_jobs()
    call = ana.get("/console/agent/live").get_json()["call"]
    assert (call["language"], call["language_remembered"]) == ("en", True)
    fresh = line.caller("+525511330003").dial().press("2").press("0")
    context = line.get(f"/api/calls/{fresh.sid}/context").get_json()
    assert (context["language"], context["language_remembered"]) == ("en", False)


def test_star_asks_the_language_question_and_the_new_choice_is_remembered(line):
    chooses_english_and_hangs_up(line, "+525511330004")
    again = line.caller("+525511330004").dial()
    again.press("*")
    assert again.heard[-4] == LANGUAGE_QUESTION
    again.press("1")
    assert again.heard[-2].startswith(SPANISH_MENU)
    again.hang_up()
    third = line.caller("+525511330004").dial()
    assert third.heard[0].startswith(SPANISH_MENU)
    assert third.heard[-1] == "[en-US] For English, press star or say English."


def test_saying_the_other_language_switches_to_it_at_once(line):
    chooses_english_and_hangs_up(line, "+525511330005")
    again = line.caller("+525511330005").dial()
    heard = len(again.heard)
    again.says("español")
    assert again.heard[heard].startswith(SPANISH_MENU)
    assert CHANGE_TO_SPANISH not in again.heard[heard:]


def test_past_the_first_question_star_is_a_wrong_answer_as_before(line):
    chooses_english_and_hangs_up(line, "+525511330006")
    again = line.caller("+525511330006").dial()
    again.press("1").press(ACCOUNT).press("1").press("1")  # an outage, logged
    again.press("1")  # back to the main menu, the first question again
    assert again.heard[-2].startswith(ENGLISH_MENU)
    again.press("*")
    assert again.heard[-3] == "[en-US] Sorry, we did not understand that."


def test_a_test_call_leaves_no_language_and_finds_none(make_app, redis, twilio_standin):
    line = Line(make_app, twilio_standin, TEST_CALLERS="+525511330007")
    line.ivr.remembered.keep_language("+525511330007", "en")  # as if a customer had it before
    tried = line.caller("+525511330007").dial()
    assert tried.heard[0] == LANGUAGE_QUESTION  # a test call hears the flow from its start
    tried.press("1").hang_up()
    assert line.ivr.remembered.about("+525511330007").language == "en"  # its "1" was not kept
    line.caller("+525511330008").dial().press("1").hang_up()  # a customer's call is
    assert line.ivr.remembered.about("+525511330008").language == "es"


STAR_MENU = """\
languages:
  es: {voice: Polly.Mia, locale: es-MX}
  en: {voice: Polly.Joanna, locale: en-US}
human: {queue: support}
start: language
nodes:
  language:
    type: language
    prompt:
      es: Para español, marque uno.
      en: For English, press two.
    choices:
      - {key: 1, language: es, say: [español]}
      - {key: 2, language: en, say: [english]}
    next: menu
  menu:
    type: menu
    prompt:
      es: Para facturación, marque asterisco.
      en: For billing, press star.
    options:
      - {key: "*", say: {es: [factura], en: [bill]}, goto: billing}
  billing: {type: transfer}
"""


def test_lint_refuses_star_at_the_first_question_after_the_language_one():
    with pytest.raises(FlowError) as refused:
        validate(parse(STAR_MENU, "star.yaml"), "star")
    assert str(refused.value) == (
        "star.yaml:16:3: key * changes the language of a caller greeted in the one their "
        "number chose, at the first question: give node 'menu' another key [language-key]")


def test_a_withheld_number_is_no_one_to_remember(line):
    line.caller("+266696687").dial().press("2").hang_up()  # how Twilio gives "anonymous"
    assert line.ivr.remembered.about("+266696687").language is None
    assert line.caller("+266696687").dial().heard[0] == LANGUAGE_QUESTION
