"""A caller's utterance heard on a live stream, made a step of their call: barge-in.

The utterance is recognised against the phrases of the question the call was at when the
caller started speaking. An answer the engine understands is committed at once, with
the same compare-and-set on the step number as a key through <Gather>, and the live call
is moved through Twilio's REST API to the step's URL, which plays the answer already
decided: that cuts the prompt short. Whatever comes second (a key, a late result) finds
the step taken and changes nothing. What is not understood is ignored while the prompt
plays (the caller may be talking to someone else) and counts as a wrong answer after it.
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ivr_app.call import answers, bands, steps, twiml
from ivr_app.call.turn import Event
from ivr_app.call.utterances import Utterance
from ivr_app.flow.audit import seconds
from ivr_app.flow.vocabulary import phrases_now
from ivr_app.platform.telephony import public_url
from ivr_app.services import Services
from ivr_app.state.calls import Step
from speech import Heard
from speech.audio import sounds_like_speech

log = logging.getLogger(__name__)

PLAY_SECONDS = 5.0  # a recording played in a prompt is taken to last this long
STEADY_DB = 3.0  # loud frames spreading less than this are steady sound (noise: 0-2.2 dB)


@dataclass(frozen=True)
class Decision:
    """What became of an utterance: "moved" (the call took the step), "late" (the step was
    taken another way first), "ignored" (not understood while the prompt played), "keys"
    (the question takes no spoken answer) or "ended" (no call at a question)."""

    outcome: str
    event: Event | None = None
    ended: bool = False  # the call is done with questions: the stream may close


def decide(ivr: Services, sid: str, at: Step, utterance: Utterance) -> Decision:
    """Recognise the utterance at the call's step `at` and act on it as the step's answer."""
    if not at.open or at.seq is None or at.state is None:
        return Decision("ended", ended=True)
    state, seq = at.state, at.seq
    flow = ivr.registry.of_call(state)
    lang = state["lang"]
    phrases = phrases_now(flow, state)
    if not phrases or lang not in ivr.recognizer.languages():
        return Decision("keys")
    heard = Heard()  # steady sound (a hum, noise) is nothing said, as on the record path: a
    # model without [unk] would force it onto a phrase. Its loud part alone is measured (the
    # quiet around any sound makes it rise and fall); speech spreads 4 dB or more there.
    if sounds_like_speech(utterance.core, min_spread_db=STEADY_DB):
        heard = ivr.recognizer.recognize(utterance.audio, lang, phrases)
    event = bands.heard_event(heard)  # answers.understood judges it by the bands
    if not answers.understood(flow, state, event):
        if time.time() < at.asked + prompt_seconds(ivr.store.answer(sid, seq - 1 if seq
                                                                     else None)):
            return Decision("ignored", event)
        event = Event("unclear", heard.text, heard.confidence)
    committed = steps.take(ivr, sid, seq, lambda flow, state: event, streaming=True)
    if not committed.won:
        return Decision("late", event)
    try:
        ivr.twilio.calls(sid).update(url=public_url(ivr.config, twiml.step_url(seq)),
                                     method="POST")
    except Exception:  # the caller hears the decided answer at the prompt's end instead
        log.exception("call %s: Twilio did not move the call to step %d", sid, seq)
    return Decision("moved", event, ended=bool(state.get("outcome")))


def prompt_seconds(document: str | None) -> float:
    """How long the TwiML a caller is hearing takes to play, at the audit's speaking rate."""
    if not document:
        return 0.0
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        return 0.0
    return sum(seconds(verb.text or "") if verb.tag == "Say" else PLAY_SECONDS
               for verb in root.iter() if verb.tag in ("Say", "Play"))
