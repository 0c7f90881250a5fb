"""A caller who says the escape word is heard at every question that takes speech, from
their recording; words typed in are taken only from the console's Try a call (on the phone
line, tests/test_webhook.py).

The demo line is Spanish and English, and the only model here is Korean: the tests give
both languages the Korean model, with the Korean word for an agent among the escape words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.flow.nodes.language import LanguageNode
from ivr_app.flow.nodes.menu import MenuNode
from ivr_app.flow.validate import load_flow
from tests.console.conftest import Browser, add_people
from tests.line import PUBLIC, Line
from tests.support.spoken import ESCAPE_CLIPS, KO_MODEL, MENUS, clip

ACCOUNT = "12345674"  # passes the Luhn check
CUSTOMER = "+525512345678"  # a number we may call back
# Keys that bring a Spanish caller of the demo line to each of its menus.
TO_MENU = {
    "language": [],
    "main_menu": ["1"],
    "outage_service": ["1", "1", ACCOUNT, "1"],
    "anything_else": ["1", "1", ACCOUNT, "1", "1"],
    "billing_menu": ["1", "2", ACCOUNT, "1"],
    "cancel_menu": ["1", "3"],
    "visit_menu": ["1", "4", ACCOUNT, "1"],
}
BACK_IN_LINE = "[es-MX] Le regresamos a la fila, en el mismo lugar."


@pytest.fixture
def demo_line(tmp_path, make_app, redis):
    """The demo line heard by the Korean model in Spanish, its recordings served as Twilio
    serves them; yields a function that dials it from `number`."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow["escape_words"] = {lang: [MENUS["ko"][1]] for lang in ("es", "en")}
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    standin = TwilioStandin().start()
    recordings = RecordingServer(standin.account_sid, standin.auth_token).start()
    line = Line(make_app, standin, FLOWS_DIR=str(tmp_path), VOSK_MODEL_ES=str(KO_MODEL),
                VOSK_MODEL_EN=str(KO_MODEL), TWILIO_API_BASE=recordings.base)

    def dial(number: str = CUSTOMER) -> Call:
        call = Call(line.app, standin.auth_token, base_url=PUBLIC, caller=number,
                    recordings=recordings)
        standin.incoming_call(call.sid, call.caller, call.number)
        return call.dial()

    dial.line = line
    yield dial
    recordings.stop()
    standin.stop()


def asked(call: Call) -> str:
    """The TwiML of the question the caller is at."""
    store = call.app.extensions["ivr"].store
    current, _ = store.load(call.sid)
    return store.answer(call.sid, current - 1 if current else None)


def test_every_menu_of_the_demo_line_is_named_here():
    flow = load_flow("flows/main.yaml")
    assert set(TO_MENU) == {node.id for node in flow.nodes.values()
                            if isinstance(node, MenuNode | LanguageNode)}


@pytest.mark.parametrize("menu", TO_MENU)
def test_the_escape_word_said_at_any_menu_reaches_a_person(demo_line, menu):
    call = demo_line()
    for keys in TO_MENU[menu]:
        call.press(keys)
    assert "<Record " in asked(call)
    assert 'input="dtmf"' in re.search(r"<Gather [^>]*>", asked(call)).group(0)  # never speech
    call.speaks(clip(ESCAPE_CLIPS["ko"]))
    assert (call.ending.kind, call.ending.reason) == ("human", "asked for a person")


def wait_with_a_busy_agent(demo_line) -> Call:
    demo_line.line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    return demo_line().press("1").press("0")


@pytest.mark.parametrize("question", ["choose", "number", "when"])
def test_the_escape_word_said_at_a_callback_question_puts_the_caller_back_in_line(
        demo_line, question):
    if question == "choose":  # nobody signed in: a callback or a message
        call = demo_line().press("1").press("0").press("1")
    else:
        call = wait_with_a_busy_agent(demo_line).press("1")
        if question == "when":
            call.press("1")  # the number read back is right
    record = next(verb for verb in call._rest if verb.tag == "Record")
    assert record.get("action") == f"/voice/callback/{question}/heard"
    heard = len(call.heard)
    call.speaks(clip(ESCAPE_CLIPS["ko"]))
    assert call.heard[heard] == BACK_IN_LINE
    assert demo_line.line.ivr.queues.waiter(call.sid).queue == "support"


def test_a_call_tried_from_the_consoles_line_app_takes_typed_words_where_the_flow_does(
        make_app, redis):
    app = make_app(typed_speech=False, FLOW_CHECK_SECONDS=0)
    add_people(app)
    sol = Browser(app)
    sol.sign_in("sol")
    text = Path("flows/main.yaml").read_text(encoding="utf-8")
    started = sol.post("/console/try/main", {"text": text}).get_json()
    sid = started["sid"]
    assert started["asks"]["speech"], "the language question takes a spoken answer"
    sol.post(f"/console/try/call/{sid}", {"action": "press", "value": "1"})
    typed = sol.post(f"/console/try/call/{sid}", {"action": "say",
                                                  "value": "cancelar un servicio"})
    assert typed.status_code == 200, typed.get_data(as_text=True)
    _, state = app.extensions["ivr"].store.load(sid)
    assert state["node"] == "cancel_menu"
    asks = sol.post(f"/console/try/call/{sid}", {"action": "press", "value": "0"}).get_json()
    assert asks["state"]["is"] == "line"
    at_account = sol.post("/console/try/main", {"text": text}).get_json()["sid"]
    for key in ("1", "1"):
        answer = sol.post(f"/console/try/call/{at_account}", {"action": "press", "value": key})
    assert answer.get_json()["asks"]["speech"] is False, "an account number takes keys only"
    refused = sol.post(f"/console/try/call/{at_account}", {"action": "say", "value": "agente"})
    assert refused.status_code == 409 and "keys only" in refused.get_data(as_text=True)


def test_every_gather_the_app_writes_takes_keys_only():
    """Twilio's own speech recognition (SpeechResult) is never asked for: speech is heard
    from recordings, on this machine."""
    gathers = [node for path in Path("ivr_app").rglob("*.py")
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "gather"]
    assert len(gathers) == 1  # call/dialog.py asks every question
    for call in gathers:
        inputs = [k.value for k in call.keywords if k.arg == "input"]
        said = [getattr(value, "value", None) for value in inputs]
        assert said == ["dtmf"], ast.unparse(call)
