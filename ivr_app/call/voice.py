"""Twilio voice webhooks: a call comes in, each answer, the queue exit, the call's end.

Every route here is signed by Twilio and answers TwiML. Whatever fails in our
own code while a caller is on the line, the answer still puts them through to
a person.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flask import Blueprint, Request, Response, current_app, request

from ivr_app.call import engine, steps, twiml
from ivr_app.call.fallback import NotACall, human_on_error, is_call_sid, noted_on_error, xml
from ivr_app.call.remember import recall, remember_call
from ivr_app.call.turn import Event, Turn
from ivr_app.flow.model import Flow
from ivr_app.platform.security import stream_proof, twilio_signed
from ivr_app.services import Services, services
from ivr_app.state.calls import Committed, UnknownStep
from ivr_app.state.lifecycle import ENDED
from ivr_app.state.remembered import Known

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")

# Before the flow starts, each greeter may answer the call instead (TwiML, or None to go
# on). create_app registers them: the callbacks package greets a customer whose callback
# is pending. The call package cannot import them, since they build on it.
GREETERS = "ivr.greeters"
# Words typed as SpeechResult are taken only by an app built for the simulator:
# create_app(typed_speech=True) sets this. On the line, callers are recorded (heard.py).
TYPED_SPEECH = "ivr.typed_speech"
Greeter = Callable[["Arrival"], "str | None"]
# When Twilio reports a caller's call over, each ender lets go of what was theirs (the line
# registers the agent ringing for them or talking to them); registered by create_app too.
ENDERS = "ivr.enders"
Ender = Callable[[Services, str], None]

CALL_ENDED_JOB = "workers.metrics.record_call"  # the console's summary of a finished call
KEYS = re.compile(r"[0-9*#]{1,40}")  # keys a phone sends; ASCII only: "١" is a digit to str.isdigit
_STEP = re.compile(r"[0-9]{1,9}")


def _call_sid() -> str:
    """The request's CallSid; a signed request without one is answered, never refused: the
    error reaches human_on_error, which puts the caller through to a person."""
    sid = _request().form.get("CallSid", "")
    if not is_call_sid(sid):
        raise NotACall("CallSid is missing or malformed")
    return sid


def _request() -> Request:
    """The request itself: each attribute read through Flask's `request` proxy first misses
    the proxy's own attributes (an AttributeError made and dropped), on every step."""
    return request._get_current_object()  # type: ignore[attr-defined]


def _query(req: Request) -> dict[str, str]:
    """The query's fields, the first of each name, as `request.args` reads them. The step URLs
    we write carry only names and digits (`seq=3&silence=1`): split as they are, without
    Werkzeug's general parse; a query with anything quoted goes through it."""
    query = req.environ.get("QUERY_STRING", "")
    if not query.isascii() or "%" in query or "+" in query:
        return {name: req.args[name] for name in req.args}
    found: dict[str, str] = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            found.setdefault(name, value)
    return found


class Arrival(NamedTuple):
    """A call as it comes in, before any of the flow has played."""

    sid: str
    ivr: Services
    flow: Flow  # the flow that answers now
    now: dt.datetime
    state: dict[str, Any]  # new: the greeting it answered first noted, if any
    known: Known  # what its number left: the language it chose, an earlier call


@bp.post("")
@twilio_signed
@human_on_error
def incoming() -> Response:
    """A call comes in: the greeters first (a pending callback, a call we remember), else
    the flow starts."""
    call = arriving()
    for greet in current_app.extensions.get(GREETERS, ()):
        greeting = greet(call)
        if greeting is not None:
            return xml(greeting)
    return first_answer(call.ivr, call.sid, call.flow, call.state,
                        engine.start(call.flow, call.state, call.now))


def arriving(greeted: str = "") -> Arrival:
    """The request's call as it comes in, noting the greeting it answered first, if any (a
    replay leaves such a call out, call/replay.py)."""
    sid = _call_sid()
    ivr = services()
    flow = ivr.registry.current(current_app.config["IVR_FLOW"])
    now = ivr.clock()
    state = engine.new_state(flow, request.form, now)
    if greeted:
        state["greeted"] = greeted
    if state["from"] in test_callers(current_app.config):
        state["test"] = True  # waits and is answered as any call, out of the statistics
    return Arrival(sid, ivr, flow, now, state, recall(ivr, flow, state))


def test_callers(config: Mapping[str, Any]) -> set[str]:
    """The numbers whose calls are tests (TEST_CALLERS; simulate adds its own): Twilio signs
    From, so a caller cannot pass for one without calling from that phone."""
    return {n.strip() for n in config["TEST_CALLERS"].split(",") if n.strip()}


def first_answer(ivr: Services, sid: str, flow: Flow, state: dict[str, Any],
                 turn: Turn) -> Response:
    """Store a new call with its first turn, and answer with that turn's TwiML."""
    answer = twiml.render(flow, turn, seq=0, speech=ivr.recognizer.languages(),
                          stream=current_app.config["STREAM_URL"],
                          proof=stream_proof(current_app.config["TWILIO_AUTH_TOKEN"], sid))
    source = (flow.name, flow.version, ivr.registry.source(flow))
    committed = ivr.store.commit(sid, state, answer, flow_source=source)
    if committed.won:
        steps.to_queue(ivr, sid, state, turn)
    return _answer(sid, committed)


@bp.post("/step")
@twilio_signed
@human_on_error
def step() -> Response:
    """The caller answered (keys or speech) or stayed silent at step `seq`."""
    return take_step(lambda flow, state: _event())


def take_step(event_of: Callable[[Flow, dict[str, Any]], Event]) -> Response:
    """Apply what the caller did at step `seq` once, and answer with the next TwiML.

    `event_of` reads the request, given the call's flow and state: a recording is
    recognised against the question being asked. A repeated request never gets there.
    """
    sid = _call_sid()
    seq = _query(_request()).get("seq", "")
    ivr = services()
    if not _STEP.fullmatch(seq):  # not a step we numbered: ask the current question again
        asked = ivr.store.asked(sid)
        if asked is None:
            raise UnknownStep(f"step {seq[:20]!r} is malformed and nothing was asked yet")
        return xml(asked)
    return _answer(sid, steps.take(ivr, sid, int(seq), event_of))


def _answer(sid: str, committed: Committed) -> Response:
    """The answer that stands for the step (this request's, or the one that took it); a
    hang-up for a call already over."""
    if committed.ended:
        return xml(twiml.hang_up())
    if committed.answer is None:
        raise UnknownStep(f"call {sid}: the step was taken and its answer is gone")
    return xml(committed.answer)


def _event() -> Event:
    req = _request()
    form = req.form
    # the query is parsed again only when it may say `silence` (take_step read it for `seq`)
    if "silence" in req.environ.get("QUERY_STRING", "") and _query(req).get("silence"):
        return Event("silence")
    digits = form.get("Digits", "")
    if digits:  # anything but keys (too many, a newline, other scripts) is a wrong answer
        kind = "digits" if KEYS.fullmatch(digits) else "unclear"
        return Event(kind, digits[:40])
    typed = current_app._get_current_object().extensions.get(TYPED_SPEECH, False)  # type: ignore[attr-defined]
    speech = form.get("SpeechResult", "").strip() if typed else ""
    if speech:
        try:
            confidence = float(form.get("Confidence", ""))
        except ValueError:
            confidence = None
        return Event("speech", speech[:500], confidence)
    return Event("silence")


@bp.post("/status")
@twilio_signed
@noted_on_error
def status() -> tuple[str, int]:
    """Twilio's status callback: keep how and when the call ended, in Twilio's order (a
    late or repeated one changes nothing); an ended call leaves nothing behind."""
    sid = _call_sid()
    ivr = services()
    fields = {"call": request.form.get("CallStatus", ""),
              "duration": request.form.get("CallDuration", ""),
              "at": ivr.clock().isoformat(timespec="seconds")}
    if not ivr.store.record_status(sid, fields, request.form.get("SequenceNumber", "")):
        return "", 204
    if fields["call"] in ENDED:
        if ivr.queues.end(sid) is not None:  # normally the queue exit already left the line
            ivr.wait_stats.record_abandoned(sid)
        for let_go in current_app.extensions.get(ENDERS, ()):
            let_go(ivr, sid)
        remember_call(ivr, sid, ivr.clock())
        ivr.jobs.enqueue(CALL_ENDED_JOB, sid)
    return "", 204
