"""A working day of a two-queue line, replayed event by event, to score wait announcements.

No real waiting and seeded randomness. What happens, as the app would see it:

- arrivals follow a daily curve (a morning and an afternoon peak, a lunch dip), Poisson
  within each hour, 60% to billing and 40% to support;
- talk times are lognormal (mean 300 s, about 80% spread), then the agent wraps up
  (lognormal, mean 40 s) before taking the next caller;
- callers lose patience: each hangs up after a lognormal time (median 6 min, wide);
- twelve agents on two shifts (early, late) with a staggered half-hour lunch; four of
  them serve both queues, each with their own queue first; an agent taking a break or
  whose shift ends finishes their call first;
- an offered agent misses the call 5% of the time: after 20 s of ringing the next agent
  is tried and the one who missed is away for 5 minutes; the caller keeps their place;
- a caller told more than two minutes takes a callback 30% of the time: the callback
  holds their place, and when its turn comes the agent calls them back (reached 85%
  of the time, after 20 s);
- a free agent takes the head of the line of their first queue, then their second;
  a new caller goes to the longest-idle free agent of their queue.

Every caller who has to wait hears every estimator on entering the line and every 60 s
after (predictors.py), computed from what the app would see then; once they reach an
agent, each estimate is compared with the wait that really followed. Callers who hang up
or take a callback are not scored (their wait is unknown).
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.predictors import ESTIMATORS, Seen, predict
from ivr_app.line.wait import Handling, Staff
from ivr_app.state.wait_stats import HANDLE_WINDOW, OUTCOMES_KEPT, measured_hang_up_rate

ANNOUNCE_EVERY_S = 60.0
QUEUES = ("billing", "support")
CURVE = (0.35, 0.6, 0.9, 1.0, 0.8, 0.7, 0.9, 0.85, 0.6, 0.35)  # share of the peak, per hour
# (queues in order of preference, shift start hour, shift end hour), lunch 3.5 h in or 4 h in
ROSTER = tuple((queues, start, start + 8)
               for start in (0.0, 2.0)
               for queues in (("billing",), ("billing",), ("billing",), ("support",),
                              ("billing", "support"), ("support", "billing")))


@dataclass(frozen=True)
class Day:
    """The shape of a day: demand, how calls go, staffing changes."""

    peak_calls_per_hour: float = 110.0
    billing_share: float = 0.6
    talk_mean_s: float = 300.0
    talk_sigma: float = 0.7
    wrap_up_mean_s: float = 40.0
    wrap_up_sigma: float = 0.5
    patience_median_s: float = 360.0
    patience_sigma: float = 1.0
    no_answer: float = 0.05
    ring_s: float = 20.0  # AGENT_RING_SECONDS
    answer_s: float = 8.0  # ring, whisper and accept, when the agent takes it
    away_after_miss_s: float = 300.0
    callback_after_s: float = 120.0  # estimates above this offer a callback
    callback_take: float = 0.3
    callback_reach: float = 0.85
    default_talk_s: float = 300.0  # DEFAULT_HANDLE_SECONDS
    default_wrap_up_s: float = 30.0  # WRAP_UP_SECONDS
    surge: tuple[float, float, float] | None = None  # (from hour, to hour, arrival factor)
    leave_early: tuple[int, float] | None = None  # (late-shift agents who log off, at hour)

    def rate(self, hour: float) -> float:
        """Arrivals per second at a given hour of the day, both queues."""
        factor = CURVE[min(int(hour), len(CURVE) - 1)]
        if self.surge and self.surge[0] <= hour < self.surge[1]:
            factor *= self.surge[2]
        return self.peak_calls_per_hour * factor / 3600


DAYS = {
    "normal": Day(),
    "surge": Day(surge=(3.5, 4.5, 5.0)),  # an outage elsewhere: five times the calls for 1 h
    "agents_leave": Day(leave_early=(3, 8.0)),  # half the late shift logs off 2 h early
}


@dataclass
class _Caller:
    queue: str
    arrived: float
    patience: float
    callback: bool = False
    gone: bool = False  # hung up, or a callback not reached
    answered: float = math.nan
    offered: bool = False
    passed: set[int] = field(default_factory=set)
    heard: list[tuple[float, dict[str, float]]] = field(default_factory=list)


@dataclass
class _Agent:
    number: int
    queues: tuple[str, ...]
    status: str = "away"  # available, offered, busy, wrap-up or away
    since: float = 0.0
    on_shift: bool = False


@dataclass
class _Queue:
    line: list[_Caller] = field(default_factory=list)
    talk: deque[float] = field(default_factory=lambda: deque(maxlen=HANDLE_WINDOW))
    wrap: deque[float] = field(default_factory=lambda: deque(maxlen=HANDLE_WINDOW))
    outcomes: deque[tuple[bool, float]] = field(default_factory=lambda: deque(maxlen=OUTCOMES_KEPT))
    last_wait: float = 0.0
    asterisk_hold: float = 0.0  # app_queue starts its average at 0


def simulate(day: Day, seed: int) -> list[_Caller]:
    """Replay one day; returns its callers with what they heard and when they were answered."""
    return _Replay(day, random.Random(seed)).run()


class _Replay:
    def __init__(self, day: Day, rng: random.Random):
        self.day, self.rng = day, rng
        self.queues = {q: _Queue() for q in QUEUES}
        self.agents = [_Agent(n, queues) for n, (queues, _, _) in enumerate(ROSTER)]
        self.callers: list[_Caller] = []
        self.events: list[tuple[float, int, Callable[[float], None]]] = []
        self.order = itertools.count()

    def run(self) -> list[_Caller]:
        for at in self._arrivals():
            self._at(at, self._arrive)
        for agent, (_, start, end) in zip(self.agents, ROSTER, strict=True):
            lunch = start + 3.5 + 0.5 * (agent.number % 2)
            if self.day.leave_early and start > 0 and agent.number % 6 < self.day.leave_early[0]:
                end = self.day.leave_early[1]
            self._at(start * 3600, lambda t, a=agent: self._shift(a, True, t))
            self._at(lunch * 3600, lambda t, a=agent: self._shift(a, False, t))
            self._at((lunch + 0.5) * 3600, lambda t, a=agent: self._shift(a, True, t))
            self._at(end * 3600, lambda t, a=agent: self._shift(a, False, t))
        while self.events:
            now, _, action = heapq.heappop(self.events)
            action(now)
        return self.callers

    def _arrivals(self) -> list[float]:
        """Poisson arrivals with an hourly rate, drawn by thinning at the peak rate."""
        end = len(CURVE) * 3600
        peak = max(self.day.rate(m / 60) for m in range(len(CURVE) * 60))
        times, now = [], 0.0
        while (now := now + self.rng.expovariate(peak)) < end:
            if self.rng.random() < self.day.rate(now / 3600) / peak:
                times.append(now)
        return times

    def _at(self, when: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self.events, (when, next(self.order), action))

    def _lognormal(self, mean: float, sigma: float) -> float:
        return self.rng.lognormvariate(math.log(mean) - sigma ** 2 / 2, sigma)

    def _set(self, agent: _Agent, status: str, now: float) -> None:
        agent.status, agent.since = status, now

    # -- agents ----------------------------------------------------------------------------

    def _shift(self, agent: _Agent, on: bool, now: float) -> None:
        """A shift or a break starts or ends; an agent on a call leaves once it is done."""
        agent.on_shift = on
        if on and agent.status == "away":
            self._free(agent, now)
        elif not on and agent.status == "available":
            self._set(agent, "away", now)

    def _free(self, agent: _Agent, now: float) -> None:
        """The agent can take a caller: the head of their first queue's line, or the next."""
        if not agent.on_shift:
            self._set(agent, "away", now)
            return
        self._set(agent, "available", now)
        for queue in agent.queues:
            caller = next((c for c in self.queues[queue].line
                           if not c.offered and agent.number not in c.passed), None)
            if caller is not None:
                self._offer(agent, caller, now)
                return

    def _offer(self, agent: _Agent, caller: _Caller, now: float) -> None:
        self._set(agent, "offered", now)
        caller.offered = True
        if caller.callback:
            reached = self.rng.random() < self.day.callback_reach
            self._at(now + self.day.ring_s, lambda t: self._connect(agent, caller, t, reached))
        elif self.rng.random() < self.day.no_answer:
            self._at(now + self.day.ring_s, lambda t: self._missed(agent, caller, t))
        else:
            self._at(now + self.day.answer_s, lambda t: self._connect(agent, caller, t, True))

    def _missed(self, agent: _Agent, caller: _Caller, now: float) -> None:
        """The agent did not answer: away for a while; the caller is offered to the next."""
        self._set(agent, "away", now)
        self._at(now + self.day.away_after_miss_s, lambda t: self._back(agent, t))
        caller.offered = False
        caller.passed.add(agent.number)
        if not caller.gone:
            self._dispatch(caller.queue, now)

    def _back(self, agent: _Agent, now: float) -> None:
        if agent.status == "away":
            self._free(agent, now)

    def _connect(self, agent: _Agent, caller: _Caller, now: float, reached: bool) -> None:
        queue = self.queues[caller.queue]
        if caller.gone or not reached:  # hung up while the agent was rung, or not reached
            if not caller.gone:
                caller.gone = True
                queue.line.remove(caller)
            self._free(agent, now)
            return
        queue.line.remove(caller)
        caller.answered = now
        if not caller.callback:
            waited = now - caller.arrived
            if caller.heard:  # the app keeps the waits of callers who heard an estimate
                queue.outcomes.append((False, waited))
            queue.last_wait = waited
            queue.asterisk_hold = (3 * queue.asterisk_hold + waited) / 4
        self._set(agent, "busy", now)
        talk = self._lognormal(self.day.talk_mean_s, self.day.talk_sigma)
        self._at(now + talk, lambda t: self._hang_up(agent, queue, t))

    def _hang_up(self, agent: _Agent, queue: _Queue, now: float) -> None:
        queue.talk.appendleft(now - agent.since)
        self._set(agent, "wrap-up", now)
        wrap = self._lognormal(self.day.wrap_up_mean_s, self.day.wrap_up_sigma)
        self._at(now + wrap, lambda t: self._wrapped_up(agent, queue, t))

    def _wrapped_up(self, agent: _Agent, queue: _Queue, now: float) -> None:
        queue.wrap.appendleft(now - agent.since)
        self._free(agent, now)

    # -- callers ---------------------------------------------------------------------------

    def _arrive(self, now: float) -> None:
        queue = "billing" if self.rng.random() < self.day.billing_share else "support"
        patience = self._lognormal(self.day.patience_median_s, self.day.patience_sigma) * \
            math.exp(self.day.patience_sigma ** 2 / 2)  # so the median is patience_median_s
        caller = _Caller(queue, now, patience)
        self.callers.append(caller)
        self.queues[queue].line.append(caller)
        self._dispatch(queue, now)
        if not caller.offered:
            self._announce(caller, now)
            self._at(now + patience, lambda t: self._give_up(caller, t))

    def _dispatch(self, queue: str, now: float) -> None:
        """Offer the line's callers, in order, to the longest-idle free agents of the queue."""
        for caller in [c for c in self.queues[queue].line if not c.offered]:
            free = [a for a in self.agents if a.status == "available" and queue in a.queues
                    and a.number not in caller.passed]
            if not free:
                return
            self._offer(min(free, key=lambda a: (a.since, a.number)), caller, now)

    def _announce(self, caller: _Caller, now: float) -> None:
        if caller.gone or caller.callback or not math.isnan(caller.answered):
            return
        told = predict(self._seen(caller, now))
        caller.heard.append((now, told))
        if told["project"] > self.day.callback_after_s and \
                self.rng.random() < self.day.callback_take:
            caller.callback = True  # leaves the phone, keeps the place
            return
        self._at(now + ANNOUNCE_EVERY_S, lambda t: self._announce(caller, t))

    def _seen(self, caller: _Caller, now: float) -> Seen:
        queue = self.queues[caller.queue]
        index = queue.line.index(caller)
        staff = [Staff(a.status, now - a.since) for a in self.agents
                 if caller.queue in a.queues and a.status != "away"]
        handling = Handling(tuple(queue.talk), tuple(queue.wrap), self.day.default_talk_s,
                            self.day.default_wrap_up_s)
        rate = measured_hang_up_rate(len(queue.outcomes), sum(o[0] for o in queue.outcomes),
                                     sum(o[1] for o in queue.outcomes))
        return Seen(position=index + 1, waited=now - caller.arrived, staff=staff,
                    handling=handling, hang_up_rate=rate,
                    callbacks_ahead=sum(c.callback for c in queue.line[:index]),
                    last_wait=queue.last_wait,
                    head_waited=now - queue.line[0].arrived if index else None,
                    asterisk_hold=queue.asterisk_hold)

    def _give_up(self, caller: _Caller, now: float) -> None:
        if caller.gone or caller.callback or not math.isnan(caller.answered):
            return
        caller.gone = True
        queue = self.queues[caller.queue]
        queue.line.remove(caller)
        queue.outcomes.append((True, now - caller.arrived))


def scored(callers: list[_Caller]) -> list[tuple[float, dict[str, float]]]:
    """(the wait that followed, what each estimator said) for every estimate that was heard
    by a caller who went on to reach an agent on the line."""
    return [(c.answered - at, told) for c in callers
            if not c.gone and not c.callback and not math.isnan(c.answered)
            for at, told in c.heard]


__all__ = ["DAYS", "ESTIMATORS", "Day", "scored", "simulate"]
