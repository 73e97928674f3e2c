"""The reference sheets: Key, Data (every input and computed field), Data quality, Trend data."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from ..core.display import (
    MARKS_KEY,
    arrow_key,
    arrow_style_name,
    comparison_key,
    rag_key,
    rag_text,
    rules_key,
    trend_word,
)
from ..core.models import (
    ArrowStyle,
    HistoryPoint,
    ReportRow,
    Source,
    Target,
    Trend,
)
from ..core.problems import Problem
from ..xlsx.write import Sheet, ref
from .sections import (
    DATA,
    EXCEPTIONS,
    SUMMARY,
    Context,
    row_height,
)

Value = str | float | bool | None

# --- Key ---------------------------------------------------------------------------------------


RAG_KEY_STYLES = ("swatch_green", "swatch_amber", "swatch_red", "not_rated")
# Performance arrows: better and worse get their colours; movement arrows say it in words.
PERFORMANCE_KEY_STYLES = ("swatch_better", "text_centre", "swatch_worse", "text_centre")


def _key_rows(ctx: Context) -> list[tuple[str, str, str]]:
    """(symbol, style, meaning) for the Key sheet, in the words of the settings."""
    lines = rag_key(ctx.settings)
    return [(s, style, m) for (s, m), style in zip(lines, RAG_KEY_STYLES, strict=True)]


def _arrow_rows(ctx: Context) -> list[tuple[str, str, str]]:
    lines = arrow_key(ctx.settings.arrow_style, ctx.settings)
    if ctx.settings.arrow_style is ArrowStyle.PERFORMANCE:
        styles = PERFORMANCE_KEY_STYLES
    else:
        styles = ("text_centre",) * len(lines)
    return [(s, style, m) for (s, m), style in zip(lines, styles, strict=True)]


KEY_WIDTHS = (24, 100)


def _key_line(sheet: Sheet, at: int, symbol: str, style: str, meaning: str) -> None:
    sheet.string(at, 0, symbol, style)
    sheet.string(at, 1, meaning, "text")
    sheet.row_height(at, row_height([(symbol, KEY_WIDTHS[0]), (meaning, KEY_WIDTHS[1])]))


def write_key(sheet: Sheet, ctx: Context) -> None:
    settings = ctx.settings
    sheet.hide_gridlines()
    sheet.column_width(0, 0, KEY_WIDTHS[0])
    sheet.column_width(1, 1, KEY_WIDTHS[1])
    sheet.string(0, 0, f"Key and rules: {settings.report_title}, {ctx.period}", "title")
    sheet.link_to_sheet(1, 0, SUMMARY, "Back to Summary", "link")
    at = 3
    sheet.string(at, 0, "RAG rating", "header_left")
    sheet.string(at, 1, "Meaning", "header_left")
    for symbol, style, meaning in _key_rows(ctx):
        at += 1
        _key_line(sheet, at, symbol, style, meaning)
    at += 2
    style_name = arrow_style_name(settings.arrow_style)
    sheet.string(at, 0, "Direction of travel", "header_left")
    sheet.string(at, 1, f"Arrow style in force: {style_name}", "header_left")
    for symbol, style, meaning in _arrow_rows(ctx):
        at += 1
        _key_line(sheet, at, symbol, style, meaning)
    for symbol, meaning in comparison_key(ctx.previous, ctx.last_year, f"the {DATA} sheet"):
        at += 1
        _key_line(sheet, at, symbol, "text_centre", meaning)
    at += 2
    sheet.string(at, 0, "Marks on figures", "header_left")
    sheet.string(at, 1, "Meaning", "header_left")
    for symbol, meaning in MARKS_KEY:
        at += 1
        _key_line(sheet, at, symbol, "text_centre", meaning)
    at += 2
    sheet.string(at, 0, "Rules in force", "header_left")
    sheet.string(at, 1, f"Reporting year {settings.reporting_year}", "header_left")
    own = sum(1 for row in ctx.report.rows if row.indicator.tolerance is not None)
    rules = rules_key(settings, own, f"the {DATA} sheet", f"The {EXCEPTIONS} sheet")
    for symbol, meaning in rules:
        at += 1
        _key_line(sheet, at, symbol, "text_bold", meaning)
    sheet.print_setup(ctx.print_setup("Key", repeat=None))


# --- Data ----------------------------------------------------------------------------------


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _target_fields(target: Target) -> tuple[Value, Value, Value, Value]:
    return (target.kind.value, _number(target.value), _number(target.high), target.label or "")


def _point_fields(trend: Trend) -> tuple[Value, ...]:
    point: HistoryPoint | None = trend.compared_with
    if point is None:
        return ("", None, "", "", "")
    return (point.period, _number(point.value), point.token or "", point.label, "")


def _source(row: ReportRow) -> Source:
    if row.record is not None and row.record.source is not None:
        return row.record.source
    return Source(file="")


def _trend_fields(row: ReportRow, trend: Trend) -> list[Value]:
    period, value, token, label, _ = _point_fields(trend)
    direction = trend.direction.value if trend.direction else ""
    return [direction, trend_word(row, trend), value, token, label, period, trend.reason]


def _tolerance(row: ReportRow) -> tuple[Value, Value]:
    tolerance = row.indicator.tolerance
    if tolerance is None:
        return ("settings default", None)
    return (tolerance.kind.value, _number(tolerance.amount))


DATA_COLUMNS: tuple[str, ...] = (
    "id", "section", "service_area", "name", "description", "polarity", "unit", "decimals",
    "suffix", "basis", "frequency",
    "annual_target_kind", "annual_target", "annual_target_high", "annual_target_label",
    "period_target_kind", "period_target", "period_target_high", "period_target_label",
    "period_target_how", "tolerance_kind", "tolerance_amount",
    "status", "value", "numerator", "denominator", "provisional", "average", "time_lag",
    "rag", "rating_shown", "rating_reason",
    "short_term_direction", "short_term_shown", "short_term_compared_value",
    "short_term_compared_token", "short_term_compared_label", "short_term_compared_period",
    "short_term_reason",
    "long_term_direction", "long_term_shown", "long_term_compared_value",
    "long_term_compared_token", "long_term_compared_label", "long_term_compared_period",
    "long_term_reason",
    "comment", "corrective_action",
    "source_file", "source_sha256", "source_sheet", "source_cell", "source_template_version",
    "source_read_at",
)  # fmt: skip


def data_values(row: ReportRow) -> list[Value]:
    """One Data row, in DATA_COLUMNS order; values in the indicator's unit (83.0 is 83%)."""
    indicator, record, source = row.indicator, row.record, _source(row)
    values: list[Value] = [
        indicator.id,
        indicator.section,
        indicator.service_area,
        indicator.name,
        indicator.description,
        indicator.polarity.value,
        indicator.unit.value,
        float(indicator.decimals),
        indicator.suffix,
        indicator.basis.value,
        indicator.frequency.value,
        *_target_fields(indicator.annual_target),
        *_target_fields(row.period_target.target),
        row.period_target.how,
        *_tolerance(row),
        record.status.value if record else "no return",
        _number(record.value) if record else None,
        _number(record.numerator) if record else None,
        _number(record.denominator) if record else None,
        record.provisional if record else False,
        record.average if record else False,
        (record.time_lag or "") if record else "",
        row.rating.rag.value if row.rating.rag else "",
        rag_text(row),
        row.rating.reason,
        *_trend_fields(row, row.short_term),
        *_trend_fields(row, row.long_term),
        record.comment if record else "",
        record.corrective_action if record else "",
        source.file,
        source.sha256,
        source.sheet,
        source.cell,
        source.template_version,
        source.read_at,
    ]
    assert len(values) == len(DATA_COLUMNS)
    return values


def _write_table(
    sheet: Sheet,
    first_row: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[Value]] | _Lazy,
    name: str,
    empty_note: str,
    widths: Sequence[float] | None = None,
    done: Callable[[], None] | None = None,
) -> int:
    """The heading row and its table, then the rows (text always through write_string);
    empty values leave their cells empty. With widths, text wraps and each row is made tall
    enough for it. done is called after each row (for the progress bar)."""
    if not len(rows):
        for col, header in enumerate(headers):
            sheet.string(first_row, col, header, "header_left")
        sheet.string(first_row + 1, 0, empty_note, "note")
        return first_row + 2
    sheet.table(first_row, 0, first_row + len(rows), headers, name, "header_left")
    text = "plain_wrap" if widths else "data_text"
    for at, values in enumerate(rows, start=first_row + 1):
        sheet.values(at, values, text, "data_number")
        if done is not None:
            done()
        if widths:
            texts = [(v, w) for v, w in zip(values, widths, strict=True) if isinstance(v, str)]
            sheet.row_height(at, row_height(texts))
    return first_row + len(rows) + 1


class _Lazy:
    """Each report row's values, made as they are written rather than all held at once."""

    def __init__(self, rows: Sequence[ReportRow], values: Callable[[ReportRow], list[Value]]):
        self._rows, self._values = rows, values

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[list[Value]]:
        return (self._values(row) for row in self._rows)


WIDE_DATA_COLUMNS = {"name": 40, "description": 30, "rating_reason": 50, "comment": 50}


def write_data(sheet: Sheet, ctx: Context) -> None:
    for col, header in enumerate(DATA_COLUMNS):
        width = WIDE_DATA_COLUMNS.get(header, 40 if header.endswith("_reason") else 16)
        sheet.column_width(col, col, width)
    rows = _Lazy(ctx.report.rows, data_values)
    _write_table(
        sheet, 0, DATA_COLUMNS, rows, "KpiData", "No indicators in this report.", done=ctx.row_done
    )
    sheet.freeze(1, 1)
    # Fitted to one page wide like the rest: small print, but a few pages rather than dozens
    # when someone prints the whole workbook; the sheet is for reading on screen.
    sheet.print_setup(ctx.print_setup("Data", repeat=(0, 0)))


# --- Data quality ------------------------------------------------------------------------------

PROBLEM_COLUMNS = (
    "severity", "code", "file", "sheet", "cell", "indicator_id", "message", "fix",
)  # fmt: skip
# Ordered so each column sits under a problem column of a similar width.
RETURN_LOG_COLUMNS = (
    "service_area", "outcome", "file", "template_version", "errors", "warnings", "sha256",
)  # fmt: skip
QUALITY_WIDTHS = (16, 24, 28, 16, 9, 12, 67, 55)  # 67: a sha256 in full


def _problem(item: object) -> Problem:
    # Report.problems is typed loosely in models.py; accept Problems or their dict form.
    return item if isinstance(item, Problem) else Problem.model_validate(item)


def write_quality(sheet: Sheet, ctx: Context) -> None:
    report = ctx.report
    for col, width in enumerate(QUALITY_WIDTHS):
        sheet.column_width(col, col, width)
    sheet.string(0, 0, f"Data quality: {report.period}", "title")
    problems = [_problem(item) for item in report.problems]
    errors = sum(1 for p in problems if p.severity.value == "error")
    sheet.string(
        1,
        0,
        f"{len(problems)} problem(s) found in the returns, register and history: {errors} "
        f"error(s), {len(problems) - errors} warning(s). Figures with errors were not used.",
        "plain",
    )
    sheet.string(3, 0, "Problems", "subtitle")
    rows = [
        [
            p.severity.value,
            p.code,
            p.file or "",
            p.sheet or "",
            p.cell or "",
            p.indicator_id or "",
            p.message,
            p.fix,
        ]
        for p in problems
    ]
    at = _write_table(
        sheet, 4, PROBLEM_COLUMNS, rows, "Problems", "No problems were found.", QUALITY_WIDTHS
    )
    at += 1
    sheet.string(at, 0, "Returns", "subtitle")
    log = [
        [
            entry.service_area,
            entry.outcome.value,
            entry.file or "",
            entry.template_version,
            float(entry.errors),
            float(entry.warnings),
            entry.sha256,
        ]
        for entry in report.return_log
    ]
    widths = QUALITY_WIDTHS[: len(RETURN_LOG_COLUMNS)]
    _write_table(sheet, at + 1, RETURN_LOG_COLUMNS, log, "ReturnLog", "No return log.", widths)
    sheet.print_setup(ctx.print_setup("Data quality", repeat=None))


# --- Trend data (hidden): the history the sparklines draw --------------------------------------

MAX_POINTS = 8
_VALUES_FROM = 2  # columns: id, period count, then values, then their periods


def empty_trend_range(sheet_name: str) -> str:
    """A cell of the Trend data sheet that is never written: the range of no history."""
    return ref(sheet_name, 0, _VALUES_FROM + 2 * MAX_POINTS, 0, _VALUES_FROM + 2 * MAX_POINTS)


def write_trend_data(sheet: Sheet, ctx: Context, sheet_name: str) -> dict[int, str]:
    """Write each row's recent history; return the value range of rows with 2+ values."""
    headers = ["id", "points"]
    headers += [f"value_{n}" for n in range(1, MAX_POINTS + 1)]
    headers += [f"period_{n}" for n in range(1, MAX_POINTS + 1)]
    for col, header in enumerate(headers):
        sheet.string(0, col, header, "data_text")
    ranges: dict[int, str] = {}
    padding: list[Value] = [None] * MAX_POINTS
    for index, row in enumerate(ctx.report.rows):
        at = index + 1
        points = row.history[-MAX_POINTS:]
        values = [_number(point.value) for point in points]
        periods: list[Value] = [point.period for point in points]
        pad = padding[len(points) :]
        sheet.values(
            at,
            [row.indicator.id, float(len(points)), *values, *pad, *periods, *pad],
            "data_text",
            "data_number",
        )
        ctx.row_done()
        if sum(1 for value in values if value is not None) >= 2:
            last = _VALUES_FROM + len(points) - 1
            ranges[index] = ref(sheet_name, at, _VALUES_FROM, at, last)
    sheet.hide()
    return ranges
