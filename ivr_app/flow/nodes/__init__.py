"""Node types, one module each, found here and registered once in TYPES.

A node type's module holds all of it, as the NodeType named TYPE it defines (see
base.NodeType): its fields and how they are checked and built into its dataclass, what
the engine does on entering it (and with an answer, if it asks), how the diagrams draw
it, what it tells the audit and which phrases it listens for. The checker, engine,
diagrams, audit and vocabulary read TYPES and never name a type. Every module of this
package but `base` is a type: adding one is its module, its tests and its row in
flows/README.md.
"""

from __future__ import annotations

import importlib
import pkgutil

from ivr_app.flow.checker import Kind
from ivr_app.flow.model import Node
from ivr_app.flow.nodes.base import NodeType


def _found() -> dict[str, NodeType]:
    """Each module's TYPE, by name, in the modules' alphabetical order."""
    types = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            kind = importlib.import_module(f"{__name__}.{module.name}").TYPE
            types[kind.name] = kind
    return types


TYPES: dict[str, NodeType] = _found()


def of(node: Node) -> NodeType:
    """The type of a built node."""
    return TYPES[node.type]


def asked_in(node: Node, lang: str) -> tuple[str, ...]:
    """The languages a node's question is asked in, for a caller speaking `lang`: its
    read-back is said, and its yes or no heard, in each (a caller at the language question
    has not chosen theirs yet)."""
    question = of(node).question
    return question(node, lang).languages if question is not None else (lang,)


def kinds() -> dict[str, Kind]:
    """The kinds of value the registered types' own fields use."""
    return {name: kind for t in TYPES.values() for name, kind in t.kinds.items()}
