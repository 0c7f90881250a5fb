"""A callback record keeps its state machine: only the moves it allows, each one in its
history, one pending callback per number, and each attempt placed at most once."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ivr_app.state.callbacks import AlreadyPending, Callback, Callbacks
from tests.conftest import OFFICE_HOURS

NUMBER = "+525512345678"


@pytest.fixture
def callbacks(app) -> Callbacks:
    return app.extensions["ivr"].callbacks


def asked(callbacks: Callbacks, number: str = NUMBER, minutes_ago: float = 0) -> Callback:
    return callbacks.create(number=number, lang="es", queue="support", reason="asked",
                            flow="main", place=1, context={},
                            now=OFFICE_HOURS - dt.timedelta(minutes=minutes_ago))


def test_a_number_has_one_pending_callback_at_a_time(callbacks):
    first = asked(callbacks)
    with pytest.raises(AlreadyPending) as refused:
        asked(callbacks)
    assert refused.value.callback.id == first.id
    assert str(refused.value) == f"{NUMBER} has callback {first.id} pending already"


def test_a_request_is_kept_whole_with_its_history(callbacks):
    context = {"note": "señal débil", "account": "12345674"}
    made = callbacks.create(number=NUMBER, lang="es", queue="support", reason="asked",
                            flow="main", place=3, context=context, now=OFFICE_HOURS,
                            due_at=OFFICE_HOURS + dt.timedelta(hours=2), max_attempts=5,
                            spacing_s=120)
    assert callbacks.get(made.id) == made
    assert (made.place, made.max_attempts, made.spacing_s, made.context) == (3, 5, 120, context)
    assert (made.requested_at, made.due_at, made.updated) == (
        "2026-11-25T10:00:00-06:00", "2026-11-25T12:00:00-06:00", "2026-11-25T10:00:00-06:00")
    assert callbacks.history(made.id) == [
        {"state": "requested", "at": "2026-11-25T10:00:00-06:00", "note": ""}]
    assert [c.id for c in callbacks.active()] == [made.id]
    assert callbacks.get("CB" + "0" * 32) is None


def test_moves_follow_the_state_machine_and_each_is_in_the_history(callbacks):
    made = asked(callbacks)
    later = OFFICE_HOURS + dt.timedelta(minutes=5)
    assert callbacks.move(made.id, ("requested",), "waiting", later, note="in line")
    assert not callbacks.move(made.id, ("requested",), "waiting", later)  # it is elsewhere
    assert callbacks.move(made.id, ("waiting",), "dialing", later, call_sid="CA1", attempts=1)
    moved = callbacks.get(made.id)
    assert (moved.state, moved.call_sid, moved.attempts, moved.updated) == (
        "dialing", "CA1", 1, "2026-11-25T10:05:00-06:00")
    assert [(h["state"], h["note"]) for h in callbacks.history(made.id)] == [
        ("requested", ""), ("waiting", "in line"), ("dialing", "")]
    assert not callbacks.move("CB" + "0" * 32, ("waiting",), "dialing", later)


@pytest.mark.parametrize(("from_states", "to", "problem"), [
    (("requested",), "dialing", "a callback cannot go from requested to dialing"),
    (("waiting", "connected"), "dialing", "a callback cannot go from connected to dialing"),
    (("completed",), "waiting", "a callback cannot go from completed to waiting"),
    (("waiting",), "lost", "unknown callback state 'lost'"),
])
def test_a_move_the_state_machine_has_not_is_refused_loudly(callbacks, from_states, to,
                                                           problem):
    made = asked(callbacks)
    with pytest.raises(ValueError, match=problem):
        callbacks.move(made.id, from_states, to, OFFICE_HOURS)
    assert callbacks.get(made.id).state == "requested"


@pytest.mark.parametrize("end", ["completed", "missed", "cancelled"])
def test_a_finished_callback_leaves_the_active_ones_and_the_number_is_free_again(
        callbacks, redis, end):
    made = asked(callbacks)
    path = {"completed": ["waiting", "dialing", "connected"], "missed": ["waiting", "dialing"],
            "cancelled": []}[end]
    for before, after in zip(["requested", *path], [*path, end], strict=True):
        assert callbacks.move(made.id, (before,), after, OFFICE_HOURS)
    assert callbacks.active() == [] and callbacks.pending_for(NUMBER) == []
    assert 29 * 86400 < redis.ttl(f"ivr:callback:{made.id}") <= 30 * 86400
    assert 29 * 86400 < redis.ttl(f"ivr:callback:{made.id}:history") <= 30 * 86400
    again = asked(callbacks)
    assert [c.id for c in callbacks.pending_for(NUMBER)] == [again.id]


def test_a_callback_being_dialled_does_not_stop_a_new_request_from_its_number(callbacks):
    made = asked(callbacks, minutes_ago=10)
    callbacks.move(made.id, ("requested",), "waiting", OFFICE_HOURS)
    callbacks.move(made.id, ("waiting",), "dialing", OFFICE_HOURS)
    second = asked(callbacks)  # the first is being dialled: not pending, a new one may wait
    assert [c.id for c in callbacks.pending_for(NUMBER)] == [made.id, second.id]


def test_requests_are_found_by_when_they_were_asked(callbacks):
    early = asked(callbacks, "+525500000001", minutes_ago=60)
    late = asked(callbacks, "+525500000002", minutes_ago=5)
    start = (OFFICE_HOURS - dt.timedelta(minutes=60)).timestamp()
    assert [c.id for c in callbacks.requested_between(start, OFFICE_HOURS.timestamp())] == [
        early.id, late.id]
    assert [c.id for c in callbacks.requested_between(start + 1, OFFICE_HOURS.timestamp())] \
        == [late.id]
    assert callbacks.requested_between(start, start) == []
    assert late.minutes_since_request(OFFICE_HOURS) == 5
    assert early.minutes_since_request(OFFICE_HOURS + dt.timedelta(seconds=89)) == 61


def test_each_attempt_is_claimed_once_and_remembers_its_call(callbacks, redis):
    made = asked(callbacks)
    assert callbacks.claim_attempt(made.id, 1, OFFICE_HOURS)
    assert not callbacks.claim_attempt(made.id, 1, OFFICE_HOURS)  # another worker: no call
    assert callbacks.attempt_marker(made.id, 1) == "2026-11-25T10:00:00-06:00"
    assert 6 * 86400 < redis.ttl(f"ivr:callback:{made.id}:attempt:1") <= 7 * 86400
    callbacks.record_attempt_call(made.id, 1, "CA" + "1" * 32)
    assert callbacks.attempt_marker(made.id, 1) == "CA" + "1" * 32
    assert 6 * 86400 < redis.ttl(f"ivr:callback:{made.id}:attempt:1") <= 7 * 86400
    assert callbacks.claim_attempt(made.id, 2, OFFICE_HOURS)  # the next attempt is its own
    callbacks.forget_attempt(made.id, 2)  # Twilio refused it: it may be claimed again
    assert callbacks.attempt_marker(made.id, 2) is None
    assert callbacks.claim_attempt(made.id, 2, OFFICE_HOURS)


def test_what_the_agent_will_be_told_is_added_to_never_replaced(callbacks):
    made = callbacks.create(number=NUMBER, lang="es", queue="support", reason="asked",
                            flow="main", place=1, context={"account": "1234"},
                            now=OFFICE_HOURS)
    assert callbacks.attach(made.id, {"voice_message": {"seconds": 7}, "note": "niño"})
    assert not callbacks.attach(made.id, {"account": "9999", "other": "x"})
    assert callbacks.get(made.id).context == {"account": "1234", "note": "niño",
                                              "voice_message": {"seconds": 7}}
    assert not callbacks.attach("CB" + "0" * 32, {"note": "x"})


def test_unless_told_a_callback_is_tried_three_times_ten_minutes_apart(callbacks):
    made = asked(callbacks)
    assert (made.max_attempts, made.spacing_s) == (3, 600) == (
        callbacks.get(made.id).max_attempts, callbacks.get(made.id).spacing_s)


def test_a_record_kept_without_a_context_reads_with_an_empty_one(callbacks, redis):
    made = asked(callbacks)
    redis.hdel(f"ivr:callback:{made.id}", "context")  # as records were before contexts
    assert callbacks.get(made.id).context == {}


def test_requests_racing_for_one_number_leave_exactly_one_callback(make_app, redis):
    """Two hosts taking the same customer's request at once: one wins, the other is told."""
    apps = [make_app() for _ in range(6)]
    barrier = threading.Barrier(len(apps))

    def request(app) -> str:
        barrier.wait()
        try:
            return asked(app.extensions["ivr"].callbacks).id
        except AlreadyPending as pending:
            return "pending " + pending.callback.id

    for _ in range(25):  # enough rounds that some requests do meet in the transaction
        redis.flushdb()
        with ThreadPoolExecutor(len(apps)) as pool:
            outcomes = list(pool.map(request, apps))
        [made] = [o for o in outcomes if not o.startswith("pending ")]
        assert sorted(outcomes) == sorted([made] + [f"pending {made}"] * (len(apps) - 1))
