"""What we remember of a caller, by their number: the language they chose, so that their
next call starts in it (flow/nodes/language.py), and, at the end of a call, the call
itself, so that a second call soon after can go on from where this one was
(line/remembered.py asks them).

Remembered are calls that reached our line for a person (answered, called back, or
still waiting when they hung up) and calls that reported an open issue (a topic the
flow lists under `returning.open_issues`, such as an outage), for the flow's
`returning.within_hours`. Flows without a `returning:` section remember nothing. Test
calls (TEST_CALLERS, `simulate`) and calls from a number that is not one person's (withheld,
or invalid as Twilio gives a withheld one: strangers share it) are never remembered, and
find nothing remembered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import phonenumbers

from ivr_app.flow.model import Flow
from ivr_app.flow.nodes.language import REMEMBERED
from ivr_app.services import Services
from ivr_app.state.remembered import Known


def recall(ivr: Services, flow: Flow, state: dict[str, Any]) -> Known:
    """A call coming in: what its number left (one round trip), and the language it chose
    before taken, if the flow speaks it. A number that is not one person's left nothing."""
    if not _one_callers(state):
        return Known()
    known = ivr.remembered.about(state["from"])
    if known.language in flow.languages:
        state[REMEMBERED] = known.language
    return known


def remember_call(ivr: Services, sid: str, now: dt.datetime) -> bool:
    """Keep the language the caller chose, and what an agent would need about this call,
    under its caller's number; whether the call itself was kept."""
    _, state = ivr.store.load(sid)
    if state is None or not _one_callers(state):
        return False  # a test call is no earlier call of a customer; a withheld number, no one's
    if state["vars"].get("language"):
        ivr.remembered.keep_language(state["from"], state["vars"]["language"])
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


def _one_callers(state: dict[str, Any]) -> bool:
    """Whether the call's caller ID is one person's number, not a test call's: a withheld
    number comes as "anonymous", or as an invalid one ("+266696687"), shared by strangers."""
    if state.get("test"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(state.get("from", "")))
    except phonenumbers.NumberParseException:
        return False
