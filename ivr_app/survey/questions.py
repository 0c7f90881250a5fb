"""The survey a caller hears when their agent hangs up (a flow's `survey:`).

With a survey, the caller's side of the conference is <Dial action="/voice/survey">
(line/agent_leg.py): when the agent hangs up, the conference ends and Twilio asks that
URL what comes next (Twilio also asks it when a call update moves the caller out of the
room, and plays nothing of the answer then: that request begins nothing). At most two
questions, each asked once, as every question is (call/dialog.py), in the caller's language:

    <Gather action="/voice/survey/resolved" input="dtmf" numDigits="1" timeout="5" ...>
      <Say>¿Resolvimos su consulta? Marque 1 para sí, 2 para no.</Say>
      <Say>Para hablar con una persona, marque cero.</Say>
    </Gather>
    <Redirect method="POST">/voice/survey/resolved?silence=1</Redirect>

then, if the flow has a `rating`, 1 to 5. Silence or another key skips the rest;
0 puts the caller back in line for a person; past the survey's `seconds` an answer
is no longer taken. Then the thanks and goodbye, or, after a "no" (with `callback`),
the callback offer dialog (callbacks/offer.py), from the caller's old place in line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import twiml
from ivr_app.call.dialog import ESCAPE, KEY, ask, read, say
from ivr_app.call.fallback import human_on_error, xml
from ivr_app.call.queueing import enter_queue
from ivr_app.call.turn import REASON_ASKED, Speech
from ivr_app.call.voice import _call_sid, _event
from ivr_app.callbacks.offer import offer_to
from ivr_app.flow.model import Flow, SurveySettings
from ivr_app.line.agent_leg import AFTER_AGENT
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services, services
from ivr_app.state.lifecycle import ENDED
from ivr_app.state.surveys import Surveys

bp = Blueprint("survey", __name__)

KEYS = {"resolved": ("1", "2"), "rating": tuple("12345")}
REASON_NOT_SOLVED = "not solved (survey)"  # the callback's reason, as the agent reads it


@dataclass
class Surveyed:
    """One request of the survey: the call, its flow and language, the answers so far."""

    ivr: Services
    sid: str
    state: dict[str, Any]
    flow: Flow
    survey: SurveySettings
    record: dict[str, str]

    @property
    def lang(self) -> str:
        return self.state["lang"]

    def late(self) -> bool:
        """Past the survey's seconds: the caller is not kept any longer."""
        started = float(self.record.get("started") or 0)
        return self.ivr.clock().timestamp() - started > self.survey.seconds


def _surveyed(ivr: Services, sid: str) -> Surveyed | None:
    """The call's survey; None if its flow has none (or its state is gone)."""
    _, state = ivr.store.load(sid)
    flow = ivr.registry.of_call(state) if state is not None else None
    if state is None or flow is None or flow.survey is None:
        return None
    return Surveyed(ivr, sid, state, flow, flow.survey, Surveys(ivr.redis).get(sid) or {})


@bp.post(AFTER_AGENT)
@twilio_signed
@human_on_error
def start() -> Response:
    """The conference ended: the first question (a retry hears where it stands); a caller
    who hung up themselves is not there to ask."""
    sid = _call_sid()
    ivr = services()
    caller = _surveyed(ivr, sid)
    if caller is None or request.form.get("CallStatus") in ENDED:
        return xml(twiml.hang_up())
    if ivr.queues.snapshot(sid).in_line:  # moved out of the room by a call update (an
        return xml(VoiceResponse())  # escalation): Twilio plays nothing of the answer
    if Surveys(ivr.redis).begin(sid, ivr.clock().timestamp(), "resolved"):
        caller.record = Surveys(ivr.redis).get(sid) or {}
    return xml(_where_it_stands(caller))


@bp.post(f"{AFTER_AGENT}/<step>")
@twilio_signed
@human_on_error
def answer(step: str) -> Response:
    """The caller's key (or silence) at one question."""
    sid = _call_sid()
    caller = _surveyed(services(), sid)
    if caller is None or step not in KEYS:
        raise LookupError(f"call {sid}: no survey question {step!r}")
    if caller.record.get("step") != step:  # a retry of an answer already taken
        return xml(_where_it_stands(caller))
    if caller.late():
        return xml(_end(caller))
    answer = read(_event(), KEYS[step], caller.flow, caller.lang)
    if answer.kind == ESCAPE:
        return xml(_to_person(caller))
    if answer.kind != KEY:  # silence or another key: the rest is skipped
        return xml(_end(caller))
    value = {"1": "yes", "2": "no"}[answer.key] if step == "resolved" else answer.key
    caller.record[step] = value
    Surveys(caller.ivr.redis).note(sid, **{step: value})
    if step == "resolved" and "rating" in caller.survey.questions():
        return xml(_go(caller, "rating"))
    return xml(_end(caller))


def _where_it_stands(caller: Surveyed) -> VoiceResponse:
    step = caller.record.get("step", "")
    return _question(caller, step) if step in KEYS else _thanks(caller)


def _go(caller: Surveyed, step: str) -> VoiceResponse:
    caller.record["step"] = step
    Surveys(caller.ivr.redis).note(caller.sid, step=step)
    return _question(caller, step)


def _question(caller: Surveyed, step: str) -> VoiceResponse:
    """One question, asked once; the first also says how to reach a person."""
    lang, messages = caller.lang, caller.flow.messages[caller.lang]
    said = [getattr(caller.survey, step)[lang]]
    if step == "resolved":
        said.append(messages["escape"])
    return ask(VoiceResponse(), f"{AFTER_AGENT}/{step}", [Speech(lang, s) for s in said],
               caller.flow, timeout=caller.flow.timeout)


def _end(caller: Surveyed) -> VoiceResponse:
    """Done: thanks and goodbye, or after a "no", the callback offer."""
    Surveys(caller.ivr.redis).note(caller.sid, step="done")
    waiter = caller.ivr.queues.waiter(caller.sid)
    if caller.record.get("resolved") != "no" or not caller.survey.callback or waiter is None:
        return _thanks(caller)
    caller.ivr.queues.join(caller.sid, waiter.queue, caller.lang, REASON_NOT_SOLVED,
                           caller.ivr.clock(), place=waiter.place, test=waiter.test)
    return offer_to(caller.ivr, caller.sid)


def _thanks(caller: Surveyed) -> VoiceResponse:
    response = VoiceResponse()
    say(response, caller.flow, caller.lang, caller.survey.thanks[caller.lang])
    response.hangup()
    return response


def _to_person(caller: Surveyed) -> VoiceResponse:
    """0: back in the line they came through, for a person."""
    Surveys(caller.ivr.redis).note(caller.sid, step="done")
    waiter = caller.ivr.queues.waiter(caller.sid)
    queue = waiter.queue if waiter is not None else caller.flow.human.queue
    enter_queue(caller.ivr, caller.sid, caller.state, queue, REASON_ASKED)
    response = VoiceResponse()
    say(response, caller.flow, caller.lang, caller.flow.messages[caller.lang]["to_human"])
    twiml.enqueue_human(response, queue, fallback=caller.flow.human.fallback_number)
    return response
