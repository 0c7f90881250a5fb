"""A callback is a promise kept: placed in turn, once, retried, and never lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from ivr_app.callbacks import placing
from ivr_app.callbacks.placing import request_callback
from ivr_app.state.callbacks import AlreadyPending
from tests.line import LINE_NUMBER, Line, created_calls
from workers import callbacks as callback_jobs
from workers import context

CUSTOMER = "+525512345678"


@pytest.fixture
def flows(tmp_path):
    """The demo flow, trying twice, with an SMS for missed callbacks."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow["callbacks"] |= {"attempts": 2, "spacing": 600, "sms": {
        "es": "Intentamos llamarle. Llame al 800 para hablar con una persona.",
        "en": "We tried to call you. Call 800 to talk to a person."}}
    flow["callbacks"].pop("hours", None)  # tries at any hour: the test clock moves freely
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    return tmp_path


@pytest.fixture
def line(make_app, redis, flows):
    from ivr_app.demo.twilio_rest import TwilioStandin

    standin = TwilioStandin().start()
    try:
        yield Line(make_app, standin, FLOWS_DIR=str(flows))
    finally:
        standin.stop()


def waiting_caller(line: Line):
    return line.caller().dial().press("1").press("0")


def customer_calls(line: Line) -> list[str]:
    return [sid for sid, to in created_calls(line) if to == CUSTOMER]


def test_callback_keeps_the_callers_place_and_is_placed_when_its_turn_comes(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    first = waiting_caller(line)
    second = waiting_caller(line)
    callback = request_callback(line.ivr, first.sid, CUSTOMER)
    assert list(line.ivr.queues.in_order("support")) == [callback.id, second.sid]
    assert line.ivr.callbacks.get(callback.id).state == "waiting"

    line.clock.advance(25 * 60)
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.run_jobs()
    [customer_call] = customer_calls(line)
    assert line.ivr.roster.get("ana").status == "offered"
    intro = line.standin.answer(customer_call)
    assert "Le llamamos de soporte, como nos pidió. Para hablar ahora con una persona, " \
           "marque uno." in intro, "the flow's name for the queue, not the agent's reason"
    held = line.agent_presses(intro, "1")
    assert f">call-{callback.id}</Conference>" in held
    assert line.ivr.callbacks.get(callback.id).state == "connected"

    agent_call, to = created_calls(line)[-1]
    assert to == line.ivr.roster.get("ana").phone
    whisper = line.standin.answer(agent_call)
    assert "Es una devolución de llamada solicitada hace 25 minutos." in whisper
    assert f">call-{callback.id}</Conference>" in line.agent_presses(whisper, "1")
    assert list(line.ivr.queues.in_order("support")) == [second.sid]

    line.standin.hang_up(customer_call)
    assert [h["state"] for h in line.ivr.callbacks.history(callback.id)] == [
        "requested", "waiting", "dialing", "connected", "completed"]


def test_no_answer_is_tried_again_later_then_missed_with_an_sms(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [first_try] = customer_calls(line)
    line.standin.fail_call(first_try, "no-answer")
    line.run_jobs()  # the freed agent is offered whoever waits: nobody
    record = line.ivr.callbacks.get(callback.id)
    assert record.state == "retry-wait"
    assert line.ivr.roster.get("ana").status == "available"
    assert line.ivr.queues.position("support", callback.id) is None
    scheduled = ScheduledJobRegistry(queue=line.ivr.jobs)
    assert scheduled.get_job_ids() == [f"callback-{callback.id}-1"]
    assert dt.datetime.fromisoformat(record.due_at) == line.clock() + dt.timedelta(minutes=10)

    line.clock.advance(600)  # rq's scheduler hands the job to the workers
    line.ivr.jobs.enqueue_job(Job.fetch(f"callback-{callback.id}-1",
                                        connection=line.ivr.jobs.connection))
    line.run_jobs()
    second_try = customer_calls(line)[-1]
    assert second_try != first_try
    line.standin.fail_call(second_try, "busy")
    assert line.ivr.callbacks.get(callback.id).state == "missed"
    [sms] = [r.form for r in line.standin.requests if r.path.endswith("/Messages.json")]
    assert (sms["To"], sms["From"], sms["Body"]) == (  # from the line they can call back
        CUSTOMER, LINE_NUMBER, "Intentamos llamarle. Llame al 800 para hablar con una persona.")
    retry_at = dt.datetime.fromisoformat(record.due_at).isoformat(timespec="minutes")
    assert [(h["state"], h["note"]) for h in line.ivr.callbacks.history(callback.id)] == [
        ("requested", ""), ("waiting", ""), ("dialing", "attempt 1, agent ana"),
        ("retry-wait", f"no-answer; next try at {retry_at}"), ("waiting", ""),
        ("dialing", "attempt 2, agent ana"), ("missed", "busy on try 2, the last")], \
        "its history says who was kept for each try, how it ended and when the next was due"


def test_the_agent_kept_for_a_customer_who_does_not_answer_takes_the_next_caller_at_once(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    behind = waiting_caller(line)
    line.run_jobs()
    assert line.ivr.roster.get("ana").call == callback.id, "the callback is ahead"
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    line.run_jobs()
    ana = line.ivr.roster.get("ana")
    assert (ana.status, ana.call) == ("offered", behind.sid)
    assert created_calls(line)[-1][1] == line.phone("ana")


def test_a_callback_back_in_line_while_its_last_agent_is_busy_names_no_agent(line):
    """The board shows the agent a callback's record names: back in line for its next try,
    it is nobody's until an agent is kept for it."""
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    line.ivr.roster.set_status("ana", "busy", line.clock())  # on another call
    line.clock.advance(600)
    assert with_services(line, callback_jobs.callback_due, callback.id)
    record = line.ivr.callbacks.get(callback.id)
    assert (record.state, record.agent) == ("waiting", "")


def test_an_answering_machine_is_not_the_customer(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    machine_heard = line.standin.answer(call, answered_by="machine_start")
    assert "<Hangup />" in machine_heard and "Le llamamos" not in machine_heard
    line.standin.hang_up(call)
    assert line.ivr.callbacks.get(callback.id).state == "retry-wait"


def test_twilio_refusing_the_call_loses_nothing_and_calls_once(line):
    line.agent("ana", ["es"], ["support"])
    line.standin.fail_next(count=1, path="/Calls.json")
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    with_services(line, callback_jobs.reconcile)  # the first try: refused (HTTP 500)
    record = line.ivr.callbacks.get(callback.id)
    assert (record.state, record.attempts, record.agent) == ("waiting", 0, ""), "no agent named"
    assert line.ivr.callbacks.history(callback.id)[-1]["note"] == "Twilio refused the call (500)"
    assert line.ivr.roster.get("ana").status == "available"
    assert customer_calls(line) == []
    with_services(line, callback_jobs.reconcile)
    assert len(customer_calls(line)) == 1
    assert line.ivr.callbacks.get(callback.id).attempts == 1
    with_services(line, callback_jobs.reconcile)
    line.run_jobs()
    assert len(customer_calls(line)) == 1, "placed once, however often we look"


def test_the_same_attempt_is_never_placed_twice(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    assert line.ivr.callbacks.claim_attempt(callback.id, 1, line.clock())
    line.run_jobs()  # a second worker reaching the same attempt
    assert customer_calls(line) == []
    assert line.ivr.roster.get("ana").status == "available", "the agent is not left reserved"


def test_the_reconciler_brings_back_a_callback_whose_job_was_lost(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    ScheduledJobRegistry(queue=line.ivr.jobs).remove(f"callback-{callback.id}-1",
                                                      delete_job=True)
    line.clock.advance(5 * 60)
    assert with_services(line, callback_jobs.reconcile)["rescheduled"] == 1
    line.clock.advance(6 * 60)
    ScheduledJobRegistry(queue=line.ivr.jobs).remove(f"callback-{callback.id}-1",
                                                      delete_job=True)
    assert with_services(line, callback_jobs.reconcile)["brought_into_line"] == 1
    assert len(customer_calls(line)) == 2


def test_a_waiting_callback_lost_from_its_queue_is_put_back_within_a_minute(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    first = waiting_caller(line)
    second = waiting_caller(line)
    callback = request_callback(line.ivr, first.sid, CUSTOMER)
    line.ivr.queues.leave(callback.id)  # lost: a failover, a record that expired
    assert list(line.ivr.queues.in_order("support")) == [second.sid]
    line.clock.advance(60)  # the reconciler's next pass (workers/cron.py, every minute)
    assert with_services(line, callback_jobs.reconcile)["rejoined"] == 1
    assert list(line.ivr.queues.in_order("support")) == [callback.id, second.sid], "at its place"
    assert line.ivr.callbacks.get(callback.id).state == "waiting"


def test_a_try_whose_worker_died_before_calling_is_tried_again(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    # What a worker killed between reserving the try and calling leaves behind:
    line.ivr.roster.reserve("ana", callback.id, line.clock())
    line.ivr.queues.offer(callback.id, "ana", False)
    line.ivr.callbacks.move(callback.id, ("waiting",), "dialing", line.clock(), attempts=1,
                            agent="ana")
    line.ivr.callbacks.claim_attempt(callback.id, 1, line.clock())
    line.clock.advance(90)
    with_services(line, callback_jobs.reconcile)
    assert len(customer_calls(line)) == 1
    assert line.ivr.callbacks.get(callback.id).attempts == 1


def with_services(line: Line, job, *args):
    """Run a worker job's function here, on this line's services."""
    context.use(line.ivr)
    try:
        return job(*args)
    finally:
        context.use(None)


def test_a_report_that_arrives_before_the_call_is_recorded_still_counts(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    line.ivr.callbacks.set_fields(callback.id, call_sid="")  # the worker had not got that far
    line.standin.fail_call(call, "no-answer")
    record = line.ivr.callbacks.get(callback.id)
    assert (record.state, record.call_sid) == ("retry-wait", call)
    assert line.ivr.roster.get("ana").status == "available"


def connected(line):
    """Ana takes a callback: the customer answered and she pressed 1."""
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    line.agent_presses(line.standin.answer(call), "1")
    return callback, call


def test_a_connected_callback_whose_end_was_never_reported_is_completed(line):
    callback, call = connected(line)
    line.standin.hang_up_quietly(call)  # the customer hangs up, but the report is lost
    line.clock.advance(6 * 60)
    assert with_services(line, callback_jobs.reconcile)["calls_resolved"] == 1
    assert line.ivr.callbacks.get(callback.id).state == "completed"


def test_a_stored_request_whose_job_could_not_be_made_is_kept_and_lined_up_later(line,
                                                                               monkeypatch,
                                                                               caplog):
    line.agent("ana", ["es"], ["support"])
    caller = waiting_caller(line)

    def broken(*args, **kwargs):
        raise ConnectionError("the job queue is unreachable")

    monkeypatch.setattr(line.ivr.jobs, "enqueue", broken)
    callback = request_callback(line.ivr, caller.sid, CUSTOMER)  # confirmed: it is stored
    monkeypatch.undo()
    assert line.ivr.callbacks.get(callback.id) is not None
    assert line.ivr.queues.position("support", caller.sid) is None, "served once, as a callback"
    assert placing_logged(caplog, "ERROR") == [
        f"callback {callback.id} stored but not yet lined up; the reconciler will"]
    with_services(line, callback_jobs.reconcile)
    assert len(customer_calls(line)) == 1


def placing_logged(caplog, level: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == placing.__name__ and r.levelname == level]


def test_an_english_customer_hears_the_queue_named_in_english_not_the_agents_reason(line):
    line.agent("ana", ["en"], ["support"], status="busy", since_s=60)
    caller = line.caller().dial().press("2").press("0")
    request_callback(line.ivr, caller.sid, CUSTOMER)
    line.clock.advance(25 * 60)
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.run_jobs()
    [customer_call] = customer_calls(line)
    intro = line.standin.answer(customer_call)
    assert "We are calling you back from support, as you asked. To speak with a person " \
           "now, press one." in intro


def test_a_voice_message_left_on_a_second_call_joins_the_callback_already_pending(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    pending = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    message = {"voice_message": {"url": "https://api.twilio.com/recording/RE1", "seconds": 12}}
    with pytest.raises(AlreadyPending):  # one callback per number
        request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER, context=message)
    assert line.ivr.callbacks.get(pending.id).context["voice_message"] == message["voice_message"]



def test_a_second_voice_message_for_a_callback_that_has_one_is_not_kept_and_the_log_says_so(
        line, caplog):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    first = {"voice_message": {"url": "https://api.twilio.com/recording/RE1", "seconds": 12}}
    pending = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER, context=first)
    again = waiting_caller(line)
    with pytest.raises(AlreadyPending):
        request_callback(line.ivr, again.sid, CUSTOMER, context={
            "voice_message": {"url": "https://api.twilio.com/recording/RE2", "seconds": 5}})
    assert line.ivr.callbacks.get(pending.id).context["voice_message"] == first["voice_message"]
    assert placing_logged(caplog, "WARNING") == [
        f"call {again.sid}: callback {pending.id} has a message already; this one is not kept"]


def test_the_agents_api_says_since_when_a_callbacks_customer_has_been_waiting(line):
    """The callback keeps the caller's place, and with it the time they began to wait."""
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    caller = waiting_caller(line)
    began = line.ivr.queues.waiter(caller.sid).entered
    line.clock.advance(5 * 60)
    callback = request_callback(line.ivr, caller.sid, CUSTOMER)
    context = line.get(f"/api/calls/{callback.id}/context").get_json()
    assert (context["call_sid"], context["waiting_since"]) == (callback.id, began)
