"""The board's tables: the Report (every section in one table that flows across printed
pages), one sheet per sub-committee for reading on screen, and the Exceptions sheet.

What each cell says is worked out by small pure functions (performance_cell, arrow, word...)
so the Summary, Exceptions and Data sheets and the tests all agree with the section sheets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..core.display import (
    compared_marks,
    display_places,
    figure_marks,
    format_target,
    format_value,
    places_shown,  # the words both editions print, defined once
    round_display,
)
from ..core.models import (
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
from ..xlsx.styles import LINE_HEIGHT, lines_needed, number_format
from ..xlsx.write import PrintSetup

# Fixed sheet names; section sheets must not take them.
SUMMARY = "Summary"
REPORT = "Report"
TRENDS = "Trends"
EXCEPTIONS = "Exceptions"
KEY = "Key"
DATA = "Data"
QUALITY = "Data quality"
TREND_DATA = "Trend data"
RETURNS_DATA = "Returns data"

# The sheets printed as the board pack, in order; the rest are for reading on screen.
PACK_SHEETS = (SUMMARY, REPORT, EXCEPTIONS, TRENDS)
# Every printed page at one scale: 10 pt text prints at 9 pt, the least readable on paper.
PRINT_SCALE = 90
# Excel width units that fit across A4 landscape at PRINT_SCALE within PACK_MARGINS
# (measured: LibreOffice draws a unit about 5.9 pt wide, padding included, a little wider
# than Excel)
PRINTABLE_UNITS = 150.0
# The pack's margins in inches (left, right, top, bottom): narrow, for a wider comments column.
PACK_MARGINS = (0.3, 0.3, 0.4, 0.45)

# Report rows with their index in report.rows, as the sheets pass them.
Rows = Sequence[tuple[int, ReportRow]]

# Rows of a board table sheet (zero-based).
TITLE_ROW, KEY_ROW, LINK_ROW, GROUP_ROW, HEAD_ROW, FIRST_ROW = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    group: str | None = None  # key of a heading spanning neighbouring columns
    wrap_text: bool = False  # estimate the row height from this column's text
    span: int = 1  # heading cells merged across this many columns (arrow and its word)


# Widths in Excel's character units. The table prints at PRINT_SCALE on A4 landscape, so the
# widths add up to at most PRINTABLE_UNITS; on a 1366-pixel screen the figure, rating, arrows
# and the start of the comment show at 100% zoom.
BOARD_COLUMNS: tuple[Column, ...] = (
    Column("indicator", "Indicator", 26, wrap_text=True),
    Column("annual_target", "{year} target", 8, wrap_text=True),
    Column("period_target", "{quarter} target", 9, wrap_text=True),
    Column("performance", "Figure", 11, "perf", wrap_text=True),
    Column("rag", "Rating", 8.5, "perf", wrap_text=True),
    Column("st_arrow", "Change", 3, "st", span=2),
    Column("st_word", "", 7.5, "st", wrap_text=True),
    Column("st_value", "{previous}", 8, "st", wrap_text=True),
    Column("lt_arrow", "Change", 3, "lt", span=2),
    Column("lt_word", "", 7.5, "lt", wrap_text=True),
    Column("lt_value", "{last_year}", 8, "lt", wrap_text=True),
    Column("comment", "Comments and corrective action", 50.5, wrap_text=True),
)

# The exceptions are read for what is being done: the corrective action, wide (the comments,
# and the figures compared with, are in the Report).
_COLUMN = {column.key: column for column in BOARD_COLUMNS}
EXCEPTION_COLUMNS: tuple[Column, ...] = (
    Column("name", "Indicator", 30, wrap_text=True),
    Column("section", "Sub-committee", 11, wrap_text=True),
    *(_COLUMN[key] for key in ("period_target", "performance", "rag", "st_arrow")),
    Column("st_word", "", 11, "st", wrap_text=True),
    Column("action", "Corrective action (the whole of it in the Report)", 65.5, wrap_text=True),
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
    section_rows: dict[str, int] = field(default_factory=dict)  # heading row in the Report
    text_lines: int = 0  # lines of comment a row of the sheet being written may hold
    progress: ProgressBar | None = None
    _unreported: int = 0  # rows written since the progress bar last moved
    # Each figure cell, by column key, then by the row's index in report.rows
    _figures: dict[str, list[Figure | None]] = field(default_factory=dict)

    def figure(self, index: int, row: ReportRow, key: str) -> Figure:
        """Figure column key of report.rows[index], worked out once: the column widths, the
        Report, the row's section sheet and the Exceptions all show the same cell."""
        column = self._figures.get(key)
        if column is None:
            column = self._figures[key] = [None] * len(self.report.rows)
        figure = column[index]
        if figure is None:
            figure = column[index] = figure_for(self, row, key)
        return figure

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
        """Report and period left, what the page is and its number right."""
        settings = self.settings
        title = _footer_text(f"{settings.organisation} {settings.report_title}: {self.period}", 140)
        # the sheet's name goes with the page number: a centred one overran a long title on
        # the narrower pages (the Key, seen in the rendered PDF)
        return f"&L{title}&R{_footer_text(label, 60)}, page &P of &N"

    def print_setup(
        self,
        label: str,
        *,
        repeat: tuple[int, int] | None,
        area: tuple[int, int, int, int] | None = None,
        note: str = "",
    ) -> PrintSetup:
        """A page of the board pack when area is given (at PRINT_SCALE); otherwise a sheet
        for the screen, fitted to the page width should someone print it. note: a footnote
        every printed page needs, at the top of each."""
        # The footnote goes in the footer, in place of the title the page's heading carries: a
        # header would take a band of every page from the table (LibreOffice prints it inside
        # the page, which cost the pack a page).
        footer = self.footer(label)
        if note:
            footer = f"&L{_footer_text(note, 180)}&R{_footer_text(label, 60)}, page &P of &N"
        return PrintSetup(
            repeat_rows=repeat,
            footer=footer,
            fit_width=None if area is not None else 1,
            scale=PRINT_SCALE,
            area=area,
            **({"margins": PACK_MARGINS} if area is not None else {}),
        )


def _footer_text(text: str, limit: int) -> str:
    # Excel allows 255 characters for the whole footer; & starts a code, so && is a literal &.
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text.replace("&", "&&")


# --- what a cell says ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A cell's content: a number under a number format, or text; shown is what Excel shows."""

    shown: str
    number: float | None = None
    num_format: str | None = None


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def as_written(indicator: Indicator, value: float) -> float:
    """The value as rated (rounded to display precision), in Excel's terms: 83% is 0.83."""
    shown = round_display(indicator, value)
    if indicator.unit is Unit.PERCENT:
        # round again: 90.6 / 100 is 0.9059999999999999 in binary, which Excel shows as typed
        return round(shown / 100, display_places(indicator) + 2)
    return shown


def _figure(indicator: Indicator, value: float, marks: str = "") -> Figure:
    """A figure as a number cell shown as format_value prints it: at the register's Decimals,
    or when it gives none at the places the figure was recorded with (72.4, 660)."""
    return Figure(
        shown=format_value(indicator, value) + marks,
        number=as_written(indicator, value),
        num_format=number_format(indicator, marks=marks, places=places_shown(indicator, value)),
    )


def performance_cell(row: ReportRow) -> Figure:
    record = row.record
    if record is not None and _finite(record.value):
        assert record.value is not None
        return _figure(row.indicator, record.value, figure_marks(row))
    if record is not None and record.status is Status.NOT_DUE:
        return Figure("Not due")
    return Figure("N/A")


def target_cell(indicator: Indicator, target: Target) -> Figure:
    if target.kind is TargetKind.VALUE and _finite(target.value):
        assert target.value is not None
        return _figure(indicator, target.value)
    return Figure(format_target(indicator, target))


FIGURE_KEYS = ("annual_target", "period_target", "performance", "st_value", "lt_value")
MAX_FIGURE_WIDTH = 12.0  # a longer figure is written as text, which wraps


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


def compared_cell(indicator: Indicator, trend: Trend, expected: Period) -> Figure:
    """The value the arrow compares with, labelled with its period when not the obvious one."""
    point = trend.compared_with
    if point is None or not _finite(point.value):
        # The word column already carries the token ("NEW", "N/A"): no need to say it twice.
        return Figure("—")
    assert point.value is not None
    return _figure(indicator, point.value, compared_marks(trend, expected))


# --- row heights -----------------------------------------------------------------------------

# Rows no taller than a laptop screen shows below the frozen headings: of 768 pixels, Excel's
# bars and the taskbar leave about 540 for cells, the title and heading rows take about 140;
# 290 points is 387 pixels. A long comment never hides the rows around it.
SCREEN_ROW_HEIGHT = 290.0
MAX_LINES = int((SCREEN_ROW_HEIGHT - 3) // LINE_HEIGHT)
# Printed, a row that does not fit leaves the rest of its page empty: the Report's rows hold
# at most this many lines (the whole comment is on the section sheets and the Data sheet).
PACK_LINES = 14
LONG_TEXT_KEYS = ("comment", "action")
CONTINUED = " … (continued in the Data sheet)"
MISSING_WORDS = {"comment": "No comment given", "corrective action": "No corrective action given"}


def fit_text(text: str, width: float, max_lines: int = MAX_LINES, more: str = CONTINUED) -> str:
    """text, cut at a word so it fits max_lines at this width (a row no taller than a screen);
    the whole text stays in the Data sheet."""
    if lines_needed(text, width) <= max_lines:
        return text
    words = text.split(" ")
    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if lines_needed(" ".join(words[:middle]) + more, width) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low]).rstrip() + more


def long_text(row: ReportRow, key: str) -> str:
    if row.record is None:
        return ""
    return row.record.comment if key == "comment" else row.record.corrective_action


def missing_words(what: str) -> str:
    return MISSING_WORDS.get(what, f"No {what} given")


def share_lines(comment: int, action: int, most: int) -> tuple[int, int]:
    """Lines for the comment and the action when both must fit `most`: each keeps what it
    needs if it can; otherwise neither takes more than its half, and either gives what it
    does not need to the other."""
    if comment + action <= most:
        return comment, action
    half = most // 2
    if comment <= half:
        return comment, most - comment
    if action <= most - half:
        return most - action, action
    return most - half, half


def commentary_parts(
    row: ReportRow, missing: list[str], width: float, max_lines: int = MAX_LINES
) -> list[tuple[str, str]]:
    """The Comments cell: the comment, then the corrective action under its label; what is
    missing said in grey italics. When both do not fit the row, they share its lines."""
    comment = long_text(row, "comment").strip()
    action = long_text(row, "action").strip()
    label = "Corrective action: "
    comment_lines = lines_needed(comment, width) if comment else 0
    action_lines = lines_needed(label + action, width) if action else 0
    comment_room, action_room = share_lines(comment_lines, action_lines, max_lines)
    parts: list[tuple[str, str]] = []
    if comment:
        parts.append(("piece_plain", fit_text(comment, width, comment_room)))
    elif "comment" in missing:
        parts.append(("piece_missing", missing_words("comment")))
    start = "\n" if parts else ""
    if action:
        shown = fit_text(label + action, width, max(1, action_room))[len(label) :]
        parts += [("piece_label", start + label), ("piece_plain", shown)]
    elif "corrective action" in missing:
        parts.append(("piece_missing", start + missing_words("corrective action")))
    return parts


def row_height(texts: Sequence[tuple[str, float]], max_lines: int = MAX_LINES) -> float:
    lines = max((lines_needed(text, width) for text, width in texts if text), default=1)
    return min(max_lines * LINE_HEIGHT + 3, lines * LINE_HEIGHT + 3)
