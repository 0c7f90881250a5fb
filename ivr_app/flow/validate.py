"""Check a parsed flow against the spec and the escape-hatch rules; build a Flow.

Every problem is collected with its line and column, so a supervisor fixes a
file in one pass. The runtime only ever sees flows that got through here.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

from ivr_app.flow import builtins, model, spec
from ivr_app.flow.errors import FlowError, unforeseen
from ivr_app.flow.graph_rules import check_graph
from ivr_app.flow.node_rules import NodeChecker
from ivr_app.flow.source import Path_, Source, read_file
from ivr_app.flow.turn_rules import check_turns


def load_flow(path: str | Path) -> model.Flow:
    """Read, check and build the flow in `path`; raise FlowError listing every problem."""
    return validate(read_file(path), Path(path).stem)


def validate(source: Source, name: str) -> model.Flow:
    """Check a parsed source and build its Flow; raise FlowError listing every problem."""
    checker = _Checker(source)
    try:
        flow = checker.build(name)
    except Exception as exc:  # RecursionError, or a bug: still a located refusal
        raise unforeseen(source.file, exc) from exc
    if checker.problems or flow is None:
        raise FlowError(checker.problems)
    return flow


class _Checker(NodeChecker):
    """Checks a whole flow: languages first, then everything that depends on them."""

    def build(self, name: str) -> model.Flow | None:
        data = self.source.data
        if not self.expect(data, dict, (), "a flow file"):
            return None
        order = ["languages", "escape_words", "messages", "hours", "callbacks", "returning",
                 "queues", "reasons"]
        ordered = {k: data[k] for k in order if k in data} | data
        top = self.fields(ordered, (), spec.TOP_FIELDS, "flow")
        if top is None:
            return None
        nodes = top.get("nodes") or {}
        raw_nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
        for target, path in self.refs:
            if target not in raw_nodes:
                hint = difflib.get_close_matches(target, list(raw_nodes), n=1)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
                self.error(path, f"goto target {target!r} is not a node{did_you_mean}",
                           "unknown-target")
        for path, message, rule in check_graph(data.get("start"), raw_nodes):
            self.error(path, message, rule, key=True)
        human = top.get("human")
        messages = self.messages(top.get("messages") or {})
        if self.problems or not human or not self.languages:
            return None
        start = top["start"]
        flow = model.Flow(
            name=name,
            version=hashlib.sha256(self.source.text.encode()).hexdigest()[:12],
            languages=self.languages,
            human=human,
            start=start,
            nodes=nodes,
            messages=messages,
            escape_words=self.escape_words,
            hours=top.get("hours") or {},
            callbacks=top.get("callbacks") or model.CallbackSettings(),
            returning=top.get("returning"),
            queue_names=top.get("queues") or {},
            reason_names=top.get("reasons") or {},
            retries=top.get("retries", spec.LIMITS["retries"][2]),
            timeout=top.get("timeout", spec.LIMITS["timeout"][2]),
        )
        for queue in sorted(flow.queue_names.keys() - flow.queues()):
            self.error(("queues", queue), f"queue {queue!r} is not one the flow sends callers "
                       f"to ({', '.join(sorted(flow.queues()))})", "unknown-queue", key=True)
        for reason in sorted(flow.reason_names.keys() - flow.reasons()):
            self.error(("reasons", reason), f"reason {reason!r} is not one the flow gives "
                       "(human.reason or a transfer's reason)", "unknown-reason", key=True)
        for node_id, message, rule in check_turns(flow):
            self.error(("nodes", node_id) if node_id else ("messages",), message, rule,
                       key=True)
        return None if self.problems else flow

    def messages(self, given: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        result = {}
        for lang in self.languages:
            merged = {**builtins.MESSAGES.get(lang, {}), **given.get(lang, {})}
            missing = [k for k in builtins.MESSAGE_KEYS if k not in merged]
            if missing:
                self.error(("languages", lang), f"language {lang!r} has no built-in messages; "
                           f"add messages.{lang} with {', '.join(missing)}", "translation",
                           key=True)
            result[lang] = merged
        return result

    def k_human(self, value: Any, path: Path_) -> model.Human | None:
        checked = self.fields(value, path, spec.HUMAN_FIELDS, "'human'")
        if not checked or None in checked.values() or "queue" not in checked:
            return None
        if checked.get("supervisor_key") == "1":
            self.error((*path, "supervisor_key"), "supervisor_key 1 is taken: while waiting, "
                       "1 asks for a callback; choose another key", "escape")
            return None
        return model.Human(**checked)


