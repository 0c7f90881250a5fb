"""Wait estimates as callers hear them, their record in Redis, and a simulated day of calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest
import redis as redis_py

from bench.predictors import ESTIMATORS, Seen, as_heard, predict
from bench.traffic import DAYS, simulate
from bench.wait_estimate import HEARD, OTHERS, score_day, summary
from ivr_app.line.wait import Handling, Staff, estimate_wait, first_free, futures, quantile
from ivr_app.state.wait_stats import (
    OUTCOMES_KEY,
    TALK_TIMES_KEY,
    WRAP_UPS_KEY,
    WaitStats,
    measured_hang_up_rate,
)

TALK, WRAP = 300.0, 30.0  # the configured defaults in these stories
H = TALK + WRAP  # a handle time: talk, then wrap-up
DEFAULTS = Handling((), (), TALK, WRAP)  # nothing measured yet
FREE = Staff("available", 0)


def busy(for_s: float) -> Staff:
    return Staff("busy", for_s)


def measured(talks: tuple[float, ...], wraps: tuple[float, ...] = (20.0,) * 5) -> Handling:
    """A queue whose recent calls have been measured (defaults of 999 s that must not show)."""
    return Handling(talks, wraps, 999.0, 999.0)


# -- the estimate ------------------------------------------------------------------------

def test_first_in_line_with_an_agent_free_is_answered_now():
    assert estimate_wait(1, [FREE, busy(120)], DEFAULTS) == 0


def test_callers_further_back_wait_a_whole_call_and_its_wrap_up_per_round():
    assert [estimate_wait(p, [FREE, FREE], DEFAULTS) for p in range(1, 6)] == [
        0, 0, H, H, 2 * H]


def test_busy_agents_answer_in_the_order_they_free_up():
    agents = [busy(100), busy(240)]  # 200 s and 60 s of talk left, then 30 s of wrap-up
    assert estimate_wait(1, agents, DEFAULTS) == 90
    assert estimate_wait(2, agents, DEFAULTS) == 230
    assert estimate_wait(3, agents, DEFAULTS) == 90 + H  # the first agent again


def test_an_agent_in_wrap_up_is_free_when_the_wrap_up_ends_not_after_a_whole_call():
    assert estimate_wait(1, [Staff("wrap-up", 10)], DEFAULTS) == 20
    assert estimate_wait(1, [Staff("wrap-up", 45)], DEFAULTS) == 0  # running late: any moment
    assert estimate_wait(2, [Staff("wrap-up", 10)], DEFAULTS) == 20 + H


def test_an_agent_being_rung_is_about_to_start_a_whole_call():
    assert estimate_wait(1, [Staff("offered", 5)], DEFAULTS) == H


def test_a_call_longer_than_any_measured_still_has_a_little_left():
    assert estimate_wait(1, [busy(400)], DEFAULTS) == 0.15 * TALK + WRAP
    assert first_free(busy(400), DEFAULTS) == ((0.15 * TALK,), True)


def test_a_call_longer_than_every_measured_one_has_a_share_of_their_mean_left():
    handling = measured((100.0, 200.0, 300.0, 400.0, 500.0))
    assert first_free(busy(600), handling) == ((0.15 * 300,), True)


def test_each_future_draws_its_own_wrap_up_from_the_measured_ones():
    handling = measured((100.0,) * 5, (10.0, 20.0, 30.0, 40.0, 50.0))
    assert set(futures(1, [busy(0)], handling)) == {110, 120, 130, 140, 150}


def test_measured_talk_and_wrap_up_replace_the_defaults():
    handling = measured((240.0,) * 5, (20.0,) * 5)
    assert handling.handle_time == 260
    assert estimate_wait(1, [busy(100)], handling) == 140 + 20
    assert estimate_wait(2, [FREE], handling) == 260
    assert estimate_wait(1, [Staff("wrap-up", 5)], handling) == 15


def test_four_measured_calls_are_too_few_and_the_defaults_hold():
    handling = Handling((240.0,) * 4, (20.0,) * 4, TALK, WRAP)
    assert handling.handle_time == H
    assert estimate_wait(2, [FREE], handling) == H


def test_a_call_that_runs_long_is_expected_to_run_like_the_long_calls_did():
    # Four calls of 100 s and one of 500 s: a call 150 s in is one of the long ones.
    handling = measured((100.0, 100.0, 100.0, 100.0, 500.0))
    assert first_free(busy(150), handling) == ((350.0,), True)
    assert estimate_wait(1, [busy(150)], handling) == 350 + 20
    assert first_free(busy(50), handling) == ((50.0, 50.0, 50.0, 50.0, 450.0), True)
    assert first_free(busy(100), handling) == ((400.0,), True)  # past the short ones' end


def test_a_busy_agent_is_expected_free_when_calls_like_theirs_ended_drawn_one_by_one():
    # four measured calls in five ran 500 s: the median future has the agent on one of them
    assert estimate_wait(1, [busy(0)], measured((100.0, 500.0, 500.0, 500.0, 500.0))) == 520


def test_the_estimate_is_the_median_of_the_futures_played():
    # The caller ahead takes a 100 s call three times in five, a 500 s one otherwise:
    # the median future has them done in 120 s; the mean (280 s) is never what happens.
    handling = measured((100.0, 100.0, 100.0, 500.0, 500.0))
    assert estimate_wait(2, [FREE], handling) == 120
    assert estimate_wait(2, [FREE], handling) == 120  # the same line gives the same estimate
    assert estimate_wait(2, [FREE], measured((100.0, 500.0, 500.0, 500.0, 500.0))) == 520


def test_the_same_line_always_plays_the_same_futures_and_tells_one_of_them():
    line = (6, [busy(200), FREE], measured((100.0, 200.0, 300.0, 400.0, 500.0)), 0.002, 1)
    played = futures(*line)
    assert played == futures(*line) and played == sorted(played) and len(set(played)) > 1
    assert quantile(played, 0.5) == played[len(played) // 2] == estimate_wait(*line)
    assert quantile(played, 0.0) == played[0] and quantile(played, 1.0) == played[-1]
    assert futures(*line[:3]) == futures(*line[:3], 0.0)  # by default nobody hangs up,
    assert futures(*line[:4]) == futures(*line[:4], 0)  # and no callback is ahead


def test_callers_ahead_who_will_likely_hang_up_are_not_waited_for():
    agent = [busy(200)]  # free in 130 s
    assert estimate_wait(5, agent, DEFAULTS, hang_up_rate=1.0) == 130  # all four gone by then
    assert estimate_wait(5, agent, DEFAULTS) == 130 + 4 * H
    some_stay = estimate_wait(5, agent, DEFAULTS, hang_up_rate=0.002)
    assert 130 + H <= some_stay < 130 + 4 * H


def test_callbacks_holding_a_place_do_not_hang_up():
    agent = [busy(200)]
    assert estimate_wait(3, agent, DEFAULTS, hang_up_rate=1.0, callbacks_ahead=2) == 130 + 2 * H
    assert estimate_wait(3, agent, DEFAULTS, hang_up_rate=1.0, callbacks_ahead=1) == 130 + H
    assert estimate_wait(3, agent, DEFAULTS, callbacks_ahead=1) == 130 + 2 * H  # nobody hangs up
    assert estimate_wait(2, agent, DEFAULTS, callbacks_ahead=3) == 130 + H  # one caller ahead


def test_nobody_signed_in_gives_no_estimate():
    assert estimate_wait(1, [], DEFAULTS) == math.inf


def test_a_position_counts_from_one():
    with pytest.raises(ValueError, match="position must be 1 or more, got 0"):
        estimate_wait(0, [FREE], DEFAULTS)


def test_the_hang_up_rate_is_zero_until_five_waits_are_known():
    assert measured_hang_up_rate(waits=4, hung_up=2, waited_s=1000) == 0
    assert measured_hang_up_rate(waits=5, hung_up=2, waited_s=1000) == 0.002
    assert measured_hang_up_rate(waits=5, hung_up=0, waited_s=0) == 0


# -- the record in Redis -----------------------------------------------------------------

class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stats(redis: redis_py.Redis, clock: Clock) -> WaitStats:
    return WaitStats(redis, clock, default_talk=TALK, default_wrap_up=WRAP)


def test_talk_times_roll_over_the_last_fifty_calls_per_queue(stats, redis):
    for n, seconds in enumerate((100, 200, 300)):
        stats.record_talk("billing", f"agent{n}", seconds)
    assert stats.handling("billing") == ([300, 200, 100], [], TALK, WRAP)  # newest first
    for n in range(50):
        stats.record_talk("billing", f"agent{n}", 120)
    assert stats.handling("billing")[0] == [120] * 50  # the first three have rolled out
    assert stats.handling("sales") == ([], [], TALK, WRAP)  # each queue has its own
    key = TALK_TIMES_KEY.format(queue="billing")
    assert redis.llen(key) == 50 and redis.ttl(key) > 0


def test_a_wrap_up_is_measured_from_the_hang_up_to_the_agent_being_free(stats, clock, redis):
    stats.record_talk("billing", "ana", 240)
    stats.record_talk("sales", "bea", 60)
    clock.advance(25)
    assert stats.record_wrap_up_end("ana") == 25
    assert stats.record_wrap_up_end("ana") is None  # counted once
    clock.advance(15)
    assert stats.record_wrap_up_end("bea") == 40
    assert stats.record_wrap_up_end("cy") is None  # not wrapping up a call
    assert stats.handling("billing") == ([240], [25], TALK, WRAP)
    assert stats.handling("sales") == ([60], [40], TALK, WRAP)
    assert redis.ttl(WRAP_UPS_KEY.format(queue="billing")) > 0


def test_each_estimate_is_scored_against_the_wait_that_followed(stats, clock, redis):
    stats.record_estimate("CA1", "billing", 3, 300)
    clock.advance(60)
    stats.record_estimate("CA1", "billing", 2, 200)
    clock.advance(190)
    assert stats.record_answered("CA1") == 250  # waited 250 s: heard 300 (50 off), 200 (10 off)
    assert stats.record_answered("CA1") is None  # Twilio retried the callback: counted once

    stats.record_estimate("CA2", "billing", 4, 500)
    clock.advance(100)
    assert stats.record_abandoned("CA2") == 100  # real wait unknown: not scored
    stats.record_estimate("CA3", "billing", 1, math.inf)  # nobody signed in
    clock.advance(30)
    stats.record_answered("CA3")

    accuracy = stats.accuracy("billing")
    assert (accuracy.answered, accuracy.abandoned, accuracy.estimates) == (2, 1, 2)
    assert accuracy.mean_abs_error_s == 30
    assert redis.ttl(OUTCOMES_KEY.format(queue="billing")) > 0
    assert stats.accuracy("sales").mean_abs_error_s is None


def test_a_caller_behind_an_agent_in_wrap_up_hears_the_wrap_up_left_not_a_whole_call(line):
    line.agent("ana", ["es"], ["support"], status="wrap-up", since_s=10)
    first = line.caller().dial().press("1").press("0")
    assert "[es-MX] Tiempo estimado de espera: menos de un minuto." in first.heard  # 20 s
    second = line.caller().dial().press("1").press("0")
    # 20 s, then the first caller's call and wrap-up (the defaults: 300 s and 30 s)
    assert "[es-MX] Tiempo estimado de espera: 6 minutos." in second.heard


def test_an_agent_the_roster_file_puts_in_wrap_up_is_counted_as_starting_it_now(line, tmp_path):
    """A roster file gives a status but no time it began: the whole wrap-up is left."""
    roster = tmp_path / "agents.yaml"
    roster.write_text("- {id: ana, name: Ana, phone: '+15005550101', languages: [es],\n"
                      "   queues: [support], status: wrap-up}\n")
    line.ivr.roster.seed(roster)
    caller = line.caller().dial().press("1").press("0")
    assert "[es-MX] Usted es el número 1 en la fila." in caller.heard
    assert [e["estimate_s"] for e in line.ivr.wait_stats.given(caller.sid)] == [WRAP]


@pytest.mark.parametrize("ahead, wait", [("a caller", "6 minutos"), ("a callback", "11 minutos")])
def test_a_callback_ahead_keeps_its_place_a_caller_ahead_may_hang_up_one_behind_counts_not(
        line, ahead, wait):
    """Here every wait ended in a hang-up within a second: a caller ahead is gone before Ana
    is free (the rest of her call and its wrap-up, 330 s); a callback ahead will not go."""
    for n in range(5):
        line.ivr.wait_stats.record_estimate(f"CA{n}", "support", 1, 60)
        line.clock.advance(1)
        line.ivr.wait_stats.record_abandoned(f"CA{n}")
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    if ahead == "a callback":
        line.ivr.queues.join("CB" + "1" * 32, "support", "es", "callback", line.clock())
    else:
        line.caller().dial().press("1").press("0")
    caller = line.caller().dial().press("1").press("0")
    line.ivr.queues.join("CB" + "2" * 32, "support", "es", "callback", line.clock())  # behind
    caller.press("0")  # where am I now?
    assert caller.heard.count(f"[es-MX] Tiempo estimado de espera: {wait}.") == 2


def test_a_caller_hears_a_wait_measured_on_their_own_queues_calls(line):
    for _ in range(5):  # support's calls lately: two and a half minutes of talk each
        line.ivr.wait_stats.record_talk("support", "bea", 150)
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = line.caller().dial().press("1").press("0")
    # 150 s of Ana's call, then a wrap-up (the default, 30 s), not the default call of 300 s
    assert "[es-MX] Tiempo estimado de espera: 3 minutos." in caller.heard


def test_an_agent_who_ends_their_wrap_up_early_has_it_measured_then(line):
    """Wrap-up ends when the agent is free again, however that comes: here they say so."""
    line.agent("ana", ["es"], ["support"], status="wrap-up")
    line.ivr.wait_stats.record_talk("support", "ana", 200)  # as their call's hang-up does
    line.clock.advance(12)
    assert line.post("/api/agents/ana/status", {"status": "available"}).status_code == 200
    assert line.ivr.wait_stats.handling("support")[:2] == ([200], [12])


def test_hang_ups_are_measured_per_second_of_waiting(redis_url, clock):
    connection = redis_py.Redis.from_url(redis_url, decode_responses=True)  # as the app uses
    stats = WaitStats(connection, clock, default_talk=TALK, default_wrap_up=WRAP)
    for n, waited in enumerate((100, 200, 300, 400, 1000)):
        stats.record_estimate(f"CA{n}", "billing", 1, 60)
        clock.advance(waited)
        (stats.record_abandoned if waited == 1000 else stats.record_answered)(f"CA{n}")
    assert stats.hang_up_rate("billing") == 1 / 2000
    connection.close()


# -- a day of calls ----------------------------------------------------------------------

SEEDS = range(5)  # days of each type; bench/wait_estimate.py plays 20


def test_les_and_hol_tell_what_a_caller_arriving_now_would_be_told():
    seen = Seen(position=3, waited=200.0, staff=[busy(100), busy(50)], handling=DEFAULTS,
                hang_up_rate=0.0, callbacks_ahead=0, last_wait=150.0, head_waited=400.0,
                asterisk_hold=0.0)
    told = predict(seen)
    assert (told["les"], told["hol"]) == (150.0, 400.0)  # what this caller waited stays on
    at_the_head = dataclasses.replace(seen, position=1, head_waited=None)
    assert predict(at_the_head)["hol"] == 150.0  # nobody ahead: what LES says, never 0


def test_an_estimate_is_heard_in_whole_minutes_as_the_announcement_says_it():
    assert [as_heard(s) for s in (0, 59, 60, 89, 90, 149, 151, math.inf)] == [
        30, 30, 60, 60, 120, 120, 180, math.inf]


@pytest.mark.slow
@pytest.mark.parametrize("day_type", list(DAYS))
def test_on_every_day_type_no_estimator_beats_ours_on_the_median_day(day_type):
    medians = summary([score_day(day_type, seed) for seed in SEEDS])
    for scoring in ("", HEARD):  # seconds, then the wait as callers hear it
        ours = medians["project" + scoring]
        print(f"\n{day_type}{scoring}: median MAE s over {len(SEEDS)} days: "
              + ", ".join(f"{name} {medians[name + scoring]:.0f}" for name in ESTIMATORS))
        closer = [name for name in OTHERS if medians[name + scoring] <= ours]
        assert closer == [], f"{day_type}{scoring}: as close or closer than ours: {closer}"


def test_a_simulated_day_has_hang_ups_callbacks_and_missed_offers():
    callers = simulate(DAYS["normal"], seed=2)
    assert sum(c.gone and not c.callback for c in callers) > 20  # hung up while waiting
    assert sum(c.callback for c in callers) > 10
    assert sum(bool(c.passed) for c in callers) > 3  # an agent did not answer
