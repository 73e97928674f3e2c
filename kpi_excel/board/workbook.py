"""The board's performance report workbook: write_board_workbook(report, path).

Sheets, in order: the board pack (Summary, Report, Exceptions, Trends: their print areas are
what is printed), then for the screen one sheet per sub-committee, Key, Data, Returns data,
Data quality, and Trend data (the figures the trend charts draw).

The file is written row by row (XlsxWriter's constant_memory mode) to a temporary file beside
the target and renamed over it, so a failed run never leaves a half-written report where the
last good one was, and a board of 40,000 indicators needs little memory. Every sheet is
therefore written top to bottom.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from ..core.display import is_exception
from ..core.models import Report, ReportRow
from ..xlsx.atomic import replace_file
from ..xlsx.styles import cell_styles, conditional_styles, palette
from ..xlsx.write import Book, warnings_as_errors
from .data import write_data, write_key
from .quality import write_quality, write_returns_data
from .sections import (
    BOARD_COLUMNS,
    DATA,
    EXCEPTIONS,
    KEY,
    PACK_LINES,
    QUALITY,
    REPORT,
    RETURNS_DATA,
    SUMMARY,
    TREND_DATA,
    TRENDS,
    Context,
    ProgressBar,
)
from .spc import SPC, SPC_DATA, SPC_STYLES, add_spc_sheets, write_spc
from .summary import write_summary
from .tables import exceptions, write_board_sheet, write_exceptions
from .trends import write_trend_data, write_trends

FIXED_SHEETS = (SUMMARY, REPORT, EXCEPTIONS, TRENDS, KEY, DATA, RETURNS_DATA, QUALITY, TREND_DATA)
# Excel keeps "History" for itself; the fixed names are ours.
RESERVED_NAMES = {name.casefold() for name in (*FIXED_SHEETS, SPC, SPC_DATA, "History")}
_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
MAX_SHEET_NAME = 31


def sheet_names(sections: list[str]) -> dict[str, str]:
    """A valid, unique sheet name for each section, in order.

    At most 31 characters, none of []:*?/\\, not starting or ending with an apostrophe,
    unique ignoring case and clear of the workbook's fixed sheet names.
    """
    taken = set(RESERVED_NAMES)
    names: dict[str, str] = {}
    for section in sections:
        base = _FORBIDDEN.sub("-", section)
        base = re.sub(r"\s+", " ", base).strip().strip("'").strip() or "Section"
        base = base[:MAX_SHEET_NAME].rstrip().rstrip("'")
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            tail = f" ({number})"
            name = base[: MAX_SHEET_NAME - len(tail)].rstrip() + tail
        taken.add(name.casefold())
        names[section] = name
    return names


def sections_in_order(report: Report) -> list[str]:
    seen: dict[str, None] = {}
    for row in report.rows:
        seen.setdefault(row.indicator.section, None)
    return list(seen)


# --- the workbook ----------------------------------------------------------------------------


# Given the number of rows to write, a progress bar for them (tqdm's signature fits).
ProgressFactory = Callable[[int], ProgressBar]


def rows_to_write(report: Report) -> int:
    """The rows the progress bar counts: section sheets, Report, Exceptions, Data, Trend data."""
    include_amber = report.settings.exceptions_include_amber
    exceptions = sum(1 for row in report.rows if is_exception(row, include_amber))
    return 4 * len(report.rows) + exceptions


def build_workbook(
    report: Report, target: str | Path | IO[bytes], progress: ProgressFactory | None = None
) -> None:
    """Write the whole workbook to target: a path (row by row), or a file-like object."""
    with warnings_as_errors():
        _build(report, target, progress)


def _build(
    report: Report, target: str | Path | IO[bytes], progress: ProgressFactory | None
) -> None:
    period = report.period  # a Period, parsed where the report was made
    settings = report.settings
    colours = palette(settings)
    book = Book(target, {**cell_styles(colours), **conditional_styles(colours), **SPC_STYLES})
    sections = sections_in_order(report)
    ctx = Context(report=report, period=period, section_sheets=sheet_names(sections))
    if progress is not None:
        ctx.progress = progress(rows_to_write(report))
    book.set_properties(
        title=f"{settings.organisation} {settings.report_title}: {period}",
        subject=f"Performance report for {period}",
        author=settings.organisation,
        comments="Written by kpi-excel"
        + (
            f" from register {report.register_fingerprint[:12]}"
            if report.register_fingerprint
            else ""
        ),
        # Fixed from the period, not the clock, so two runs give the same file.
        created=datetime.combine(period.end_date(), datetime.min.time()),
    )

    _write_sheets(book, ctx, sections)
    ctx.finish_progress()
    book.close()


def _write_sheets(book: Book, ctx: Context, sections: list[str]) -> None:
    """Add the sheets in their final order, then fill them in; the Summary last, when the
    Report's section rows (its links) are known."""
    period = ctx.period
    pack = {name: book.sheet(name) for name in (SUMMARY, REPORT, EXCEPTIONS, TRENDS)}
    section_sheets = {name: book.sheet(ctx.section_sheets[name]) for name in sections}
    rest = {name: book.sheet(name) for name in (KEY, DATA, RETURNS_DATA, QUALITY, TREND_DATA)}
    spc_sheets = add_spc_sheets(book, ctx.report)  # for the screen; none until 13 points

    ordered = exceptions(ctx)  # the Exceptions, the Trends page and the Summary read them
    charts = write_trend_data(rest[TREND_DATA], ctx)
    write_trends(book, pack[TRENDS], ctx, charts, ordered, TREND_DATA)
    indexed = list(enumerate(ctx.report.rows))
    by_section = _by_section(indexed)
    ctx.section_rows = write_board_sheet(
        pack[REPORT],
        ctx,
        f"{period} performance report",
        indexed,
        BOARD_COLUMNS,
        label="Report",
        section_headings=True,
        in_pack=True,
        text_lines=PACK_LINES,
    )
    for name in sections:
        title = f"{name}: {period} performance"
        write_board_sheet(
            section_sheets[name], ctx, title, by_section[name], BOARD_COLUMNS, label=name
        )
    write_exceptions(pack[EXCEPTIONS], ctx, ordered)
    write_key(rest[KEY], ctx)
    write_data(rest[DATA], ctx)
    write_returns_data(rest[RETURNS_DATA], ctx)
    write_quality(rest[QUALITY], ctx)
    write_spc(spc_sheets, ctx)
    write_summary(book, pack[SUMMARY], ctx, sections, by_section, ordered)


def _by_section(indexed: list[tuple[int, ReportRow]]) -> dict[str, list[tuple[int, ReportRow]]]:
    """Rows by section in one pass (not one scan of every row per section)."""
    grouped: dict[str, list[tuple[int, ReportRow]]] = {}
    for index, row in indexed:
        grouped.setdefault(row.indicator.section, []).append((index, row))
    return grouped


def write_board_workbook(
    report: Report, path: Path, progress: ProgressFactory | None = None
) -> Path:
    """Write the board workbook for report to path, replacing any earlier file atomically.

    progress, given the number of rows to write, makes a bar the writer moves as it goes.
    Raises OutputError, with a message for whoever runs kpi-excel, when it cannot be written.
    """

    def write(temporary: Path) -> None:
        # Made empty first, so a folder that cannot be written fails now, not after the build.
        open(temporary, "xb").close()
        build_workbook(report, temporary, progress)

    return replace_file(Path(path), write)
