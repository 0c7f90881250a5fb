"""Draw a flow as a Mermaid diagram, with the escape hatch shown on every question."""

from __future__ import annotations

from ivr_app.flow.model import (
    BranchNode,
    Condition,
    Flow,
    LanguageNode,
    MenuNode,
    Node,
    TransferNode,
)

_SHAPES = {"menu": ("{{", "}}"), "language": ("{{", "}}"), "collect": ("[/", "/]"),
           "branch": ("{", "}"), "say": ("(", ")"), "transfer": ("[[", "]]"),
           "goodbye": ("([", "])")}


def mermaid(flow: Flow) -> str:
    """A `flowchart TD` of every node and edge, and one node per queue a person answers;
    dotted edges are the escape to the human queue, a transfer goes to its own queue."""
    lines = ["flowchart TD", f'    START(("call")) --> {_id(flow.start)}']
    lines += [f'    {_queue(q)}[["person: queue {q}"]]' for q in sorted(flow.queues())]
    human = _queue(flow.human.queue)
    for node in flow.nodes.values():
        left, right = _SHAPES[node.type]
        lines.append(f'    {_id(node.id)}{left}"{node.id} ({node.type})"{right}')
        for label, target in edges(node):
            lines.append(f'    {_id(node.id)} -->|"{label}"| {_id(target)}' if label
                         else f"    {_id(node.id)} --> {_id(target)}")
        if node.asks:
            lines.append(f'    {_id(node.id)} -.->|"0 / agente / agent"| {human}')
        if isinstance(node, TransferNode):
            lines.append(f"    {_id(node.id)} --> {_queue(flow.queue_for(node))}")
    return "\n".join(lines) + "\n"


def _id(node_id: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in node_id)


def _queue(name: str) -> str:
    return "Q_" + "".join(c if c.isalnum() else "_" for c in name)


def edges(node: Node) -> list[tuple[str, str]]:
    """Where a node leads: (label, target) pairs, the label empty for a plain next step."""
    if isinstance(node, MenuNode):
        return [(f"key {o.key}", o.goto) for o in node.options]
    if isinstance(node, LanguageNode):
        return [(", ".join(f"{c.key}: {c.language}" for c in node.choices), node.next)]
    if isinstance(node, BranchNode):
        return [(_condition(c.when), c.goto) for c in node.cases] + [("otherwise",
                                                                      node.otherwise)]
    return [("", t) for t in node.targets()]


def _condition(cond: Condition) -> str:
    if cond.hours:
        return f"{cond.hours} {'open' if cond.open else 'closed'}"
    if cond.is_set is not None:
        return f"{cond.var} {'set' if cond.is_set else 'not set'}"
    if cond.one_of is not None:
        return f"{cond.var} in {', '.join(cond.one_of)}"
    return f"{cond.var} = {cond.equals}"
