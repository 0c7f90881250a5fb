"""The flows that answer calls, reloaded from disk when edited, but only if valid.

An edit that fails the loader is logged and ignored: the last good version
keeps answering. Every version a call started on stays available (in this
process, or from its text kept in Redis) until the call ends. A process that
starts while the file is broken serves the last good version its keeper (Redis)
remembers, rather than sending every caller to the fallback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ivr_app.flow.errors import FlowError, Problem
from ivr_app.flow.model import Flow
from ivr_app.flow.source import read_text
from ivr_app.flow.validate import checked
from ivr_app.flow.wording import words

log = logging.getLogger(__name__)
KEPT_VERSIONS = 32
SETTLE_SECONDS = 2.0


class Keeper(Protocol):
    """Where flow texts outlive the process (state/flows.py): the last good one of each flow,
    and every version calls are using."""

    def save(self, name: str, version: str, text: str) -> None: ...

    def load(self, name: str) -> str | None: ...

    def version(self, name: str, version: str) -> str | None: ...


class FlowRegistry:
    """Loads flows by name from a folder; checks files for edits at most every `check_every` s."""

    def __init__(self, flows_dir: str | Path, check_every: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, keeper: Keeper | None = None):
        self.flows_dir = Path(flows_dir)
        self.keeper = keeper
        self.check_every = check_every
        self.clock = clock
        self.errors: dict[str, FlowError] = {}
        self._current: dict[str, tuple[Flow, str]] = {}  # name -> (flow, text)
        self._file_sig: dict[str, tuple[int, int] | None] = {}
        self._read: dict[str, str] = {}  # the text last read from each file
        self._checked: dict[str, float] = {}
        self._versions: OrderedDict[tuple[str, str], tuple[Flow, str]] = OrderedDict()
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        return self.flows_dir / f"{name}.yaml"

    def current(self, name: str) -> Flow:
        """The newest valid version of a flow; raises FlowError if there has never been one."""
        with self._lock:
            now = self.clock()
            if now - self._checked.get(name, float("-inf")) >= self.check_every:
                self._checked[name] = now
                self._reload(name)
            if name not in self._current:
                raise self.errors.get(name) or FlowError([])
            return self._current[name][0]

    def last_good(self, name: str) -> Flow | None:
        """The newest valid version already in memory, without touching the disk."""
        loaded = self._current.get(name)
        return loaded[0] if loaded else None

    def source(self, flow: Flow) -> str:
        """The text of a flow version this registry loaded (from disk, Redis or adopt())."""
        with self._lock:
            kept = self._versions.get((flow.name, flow.version))
        return kept[1] if kept else self._current[flow.name][1]

    def adopt(self, name: str, text: str) -> Flow:
        """Check a text and keep it as a version of `name` that is not the live one (a call
        the console tries on it); raises FlowError like the loader."""
        flow = checked(text, str(self.path(name)), name)
        with self._lock:
            self._remember(flow, text)
        return flow

    def version(self, name: str, version: str) -> Flow:
        """A specific version (the one a call started on): from memory, or rebuilt from the
        text its keeper still has; LookupError if neither has it."""
        key = (name, version)
        with self._lock:
            if key in self._versions:
                self._versions.move_to_end(key)
                return self._versions[key][0]
        try:
            current = self.current(name)
        except FlowError:  # no valid file of that name now: the text alone will do
            current = None
        if current is not None and current.version == version:
            return current
        text = self.keeper.version(name, version) if self.keeper is not None else None
        if text is None:
            raise LookupError(f"flow {name} version {version} is no longer available")
        return self.adopt(name, text)

    def of_call(self, state: Mapping[str, Any]) -> Flow:
        """The version a call started on, which its state names ("flow", "version")."""
        return self.version(state["flow"], state["version"])

    def _reload(self, name: str) -> None:
        path = self.path(name)
        try:
            stat = path.stat()
        except OSError as exc:
            if name not in self._current:
                self.errors[name] = _file_error(path, exc)
            self._revive(name)
            return
        sig = (stat.st_mtime_ns, stat.st_size)
        if self._file_sig.get(name) == sig:
            return
        # Two edits in one clock tick can leave size and mtime alike: until the file is a
        # few seconds old, its text decides whether it changed.
        settled = time.time() - stat.st_mtime > SETTLE_SECONDS
        self._file_sig[name] = sig if settled else None
        try:
            text = read_text(path)
            if text == self._read.get(name):
                return
            self._read[name] = text
            flow = checked(text, str(path), name)
        except FlowError as exc:
            self.errors[name] = exc
            kept = "keeping the last good version" if name in self._current else "no version"
            log.error("flow %s refused (%s):\n%s", path, kept, exc)
            self._revive(name)
            return
        self.errors.pop(name, None)
        previous = self._current.get(name)
        if previous is None or previous[0].version != flow.version:
            log.info("flow %s loaded, version %s", path, flow.version)
        if self.keeper is not None:  # even a version this process had: the others may not
            self.keeper.save(name, flow.version, text)
        self._current[name] = (flow, text)
        self._remember(flow, text)

    def _revive(self, name: str) -> None:
        """No good version on disk: serve the keeper's last good one, so that every process
        serves the same (one that never read a short-lived good file would otherwise keep an
        older one); this process's own if the keeper has none."""
        text = self.keeper.load(name) if self.keeper is not None else None
        held = self._current.get(name)
        if text is None or (held is not None and held[1] == text):
            if held is None:
                log.error("!" * 72 + "\nflow %s has no valid version: every caller goes "
                          "straight to a person until it is fixed\n" + "!" * 72, name)
            return
        try:
            flow = checked(text, f"{self.path(name)} (last good, from Redis)", name)
        except FlowError as exc:  # written by an older release with other rules
            log.error("flow %s: the last good version kept in Redis is refused too:\n%s",
                      name, exc)
            return
        log.error("!" * 72 + "\nflow %s on disk is refused: serving its last good version "
                  "%s, kept in Redis, until the file is fixed\n" + "!" * 72, name, flow.version)
        self._current[name] = (flow, text)
        self._remember(flow, text)

    def _remember(self, flow: Flow, text: str) -> None:
        self._versions[(flow.name, flow.version)] = (flow, text)
        while len(self._versions) > KEPT_VERSIONS:
            self._versions.popitem(last=False)


def _file_error(path: Path, exc: OSError) -> FlowError:
    return FlowError([Problem.worded(str(path), 1, 1, words(
        "cannot read flow: {why}", "no se puede leer el flujo: {why}", why=exc.strerror),
        "file")])
