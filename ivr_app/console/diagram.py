"""A flow laid out for an SVG drawing: questions in rows by distance from the start, every
step as an arrow, and every way out to a person drawn in red (the escape on each question).

Only geometry and text come out of here; the template draws it, escaping every label.
The edges are the same ones `python -m ivr_app graph` prints (flow/diagram.py).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ivr_app.console.text import language, t
from ivr_app.flow.diagram import edges
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes import of

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 180, 46, 28, 74, 20
PERSON = "__person__"
# The arrows' labels as flow/diagram.py writes them (for `graph`, in English), and the
# console's words for each: the drawing speaks the reader's language.
EDGE_WORDS = ((re.compile(r"key (?P<choice>.+)"), "edge_key"),
              (re.compile(r"otherwise"), "edge_otherwise"),
              (re.compile(r"(?P<hours>\S+) open"), "edge_open"),
              (re.compile(r"(?P<hours>\S+) closed"), "edge_closed"),
              (re.compile(r"(?P<var>\S+) not set"), "edge_not_set"),
              (re.compile(r"(?P<var>\S+) set"), "edge_set"),
              (re.compile(r"(?P<var>\S+) in (?P<values>.+)"), "edge_in"))


@dataclass
class Box:
    id: str
    label: str
    kind: str  # the node type, or "person"
    x: float
    y: float
    asks: bool = False  # a question: 0 or an escape word reaches a person from here
    fill: str = "#fee4e2"  # the person's, unless its node type says otherwise
    rounded: bool = True


@dataclass
class Arrow:
    path: str
    label: str
    lx: float
    ly: float
    escape: bool = False  # the way to a person


@dataclass
class Drawing:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    box_w: int = BOX_W
    box_h: int = BOX_H


def layout(flow: Flow) -> Drawing:
    """Rows by breadth-first distance from the start node; the person box last, centred."""
    rows = _rows(flow)
    widest = max(len(row) for row in rows)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    where: dict[str, tuple[float, float]] = {}
    drawing = Drawing(width, MARGIN * 2 + (len(rows) + 1) * (BOX_H + GAP_Y))
    for depth, row in enumerate([*rows, [PERSON]]):
        span = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - span) / 2
        for i, node_id in enumerate(row):
            x, y = left + i * (BOX_W + GAP_X), MARGIN + depth * (BOX_H + GAP_Y)
            where[node_id] = (x, y)
            if node_id == PERSON:
                label = t("to_person_box", queue=flow.queue_said(flow.human.queue, language()))
                drawing.boxes.append(Box(PERSON, label, "person", x, y))
            else:
                node = flow.nodes[node_id]
                look = of(node).drawn
                drawing.boxes.append(Box(node_id, node_id, node.type, x, y, node.asks,
                                         look.fill, look.rounded))
    for node in flow.nodes.values():
        for label, target in edges(node):
            drawing.arrows.append(_arrow(where[node.id], where[target], _said(label)))
        if node.asks or node.transfers_to() is not None:
            drawing.arrows.append(_arrow(where[node.id], where[PERSON],
                                         "0" if node.asks else "", escape=True))
    return drawing


def _said(label: str) -> str:
    """An arrow's label in the reader's language."""
    for pattern, key in EDGE_WORDS:
        if found := pattern.fullmatch(label):
            return t(key, **found.groupdict())
    return label


def _rows(flow: Flow) -> list[list[str]]:
    depth = {flow.start: 0}
    queue = deque([flow.start])
    while queue:
        node_id = queue.popleft()
        for _, target in edges(flow.nodes[node_id]):
            if target not in depth:
                depth[target] = depth[node_id] + 1
                queue.append(target)
    last = max(depth.values()) + 1
    for node_id in flow.nodes:  # unreachable nodes (lint refuses them) still get a place
        depth.setdefault(node_id, last)
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node_id, level in depth.items():
        rows[level].append(node_id)
    return [row for row in rows if row]


def _arrow(start: tuple[float, float], end: tuple[float, float], label: str,
           escape: bool = False) -> Arrow:
    """A curve from the bottom of one box to the top of another (or round, going up)."""
    sx, sy = start[0] + BOX_W / 2, start[1] + BOX_H
    tx, ty = end[0] + BOX_W / 2, end[1]
    if escape:
        sx = start[0] + BOX_W - 12
    bend = max(40.0, abs(ty - sy) / 3)
    if ty <= sy:  # back up the flow (a "main menu" option): swing out to the side
        side = BOX_W / 2 + 24
        path = (f"M{sx:.0f},{sy:.0f} C{sx + side:.0f},{sy + bend:.0f} "
                f"{tx + side:.0f},{ty - bend:.0f} {tx:.0f},{ty:.0f}")
        return Arrow(path, label, sx + side * 0.8, (sy + ty) / 2, escape)
    path = (f"M{sx:.0f},{sy:.0f} C{sx:.0f},{sy + bend:.0f} {tx:.0f},{ty - bend:.0f} "
            f"{tx:.0f},{ty:.0f}")
    return Arrow(path, label, (sx + tx) / 2, (sy + ty) / 2, escape)
