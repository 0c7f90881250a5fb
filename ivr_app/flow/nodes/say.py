"""Say: a statement; its prompt is said and the call goes on to `next` without asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import Drawn, Entered, Facts, NodeType, keep, keys_only, plain_edges


@dataclass(frozen=True)
class SayNode(Node):
    next: str = ""

    def targets(self) -> list[str]:
        return [self.next]


def enter(flow: Flow, state: dict[str, Any], node: SayNode, now: dt.datetime) -> Entered:
    return Entered("go", node.next, says=True)


def passes_to(node: SayNode) -> list[str]:
    return [node.next]


def facts(node: SayNode) -> Facts:
    return Facts(statement=True)


TYPE = NodeType(
    name="say", model=SayNode,
    fields={"prompt": ("prompt", True), "next": ("node_ref", True)},
    build=keep, enter=enter, passes_to=passes_to,
    drawn=Drawn(("(", ")")), edges=plain_edges,
    facts=facts, listens=keys_only,
)
