"""Wait estimates as callers hear them, their record in Redis, and a simulated day of calls."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import redis as redis_py

from bench.traffic import SCENARIOS, simulate
from ivr_app.line.wait import busy_agent_free_in, estimate_wait
from ivr_app.state.wait_stats import (
    HANDLE_TIMES_KEY,
    OUTCOMES_KEY,
    WaitStats,
    average_handle_time,
    measured_hang_up_rate,
)

H = 300.0  # the queue's average handle time in these stories
FREE = 0.0


# -- the estimate ------------------------------------------------------------------------

def test_first_in_line_with_an_agent_free_is_answered_now():
    assert estimate_wait(1, [FREE, 120.0], H) == 0


def test_third_in_line_with_two_agents_free_waits_one_handle_time():
    assert estimate_wait(3, [FREE, FREE], H) == H


def test_fifth_in_line_with_two_agents_free_waits_two_handle_times():
    assert [estimate_wait(p, [FREE, FREE], H) for p in range(1, 6)] == [0, 0, H, H, 2 * H]


def test_busy_agents_answer_in_the_order_they_free_up():
    agents = [200.0, 60.0]
    assert estimate_wait(1, agents, H) == 60  # the agent ending soonest takes the first caller
    assert estimate_wait(2, agents, H) == 200
    assert estimate_wait(3, agents, H) == 60 + H  # the first agent again, after a whole call


def test_nobody_signed_in_gives_no_estimate():
    assert estimate_wait(1, [], H) == math.inf


def test_a_position_counts_from_one():
    with pytest.raises(ValueError, match="position must be 1 or more, got 0"):
        estimate_wait(0, [FREE], H)


def test_a_busy_agent_is_expected_free_when_an_average_call_would_end():
    assert busy_agent_free_in(100, H) == 200
    assert busy_agent_free_in(400, H) == 0.15 * H  # running long: soon, but not already


def test_a_caller_ahead_who_will_likely_hang_up_is_not_waited_for():
    # One caller ahead, the only agent frees in 100 s. Callers hang up at 1% per second,
    # so the one ahead is still there by then with chance e^-1 = 0.37: less than even.
    assert estimate_wait(2, [100.0], H, hang_up_rate=0.01) == 100
    # At 0.1% per second they are still there with chance 0.90: wait for their call too.
    assert estimate_wait(2, [100.0], H, hang_up_rate=0.001) == 100 + H
    assert estimate_wait(2, [100.0], H) == 100 + H


def test_the_handle_time_is_the_default_until_five_calls_are_measured():
    assert average_handle_time([100, 200, 300, 400], default=H) == H
    assert average_handle_time([100, 200, 300, 400, 500], default=H) == 300


def test_the_hang_up_rate_is_zero_until_five_waits_are_known():
    assert measured_hang_up_rate(waits=4, hung_up=2, waited_s=1000) == 0
    assert measured_hang_up_rate(waits=5, hung_up=2, waited_s=1000) == 0.002


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
    return WaitStats(redis, clock, default_handle_time=H)


def test_the_average_handle_time_rolls_over_the_last_fifty_calls(stats, redis):
    for seconds in (100, 200, 300, 400):
        stats.record_handle_time("billing", seconds)
    assert stats.handle_time("billing") == H  # four calls: still the default
    stats.record_handle_time("billing", 500)
    assert stats.handle_time("billing") == 300
    for _ in range(50):
        stats.record_handle_time("billing", 120)
    assert stats.handle_time("billing") == 120  # the first five calls have rolled out
    assert stats.handle_time("sales") == H  # each queue has its own
    key = HANDLE_TIMES_KEY.format(queue="billing")
    assert redis.llen(key) == 50 and redis.ttl(key) > 0


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


def test_hang_ups_are_measured_per_second_of_waiting(redis_url, clock):
    connection = redis_py.Redis.from_url(redis_url, decode_responses=True)  # as the app uses
    stats = WaitStats(connection, clock, default_handle_time=H)
    for n, waited in enumerate((100, 200, 300, 400, 1000)):
        stats.record_estimate(f"CA{n}", "billing", 1, 60)
        clock.advance(waited)
        (stats.record_abandoned if waited == 1000 else stats.record_answered)(f"CA{n}")
    assert stats.hang_up_rate("billing") == 1 / 2000
    connection.close()


# -- a day of calls ----------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["normal", "surge", "surge, callers hang up"])
def test_over_a_day_the_estimate_beats_both_baselines(scenario):
    day = simulate(SCENARIOS[scenario], seed=1)
    mae = day.mae_s
    print(f"\n{scenario}: {day.calls} calls, {day.announcements} announcements, MAE s: "
          + ", ".join(f"{name} {error:.0f}" for name, error in mae.items()))
    assert day.announcements > 100
    assert mae["project"] < mae["naive"] and mae["project"] < mae["asterisk"]
