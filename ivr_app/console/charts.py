"""Charts drawn as SVG by the app itself: bars, horizontal bars and a scatter plot.

Drawn on the server rather than by a charting script: the page needs no library (the
machines may be offline), works without JavaScript, and shows exactly the numbers the
CSV exports. This module only computes geometry; templates/console/charts.html draws it,
escaping every label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT, PAD, LABEL_W = 560, 200, 28, 150


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: float
    text: str  # the value as shown


@dataclass
class Chart:
    kind: str  # "bars", "hbars" or "scatter"
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    diagonal: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2
    top: float = 0  # the largest value, shown on the axis


def bars(items: list[tuple[str, float]]) -> Chart:
    """Upright bars, one per item (calls per hour)."""
    chart = Chart("bars", WIDTH, HEIGHT + 2 * PAD)  # room for the hours and the axis' name
    top = max([v for _, v in items] + [1])
    step = (WIDTH - PAD) / max(len(items), 1)
    for i, (label, value) in enumerate(items):
        height = (HEIGHT - PAD) * value / top
        chart.bars.append(Bar(PAD + i * step + 2, HEIGHT - height, step - 4, height, label,
                              value, _shown(value)))
    chart.top = top
    return chart


def hbars(items: list[tuple[str, float]], shown: list[str] | None = None) -> Chart:
    """Bars lying down, labelled on the left (outcomes, questions where callers press 0)."""
    row = 26
    chart = Chart("hbars", WIDTH, max(len(items), 1) * row + 8)
    top = max([v for _, v in items] + [1])
    for i, (label, value) in enumerate(items):
        width = (WIDTH - LABEL_W - 60) * value / top
        text = shown[i] if shown else _shown(value)
        chart.bars.append(Bar(LABEL_W, i * row + 4, width, row - 8, label, value, text))
    chart.top = top
    return chart


def scatter(pairs: list[tuple[float, float]]) -> Chart:
    """Each caller as a point: the wait they were told (x) against the wait they had (y);
    on the diagonal the estimate was right."""
    size = HEIGHT + PAD
    chart = Chart("scatter", size + PAD, size)
    top = max([max(p) for p in pairs] + [60])
    scale = (size - 2 * PAD) / top
    chart.points = [(PAD + told * scale, size - PAD - had * scale) for told, had in pairs]
    chart.diagonal = (PAD, size - PAD, size - PAD, PAD)
    chart.top = top
    return chart


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
