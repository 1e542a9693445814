"""Charts as plain geometry for server-side SVG: bars with their labels, values and links.

Pure: no Django, no I/O. Templates (`dashboard/_chart.html`) draw the shapes and print the same
points as a table, the chart's text alternative. Drawn on the server so a chart reads without
JavaScript, prints, and each bar is a link to the list behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Sizes in SVG user units; the SVG scales to its container (viewBox), so these only fix shape.
WIDTH = 640
BAR_AREA_HEIGHT = 180
LABEL_SPACE = 40  # below vertical bars: the period labels
ROW_HEIGHT = 34  # one horizontal bar
LABEL_WIDTH = 230  # left of horizontal bars: category names
VALUE_SPACE = 70  # right of horizontal bars: the value


@dataclass(frozen=True)
class Point:
    label: str
    value: int | Decimal
    href: str = ""
    shown: str = ""  # the value as printed (e.g. "1,250.00 EUR"); defaults to str(value)


@dataclass(frozen=True)
class Bar:
    point: Point
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float

    @property
    def text(self) -> str:
        return self.point.shown or str(self.point.value)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # one sentence for screen readers: what the chart shows and its extremes
    horizontal: bool
    width: int
    height: int
    bars: tuple[Bar, ...]
    unit: str = ""

    @property
    def empty(self) -> bool:
        return not any(bar.point.value for bar in self.bars)


def _scale(points: list[Point]) -> Decimal:
    top = max((Decimal(p.value) for p in points), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def summary_of(title: str, points: list[Point], unit: str) -> str:
    if not points or not any(p.value for p in points):
        return f"{title}: nothing yet."
    high = max(points, key=lambda p: p.value)
    total = sum((Decimal(p.value) for p in points), Decimal(0))
    suffix = f" {unit}" if unit else ""
    return (
        f"{title}: {len(points)} bars, total {total}{suffix}; "
        f"highest {high.shown or high.value} ({high.label})."
    )


def column_chart(chart_id: str, title: str, points: list[Point], unit: str = "") -> Chart:
    """Vertical bars, one per period (weeks, months), left to right."""
    top = _scale(points)
    slot = WIDTH / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = float(Decimal(point.value) / top) * (BAR_AREA_HEIGHT - 16)
        x = index * slot + slot * 0.15
        y = BAR_AREA_HEIGHT - height
        bars.append(
            Bar(
                point,
                x=round(x, 1),
                y=round(y, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label_x=round(index * slot + slot / 2, 1),
                label_y=BAR_AREA_HEIGHT + 16,
                value_x=round(index * slot + slot / 2, 1),
                value_y=round(max(y - 4, 10), 1),
            )
        )
    return Chart(
        chart_id,
        title,
        summary_of(title, points, unit),
        False,
        WIDTH,
        BAR_AREA_HEIGHT + LABEL_SPACE,
        tuple(bars),
        unit,
    )


def bar_chart(chart_id: str, title: str, points: list[Point], unit: str = "") -> Chart:
    """Horizontal bars, one per category (states, domains), top to bottom."""
    top = _scale(points)
    span = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    for index, point in enumerate(points):
        length = float(Decimal(point.value) / top) * span
        y = index * ROW_HEIGHT + 4
        bars.append(
            Bar(
                point,
                x=LABEL_WIDTH,
                y=y,
                width=round(length, 1),
                height=ROW_HEIGHT - 8,
                label_x=LABEL_WIDTH - 8,
                label_y=y + ROW_HEIGHT / 2 + 1,
                value_x=round(LABEL_WIDTH + length + 6, 1),
                value_y=y + ROW_HEIGHT / 2 + 1,
            )
        )
    return Chart(
        chart_id,
        title,
        summary_of(title, points, unit),
        True,
        WIDTH,
        max(len(points), 1) * ROW_HEIGHT + 8,
        tuple(bars),
        unit,
    )
