"""The call we place to a customer whose callback is due: what we ask of Twilio for it, what
they hear on it, and when we try again."""

from __future__ import annotations

import datetime as dt
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from ivr_app.callbacks import placing
from ivr_app.callbacks.placing import request_callback
from ivr_app.demo.simulator import Call
from tests.conftest import OFFICE_HOURS
from tests.line import LINE_NUMBER, PUBLIC, Clock, Line
from tests.test_callbacks import CUSTOMER, customer_calls, waiting_caller, with_services
from workers import callbacks as callback_jobs

UNKNOWN = "CB" + "0" * 32  # a callback no record names (expired, or never ours)


def main_flow() -> dict[str, Any]:
    """The demo flow, trying twice a quarter of an hour apart (not the default ten minutes),
    while support is open."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow["callbacks"] |= {"attempts": 2, "spacing": 900}
    return flow


def write(flows: Path, flow: dict[str, Any]) -> None:
    (flows / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True, sort_keys=False))


@pytest.fixture
def line(make_app, redis, tmp_path):
    from ivr_app.demo.twilio_rest import TwilioStandin

    write(tmp_path, main_flow())
    standin = TwilioStandin().start()
    try:
        yield lambda **config: Line(make_app, standin, **{
            "FLOWS_DIR": str(tmp_path), "FLOW_CHECK_SECONDS": 0} | config)
    finally:
        standin.stop()


def said(twiml: str) -> list[tuple[str, str | None, dict[str, str]]]:
    """The verbs of a TwiML answer: tag, text and attributes."""
    return [(verb.tag, verb.text, verb.attrib) for verb in ET.fromstring(twiml)]


def test_the_call_to_the_customer_asks_twilio_for_what_the_callback_relies_on(line):
    """By POST, the only method our webhooks answer; told when the customer answers and when
    the call ends; ringing 30 s (Twilio's default of 60 would keep the agent kept for them
    twice as long); and an answering machine told apart from the customer."""
    line = line()
    line.agent("ana", ["es"], ["support"])
    request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [asked] = [r.form for r in line.standin.requests
               if r.path.endswith("/Calls.json") and r.form.get("To") == CUSTOMER]
    assert asked.get("Method", "POST") == "POST", "POST is Twilio's default"
    assert asked.get("StatusCallbackMethod", "POST") == "POST"
    assert asked.getlist("StatusCallbackEvent") == ["answered", "completed"]
    assert (asked.get("Timeout"), asked.get("MachineDetection")) == ("30", "Enable")


def test_the_log_says_which_call_each_try_was_placed_as(line, caplog):
    line = line()
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    with caplog.at_level("INFO", logger=placing.__name__):
        line.run_jobs()
    [call] = customer_calls(line)
    assert [r.getMessage() for r in caplog.records if r.name == placing.__name__] == [
        f"callback {callback.id}: attempt 1 placed as {call}"]


def test_a_customer_who_answers_a_try_twilio_was_slow_to_take_still_reaches_a_person(line):
    """Twilio took the second try's call after our worker stopped waiting for it: the call
    is ours all the same, and once the customer has talked to a person it is completed."""
    line = line(TWILIO_TIMEOUT=0.5)
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    line.clock.advance(900)
    line.standin.hang_next(1.0, path="/Calls.json")  # the create lands after our timeout
    with_services(line, callback_jobs.callback_due, callback.id)
    line.run_jobs()
    deadline = time.monotonic() + 10
    while len(customer_calls(line)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    second_try = customer_calls(line)[-1]
    assert line.ivr.callbacks.get(callback.id).attempts == 2
    held = line.agent_presses(line.standin.answer(second_try), "1")
    assert f">call-{callback.id}</Conference>" in held
    line.standin.hang_up(second_try)
    assert [h["state"] for h in line.ivr.callbacks.history(callback.id)][-2:] == [
        "connected", "completed"]


def test_a_customer_who_presses_another_key_hears_we_will_call_again_and_we_do(line):
    line = line()
    line.agent("ana", ["en"], ["support"])
    caller = line.caller().dial().press("2").press("0")  # in English
    callback = request_callback(line.ivr, caller.sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    goodbye = line.agent_presses(line.standin.answer(call), "5")
    voice = {"voice": "Polly.Joanna", "language": "en-US"}  # the flow's English voice
    assert said(goodbye) == [("Say", "We will call you again later. Goodbye.", voice),
                             ("Hangup", None, {})]
    line.standin.hang_up(call)
    record = line.ivr.callbacks.get(callback.id)
    assert record.state == "retry-wait"
    assert dt.datetime.fromisoformat(record.due_at) == line.clock() + dt.timedelta(minutes=15)


def test_a_callback_asked_for_in_a_language_the_flow_drops_is_made_in_its_first(line, tmp_path):
    line = line()
    line.agent("ana", ["es", "en"], ["support"], status="busy")
    caller = line.caller().dial().press("2").press("0")  # in English
    request_callback(line.ivr, caller.sid, CUSTOMER)

    def spanish(part: Any) -> Any:  # the flow without its English
        if isinstance(part, dict):
            return {key: spanish(value) for key, value in part.items() if key != "en"}
        if isinstance(part, list):
            return [spanish(item) for item in part
                    if not (isinstance(item, dict) and item.get("language") == "en")]
        return part

    write(tmp_path, spanish(main_flow()))
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.run_jobs()
    [call] = customer_calls(line)
    assert "Le llamamos de soporte, como nos pidió." in line.standin.answer(call)


def test_a_try_that_would_fall_after_support_closes_is_made_when_it_opens(line):
    """Support closes at 21:00 (Mexico City): a try missed at 20:50 is not made at 21:05
    but at 8:00 the next morning."""
    line = line(clock=Clock(OFFICE_HOURS.replace(hour=20, minute=50)))
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    record = line.ivr.callbacks.get(callback.id)
    assert record.state == "retry-wait"
    assert dt.datetime.fromisoformat(record.due_at) == OFFICE_HOURS.replace(day=26, hour=8)


def test_a_missed_callback_whose_text_cannot_be_sent_is_missed_all_the_same_and_logged(
        line, tmp_path, caplog):
    """The flow's one try goes unanswered and Twilio refuses the SMS: the callback is still
    marked missed, and the log says which callback's text was not sent."""
    flow = main_flow()
    flow["callbacks"]["attempts"] = 1
    write(tmp_path, flow)
    line = line()
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_next(count=1, path="/Messages.json")
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    assert line.ivr.callbacks.get(callback.id).state == "missed"
    assert [r.getMessage() for r in caplog.records
            if r.name == placing.__name__ and r.levelname == "ERROR"] == [
        f"callback {callback.id}: missed-callback SMS not sent"]


def test_a_callback_call_we_cannot_read_says_the_flows_own_we_will_call_again(line, tmp_path,
                                                                            caplog):
    flow = main_flow()
    flow.setdefault("messages", {})["es"] = {"callback_later": "Le llamaremos de nuevo. Adiós."}
    write(tmp_path, flow)
    line = line()
    call = Call(line.app, line.standin.auth_token, base_url=PUBLIC)
    apology = call.post(f"/callback/answer?id={UNKNOWN}", {})
    assert said(apology) == [("Say", "Le llamaremos de nuevo. Adiós.",
                              {"voice": "Polly.Mia", "language": "es-MX"}),
                             ("Hangup", None, {})]
    [why] = [r for r in caplog.records if r.name == "ivr_app.call.fallback"]
    assert (why.levelname, why.exc_info) == ("WARNING", None), "one line, no traceback"
    assert f"failed (no such callback '{UNKNOWN}'); the customer is told we will call again" \
        in why.getMessage()


def test_with_no_flow_that_loads_a_callback_call_still_says_we_will_call_again(make_app, redis,
                                                                               tmp_path):
    (tmp_path / "main.yaml").write_text("start: nowhere\n")
    app = make_app(FLOWS_DIR=str(tmp_path))
    apology = Call(app, app.config["TWILIO_AUTH_TOKEN"]).post(
        f"/callback/answer?id={UNKNOWN}", {})
    assert said(apology) == [("Say", "We will call you again later. Goodbye.",
                              {"language": "en-US"}), ("Hangup", None, {})]


def test_a_customer_who_texts_1_once_their_callback_is_in_line_does_not_make_it_look_late(
        line):
    """Booked for half an hour later and in line since then: a "1" (call me sooner) changes
    nothing, and the board still counts it due from its time, not from when it was asked."""
    line = line()
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    due = line.clock() + dt.timedelta(minutes=30)
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER, due=due)
    line.clock.advance(30 * 60)
    assert with_services(line, callback_jobs.callback_due, callback.id)
    line.clock.advance(60)
    assert line.standin.text_in(CUSTOMER, LINE_NUMBER, "1", PUBLIC + "/texts/reply").status == 200
    record = line.ivr.callbacks.get(callback.id)
    assert (record.state, dt.datetime.fromisoformat(record.due_at)) == ("waiting", due)
