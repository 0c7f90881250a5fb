"""Supervisors' flow pages: the list with each file's check, the editor (errors at their
lines, save activates only what the loader accepts), the history with one-click rollback,
and the flow drawn with its escapes.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ivr_app.call import replay
from ivr_app.call.rehearsal import scorecard
from ivr_app.console import flow_files
from ivr_app.console.auth import guard
from ivr_app.console.diagram import layout
from ivr_app.console.text import language, script_text, t
from ivr_app.flow.errors import FlowError, Problem
from ivr_app.flow.model import Flow
from ivr_app.flow.source import MAX_BYTES
from ivr_app.platform.json_body import json_body
from ivr_app.services import services
from ivr_app.state.call_log import CallLog
from ivr_app.state.flow_history import FlowHistory

bp = Blueprint("flows", __name__, url_prefix="/console/flows")
guard(bp, supervisors_only=True)
FLOW_BODY = 4 * MAX_BYTES  # a flow file's text, form- or JSON-encoded


@bp.url_value_preprocessor
def room_for_a_flow(endpoint: str | None, values: dict | None) -> None:
    """A flow's text may be larger than a webhook's body (MAX_CONTENT_LENGTH); this runs
    before the app's own check of the size."""
    request.max_content_length = FLOW_BODY


@bp.get("")
def index() -> str:
    ivr = services()
    history = FlowHistory(ivr.redis)
    files = [flow_files.read(ivr, name) for name in flow_files.names(ivr)]
    latest = {f.name: (history.entries(f.name) or [None])[0] for f in files}
    drafts = {f.name: history.draft(f.name) for f in files}
    return render_template("console/flows.html", files=files, latest=latest, drafts=drafts)


def _file(name: str) -> flow_files.FlowFile:
    try:
        return flow_files.read(services(), name)
    except LookupError:
        abort(404)


@bp.get("/<name>")
def edit(name: str) -> str:
    """The editor: the draft if there is one, else the file, with what the loader says, and
    the version the text is edited from (the draft's own, else the live one); a recorded
    version opened from the history is edited as if from the live one, and says so."""
    ivr = services()
    found = _file(name)
    history = FlowHistory(ivr.redis)
    draft = history.draft(name)
    version = request.args.get("version", "")
    text, flow, problems, base = found.text, found.flow, found.problems, found.went_live
    opened = None
    if version:
        opened = history.entry(name, version)
        if opened is None:
            abort(404)
        text = opened["text"]
        flow, problems = flow_files.check(ivr, name, text)
    elif draft:
        text, base = draft["text"], draft.get("base", base)
        flow, problems = flow_files.check(ivr, name, text)
    return _editor(found, text, flow, problems, None if version else draft, base, opened=opened)


def _editor(found: flow_files.FlowFile, text: str, flow: Flow | None, problems: list[Problem],
            draft: dict[str, str] | None, base: str, status: int = 200,
            changed: list[str] | None = None,
            opened: dict | None = None) -> str | tuple[str, int]:
    ivr = services()
    shown = flow or found.flow or ivr.registry.last_good(found.name)
    history = FlowHistory(ivr.redis).entries(found.name)
    page = render_template(
        "console/flow_edit.html", file=found, text=text, flow=flow, problems=problems,
        draft=draft, base=base, opened=opened, changed=changed, history=history,
        loads={e["version"]: flow_files.loads_today(ivr, found.name, e) for e in history},
        drawing=layout(shown) if shown else None, drawn=shown, script_table=script_text(),
        card=scorecard(shown) if shown else [],
        today=ivr.clock().astimezone().date().isoformat())  # the day replay offers first
    return (page, status) if status != 200 else page


@bp.post("/<name>")
def save(name: str) -> Response | tuple[str, int]:
    """Activate the text if it passes the loader and was edited from the live version;
    otherwise keep it as a draft and say where it is wrong (422) or what went live since
    (409), while the live version goes on answering calls."""
    ivr = services()
    found = _file(name)
    text = request.form.get("text", "").replace("\r\n", "\n")
    base = request.form.get("base", "")
    saved = flow_files.save(ivr, name, text, current_user.user.name, base)
    draft = FlowHistory(ivr.redis).draft(name)
    if saved.conflict:
        flash(t("conflict", live=saved.conflict, base=base or "—"), "error")
        changed = flow_files.changes(ivr, name, base, saved.conflict)
        return _editor(found, text, *flow_files.check(ivr, name, text), draft, saved.conflict,
                       409, changed)
    if saved.flow is None:
        live = ivr.registry.last_good(name)
        flash(t("draft_kept", version=live.version if live else "—"), "error")
        return _editor(found, text, None, saved.problems, draft, base, 422)
    flash(t("saved", version=saved.flow.version), "ok")
    return redirect(url_for("flows.edit", name=name))


@bp.get("/<name>/standing")
def standing(name: str) -> Response:
    """Where the flow stands now, for an open editor: the version that went live last, the
    one answering calls, and why the file on disk is refused, if it is."""
    found = _file(name)
    return jsonify({"live": found.went_live, "serving": found.serving,
                    "refused": found.refused(language())})


@bp.post("/<name>/check")
def check(name: str) -> Response:
    """What the loader says of the editor's text, as the supervisor types."""
    _file(name)
    body = json_body()
    flow, problems = flow_files.check(services(), name, str(body.get("text", "")))
    return jsonify({"version": flow.version if flow else None,
                    "problems": [{"line": p.line, "column": p.column,
                                  "message": p.said(language()), "rule": p.rule}
                                 for p in problems]})


@bp.post("/<name>/replay")
def replay_day(name: str) -> Response | tuple[Response, int]:
    """The editor's text played on a recorded day's calls (call/replay.py), beside what
    happened: nothing of the live line is touched."""
    _file(name)
    ivr, body = services(), json_body()
    try:
        day = dt.date.fromisoformat(str(body.get("day", "")))
    except ValueError:
        return jsonify({"error": t("replay_bad_day")}), 400
    flow, problems = flow_files.check(ivr, name, str(body.get("text", "")))
    if flow is None:
        return jsonify({"error": t("problems", n=len(problems))}), 400
    return jsonify(replay.replay_day(flow, CallLog(ivr.redis).of_day(day), day).as_dict())


@bp.post("/<name>/rollback/<version>")
def roll_back(name: str, version: str) -> Response:
    ivr = services()
    _file(name)
    try:
        flow = flow_files.roll_back(ivr, name, version, current_user.user.name)
    except LookupError:
        abort(404)
    except FlowError as exc:
        flash(exc.located(language()), "error")
    else:
        flash(t("rolled_back", version=flow.version), "ok")
    return redirect(url_for("flows.edit", name=name))
