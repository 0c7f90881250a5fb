"""Checking nodes: each one's type, the fields its type declares, and where gotos lead."""

from __future__ import annotations

from typing import Any

from ivr_app.flow import checker, model, spec
from ivr_app.flow.checker import NAME, Checker, Kind
from ivr_app.flow.nodes import TYPES
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import Wording, did_you_mean, words


def node_ref(check: Checker, value: Any, path: Path_) -> str | None:
    """A goto; remembered, so a target that is not a node can be reported at the end."""
    target = checker.text(check, value, path)
    if target is not None:
        check.refs.append((target, path))
    return target


def nodes(check: Checker, value: Any, path: Path_) -> dict[str, model.Node] | None:
    if not check.expect(value, dict, path, "'nodes'"):
        return None
    built = {}
    for node_id, item in value.items():
        found = node(check, node_id, item, (*path, node_id))
        if found is not None:
            built[node_id] = found
    return built


def node_type(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in TYPES:
        check.error(path, words("unknown node type {text!r}; {hint}expected one of {types}",
                                "tipo de nodo desconocido {text!r}; {hint}se espera uno de "
                                "{types}", text=text, hint=did_you_mean(text, TYPES),
                                types=", ".join(TYPES)), "type")
        return None
    return text


def node(check: Checker, node_id: str, value: Any, path: Path_) -> model.Node | None:
    """Check one node against its type's fields and build it with its type's build."""
    before = len(check.problems)
    if not NAME.match(node_id):
        check.error(path, words("node id {node!r} is not a valid name",
                                "el id de nodo {node!r} no es un nombre válido",
                                node=node_id), "type", key=True)
    if not check.expect(value, dict, path, _node(node_id)):
        return None
    if "type" not in value:
        check.error(path, words(
            "{node}: missing required field 'type'; expected one of {types}",
            "{node}: falta el campo obligatorio 'type'; se espera uno de {types}",
            node=_node(node_id), types=", ".join(TYPES)), "required", key=True)
        return None
    name = node_type(check, value["type"], (*path, "type"))
    if name is None:
        return None
    kind = TYPES[name]
    table = spec.COMMON_NODE_FIELDS | kind.fields
    table.pop("type")
    checked = check.fields(value, path, table, _node(node_id), extra=("type",))
    if checked is not None:
        checked = kind.build(check, checked, path)
    if checked is None or len(check.problems) > before:
        return None
    return kind.model(id=node_id, type=name, **checked)


def _node(node_id: str) -> Wording:
    return words("node {node!r}", "nodo {node!r}", node=node_id)


KINDS: dict[str, Kind] = {"node_ref": node_ref, "nodes": nodes, "node_type": node_type}
