"""The reconciler keeps a callback's promise when a worker or a report is lost: a try
Twilio took is adopted, never placed twice; a try never placed is made again at the
callback's place; a call whose end was never reported is found out, in its time."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from rq.registry import ScheduledJobRegistry

from ivr_app.callbacks.placing import request_callback
from tests import test_callbacks
from tests.line import created_calls
from tests.test_callbacks import (
    CUSTOMER,
    connected,
    customer_calls,
    waiting_caller,
    with_services,
)
from workers import callbacks as callback_jobs

flows, line = test_callbacks.flows, test_callbacks.line  # the same line, as fixtures


def reconcile(line) -> dict[str, int]:
    return with_services(line, callback_jobs.reconcile)


def logged(caplog, level: str = "ERROR") -> list[str]:
    """What the reconciler logged: ERROR, a callback it could not repair yet; WARNING, what
    a pass repaired."""
    return [r.getMessage() for r in caplog.records
            if r.name == callback_jobs.__name__ and r.levelname == level]


def a_try_whose_worker_died_after_twilio_took_it(line, claimed_after_s: int):
    """The worker claimed the try `claimed_after_s` after Twilio's record of the call says
    it was made (the two clocks differ), then died before writing the call down."""
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    made = parsedate_to_datetime(line.standin.call(call)["date_created"])
    line.ivr.callbacks.set_fields(callback.id, call_sid="")
    line.ivr.callbacks.forget_attempt(callback.id, 1)
    line.ivr.callbacks.claim_attempt(callback.id, 1, made + dt.timedelta(seconds=claimed_after_s))
    return callback, call


def test_a_try_twilio_took_before_its_worker_died_is_adopted_within_a_minute_not_placed_again(
        line):
    callback, call = a_try_whose_worker_died_after_twilio_took_it(line, claimed_after_s=5)
    line.clock.advance(30)  # the worker may only be slow yet
    assert reconcile(line)["calls_resolved"] == 0
    assert line.ivr.callbacks.get(callback.id).call_sid == ""
    line.clock.advance(30)
    assert reconcile(line)["calls_resolved"] == 1
    assert line.ivr.callbacks.get(callback.id).call_sid == call
    assert line.ivr.callbacks.attempt_marker(callback.id, 1) == call
    reconcile(line)
    line.run_jobs()
    assert customer_calls(line) == [call], "the customer is called once"
    line.agent_presses(line.standin.answer(call), "1")
    assert line.ivr.callbacks.get(callback.id).state == "connected"


def test_a_call_made_more_than_five_seconds_before_the_try_began_is_not_that_try(line):
    callback, earlier = a_try_whose_worker_died_after_twilio_took_it(line, claimed_after_s=6)
    line.clock.advance(60)
    assert reconcile(line)["calls_resolved"] == 1
    [_, call] = customer_calls(line)  # the try, never placed, is placed now
    assert line.ivr.callbacks.get(callback.id).call_sid == call != earlier


def test_the_reconciler_reads_the_numbers_latest_calls_not_its_whole_history(line):
    """A number we have called every day for years has thousands of calls: each pass asks
    Twilio for one page of its 50 latest, not every page of them."""
    a_try_whose_worker_died_after_twilio_took_it(line, claimed_after_s=0)
    line.clock.advance(60)
    reconcile(line)
    [listed] = [r.form for r in line.standin.requests
                if r.method == "GET" and r.path.endswith("/Calls.json")]
    assert (listed["To"], listed["PageSize"]) == (CUSTOMER, "50")


def test_twilio_unreachable_leaves_the_try_to_the_next_pass(line, caplog):
    callback, call = a_try_whose_worker_died_after_twilio_took_it(line, claimed_after_s=0)
    line.clock.advance(60)
    line.standin.fail_next(count=1, path="/Calls.json")
    assert reconcile(line)["calls_resolved"] == 0
    assert logged(caplog) == [f"callback {callback.id}: cannot ask Twilio whether a try was "
                              "placed"]
    assert line.ivr.callbacks.get(callback.id).state == "dialing"
    line.clock.advance(60)
    assert reconcile(line)["calls_resolved"] == 1
    assert customer_calls(line) == [call]


def test_a_try_whose_call_was_written_down_but_not_on_the_record_is_adopted(line):
    """Its guard names the call: adopted in this pass, while Twilio cannot list calls."""
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    line.ivr.callbacks.set_fields(callback.id, call_sid="")
    line.clock.advance(60)
    line.standin.fail_next(count=1, path="/Calls.json")
    assert reconcile(line)["calls_resolved"] == 1
    assert line.ivr.callbacks.get(callback.id).call_sid == call
    assert customer_calls(line) == [call]


def test_another_callbacks_call_to_the_same_number_is_not_taken_for_this_try(line):
    line.agent("ana", ["es"], ["support"])
    first = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [first_call] = customer_calls(line)  # ringing: the customer may ask for another one
    second = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.agent("bob", ["es"], ["support"])
    made = parsedate_to_datetime(line.standin.call(first_call)["date_created"])
    worker_died_before_calling(line, second.id, "bob", claimed_at=made)
    line.clock.advance(60)
    reconcile(line)
    [_, call] = customer_calls(line)
    assert line.ivr.callbacks.get(second.id).call_sid == call
    assert line.ivr.callbacks.get(first.id).call_sid == first_call


def worker_died_before_calling(line, callback_id: str, agent: str,
                               claimed_at: dt.datetime | None = None) -> None:
    """What a worker killed between reserving the try and calling leaves behind."""
    line.ivr.roster.reserve(agent, callback_id, line.clock())
    line.ivr.queues.offer(callback_id, agent, False)
    line.ivr.callbacks.move(callback_id, ("waiting",), "dialing", line.clock(), attempts=1,
                            agent=agent)
    if claimed_at is not None:
        line.ivr.callbacks.claim_attempt(callback_id, 1, claimed_at)


def test_a_try_never_placed_waits_again_at_its_place_with_no_agent_named(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    ahead, asker, behind = waiting_caller(line), waiting_caller(line), waiting_caller(line)
    callback = request_callback(line.ivr, asker.sid, CUSTOMER)
    line.ivr.roster.set_status("ana", "available", line.clock())
    worker_died_before_calling(line, callback.id, "ana")  # before it even claimed the try
    line.ivr.queues.leave(callback.id)  # and a failover lost it from the line too
    line.clock.advance(60)
    assert reconcile(line)["calls_resolved"] == 1
    record = line.ivr.callbacks.get(callback.id)
    assert (record.state, record.attempts, record.agent) == ("waiting", 0, "")
    assert list(line.ivr.queues.in_order("support"))[1:] == [callback.id, behind.sid], \
        "at its place"
    assert line.ivr.roster.get("ana").call == ahead.sid, "the agent goes to the caller ahead"
    assert customer_calls(line) == []
    assert line.ivr.callbacks.history(callback.id)[-1]["note"] == "try was never placed"


def test_a_try_whose_end_was_never_reported_is_tried_again_once_twilio_says_it_is_over(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    line.clock.advance(4 * 60)  # Twilio's report may come yet: it is not asked
    assert reconcile(line)["calls_resolved"] == 0
    line.clock.advance(60)
    assert reconcile(line)["calls_resolved"] == 0, "still ringing"
    assert line.ivr.callbacks.get(callback.id).state == "dialing"
    line.standin.hang_up_quietly(call)  # over, and its report lost
    assert reconcile(line)["calls_resolved"] == 1
    record = line.ivr.callbacks.get(callback.id)
    assert record.state == "retry-wait"
    assert dt.datetime.fromisoformat(record.due_at) == line.clock() + dt.timedelta(minutes=10)
    assert line.ivr.roster.get("ana").status == "available"
    assert line.ivr.callbacks.history(callback.id)[-1]["note"].startswith(
        "completed (found by the reconciler); next try at "), "its history says who found it"


def test_a_call_whose_end_was_not_reported_is_given_five_minutes_before_twilio_is_asked(line):
    callback, call = connected(line)
    line.standin.hang_up_quietly(call)
    line.clock.advance(5 * 60 - 1)
    assert reconcile(line)["calls_resolved"] == 0
    assert line.ivr.callbacks.get(callback.id).state == "connected"
    line.clock.advance(1)
    assert reconcile(line)["calls_resolved"] == 1
    assert line.ivr.callbacks.get(callback.id).state == "completed"
    assert line.ivr.callbacks.history(callback.id)[-1]["note"] == \
        "its end was found by the reconciler"


def test_a_customer_who_hangs_up_while_another_agent_is_found_is_taken_off_the_line(line):
    """Ana went away between the try and the customer's 1: the customer waits in line for
    the next agent, hangs up, and that report is lost: the callback leaves the line."""
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)
    intro = line.standin.answer(call)
    line.ivr.roster.set_status("ana", "away", line.clock())
    line.agent_presses(intro, "1")
    assert line.ivr.queues.position("support", callback.id) is not None
    line.standin.hang_up_quietly(call)
    line.clock.advance(5 * 60)
    assert reconcile(line)["calls_resolved"] == 1
    assert line.ivr.callbacks.get(callback.id).state == "completed"
    assert line.ivr.queues.position("support", callback.id) is None


def test_every_call_whose_end_was_lost_in_an_outage_is_found_and_counted_in_one_pass(line,
                                                                                    caplog):
    """Two customers ringing and two talking to agents when the reports were lost: the
    next pass finds all four over, and counts four (what it logs)."""
    numbers = [CUSTOMER, "+525587654321", "+525512349876", "+525598761234"]
    for agent in ("ana", "bob", "eva", "raul"):
        line.agent(agent, ["es"], ["support"])
    booked = [request_callback(line.ivr, waiting_caller(line).sid, n) for n in numbers]
    line.run_jobs()
    calls = {to: sid for sid, to in created_calls(line)}
    for number in numbers[2:]:
        line.agent_presses(line.standin.answer(calls[number]), "1")
    for number in numbers:
        line.standin.hang_up_quietly(calls[number])
    line.clock.advance(5 * 60)
    repaired = reconcile(line)
    assert repaired["calls_resolved"] == 4
    assert logged(caplog, "WARNING") == [f"callback reconciler repaired {repaired}"]
    assert [line.ivr.callbacks.get(c.id).state for c in booked] == [
        "retry-wait", "retry-wait", "completed", "completed"]


def test_a_callback_still_talking_after_five_minutes_stays_connected(line):
    callback, _ = connected(line)
    line.clock.advance(30 * 60)
    assert reconcile(line)["calls_resolved"] == 0
    assert line.ivr.callbacks.get(callback.id).state == "connected"


def test_a_retry_whose_job_is_still_scheduled_is_left_to_it(line):
    line.agent("ana", ["es"], ["support"])
    callback = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    line.standin.fail_call(customer_calls(line)[0], "no-answer")
    line.clock.advance(60)
    assert not any(reconcile(line).values()), "nothing to repair"
    line.clock.advance(9 * 60)  # due now: the job is about to run it
    assert not any(reconcile(line).values())
    assert line.ivr.callbacks.get(callback.id).state == "retry-wait"
    line.clock.advance(60)  # due a minute ago, its job still waiting: the scheduler is down
    assert reconcile(line)["brought_into_line"] == 1
    assert len(customer_calls(line)) == 2


def test_a_callback_booked_for_later_whose_job_was_lost_joins_the_line_at_its_time(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    caller = waiting_caller(line)
    due = line.clock() + dt.timedelta(minutes=30)
    callback = request_callback(line.ivr, caller.sid, CUSTOMER, due=due)
    ScheduledJobRegistry(queue=line.ivr.jobs).remove(f"callback-{callback.id}-0",
                                                      delete_job=True)
    line.clock.advance(30 * 60)
    assert reconcile(line)["brought_into_line"] == 1
    assert list(line.ivr.queues.in_order("support")) == [callback.id]


def test_two_callbacks_whose_jobs_were_lost_are_both_made_again_and_counted(line):
    """Booked for the same time: rescheduled together, and lost again, brought in together."""
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    due = line.clock() + dt.timedelta(minutes=30)
    booked = [request_callback(line.ivr, waiting_caller(line).sid, number, due=due)
              for number in (CUSTOMER, "+525587654321")]
    jobs = [f"callback-{callback.id}-0" for callback in booked]
    scheduled = ScheduledJobRegistry(queue=line.ivr.jobs)
    for job in jobs:
        scheduled.remove(job, delete_job=True)
    line.clock.advance(60)
    assert reconcile(line)["rescheduled"] == 2, "the pass logs what it repaired"
    assert sorted(scheduled.get_job_ids()) == sorted(jobs)
    for job in jobs:  # and lost again
        scheduled.remove(job, delete_job=True)
    line.clock.advance(29 * 60)
    assert reconcile(line)["brought_into_line"] == 2
    assert list(line.ivr.queues.in_order("support")) == [callback.id for callback in booked]


def test_a_request_stored_but_never_lined_up_joins_the_next_pass_and_stays(line, monkeypatch):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    ahead, asker = waiting_caller(line), waiting_caller(line)

    def broken(*args, **kwargs):
        raise ConnectionError("the line's records are unreachable")

    monkeypatch.setattr(line.ivr.queues, "leave", broken)
    callback = request_callback(line.ivr, asker.sid, CUSTOMER)  # stored: the promise stands
    monkeypatch.undo()
    asker.hang_up()  # told their callback is booked
    assert line.ivr.callbacks.get(callback.id).state == "requested"
    assert reconcile(line)["brought_into_line"] == 1
    assert list(line.ivr.queues.in_order("support")) == [ahead.sid, callback.id]
    line.clock.advance(60)
    assert not any(reconcile(line).values()), "in line: nothing to repair"


def test_two_callbacks_lost_from_the_line_in_one_pass_are_both_put_back_and_counted(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    first = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    second = request_callback(line.ivr, waiting_caller(line).sid, "+525587654321")
    for callback in (first, second):
        line.ivr.queues.leave(callback.id)
    line.clock.advance(60)
    assert reconcile(line)["rejoined"] == 2, "the pass logs what it repaired"
    assert list(line.ivr.queues.in_order("support")) == [first.id, second.id]


def test_twilio_failing_on_one_callbacks_call_never_stops_the_others_repairs(line, caplog):
    line.agent("ana", ["es"], ["support"])
    ringing = request_callback(line.ivr, waiting_caller(line).sid, CUSTOMER)
    line.run_jobs()
    [call] = customer_calls(line)  # Ana is on it: the next one waits
    lost = request_callback(line.ivr, waiting_caller(line).sid, "+525512349876")
    line.ivr.queues.leave(lost.id)  # lost from its queue
    line.clock.advance(5 * 60)
    line.standin.hang_up_quietly(call)  # over, its report lost; and Twilio fails when asked
    line.standin.fail_next(count=1, path=f"/Calls/{call}.json")
    repaired = reconcile(line)
    assert (repaired["rejoined"], repaired["calls_resolved"]) == (1, 0)
    assert line.ivr.queues.position("support", lost.id) is not None
    assert line.ivr.callbacks.get(ringing.id).state == "dialing"
    assert logged(caplog) == [f"callback {ringing.id}: cannot ask Twilio about call {call}"]
    assert reconcile(line)["calls_resolved"] == 1, "Twilio answers again: the next pass"
