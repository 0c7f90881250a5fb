"""Calling a customer back when their turn comes, and what happens on that call.

1. routing.dispatch() finds a callback at the head of the line and a free agent;
   the agent is reserved and `place()` calls the customer (REST), once per
   attempt whatever happens to the worker.
2. /callback/answer: the customer hears who is calling and why, and presses 1
   (asked as every question is, call/dialog.py; silence says goodbye):
       <Gather numDigits="1" action="/callback/accept?id=CB.."><Say>..</Say></Gather>
   An answering machine (AnsweredBy machine_*) is not a customer: we hang up
   and try again later.
3. /callback/accept: the customer waits in the conference call-CB.. while the
   reserved agent is rung with the usual whisper ("a callback requested 25
   minutes ago"); the agent's accept joins the same conference.
4. /callback/status: no answer, busy, failed or a machine: the agent is freed and
   the callback waits `spacing` seconds for its next try (inside the flow's
   callback hours), or is marked missed after the last one (with an SMS if the
   flow has one).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call.dialog import ESCAPE, KEY, ask, read, speak
from ivr_app.call.fallback import answer_on_error, noted_on_error, say_and_hang_up, xml
from ivr_app.call.queueing import dispatch_soon
from ivr_app.call.turn import Speech
from ivr_app.call.voice import _event
from ivr_app.callbacks import texts
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow
from ivr_app.line.context import context_for
from ivr_app.line.routing import FINISHED_CALL, ring
from ivr_app.platform.security import twilio_signed
from ivr_app.platform.telephony import public_url
from ivr_app.services import Services, services
from ivr_app.state.agents import Agent
from ivr_app.state.callbacks import AlreadyPending, Callback, UnknownCallback
from ivr_app.state.lifecycle import room_name

log = logging.getLogger(__name__)
bp = Blueprint("callback_calls", __name__, url_prefix="/callback")

DUE_JOB = "workers.callbacks.callback_due"
TALK_NOW = "1"
ANSWER_SECONDS = 8  # for the customer to press 1 after the intro, before we say goodbye


def _apology(ivr: Services, sid: str) -> Response:
    """The flow's "we will call you again": the record stays "dialing", and the reconciler
    retries the callback once Twilio says this call is over."""
    flow = ivr.registry.last_good(current_app.config["IVR_FLOW"])
    messages = flow.messages if flow is not None else builtins.MESSAGES
    return say_and_hang_up(ivr, {lang: words["callback_later"]
                                 for lang, words in messages.items()})


apology_on_error = answer_on_error(_apology, "the customer is told we will call again")
FINISHED = FINISHED_CALL
UNREACHED = tuple(status for status in FINISHED if status != "completed")


def place(ivr: Services, callback: Callback, agent: Agent) -> str | None:
    """Call the customer for the next attempt; None if this attempt was already placed."""
    attempt = callback.attempts + 1
    now = ivr.clock()
    if not ivr.callbacks.move(callback.id, ("waiting",), "dialing", now,
                              note=f"attempt {attempt}, agent {agent.id}",
                              attempts=attempt, agent=agent.id, call_sid=""):
        return None
    if not ivr.callbacks.claim_attempt(callback.id, attempt, now):
        return None  # this attempt's call exists already; the reconciler adopts it
    query = urlencode({"id": callback.id})
    try:
        call = ivr.twilio.calls.create(
            to=callback.number, from_=ivr.config["TWILIO_CALLER_ID"],
            url=public_url(ivr.config, f"/callback/answer?{query}"), method="POST",
            status_callback=public_url(ivr.config, f"/callback/status?{query}"),
            status_callback_method="POST", status_callback_event=["answered", "completed"],
            timeout=30, machine_detection="Enable")
    except TwilioRestException as exc:  # refused: no call exists, so this try never happened
        ivr.callbacks.forget_attempt(callback.id, attempt)
        ivr.callbacks.move(callback.id, ("dialing",), "waiting", ivr.clock(),
                           note=f"Twilio refused the call ({exc.status})",
                           attempts=attempt - 1, agent="")
        raise
    # Any other failure (a timeout) may or may not have placed the call: the record stays
    # "dialing" with no call sid, and the reconciler asks Twilio which it was.
    ivr.callbacks.set_fields(callback.id, call_sid=call.sid)
    ivr.callbacks.record_attempt_call(callback.id, attempt, call.sid)
    log.info("callback %s: attempt %d placed as %s", callback.id, attempt, call.sid)
    return call.sid


def request_callback(ivr: Services, sid: str, number: str, due: dt.datetime | None = None,
                     context: dict[str, Any] | None = None) -> Callback:
    """Turn a waiting caller into a callback that keeps their place; stored before it is
    confirmed to them. With `due`, it joins the line at that time instead of now; `context`
    adds to what the agent is told (a voice message). AlreadyPending if the number has a
    callback pending: `context` goes to that one, if it has nothing of the same name."""
    waiter = ivr.queues.waiter(sid)
    _, state = ivr.store.load(sid)
    if waiter is None or state is None:
        raise LookupError(f"call {sid} is not waiting in any queue")
    flow = ivr.registry.of_call(state)
    try:
        callback = ivr.callbacks.create(
            number=number, lang=state["lang"], queue=waiter.queue, reason=waiter.reason,
            flow=flow.name, place=waiter.place,
            context=(context_for(ivr, sid, waiter) or {}) | (context or {}),
            now=ivr.clock(), due_at=due, max_attempts=flow.callbacks.attempts,
            spacing_s=flow.callbacks.spacing)
    except AlreadyPending as pending:
        if context and not ivr.callbacks.attach(pending.callback.id, context):
            log.warning("call %s: callback %s has a message already; this one is not kept",
                        sid, pending.callback.id)
        raise
    try:
        ivr.queues.leave(sid)
        if due is None:
            bring_into_line(ivr, callback)
        else:
            schedule(ivr, callback.id, due, 0)
    except Exception:  # the record is stored, so the promise stands: the reconciler lines it up
        log.exception("callback %s stored but not yet lined up; the reconciler will", callback.id)
    texts.promise(ivr, callback)
    return callback


def bring_into_line(ivr: Services, callback: Callback) -> bool:
    """A callback whose time has come waits at its caller's old place; False if not due."""
    if not ivr.callbacks.move(callback.id, ("requested", "retry-wait"), "waiting", ivr.clock(),
                              agent=""):
        return False
    ivr.queues.join(callback.id, callback.queue, callback.lang, callback.reason, ivr.clock(),
                    place=callback.place)
    dispatch_soon(ivr, callback.queue)
    return True


def _callback() -> Callback:
    """The callback the request is about; UnknownCallback (answered, never a 4xx) if we do
    not keep it."""
    wanted = request.args.get("id", "")
    callback = services().callbacks.get(wanted)
    if callback is None:
        raise UnknownCallback(f"no such callback {wanted[:40]!r}")
    return callback


def _speech(ivr: Services, callback: Callback, key: str) -> tuple[Flow, Speech]:
    """The flow's words `key` in the callback's language, and the flow; a queue is named
    as the flow names it in that language (the customer hears no agent's reason)."""
    flow = ivr.registry.current(callback.flow)
    lang = callback.lang if callback.lang in flow.languages else flow.default_language
    return flow, Speech(lang, flow.messages[lang][key].format(
        queue=flow.queue_said(callback.queue, lang)))


def _goodbye(ivr: Services, callback: Callback) -> Response:
    flow, later = _speech(ivr, callback, "callback_later")
    response = VoiceResponse()
    speak(response, flow, [later])
    response.hangup()
    return xml(response)


@bp.post("/answer")
@twilio_signed
@apology_on_error
def answer() -> Response:
    """The customer picked up: who is calling back, and 1 to talk to a person now."""
    ivr = services()
    callback = _callback()
    if request.form.get("AnsweredBy", "").startswith("machine") or callback.state != "dialing":
        response = VoiceResponse()
        response.hangup()  # a voicemail is not the customer; /callback/status retries
        return xml(response)
    flow, intro = _speech(ivr, callback, "callback_intro")
    _, later = _speech(ivr, callback, "callback_later")
    return xml(ask(VoiceResponse(), f"/callback/accept?id={callback.id}", [intro], flow,
                   timeout=ANSWER_SECONDS, goodbye=[later]))


@bp.post("/accept")
@twilio_signed
@apology_on_error
def accept() -> Response:
    """The customer pressed 1 (or 0, or said an escape word: a person is what they asked
    for): hold in their conference while the agent is rung."""
    ivr = services()
    callback = _callback()
    flow, connecting = _speech(ivr, callback, "callback_connecting")
    if read(_event(), (TALK_NOW,), flow, connecting.lang).kind not in (KEY, ESCAPE):
        return _goodbye(ivr, callback)
    if ivr.callbacks.move(callback.id, ("dialing",), "connected", ivr.clock(),
                          note="customer on the line"):
        agent = ivr.roster.get(callback.agent)
        # busy: they clicked Accept in the console before the customer answered
        if agent is not None and agent.status in ("offered", "busy") and \
                agent.call == callback.id:
            ring(ivr, agent, callback.id)
        else:  # the reserved agent went away meanwhile: find another
            ivr.queues.offer_failed(callback.id, callback.agent)
            dispatch_soon(ivr, callback.queue)
    response = VoiceResponse()
    speak(response, flow, [connecting])
    dial = response.dial()
    dial.conference(room_name(callback.id), start_conference_on_enter=False,
                    end_conference_on_exit=True, beep=False,
                    wait_url=ivr.config["HOLD_MUSIC_URL"], wait_method="GET")
    return xml(response)


@bp.post("/status")
@twilio_signed
@noted_on_error
def status() -> tuple[str, int]:
    """How the call to the customer ended: done, or another try later, or missed."""
    ivr = services()
    callback = _callback()
    call_status = request.form.get("CallStatus", "")
    call_sid = request.form.get("CallSid", "")
    if not callback.call_sid and callback.state == "dialing":
        # Twilio reported before the worker recorded the call (or the worker died): this
        # signed report for this callback is about its current try.
        ivr.callbacks.set_fields(callback.id, call_sid=call_sid)
        ivr.callbacks.record_attempt_call(callback.id, callback.attempts, call_sid)
    elif call_sid != callback.call_sid:
        return "", 204  # a late report about an earlier attempt
    if callback.state == "connected" and call_status == "completed":
        ivr.callbacks.move(callback.id, ("connected",), "completed", ivr.clock())
        ivr.queues.leave(callback.id)
    elif callback.state == "dialing" and call_status in FINISHED:
        not_reached(ivr, callback, call_status)
    return "", 204


def not_reached(ivr: Services, callback: Callback, why: str) -> None:
    """The customer did not take the call: free the agent, then retry later or give up."""
    now = ivr.clock()
    if ivr.roster.follow(callback.agent, callback.id, "not-reached", now):
        dispatch_soon(ivr, callback.queue)
    ivr.queues.leave(callback.id)
    if callback.attempts >= callback.max_attempts:
        if ivr.callbacks.move(callback.id, ("dialing",), "missed", now,
                              note=f"{why} on try {callback.attempts}, the last"):
            send_missed_sms(ivr, callback)
        return
    due = next_try(ivr, callback, now)
    if ivr.callbacks.move(callback.id, ("dialing",), "retry-wait", now,
                          note=f"{why}; next try at {due.isoformat(timespec='minutes')}",
                          due_at=due.isoformat(timespec="seconds")):
        schedule(ivr, callback.id, due, callback.attempts)


def next_try(ivr: Services, callback: Callback, now: dt.datetime) -> dt.datetime:
    """`spacing` from now, moved to the next opening if the flow's callback hours are shut."""
    flow = ivr.registry.current(callback.flow)
    due = now + dt.timedelta(seconds=callback.spacing_s)
    hours = flow.hours.get(flow.callbacks.hours)
    return hours.next_open(due) if hours is not None else due


def schedule(ivr: Services, callback_id: str, due: dt.datetime, attempt: int) -> None:
    """RQ's scheduler brings the callback back in line at `due` (one job per attempt)."""
    ivr.jobs.enqueue_at(due, DUE_JOB, callback_id, job_id=f"callback-{callback_id}-{attempt}")


def send_missed_sms(ivr: Services, callback: Callback) -> None:
    flow = ivr.registry.current(callback.flow)
    text = flow.callbacks.sms.get(callback.lang)
    if not text:
        return
    try:
        ivr.twilio.messages.create(to=callback.number, from_=ivr.config["TWILIO_CALLER_ID"],
                                   body=text)
    except Exception:
        log.exception("callback %s: missed-callback SMS not sent", callback.id)

