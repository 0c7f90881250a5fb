"""Transfer: hands the caller to a person, at the flow's human queue or its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ivr_app.flow.checker import Checker
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import (
    Drawn,
    Entered,
    Facts,
    NodeType,
    keys_only,
    nowhere,
    plain_edges,
)
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words


@dataclass(frozen=True)
class TransferNode(Node):
    reason: str = ""
    queue: str = ""  # empty: the flow's human queue

    def transfers_to(self) -> str | None:
        return self.queue


def build(check: Checker, checked: dict[str, Any], path: Path_) -> dict[str, Any]:
    if checked.get("queue") == "supervisor":
        human = check.source.data.get("human") if isinstance(check.source.data, dict) else None
        if not isinstance(human, dict) or "supervisor_queue" not in human:
            check.error((*path, "queue"), words(
                "queue 'supervisor' needs human.supervisor_queue",
                "la fila 'supervisor' necesita human.supervisor_queue"), "required")
    return checked


def enter(flow: Flow, state: dict[str, Any], node: TransferNode, now: dt.datetime) -> Entered:
    return Entered("person", flow.queue_for(node), node.reason or flow.human.reason,
                   says=True)


def facts(node: TransferNode) -> Facts:
    return Facts()


TYPE = NodeType(
    name="transfer", model=TransferNode,
    fields={"prompt": ("prompt", False), "reason": ("text", False), "queue": ("name", False)},
    build=build, enter=enter, passes_to=nowhere,
    drawn=Drawn(("[[", "]]"), fill="#fef0c7"), edges=plain_edges,
    facts=facts, listens=keys_only, ends=True,
)
