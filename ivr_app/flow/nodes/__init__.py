"""Node types, one module each, registered once in TYPES.

A node type's module holds all of it: its fields and how they are checked and built
into its dataclass, what the engine does on entering it (and with an answer, if it
asks), how the diagram draws it, what it tells the audit and which phrases it listens
for (see base.NodeType). The checker, engine, diagram, audit and vocabulary read TYPES
and never name a type. Adding a type is a module, a row here, and its documentation
in flows/README.md.
"""

from __future__ import annotations

from ivr_app.flow.checker import Kind
from ivr_app.flow.model import Node
from ivr_app.flow.nodes import branch, collect, goodbye, language, menu, say, transfer
from ivr_app.flow.nodes.base import NodeType

# In the order lint lists them.
TYPES: dict[str, NodeType] = {t.name: t for t in (
    language.TYPE, menu.TYPE, collect.TYPE, branch.TYPE, say.TYPE, transfer.TYPE,
    goodbye.TYPE)}


def of(node: Node) -> NodeType:
    """The type of a built node."""
    return TYPES[node.type]


def kinds() -> dict[str, Kind]:
    """The kinds of value the registered types' own fields use."""
    return {name: kind for t in TYPES.values() for name, kind in t.kinds.items()}
