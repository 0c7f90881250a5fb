"""Twilio webhooks of the agent's leg: the whisper, the accept, the agent call's status.

The warm transfer, step by step (TwiML in docs of each view):
1. routing.ring() calls the agent; when they answer, Twilio fetches /agent/whisper:
   the call's context is read to them and they press 1 to accept.
2. /agent/accept claims the caller (only one agent can), marks the agent busy,
   puts the agent in a conference named after the caller's call, and redirects
   the caller's call (REST) to /agent/bridge, which joins the same conference.
3. /agent/status hears how the agent's call went: not answered or not accepted
   sets the agent away and tries the next one; a finished call starts wrap-up.
4. Either side hangs up: both joined the room with endConferenceOnExit, so Twilio ends it
   and the other side's call with it, unless the caller's <Dial> has an action: with a
   flow's `survey:` (AFTER_AGENT), Twilio then asks it what the caller hears next
   (survey/questions.py). The caller's call ends (call.voice /voice/status calls
   `let_go`): the agent ringing for them stops ringing and is free; the agent's leg is
   ended too if still up (a phone ringing after an Accept on the screen is in no room),
   and wrap-up follows.
Every move of the agent is one of state/lifecycle.py's, made only while the call is theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call.dialog import KEY, ask, read
from ivr_app.call.fallback import (
    answer_on_error,
    is_call_sid,
    noted_on_error,
    say_and_hang_up,
    xml,
)
from ivr_app.call.queueing import dispatch_soon
from ivr_app.call.turn import Speech
from ivr_app.call.voice import _event
from ivr_app.flow.errors import FlowError
from ivr_app.flow.model import Flow
from ivr_app.line.context import context_for, whisper_text
from ivr_app.platform.security import twilio_signed
from ivr_app.platform.telephony import public_url
from ivr_app.services import Services, services
from ivr_app.state.agents import is_agent_id
from ivr_app.state.callbacks import is_callback_id
from ivr_app.state.lifecycle import ENDED, room_name

log = logging.getLogger(__name__)
bp = Blueprint("agent_calls", __name__)

END_WRAP_UP_JOB = "workers.routing.end_wrap_up"
AFTER_AGENT = "/voice/survey"  # the caller's <Dial> action: the conference ended
ACCEPT = "1"
WHISPER_SECONDS = 10  # for the agent to press 1 after the whisper
NOT_ACCEPTED = {"es": "Llamada no aceptada.", "en": "Call not accepted."}
CALLER_GONE = {"es": "La persona ya no está en la línea.",
               "en": "The caller is no longer on the line."}
OUTAGE = {"es": "No podemos leer los datos de esta llamada ahora. La persona sigue en la fila "
                "y se le ofrecerá de nuevo en unos minutos.",
          "en": "We cannot read this call's details right now. The caller stays in line and "
                "will be offered again in a few minutes."}
agent_told_on_error = answer_on_error(lambda ivr, sid: say_and_hang_up(ivr, OUTAGE),
                                      "the agent is told; the caller keeps holding")



def _offer() -> tuple[str, str]:
    """The caller and the agent this leg is about ("" and "" if the URL names neither)."""
    caller, agent = request.args.get("caller", ""), request.args.get("agent", "")
    if not (is_call_sid(caller) or is_callback_id(caller)) or not is_agent_id(agent):
        return "", ""
    return caller, agent


def _agent_language(ivr: Services, agent_id: str) -> str:
    agent = ivr.roster.get(agent_id)
    return agent.languages[0] if agent and agent.languages else "en"


def _goodbye(words: dict[str, str], lang: str) -> Response:
    response = VoiceResponse()
    response.say(words.get(lang, words["en"]), language=lang)
    response.hangup()
    return xml(response)


@bp.post("/agent/whisper")
@twilio_signed
@agent_told_on_error
def whisper() -> Response:
    """<Gather numDigits=1 action=/agent/accept><Say>context</Say></Gather>, then hang up
    (asked as every question is: call/dialog.py)."""
    caller, agent_id = _offer()
    if not caller:
        return _goodbye(CALLER_GONE, "en")
    ivr = services()
    lang = _agent_language(ivr, agent_id)
    waiter = ivr.queues.waiter(caller)
    if waiter is not None and waiter.room and waiter.offered == agent_id:
        return xml(bridge_twiml(caller))  # they accepted in the console before picking up
    context = context_for(ivr, caller, waiter)
    if context is None or waiter is None or ivr.queues.position(waiter.queue, caller) is None:
        return _goodbye(CALLER_GONE, lang)
    query = urlencode({"caller": caller, "agent": agent_id})
    said = Speech(lang, whisper_text(context, lang, _flow_of(ivr, context)))
    # In a bare language, not a flow's voice: the agent hears the line, not a caller's flow.
    return xml(ask(VoiceResponse(), f"/agent/accept?{query}", [said], None,
                   timeout=WHISPER_SECONDS,
                   goodbye=[Speech(lang, NOT_ACCEPTED.get(lang, NOT_ACCEPTED["en"]))]))


def _flow_of(ivr: Services, context: dict[str, Any]) -> Flow | None:
    """The flow version the call ran on (its queues' display names), else the current one."""
    ran_on = context.get("flow") or {}
    try:
        return ivr.registry.version(ran_on.get("name", ""), ran_on.get("version", ""))
    except (LookupError, FlowError):
        return ivr.registry.last_good(current_app.config["IVR_FLOW"])


@bp.post("/agent/accept")
@twilio_signed
@agent_told_on_error
def accept() -> Response:
    """1 and the caller still waiting: <Dial><Conference>call-CA..</Conference></Dial>."""
    caller, agent_id = _offer()
    if not caller:
        return _goodbye(NOT_ACCEPTED, "en")
    ivr = services()
    lang = _agent_language(ivr, agent_id)
    waiter = ivr.queues.waiter(caller)
    # The agent is not a caller: 0 is no way out to a person, only "not accepted".
    accepted = read(_event(), (ACCEPT,), None, lang, escape=False).kind == KEY
    if not accepted or waiter is None or waiter.offered != agent_id:
        return _goodbye(NOT_ACCEPTED, lang)  # /agent/status then sees no accept
    if not take_call(ivr, caller, agent_id):
        return _goodbye(CALLER_GONE, lang)
    return xml(bridge_twiml(caller))


def take_call(ivr: Services, caller: str, agent_id: str) -> bool:
    """The agent offered this caller takes them: out of line, and the caller's call moved
    (REST) into the conference the agent joins; False if the caller is gone."""
    waiter = ivr.queues.claim(caller, room_name(caller))
    if waiter is None:
        return False
    try:
        if not caller.startswith("CB"):  # a called-back customer is in the conference already
            ivr.twilio.calls(caller).update(
                url=public_url(ivr.config, f"/agent/bridge?caller={caller}"), method="POST")
    except Exception:  # most often: the caller hung up just now
        log.exception("could not bring caller %s to agent %s", caller, agent_id)
        ivr.roster.follow(agent_id, caller, "caller-gone", ivr.clock())
        dispatch_soon(ivr, waiter.queue)
        return False
    if not ivr.roster.follow(agent_id, caller, "accepted", ivr.clock()):
        log.warning("agent %s took call %s but had moved on meanwhile", agent_id, caller)
    ivr.store.set_handled_by(caller, agent_id, ivr.clock().timestamp() - waiter.entered)
    ivr.wait_stats.record_answered(caller)
    return True


@bp.post("/agent/bridge")
@twilio_signed
def bridge() -> Response:
    """The caller's side of the warm transfer: the conference their agent is in."""
    caller = request.args.get("caller", "")
    return xml(bridge_twiml(caller, survey=surveyed(services(), caller)))


def bridge_twiml(caller: str, survey: bool = False) -> VoiceResponse:
    """Both sides join one conference per caller; either hanging up ends it. With `survey`
    (the caller's side, of a flow with one), the caller goes on to it when it ends."""
    response = VoiceResponse()
    dial = response.dial(action=AFTER_AGENT, method="POST") if survey else response.dial()
    dial.conference(room_name(caller), start_conference_on_enter=True,
                    end_conference_on_exit=True, beep=False)
    return response


@bp.post("/agent/status")
@twilio_signed
@noted_on_error
def agent_call_status() -> tuple[str, int]:
    """How the agent's call went; not taken: agent away, next agent; finished: wrap-up."""
    caller, agent_id = _offer()
    status = request.form.get("CallStatus", "")
    ivr = services()
    agent = ivr.roster.get(agent_id) if caller else None
    if agent is None or agent.call != caller or status not in ENDED:
        return "", 204
    now = ivr.clock()
    waiter = ivr.queues.waiter(caller)
    if ivr.roster.follow(agent_id, caller, "leg-ended", now):
        talked = (now - dt.datetime.fromisoformat(agent.since)).total_seconds()
        if waiter is not None and not waiter.test:  # a test call is no measure of the queue
            ivr.wait_stats.record_talk(waiter.queue, agent_id, talked)
        wrap_up = dt.timedelta(seconds=ivr.config["WRAP_UP_SECONDS"])
        ivr.jobs.enqueue_in(wrap_up, END_WRAP_UP_JOB, agent_id)
        if waiter is not None and waiter.room == room_name(caller):  # not moved on since
            _end_the_room(ivr, caller)
    elif ivr.roster.follow(agent_id, caller, "not-taken", now):
        log.info("agent %s did not take call %s (%s); trying the next agent", agent_id,
                 caller, status)
        ivr.queues.offer_failed(caller, agent_id)
        if waiter is not None:
            dispatch_soon(ivr, waiter.queue)
    return "", 204


def surveyed(ivr: Services, caller: str) -> bool:
    """Whether the caller stays on for their flow's survey when the agent hangs up (a
    called-back customer does not: the line called them)."""
    if caller.startswith("CB"):
        return False
    _, state = ivr.store.load(caller)
    try:
        return state is not None and ivr.registry.of_call(state).survey is not None
    except (LookupError, FlowError):
        return False


def _end_the_room(ivr: Services, caller: str) -> None:
    """The agent's call ended: the caller's side ends too. Twilio's room has done it if the
    agent was in it (endConferenceOnExit), and an ended call is left alone; an agent who
    accepted on the screen but whose phone never joined leaves the caller alone in it. A
    caller with a survey stays, for the <Dial>'s action."""
    if surveyed(ivr, caller):
        return
    if not caller.startswith("CB"):
        hang_up_leg(ivr, caller)
        return
    callback = ivr.callbacks.get(caller)
    if callback is not None and callback.call_sid:
        hang_up_leg(ivr, callback.call_sid)


def let_go(ivr: Services, caller: str) -> None:
    """The caller's call is over: whoever is ringing for it stops ringing and is free again
    (with the next caller offered), whoever talks to them is hung up (their leg's status
    then starts wrap-up); after an escalation, both. Registered as an ender of call.voice."""
    for agent in ivr.roster.all():
        if agent.call != caller:
            continue
        if ivr.roster.follow(agent.id, caller, "caller-gone", ivr.clock()):
            for queue in agent.queues:
                dispatch_soon(ivr, queue)
        elif agent.status != "busy":
            continue
        if agent.leg:
            hang_up_leg(ivr, agent.leg)


def hang_up_leg(ivr: Services, leg: str) -> None:
    """End a call we placed, ringing (canceled) or answered (completed), as Twilio's call
    update does; one already over is left alone."""
    try:
        placed = ivr.twilio.calls(leg)
        status = placed.fetch().status
        if status not in ENDED:
            placed.update(status="canceled" if status in ("queued", "ringing") else "completed")
    except Exception:  # it ended on its own meanwhile: nothing is left ringing either way
        log.warning("could not hang up call %s", leg, exc_info=True)
