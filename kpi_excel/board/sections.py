"""The board's tables: one sheet per sub-committee, the All sheet and the Exceptions sheet.

What each cell says is worked out by small pure functions (performance_cell, arrow, word...)
so the Summary, Exceptions and Data sheets and the tests all agree with the section sheets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from ..core.display import (
    POLARITY_WORDS,
    arrow,
    compared_marks,
    exception_order,
    figure_marks,
    format_target,
    format_value,
    is_exception,
    rag_text,
    round_display,
    trend_word,
)
from ..core.models import (
    RAG,
    ArrowStyle,
    Direction,
    Indicator,
    Report,
    ReportRow,
    Settings,
    Status,
    Target,
    TargetKind,
    Trend,
    Unit,
)
from ..core.periods import Period
from ..xlsx.styles import LINE_HEIGHT, MAX_ROW_HEIGHT, number_format
from ..xlsx.write import PrintSetup, Sheet, cell, column_letter

# Fixed sheet names; section sheets must not take them.
SUMMARY = "Summary"
ALL = "All"
EXCEPTIONS = "Exceptions"
KEY = "Key"
DATA = "Data"
QUALITY = "Data quality"
TREND_DATA = "Trend data"

# Rows of a board table sheet (zero-based).
TITLE_ROW, KEY_ROW, LINK_ROW, GROUP_ROW, HEAD_ROW, FIRST_ROW = 0, 1, 2, 3, 4, 5

# Conditional styles keyed by the word in the RAG cell (rules are mutually exclusive).
RAG_STYLES = {RAG.RED: "cf_red", RAG.AMBER: "cf_amber", RAG.GREEN: "cf_green"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    group: str | None = None  # key of a heading spanning neighbouring columns
    wrap_text: bool = False  # estimate the row height from this column's text
    span: int = 1  # heading cells merged across this many columns (arrow and its word)


# Widths in Excel's character units. The whole table is fitted to one A4 landscape page width,
# so every unit here makes the printed text smaller: about 205 units print at roughly 70%.
BOARD_COLUMNS: tuple[Column, ...] = (
    Column("section", "Sub-committee", 11, wrap_text=True),
    Column("indicator", "Indicator and description", 28, wrap_text=True),
    Column("polarity", "Polarity", 9, wrap_text=True),
    Column("annual_target", "{year} annual target", 9.5, wrap_text=True),
    Column("period_target", "{period} target", 9.5, wrap_text=True),
    Column("performance", "Figure", 11, "perf", wrap_text=True),
    Column("rag", "RAG", 9, "perf", wrap_text=True),
    Column("st_arrow", "Direction", 4.5, "st", span=2),
    Column("st_word", "", 8, "st", wrap_text=True),
    Column("st_value", "Compared with", 10, "st", wrap_text=True),
    Column("lt_arrow", "Direction", 4.5, "lt", span=2),
    Column("lt_word", "", 8, "lt", wrap_text=True),
    Column("lt_value", "Last year", 10, "lt", wrap_text=True),
    Column("trend", "Trend (up to 8 periods)", 9),
    Column("comment", "Comments", 36, wrap_text=True),
    Column("action", "Corrective action", 28, wrap_text=True),
)

# The board's columns less the annual target and the trend, with the corrective action
# first and wider: the exceptions are read for what is being done.
_COLUMN = {column.key: column for column in BOARD_COLUMNS}
EXCEPTION_COLUMNS: tuple[Column, ...] = (
    *(
        _COLUMN[key]
        for key in (
            "section",
            "indicator",
            "polarity",
            "period_target",
            "performance",
            "rag",
            "st_arrow",
            "st_word",
            "st_value",
            "lt_arrow",
            "lt_word",
            "lt_value",
        )
    ),
    Column("action", "Corrective action", 40, wrap_text=True),
    Column("comment", "Comments", 34, wrap_text=True),
)


class ProgressBar(Protocol):
    """What the writer needs of a progress bar (tqdm has it)."""

    def update(self, n: int) -> object: ...

    def close(self) -> object: ...


PROGRESS_STEP = 500


@dataclass
class Context:
    """What every sheet needs to know about the report being written."""

    report: Report
    period: Period
    section_sheets: dict[str, str]  # section -> sheet name
    trend_ranges: dict[int, str] = field(default_factory=dict)  # row index -> history range
    no_trend: str = ""  # an empty range, for a row with no history to draw
    progress: ProgressBar | None = None
    _unreported: int = 0  # rows written since the progress bar last moved

    def row_done(self) -> None:
        """Count a written row; the bar moves every PROGRESS_STEP rows, so it costs nothing."""
        self._unreported += 1
        if self._unreported == PROGRESS_STEP:
            if self.progress is not None:
                self.progress.update(PROGRESS_STEP)
            self._unreported = 0

    def finish_progress(self) -> None:
        if self.progress is not None:
            self.progress.update(self._unreported)
            self.progress.close()
        self._unreported = 0

    @property
    def settings(self) -> Settings:
        return self.report.settings

    @property
    def previous(self) -> Period:
        return self.period.previous()

    @property
    def last_year(self) -> Period:
        return self.period.same_period_last_year()

    def footer(self, label: str) -> str:
        """Report and period left, what the page is centre, page number right."""
        settings = self.settings
        title = _footer_text(f"{settings.organisation} {settings.report_title}: {self.period}", 140)
        # the sheet's name goes with the page number: a centred one overran a long title on
        # the narrower pages (the Key, seen in the rendered PDF)
        return f"&L{title}&R{_footer_text(label, 60)}, page &P of &N"

    def print_setup(
        self, label: str, *, repeat: tuple[int, int] | None, fit: bool = True
    ) -> PrintSetup:
        return PrintSetup(
            repeat_rows=repeat, footer=self.footer(label), fit_width=1 if fit else None
        )


def _footer_text(text: str, limit: int) -> str:
    # Excel allows 255 characters for the whole footer; & starts a code, so && is a literal &.
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text.replace("&", "&&")


# --- what a cell says ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A cell's content: a number under a number format, or text; shown is what Excel shows."""

    shown: str
    number: float | None = None
    num_format: str | None = None


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _as_written(indicator: Indicator, value: float) -> float:
    """The value as rated (rounded to display precision), in Excel's terms: 83% is 0.83."""
    shown = round_display(indicator, value)
    if indicator.unit is Unit.PERCENT:
        # round again: 90.6 / 100 is 0.9059999999999999 in binary, which Excel shows as typed
        return round(shown / 100, indicator.decimals + 2)
    return shown


def performance_cell(row: ReportRow) -> Figure:
    record = row.record
    if record is not None and _finite(record.value):
        assert record.value is not None
        indicator, marks = row.indicator, figure_marks(row)
        return Figure(
            shown=format_value(indicator, record.value) + marks,
            number=_as_written(indicator, record.value),
            num_format=number_format(indicator, marks=marks),
        )
    if record is not None and record.status is Status.NOT_DUE:
        return Figure("Not due")
    return Figure("N/A")


def target_cell(indicator: Indicator, target: Target) -> Figure:
    if target.kind is TargetKind.VALUE and _finite(target.value):
        assert target.value is not None
        return Figure(
            shown=format_value(indicator, target.value),
            number=_as_written(indicator, target.value),
            num_format=number_format(indicator),
        )
    return Figure(format_target(indicator, target))


FIGURE_KEYS = ("annual_target", "period_target", "performance", "st_value", "lt_value")
MAX_FIGURE_WIDTH = 20.0


def figure_for(ctx: Context, row: ReportRow, key: str) -> Figure:
    indicator = row.indicator
    if key == "annual_target":
        return target_cell(indicator, indicator.annual_target)
    if key == "period_target":
        return target_cell(indicator, row.period_target.target)
    if key == "performance":
        return performance_cell(row)
    if key == "st_value":
        return compared_cell(indicator, row.short_term, ctx.previous)
    if key == "lt_value":
        return compared_cell(indicator, row.long_term, ctx.last_year)
    raise ValueError(f"{key!r} is not a figure column")


def _needed(figure: Figure) -> float:
    return len(figure.shown) + 2.0


def compared_cell(indicator: Indicator, trend: Trend, expected: Period) -> Figure:
    """The value the arrow compares with, labelled with its period when not the obvious one."""
    point = trend.compared_with
    if point is None or not _finite(point.value):
        # The word column already carries the token ("NEW", "N/A"): no need to say it twice.
        return Figure("—")
    assert point.value is not None
    marks = compared_marks(trend, expected)
    return Figure(
        shown=format_value(indicator, point.value) + marks,
        number=_as_written(indicator, point.value),
        num_format=number_format(indicator, marks=marks),
    )


# --- row heights -----------------------------------------------------------------------------

# Characters of FONT_SIZE prose per unit of column width. Arial 10 prose (or Liberation Sans,
# its metric twin) wraps at about 1.25 characters a unit in LibreOffice's rendering; 1.2 and
# a character's margin per line err on the tall side, as clipped text is worse than space.
CHARS_PER_UNIT = 1.2


@lru_cache(maxsize=4096)
def lines_needed(text: str, width: float) -> int:
    """Lines text takes wrapped at width: each paragraph filled word by word, a word longer
    than a line broken across lines (as textwrap does, at a fraction of its cost)."""
    per_line = max(1, int(width * CHARS_PER_UNIT) - 1)
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) <= per_line:
            lines += 1  # most cells are short
        else:
            lines += _wrapped_lines(paragraph.split(), per_line)
    return lines


def _wrapped_lines(words: list[str], per_line: int) -> int:
    lines, used = 1, 0  # used: characters on the current line
    for word in words:
        size = len(word)
        if used:
            if used + 1 + size <= per_line:
                used += 1 + size
                continue
            lines, used = lines + 1, 0
        # The word starts a line; one longer than a line runs on over the next ones.
        full, used = divmod(size, per_line)
        if used == 0:
            full, used = full - 1, per_line
        lines += full
    return lines


MAX_LINES = int((MAX_ROW_HEIGHT - 3) // LINE_HEIGHT)
LONG_TEXT_KEYS = ("comment", "action")
MAX_TEXT_WIDTH = 60.0
CONTINUED = " … (continued in the Data sheet)"


def fit_text(text: str, width: float) -> str:
    """text, cut at a word so it fits Excel's tallest row (409 points) at this width.

    Rows cannot grow further, and Excel would hide the rest without a sign; the whole text
    stays in the Data sheet.
    """
    if lines_needed(text, width) <= MAX_LINES:
        return text
    words = text.split(" ")
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if lines_needed(" ".join(words[:middle]) + CONTINUED, width) <= MAX_LINES:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low]).rstrip() + CONTINUED


def _long_text(row: ReportRow, key: str) -> str:
    if row.record is None:
        return ""
    return row.record.comment if key == "comment" else row.record.corrective_action


def row_height(texts: Sequence[tuple[str, float]]) -> float:
    lines = max((lines_needed(text, width) for text, width in texts if text), default=1)
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)


# --- writing the tables ----------------------------------------------------------------------


def _headers(ctx: Context, columns: Sequence[Column]) -> tuple[list[str], dict[str, str]]:
    year = ctx.period.year_label
    period = str(ctx.period)
    texts = [c.header.format(year=year, period=period) for c in columns]
    groups = {
        "perf": f"{period} performance",
        "st": f"Short-term DOT against {ctx.previous}",
        "lt": f"Long-term DOT against {ctx.last_year}",
    }
    return texts, groups


def _indicator_parts(indicator: Indicator) -> list[tuple[str, str]]:
    name = indicator.name.strip() or indicator.id
    parts = [("piece_name", name)]
    if indicator.description.strip():
        parts.append(("piece_plain", "\n" + indicator.description.strip()))
    parts.append(("piece_ref", f"\nRef {indicator.id}"))
    return parts


def _write_figure(sheet: Sheet, row: int, col: int, figure: Figure, width: float) -> None:
    # Excel cannot wrap a number, and shows ### when it does not fit: a figure too long for
    # the widest column we allow is written as the same text, which can wrap.
    if figure.number is not None and _needed(figure) <= width:
        sheet.number(row, col, figure.number, "figure", figure.num_format)
    else:
        sheet.string(row, col, figure.shown, "figure")


def write_row(
    sheet: Sheet,
    ctx: Context,
    at: int,
    row: ReportRow,
    columns: Sequence[Column],
    widths: Sequence[float],
) -> None:
    """One indicator's cells, and a height for the row from the text of its wrapped cells
    (worked out once per cell: on a large board this is most of the writer's own time)."""
    indicator = row.indicator
    style = ctx.settings.arrow_style
    wrapped: list[tuple[str, float]] = []
    for col, column in enumerate(columns):
        key, width = column.key, widths[col]
        if key in FIGURE_KEYS:
            figure = figure_for(ctx, row, key)
            _write_figure(sheet, at, col, figure, width)
            shown = figure.shown
        elif key == "section":
            shown = indicator.section
            sheet.string(at, col, shown, "text")
        elif key == "indicator":
            parts = _indicator_parts(indicator)
            sheet.rich_string(at, col, parts, "text")
            shown = "".join(text for _, text in parts)
        elif key == "polarity":
            shown = POLARITY_WORDS[indicator.polarity].label
            sheet.string(at, col, shown, "text_centre")
        elif key == "rag":
            shown = rag_text(row)
            sheet.string(at, col, shown, "rag" if row.rating.rag else "not_rated")
        elif key in ("st_arrow", "lt_arrow"):
            trend = row.short_term if key == "st_arrow" else row.long_term
            shown = arrow(row, trend, style)
            sheet.string(at, col, shown, "arrow")
        elif key in ("st_word", "lt_word"):
            trend = row.short_term if key == "st_word" else row.long_term
            shown = trend_word(row, trend, ctx.settings)
            sheet.string(at, col, shown, "trend_word")
        elif key == "trend":
            shown = ""
            sheet.blank(at, col, "spark")
        elif key == "comment":
            shown = fit_text(_long_text(row, key), width)
            sheet.string(at, col, shown, "text")
        elif key == "action":
            action = _long_text(row, key)
            if not action and is_exception(row, ctx.settings.exceptions_include_amber):
                shown = "No corrective action given"
                sheet.string(at, col, shown, "missing")
            else:
                shown = fit_text(action, width)
                sheet.string(at, col, shown, "text")
        else:  # a column added to a layout without a writer is a programming error
            raise ValueError(f"no writer for column {key!r}")
        if column.wrap_text and shown:
            wrapped.append((shown, width))
    sheet.row_height(at, row_height(wrapped))


def _colour_rules(
    sheet: Sheet, columns: Sequence[Column], first: int, last: int, settings: Settings
) -> None:
    """RAG and trend colours as conditional formats keyed on the word cells, not static fills.

    The word stays in the cell, so the meaning survives if the colour does not (printing,
    colour-blindness), and someone correcting a word by hand gets the right colour.
    """
    position = {c.key: i for i, c in enumerate(columns)}
    perf, rag = position["performance"], position["rag"]
    rag_ref = f"${column_letter(rag)}{first + 1}"
    for rag_word, style in RAG_STYLES.items():
        sheet.conditional_formula(first, perf, last, rag, f'={rag_ref}="{rag_word}"', style)
    for arrow_key, word_key in (("st_arrow", "st_word"), ("lt_arrow", "lt_word")):
        left, right = position[arrow_key], position[word_key]
        word_ref = f"${column_letter(right)}{first + 1}"
        # the council's words, as the cells print them ("Getting better")
        better, worse, increase, decrease = (
            _formula_text(settings.word_for(direction))
            for direction in (
                Direction.BETTER,
                Direction.WORSE,
                Direction.INCREASE,
                Direction.DECREASE,
            )
        )
        sheet.conditional_formula(first, left, last, right, f'={word_ref}="{better}"', "cf_better")
        sheet.conditional_formula(first, left, last, right, f'={word_ref}="{worse}"', "cf_worse")
        sheet.conditional_formula(
            first,
            left,
            last,
            right,
            f'=OR({word_ref}="{increase}",{word_ref}="{decrease}")',
            "cf_neutral",
        )


def _formula_text(text: str) -> str:
    return text.replace('"', '""')


def column_widths(
    ctx: Context, rows: Sequence[tuple[int, ReportRow]], columns: Sequence[Column]
) -> list[float]:
    """The layout's widths, widened (up to a limit) where this sheet's content needs it.

    Figure columns grow to fit their longest figure; comment columns grow until their longest
    text fits in Excel's tallest row.
    """
    widths = []
    for column in columns:
        width = column.width
        if column.key in FIGURE_KEYS:
            need = max((_needed(figure_for(ctx, row, column.key)) for _, row in rows), default=0)
            width = max(width, min(MAX_FIGURE_WIDTH, need))
        elif column.key in LONG_TEXT_KEYS:
            longest = max((lines_needed(_long_text(row, column.key), width) for _, row in rows),
                          default=0)  # fmt: skip
            while longest > MAX_LINES and width < MAX_TEXT_WIDTH:
                width += 2
                longest = max(lines_needed(_long_text(row, column.key), width) for _, row in rows)
        widths.append(width)
    return widths


def key_line(ctx: Context) -> str:
    settings = ctx.settings
    rag = (
        f"GREEN: {settings.green_label}. AMBER: {settings.amber_label}. RED: {settings.red_label}."
    )
    if settings.arrow_style is ArrowStyle.PERFORMANCE:
        arrows = "▲ better, ► same, ▼ worse than the figure compared with; ↑ ↓ rose or fell."
    else:
        arrows = "Arrows show which way the figure moved (▲ up, ► same, ▼ down); the word says if that is better or worse."
    return f"{rag} {arrows} See the Key sheet."


# Heading text is bold, so fewer characters fit a unit of width than in the body.
BOLD_WIDTH = 0.9


def _write_headings(
    sheet: Sheet, ctx: Context, columns: Sequence[Column], widths: Sequence[float]
) -> None:
    """The example's two heading rows: group headings (performance, short term, long term)
    over their columns' headings, and the other columns' headings on the lower row under a
    blank heading cell drawn as one block with it. A merge down over both rows would read the
    same, but a sheet written row by row can hold one such merge per row, not eight."""
    texts, groups = _headers(ctx, columns)
    upper: list[tuple[int, int, str, str]] = []  # first column, last column, text, style
    lower: list[tuple[int, int, str, str]] = []
    col = 0
    while col < len(columns):
        group = columns[col].group
        if group is None:
            upper.append((col, col, "", "header_upper"))
            lower.append((col, col, texts[col], "header_lower"))
            col += 1
            continue
        end = col
        while end + 1 < len(columns) and columns[end + 1].group == group:
            end += 1
        upper.append((col, end, groups[group], "header"))
        inner = col
        while inner <= end:
            last = inner + columns[inner].span - 1
            lower.append((inner, last, texts[inner], "header"))
            inner = last + 1
        col = end + 1
    for at, cells in ((GROUP_ROW, upper), (HEAD_ROW, lower)):
        spans = [
            (text, sum(widths[first : last + 1]) * BOLD_WIDTH) for first, last, text, _ in cells
        ]
        lines = max(2, max(lines_needed(text, width) for text, width in spans))
        sheet.row_height(at, min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4))
        for first, last, text, style in cells:
            sheet.merged_string(at, first, at, last, text, style)


def write_board_sheet(
    sheet: Sheet,
    ctx: Context,
    title: str,
    rows: Sequence[tuple[int, ReportRow]],
    columns: Sequence[Column] = BOARD_COLUMNS,
    empty_note: str = "No indicators.",
    label: str = "",
    widths: Sequence[float] | None = None,
) -> list[float]:
    """A titled table of indicators with the two-row heading the example report uses.

    widths: the columns' widths when already known (see widest); returns the widths used.
    """
    sheet.hide_gridlines()
    widths = list(widths) if widths is not None else column_widths(ctx, rows, columns)
    for col, width in enumerate(widths):
        sheet.column_width(col, col, width)
    sheet.string(TITLE_ROW, 0, title, "title")
    sheet.string(KEY_ROW, 0, key_line(ctx), "note")
    sheet.link_to_sheet(LINK_ROW, 0, SUMMARY, "◄ Summary", "link")
    sheet.link_to_sheet(LINK_ROW, 1, KEY, "Key and rules", "link")

    _write_headings(sheet, ctx, columns, widths)
    if not rows:
        sheet.string(FIRST_ROW, 0, empty_note, "note")
    for offset, (_, row) in enumerate(rows):
        write_row(sheet, ctx, FIRST_ROW + offset, row, columns, widths)
        ctx.row_done()
    if rows:
        last = FIRST_ROW + len(rows) - 1
        _colour_rules(sheet, columns, FIRST_ROW, last, ctx.settings)
        _sparklines(sheet, ctx, rows, columns)
    sheet.freeze(FIRST_ROW, 2)
    sheet.print_setup(ctx.print_setup(label or title, repeat=(GROUP_ROW, HEAD_ROW)))
    return widths


def widest(sheets: Sequence[Sequence[float]]) -> list[float]:
    """The widths column_widths gives rows that are the union of these sheets' rows, without
    going over them again: each width is the widest any one needed (figures fit their longest;
    text widens in the same steps until its longest fits, and fewer lines never need more
    width)."""
    return [max(column) for column in zip(*sheets, strict=True)]


def _sparklines(
    sheet: Sheet, ctx: Context, rows: Sequence[tuple[int, ReportRow]], columns: Sequence[Column]
) -> None:
    """One grouped add_sparkline call for the sheet. Rows with no history to draw get an
    empty range, which draws nothing: one call per run of rows with a history cost more than
    the rest of the row's writing together on a large board."""
    keys = [c.key for c in columns]
    if "trend" not in keys or not any(index in ctx.trend_ranges for index, _ in rows):
        return
    col = keys.index("trend")
    locations = [cell(FIRST_ROW + offset, col) for offset in range(len(rows))]
    ranges = [ctx.trend_ranges.get(index, ctx.no_trend) for index, _ in rows]
    sheet.sparklines(locations, ranges)


def write_exceptions(sheet: Sheet, ctx: Context) -> list[tuple[int, ReportRow]]:
    include_amber = ctx.settings.exceptions_include_amber
    chosen = [(i, r) for i, r in enumerate(ctx.report.rows) if is_exception(r, include_amber)]
    ordered = exception_order(chosen)
    which = "RED or AMBER" if include_amber else "RED"
    write_board_sheet(
        sheet,
        ctx,
        f"Exceptions: every {which} indicator, {ctx.period} (worsening first)",
        ordered,
        EXCEPTION_COLUMNS,
        empty_note=f"No indicator is {which} this period.",
        label="Exceptions",
    )
    return ordered
