"""The wait estimators compared on simulated days, each from what it could see live.

- project: the app's own estimate (`ivr_app.line.wait.estimate_wait`, the median of
  its futures), fed as the app feeds it: the agents signed in to the queue with their
  status and time in it, the queue's measured talk times, wrap-ups and hang-up rate,
  callbacks ahead; "cautious" is the 80th percentile of the same futures;
- ql: the queue-length predictor with abandonment of Whitt (1999) and Ibrahim and
  Whitt (2009): with s agents signed in, mean handle time 1/mu and hang-up rate
  theta, the caller with n ahead waits sum(1 / (s mu + i theta), i = 0..n); 0 when
  an agent is free for them;
- les and hol: the delay-history estimators of Ibrahim and Whitt, as they define them
  for a customer who arrives and must wait, applied at the moment each estimate is
  announced (on entering the line, and every minute after, the caller is told what a
  caller arriving then would be told): les, the wait of the last caller of the queue to
  reach an agent (last to enter service); hol, how long the caller at the head of the
  line, ahead of this one, has waited so far (head of line). Neither takes off what this
  caller has already waited. The papers define hol when someone waits ahead; for the
  caller at the head of the line, hol says what les says. R. Ibrahim and W. Whitt,
  "Real-time delay estimation based on delay history", Manufacturing & Service
  Operations Management 11(3), 2009; "Real-time delay estimation in overloaded
  multiserver queues with abandonments", Management Science 55(10), 2009;
- asterisk: app_queue's announced hold time: an exponential average of answered
  callers' hold times, avg = (3 avg + hold) / 4, and the caller hears
  |avg - time already waited| (app_queue.c, say_position; it does not multiply by
  the position);
- fair: position x measured mean handle time / agents signed in;
- naive: position x the configured handle time (talk and wrap-up).

An estimate of the remaining wait is never below 0. Every estimator is scored on its
seconds and on the wait as the caller hears it (`as_heard`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ivr_app.line.holding import wait_sentence
from ivr_app.line.wait import QUANTILE, Handling, Staff, futures, quantile

# What each sentence a caller can hear stands for, in minutes ("under a minute": half of one).
_MINUTES_SAID = {"wait_unknown": "inf", "wait_under_minute": "0.5", "wait_one_minute": "1",
                 "wait_minutes": "{minutes}"}

ESTIMATORS = ("project", "ql", "les", "hol", "asterisk", "fair", "naive")
CAUTIOUS = 0.8  # the quantile a more cautious announcement would tell, reported beside it


@dataclass(frozen=True)
class Seen:
    """What a caller's queue looks like, live, when their estimate is due."""

    position: int  # 1-based, callbacks holding a place included
    waited: float  # this caller's time in line so far
    staff: Sequence[Staff]  # agents signed in to the queue (not away)
    handling: Handling  # the queue's measured talk times and wrap-ups
    hang_up_rate: float  # hang-ups per second of waiting, measured on recent waits
    callbacks_ahead: int
    last_wait: float  # wait of the last caller of the queue to reach an agent (0: none yet)
    head_waited: float | None  # the wait so far of the first caller ahead (None: nobody)
    asterisk_hold: float  # app_queue's exponential average of hold times


def predict(seen: Seen) -> dict[str, float]:
    """Every estimator's remaining wait, in seconds, for the caller `seen` describes, and
    the project's at the CAUTIOUS quantile."""
    handle, agents = seen.handling.handle_time, len(seen.staff)
    configured = seen.handling.default_talk + seen.handling.default_wrap_up
    waits = futures(seen.position, seen.staff, seen.handling, seen.hang_up_rate,
                    seen.callbacks_ahead)  # as estimate_wait plays them
    return {
        "project": quantile(waits, QUANTILE),
        "cautious": quantile(waits, CAUTIOUS),
        "ql": queue_length(seen.position, seen.staff, handle, seen.hang_up_rate),
        "les": seen.last_wait,
        "hol": seen.last_wait if seen.head_waited is None else seen.head_waited,
        "asterisk": abs(seen.asterisk_hold - seen.waited),
        "fair": seen.position * handle / agents if agents else float("inf"),
        "naive": seen.position * configured,
    }


def queue_length(position: int, staff: Sequence[Staff], handle_time: float,
                 hang_up_rate: float) -> float:
    """QL with abandonment (M/M/s+M): the expected time for n + 1 agents to free up."""
    free = sum(a.status == "available" for a in staff)
    if not staff:
        return float("inf")
    if position <= free:
        return 0.0
    rate = len(staff) / handle_time
    return sum(1 / (rate + i * hang_up_rate) for i in range(position - free))


def as_heard(seconds: float) -> float:
    """An estimate as the caller hears it (line/holding.py's sentence), back in seconds: whole
    minutes, "one minute" below 90 s, "under a minute" (taken as 30 s) below 60 s."""
    return float(wait_sentence(_MINUTES_SAID, seconds)) * 60
