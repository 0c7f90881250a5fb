"""The agent's screen: their status, the call ringing or taken with its whole story, their
queues, callbacks and voice messages; and what they can do about a call.

The page is a shell; /console/agent/live gives its content as JSON every second.
Actions are JSON posts carrying the CSRF token, and act only on the agent's own call.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template
from flask_login import current_user

from ivr_app.call.queueing import dispatch_soon
from ivr_app.callbacks.numbers import callable_number
from ivr_app.callbacks.placing import request_callback
from ivr_app.console import demo, live
from ivr_app.console.auth import guard
from ivr_app.console.text import script_text
from ivr_app.line import escalation
from ivr_app.line.agent_leg import take_call
from ivr_app.platform.json_body import json_body
from ivr_app.platform.telephony import public_url
from ivr_app.services import Services, services
from ivr_app.state.agents import Agent
from ivr_app.state.call_log import CallLog
from speech.recording import RecordingUnavailable, TwilioRecordings

log = logging.getLogger(__name__)
bp = Blueprint("agent", __name__, url_prefix="/console/agent")
guard(bp)

WRAP_UP_CODES = ("resolved", "follow-up", "escalated", "wrong-number", "other")
CHOOSABLE = ("available", "away", "wrap-up")  # busy and offered follow the calls
MESSAGE_SECONDS = 10  # time to fetch a voice message from Twilio for playback


@bp.get("")
def page() -> str:
    return render_template("console/agent.html", script_table=script_text(), codes=WRAP_UP_CODES)


@bp.get("/live")
def state() -> Response:
    """Everything the screen shows now."""
    ivr = services()
    agent = ivr.roster.get(current_user.user.agent)
    if agent is None:
        return jsonify({"agent": None, "agent_id": current_user.user.agent})
    data: dict[str, Any] = {"agent": live.agent_row(agent), "call": None}
    if agent.status in ("offered", "busy") and agent.call:
        data["call"] = live.call_view(ivr, agent.call)
    elif agent.status == "wrap-up":
        last = _last_call(ivr, agent)
        data["wrap_up_call"] = last
        data["wrap_up"] = CallLog(ivr.redis).wrap_up(last) if last else None
    data["queues"] = [live.queue_view(ivr, q) for q in agent.queues]
    data |= live.callbacks_view(ivr, set(agent.queues))
    return jsonify(data)


def _me(ivr: Services) -> Agent:
    agent = ivr.roster.get(current_user.user.agent)
    if agent is None:
        abort(404, "you are not in the roster")
    return agent


def _body() -> dict[str, str]:
    return {k: str(v) for k, v in json_body().items()}


def _my_call(ivr: Services, agent: Agent, body: dict[str, str]) -> str:
    """The call the action is about, which must be the agent's own."""
    sid = body.get("call", "")
    if not sid or sid not in (agent.call, _last_call(ivr, agent)):
        abort(409, "that call is not yours (any more)")
    return sid


def _last_call(ivr: Services, agent: Agent) -> str:
    return next((e["call"] for e in ivr.roster.history(agent.id)
                 if e["status"] == "busy" and e["call"]), "")


@bp.post("/status")
def set_status() -> Response:
    """Available, away, or wrap-up (with a code and a note for the last call)."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    status = body.get("status", "")
    if status not in CHOOSABLE:
        abort(400, f"status must be one of {', '.join(CHOOSABLE)}")
    if agent.status in ("offered", "busy"):
        abort(409, f"you are {agent.status}; the call sets your status")
    ivr.roster.set_status(agent.id, status, ivr.clock())
    if status == "wrap-up" and body.get("code"):
        _save_wrap_up(ivr, agent, _last_call(ivr, agent), body)
    elif status != "wrap-up":
        ivr.wait_stats.record_wrap_up_end(agent.id)  # if they were wrapping up a call
    if status == "available":
        for queue in agent.queues:
            dispatch_soon(ivr, queue)
    return jsonify(live.agent_row(ivr.roster.get(agent.id)))


@bp.post("/wrap-up")
def wrap_up() -> Response:
    """The wrap-up code and note of the agent's last call, kept with its history."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    _save_wrap_up(ivr, agent, _my_call(ivr, agent, body), body)
    return jsonify({"saved": True})


def _save_wrap_up(ivr: Services, agent: Agent, sid: str, body: dict[str, str]) -> None:
    code = body.get("code", "")
    if code not in WRAP_UP_CODES or not sid:
        abort(400, f"code must be one of {', '.join(WRAP_UP_CODES)}, for a call you took")
    note = body.get("note", "").strip()[:1000]
    CallLog(ivr.redis).save_wrap_up(sid, agent.id, code, note, ivr.clock())
    ivr.store.add_note(sid, f"{agent.id}: [{code}] {note}".rstrip())


@bp.post("/accept")
def accept() -> Response:
    """Take the call ringing for this agent; their phone's call joins the caller's room."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    sid = body.get("call", "")
    if agent.status != "offered" or agent.call != sid:
        abort(409, "no such call is ringing for you")
    if not take_call(ivr, sid, agent.id):
        abort(410, "the caller is no longer on the line")
    if agent.leg:  # already answered (hearing the whisper): move it; else answering does
        try:
            ivr.twilio.calls(agent.leg).update(
                url=public_url(ivr.config, f"/agent/bridge?caller={sid}"), method="POST")
        except Exception:
            log.info("agent %s's call %s not moved (not answered yet?)", agent.id, agent.leg)
    demo.pick_up(agent.address)
    return jsonify({"accepted": sid})


@bp.post("/hangup")
def hang_up() -> Response:
    """End the agent's own call from the screen: their phone's leg ends, and Twilio's report
    of it starts the wrap-up as if they had hung up the phone."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    if agent.status != "busy" or agent.call != body.get("call", "") or not agent.leg:
        abort(409, "no such call is in progress for you")
    try:
        ivr.twilio.calls(agent.leg).update(status="completed")
    except Exception as exc:
        log.warning("agent %s's call %s not ended: %s", agent.id, agent.leg, exc)
        abort(502, "the call could not be ended; hang up the phone")
    return jsonify({"hung_up": agent.call})


@bp.post("/escalate")
def escalate() -> Response:
    """Hand the call to a supervisor with a note; the whole context goes along."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    sid = _my_call(ivr, agent, body)
    try:
        queue, reason = escalation.escalate(ivr, sid, agent.id, body.get("note", ""))
    except (LookupError, ValueError, escalation.CannotMove) as exc:
        abort(409, str(exc))
    except escalation.RedirectFailed as exc:
        abort(502, str(exc))
    return jsonify({"queue": queue, "reason": reason})


@bp.post("/callback")
def schedule_callback() -> Response:
    """Promise the caller a call back at a time the agent chooses; it keeps their place."""
    body = _body()
    ivr = services()
    agent = _me(ivr)
    sid = _my_call(ivr, agent, body)
    _, state = ivr.store.load(sid)
    if state is None:
        abort(410, "the call is no longer on record")
    number = callable_number(body.get("number") or state.get("from", ""),
                             ivr.registry.of_call(state).callbacks)
    if number is None:
        abort(400, "that number cannot be called back")
    try:
        due = dt.datetime.fromisoformat(body.get("when", ""))
    except ValueError:
        abort(400, "when must be a date and time, e.g. 2026-11-25T16:30")
    due = due if due.tzinfo else due.astimezone()
    if due <= ivr.clock():
        abort(400, "choose a time in the future")
    callback = request_callback(ivr, sid, number, due, context={"scheduled_by": agent.id})
    return jsonify({"callback": callback.id, "due": callback.due_at})


@bp.get("/messages/<callback_id>")
def message(callback_id: str) -> Response:
    """A voice message's audio, fetched from Twilio with the account's credentials."""
    ivr = services()
    callback = ivr.callbacks.get(callback_id)
    voice = callback.context.get("voice_message") if callback else None
    if not voice or not (current_user.is_supervisor or callback.queue in _me(ivr).queues):
        abort(404)
    fetch = TwilioRecordings(ivr.config["TWILIO_ACCOUNT_SID"], ivr.config["TWILIO_AUTH_TOKEN"],
                             ivr.config["TWILIO_API_BASE"])
    try:
        # The URL was built from the recording's sid (callbacks/offer.py): fetch by that sid.
        wav = fetch(voice["url"].rsplit("/", 1)[-1], time.monotonic() + MESSAGE_SECONDS)
    except RecordingUnavailable as exc:
        abort(502, str(exc))
    return Response(wav, mimetype="audio/wav")
