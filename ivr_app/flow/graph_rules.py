"""Rules about the shape of the call graph, beyond each node's own fields.

Every node must be reachable, and from every node the caller must be able to
reach a person or a goodbye without being walked round a loop that never asks
them anything. The rules read the raw node mappings, so they still run (and
report) when some nodes have other problems.
"""

from __future__ import annotations

from typing import Any

from ivr_app.flow.nodes import TYPES
from ivr_app.flow.wording import Wording, words

Finding = tuple[tuple[str, ...], Wording, str]  # (path, message, rule)


def raw_targets(node: Any) -> list[str]:
    """The node ids a raw node mapping may lead to, valid or not."""
    if not isinstance(node, dict):
        return []
    found = [node.get("next"), node.get("otherwise")]
    for list_field in ("options", "cases"):
        items = node.get(list_field)
        if isinstance(items, list):
            found += [i.get("goto") for i in items if isinstance(i, dict)]
    return [t for t in found if isinstance(t, str)]


def check_graph(start: Any, nodes: dict[str, Any]) -> list[Finding]:
    """Return every graph problem: unreachable nodes, dead ends, silent loops."""
    edges = {i: [t for t in raw_targets(n) if t in nodes] for i, n in nodes.items()}
    kinds = {i: n.get("type") if isinstance(n, dict) else None for i, n in nodes.items()}
    kinds = {i: k if isinstance(k, str) else None for i, k in kinds.items()}
    start = start if isinstance(start, str) and start in nodes else None
    # A node whose type is broken is reported elsewhere; assume the best of it here.
    asks = {i for i, k in kinds.items() if k not in TYPES or TYPES[k].asks}
    # A question that may pass the caller on without asking (a collect skipped once its
    # variable is known) may not be counted on to ask.
    skippable = {i for i, n in nodes.items() if kinds[i] in TYPES and TYPES[kinds[i]].skips(n)}
    findings: list[Finding] = []
    # A start that is not a node's name is reported elsewhere; no node is unreached by it.
    reached = _reachable(start, edges) if start is not None else set(nodes)
    findings += [(("nodes", i), words("node {node!r} is never reached from start {start!r}",
                                      "al nodo {node!r} nunca se llega desde el inicio "
                                      "{start!r}", node=i, start=start),
                  "unreachable") for i in nodes if i not in reached]
    ends = {i for i, k in kinds.items() if k in TYPES and TYPES[k].ends}
    finishing = _can_finish(edges, asks | ends)
    findings += [(("nodes", i), words("node {node!r} leads neither to a person nor to a "
                                      "goodbye", "el nodo {node!r} no lleva ni a una persona "
                                      "ni a una despedida", node=i),
                  "dead-end") for i in nodes if i not in finishing]
    for loop in _silent_loops(edges, (set(nodes) - asks) | skippable):
        findings.append((("nodes", loop[0]), words(
            "nodes {loop} form a loop that never asks the caller anything",
            "los nodos {loop} forman un ciclo que nunca pregunta nada a quien llama",
            loop=" -> ".join([*loop, loop[0]])), "silent-loop"))
    return findings


def _reachable(start: Any, edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [start] if start in edges else []
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(edges[node_id])
    return seen


def _can_finish(edges: dict[str, list[str]], done: set[str]) -> set[str]:
    """Nodes with a path to an ending node; asking nodes always have the escape."""
    done = set(done)
    changed = True
    while changed:
        changed = False
        for node_id, targets in edges.items():
            if node_id not in done and any(t in done for t in targets):
                done.add(node_id)
                changed = True
    return done


def _silent_loops(edges: dict[str, list[str]], silent: set[str]) -> list[list[str]]:
    """Cycles made only of nodes that do not ask for input, each reported once."""
    loops: list[list[str]] = []
    reported: set[str] = set()
    for first in edges:
        if first not in silent or first in reported:
            continue
        stack, visited = [(first, [first])], {first}
        while stack:
            node_id, path = stack.pop()
            if first in edges[node_id]:
                loops.append(path)
                reported.update(path)
                break
            for target in edges[node_id]:
                if target in silent and target not in visited:
                    visited.add(target)
                    stack.append((target, [*path, target]))
    return loops
