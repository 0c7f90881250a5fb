"""The supervisors' metrics: one day (server time zone), one flow or all, as charts and as
CSV. Calls tried from the console are left out: they are supervisors, not callers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from ivr_app.console import charts, flow_files
from ivr_app.console.auth import guard
from ivr_app.console.text import t
from ivr_app.line.measures import CSV_FIELDS, csv_row, measure
from ivr_app.services import Services, services
from ivr_app.state.call_log import CallLog

bp = Blueprint("metrics", __name__, url_prefix="/console/metrics")
guard(bp, supervisors_only=True)


def _choice(ivr: Services) -> tuple[dt.date, str]:
    """The day and flow asked for (today and every flow by default); 400 for a flow that is
    not one of the files (its name goes into the CSV's file name)."""
    try:
        day = dt.date.fromisoformat(request.args.get("day") or ivr.clock().astimezone()
                                    .date().isoformat())
    except ValueError:
        abort(400, "day must look like 2026-11-25")
    flow = request.args.get("flow", "")
    if flow and flow not in flow_files.names(ivr):
        abort(400, f"no flow {flow[:64]!r}")
    return day, flow


def _records(ivr: Services, day: dt.date, flow: str) -> tuple[list[dict[str, Any]], list]:
    start = dt.datetime.combine(day, dt.time()).astimezone()
    span = (start.timestamp(), (start + dt.timedelta(days=1)).timestamp())
    calls = [c for c in CallLog(ivr.redis).between(*span)
             if not c["trial"] and (not flow or c["flow"] == flow)]
    callbacks = [(c, ivr.callbacks.history(c.id))
                 for c in ivr.callbacks.requested_between(*span) if not flow or c.flow == flow]
    return calls, callbacks


@bp.get("")
def page() -> str:
    ivr = services()
    day, flow = _choice(ivr)
    numbers = measure(*_records(ivr, day, flow))
    drawn = {
        "per_hour": charts.bars([(f"{h:02d}", n) for h, n in enumerate(numbers["per_hour"])]),
        "outcomes": charts.hbars([(t(kind), n) for kind, n in numbers["outcomes"]]),
        "zero_outs": charts.hbars(numbers["zero_outs"]),
        "waits": charts.scatter(numbers["waits"]),
        "callbacks": charts.hbars([(t(kind.replace("on-time", "on_time")), n)
                                   for kind, n in numbers["callbacks"]]),
    }
    return render_template("console/metrics.html", day=day, flow=flow, m=numbers,
                           charts=drawn, flows=flow_files.names(ivr))


@bp.get("/calls.csv")
def export() -> Response:
    """The day's calls, one row each, for a spreadsheet."""
    ivr = services()
    day, flow = _choice(ivr)
    calls, _ = _records(ivr, day, flow)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    writer.writerows(csv_row(call) for call in calls)
    name = f"calls-{day.isoformat()}{'-' + flow if flow else ''}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
