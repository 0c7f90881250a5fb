"""What a caller types never hangs up on them: odd input is a wrong answer, never an error.

Twilio plays "an application error has occurred" and hangs up on any answer that is not
2xx, so a request Twilio signed always gets TwiML: the question again, or a person.
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest

from ivr_app.demo.simulator import Call
from tests.line import PUBLIC, Line

ROOT = Path(__file__).resolve().parents[1]
NOT_UNDERSTOOD = "[es-MX] No entendimos su respuesta."
BAD_NUMBER = "[es-MX] No podemos devolver la llamada a ese número."
ENTER_NUMBER = "[es-MX] Marque el número al que le llamaremos"
QUEUE_UNAVAILABLE = "Lo sentimos: en este momento no podemos dejarle en espera en la fila."
CHOOSE = ("[es-MX] Para que le devolvamos la llamada, marque uno. Para dejarnos un mensaje de "
          "voz, marque dos.")


def typing_a_callback_number(line: Line) -> Call:
    """A caller without a caller ID we may call, at the question that asks for a number."""
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)  # a long wait
    caller = line.caller().dial().press("1").press("0").press("1")
    assert caller.heard[-2].startswith(ENTER_NUMBER)
    return caller


def test_every_gather_the_app_renders_limits_digits_and_names_its_finish_key():
    """Without numDigits a Gather takes any number of keys; say how many, and how they end."""
    missing = []
    for path in sorted((ROOT / "ivr_app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "gather"):
                given = {k.arg for k in node.keywords}
                if not {"num_digits", "finish_on_key"} <= given:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_forty_one_digits_at_the_callback_number_are_a_wrong_answer(line):
    caller = typing_a_callback_number(line)
    caller.press("5" * 41)  # Twilio stops at numDigits and posts what it has
    assert caller.heard[-3] == BAD_NUMBER
    assert caller.heard[-2].startswith(ENTER_NUMBER)


def test_more_digits_than_the_question_takes_are_a_wrong_answer_not_an_error(line):
    caller = typing_a_callback_number(line)
    caller.post("/voice/callback/enter", {"Digits": "5" * 41})  # raises on a non-2xx answer
    call = line.caller().dial().press("1").press("1")  # at the account number question
    answer = call.post("/voice/step?seq=2", {"Digits": "1" * 41})
    assert "No entendimos su respuesta." in answer and "<Enqueue" not in answer
    _, state = line.ivr.store.load(call.sid)
    assert state["path"][-1]["input"] == "1" * 40, "the call keeps 40 keys at most"


def test_the_pound_key_ends_a_typed_number_as_the_prompt_says(line):
    caller = typing_a_callback_number(line)
    caller.press("5587654321#")
    assert caller.heard[-2].startswith("[es-MX] Le llamaremos al 5 5 8 7 6 5 4 3 2 1.")


@pytest.mark.parametrize("digits", ["1234567\n", "1234567 ", "1; DROP", "١٢٣٤٥٦٧٤"])
def test_digits_that_are_not_keys_are_a_wrong_answer(call, store, digits):
    call.dial().press("1").press("1")  # Spanish, an outage: the account number question
    call.press(digits)
    assert call.heard[-3] == NOT_UNDERSTOOD
    assert call.waiting and call.ending is None
    assert store.load(call.sid)[1]["node"] == "outage_account"


@pytest.mark.parametrize("seq", ["٠", "²", "abc", "", "0\n", "-0", None])
def test_a_step_number_that_is_not_ascii_digits_asks_the_question_again(call, store, seq):
    call.dial()
    before = store.load(call.sid)
    query = "" if seq is None else f"?{urlencode({'seq': seq})}"  # None: no step number at all
    answer = call.post(f"/voice/step{query}", {"Digits": "1"})
    assert "Para español, marque uno." in answer and "<Gather" in answer
    assert store.load(call.sid) == before


def test_a_step_number_that_is_not_ours_at_a_later_question_asks_that_one_again(call, store):
    menu = call.dial().post("/voice/step?seq=0", {"Digits": "1"})  # Spanish: the main menu
    before = store.load(call.sid)
    assert call.post("/voice/step?seq=x", {"Digits": "2"}) == menu
    assert store.load(call.sid) == before


def test_a_call_keeps_500_characters_of_what_a_caller_says_at_most(call, store):
    call.dial().press("1")  # Spanish: at the main menu, which takes words
    call.says("quiero hablar de mi factura " * 20)
    [said] = [e for e in store.load(call.sid)[1]["path"] if e.get("event") != "enter"][-1:]
    assert len(said["input"]) == 500


def test_an_answer_that_carries_nothing_is_a_silence(call, store):
    """No keys, no words, no silence mark: what a Gather posts when it heard nothing."""
    call.dial()
    answer = call.post("/voice/step?seq=0", {})
    assert "No recibimos su respuesta." in answer and "<Enqueue" not in answer
    assert store.load(call.sid)[1]["tries"] == 1


def test_a_signed_request_without_a_call_sid_still_reaches_a_person(app, caplog):
    call = Call(app, "test-auth-token-0123456789abcdef", sid="")
    with caplog.at_level("WARNING"):
        answer = call.post("/voice", {})
    assert ">support</Enqueue>" in answer
    [record] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "(CallSid is missing or malformed)" in record.getMessage()
    assert record.exc_info is None, "a request we understand is one line, not a traceback"


@pytest.mark.parametrize("result", ["queue-full", "system-error"])
def test_a_queue_that_fails_without_a_fallback_apologises_and_offers_a_callback(line, result):
    caller = line.caller().dial().press("1").press("0")
    caller.queue_fails(result)
    assert caller.heard[-3] == f"[es-MX] {QUEUE_UNAVAILABLE}"
    assert caller.heard[-2] == CHOOSE
    caller.press("1").press("5512345678")
    assert caller.heard[-2].startswith("[es-MX] Le llamaremos al 5 5 1 2 3 4 5 6 7 8.")
    caller.press("1")
    assert caller.ending.kind == "goodbye"
    [callback] = line.ivr.callbacks.pending_for("+525512345678")
    assert list(line.ivr.queues.in_order("support")) == [callback.id]


def test_a_queue_that_fails_hands_a_caller_in_our_line_to_the_callback_offer_by_post(line):
    """Twilio asks the callback offer as it asks every webhook: a POST it signs."""
    caller = line.caller().dial().press("1").press("0")
    answer = caller.post("/voice/queue-exit?queue=support", {"QueueResult": "queue-full"})
    [redirect] = ET.fromstring(answer).iter("Redirect")
    assert redirect.get("method", "POST") == "POST"  # Twilio's default
    assert redirect.text.startswith("/voice/callback/start?")


@pytest.mark.parametrize("dialled", [False, True])
def test_a_queue_that_fails_for_a_caller_not_in_our_line_apologises_and_queues_again(
        line, dialled):
    """Never known to us, or sent to Twilio's queue before our line could hold them: there
    is no place to keep while a callback is offered, so the queue is tried again."""
    caller = line.caller()
    if dialled:
        caller.dial()
    answer = caller.post("/voice/queue-exit?queue=support", {"QueueResult": "system-error"})
    said = [(verb.tag, verb.text, verb.get("length")) for verb in ET.fromstring(answer)]
    assert said == [("Say", QUEUE_UNAVAILABLE, None), ("Pause", None, "5"),
                    ("Enqueue", "support", None)]


@pytest.mark.parametrize("path", ["/callback/answer", "/callback/accept", "/callback/status"])
def test_a_callback_we_do_not_know_is_answered_never_refused(line, path):
    call = Call(line.app, line.standin.auth_token, base_url=PUBLIC)
    answer = call.post(f"{path}?id=CB{'0' * 32}", {"Digits": "1"})  # raises on a non-2xx
    if path == "/callback/status":
        assert answer == ""  # a report: nothing to say back
    else:
        assert answer.startswith("<?xml") and "<Response>" in answer
