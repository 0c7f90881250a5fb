"""Goodbye: its prompt is said and the call ends; the only node that hangs up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import (
    Drawn,
    Entered,
    Facts,
    NodeType,
    keep,
    keys_only,
    nowhere,
    plain_edges,
)


@dataclass(frozen=True)
class GoodbyeNode(Node):
    pass


def enter(flow: Flow, state: dict[str, Any], node: GoodbyeNode, now: dt.datetime) -> Entered:
    return Entered("hang up", says=True)


def facts(node: GoodbyeNode) -> Facts:
    return Facts(goodbye=True)


TYPE = NodeType(
    name="goodbye", model=GoodbyeNode, fields={"prompt": ("prompt", True)},
    build=keep, enter=enter, passes_to=nowhere,
    drawn=Drawn(("([", "])"), fill="#d1fadf", rounded=True), edges=plain_edges,
    facts=facts, listens=keys_only, ends=True,
)
