"""The caller's side of waiting for a person: never silent, never a trap.

The TwiML, in order of a call:

    <Enqueue waitUrl="/voice/wait?queue=Q" action="/voice/queue-exit?queue=Q">Q</Enqueue>

/voice/wait (Twilio fetches it on entering, and again each time it ends):

    <Say>You are number 3 in line. Estimated wait: 4 minutes.</Say>   (on entering,
    <Say>To hear your place again, press zero. ...</Say>               then every minute)
    <Gather numDigits="1" action="/voice/wait-key"><Play>music</Play></Gather>

The keys are asked and read as every question's are (call/dialog.py), except that 0 is
not a way out here: the caller already waits for a person, and 0 repeats the position
and estimate. The supervisor key (9 unless the flow says otherwise) leaves this queue
(<Leave/>) for the supervisors' one, with the reason "asked for a supervisor". While the
wait is above the flow's callback threshold, or nobody can answer (see slots.py), the
announcement offers a callback: key 1 leaves the queue too, and /voice/queue-exit
redirects into the callback dialog (callbacks/offer.py), which puts the caller back at
their place if they change their mind. When an agent accepts, the call is redirected
(REST) into their conference. /voice/queue-exit hears how the caller left: hung up
(recorded as abandoned), moved to another queue, off to the callback dialog, or a queue
that failed (tried again, or the fallback number).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import twiml
from ivr_app.call.dialog import KEY, ask, read, say
from ivr_app.call.fallback import answer_on_error, human_on_error, line_up, xml
from ivr_app.call.queueing import enter_queue
from ivr_app.call.turn import REASON_SUPERVISOR, Speech
from ivr_app.call.voice import _call_sid, _event
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow
from ivr_app.line import slots
from ivr_app.line.agent_leg import bridge_twiml, surveyed
from ivr_app.line.wait import PLAYED, Handling, Staff, estimate_wait
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services, services
from ivr_app.state.queues import Waiter

bp = Blueprint("holding", __name__, url_prefix="/voice")

CALLBACK_KEY = "1"
REPEAT_KEY = "0"  # the place in line and the wait, said again
LEAVING_FOR_CALLBACK = "(callback)"  # in place of a queue name, which starts with a letter
CALLBACK_URL = "/voice/callback/start"
WAIT_KEY_URL = "/voice/wait-key"
QUEUE_FAILED = ("queue-full", "system-error")  # Twilio's queue would not hold the caller
UNAVAILABLE = "unavailable"  # CALLBACK_URL's flag: no wait to offer, as if nobody were in


def estimate(ivr: Services, waiter: Waiter, position: int) -> float:
    """Seconds the caller is likely to wait, from the agents signed in to their queue now."""
    now = ivr.clock()
    staff = [Staff(agent.status, _since(agent.since, now)) for agent in ivr.roster.all()
             if agent.serves(waiter.queue) and agent.status != "away"]
    ahead = ivr.queues.head(waiter.queue, min(position, PLAYED) - 1)
    return estimate_wait(position, staff, Handling(*ivr.wait_stats.handling(waiter.queue)),
                         ivr.wait_stats.hang_up_rate(waiter.queue),
                         callbacks_ahead=sum(sid.startswith("CB") for sid in ahead))


def announcement(ivr: Services, flow: Flow, lang: str, waiter: Waiter) -> list[str]:
    """Position and estimated wait, in the caller's language; the estimate is recorded."""
    position = ivr.queues.position(waiter.queue, waiter.sid)
    if position is None:
        return []
    seconds = estimate(ivr, waiter, position)
    ivr.wait_stats.record_estimate(waiter.sid, waiter.queue, position, seconds, waiter.test)
    ivr.queues.mark_announced(waiter.sid, ivr.clock())
    words = flow.messages[lang]
    now = ivr.clock()
    said = [words["queue_position"].format(position=position)]
    offer = slots.offer(flow, waiter.queue, seconds, now,
                                 waited=now.timestamp() - waiter.entered)
    if offer == slots.CLOSED:
        opening = slots.next_opening(flow, now)
        said.append(words["callback_closed"].format(
            slot=slots.said(flow, lang, opening, now)))
    else:
        said.append(wait_sentence(words, seconds))
    if offer is not None:
        said.append(words["callback_offer" if offer == slots.TURN
                          else "callback_offer_later"])
    said.append(words["queue_repeat"])
    if flow.human.supervisor_queue and waiter.queue != flow.human.supervisor_queue:
        key = builtins.key_word(flow.human.supervisor_key, lang)
        said.append(words["queue_supervisor"].format(key=key))
    return said


def wait_sentence(words: dict[str, str], seconds: float) -> str:
    """The estimated wait as said to the caller, in whole minutes or "nobody is signed in"."""
    key, minutes = wait_said(seconds)
    return words[key].format(minutes=minutes)


def wait_said(seconds: float) -> tuple[str, int]:
    """How an estimate is put to the caller: the message saying it and its whole minutes;
    the console shows a told wait the same way, so the agent reads what the caller heard."""
    if not math.isfinite(seconds):
        return "wait_unknown", 0
    if seconds < 60:
        return "wait_under_minute", 0
    if seconds < 90:
        return "wait_one_minute", 1
    return "wait_minutes", round(seconds / 60)


def _hold(ivr: Services, sid: str, force_announcement: bool) -> Response:
    response = VoiceResponse()
    waiter = ivr.queues.waiter(sid) or _learn_of(ivr, sid)
    _, state = ivr.store.load(sid)
    if waiter is not None and state is not None:
        flow = ivr.registry.of_call(state)
        lang = state["lang"]
        due = ivr.clock().timestamp() - waiter.announced >= ivr.config["WAIT_ANNOUNCE_SECONDS"]
        if force_announcement or due:
            say(response, flow, lang, *announcement(ivr, flow, lang, waiter))
    return xml(_with_music(response, ivr.config["HOLD_MUSIC_URL"]))


def _with_music(response: VoiceResponse, music: str) -> VoiceResponse:
    """Music that a key interrupts; when it ends, Twilio fetches the wait URL again."""
    return ask(response, WAIT_KEY_URL, [Speech("", play=music)], None, hold=True)


def _learn_of(ivr: Services, sid: str) -> Waiter | None:
    """A caller in Twilio's queue that our line does not know (our fallback sent them, or
    lining them up failed): they join it now, at the time they really arrived."""
    arrived = ivr.clock() - dt.timedelta(seconds=_number(request.form.get("QueueTime")))
    flow = ivr.registry.last_good(current_app.config["IVR_FLOW"])
    line_up(ivr, sid, request.form, flow, arrived, queue=request.args.get("queue", ""))
    return ivr.queues.waiter(sid)


def _number(text: str | None) -> float:
    try:
        return max(0.0, min(float(text or 0), 86400.0))
    except ValueError:
        return 0.0


def _music_only(ivr: Services, sid: str) -> Response:
    """What the wait URL answers when our own part fails: music; Twilio keeps the caller's
    place and asks again when it ends (the wait URL may not answer <Enqueue> or <Dial>)."""
    return xml(_with_music(VoiceResponse(), current_app.config["HOLD_MUSIC_URL"]))


music_on_error = answer_on_error(_music_only, "the caller keeps holding, with music")


@bp.post("/wait")
@twilio_signed
@music_on_error
def wait() -> Response:
    """Twilio's waitUrl: announce position and wait when due, then music that keys interrupt."""
    return _hold(services(), _call_sid(), force_announcement=False)


@bp.post("/wait-key")
@twilio_signed
@music_on_error
def wait_key() -> Response:
    """A key pressed while waiting: 0 repeats the estimate, the supervisor key moves queues,
    1 leaves for the callback dialog."""
    sid = _call_sid()
    ivr = services()
    waiter = ivr.queues.waiter(sid)
    _, state = ivr.store.load(sid)
    flow = ivr.registry.of_call(state) if waiter is not None and state is not None else None
    keys = (REPEAT_KEY, CALLBACK_KEY, *([flow.human.supervisor_key] if flow else []))
    # Already waiting for a person: 0 is not a way out here, but "my place again".
    answer = read(_event(), keys, None, state["lang"] if state else "", escape=False)
    if flow is not None and waiter is not None and answer.kind == KEY:
        supervisors = flow.human.supervisor_queue
        if answer.key == flow.human.supervisor_key and supervisors \
                and waiter.queue != supervisors:
            return _leave(ivr, sid, supervisors)
        if answer.key == CALLBACK_KEY:
            return _leave(ivr, sid, LEAVING_FOR_CALLBACK)
    return _hold(ivr, sid, force_announcement=answer.key == REPEAT_KEY)


def _leave(ivr: Services, sid: str, leaving_for: str) -> Response:
    ivr.queues.mark_leaving(sid, leaving_for)
    response = VoiceResponse()
    response.leave()
    return xml(response)


@bp.post("/queue-exit")
@twilio_signed
@human_on_error
def queue_exit() -> Response:
    """The caller left the queue: answered, hung up, moved, off to a callback, or it failed."""
    sid = _call_sid()
    ivr = services()
    result = request.form.get("QueueResult", "")
    waiter = ivr.queues.waiter(sid)
    queue = request.args.get("queue") or current_app.config["FALLBACK_QUEUE"]
    if waiter is not None and waiter.room:
        body = str(bridge_twiml(sid, survey=surveyed(ivr, sid))) if result == "redirected" \
            else twiml.after_queue(result, queue, "")
    elif waiter is not None and waiter.leaving_for == LEAVING_FOR_CALLBACK and result == "leave":
        response = VoiceResponse()
        response.redirect(CALLBACK_URL, method="POST")
        body = str(response)
    elif waiter is not None and waiter.leaving_for and result == "leave":
        _, state = ivr.store.load(sid)  # entering the new line leaves the old one at once
        enter_queue(ivr, sid, state, waiter.leaving_for, REASON_SUPERVISOR)
        body = _moved_to(ivr, state, waiter.leaving_for)
    elif result in QUEUE_FAILED and not request.args.get("fallback"):
        body = _queue_failed(ivr, sid, waiter, queue)
    else:
        if result == "hangup" and waiter is not None:
            ivr.queues.leave(sid)
            ivr.wait_stats.record_abandoned(sid)
        body = twiml.after_queue(result, queue, request.args.get("fallback", ""))
    return xml(body)


def _queue_failed(ivr: Services, sid: str, waiter: Waiter | None, queue: str) -> str:
    """Twilio's queue would not hold the caller and there is no number to dial: an apology,
    then a callback or a voice message (our line keeps their place meanwhile). A caller our
    line does not know hears the apology and is queued again after a pause."""
    _, state = ivr.store.load(sid)
    response = VoiceResponse()
    if state is not None and waiter is not None and ivr.queues.position(waiter.queue, sid):
        flow = ivr.registry.of_call(state)
        say(response, flow, state["lang"], flow.messages[state["lang"]]["queue_unavailable"])
        response.redirect(f"{CALLBACK_URL}?{urlencode({UNAVAILABLE: 1})}", method="POST")
        return str(response)
    flow = ivr.registry.last_good(current_app.config["IVR_FLOW"])
    if flow is not None:
        lang = flow.default_language
        say(response, flow, lang, flow.messages[lang]["queue_unavailable"])
    response.pause(length=5)
    twiml.enqueue_human(response, queue)
    return str(response)


@bp.post("/requeue")
@twilio_signed
@human_on_error
def requeue() -> Response:
    """A live call moved by an agent (escalation): say so, then wait in the new queue."""
    sid = _call_sid()
    ivr = services()
    _, state = ivr.store.load(sid)
    return xml(_moved_to(ivr, state, request.args.get("queue", "")))


def _moved_to(ivr: Services, state: dict[str, Any], queue: str) -> str:
    """The caller hears they go to a supervisor, then waits in that queue."""
    flow = ivr.registry.of_call(state)
    response = VoiceResponse()
    say(response, flow, state["lang"], flow.messages[state["lang"]]["to_supervisor"])
    twiml.enqueue_human(response, queue or flow.human.queue, fallback=flow.human.fallback_number)
    return str(response)


def _since(iso: str, now: dt.datetime) -> float:
    return (now - dt.datetime.fromisoformat(iso)).total_seconds() if iso else 0.0
