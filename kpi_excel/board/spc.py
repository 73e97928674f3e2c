"""The SPC sheet: Making Data Count's variation and assurance icons, a key, and an XmR chart
per indicator, beside the RAG ratings of the other sheets (docs/spc.md).

Icons are a letter or symbol with words on MDC's colours, so they read in greyscale and in
LibreOffice. The charts draw from a hidden "SPC data" sheet. The sheets appear only when at
least one indicator has the 13 points that limits need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.display import format_target, format_value
from ..core.models import Report, ReportRow, Unit
from ..core.periods import Period
from ..core.spc import Assurance, Side, SpcResult, SpcRule, Variation
from ..xlsx.styles import RAG_SWATCHES
from ..xlsx.write import Book, LineSeries, Sheet, ref
from .sections import Context

SPC = "SPC"
SPC_DATA = "SPC data"

# Making Data Count's colours (as NHS England's icons and the NHS-R packages use them)
IMPROVEMENT_BLUE = "#289DE0"
CONCERN_ORANGE = "#FAB428"
NEITHER_PURPLE = "#361475"
COMMON_GREY = "#A6A6A6"  # MDC's grey, lightened so black text keeps its contrast
LINE_GREY = "#7B7D7D"
TARGET_RED = "#DE1B1B"
VALUE_LINE = "#404040"

_BOX = {"font_name": "Arial", "font_size": 10, "valign": "top", "border": 1}
SPC_STYLES: dict[str, dict[str, object]] = {
    "spc_improvement": {**_BOX, "bold": True, "bg_color": IMPROVEMENT_BLUE},
    "spc_concern": {**_BOX, "bold": True, "bg_color": CONCERN_ORANGE},
    "spc_neither": {**_BOX, "bold": True, "bg_color": NEITHER_PURPLE, "font_color": "#FFFFFF"},
    "spc_common": {**_BOX, "bold": True, "bg_color": COMMON_GREY},
    "spc_none": {**_BOX, "italic": True, "font_color": "#595959", "text_wrap": True},
}

HEADERS = (
    ("Ref", 8),
    ("Indicator", 40),
    ("Points", 7),
    ("Latest", 11),
    ("Mean", 11),
    ("Process limits", 20),
    ("Target", 11),
    ("RAG", 10),
    ("Variation", 26),
    ("Assurance", 28),
    ("Why (the rule for the latest point)", 34),
)
CHART_WIDTH, CHART_HEIGHT, CHART_ROWS = 560, 300, 17
SECOND_CHART_COLUMN = 5  # "Process limits": A to E are about 570 pixels wide

KEY = (
    ("● Common cause", "spc_common", "Nothing unusual: the figure moves within its normal range."),
    ("H / L Improvement", "spc_improvement", "A change for the better, high (H) or low (L)."),
    ("H / L Concern", "spc_concern", "A change for the worse: ask what has happened."),
    ("H / L Neither", "spc_neither", "A change, where higher is not better or worse."),
    ("P Target consistently met", "spc_improvement", "The target is outside the normal range, on the good side."),
    ("F Target consistently missed", "spc_concern", "The target will not be met unless the process changes."),
    ("? Hit and miss", "spc_common", "The target is inside the normal range: met some periods only."),
)  # fmt: skip

RULE_WORDS = {
    SpcRule.BEYOND_LIMIT: "A point beyond a process limit",
    SpcRule.TWO_OF_THREE: "2 of 3 points beyond the 2-sigma line",
    SpcRule.SHIFT: "{n} or more points in a row on one side of the mean",
    SpcRule.TREND: "6 or more points in a row rising or falling",
}


@dataclass
class SpcSheets:
    chart_sheet: Sheet
    data_sheet: Sheet
    book: Book


def has_spc(report: Report) -> bool:
    return any(row.spc is not None and not row.spc.run_chart for row in report.rows)


def add_spc_sheets(book: Book, report: Report) -> SpcSheets | None:
    """Add the SPC sheets when any indicator has limits; None (no sheets) otherwise."""
    if not has_spc(report):
        return None
    return SpcSheets(book.sheet(SPC), book.sheet(SPC_DATA), book)


def variation_icon(result: SpcResult) -> tuple[str, str]:
    """(text, style) of the variation icon: a symbol or H/L letter, then words."""
    if result.variation is None:
        return f"Run chart: {len(result.points)} of 13 points", "spc_none"
    if result.variation is Variation.COMMON_CAUSE:
        return "● Common cause", "spc_common"
    high = result.points[-1].side is Side.HIGH
    letter, where = ("H", "high") if high else ("L", "low")
    words = {
        Variation.IMPROVEMENT: ("Improvement", "spc_improvement"),
        Variation.CONCERN: ("Concern", "spc_concern"),
    }.get(result.variation, ("Neither", "spc_neither"))
    return f"{letter} {words[0]} ({where})", words[1]


def assurance_icon(result: SpcResult) -> tuple[str, str]:
    if result.assurance is Assurance.PASS:
        return "P Target consistently met", "spc_improvement"
    if result.assurance is Assurance.FAIL:
        return "F Target consistently missed", "spc_concern"
    if result.assurance is Assurance.HIT_OR_MISS:
        return "? Hit and miss", "spc_common"
    if result.run_chart:
        return "None: too few points", "spc_none"
    return "None: no target to assure", "spc_none"


def rule_words(result: SpcResult) -> str:
    if result.rule is None:
        return ""
    return RULE_WORDS[result.rule].format(n=result.shift_length)


def write_spc(sheets: SpcSheets | None, ctx: Context) -> None:
    """The SPC sheet and its hidden data; nothing when add_spc_sheets added none."""
    if sheets is None:
        return
    rows = [row for row in ctx.report.rows if row.spc is not None]
    ranges = _write_data(sheets.data_sheet, rows)
    sheet = sheets.chart_sheet
    sheet.hide_gridlines()
    for col, (_, width) in enumerate(HEADERS):
        sheet.column_width(col, col, width)
    sheet.string(0, 0, f"Statistical process control: {ctx.period}", "title")
    sheet.string(
        1,
        0,
        "Variation and assurance as NHS England's Making Data Count defines them, from each "
        "indicator's whole history. Icons are judged from the latest point.",
        "note",
    )
    at = _write_key(sheet, 3)
    at = _write_table(sheet, rows, at + 1, ctx.period)
    _place_charts(sheets.book, sheet, rows, ranges, at + 1)
    sheet.print_setup(ctx.print_setup("SPC", repeat=None))


def _write_key(sheet: Sheet, top: int) -> int:
    sheet.string(top, 0, "Key", "subtitle")
    for offset, (icon, style, meaning) in enumerate(KEY, start=1):
        sheet.merged_string(top + offset, 0, top + offset, 1, icon, style)
        sheet.merged_string(top + offset, 2, top + offset, 6, meaning, "text")
    return top + len(KEY) + 1


def _write_table(sheet: Sheet, rows: list[ReportRow], top: int, period: Period) -> int:
    for col, (header, _) in enumerate(HEADERS):
        sheet.string(top, col, header, "header")
    for offset, row in enumerate(rows, start=1):
        at, spc, indicator = top + offset, row.spc, row.indicator
        latest = ""
        if spc.points:
            last = spc.points[-1]
            latest = format_value(indicator, last.value)
            if last.period != period:
                latest += f" ({last.period})"  # no figure this period: the last one there is
        limits = ""
        if spc.lower_limit is not None and spc.upper_limit is not None:
            low, high = spc.lower_limit, spc.upper_limit
            limits = f"{format_value(indicator, low)} to {format_value(indicator, high)}"
        mean = format_value(indicator, spc.mean) if spc.mean is not None else ""
        texts = [
            indicator.id,
            indicator.name,
            "",
            latest,
            mean,
            limits,
            format_target(indicator, row.period_target.target),
        ]
        for col, text in enumerate(texts):
            sheet.string(at, col, text, "text")
        sheet.number(at, 2, float(len(spc.points)), "count")
        rag = row.rating.rag
        # RAG beside the icons: met the target this period, against is it likely to
        sheet.string(
            at,
            7,
            rag.value if rag else "Not rated",
            RAG_SWATCHES.get(rag, "not_rated"),
        )
        variation, variation_style = variation_icon(spc)
        assurance, assurance_style = assurance_icon(spc)
        sheet.string(at, 8, variation, variation_style)
        sheet.string(at, 9, assurance, assurance_style)
        sheet.string(at, 10, rule_words(spc), "text")
    return top + len(rows) + 1


DATA_HEADERS = ("id", "period", "value", "mean", "upper limit", "lower limit", "target")


def _label(period: Period) -> str:
    return period.month_label or str(period)


def _write_data(sheet: Sheet, rows: list[ReportRow]) -> list[tuple[int, int]]:
    """One line per point, indicators one after another; returns each one's first and last
    data row."""
    headers = [*DATA_HEADERS, "improvement", "concern", "neither"]
    sheet.values(0, headers, "data_text", "data_number")
    spans, at = [], 1
    for row in rows:
        spc, indicator = row.spc, row.indicator
        goal = _goal(row)
        for point in spc.points:
            flags: list[float | None] = [None, None, None]
            if point.side is not None:
                flags[_flag_column(point.side, indicator.polarity.value)] = point.value
            sheet.values(
                at,
                [
                    indicator.id,
                    _label(point.period),
                    point.value,
                    point.mean,
                    point.upper_limit,
                    point.lower_limit,
                    goal,
                    *flags,
                ],
                "data_text",
                "data_number",
            )
            at += 1
        spans.append((at - len(spc.points), at - 1))
    sheet.hide()
    return spans


def _flag_column(side: Side, polarity: str) -> int:
    """0 improvement, 1 concern, 2 neither: which marker series a special cause goes in."""
    if polarity == "bigger":
        return 0 if side is Side.HIGH else 1
    if polarity == "smaller":
        return 0 if side is Side.LOW else 1
    return 2


def _place_charts(
    book: Book, sheet: Sheet, rows: list[ReportRow], spans: list[tuple[int, int]], top: int
) -> None:
    """Two charts across, two bands to a printed page, starting on a page of their own."""
    for index, (row, (first, last)) in enumerate(zip(rows, spans, strict=True)):
        at = top + 1 + (index // 2) * CHART_ROWS  # a row below the break: no sliver above it
        col = 0 if index % 2 == 0 else SECOND_CHART_COLUMN
        chart = book.line_chart(
            _series(row, first, last),
            title=f"{row.indicator.id}: {row.indicator.name}"[:80],
            categories=ref(SPC_DATA, first, 1, last, 1),
            value_format=_axis_format(row),
            value_range=value_axis_range(row),
        )
        sheet.chart(at, col, chart, CHART_WIDTH, CHART_HEIGHT, _description(row))
    bands = (len(rows) + 1) // 2
    sheet.page_breaks([top + band * CHART_ROWS for band in range(0, bands, 2)])


def _series(row: ReportRow, first: int, last: int) -> list[LineSeries]:
    """The chart's lines; limits only where there are some, markers only for flags present."""

    def column(col: int) -> str:
        return ref(SPC_DATA, first, col, last, col)

    spc = row.spc
    series = [LineSeries("Value", column(2), VALUE_LINE, marker="circle", marker_size=4)]
    if any(point.mean is not None for point in spc.points):
        series += [
            LineSeries("Mean", column(3), "#000000", width=1.0),
            LineSeries("Process limits", column(4), LINE_GREY, dash="dash", width=1.25),
            LineSeries("Lower", column(5), LINE_GREY, dash="dash", width=1.25, in_legend=False),
        ]
    if _goal(row) is not None:
        series.append(LineSeries("Target", column(6), TARGET_RED, dash="long_dash", width=1.5))
    present = {_flag_column(p.side, row.indicator.polarity.value) for p in spc.points if p.side}
    markers = (
        ("Special cause: improvement", IMPROVEMENT_BLUE, "square"),
        ("Special cause: concern", CONCERN_ORANGE, "diamond"),
        ("Special cause: neither", NEITHER_PURPLE, "triangle"),
    )
    for flag, (name, colour, shape) in enumerate(markers):
        if flag in present:
            series.append(LineSeries(name, column(7 + flag), colour, line=False, marker=shape))
    return series


def _goal(row: ReportRow) -> float | None:
    target = row.period_target.target
    return target.value if target.kind.value == "value" else None


def value_axis_range(row: ReportRow) -> tuple[float, float]:
    """A value axis around the data, limits and target, on round numbers, so a series far
    from zero is not drawn flat."""
    spc = row.spc
    seen = [p.value for p in spc.points]
    seen += [v for p in spc.points for v in (p.upper_limit, p.lower_limit) if v is not None]
    if (goal := _goal(row)) is not None:
        seen.append(goal)
    low, high = min(seen), max(seen)
    span = high - low or abs(high) or 1.0
    step = 10 ** math.floor(math.log10(span / 2))
    bottom = math.floor((low - span * 0.1) / step) * step
    if low >= 0 > bottom:
        bottom = 0.0  # no negative axis under figures that cannot be negative
    return bottom, math.ceil((high + span * 0.1) / step) * step


def _axis_format(row: ReportRow) -> str:
    digits = "0" if row.indicator.decimals == 0 else "0." + "0" * row.indicator.decimals
    return f'{digits}"%"' if row.indicator.unit is Unit.PERCENT else f"#,##{digits}"


def _description(row: ReportRow) -> str:
    """The chart's alternative text: what it shows and what it found, in words."""
    spc, indicator = row.spc, row.indicator
    variation, _ = variation_icon(spc)
    assurance, _ = assurance_icon(spc)
    text = f"SPC chart of {indicator.name}, {len(spc.points)} points. Variation: {variation}."
    if spc.mean is not None:
        text += f" Mean {format_value(indicator, spc.mean)}. Assurance: {assurance}."
    return text[:255]
