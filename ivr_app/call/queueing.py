"""A caller put in our line for a person, and a worker asked to find free agents for it.

The worker's job is enqueued by its name: routing (line/routing.py) builds on this package,
so the call package never imports it, and neither does anything else in the app.
"""

from __future__ import annotations

from typing import Any

from ivr_app.services import Services

DISPATCH_JOB = "workers.routing.dispatch_queue"  # RQ job: offer a queue's callers to agents


def enter_queue(ivr: Services, sid: str, state: dict[str, Any], queue: str, reason: str,
                prefer: str = "") -> None:
    """Put a caller in line, out of any other (a Twilio retry keeps the first place), and
    look for an agent. A call Twilio reported over is lined up for nobody (state/queues.py
    refuses it in the same step)."""
    ivr.queues.join(sid, queue, state["lang"], reason, ivr.clock(), prefer=prefer,
                    test=bool(state.get("test")))
    dispatch_soon(ivr, queue)


def dispatch_soon(ivr: Services, queue: str) -> None:
    """Ask a worker to offer waiting callers of `queue` to free agents (line/routing.py)."""
    ivr.jobs.enqueue(DISPATCH_JOB, queue)
