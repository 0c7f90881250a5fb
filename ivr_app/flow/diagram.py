"""Draw a flow as a Mermaid diagram, with the escape hatch shown on every question."""

from __future__ import annotations

from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes import of


def mermaid(flow: Flow) -> str:
    """A `flowchart TD` of every node and edge, and one node per queue a person answers;
    dotted edges are the escape to the human queue, a transfer goes to its own queue."""
    lines = ["flowchart TD", f'    START(("call")) --> {_id(flow.start)}']
    lines += [f'    {_queue(q)}[["person: queue {q}"]]' for q in sorted(flow.queues())]
    human = _queue(flow.human.queue)
    for node in flow.nodes.values():
        left, right = of(node).drawn.brackets
        lines.append(f'    {_id(node.id)}{left}"{node.id} ({node.type})"{right}')
        for label, target in edges(node):
            lines.append(f'    {_id(node.id)} -->|"{label}"| {_id(target)}' if label
                         else f"    {_id(node.id)} --> {_id(target)}")
        if node.asks:
            lines.append(f'    {_id(node.id)} -.->|"0 / agente / agent"| {human}')
        if node.transfers_to() is not None:
            lines.append(f"    {_id(node.id)} --> {_queue(flow.queue_for(node))}")
    return "\n".join(lines) + "\n"


def _id(node_id: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in node_id)


def _queue(name: str) -> str:
    return "Q_" + "".join(c if c.isalnum() else "_" for c in name)


def edges(node: Node) -> list[tuple[str, str]]:
    """Where a node leads: (label, target) pairs, the label empty for a plain next step."""
    return of(node).edges(node)
