"""The Redis master dies: Sentinel promotes its replica and the line carries on by itself.

Real processes: a master, a replica and three sentinels (tests/support/servers.py), the
app in this process and a real `rq worker --with-scheduler`, all configured with
REDIS_SENTINELS only (REDIS_URL points nowhere). Nothing is restarted by hand.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from ivr_app.callbacks.placing import request_callback
from ivr_app.platform.clock import utc_now
from tests.support.servers import SentinelSet
from tests.support.workers import wait_for
from tests.test_callback_drills import A_MINUTE_LATER, Drill, running

pytestmark = pytest.mark.drill

NOWHERE = "redis://127.0.0.1:9/0"  # REDIS_SENTINELS must win over REDIS_URL
FIRST_QUESTION = "Para español, marque uno"


@pytest.fixture
def sentinel_drill(make_app, tmp_path) -> Iterator[tuple[SentinelSet, Drill]]:
    sentinels = SentinelSet(tmp_path / "sentinel").start()
    try:
        where = lambda: f"redis://127.0.0.1:{sentinels.master_port()}/0"  # noqa: E731
        with running(make_app, NOWHERE, tmp_path / "logs", where, **sentinels.config) as drill:
            yield sentinels, drill
    finally:
        sentinels.stop()


def answers_normally(drill: Drill) -> bool:
    """A new call hears the flow's first question (not the fallback to a person); then it
    hangs up (a hang-up Redis misses is found by the worker, which asks Twilio)."""
    call = drill.line.caller().dial()
    normal = call.ending is None and any(FIRST_QUESTION in h for h in call.heard)
    drill.standin.hang_up(call.sid)
    call.hang_up()
    return normal


def test_calls_and_callbacks_carry_on_when_the_master_is_killed(sentinel_drill):
    sentinels, drill = sentinel_drill
    ivr = drill.ivr
    drill.line.agent("ana", ["es"], ["support"])
    drill.line.agent("beto", ["es"], ["support"])
    assert answers_normally(drill)
    in_menu = drill.line.caller().dial().press("1")  # chose Spanish; now at the main menu
    numbers = ["+525512345601", "+525512345602"]
    due = utc_now() + dt.timedelta(seconds=8)
    callbacks = [request_callback(ivr, drill.waiting_caller().sid, n, due=due) for n in numbers]
    drill.start_worker(supervised=True)

    killed_at = time.monotonic()
    old = sentinels.kill_master()
    wait_for(lambda: sentinels.master_port() != old, 15, "the replica's promotion")
    normal = wait_for(lambda: answers_normally(drill) or None, 15, "a normal new call")
    assert normal and time.monotonic() - killed_at < 15

    heard_before = len(in_menu.heard)
    in_menu.press("1")  # an outage report, from the menu the call was at before the kill
    assert in_menu.ending is None and in_menu.waiting, in_menu.ending
    assert "número de cuenta" in " ".join(in_menu.heard[heard_before:])

    # RQ's scheduler lock outlives the old master by a minute: the cron's reconciler (run
    # here as the cron would, a minute on) brings in the callbacks due meanwhile.
    wait_for(lambda: utc_now() > due, 15, "the callbacks' time")
    drill.reconcile(later=A_MINUTE_LATER)
    for number, callback in zip(numbers, callbacks, strict=True):
        drill.placed(number, seconds=30)  # exactly one call each
        assert drill.states(callback.id)[-1] == "dialing"
    time.sleep(2)  # a worker that also brought them in would have called again by now
    assert [len(drill.creates_to(n)) for n in numbers] == [1, 1]


def kept_their_place(call) -> bool:
    """Still in the flow after pressing 1 at the main menu: asked for the account number,
    not sent to a person."""
    return call.ending is None and "número de cuenta" in " ".join(call.heard[-2:])


def test_callers_mid_menu_keep_their_place_a_second_after_sentinel_names_the_new_master(
        sentinel_drill):
    """Keys pressed 1 to 5 s after the kill, and one a second after the promotion: from a
    second after Sentinel names the new master, nobody is sent to a person for want of it."""
    sentinels, drill = sentinel_drill
    callers = [drill.line.caller().dial().press("1") for _ in range(6)]  # at the main menu
    killed_at = time.monotonic()
    old = sentinels.kill_master()
    promoted_at, pressed = None, []
    schedule = [1.0, 2.0, 3.0, 4.0, 5.0]
    while schedule or promoted_at is None or len(pressed) < len(callers):
        now = time.monotonic()
        assert now - killed_at < 20, "no promotion within 20 s"
        if promoted_at is None and sentinels.master_port() != old:
            promoted_at = now
        due = schedule[0] if schedule else (promoted_at or now) + 1.0 - killed_at
        if now - killed_at >= due:
            schedule = schedule[1:]
            call = callers[len(pressed)]
            pressed.append((time.monotonic(), call.press("1")))
        time.sleep(0.05)
    after = [(at - promoted_at, kept_their_place(call)) for at, call in pressed
             if at >= promoted_at + 1.0]
    assert after and all(kept for _, kept in after), (promoted_at - killed_at, after)
