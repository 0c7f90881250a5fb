"""JSON API for agents and supervisors: roster, status, queues, call context, escalation.

Every route needs `Authorization: Bearer <AGENT_API_TOKEN>`; with no token
configured the API answers 403 to everyone rather than run open. Every refusal is
JSON, {"error": "..."}. Ids become parts of Redis keys, so they must look like ids: a
call CA or CB and 32 hex digits, an agent a short name.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from typing import Any

import redis
from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ivr_app.call.fallback import is_call_sid
from ivr_app.call.queueing import dispatch_soon
from ivr_app.line import escalation
from ivr_app.line.context import context_for
from ivr_app.platform.json_body import json_body
from ivr_app.services import services
from ivr_app.state.agents import AGENT_ID_RULE, is_agent_id, parse_agent, public
from ivr_app.state.callbacks import is_callback_id

log = logging.getLogger(__name__)
bp = Blueprint("agent_api", __name__, url_prefix="/api")

SELF_SERVICE_STATUSES = ("available", "away")  # busy and wrap-up follow the calls themselves


@bp.errorhandler(redis.RedisError)
def store_down(exc: redis.RedisError) -> tuple[Response, int]:
    """Redis is down or stalled: say so, and that nothing was changed by this request."""
    return jsonify(error="the line's store (Redis) is not answering; check whether the "
                         "change was made, and try again in a few seconds"), 503


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 401 without the right bearer token (403 if the API has none configured)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        token = current_app.config.get("AGENT_API_TOKEN", "")
        if not token:
            abort(403, "the agent API is off: set AGENT_API_TOKEN")
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401, "expected the header Authorization: Bearer <AGENT_API_TOKEN>")
        if not hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode()):
            abort(401, "wrong token")
        return view(*args, **kwargs)

    return checked


@bp.errorhandler(HTTPException)
def as_json(error: HTTPException) -> tuple[Response, int]:
    """Every refusal of the API in JSON, with its status: {"error": what went wrong}."""
    return jsonify({"error": error.description}), error.code or 500


MAX_DEPTH = 3  # an agent, its lists of queues and languages (objects and lists inside each other)
MAX_TEXT = 1000  # characters in any one string: a note, a name, a number
MAX_LISTED = 1000  # callers listed per queue by GET /api/queues; `count` says how many wait


def _body() -> dict[str, Any]:
    """The request's JSON object (platform/json_body.py: its depth, numbers and keys checked);
    long strings are refused before anything reads them."""
    body = json_body(MAX_DEPTH)
    problem = _too_long(body)
    if problem:
        abort(400, problem)
    return body


def _too_long(value: Any) -> str:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"a text of {len(value)} characters; at most {MAX_TEXT}"
    children = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found = _too_long(key) or _too_long(child)
        if found:
            return found
    return ""


def _agent_id(agent_id: str) -> str:
    if not is_agent_id(agent_id):
        abort(400, f"{agent_id[:40]!r}: {AGENT_ID_RULE}")
    return agent_id


def _call_id(sid: str, callbacks: bool = True) -> str:
    """A live call's CallSid (CA...), or with `callbacks` a callback's id (CB...) too."""
    if not (is_call_sid(sid) or (callbacks and is_callback_id(sid))):
        kinds = "a CallSid (CA and 32 hex digits)" + (" or a callback id (CB...)" if callbacks
                                                      else "; a callback cannot be moved")
        abort(400, f"{sid[:40]!r} is not {kinds}")
    return sid


def _check_queues(queues: list[str]) -> None:
    """An agent serves queues the line sends callers to (checked while a flow is loaded)."""
    flow = services().registry.last_good(current_app.config["IVR_FLOW"])
    for queue in queues if flow is not None else ():
        if queue not in flow.queues():
            known = ", ".join(sorted(flow.queues()))
            abort(400, f"queue {queue!r} is not one of the flow's: {known}")


@bp.get("/agents")
@token_required
def list_agents() -> Response:
    return jsonify([public(a) for a in services().roster.all()])


@bp.put("/agents/<agent_id>")
@token_required
def save_agent(agent_id: str) -> Response:
    """Add or edit an agent (supervisors); their status is not changed here."""
    try:
        agent = parse_agent({**_body(), "id": _agent_id(agent_id)})
    except ValueError as exc:
        abort(400, str(exc))
    _check_queues(agent.queues)
    services().roster.save(agent)
    return jsonify(public(services().roster.get(agent_id)))


@bp.delete("/agents/<agent_id>")
@token_required
def remove_agent(agent_id: str) -> tuple[str, int]:
    services().roster.remove(_agent_id(agent_id))
    return "", 204


@bp.post("/agents/<agent_id>/status")
@token_required
def set_status(agent_id: str) -> Response:
    """An agent signs in (available) or steps away; becoming available finds them a caller."""
    _agent_id(agent_id)
    status = _body().get("status")
    if status not in SELF_SERVICE_STATUSES:
        abort(400, f"status must be one of {', '.join(SELF_SERVICE_STATUSES)}")
    ivr = services()
    agent = ivr.roster.get(agent_id)
    if agent is None:
        abort(404, f"no agent {agent_id!r}")
    if agent.status in ("offered", "busy"):
        abort(409, f"agent {agent_id!r} is {agent.status}; the call sets their status")
    ivr.roster.set_status(agent_id, status, ivr.clock())
    ivr.wait_stats.record_wrap_up_end(agent_id)  # if they were wrapping up a call
    if status == "available":
        for queue in agent.queues:
            dispatch_soon(ivr, queue)
    return jsonify(public(ivr.roster.get(agent_id)))


@bp.get("/queues")
@token_required
def queues() -> Response:
    """Who waits at the head of each queue an agent serves (`?limit=`, 100 unless given, at
    most MAX_LISTED), how many wait in all, and how good our estimates are."""
    ivr = services()
    now = ivr.clock().timestamp()
    try:
        limit = min(int(request.args.get("limit") or 100), MAX_LISTED)
    except ValueError:
        abort(400, "limit must be a whole number")
    names = sorted({q for a in ivr.roster.all() for q in a.queues})
    result = {}
    for name in names:
        waiting = []
        for position, sid in enumerate(ivr.queues.head(name, limit), start=1):
            waiter = ivr.queues.waiter(sid)
            if waiter is not None:
                waiting.append({"call_sid": sid, "position": position, "language": waiter.lang,
                                "reason": waiter.reason, "offered_to": waiter.offered,
                                "waiting_s": round(now - waiter.entered)})
        accuracy = ivr.wait_stats.accuracy(name)
        result[name] = {"waiting": waiting, "count": ivr.queues.length(name),
                        "estimates": accuracy.__dict__}
    return jsonify(result)


@bp.get("/calls/<sid>/context")
@token_required
def context(sid: str) -> Response:
    """Everything the call gathered, for the agent's screen."""
    ivr = services()
    context = context_for(ivr, _call_id(sid), ivr.queues.waiter(sid))
    if context is None:
        abort(404, "no such call, or it ended too long ago")
    return jsonify(context)


@bp.post("/calls/<sid>/escalate")
@token_required
def escalate(sid: str) -> tuple[Response, int]:
    """Move a live call to the supervisor queue, warm: the agent's note goes along.

    The caller leaves their line for the supervisors' in one step; if Twilio does not take
    the redirect, the move is undone and the answer says so. Nothing changes on a refusal.
    """
    body = _body()
    sid = _call_id(sid, callbacks=False)
    agent_id = _agent_id(str(body.get("agent", "")))
    try:
        queue, reason = escalation.escalate(services(), sid, agent_id, str(body.get("note", "")))
    except LookupError:
        abort(404, "no such call")
    except (escalation.NoSupervisorQueue, escalation.CannotMove) as exc:
        abort(409, str(exc))
    except escalation.RedirectFailed as exc:
        abort(502, str(exc))
    return jsonify({"call_sid": sid, "queue": queue, "reason": reason}), 202
