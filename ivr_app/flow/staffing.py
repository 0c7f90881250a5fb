"""Which queues of a flow the agents of a roster serve: a queue that no agent serves holds
its callers for nobody. Lint warns (the roster may change before calls come)."""

from __future__ import annotations

from collections.abc import Collection

from ivr_app.flow.model import Flow
from ivr_app.flow.source import Path_, Source

RULE = "unserved-queue"


def queue_marks(flow: Flow) -> dict[str, Path_]:
    """Each queue the flow sends callers to, with where the file first names it."""
    marks: dict[str, Path_] = {flow.human.queue: ("human", "queue")}
    if flow.human.supervisor_queue:
        marks.setdefault(flow.human.supervisor_queue, ("human", "supervisor_queue"))
    for node in flow.nodes.values():
        queue = node.transfers_to()
        if queue and queue != "supervisor":
            marks.setdefault(queue, ("nodes", node.id, "queue"))
    return marks


def unserved_warnings(source: Source, flow: Flow, served: Collection[str],
                      roster: str) -> list[str]:
    """A located warning for each queue of the flow that no agent of `roster` serves."""
    lines = []
    for queue, path in queue_marks(flow).items():
        if queue not in served:
            line, column = source.where(path)
            lines.append(f"{source.file}:{line}:{column}: warning: queue {queue!r} is served "
                         f"by no agent of {roster}: its callers would wait for nobody [{RULE}]")
    return lines
