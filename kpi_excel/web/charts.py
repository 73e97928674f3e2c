"""The page's charts as geometry for inline SVG: a sparkline per indicator and the summary's
stacked bars. Only numbers and words leave here; the template escapes every word."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.display import format_value
from ..core.models import HistoryPoint, Indicator

MAX_POINTS = 8  # as many as the board workbook's sparklines draw
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # the polyline's "x,y x,y ..."
    last_x: float
    last_y: float
    words: str  # the text alternative: every figure drawn, oldest first


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _point_words(indicator: Indicator, point: HistoryPoint) -> str:
    if _finite(point.value):
        assert point.value is not None
        return f"{point.period} {format_value(indicator, point.value)}"
    return f"{point.period} {point.token or 'N/A'}"


def sparkline(indicator: Indicator, history: list[HistoryPoint]) -> Sparkline | None:
    """The trend of up to eight recent figures, oldest first; None with fewer than two."""
    points = history[-MAX_POINTS:]
    drawn = [(i, p.value) for i, p in enumerate(points) if _finite(p.value)]
    if len(drawn) < 2:
        return None
    values = [value for _, value in drawn if value is not None]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0  # a flat line sits in the middle
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(1, len(points) - 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD
    coordinates = []
    for index, value in drawn:
        assert value is not None
        x = SPARK_PAD + index * step
        y = SPARK_PAD + inner / 2 if high == low else SPARK_PAD + inner * (high - value) / spread
        coordinates.append((round(x, 1), round(y, 1)))
    words = ", ".join(_point_words(indicator, point) for point in points)
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in coordinates),
        last_x=coordinates[-1][0],
        last_y=coordinates[-1][1],
        words=f"Trend, oldest first: {words}.",
    )


# --- the summary's stacked bars ----------------------------------------------------------------

BAR_LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, BAR_GAP = 200, 360, 22, 10
CHART_TOP, CHART_BOTTOM = 10, 34  # room for the scale under the bars


@dataclass(frozen=True)
class Segment:
    word: str  # GREEN, AMBER, RED
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (x, value) along the scale
    axis_y: float


def stacked_bars(lines: list[tuple[str, dict[str, int]]]) -> BarChart:
    """lines: (section, {"GREEN": n, "AMBER": n, "RED": n}) in order; one bar each."""
    most = max((sum(counts.values()) for _, counts in lines), default=0) or 1
    scale = BAR_WIDTH / most
    bars = []
    for number, (label, counts) in enumerate(lines):
        y = CHART_TOP + number * (BAR_HEIGHT + BAR_GAP)
        x = float(BAR_LABEL_WIDTH)
        segments = []
        for word in ("GREEN", "AMBER", "RED"):
            width = counts.get(word, 0) * scale
            if width:
                segments.append(Segment(word, counts[word], round(x, 1), round(width, 1)))
            x += width
        bars.append(Bar(label, y, segments, sum(counts.values())))
    step = max(1, math.ceil(most / 8))  # whole numbers, at most about eight gridlines
    ticks = [(round(BAR_LABEL_WIDTH + v * scale, 1), v) for v in range(0, most + 1, step)]
    axis_y = CHART_TOP + len(lines) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(
        width=BAR_LABEL_WIDTH + BAR_WIDTH + 40,
        height=int(axis_y + CHART_BOTTOM),
        bars=bars,
        ticks=ticks,
        axis_y=axis_y,
    )
