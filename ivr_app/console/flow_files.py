"""Changing the flows that answer calls, safely: only a text the loader accepts is written
to flows/ (where the registry picks it up); anything else stays a draft in Redis and never
answers a call. Every version that went live is recorded (state/flow_history.py), so one
click puts an earlier one back, and an edit made on disk is recorded the same way.

A text is checked as the loader reads the file (its size cap included), so what is saved
or rolled back is what will answer calls. A save names the version it was edited from: if
another has gone live since, the text is kept as a draft and the save refused, so two
supervisors editing at once never lose an edit without seeing it.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ivr_app.flow.errors import FlowError, Problem
from ivr_app.flow.model import Flow
from ivr_app.flow.source import decoded, read_text
from ivr_app.flow.validate import checked
from ivr_app.services import Services
from ivr_app.state.flow_history import FlowHistory

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOADS: dict[tuple[str, str], bool] = {}  # (flow, version): whether today's loader takes it
_LOADS_KEPT = 4096


@dataclass
class Saved:
    """What became of a save: the flow now live, or the loader's problems, or `conflict`, the
    version that went live after the one the text was edited from (the text is a draft)."""

    flow: Flow | None
    problems: list[Problem] = field(default_factory=list)
    conflict: str = ""


@dataclass
class FlowFile:
    """A flow file as the list shows it."""

    name: str
    text: str
    flow: Flow | None  # None when the file does not pass the loader
    problems: list[Problem] = field(default_factory=list)
    live: bool = False  # the flow that answers calls (IVR_FLOW)
    serving: str = ""  # the version this process answers calls with ("" if none)
    went_live: str = ""  # the version that went live last: what a save is compared with

    def refused(self, lang: str) -> list[str]:
        """Why the loader refuses the file on disk, each line as `lint` prints it, the
        message in `lang`."""
        return [p.located(lang) for p in self.problems] if self.flow is None else []


def names(ivr: Services) -> list[str]:
    return sorted(p.stem for p in ivr.registry.flows_dir.glob("*.yaml") if _NAME.match(p.stem))


def path_of(ivr: Services, name: str) -> Path:
    """The file of an existing flow; LookupError for any other name (no paths from outside)."""
    if not _NAME.match(name) or not ivr.registry.path(name).is_file():
        raise LookupError(f"no flow {name!r} in {ivr.registry.flows_dir}")
    return ivr.registry.path(name)


def check(ivr: Services, name: str, text: str) -> tuple[Flow | None, list[Problem]]:
    """What the loader says of a text, as if it were the file of flow `name`."""
    try:
        return _load(ivr, name, text), []
    except FlowError as exc:
        return None, exc.problems


def _load(ivr: Services, name: str, text: str) -> Flow:
    """The flow, as the loader would take the file holding `text`; FlowError otherwise."""
    where = str(ivr.registry.path(name))
    return checked(decoded(text.encode("utf-8"), where), where, name)


def loads_today(ivr: Services, name: str, entry: dict[str, str]) -> bool:
    """Whether a recorded version still passes the loader (remembered by version: the
    loader does not change while the process runs)."""
    key = (name, entry["version"])
    if key not in _LOADS:
        if len(_LOADS) >= _LOADS_KEPT:
            _LOADS.clear()
        _LOADS[key] = check(ivr, name, entry["text"])[0] is not None
    return _LOADS[key]


def read(ivr: Services, name: str) -> FlowFile:
    """The file as it is on disk, checked; a valid edit made there is recorded as live."""
    path = path_of(ivr, name)
    written = path.stat().st_mtime  # before reading: a newer text never gets an older time
    history = FlowHistory(ivr.redis)
    try:
        text = read_text(path)
    except FlowError as exc:
        text, flow, problems = "", None, exc.problems
    else:
        flow, problems = check(ivr, name, text)
    if flow is not None:
        history.record(name, flow.version, text, "disk", "disk", ivr.clock(), written)
    try:
        served: Flow | None = ivr.registry.current(name)  # picks up the file if it changed
    except FlowError:
        served = None
    return FlowFile(name, text, flow, problems, live=name == ivr.config["IVR_FLOW"],
                    serving=served.version if served else "", went_live=history.live(name))


def save(ivr: Services, name: str, text: str, who: str, base: str) -> Saved:
    """Activate `text`, edited from version `base`, if the loader accepts it and `base` is
    still live; otherwise keep it as the flow's draft."""
    path = path_of(ivr, name)
    history = FlowHistory(ivr.redis)
    flow, problems = check(ivr, name, text)
    if flow is None:
        history.save_draft(name, text, who, ivr.clock(), base)
        return Saved(None, problems)
    with history.editing(name):
        read(ivr, name)  # an edit made on disk since is recorded first
        live = history.live(name)
        if live not in (base, flow.version):
            history.save_draft(name, text, who, ivr.clock(), live)  # seen: may be saved over
            return Saved(None, conflict=live)
        history.record(name, flow.version, text, who, "console", ivr.clock(),
                       _write(path, text))
    history.drop_draft(name)
    return Saved(flow)


def changes(ivr: Services, name: str, since: str, live: str) -> list[str]:
    """What changed between two recorded versions, as unified diff lines."""
    history = FlowHistory(ivr.redis)
    before, after = history.entry(name, since), history.entry(name, live)
    return list(difflib.unified_diff(
        (before["text"] if before else "").splitlines(), (after["text"] if after else "")
        .splitlines(), f"{name} {since or '(none)'}", f"{name} {live}", lineterm=""))


def roll_back(ivr: Services, name: str, version: str, who: str) -> Flow:
    """Put an earlier live version back; LookupError if it is not in the history, FlowError
    if today's loader no longer accepts it."""
    path = path_of(ivr, name)
    history = FlowHistory(ivr.redis)
    entry = history.entry(name, version)
    if entry is None:
        raise LookupError(f"flow {name} has no recorded version {version}")
    flow = _load(ivr, name, entry["text"])
    history.record(name, flow.version, entry["text"], who, "rollback", ivr.clock(),
                   _write(path, entry["text"]))
    return flow


def _write(path: Path, text: str) -> float:
    """Replace the file in one step, so the registry never reads half of it; its mtime."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    written = temporary.stat().st_mtime
    os.replace(temporary, path)
    return written
