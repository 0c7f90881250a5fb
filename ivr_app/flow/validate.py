"""Check a parsed flow against the spec and the escape-hatch rules; build a Flow.

Every problem is collected with its line and column, so a supervisor fixes a
file in one pass. The runtime only ever sees flows that got through here.

Checking is composed, not inherited: one Checker carries what was found, the kinds
of value (checker.py, the *_rules modules, each node type's own) check the fields
their tables name, and the whole-flow rules below run over the result in order.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivr_app.flow import (
    builtins,
    callback_rules,
    checker,
    choice_rules,
    hours_rules,
    language_rules,
    model,
    node_rules,
    nodes,
    returning_rules,
    spec,
    survey_rules,
)
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.errors import FlowError, unforeseen
from ivr_app.flow.graph_rules import check_graph
from ivr_app.flow.nodes.language import LanguageNode
from ivr_app.flow.source import Path_, Source, parse, read_file
from ivr_app.flow.turn_rules import check_turns
from ivr_app.flow.wording import did_you_mean, words

# Top-level sections checked first, in this order: later ones refer to them.
_FIRST = ("languages", "escape_words", "messages", "hours", "callbacks", "returning",
          "survey", "queues", "reasons")


def load_flow(path: str | Path) -> model.Flow:
    """Read, check and build the flow in `path`; raise FlowError listing every problem."""
    return validate(read_file(path), Path(path).stem)


@functools.lru_cache(maxsize=64)
def checked(text: str, where: str, name: str) -> model.Flow:
    """`validate(parse(text, where), name)`, kept for the texts checked last: every app a
    process builds reads the same file, and the console checks one text many times. A flow
    is frozen, so one can serve them all; a refusal is not kept."""
    return validate(parse(text, where), name)


def validate(source: Source, name: str) -> model.Flow:
    """Check a parsed source and build its Flow; raise FlowError listing every problem."""
    check = Checker(source, kinds())
    try:
        flow = _build(check, name)
    except Exception as exc:  # RecursionError, or a bug: still a located refusal
        raise unforeseen(source.file, exc) from exc
    if check.problems or flow is None:
        raise FlowError(check.problems)
    return flow


def kinds() -> dict[str, Kind]:
    """Every kind of value a field table may name, the node types' own included."""
    return {**checker.KINDS, **hours_rules.KINDS, **language_rules.KINDS,
            **callback_rules.KINDS, **returning_rules.KINDS, **survey_rules.KINDS,
            **choice_rules.KINDS, **node_rules.KINDS, **nodes.kinds(), "human": human}


def _build(check: Checker, name: str) -> model.Flow | None:
    data = check.source.data
    if not check.expect(data, dict, (), "a flow file"):
        return None
    top = check.fields({k: data[k] for k in _FIRST if k in data} | data, (), spec.TOP_FIELDS,
                       "flow")
    if top is None:
        return None
    raw_nodes = data.get("nodes") if isinstance(data.get("nodes"), dict) else {}
    for rule in RAW_RULES:
        rule(check, data.get("start"), raw_nodes)
    human = top.get("human")
    messages = _messages(check, top.get("messages") or {})
    if check.problems or not human or not check.languages:
        return None
    flow = model.Flow(
        name=name,
        version=hashlib.sha256(check.source.text.encode()).hexdigest()[:12],
        languages=check.languages,
        human=human,
        start=top["start"],
        nodes=top.get("nodes") or {},
        messages=messages,
        escape_words=check.escape_words,
        hours=top.get("hours") or {},
        callbacks=top.get("callbacks") or model.CallbackSettings(),
        returning=top.get("returning"),
        survey=top.get("survey"),
        queue_names=top.get("queues") or {},
        reason_names=top.get("reasons") or {},
        retries=top.get("retries", spec.LIMITS["retries"][2]),
        timeout=top.get("timeout", spec.LIMITS["timeout"][2]),
        speech_bands=top.get("speech_bands") or {},
    )
    for flow_rule in FLOW_RULES:
        flow_rule(check, flow)
    return None if check.problems else flow


def unknown_targets(check: Checker, start: Any, raw_nodes: dict[str, Any]) -> None:
    """Every goto, and the start, names a node."""
    for target, path in check.refs:
        if target not in raw_nodes:
            hint = did_you_mean(target, raw_nodes, "; ", "")
            if path == ("start",):
                said = words("start {target!r} is not a node{hint}",
                             "el inicio {target!r} no es un nodo{hint}", target=target, hint=hint)
            else:
                said = words("goto target {target!r} is not a node{hint}",
                             "el destino de goto {target!r} no es un nodo{hint}",
                             target=target, hint=hint)
            check.error(path, said, "unknown-target")


def graph(check: Checker, start: Any, raw_nodes: dict[str, Any]) -> None:
    """Every node is reached, reaches a person or a goodbye, and no loop is silent."""
    for path, message, rule in check_graph(start, raw_nodes):
        check.error(path, message, rule, key=True)


def unknown_queues(check: Checker, flow: model.Flow) -> None:
    """Queue display names are given only for queues the flow sends callers to."""
    for queue in sorted(flow.queue_names.keys() - flow.queues()):
        check.error(("queues", queue), words(
            "queue {queue!r} is not one the flow sends callers to ({queues})",
            "la fila {queue!r} no es una a la que el flujo envíe llamadas ({queues})",
            queue=queue, queues=", ".join(sorted(flow.queues()))), "unknown-queue", key=True)


def unknown_reasons(check: Checker, flow: model.Flow) -> None:
    """Reason display names are given only for reasons the flow gives agents."""
    for reason in sorted(flow.reason_names.keys() - flow.reasons()):
        check.error(("reasons", reason), words(
            "reason {reason!r} is not one the flow gives (human.reason or a transfer's reason)",
            "el motivo {reason!r} no es uno que dé el flujo (human.reason o el reason de una "
            "transferencia)", reason=reason), "unknown-reason", key=True)


def language_key(check: Checker, flow: model.Flow) -> None:
    """The first question after a language question takes no option on the key that
    changes a remembered language (call/kept_language.py)."""
    firsts: set[str] = set()
    for question in flow.nodes.values():
        if not isinstance(question, LanguageNode) or \
                len({c.language for c in question.choices}) < 2:
            continue  # no other language to change to
        todo, seen = list(nodes.of(question).passes_to(question)), set()
        while todo:
            node = flow.nodes[todo.pop()]
            if node.id in seen or node.type == "language":
                continue
            seen.add(node.id)
            if node.asks:
                firsts.add(node.id)
            todo += nodes.of(node).passes_to(node)
    for node_id in sorted(firsts):
        node = flow.nodes[node_id]
        heard = nodes.of(node).listens(node, flow.default_language)
        if heard is not None and builtins.LANGUAGE_KEY in heard.keys:
            check.error(("nodes", node_id), words(
                "key {key} changes the language of a caller greeted in the one their number "
                "chose, at the first question: give node {node!r} another key",
                "la tecla {key} cambia el idioma de quien llama y fue saludado en el que eligió "
                "su número, en la primera pregunta: dé otra tecla al nodo {node!r}",
                key=builtins.LANGUAGE_KEY, node=node_id), "language-key", key=True)


def turns(check: Checker, flow: model.Flow) -> None:
    """Every turn fits in one TwiML document and the engine's node limit."""
    for node_id, message, rule in check_turns(flow):
        check.error(("nodes", node_id) if node_id else ("messages",), message, rule,
                    key=True)


RAW_RULES: tuple[Callable[[Checker, Any, dict[str, Any]], None], ...] = (unknown_targets,
                                                                          graph)
FLOW_RULES: tuple[Callable[[Checker, model.Flow], None], ...] = (
    unknown_queues, unknown_reasons, language_key, turns, survey_rules.survey_fits)


def _messages(check: Checker, given: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    result = {}
    for lang in check.languages:
        merged = {**builtins.MESSAGES.get(lang, {}), **given.get(lang, {})}
        missing = [k for k in builtins.MESSAGE_KEYS if k not in merged]
        if missing:
            check.error(("languages", lang), words(
                "language {lang!r} has no built-in messages; add messages.{lang} with {keys}",
                "el idioma {lang!r} no tiene mensajes incluidos; agregue messages.{lang} con "
                "{keys}", lang=lang, keys=", ".join(missing)), "translation", key=True)
        result[lang] = merged
    return result


def human(check: Checker, value: Any, path: Path_) -> model.Human | None:
    checked = check.fields(value, path, spec.HUMAN_FIELDS, "'human'")
    if not checked or None in checked.values() or "queue" not in checked:
        return None
    if checked.get("supervisor_key") == "1":
        check.error((*path, "supervisor_key"), words(
            "supervisor_key 1 is taken: while waiting, 1 asks for a callback; choose another "
            "key", "supervisor_key 1 está ocupada: en la fila, 1 pide una devolución de "
            "llamada; elija otra tecla"), "escape")
        return None
    return model.Human(**checked)
