"""At the end of a call, remember it for its caller: a second call soon after can go on
from where this one was (line/remembered.py asks them).

Remembered are calls that reached our line for a person (answered, called back, or
still waiting when they hung up) and calls that reported an open issue (a topic the
flow lists under `returning.open_issues`, such as an outage), for the flow's
`returning.within_hours`. Flows without a `returning:` section remember nothing, and test
calls (TEST_CALLERS, `simulate`) are never remembered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ivr_app.services import Services


def remember_call(ivr: Services, sid: str, now: dt.datetime) -> bool:
    """Keep what an agent would need about this call under its caller's number."""
    _, state = ivr.store.load(sid)
    if state is None or not state.get("from") or state.get("test"):
        return False  # a test call is no earlier call of a customer
    flow = ivr.registry.of_call(state)
    settings = flow.returning
    outcome = state.get("outcome") or {}
    topic = state.get("vars", {}).get("topic", "")
    if settings is None or (outcome.get("type") != "human"
                            and topic not in settings.open_issues):
        return False
    record: dict[str, Any] = {
        "sid": sid, "flow": flow.name, "lang": state.get("lang", ""),
        "topic": topic or "other", "reason": outcome.get("reason") or f"open issue: {topic}",
        "queue": outcome.get("queue") or flow.human.queue, "agent": ivr.store.handled_by(sid),
        "ended": now.isoformat(timespec="seconds"), "vars": state.get("vars", {}),
        "path": state.get("path", []), "notes": ivr.store.notes(sid)}
    ivr.remembered.keep(state["from"], record, settings.within_hours)
    return True
