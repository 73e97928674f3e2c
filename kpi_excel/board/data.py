"""The reference sheets: Key, Data (every input and computed field), Data quality, Trend data."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from ..core.display import (
    YEAR_TO_DATE_NOTE,
    arrow_key,
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
from ..xlsx.styles import RAG_SWATCHES
from ..xlsx.write import Sheet
from .sections import DATA, SUMMARY, Context, row_height

Value = str | float | bool | None

# --- Key ---------------------------------------------------------------------------------------


# The key's swatches by state; a BLUE band (no swatch of its own) is written plain.
RAG_KEY_STYLES = {**RAG_SWATCHES, "Not rated": "not_rated"}


def _key_rows(ctx: Context) -> list[tuple[str, str, str]]:
    """The ratings' key, in the words the web edition prints too, with the board's styles."""
    return [(s, RAG_KEY_STYLES.get(s, "text_centre"), m) for s, m in rag_key(ctx.settings)]


def _arrow_rows(ctx: Context) -> list[tuple[str, str, str]]:
    """The arrows' key, in the words the web edition prints too, with the board's styles."""
    lines = arrow_key(ctx.settings.arrow_style, ctx.settings)
    if ctx.settings.arrow_style is ArrowStyle.PERFORMANCE:
        styles = ("swatch_better", "text_centre", "swatch_worse", "text_centre")
    else:
        styles = ("text_centre",) * len(lines)
    return [(s, style, m) for (s, m), style in zip(lines, styles, strict=True)]


KEY_WIDTHS = (24, 100)


def _key_line(sheet: Sheet, at: int, symbol: str, style: str, meaning: str) -> None:
    sheet.string(at, 0, symbol, style)
    sheet.string(at, 1, meaning, "text")
    sheet.row_height(at, row_height([(symbol, KEY_WIDTHS[0]), (meaning, KEY_WIDTHS[1])]))


def _key_table(
    sheet: Sheet, at: int, headings: tuple[str, str], lines: list[tuple[str, str, str]]
) -> int:
    """A heading row and the key's lines under it; returns the row after them."""
    sheet.string(at, 0, headings[0], "header_left")
    sheet.string(at, 1, headings[1], "header_left")
    for symbol, style, meaning in lines:
        at += 1
        _key_line(sheet, at, symbol, style, meaning)
    return at + 1


def _comparison_lines(ctx: Context) -> list[tuple[str, str, str]]:
    return [
        (
            "Compared with last quarter",
            "text_centre",
            f"Against the previous period ({ctx.previous}), or the figure named beside it.",
        ),
        (
            "Compared with a year ago",
            "text_centre",
            f"Against the same period last year ({ctx.last_year}).",
        ),
        ("NEW", "text_centre", "A new indicator: there is no earlier figure to compare with."),
        (
            "N/A",
            "text_centre",
            "No figure to compare: this period's or the earlier one is not available.",
        ),
        (
            "Not compared",
            "text_centre",
            "Both figures exist but are not like for like (for example a change of "
            f"definition); the {DATA} sheet gives the reason.",
        ),
        ("better* / worse*", "text_centre", YEAR_TO_DATE_NOTE[2:]),
    ]


MARK_LINES = [
    ("(Provisional)", "text_centre", "The figure may still change; it is rated as it stands."),
    ("(avg.)", "text_centre", "An average over the period."),
    (
        "(16-17), (2016/17)",
        "text_centre",
        "The period of a comparison figure when it is not the obvious one.",
    ),
    (
        "No comment given",
        "missing",
        "An off-target figure came with no comment or no corrective action.",
    ),
]


def _rules_lines(ctx: Context) -> list[tuple[str, str, str]]:
    """The rules in force, in the words the web edition prints too."""
    own = sum(1 for row in ctx.report.rows if row.indicator.tolerance is not None)
    lines = rules_key(ctx.settings, own, f"the {DATA} sheet", "The Exceptions sheet")
    return [(symbol, "text_bold", meaning) for symbol, meaning in lines]


def write_key(sheet: Sheet, ctx: Context) -> None:
    settings = ctx.settings
    sheet.hide_gridlines()
    sheet.column_width(0, 0, KEY_WIDTHS[0])
    sheet.column_width(1, 1, KEY_WIDTHS[1])
    sheet.string(0, 0, f"Key and rules: {settings.report_title}, {ctx.period}", "title")
    sheet.link_to_sheet(1, 0, SUMMARY, "Back to Summary", "link")
    at = _key_table(sheet, 3, ("Rating", "Meaning"), _key_rows(ctx)) + 1
    style_name = (
        "performance (up = better)"
        if settings.arrow_style is ArrowStyle.PERFORMANCE
        else "movement (the way the figure moved)"
    )
    lines = _arrow_rows(ctx) + _comparison_lines(ctx)
    at = _key_table(sheet, at, ("Arrows", f"Arrow style in force: {style_name}"), lines) + 1
    at = _key_table(sheet, at, ("Marks on figures", "Meaning"), MARK_LINES) + 1
    heading = ("Rules in force", f"Reporting year {settings.reporting_year}")
    _key_table(sheet, at, heading, _rules_lines(ctx))
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
    return (str(point.period), _number(point.value), point.token or "", point.label, "")


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
    "status", "value", "numerator", "denominator", "provisional", "average",
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
        row.rating.rag.value if row.rating.rag else "",
        rag_text(row),
        row.rating.reason,
        *_trend_fields(row, row.short_term),
        *_trend_fields(row, row.long_term),
        record.comment if record else "",
        record.corrective_action if record else "",
        *source.as_row(),
    ]
    assert len(values) == len(DATA_COLUMNS)
    return values


def write_table(
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
            texts = [(v, w) for v, w in zip(values, widths, strict=False) if isinstance(v, str)]
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
    write_table(
        sheet, 0, DATA_COLUMNS, rows, "KpiData", "No indicators in this report.", done=ctx.row_done
    )
    sheet.freeze(1, 1)
    # Fitted to one page wide like the rest: small print, but a few pages rather than dozens
    # when someone prints the whole workbook; the sheet is for reading on screen.
    sheet.print_setup(ctx.print_setup("Data", repeat=(0, 0)))
