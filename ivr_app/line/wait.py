"""How long a caller waiting for a person will wait, and how far off we were.

The estimate, as told to callers on entering the queue and every minute after:

1. H, the queue's handle time, is the average length of its last 50 answered calls
   (the configured default until 5 calls have been measured).
2. Each agent signed in to the queue is free in some number of seconds: 0 if available;
   if on a call, what is left of an average call, H minus the time on the call so far,
   but never less than 15% of H (a call that runs long is still expected to end soon,
   not to have ended already). Agents who are away do not count.
3. The line is played forward: whenever an agent frees up, they take the next caller
   and are busy again for H. The caller in position k is told the time of the k-th
   freeing. With c agents all free, callers 1 to c hear 0, callers c+1 to 2c hear H,
   and so on; roughly, position k waits k x H / c.
4. Callers ahead may hang up. The queue's hang-up rate r is measured on its recent
   waits: hang-ups divided by the seconds all those callers spent waiting (0 until 5
   waits are known). Playing forward, each caller still ahead is expected to stay
   for t more seconds with chance e^(-r t), and the caller is told the first freeing
   at which less than half a caller is expected still ahead. With r = 0 this is
   exactly the k-th freeing of step 3.
5. With nobody signed in there is no estimate (infinity): offer the caller something
   else (a callback, a message), never a made-up number.

Every estimate given is recorded with the wait that followed, so its mean absolute
error per queue can be shown to supervisors; callers who hang up first are kept
apart, since their real wait is unknown.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

BUSY_FLOOR = 0.15  # a busy agent is free in at least this share of the handle time


def estimate_wait(position: int, agents: Sequence[float], handle_time: float,
                  hang_up_rate: float = 0.0) -> float:
    """Seconds until the caller at `position` (1-based) reaches an agent; inf with no agents.

    `agents` holds, per agent signed in, the seconds until they are free (0: available).
    """
    if position < 1:
        raise ValueError(f"position must be 1 or more, got {position}")
    if not agents:
        return math.inf
    free_at = sorted(agents)  # a sorted list is already a heap
    ahead, now = float(position - 1), 0.0  # callers expected still ahead, at time `now`
    while True:
        free = free_at[0]
        ahead *= math.exp(-hang_up_rate * (free - now))
        if ahead <= 0.5:
            return free
        ahead, now = ahead - 1, free
        heapq.heapreplace(free_at, free + handle_time)


def busy_agent_free_in(on_call_for: float, handle_time: float) -> float:
    """What is left of an average call after `on_call_for` seconds on it, floored."""
    return max(handle_time - on_call_for, BUSY_FLOOR * handle_time)
