"""The promise in writing: a booked callback is texted to its customer, who can answer the
text; a callback that slips is texted again; a STOP is the last word."""

from __future__ import annotations

from pathlib import Path

import yaml

from ivr_app.call.queueing import dispatch_soon
from ivr_app.callbacks import texts
from ivr_app.demo.simulator import Call
from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.line import LINE_NUMBER, PUBLIC, Line, created_calls

REPLY_URL = PUBLIC + "/texts/reply"
BOOKED = ("Le llamaremos hoy a las 10:06 desde el +1 500-555-0000. Responda 1 para que le "
          "llamemos en cuanto haya un agente libre, 2 para cancelar la llamada, o ALTO para no "
          "recibir más mensajes.")


def books_a_callback(line: Line, number: str, when: str = "1") -> Call:
    """A caller facing a long wait (ana is on a call) books a callback to their own number:
    `when` 1 is their turn, 2 tomorrow's first opening."""
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = line.caller(number).dial().press("1").press("0")
    caller.press("1").press("1").press(when)
    assert any(said.startswith("[es-MX] Listo. Le llamaremos al") for said in caller.heard[-3:])
    return caller


def texted(line: Line, number: str) -> list[str]:
    return [m["body"] for m in line.standin.messages if m["to"] == number]


def replies(line: Line, number: str, body: str) -> str:
    """The customer answers the text; what the line answers them (TwiML)."""
    hook = line.standin.text_in(number, LINE_NUMBER, body, REPLY_URL)
    assert hook.status == 200, hook.body
    return hook.body


def pending(line: Line, number: str):
    return [c for c in line.ivr.callbacks.pending_for(number) if c.state != "dialing"]


def test_a_booked_callback_is_texted_once_with_when_and_from_which_number(line):
    books_a_callback(line, "+525511220001")
    assert texted(line, "+525511220001") == []  # the caller's call never waits for it
    line.run_jobs()
    assert texted(line, "+525511220001") == [BOOKED]
    [callback] = pending(line, "+525511220001")
    texts.enqueue(line.ivr, callback.id, texts.BOOKED)  # a job run twice, a retry
    texts.enqueue(line.ivr, callback.id, texts.MOVED)  # it has not slipped: nothing to say
    assert texts.keep_promises(line.ivr) == 0
    line.run_jobs()
    assert texted(line, "+525511220001") == [BOOKED]
    assert line.standin.messages[0]["from"] == LINE_NUMBER


def test_a_text_whose_job_was_lost_is_sent_by_the_minutes_check(line):
    books_a_callback(line, "+525511220009")
    line.ivr.jobs.empty()  # the worker never got it
    assert texts.keep_promises(line.ivr) == 1
    line.run_jobs()
    assert texted(line, "+525511220009") == [BOOKED]


def test_a_number_twilio_knows_opted_out_is_not_texted_again(line):
    line.standin.text_in("+525511220010", LINE_NUMBER, "STOP", PUBLIC + "/elsewhere")
    books_a_callback(line, "+525511220010")  # its STOP reached Twilio, never us
    line.run_jobs()  # Twilio refuses the text (21610): taken as the customer's opt-out
    assert texted(line, "+525511220010") == []
    assert line.ivr.texts.opted_out("+525511220010")
    assert texts.keep_promises(line.ivr) == 0


def test_replying_2_cancels_the_callback_and_the_console_shows_the_text(line):
    books_a_callback(line, "+525511220002")
    line.run_jobs()
    [callback] = pending(line, "+525511220002")
    assert replies(line, "+525511220002", " 2 ") == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Cancelamos su devolución de '
        'llamada.</Message></Response>')
    assert line.ivr.callbacks.get(callback.id).state == "cancelled"
    assert callback.id not in list(line.ivr.queues.in_order("support"))
    assert replies(line, "+525511220002", "2").count("No tiene devoluciones") == 1
    from ivr_app.console.live import callback_row
    with line.app.test_request_context():
        row = callback_row(line.ivr, line.ivr.callbacks.get(callback.id))
    assert [t["body"] for t in row["texts"]] == [BOOKED]


def test_replying_1_brings_a_callback_for_tomorrow_forward_and_anything_else_gets_help(line):
    books_a_callback(line, "+525511220003", when="2")
    line.run_jobs()
    assert texted(line, "+525511220003")[0].startswith(
        "Le llamaremos mañana a las 8:00 desde el +1 500-555-0000.")
    assert "Responda 1 para que le llamemos en cuanto haya un agente libre, 2 para cancelar " \
           "su devolución de llamada" in replies(line, "+525511220003", "¿qué?")
    [callback] = pending(line, "+525511220003")
    assert callback.state == "requested"
    assert "Le llamaremos en cuanto haya un agente libre." in replies(
        line, "+525511220003", "1")
    assert line.ivr.callbacks.get(callback.id).state == "waiting"
    assert callback.id in list(line.ivr.queues.in_order("support"))


def test_a_callback_that_slips_is_texted_again_with_its_new_time(line):
    books_a_callback(line, "+525511220004")
    line.run_jobs()
    line.clock.advance(120)
    line.ivr.roster.set_status("ana", "available", line.clock())
    dispatch_soon(line.ivr, "support")
    line.run_jobs()  # its turn: the customer's phone rings, and nobody answers
    [(customer, _)] = [c for c in created_calls(line) if c[1] == "+525511220004"]
    line.standin.fail_call(customer, "no-answer")
    assert texts.keep_promises(line.ivr) == 1  # the next try, at 10:12, is after 10:06
    line.run_jobs()
    assert texted(line, "+525511220004")[1] == (
        "Su llamada se retrasó: le llamaremos hoy a las 10:12 desde el +1 500-555-0000. "
        "Responda 1 para que le llamemos en cuanto haya un agente libre, 2 para cancelarla.")
    assert texts.keep_promises(line.ivr) == 0  # the new time is the promise now


def test_after_stop_no_text_is_sent_and_the_callback_is_cancelled(line):
    books_a_callback(line, "+525511220005")
    line.run_jobs()
    [callback] = pending(line, "+525511220005")
    assert replies(line, "+525511220005", "STOP") == \
        '<?xml version="1.0" encoding="UTF-8"?><Response />'  # Twilio answers STOP itself
    assert line.ivr.callbacks.get(callback.id).state == "cancelled"
    asked = len(line.standin.requests)
    books_a_callback(line, "+525511220005")  # they call again and book another
    line.run_jobs()
    assert texts.keep_promises(line.ivr) == 0
    assert not [r for r in line.standin.requests[asked:] if r.path.endswith("/Messages.json")]
    assert texted(line, "+525511220005") == [BOOKED]


def test_help_is_answered_once_by_twilio_and_ayuda_by_the_line(line):
    books_a_callback(line, "+525511220008")
    line.run_jobs()
    [before] = pending(line, "+525511220008")
    for word in ("HELP", "info"):  # Twilio sends its own help text for these
        assert replies(line, "+525511220008", word) == \
            '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert "Responda 1 para que le llamemos" in replies(line, "+525511220008", "Ayuda")
    assert pending(line, "+525511220008") == [before], "asking for help changes nothing"


def test_alto_in_spanish_stops_the_texts_too_and_is_confirmed(line):
    books_a_callback(line, "+525511220006")
    line.run_jobs()
    assert "No le enviaremos más mensajes, y cancelamos su devolución de llamada." in \
        replies(line, "+525511220006", "Alto")
    assert line.ivr.texts.opted_out("+525511220006")
    assert pending(line, "+525511220006") == []


def test_a_reply_without_twilios_signature_is_refused(line):
    books_a_callback(line, "+525511220007")
    refused = line.api.post("/texts/reply", data={"From": "+525511220007", "Body": "2"},
                            base_url=PUBLIC, headers={"X-Twilio-Signature": "forged"})
    assert refused.status_code == 403
    assert len(pending(line, "+525511220007")) == 1


def test_a_flow_can_switch_the_texts_off(make_app, redis, twilio_standin, tmp_path):
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow["callbacks"]["texts"] = False
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    line = Line(make_app, twilio_standin, FLOWS_DIR=str(tmp_path))
    books_a_callback(line, "+525511220008")
    line.run_jobs()
    assert texted(line, "+525511220008") == []
    flow["callbacks"]["texts"] = "no"
    try:
        validate(parse(yaml.safe_dump(flow, allow_unicode=True), "main.yaml"), "main")
    except FlowError as exc:
        assert "texts" in str(exc)
    else:
        raise AssertionError("callbacks.texts must be true or false")
