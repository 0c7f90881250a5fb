"""How long a caller waiting for a person will wait.

Handle time is talk plus wrap-up, and both are measured per queue: talk from the
agent's answer to the hang-up, wrap-up from the hang-up to the agent being free again
(state/wait_stats.py keeps the last 50 of each; the configured defaults stand in until
5 are known). The estimate, as told to callers on entering the queue and every minute
after, plays the line forward SAMPLES times, each time with calls drawn from the
measured ones, and tells the median of those futures' waits:

1. Each agent signed in to the queue frees up first: now if available; in wrap-up,
   after what is left of a measured wrap-up that lasted longer than theirs so far (at
   most the wrap-up left, never a whole call); on a call, after what is left of a
   measured call that lasted longer than theirs so far (a call that runs long is one of
   the long ones, not about to end), then a measured wrap-up; ringing (offered), after
   a whole measured call and wrap-up.
2. Whenever an agent frees up they take the next caller still in line, and are busy
   again for a drawn talk time and wrap-up.
3. Callers ahead may hang up, callbacks holding a place do not (they are taken to be
   the first ones ahead, as they come from callers who have waited longest). Each
   caller ahead hangs up after a drawn time, exponential at the queue's measured rate
   (hang-ups per second of waiting over its recent waits).
4. The caller's wait in that future is when an agent frees up for them.
5. Being told less than one then waits hurts more than the reverse. The median is
   what makes the error smallest; a higher quantile (QUANTILE) would tell fewer callers
   too little at the cost of a larger error on average. The benchmark
   (bench/wait_estimate.py) reports both: the error and the share of callers told less
   than they waited; the announcement rounds to whole minutes (holding.py).
6. With nobody signed in there is no estimate (infinity): offer the caller something
   else (a callback, a message), never a made-up number.

7. Only the PLAYED callers at the head of the line are played one by one, so an estimate
   costs the same however long the line: further back, the line ahead first drains to
   PLAYED as a fluid (agents take callers at their measured rate, len(staff) per handle
   time, while each caller in it hangs up at the measured rate), then the futures of
   position PLAYED follow.

The futures are drawn from a generator seeded by the position, so the same line and
measurements always give the same estimate.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

BUSY_FLOOR = 0.15  # a call that ran past every measured one still has this share of talk left
MIN_CALLS = 5  # measured calls needed before they replace the configured defaults
SAMPLES = 48  # futures played per estimate
QUANTILE = 0.5  # of those futures' waits, the one told (see 5.)
PLAYED = 50  # callers at the head of the line played one by one (see 7.)


@dataclass(frozen=True)
class Handling:
    """What a queue's recent calls measured: their talk times and wrap-ups, in seconds."""

    talk_times: Sequence[float]
    wrap_ups: Sequence[float]
    default_talk: float
    default_wrap_up: float

    @property
    def talks(self) -> Sequence[float]:
        """The talk times a future is drawn from: the measured ones, once there are enough."""
        return self.talk_times if len(self.talk_times) >= MIN_CALLS else (self.default_talk,)

    @property
    def wraps(self) -> Sequence[float]:
        """The wrap-ups a future is drawn from: the measured ones, once there are enough."""
        return self.wrap_ups if len(self.wrap_ups) >= MIN_CALLS else (self.default_wrap_up,)

    @property
    def handle_time(self) -> float:
        """Mean talk and wrap-up: how long an agent is taken by one call, on average."""
        return sum(self.talks) / len(self.talks) + sum(self.wraps) / len(self.wraps)


@dataclass(frozen=True)
class Staff:
    """One agent signed in to the queue, as the estimate sees them."""

    status: str  # available, offered, busy or wrap-up
    for_s: float  # seconds in that status


def first_free(agent: Staff, handling: Handling) -> tuple[Sequence[float], bool]:
    """When the agent may first be free, as equally likely offsets in seconds, and whether
    a wrap-up is still to come after them.

    In wrap-up: what is left of the measured wrap-ups longer than theirs so far (0 if
    none was). On a call: what is left of the measured talk times longer than theirs so
    far, then a wrap-up (BUSY_FLOOR of the mean talk if no call lasted so long).
    Offered (ringing): a whole call is about to start."""
    if agent.status == "available":
        return (0.0,), False
    if agent.status == "wrap-up":
        return tuple(w - agent.for_s for w in handling.wraps if w > agent.for_s) or (0.0,), False
    talks = handling.talks
    if agent.status == "busy":
        return tuple(t - agent.for_s for t in talks if t > agent.for_s) or (
            BUSY_FLOOR * sum(talks) / len(talks),), True
    return talks, True


def estimate_wait(position: int, staff: Sequence[Staff], handling: Handling,
                  hang_up_rate: float = 0.0, callbacks_ahead: int = 0) -> float:
    """Seconds until the caller at `position` (1-based) reaches an agent; inf with no agents.

    `callbacks_ahead` of the callers ahead are callbacks holding a place: they do not
    hang up.
    """
    return quantile(futures(position, staff, handling, hang_up_rate, callbacks_ahead), QUANTILE)


def futures(position: int, staff: Sequence[Staff], handling: Handling,
            hang_up_rate: float = 0.0, callbacks_ahead: int = 0) -> list[float]:
    """The caller's wait in each of SAMPLES futures played, shortest first; [inf] with no
    agents. The same line and measurements always give the same futures."""
    if position < 1:
        raise ValueError(f"position must be 1 or more, got {position}")
    if not staff:
        return [math.inf]
    rng = random.Random(position)
    firsts = [first_free(agent, handling) for agent in staff]
    handles = [talk + wrap for talk in handling.talks for wrap in handling.wraps]
    played = min(position, PLAYED)
    before = drain(position, len(staff), handling, hang_up_rate)
    return sorted(before + _one_future(played, firsts, handling, handles, hang_up_rate,
                                       min(callbacks_ahead, played - 1), rng)
                  for _ in range(SAMPLES))


def drain(position: int, agents: int, handling: Handling, hang_up_rate: float) -> float:
    """Seconds until a caller at `position` is at PLAYED (0 if they are nearer): the line
    ahead shrinks by agents / handle time callers a second, and by its length times the
    hang-up rate. With n callers ahead, dn/dt = -(r + h n), which takes
    ln((n0 + r/h) / (n1 + r/h)) / h seconds to go from n0 to n1 (n0 - n1 over r when h is 0)."""
    if position <= PLAYED:
        return 0.0
    rate = agents / handling.handle_time
    if hang_up_rate <= 0:
        return (position - PLAYED) / rate
    k = rate / hang_up_rate
    return math.log((position - 1 + k) / (PLAYED - 1 + k)) / hang_up_rate


def quantile(waits: Sequence[float], share: float) -> float:
    """The wait that `share` of the (sorted) futures do not exceed."""
    return waits[min(int(share * len(waits)), len(waits) - 1)]


def _one_future(position: int, firsts: list[tuple[Sequence[float], bool]], handling: Handling,
                handles: Sequence[float], hang_up_rate: float, callbacks_ahead: int,
                rng: random.Random) -> float:
    """When the caller is answered in one drawn future: agents free up after drawn calls,
    callers ahead hang up after drawn patience, callbacks (at the head) never do."""
    gives_up = [math.inf] * callbacks_ahead + [
        rng.expovariate(hang_up_rate) if hang_up_rate > 0 else math.inf
        for _ in range(position - 1 - callbacks_ahead)]
    wraps, draw = handling.wraps, rng.random
    free_at = [offsets[int(draw() * len(offsets))] + (wraps[int(draw() * len(wraps))] if wrap
                                                       else 0.0) for offsets, wrap in firsts]
    heapq.heapify(free_at)
    served = 0  # callers ahead answered or gone
    while True:
        free = free_at[0]
        while served < len(gives_up) and gives_up[served] < free:
            served += 1  # hung up before this agent freed up
        if served == len(gives_up):
            return free
        served += 1
        heapq.heapreplace(free_at, free + handles[int(draw() * len(handles))])
