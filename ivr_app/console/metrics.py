"""The supervisors' metrics: one day (server time zone), one flow or all, as charts and as
CSV. Calls tried from the console are left out: they are supervisors, not callers. Beside
them, whether calls were solved (line/resolution.py): first-contact resolution per queue,
agent and flow, and its trend over the week up to the day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from ivr_app.console import charts, flow_files
from ivr_app.console.auth import guard
from ivr_app.console.live import queue_name
from ivr_app.console.text import t
from ivr_app.line import resolution
from ivr_app.line.measures import CSV_FIELDS, csv_row, measure
from ivr_app.services import Services, services
from ivr_app.state.call_log import CallLog

bp = Blueprint("metrics", __name__, url_prefix="/console/metrics")
TREND_DAYS = 7
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


def _span(day: dt.date) -> tuple[float, float]:
    start = dt.datetime.combine(day, dt.time()).astimezone()
    return start.timestamp(), (start + dt.timedelta(days=1)).timestamp()


def _calls(ivr: Services, day: dt.date, flow: str) -> list[dict[str, Any]]:
    return [c for c in CallLog(ivr.redis).between(*_span(day))
            if not c["trial"] and (not flow or c["flow"] == flow)]


def _records(ivr: Services, day: dt.date, flow: str) -> tuple[list[dict[str, Any]], list]:
    callbacks = [(c, ivr.callbacks.history(c.id))
                 for c in ivr.callbacks.requested_between(*_span(day))
                 if not flow or c.flow == flow]
    return _calls(ivr, day, flow), callbacks


def _solved(ivr: Services, day: dt.date, flow: str,
            calls: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, charts.Chart]]:
    """The day's resolution figures, and their charts: per queue, agent and flow, and the
    share of each day of the week up to this one."""
    log, window = CallLog(ivr.redis), ivr.config["REPEAT_WINDOW_HOURS"] * 3600
    solved = resolution.figures(log, calls, window)
    trend = {}
    for back in range(TREND_DAYS - 1, -1, -1):
        then = day - dt.timedelta(days=back)
        those = calls if then == day else _calls(ivr, then, flow)
        trend[then.isoformat()] = resolution.first_contact(
            those, resolution.repeated(log, those, window))
    fcr = solved["first_contact"]
    drawn = {"fcr_" + by: _shares(fcr["by_" + by], t("none_m")) for by in ("agent", "flow")}
    drawn["fcr_queue"] = _shares(fcr["by_queue"], t("none"), lambda q: queue_name(ivr, q))
    drawn["fcr_trend"] = _shares(trend, "")
    return solved, drawn


def _shares(groups: dict[str, dict[str, Any]], nameless: str,
            label: Callable[[str], str] = str) -> charts.Chart:
    """Resolved shares as lying bars: "67% (2/3)"; a group with no call shows "–". Calls
    without an agent, queue or flow are under `nameless`, in the gender of the word."""
    items = [(label(name) if name else nameless, 100 * (g["share"] or 0))
             for name, g in groups.items()]
    shown = [f"{round(100 * g['share'])}% ({g['resolved']}/{g['count']})" if g["count"]
             else "–" for g in groups.values()]
    return charts.hbars(items, shown)


@bp.get("")
def page() -> str:
    ivr = services()
    day, flow = _choice(ivr)
    calls, callbacks = _records(ivr, day, flow)
    numbers = measure(calls, callbacks)
    solved, solved_charts = _solved(ivr, day, flow, calls)
    drawn = {
        "per_hour": charts.bars([(f"{h:02d}", n) for h, n in enumerate(numbers["per_hour"])]),
        "outcomes": charts.hbars([(t(kind), n) for kind, n in numbers["outcomes"]]),
        "zero_outs": charts.hbars(numbers["zero_outs"]),
        "waits": charts.scatter(numbers["waits"]),
        "callbacks": charts.hbars([(t(kind.replace("on-time", "on_time")), n)
                                   for kind, n in numbers["callbacks"]]),
    } | solved_charts
    return render_template("console/metrics.html", day=day, flow=flow, m=numbers,
                           solved=solved, charts=drawn, flows=flow_files.names(ivr),
                           window=ivr.config["REPEAT_WINDOW_HOURS"])


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
