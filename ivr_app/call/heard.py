"""The spoken answer to a question: Twilio's <Record> action, recognised and acted on.

The recording is fetched from Twilio's API by its sid and recognised against the phrases the
question accepts, within the speech budget; the text then takes the same path
as typed or <Gather> speech (engine.handle). A key that ended the recording
counts as that key. Recognition that fails or runs late is an "unheard" answer:
the caller is asked to use keys, and the next time goes to a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, request

from ivr_app.call import bands
from ivr_app.call.fallback import human_on_error
from ivr_app.call.turn import Event
from ivr_app.call.voice import take_step
from ivr_app.flow.model import Flow
from ivr_app.flow.vocabulary import phrases_now
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services, services
from speech.models import missing_message, speech_on_message
from speech.recording import is_recording_sid

log = logging.getLogger(__name__)
bp = Blueprint("heard", __name__, url_prefix="/voice")

_KEY = re.compile(r"[0-9*#]")


@bp.post("/heard")
@twilio_signed
@human_on_error
def heard() -> Response:
    """Twilio recorded the caller's answer at step `seq` (or a key cut the recording short)."""
    return take_step(_event)


def _event(flow: Flow, state: dict[str, Any]) -> Event:
    return recorded_answer(state["lang"], phrases_now(flow, state))


def recorded_answer(lang: str, phrases: Sequence[str]) -> Event:
    """What this request's recording says in `lang` among `phrases`, or the key that
    ended it."""
    form = request.form
    key = form.get("Digits", "")
    if _KEY.fullmatch(key):
        return Event("digits", key)
    recording = form.get("RecordingSid", "")
    if not (recording or form.get("RecordingUrl")) or key == "hangup":
        return Event("silence")  # nothing recorded, or nobody left to answer
    if not is_recording_sid(recording):
        return Event("unheard")  # not a recording we can fetch from Twilio: ask for keys
    ivr = services()
    if lang not in ivr.recognizer.languages():
        return Event("unheard")  # the model went away (a restart without it)
    heard = ivr.listener.hear(recording, lang, phrases)  # by sid: never a URL we were sent
    if heard is None:
        return Event("unheard")
    return bands.heard_event(heard)


def report_speech(ivr: Services, flow_name: str) -> None:
    """Load the speech models now (not on a caller's time) and say which languages have one."""
    languages = ivr.recognizer.languages()
    flow = ivr.registry.last_good(flow_name)
    for lang in flow.languages if flow else ():
        if lang in languages:
            log.info(speech_on_message(lang, ivr.recognizer.rate(lang)))
        else:
            log.warning(missing_message(lang, ivr.config))
