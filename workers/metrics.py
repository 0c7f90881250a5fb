"""The job that sums up a finished call for the console (state/call_log.py says the shape).

Enqueued by the status webhook when Twilio reports the end, so the caller's time is never
spent on it. Everything it reads outlives the call's end by hours: the call state, its
place in line, the agent's history and the callback dialog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ivr_app.call.turn import INPUT_KINDS, REASON_ASKED, REASON_SUPERVISOR
from ivr_app.callbacks.offer import DIALOG_KEY, STORING
from ivr_app.flow.nodes.language import REMEMBERED
from ivr_app.services import Services
from ivr_app.state.call_log import CallLog
from ivr_app.state.queues import Waiter
from ivr_app.state.surveys import Surveys
from ivr_app.state.trials import Trials
from workers import context

# what a replay needs of each answer the caller gave (call/replay.py)
INPUT_FIELDS = ("at", "node", "event", "input", "confidence", "heard", "refused")


def record_call(sid: str) -> dict[str, Any] | None:
    """Write the summary of a call that has ended; None if its state is gone."""
    return record_with(context.current(), sid)


def record_with(ivr: Services, sid: str) -> dict[str, Any] | None:
    _, state = ivr.store.load(sid)
    if state is None:
        return None
    waiter = ivr.queues.waiter(sid)
    agent, answered = _answered_at(ivr, sid, waiter)
    ended_at = ivr.store.status(sid).get("at")
    ended = _epoch(ended_at) if ended_at else ivr.clock().timestamp()
    callback = ivr.redis.hget(DIALOG_KEY.format(sid=sid), "callback") or ""
    summary = summarize(state, waiter, answered, ended,
                        waited=ivr.store.waited_for_agent(sid),
                        callback="" if callback == STORING else callback,
                        told=_first_estimate(ivr, sid, waiter),
                        trial=Trials(ivr.redis).get(sid) is not None, agent=agent,
                        survey=Surveys(ivr.redis).summary(sid))
    CallLog(ivr.redis).record(summary)
    return summary


def summarize(state: dict[str, Any], waiter: Waiter | None, answered: float | None,
              ended: float, callback: str, told: float | None, trial: bool, agent: str = "",
              survey: dict[str, Any] | None = None,
              waited: float | None = None) -> dict[str, Any]:
    """A finished call in the terms the console counts (pure: given what was read).

    The wait of an answered call is the one measured when its agent took it (`waited`),
    not the agent's "busy" less the waiter's entry: that entry may be a later one, after
    the agent (back in line from the survey, or escalated), and the agent's history keeps
    whole seconds only, so an answer within the second of the entry came out below zero."""
    outcome = state.get("outcome") or {}
    started = _epoch(state["started"])
    asked = outcome.get("type") == "human" and outcome.get("reason") in (REASON_ASKED,
                                                                           REASON_SUPERVISOR)
    if outcome.get("type") == "goodbye":
        kind = "self-service"
    elif not outcome:
        kind = "hung-up"
    elif answered is not None:
        kind = "person"
    else:
        kind = "callback" if callback else "in-line"
    return {
        "sid": state["sid"], "flow": state["flow"], "version": state["version"],
        "from": state.get("from", ""), "lang": state.get("lang", ""), "trial": trial,
        "test": bool(state.get("test")), "topic": state.get("vars", {}).get("topic", ""),
        "started": started, "ended": ended, "outcome": kind,
        "zero_out": outcome.get("node", "") if asked else "",
        "person_node": outcome.get("node", "") if outcome.get("type") == "human" else "",
        "reason": outcome.get("reason", ""), "queue": waiter.queue if waiter else "",
        "agent": agent if answered is not None else "",
        "to_person_s": answered - started if answered is not None else None,
        "waited_s": waited if answered is not None else (
            ended - waiter.entered if waiter else None),
        "told_s": told, "callback": callback, "survey": survey,
        "remembered_lang": state.get(REMEMBERED, ""), "greeted": state.get("greeted", ""),
        "inputs": [{k: e[k] for k in INPUT_FIELDS if k in e} for e in state.get("path", [])
                   if e.get("event") in INPUT_KINDS],
    }


def _answered_at(ivr: Services, sid: str, waiter: Waiter | None) -> tuple[str, float | None]:
    """Who took the call and when: the "busy" entry of their history for it. The agent is
    the one in the waiter's room, or, for a caller who went back in line after them (from
    the survey), the one the call's state names."""
    agent = (waiter.offered if waiter is not None and waiter.room else "") or \
        ivr.store.handled_by(sid)
    for entry in ivr.roster.history(agent) if agent else ():
        if entry["status"] == "busy" and entry["call"] == sid:
            return agent, _epoch(entry["at"])
    return "", None


def _first_estimate(ivr: Services, sid: str, waiter: Waiter | None) -> float | None:
    if waiter is None:
        return None
    finished = ivr.wait_stats.finished(waiter.queue, sid)
    told = finished["estimates"] if finished else ivr.wait_stats.given(sid)
    return told[0]["estimate_s"] if told else None


def _epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()
