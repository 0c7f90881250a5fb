"""Try a call: a supervisor calls a flow version from the browser before it goes live.

The caller is the `simulate` command's: it plays the TwiML and signs every request with
Twilio's algorithm, so the call goes through the same webhooks as a phone call. The
version tried is the editor's text: it is marked on the call (state/trials.py), and the
greeter below starts that version instead of the live one. From there the call is like any
other: a caller who asks for a person waits in the real line and an agent can take them.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify
from flask_login import current_user

from ivr_app.call import engine
from ivr_app.call.voice import TYPED_SPEECH, first_answer
from ivr_app.console import flow_files
from ivr_app.console.auth import guard
from ivr_app.console.flows import room_for_a_flow
from ivr_app.demo.simulator import Call, apply_input
from ivr_app.flow.errors import FlowError
from ivr_app.flow.model import Flow
from ivr_app.platform.json_body import json_body
from ivr_app.services import Services, services
from ivr_app.state.trials import Trials

bp = Blueprint("trial", __name__, url_prefix="/console/try")
guard(bp, supervisors_only=True)
bp.url_value_preprocessor(room_for_a_flow)

ACTIONS = ("press", "say", "silence", "hangup")
TRIAL_TO = "client:console-try"  # the number a tried call is made to, as a Twilio Client


def greeting(ivr: Services, flow: Flow, state: dict[str, Any]) -> str | None:
    """A call the console placed starts on the version it tries; any other call goes on
    (and costs nothing here: only a tried call is made to TRIAL_TO)."""
    if state["to"] != TRIAL_TO:
        return None
    trial = Trials(ivr.redis).get(state["sid"])
    if trial is None:
        return None
    name, version = trial["flow"], trial["version"]
    chosen = ivr.registry.version(name, version)
    now = ivr.clock()
    fresh = engine.new_state(chosen, {"CallSid": state["sid"], "From": state["from"],
                                      "To": state["to"]}, now)
    return first_answer(ivr, state["sid"], chosen, fresh,
                        engine.start(chosen, fresh, now)).get_data(as_text=True)


def _caller(sid: str = "", saved: dict[str, Any] | None = None, **details: str) -> Call:
    """The simulated caller, signing as Twilio does for this app's address."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    token = app.config["TWILIO_AUTH_TOKEN"]
    if saved is not None:
        return Call.resume(app, token, saved)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/") or "http://localhost"
    return Call(app, token, sid=sid, base_url=base, **details)


def _answer(ivr: Services, call: Call) -> Response:
    Trials(ivr.redis).keep_caller(call.sid, call.snapshot())
    waiter = ivr.queues.waiter(call.sid)
    return jsonify({"sid": call.sid, "heard": call.heard, "waiting": call.waiting,
                    "ending": str(call.ending) if call.ending else "",
                    "agent": waiter.offered if waiter and waiter.room else ""})


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
        return jsonify({"error": str(exc)}), 422
    sid = "CA" + secrets.token_hex(16)
    Trials(ivr.redis).start(sid, name, flow.version, current_user.user.name)
    call = _caller(sid, caller=str(body.get("caller") or "+15005550006"), number=TRIAL_TO)
    try:
        call.dial()
    except RuntimeError as exc:  # the webhook refused or failed: say so to the supervisor
        return jsonify({"error": str(exc)}), 502
    return _answer(ivr, call)


@bp.post("/call/<sid>")
def act(sid: str) -> Response:
    """One thing the caller does: keys, words, silence, or hanging up."""
    ivr = services()
    saved = Trials(ivr.redis).caller(sid)
    if saved is None:
        abort(404)
    body = json_body()
    action, value = body.get("action"), str(body.get("value", "")).strip()
    if action not in ACTIONS or (action in ("press", "say") and not value):
        abort(400, f"action must be one of {', '.join(ACTIONS)}, with a value for keys or words")
    call = _caller(saved=saved)
    if action != "hangup" and not call.waiting:
        abort(409, f"the call has ended: {call.ending}")
    if action == "say" and not current_app.extensions.get(TYPED_SPEECH):
        abort(400, "typed words are taken only by the simulator (python -m ivr_app simulate); "
              "on the line, callers are recorded and recognised")
    try:
        if action == "hangup":
            call.hang_up()
        else:
            apply_input(call, {"press": value, "say": f"say: {value}", "silence": ""}[action])
    except RuntimeError as exc:  # a webhook answered with an error
        abort(502, str(exc))
    return _answer(ivr, call)
