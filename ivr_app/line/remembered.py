"""A caller who calls again soon after a call we remember goes on from where it was.

Asked before the flow starts (a greeter that create_app registers), in the language of
the earlier call:

    <Gather action="/voice/remembered" finishOnKey="#" input="dtmf" numDigits="1"
            timeout="5">
      <Say>¿Llama por su llamada de ayer sobre su factura? Para continuar con ella,
           marque uno. Para otra cosa, marque dos.</Say>
      <Say>Para hablar con una persona, marque cero.</Say>
    </Gather>
    <Redirect method="POST">/voice/remembered?silence=1</Redirect>

1 puts the caller in the earlier call's queue with its reason and answers carried over;
the agent who took it is offered the call first, and the whisper and the agent's screen
show the earlier call (call/remember.py keeps it). 0 reaches a person at once, as at any
question (an escape word too: the question is asked and read as all are, call/dialog.py).
Anything else, or silence, starts the flow as usual.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import dialog, engine
from ivr_app.call.fallback import human_on_error
from ivr_app.call.turn import REASON_AGAIN, Human, Speech, Turn
from ivr_app.call.voice import Arrival, _event, arriving, first_answer
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow
from ivr_app.platform.security import twilio_signed

bp = Blueprint("remembered", __name__, url_prefix="/voice")
URL = "/voice/remembered"
GO_ON = "1"  # go on with the earlier call
AGAIN = REASON_AGAIN.partition("{")[0]  # "calling again: "


def greeting(call: Arrival) -> str | None:
    """The question for a caller we remember; None to start the flow as usual."""
    flow = call.flow
    earlier = _earlier(call)
    if earlier is None:
        return None
    lang = _language(flow, earlier)
    ask = flow.returning.ask[lang].format(when=when(earlier, lang, call.now),
                                          topic=flow.returning.topic_words(earlier["topic"], lang))
    said = [Speech(lang, ask), Speech(lang, flow.messages[lang]["escape"])]
    return str(dialog.ask(VoiceResponse(), URL, said, flow, timeout=flow.timeout))


@bp.post("/remembered")
@twilio_signed
@human_on_error
def answer() -> Response:
    """1 goes on with the earlier call, 0 (or an escape word) is a person now, anything
    else starts the flow: asked once, without retries."""
    call = arriving(greeted="earlier-call")
    sid, ivr, flow, now, state, _ = call
    earlier = _earlier(call)
    if earlier is None:
        return first_answer(ivr, sid, flow, state, engine.start(flow, state, now))
    event = _event()
    answer = dialog.read(event, (GO_ON,), flow, _language(flow, earlier))
    if answer.kind not in (dialog.KEY, dialog.ESCAPE):  # 2 (something else), or anything
        return first_answer(ivr, sid, flow, state, engine.start(flow, state, now))
    state["lang"] = _language(flow, earlier)
    if answer.kind == dialog.ESCAPE:
        return first_answer(ivr, sid, flow, state, engine.handle(flow, state, event, now))
    state["vars"].update(earlier["vars"])
    state["earlier"] = earlier
    # the first reason, once: a call that went on from another is remembered with "again"
    reason = REASON_AGAIN.format(reason=earlier["reason"].removeprefix(AGAIN))
    state["path"].append({"at": now.isoformat(timespec="seconds"), "node": "remembered",
                          "event": "digits", "input": "1", "earlier": earlier["sid"]})
    state["outcome"] = {"type": "human", "queue": earlier["queue"], "reason": reason,
                        "node": "remembered", "at": now.isoformat(timespec="seconds")}
    said = Speech(state["lang"], flow.messages[state["lang"]]["to_human"])
    return first_answer(ivr, sid, flow, state,
                        Turn(speech=[said], human=Human(earlier["queue"], reason)))


def when(earlier: dict[str, Any], lang: str, now: dt.datetime) -> str:
    """Today, yesterday, or the weekday of the earlier call, in the caller's language."""
    ended = dt.datetime.fromisoformat(earlier["ended"])
    today, yesterday, weekday = builtins.EARLIER_DAY.get(lang, builtins.EARLIER_DAY["en"])
    days = (now.date() - ended.astimezone(now.tzinfo).date()).days
    if days <= 0:
        return today
    if days == 1:
        return yesterday
    names = builtins.WEEKDAY_NAMES.get(lang, builtins.WEEKDAY_NAMES["en"])
    return weekday.format(weekday=names[ended.weekday()])


def _earlier(call: Arrival) -> dict[str, Any] | None:
    flow, earlier = call.flow, call.known.earlier
    if flow.returning is None or earlier is None or earlier["flow"] != flow.name or \
            flow.returning.topic_words(earlier["topic"], _language(flow, earlier)) is None:
        return None
    window = dt.timedelta(hours=flow.returning.within_hours)  # also if the setting shrank
    return earlier if call.now - dt.datetime.fromisoformat(earlier["ended"]) <= window \
        else None


def _language(flow: Flow, earlier: dict[str, Any]) -> str:
    return earlier["lang"] if earlier["lang"] in flow.languages else flow.default_language

