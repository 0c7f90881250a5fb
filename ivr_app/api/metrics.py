"""`GET /api/metrics`: the day's headline numbers, for dashboards and alerts.

Time to a person first (the number a trapped caller feels), then containment (calls
finished in self-service), then whether calls were solved (line/resolution.py): the
surveys (`survey`: asked, answered, resolved_share, rating_mean), the share of calls whose
number called again within REPEAT_WINDOW_HOURS (`repeat_72h_share`, and per topic),
first-contact resolution per queue, agent and flow, and the survey and repeat figures per
flow (`by_flow`). `?day=2026-11-25` (server time zone; default today) and `?flow=main`
narrow it; calls tried from the console are left out.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, jsonify, request
from werkzeug.wrappers import Response

from ivr_app.api.agents import token_required
from ivr_app.line import resolution
from ivr_app.line.measures import time_to_person
from ivr_app.services import services
from ivr_app.state.call_log import CallLog

bp = Blueprint("metrics_api", __name__, url_prefix="/api")


@bp.get("/metrics")
@token_required
def metrics() -> Response:
    ivr = services()
    try:
        day = dt.date.fromisoformat(request.args.get("day") or
                                    ivr.clock().astimezone().date().isoformat())
    except ValueError:
        abort(400, "day must look like 2026-11-25")
    flow = request.args.get("flow", "")
    log = CallLog(ivr.redis)
    calls = [c for c in log.of_day(day)
             if not c["trial"] and (not flow or c["flow"] == flow)]
    contained = sum(c["outcome"] == "self-service" for c in calls)
    window = ivr.config["REPEAT_WINDOW_HOURS"] * 3600
    return jsonify({"day": day.isoformat(), "flow": flow, "calls": len(calls),
                    "time_to_person": time_to_person(calls),
                    "containment": contained / len(calls) if calls else None,
                    **resolution.figures(log, calls, window)})
