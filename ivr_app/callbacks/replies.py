"""A callback's customer answers its text (texts.py sends them): Twilio posts the reply to
POST /texts/reply, signed as every webhook, and the answer is TwiML:

    <Response><Message>Cancelamos su devolución de llamada.</Message></Response>

`1` brings the callback forward, to as soon as an agent is free; `2` cancels it; anything
else gets the help text. Twilio's own opt-out words on long codes (OPT_OUT), and ALTO and
BAJA, stop every further text to the number and cancel its pending callback; Twilio
confirms its own words itself (and would refuse a text of ours after them), so only ALTO
and BAJA get our confirmation. START, YES and UNSTOP, Twilio's opt-in words, allow texts
again. HELP and INFO are Twilio's too: it answers them with its own help text (set in its
console's opt-out settings), so ours would be a second one; AYUDA gets ours.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from ivr_app.call.fallback import noted_on_error, xml
from ivr_app.callbacks.placing import bring_into_line
from ivr_app.callbacks.texts import flow_of, language
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services, services
from ivr_app.state.callbacks import Callback
from ivr_app.state.lifecycle import CALLBACK_PENDING as PENDING

bp = Blueprint("callback_texts", __name__, url_prefix="/texts")

URL = "/texts/reply"
OPT_OUT = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
OWN_OPT_OUT = ("ALTO", "BAJA")  # in Spanish: ours to honour, Twilio does not know them
OPT_IN = ("START", "YES", "UNSTOP")
TWILIO_HELP = ("HELP", "INFO")  # answered by Twilio itself
SOONER, CANCEL_IT = "1", "2"


@bp.post("/reply")
@twilio_signed
@noted_on_error
def reply() -> Response:
    """The customer answered a text: 1 sooner, 2 cancel, an opt-out word stops every text."""
    ivr = services()
    number = request.form.get("From", "")
    word = re.sub(r"[^\w]", "", request.form.get("Body", "")).upper()
    found = [c for c in ivr.callbacks.pending_for(number) if c.state in PENDING]
    flow = flow_of(ivr, found[0]) if found else \
        ivr.registry.current(current_app.config["IVR_FLOW"])
    words = flow.messages[language(flow, found[0]) if found else flow.default_language]
    if word in OPT_OUT or word in OWN_OPT_OUT:
        ivr.texts.opt_out(number)
        _cancel(ivr, found, f"cancelled by the customer's text {word}")
        # Twilio answers its own words itself, and would refuse a text of ours after them
        return _answer(words["text_stopped"] if word in OWN_OPT_OUT else "")
    if word in OPT_IN:
        ivr.texts.opt_in(number)
        return _answer("")
    if word in TWILIO_HELP:
        return _answer("")
    if not found:
        return _answer(words["text_none"])
    if word == CANCEL_IT:
        _cancel(ivr, found, "cancelled by the customer's text")
        return _answer(words["callback_cancelled"])
    if word == SOONER:
        for callback in found:
            if bring_into_line(ivr, callback):
                ivr.callbacks.set_fields(callback.id, due_at="")
        return _answer(words["text_soon"])
    return _answer(words["text_help"])


def _cancel(ivr: Services, found: list[Callback], note: str) -> None:
    for callback in found:
        if ivr.callbacks.move(callback.id, PENDING, "cancelled", ivr.clock(), note=note):
            ivr.queues.leave(callback.id)


def _answer(text: str) -> Response:
    response = MessagingResponse()
    if text:
        response.message(text)
    return xml(response)
