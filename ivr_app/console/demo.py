"""The calls the line placed, when `up` plays Twilio itself (TWILIO_DEMO): the console
lists them and answers for whoever they ring, through the stand-in's /demo routes
(ivr_app/demo/demo_line.py). Off, and 404, with a real Twilio account.

In the demo an agent's phone is answered from their screen: Accept picks it up (`pick_up`).
"""

from __future__ import annotations

import logging

import requests
from flask import Blueprint, Response, abort, current_app, jsonify

from ivr_app.console.auth import guard
from ivr_app.platform.json_body import json_body

log = logging.getLogger(__name__)
bp = Blueprint("demo", __name__, url_prefix="/console/demo")
guard(bp)

ACTIONS = ("answer", "press", "hangup")


def _on() -> bool:
    config = current_app.config
    return bool(config.get("TWILIO_DEMO") and config.get("TWILIO_API_BASE"))


def _send(method: str, path: str, **form: str) -> requests.Response:
    config = current_app.config
    with requests.Session() as session:
        session.trust_env = False  # the stand-in is on loopback: never through a proxy
        return session.request(method, config["TWILIO_API_BASE"].rstrip("/") + path,
                               data=form, timeout=5,
                               auth=(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]))


def _ask(method: str, path: str, **form: str) -> requests.Response:
    if not _on():
        abort(404)
    try:
        return _send(method, path, **form)
    except requests.RequestException as exc:
        abort(502, f"the demo line does not answer: {exc}")


def pick_up(phone: str) -> None:
    """The agent accepted on the screen: in the demo, their phone is answered too, ringing
    now or when it rings (a phone on a call already is left alone). Nothing with a real
    Twilio account: there the agent answers their own phone."""
    if not _on():
        return
    try:
        _send("POST", "/demo/pick-up", To=phone)
    except requests.RequestException:
        log.warning("the demo line did not pick up %s", phone, exc_info=True)


@bp.get("/calls")
def calls() -> Response:
    return jsonify(_ask("GET", "/demo/calls").json())


@bp.post("/calls/<sid>/<action>")
def act(sid: str, action: str) -> tuple[Response, int]:
    if action not in ACTIONS or not sid.isalnum():
        abort(404)
    body = json_body()
    answer = _ask("POST", f"/demo/calls/{sid}/{action}", Digits=str(body.get("digits", "")))
    return jsonify(answer.json()), answer.status_code
