"""What the live screens show, as plain data: queues, a call's story, callbacks, messages.

Pages render none of it on the server: scripts poll these as JSON and write every value
as text, so nothing a caller said or typed can become markup.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ivr_app.console.text import language, t
from ivr_app.flow.builtins import LANGUAGE_NAMES
from ivr_app.flow.model import Flow
from ivr_app.line import holding
from ivr_app.line.context import context_for, said_reason
from ivr_app.services import Services
from ivr_app.state.agents import Agent
from ivr_app.state.call_log import CallLog
from ivr_app.state.callbacks import Callback

SHOWN = 25  # callers shown at the head of each line; the rest are counted

LATE_AFTER = dt.timedelta(minutes=10)  # a callback not dialled this long after it was due
RECENT = dt.timedelta(days=7)  # missed callbacks and voice messages shown this long
OPEN_STATES = ("requested", "waiting", "retry-wait")


def agent_row(agent: Agent) -> dict[str, Any]:
    return {"id": agent.id, "name": agent.name, "status": agent.status, "since": agent.since,
            "call": agent.call, "queues": agent.queues, "languages": agent.languages,
            "supervisor": agent.supervisor}


def _live_flow(ivr: Services) -> Flow | None:
    return ivr.registry.last_good(ivr.config["IVR_FLOW"])


def queue_name(ivr: Services, queue: str) -> str:
    """A queue as the reader calls it: the live flow's display name in their language."""
    flow = _live_flow(ivr)
    return flow.queue_said(queue, language()) if flow else queue


def reason_shown(ivr: Services, reason: str) -> str:
    """A reason in the reader's language: the line's own ones translated, the flow's by
    the live flow's names for them."""
    return said_reason(reason, language(), _live_flow(ivr))


def queue_view(ivr: Services, queue: str) -> dict[str, Any]:
    """Who waits at the head of a queue, in order (number, topic, place, time waited,
    estimate told), and how many wait in all: a poll reads SHOWN callers however long the
    line is."""
    now = ivr.clock().timestamp()
    flow = _live_flow(ivr)
    waiting = []
    for position, sid in enumerate(ivr.queues.head(queue, SHOWN), start=1):
        waiter = ivr.queues.waiter(sid)
        if waiter is None:
            continue
        number, variables = _caller_of(ivr, sid)
        told = told_wait(ivr, sid)
        topic = variables.get("topic", "")
        words = flow.returning.topic_words(topic, language()) if (
            topic and flow and flow.returning) else None
        waiting.append({"sid": sid, "caller": number, "position": position,
                        "topic": topic or waiter.reason,
                        "topic_shown": words or reason_shown(ivr, waiter.reason),
                        "reason": waiter.reason, "language": waiter.lang,
                        "waited_s": round(now - waiter.entered),
                        "told": bool(told),
                        "estimate_s": told[-1]["estimate_s"] if told else None,
                        "estimate_said": told_said(told[-1]["estimate_s"]) if told else "",
                        "offered_to": waiter.offered, "callback": sid.startswith("CB")})
    return {"name": queue, "label": queue_name(ivr, queue), "waiting": waiting,
            "count": ivr.queues.length(queue)}


def told_said(estimate_s: float | None) -> str:
    """A wait told to a caller as they heard it ("less than a minute", not "0:00"), in the
    reader's language; no estimate is what they heard when nobody was signed in."""
    key, minutes = holding.wait_said(math.inf if estimate_s is None else estimate_s)
    return t("told_" + key, minutes=minutes)


def told_wait(ivr: Services, sid: str) -> list[dict[str, Any]]:
    """The estimates a caller in line was told, oldest first; a callback's are those of the
    call that asked for it."""
    if sid.startswith("CB"):
        callback = ivr.callbacks.get(sid)
        sid = callback.context.get("call_sid", "") if callback else ""
    return ivr.wait_stats.given(sid) if sid else []


def _caller_of(ivr: Services, sid: str) -> tuple[str, dict[str, str]]:
    if sid.startswith("CB"):
        callback = ivr.callbacks.get(sid)
        return ((callback.number, callback.context.get("variables", {}))
                if callback else ("", {}))
    _, state = ivr.store.load(sid)
    return (state.get("from", ""), state.get("vars", {})) if state else ("", {})


def call_view(ivr: Services, sid: str) -> dict[str, Any] | None:
    """A call's whole story for the agent: its context, the wait told and had, and what
    this number did before."""
    waiter = ivr.queues.waiter(sid)
    context = context_for(ivr, sid, waiter)
    if context is None:
        return None
    told = told_wait(ivr, sid)
    finished = ivr.wait_stats.finished(waiter.queue, sid) if waiter and not told else None
    estimates = told or (finished or {}).get("estimates", [])
    numbers = [e["estimate_s"] for e in estimates if e["estimate_s"] is not None]
    context["wait_told"] = bool(estimates)
    context["wait_told_s"] = numbers[0] if numbers else None
    context["wait_told_said"] = told_said(context["wait_told_s"]) if estimates else ""
    context["queue_name"] = queue_name(ivr, context.get("queue", ""))
    context["reason_shown"] = reason_shown(ivr, context.get("reason", ""))
    context["language_name"] = LANGUAGE_NAMES[language()].get(context.get("language", ""),
                                                              context.get("language", ""))
    if finished is not None:
        context["wait_had_s"] = round(finished["waited_s"])
    elif waiter is not None:
        context["wait_had_s"] = round(ivr.clock().timestamp() - waiter.entered)
    context["earlier"] = earlier_calls(ivr, context.get("caller", ""), sid)
    listed = {e["callback"] for e in context["earlier"]}  # shown with the call that asked
    context["callbacks"] = [callback_row(ivr, c) for c in
                            ivr.callbacks.pending_for(context.get("caller", ""))
                            if c.id not in listed]
    return context


def earlier_calls(ivr: Services, number: str, sid: str) -> list[dict[str, Any]]:
    """This number's earlier finished calls: when, how they ended, the agent's wrap-up, the
    callback one asked for and the texts that promised it."""
    log = CallLog(ivr.redis)
    rows = []
    for summary in log.of_number(number):
        if summary["sid"] == sid:
            continue
        callback = ivr.callbacks.get(summary["callback"]) if summary["callback"] else None
        rows.append({"sid": summary["sid"], "started": _iso(summary["started"]),
                     "outcome": summary["outcome"], "reason": summary["reason"],
                     "reason_shown": reason_shown(ivr, summary["reason"]),
                     "agent": summary["agent"], "wrap_up": log.wrap_up(summary["sid"]),
                     "callback": callback.id if callback else "",
                     "callback_state": callback.state if callback else "",
                     "texts": _texts(ivr, callback.id) if callback else []})
    return rows


def callback_row(ivr: Services, callback: Callback) -> dict[str, Any]:
    due = _due(callback)
    late = callback.state in OPEN_STATES and ivr.clock() - due > LATE_AFTER
    message = callback.context.get("voice_message")
    return {"id": callback.id, "number": callback.number, "queue": callback.queue,
            "queue_name": queue_name(ivr, callback.queue),
            "reason": callback.reason, "reason_shown": reason_shown(ivr, callback.reason),
            "state": callback.state, "late": late,
            "due": due.isoformat(timespec="minutes"), "attempts": callback.attempts,
            "max_attempts": callback.max_attempts, "agent": callback.agent,
            "requested": callback.requested_at,
            "message_s": message.get("seconds") if message else None,
            "has_message": bool(message),
            "texts": _texts(ivr, callback.id)}


def _texts(ivr: Services, callback_id: str) -> list[dict[str, str]]:
    """The texts a callback's customer was sent, oldest first: when, and what they read."""
    return [{"at": t["at"], "body": t["body"]} for t in ivr.texts.of(callback_id)]


def _due(callback: Callback) -> dt.datetime:
    return dt.datetime.fromisoformat(callback.due_at or callback.requested_at)


def callbacks_view(ivr: Services, queues: set[str] | None = None) -> dict[str, list]:
    """Open callbacks (the late ones flagged), and those missed lately; in `queues` only if
    given."""
    now = ivr.clock()
    recent = ivr.callbacks.requested_between((now - RECENT).timestamp(),
                                             now.timestamp() + 1)
    active = {c.id: c for c in ivr.callbacks.active()}
    rows = [callback_row(ivr, c) for c in sorted({**{c.id: c for c in recent},
                                                  **active}.values(), key=_due)
            if queues is None or c.queue in queues]
    return {"due": [r for r in rows if r["state"] in OPEN_STATES],
            "missed": [r for r in rows if r["state"] == "missed"],
            "messages": [r for r in rows if r["has_message"]]}


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="minutes")
