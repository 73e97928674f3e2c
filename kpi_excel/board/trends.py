"""Trends: a small native line chart per indicator with an earlier figure, drawn from the
Trend data sheet. Excel, LibreOffice and the PDF all draw charts (sparklines were blank in
LibreOffice and the PDF). The x axis has a place for every period, so a missing one shows as
a gap; the target is a dashed line where there is one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.display import format_value
from ..core.models import Basis, HistoryPoint, ReportRow, TargetKind, Unit
from ..core.periods import Period
from ..xlsx.styles import TREND_COLOUR
from ..xlsx.write import Book, LineSeries, Sheet, ref
from .sections import TRENDS, Context, Rows, as_written

MAX_POINTS = 8
_VALUES_FROM = 2  # columns: id, period count, then values, then their periods
AXIS_FROM = _VALUES_FROM + 2 * MAX_POINTS  # then the chart's axis, values and target
PLOTTED_FROM = AXIS_FROM + MAX_POINTS
TARGET_FROM = PLOTTED_FROM + MAX_POINTS

Value = str | float | bool | None


@dataclass(frozen=True)
class Axis:
    """One place per period, oldest first; a period with no figure has None."""

    periods: list[str]
    values: list[float | None]
    targets: list[float | None]


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _on_axis(period: Period, quarterly: bool) -> Period | None:
    # A year's figure (its outturn) sits at its Q4 on a quarterly axis; a quarter has no
    # place on a yearly one.
    if quarterly:
        return Period(period.year, 4) if period.is_year else period
    return period if period.is_year else None


def trend_axis(ctx: Context, row: ReportRow) -> Axis | None:
    """The row's recent figures on a time axis, or None with fewer than two to draw."""
    quarterly = ctx.period.quarter is not None
    known: dict[Period, float] = {}
    for point in row.history:
        place = _on_axis(point.period, quarterly)  # a Period: parsed where it was read
        value = _number(point.value)
        if place is not None and value is not None and place <= ctx.period:
            known[place] = value
    if len(known) < 2:
        return None
    periods = [p for p in ctx.period.recent(MAX_POINTS) if p >= min(known)]
    values = [known.get(period) for period in periods]
    if sum(1 for value in values if value is not None) < 2:
        return None
    return Axis([axis_label(p) for p in periods], values, _targets(row, len(periods)))


def axis_label(period: Period) -> str:
    """Short enough for a small chart's axis: "Q1 16/17", or "2016/17" for a year."""
    if period.quarter is None:
        return period.year_label
    return f"Q{period.quarter} {period.short_year_label.replace('-', '/')}"


def _targets(row: ReportRow, places: int) -> list[float | None]:
    """The period target across the axis; for a year-to-date indicator the target changes
    through the year, so only this period's is drawn."""
    target = row.period_target.target
    if target.kind is not TargetKind.VALUE or _number(target.value) is None:
        return [None] * places
    assert target.value is not None
    if row.indicator.basis is Basis.CUMULATIVE:
        return [None] * (places - 1) + [target.value]
    return [target.value] * places


def _plotted(row: ReportRow, values: list[float | None]) -> list[Value]:
    return [None if v is None else as_written(row.indicator, v) for v in values]


def write_trend_data(sheet: Sheet, ctx: Context) -> dict[int, tuple[int, Axis]]:
    """Each row's recent history (as the history store gave it), then the chart's axis,
    values and target; returns the sheet row and axis of each report row with a trend."""
    headers = ["id", "points"]
    headers += [f"value_{n}" for n in range(1, MAX_POINTS + 1)]
    headers += [f"period_{n}" for n in range(1, MAX_POINTS + 1)]
    for name in ("axis", "plotted", "target"):
        headers += [f"{name}_{n}" for n in range(1, MAX_POINTS + 1)]
    for col, header in enumerate(headers):
        sheet.string(0, col, header, "data_text")
    charts: dict[int, tuple[int, Axis]] = {}
    for index, row in enumerate(ctx.report.rows):
        at = index + 1
        points: list[HistoryPoint] = row.history[-MAX_POINTS:]
        values: list[Value] = [_number(point.value) for point in points]
        periods: list[Value] = [str(point.period) for point in points]
        pad: list[Value] = [None] * (MAX_POINTS - len(points))
        cells: list[Value] = [row.indicator.id, float(len(points)), *values, *pad, *periods, *pad]
        axis = trend_axis(ctx, row)
        if axis is not None:
            charts[index] = (at, axis)
            fill: list[Value] = [None] * (MAX_POINTS - len(axis.periods))
            cells += [*axis.periods, *fill, *_plotted(row, axis.values), *fill]
            cells += [*_plotted(row, axis.targets), *fill]
        sheet.values(at, cells, "data_text", "data_number")
        ctx.row_done()
    return charts


def alt_text(row: ReportRow, axis: Axis) -> str:
    indicator = row.indicator
    shown = [
        f"{period} {format_value(indicator, value) if value is not None else 'no figure'}"
        for period, value in zip(axis.periods, axis.values, strict=True)
    ]
    target = next((t for t in reversed(axis.targets) if t is not None), None)
    ends = f" Target {format_value(indicator, target)}." if target is not None else ""
    name = indicator.name.strip() or indicator.id
    return f"Line chart of {name} ({indicator.id}) by period: " + ", ".join(shown) + "." + ends


def _chart(book: Book, row: ReportRow, at: int, axis: Axis, data_sheet: str) -> object:
    last = len(axis.periods) - 1
    categories = ref(data_sheet, at, AXIS_FROM, at, AXIS_FROM + last)
    series = [
        LineSeries(
            name="Figure",
            values=ref(data_sheet, at, PLOTTED_FROM, at, PLOTTED_FROM + last),
            colour=TREND_COLOUR,
            width=2,
            marker="circle",
            marker_size=5,
        )
    ]
    if any(target is not None for target in axis.targets):
        series.append(
            LineSeries(
                name="Target",
                values=ref(data_sheet, at, TARGET_FROM, at, TARGET_FROM + last),
                colour="#000000",
                dash="dash",
                width=1.25,
                marker="dash",  # a lone target (year to date: this quarter's) shows as a dash
                marker_size=9,
            )
        )
    name = row.indicator.name.strip() or row.indicator.id
    title = name if len(name) <= 70 else name[:67].rstrip() + "..."
    # The axis shows plain numbers: "1,000 per 100,000" on every gridline takes the chart.
    axis_format = "0%" if row.indicator.unit is Unit.PERCENT else "General"
    return book.trend_chart(series, title=title, categories=categories, value_format=axis_format)


CHARTS_ACROSS = 5
CHART_COLUMN_WIDTH = 29.0  # five across fit A4 landscape at the pack's scale
CHART_ROW_HEIGHT = 128.0  # points; four rows a printed page
ROWS_A_PAGE = 4
FIRST_CHART_ROW = 2
# Five printed pages. A board of thousands of indicators would print hundreds of pages of
# charts, and XlsxWriter holds every chart until the file is closed (36,000 took 900 MB).
MAX_CHARTS = 100


def charts_drawn(charts: dict[int, tuple[int, Axis]], exceptions: Rows) -> list[int]:
    """The report rows whose charts the Trends page draws, in Report order: all of them when
    they fit; otherwise every exception with a chart first (exceptions: in the order the
    board reads them, worsening first), then the rest in Report order, up to MAX_CHARTS."""
    if len(charts) <= MAX_CHARTS:
        return sorted(charts)
    first = [index for index, _ in exceptions if index in charts]
    taken = set(first)
    rest = [index for index in sorted(charts) if index not in taken]
    return sorted((first + rest)[:MAX_CHARTS])


def _trends_note(drawn: int, drawable: int) -> str:
    note = (
        "Solid line and dots: the figure each quarter (a gap where there is none). Dashed line "
        "or dash: the target. Indicators with no earlier figure have no chart."
    )
    if drawn < drawable:
        note += (
            f" {drawn} of the {drawable} indicators with earlier figures are drawn: every "
            "exception first, then in Report order. All of them are on the Trend data sheet."
        )
    return note


def write_trends(
    book: Book,
    sheet: Sheet,
    ctx: Context,
    charts: dict[int, tuple[int, Axis]],
    exceptions: Rows,
    data_sheet: str,
) -> None:
    """The Trends sheet: the charts in rows of five, four rows to a printed page."""
    sheet.hide_gridlines()
    sheet.column_width(0, CHARTS_ACROSS - 1, CHART_COLUMN_WIDTH)
    sheet.string(0, 0, f"Trends: each indicator's recent figures, to {ctx.period}", "title")
    drawn = charts_drawn(charts, exceptions)
    sheet.string(1, 0, _trends_note(len(drawn), len(charts)), "note")
    rows = ctx.report.rows
    width = int(CHART_COLUMN_WIDTH * 7 + 5)
    height = int(CHART_ROW_HEIGHT / 0.75)
    for number, index in enumerate(drawn):
        at, axis = charts[index]
        grid_row = FIRST_CHART_ROW + number // CHARTS_ACROSS
        if number % CHARTS_ACROSS == 0:
            sheet.row_height(grid_row, CHART_ROW_HEIGHT)
            # A row written row by row is kept only with a cell in it, and with it its height.
            sheet.blank(grid_row, 0, "plain")
        chart = _chart(book, rows[index], at, axis, data_sheet)
        sheet.chart(
            grid_row,
            number % CHARTS_ACROSS,
            chart,
            width=width - 8,
            height=height - 8,
            description=alt_text(rows[index], axis),
        )
    grid_rows = -(-len(drawn) // CHARTS_ACROSS)
    if not charts:
        sheet.string(FIRST_CHART_ROW, 0, "No indicator has an earlier figure to draw.", "note")
    last = FIRST_CHART_ROW + max(grid_rows, 1) - 1
    breaks = range(FIRST_CHART_ROW + ROWS_A_PAGE, last + 1, ROWS_A_PAGE)
    if breaks:
        sheet.page_breaks(list(breaks))
    sheet.print_setup(ctx.print_setup(TRENDS, repeat=(0, 1), area=(0, 0, last, CHARTS_ACROSS - 1)))
