"""The supervisors' live board: every queue and who waits in it, every agent and their status,
callbacks due, late and missed, and voice messages. Polled as JSON like the agent's screen.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from ivr_app.console import live
from ivr_app.console.auth import guard
from ivr_app.console.text import script_text
from ivr_app.services import services

bp = Blueprint("board", __name__, url_prefix="/console/board")
guard(bp, supervisors_only=True)


@bp.get("")
def page() -> str:
    return render_template("console/board.html", script_table=script_text())


@bp.get("/live")
def state() -> Response:
    ivr = services()
    agents = ivr.roster.all()
    names = {q for a in agents for q in a.queues}
    flow = ivr.registry.last_good(ivr.config["IVR_FLOW"])
    if flow is not None:  # the live flow's queues, even with nobody signed in to them
        names |= flow.queues()
    return jsonify({"queues": [live.queue_view(ivr, q) for q in sorted(names - {""})],
                    "agents": [live.agent_row(a) for a in agents],
                    **live.callbacks_view(ivr)})
