"""A day of calls to one agent queue, replayed event by event, to score wait announcements.

No real waiting and seeded randomness: Poisson arrivals, lognormal handle times, one FIFO
line answered by the first free agent. Everyone who has to wait hears an estimate on
entering the line and every 60 s after, from three estimators that see only what they
would see live; each estimate is then compared with the wait that really followed.

- project: `estimate_wait` with the agents signed in now, the average handle time of the
  calls completed so far that day (the default until enough are known) and the hang-up
  rate of that day's finished waits;
- naive: position x the default handle time;
- asterisk: app_queue's hold time, an exponential average over answered callers,
  avg = (3 avg + hold) / 4, minus what this caller has already waited (at least 0).
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr_app.line.wait import busy_agent_free_in, estimate_wait
from ivr_app.state.wait_stats import HANDLE_WINDOW, average_handle_time, measured_hang_up_rate

ANNOUNCE_EVERY_S = 60.0
ESTIMATORS = ("project", "naive", "asterisk")


@dataclass(frozen=True)
class Day:
    """The shape of a day: staffing, demand and how long calls last."""

    hours: float = 8.0
    agents: int = 6
    calls_per_hour: float = 50.0
    handle_mean_s: float = 300.0  # also the configured default handle time
    handle_sigma: float = 0.7  # lognormal shape; 0.7: handle times vary by ~80% of their mean
    surge: tuple[float, float, float] | None = None  # (from hour, to hour, arrival factor)
    leave_early: tuple[int, float] | None = None  # (agents who log off, at hour)
    patience_s: float | None = None  # mean wait before a caller hangs up; None: nobody does

    def rate(self, hour: float) -> float:
        """Arrivals per second at a given hour of the day."""
        factor = 1.0
        if self.surge and self.surge[0] <= hour < self.surge[1]:
            factor = self.surge[2]
        return self.calls_per_hour * factor / 3600


SCENARIOS = {
    "normal": Day(),
    "surge": Day(surge=(3.5, 4.5, 5.0)),  # an outage elsewhere: five times the calls for 1 h
    "agents leave early": Day(leave_early=(3, 6.0)),  # half the agents log off 2 h early
    "surge, callers hang up": Day(surge=(3.5, 4.5, 5.0), patience_s=600.0),
}


@dataclass
class _Caller:
    arrived: float
    answered: float = math.nan
    hung_up: bool = False
    heard: list[tuple[float, dict[str, float]]] = field(default_factory=list)  # (at, estimates)


@dataclass
class _Agent:
    signed_in: bool = True
    busy_since: float | None = None  # None when free


@dataclass
class DayResult:
    """What one simulated day scored."""

    calls: int
    waited: int  # callers who had to wait (and so heard estimates)
    hung_up: int  # callers who hung up before an answer: their estimates are not scored
    longest_wait_s: float
    announcements: int
    mean_remaining_s: float  # the actual wait left, on average, when an estimate was heard
    mae_s: dict[str, float]  # estimator -> mean absolute error of its announcements


def simulate(day: Day, seed: int) -> DayResult:
    """Replay one day and score every announcement against the actual remaining wait."""
    return _Replay(day, random.Random(seed)).run()


class _Replay:
    def __init__(self, day: Day, rng: random.Random):
        self.day, self.rng = day, rng
        self.agents = [_Agent() for _ in range(day.agents)]
        self.line: deque[_Caller] = deque()
        self.callers: list[_Caller] = []
        self.events: list[tuple[float, int, Callable[[float], None]]] = []
        self.order = itertools.count()  # breaks ties between events at the same time
        self.handle_times: deque[float] = deque(maxlen=HANDLE_WINDOW)
        self.asterisk_hold = 0.0  # app_queue starts its average at 0
        self.waits = self.hung_up = 0  # finished waits of callers who heard an estimate
        self.waited_s = 0.0
        self.mu = math.log(day.handle_mean_s) - day.handle_sigma ** 2 / 2

    def run(self) -> DayResult:
        for at in self._arrivals():
            self._at(at, self._arrive)
        if self.day.leave_early:
            self._at(self.day.leave_early[1] * 3600, self._log_off)
        while self.events:
            now, _, action = heapq.heappop(self.events)
            action(now)
        return self._score()

    def _arrivals(self) -> list[float]:
        """Poisson arrivals with an hourly rate, drawn by thinning at the peak rate."""
        end = self.day.hours * 3600
        peak = max(self.day.rate(h / 60) for h in range(int(self.day.hours * 60)))
        times, now = [], 0.0
        while (now := now + self.rng.expovariate(peak)) < end:
            if self.rng.random() < self.day.rate(now / 3600) / peak:
                times.append(now)
        return times

    def _at(self, when: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self.events, (when, next(self.order), action))

    def _arrive(self, now: float) -> None:
        caller = _Caller(arrived=now)
        self.callers.append(caller)
        free = next((a for a in self.agents if a.signed_in and a.busy_since is None), None)
        if free is not None:
            self._connect(free, caller, now)
            return
        self.line.append(caller)
        self._announce(caller, now)
        if self.day.patience_s:
            patience = self.rng.expovariate(1 / self.day.patience_s)
            self._at(now + patience, lambda t: self._give_up(caller, t))

    def _announce(self, caller: _Caller, now: float) -> None:
        if not math.isnan(caller.answered) or caller.hung_up:
            return
        position = self.line.index(caller) + 1
        handle = average_handle_time(self.handle_times, self.day.handle_mean_s)
        agents = [0.0 if a.busy_since is None else busy_agent_free_in(now - a.busy_since, handle)
                  for a in self.agents if a.signed_in]
        rate = measured_hang_up_rate(self.waits, self.hung_up, self.waited_s)
        caller.heard.append((now, {
            "project": estimate_wait(position, agents, handle, rate),
            "naive": position * self.day.handle_mean_s,
            "asterisk": max(self.asterisk_hold - (now - caller.arrived), 0.0),
        }))
        self._at(now + ANNOUNCE_EVERY_S, lambda t: self._announce(caller, t))

    def _connect(self, agent: _Agent, caller: _Caller, now: float) -> None:
        caller.answered = now
        if caller.heard:
            self._finish_wait(caller, now)
        self.asterisk_hold = (3 * self.asterisk_hold + (now - caller.arrived)) / 4
        agent.busy_since = now
        handle = self.rng.lognormvariate(self.mu, self.day.handle_sigma)
        self._at(now + handle, lambda t: self._call_ends(agent, t))

    def _call_ends(self, agent: _Agent, now: float) -> None:
        self.handle_times.append(now - agent.busy_since)
        agent.busy_since = None
        if agent.signed_in and self.line:
            self._connect(agent, self.line.popleft(), now)

    def _give_up(self, caller: _Caller, now: float) -> None:
        if math.isnan(caller.answered):
            caller.hung_up = True
            self.line.remove(caller)
            self.hung_up += 1
            self._finish_wait(caller, now)

    def _finish_wait(self, caller: _Caller, now: float) -> None:
        self.waits += 1
        self.waited_s += now - caller.arrived

    def _log_off(self, now: float) -> None:
        """The leavers stop taking calls; one still on a call finishes it first."""
        for agent in self.agents[:self.day.leave_early[0]]:
            agent.signed_in = False

    def _score(self) -> DayResult:
        errors: dict[str, list[float]] = {name: [] for name in ESTIMATORS}
        remaining = []
        for caller in (c for c in self.callers if not c.hung_up):
            for at, told in caller.heard:
                remaining.append(caller.answered - at)
                for name, estimate in told.items():
                    errors[name].append(abs(estimate - remaining[-1]))
        waits = [c.answered - c.arrived for c in self.callers if not c.hung_up]
        return DayResult(calls=len(self.callers), waited=sum(1 for c in self.callers if c.heard),
                         hung_up=sum(c.hung_up for c in self.callers),
                         longest_wait_s=max(waits, default=0.0),
                         announcements=len(remaining),
                         mean_remaining_s=sum(remaining) / len(remaining) if remaining else 0.0,
                         mae_s={name: sum(e) / len(e) if e else math.nan
                                for name, e in errors.items()})
