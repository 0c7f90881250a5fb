"""A customer with a callback pending calls in: keep it, cancel it, or a person now.

They are recognised by caller ID before the flow starts (voice.incoming):

    <Gather action="/voice/pending-callback?tries=0" finishOnKey="#" input="dtmf"
            numDigits="1" timeout="5">
      <Say>Tiene una devolución de llamada programada para hoy a las 10:00.</Say>
      <Say>Para conservarla, marque uno. Para cancelarla, marque dos. Para hablar con una
           persona ahora, marque cero.</Say>
    </Gather>
    <Redirect method="POST">/voice/pending-callback?tries=0&amp;silence=1</Redirect>

1 keeps it and says goodbye; 2 cancels every callback of the number that is not
being dialled, and the flow starts; 0 (or an escape word, read as at every question:
call/dialog.py) goes to the flow's human target, the callback kept. Silence or another
key asks again up to the flow's retries; then the flow starts, the callback kept.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import engine
from ivr_app.call.dialog import AGAIN, ESCAPE, GAVE_UP, ask, read, say
from ivr_app.call.fallback import human_on_error, xml
from ivr_app.call.turn import Speech
from ivr_app.call.voice import Arrival, _event, arriving, first_answer
from ivr_app.callbacks.numbers import callable_number
from ivr_app.flow.model import Flow
from ivr_app.line import slots
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services
from ivr_app.state.callbacks import Callback
from ivr_app.state.lifecycle import CALLBACK_PENDING as PENDING

bp = Blueprint("callback_return", __name__, url_prefix="/voice")

URL = "/voice/pending-callback"
KEEP, CANCEL = "1", "2"


def pending(ivr: Services, flow: Flow, caller: str) -> list[Callback]:
    """Callbacks of this caller ID not being dialled now, oldest first."""
    number = callable_number(caller, flow.callbacks)
    if number is None:
        return []
    return [c for c in ivr.callbacks.pending_for(number) if c.state in PENDING]


def greeting(call: Arrival) -> str | None:
    """The question for a caller with a callback pending; None to start the flow as usual."""
    found = pending(call.ivr, call.flow, call.state["from"])
    if not found:
        return None
    return str(_ask(call.flow, _language(call.flow, found[0]), found[0], call.now, tries=0))


@bp.post("/pending-callback")
@twilio_signed
@human_on_error
def answer() -> Response:
    """1 keeps the callback, 2 cancels it and starts the flow, 0 is a person now."""
    sid, ivr, flow, now, state, _ = arriving(greeted="pending-callback")
    found = pending(ivr, flow, state["from"])
    if not found:  # dialled or cancelled meanwhile
        return first_answer(ivr, sid, flow, state, engine.start(flow, state, now))
    lang = state["lang"] = _language(flow, found[0])
    words = flow.messages[lang]
    event = _event()
    tries = int(request.args.get("tries") or 0)
    answer = read(event, (KEEP, CANCEL), flow, lang, tries=tries, retries=flow.retries)
    if answer.kind == ESCAPE:  # as at any question of the flow
        return first_answer(ivr, sid, flow, state, engine.handle(flow, state, event, now))
    if answer.kind == GAVE_UP:
        return first_answer(ivr, sid, flow, state, engine.start(flow, state, now))
    if answer.kind == AGAIN:
        return xml(_ask(flow, lang, found[0], now, tries + 1, words[answer.why]))
    if answer.key == KEEP:
        response = VoiceResponse()
        say(response, flow, lang, words["callback_kept"])
        response.hangup()
        return xml(response)
    cancelled = [c for c in found if ivr.callbacks.move(
        c.id, PENDING, "cancelled", now, note="cancelled by the customer, calling in")]
    for callback in cancelled:
        ivr.queues.leave(callback.id)
    turn = engine.start(flow, state, now)
    if cancelled:
        turn.speech.insert(0, Speech(lang, words["callback_cancelled"]))
    return first_answer(ivr, sid, flow, state, turn)


def _ask(flow: Flow, lang: str, callback: Callback, now: dt.datetime, tries: int,
         *lead: str) -> VoiceResponse:
    words = flow.messages[lang]
    if callback.due_at and callback.state != "waiting":
        when = dt.datetime.fromisoformat(callback.due_at)
        about = words["callback_pending_slot"].format(
            slot=slots.said(flow, lang, when, now))
    else:
        about = words["callback_pending_turn"]
    said = [Speech(lang, text) for text in (*lead, about, words["callback_pending_choices"])]
    return ask(VoiceResponse(), f"{URL}?{urlencode({'tries': tries})}", said, flow,
               timeout=flow.timeout)


def _language(flow: Flow, callback: Callback) -> str:
    return callback.lang if callback.lang in flow.languages else flow.default_language

