"""Try a call: a supervisor calls a flow version from the browser before it goes live.

The caller is the `simulate` command's: it plays the TwiML and signs every request with
Twilio's algorithm, so the call goes through the same webhooks as a phone call. The
version tried is the editor's text: it is marked on the call (state/trials.py), and the
greeter below starts that version instead of the live one. From there the call is like any
other: a caller who asks for a person waits in the real line and an agent can take them.

The page is a phone. Its keys reach the line as Twilio's <Gather> sends them (the page
sends them when the question's numDigits are reached, at its finishOnKey, or after its
timeout: `Call.keys_asked` says which). Typed words answer a question of the flow that
takes a spoken answer: they decide the step as a phrase heard on the stream does
(call.steps.take), and the call moves to that step's answer; no request carries them.
The page looks at the call as it goes: in the flow, in line (place, wait told), an agent
rung, connected to the agent who took it, ended and by whom. On `up`'s demo line, which
plays Twilio (TWILIO_DEMO), the call is followed there as `simulate` follows it
(demo/on_the_line.py): an agent's accept moves it into their conference, their hang-up
ends it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import requests
from flask import Blueprint, Response, abort, current_app, jsonify
from flask_login import current_user

from ivr_app.call import engine, steps, twiml
from ivr_app.call.turn import Event
from ivr_app.call.voice import KEYS, Arrival, first_answer
from ivr_app.console import flow_files
from ivr_app.console.auth import guard
from ivr_app.console.flows import room_for_a_flow
from ivr_app.console.live import queue_name, told_said, told_wait
from ivr_app.console.text import language
from ivr_app.demo.on_the_line import AGENT_HUNG_UP, DemoLine, look
from ivr_app.demo.simulator import Call
from ivr_app.flow.errors import FlowError
from ivr_app.flow.vocabulary import phrases_now
from ivr_app.platform.json_body import json_body
from ivr_app.services import Services, services
from ivr_app.state.calls import Step
from ivr_app.state.trials import Trials

log = logging.getLogger(__name__)
bp = Blueprint("trial", __name__, url_prefix="/console/try")
guard(bp, supervisors_only=True)
bp.url_value_preprocessor(room_for_a_flow)

ACTIONS = ("press", "say", "silence", "hangup")
TRIAL_TO = "client:console-try"  # the number a tried call is made to, as a Twilio Client
BY_CALLER = "caller"  # who hung up, when the supervisor did
ENDED_BY = {"goodbye": "goodbye", AGENT_HUNG_UP: "agent"}  # else the line hung up


def greeting(call: Arrival) -> str | None:
    """A call the console placed starts on the version it tries; any other call goes on
    (and costs nothing here: only a tried call is made to TRIAL_TO)."""
    ivr, state = call.ivr, call.state
    if state["to"] != TRIAL_TO:
        return None
    trial = Trials(ivr.redis).get(state["sid"])
    if trial is None:
        return None
    name, version = trial["flow"], trial["version"]
    chosen = ivr.registry.version(name, version)
    now = call.now
    fresh = engine.new_state(chosen, {"CallSid": state["sid"], "From": state["from"],
                                      "To": state["to"]}, now)
    fresh["test"] = True  # a tried call waits as any call does, out of the statistics
    return first_answer(ivr, state["sid"], chosen, fresh,
                        engine.start(chosen, fresh, now)).get_data(as_text=True)


def _base_url() -> str:
    """Where Twilio believes the app is (PUBLIC_BASE_URL)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") or "http://localhost"


def _caller(sid: str = "", saved: dict[str, Any] | None = None, **details: str) -> Call:
    """The simulated caller, signing as Twilio does for this app's address."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    token = app.config["TWILIO_AUTH_TOKEN"]
    if saved is not None:
        return Call.resume(app, token, saved)
    return Call(app, token, sid=sid, base_url=_base_url(), **details)


def _line() -> DemoLine | None:
    """`up`'s demo line, which moves and ends the call as Twilio would; None on Twilio."""
    config = current_app.config
    if not config.get("TWILIO_DEMO") or not config.get("TWILIO_API_BASE"):
        return None
    return DemoLine(config["TWILIO_API_BASE"].rstrip("/"), _base_url())


def _answer(ivr: Services, call: Call, trial: dict[str, str], **noted: str) -> Response:
    """Keep where the caller is, and tell the page what they hear, how the question asked
    now takes an answer, and where the call is."""
    Trials(ivr.redis).keep_caller(call.sid, call.snapshot(), **noted)
    asks = call.keys_asked()
    if asks is not None:
        asks["speech"] = _spoken_question(ivr, call) is not None
    return jsonify({"sid": call.sid, "heard": call.heard, "asks": asks,
                    "state": _state(ivr, call, noted.get("hung_up") or trial.get("hung_up"))})


def _state(ivr: Services, call: Call, hung_up: str | None) -> dict[str, Any]:
    """Where the call is now: ended (and by whom), connected to an agent, an agent rung,
    in line (place and the wait told), put through to a number, or in the flow (a survey
    after the agent, a callback's questions: out of line)."""
    ended = call.ending.kind if call.ending is not None and call.ending.kind != "human" else ""
    if hung_up or ended:
        return {"is": "ended", "by": hung_up or ENDED_BY.get(ended, "line")}
    if call.room:
        return {"is": "connected", "agent": call.agent}
    waiter = ivr.queues.waiter(call.sid)  # kept out of line too, for the caller's place
    position = ivr.queues.position(waiter.queue, call.sid) if waiter is not None else None
    if position is not None and waiter.offered:
        return {"is": "ringing", "agent": waiter.offered}
    if position is not None:
        told = told_wait(ivr, call.sid)
        return {"is": "line", "queue": queue_name(ivr, waiter.queue), "position": position,
                "told": bool(told),
                "told_said": told_said(told[-1]["estimate_s"]) if told else ""}
    if call.ending is not None and not call.waiting:
        return {"is": "person", "number": call.ending.number}
    return {"is": "flow"}


def _spoken_question(ivr: Services, call: Call) -> Step | None:
    """The call's step, if the caller is at a question of the flow that takes a spoken
    answer (the one its <Gather> answers to); None at any other question."""
    at = ivr.store.step(call.sid)
    if not at.open or at.seq is None or at.state is None or not call.waiting:
        return None
    if (call.keys_asked() or {}).get("action") != twiml.step_url(at.seq):
        return None
    return at if phrases_now(ivr.registry.of_call(at.state), at.state) else None


def _say(ivr: Services, call: Call, words: str) -> None:
    """The typed words are the answer of the step, decided as a phrase heard on the stream
    is; the call then plays the answer that stands for the step."""
    at = _spoken_question(ivr, call)
    if at is None or at.seq is None:
        abort(409, "this question takes keys only")
    said = Event("speech", words[:500])  # typed: no confidence, taken as said (call/bands.py)
    committed = steps.take(ivr, call.sid, at.seq, lambda flow, state: said)
    call.moved(committed.answer if committed.answer and not committed.ended
               else twiml.hang_up())


@bp.post("/<name>")
def start(name: str) -> Response | tuple[Response, int]:
    """Dial the editor's text (it must pass the loader) from the given caller number."""
    ivr = services()
    body = json_body()
    try:
        flow_files.path_of(ivr, name)
        flow = ivr.registry.adopt(name, str(body.get("text", "")))
    except LookupError:
        abort(404)
    except FlowError as exc:
        return jsonify({"error": exc.located(language())}), 422
    sid = "CA" + secrets.token_hex(16)
    Trials(ivr.redis).start(sid, name, flow.version, current_user.user.name)
    call = _caller(sid, caller=str(body.get("caller") or "+15005550006"), number=TRIAL_TO)
    line = _line()
    try:
        if line is not None:  # its end is reported to the app, as Twilio reports a call's
            line.came_in(call)
    except requests.RequestException:
        log.warning("the demo line did not hear of tried call %s", sid, exc_info=True)
    try:
        call.dial()
    except RuntimeError as exc:  # the webhook refused or failed: say so to the supervisor
        return jsonify({"error": str(exc)}), 502
    return _answer(ivr, call, {})


@bp.post("/call/<sid>")
def act(sid: str) -> Response:
    """One thing the caller does: keys (as the question's <Gather> ends them), words at a
    question that takes speech, silence, or hanging up."""
    ivr = services()
    body = json_body()
    action, value = body.get("action"), str(body.get("value", "")).strip()
    if action not in ACTIONS or (action in ("press", "say") and not value) or (
            action == "press" and not KEYS.fullmatch(value)):
        abort(400, f"action must be one of {', '.join(ACTIONS)}, with keys (0-9, *, #) or "
              "words")
    with _tried(ivr, sid) as (trial, call):
        if action == "hangup":
            return _hang_up(ivr, call, trial)
        if not call.waiting:
            abort(409, "the call is at no question now")
        try:
            if action == "press":
                call.press(value)
            elif action == "say":
                _say(ivr, call, value)
            else:
                call.stays_silent()
        except RuntimeError as exc:  # a webhook answered with an error
            abort(502, str(exc))
        return _answer(ivr, call, trial)


@contextlib.contextmanager
def _tried(ivr: Services, sid: str) -> Iterator[tuple[dict[str, str], Call]]:
    """A tried call and its simulated caller, held for one request at a time; 404 if gone."""
    trials = Trials(ivr.redis)
    with trials.lock(sid):
        trial, saved = trials.get(sid), trials.caller(sid)
        if trial is None or saved is None:
            abort(404)
        yield trial, _caller(saved=saved)


def _hang_up(ivr: Services, call: Call, trial: dict[str, str]) -> Response:
    """The caller puts the phone down: the app hears the end, and so does the demo line."""
    if not trial.get("hung_up") and _state(ivr, call, None)["is"] != "ended":
        call.hang_up()
        line = _line()
        if line is not None:
            try:
                line.hang_up(call.sid)
            except requests.RequestException:
                log.warning("the demo line did not hear tried call %s end", call.sid)
        return _answer(ivr, call, trial, hung_up=BY_CALLER)
    return _answer(ivr, call, trial)


@bp.get("/call/<sid>")
def follow(sid: str) -> Response:
    """Where the call is now; on the demo line, what happened to it there plays first."""
    ivr = services()
    with _tried(ivr, sid) as (trial, call):
        line = _line()
        seen = trial.get("seen", "")
        if line is not None and _state(ivr, call, trial.get("hung_up"))["is"] != "ended":
            seen, _ = look(call, line, seen)
        return _answer(ivr, call, trial, seen=seen)
