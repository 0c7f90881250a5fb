"""After Redis fails, a process tries it again soon and alone, and serves normally the
moment it answers: no blind cooldown sends callers to a person while Redis is back."""

from __future__ import annotations

import threading
import time

import pytest
import redis as redis_py

from ivr_app.platform.breaker import Breaker, CircuitOpen, GuardedRetry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_right_after_a_failure_commands_answer_from_fallbacks_without_trying_redis():
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock)
    breaker.failed(redis_py.ConnectionError("master gone"))
    clock.now += 0.3
    with pytest.raises(CircuitOpen):
        breaker.check()
    assert breaker.is_open


def test_half_a_second_on_one_command_tries_redis_and_its_success_closes_the_breaker():
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock, wait=0.0)
    breaker.failed(redis_py.ConnectionError("master gone"))
    clock.now += 0.5
    assert breaker.check() is True  # the trial
    with pytest.raises(CircuitOpen):  # only one at a time
        breaker.check()
    assert breaker.is_open
    breaker.succeeded()
    assert not breaker.is_open
    assert breaker.check() is False  # everyone through, none a trial


def test_a_failed_trial_waits_another_probe_before_the_next():
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock, wait=0.0)
    breaker.failed(redis_py.ConnectionError("master gone"))
    clock.now += 0.5
    assert breaker.check() is True
    breaker.failed(redis_py.TimeoutError("still gone"))
    clock.now += 0.4
    with pytest.raises(CircuitOpen):
        breaker.check()
    clock.now += 0.1
    assert breaker.check() is True


def test_a_command_arriving_during_a_trial_goes_through_when_the_trial_succeeds():
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock, wait=2.0)
    breaker.failed(redis_py.ConnectionError("master gone"))
    clock.now += 0.5
    assert breaker.check() is True
    outcome: list[object] = []
    waiter = threading.Thread(target=lambda: outcome.append(breaker.check()))
    waiter.start()
    time.sleep(0.1)
    assert outcome == []  # waiting for the trial, not sent to a person yet
    breaker.succeeded()
    waiter.join(2)
    assert outcome == [False]


def test_a_trial_that_ends_without_a_word_from_redis_lets_the_next_command_try():
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock, wait=0.0)
    retry = GuardedRetry(breaker)
    breaker.failed(redis_py.ConnectionError("master gone"))
    clock.now += 0.5

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        retry.call_with_retry(interrupted, lambda error: None)
    assert not breaker.is_open  # a trial is due again
    assert breaker.check() is True


def test_an_error_redis_answers_with_is_an_answer(redis_url):
    """A command Redis refuses (a wrong type) proves Redis is there: the breaker closes."""
    clock = Clock()
    breaker = Breaker(probe=0.5, clock=clock, wait=0.0)
    client = redis_py.Redis.from_url(redis_url, retry=GuardedRetry(breaker))
    client.flushdb()
    client.set("a-string", "x")
    breaker.failed(redis_py.ConnectionError("blip"))
    clock.now += 0.5
    with pytest.raises(redis_py.ResponseError):
        client.lpush("a-string", "y")
    assert not breaker.is_open
    client.flushdb()
    client.close()
