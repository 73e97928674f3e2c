"""The board's performance report workbook: write_board_workbook(report, path).

Sheets, in order: Summary, one per sub-committee, All, Exceptions, Key, Data, Data quality,
and a hidden Trend data sheet holding the history the sparklines draw.

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

from ..core.display import Counts, count, overall_sentence
from ..core.models import RAG, Report, ReportRow, Settings
from ..core.periods import Period, PeriodError
from ..core.problems import OutputError
from ..xlsx.atomic import replace_file
from ..xlsx.styles import cell_styles, chart_fills, conditional_styles, palette
from ..xlsx.write import BarSeries, Book, Sheet, ref, warnings_as_errors
from .data import (
    empty_trend_range,
    write_data,
    write_key,
    write_quality,
    write_trend_data,
)
from .sections import (
    ALL,
    DATA,
    EXCEPTIONS,
    KEY,
    QUALITY,
    SUMMARY,
    TREND_DATA,
    Context,
    ProgressBar,
    is_exception,
    widest,
    write_board_sheet,
    write_exceptions,
)
from .spc import SPC, SPC_DATA, SPC_STYLES, add_spc_sheets, write_spc

FIXED_SHEETS = (SUMMARY, ALL, EXCEPTIONS, KEY, DATA, QUALITY, TREND_DATA)
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


# --- Summary ---------------------------------------------------------------------------------


SUMMARY_HEADERS = (
    "Section",
    "Indicators",
    "Rated",
    "GREEN",
    "AMBER",
    "RED",
    "Not rated",
    "Better",
    "Same",
    "Worse",
    "No arrow",
    "Better",
    "Same",
    "Worse",
    "No arrow",
)
SUMMARY_TABLE_ROW = 5  # group heading row; column headings below, sections from +2


def _summary_headers(settings: Settings) -> list[str]:
    """The Summary's headings with the arrows in the council's words ("Getting better")."""
    headers = list(SUMMARY_HEADERS)
    for code in ("better", "same", "worse"):
        word = settings.direction_words.get(code, code)
        if word != code:  # the default words keep their capital
            headers = [word if text == code.capitalize() else text for text in headers]
    return headers


def _count_values(counts: Counts) -> list[int]:
    values = [counts.indicators, counts.rated]
    values += [counts.rag[RAG.GREEN], counts.rag[RAG.AMBER], counts.rag[RAG.RED]]
    values.append(counts.indicators - counts.rated)
    for trend in (counts.short, counts.long):
        values += [trend["better"], trend["same"], trend["worse"], trend["other"]]
    return values


def write_summary(
    book: Book,
    sheet: Sheet,
    ctx: Context,
    sections: list[str],
    by_section: dict[str, list[tuple[int, ReportRow]]],
) -> None:
    report, settings = ctx.report, ctx.settings
    sheet.hide_gridlines()
    sheet.column_width(0, 0, 30)
    sheet.column_width(1, len(SUMMARY_HEADERS) - 1, 9)
    sheet.string(0, 0, f"{settings.organisation}: {settings.report_title}", "title")
    if settings.logo:
        sheet.image(0, len(SUMMARY_HEADERS) - 2, settings.logo)
    period = ctx.period
    start, end = period.start_date(), period.end_date()
    dates = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    sheet.string(1, 0, f"{period} ({dates})", "subtitle")
    overall = count(report.rows, settings)
    sheet.string(2, 0, overall_sentence(overall), "plain")
    sheet.string(
        3,
        0,
        "Counts of GREEN, AMBER and RED are out of the rated indicators. Section names link "
        "to their sheets; the Key sheet explains colours and arrows.",
        "note",
    )

    top = SUMMARY_TABLE_ROW
    sheet.merged_string(top, 1, top, 6, f"{period} RAG rating", "header")
    sheet.merged_string(top, 7, top, 10, f"Short term (against {ctx.previous})", "header")
    sheet.merged_string(top, 11, top, 14, f"Long term (against {ctx.last_year})", "header")
    # Merged down over both heading rows, so the last cell written on the first of them.
    sheet.merged_string(top, 0, top + 1, 0, "Section", "header")
    header_styles = {"GREEN": "swatch_green", "AMBER": "swatch_amber", "RED": "swatch_red"}
    for col, text in enumerate(_summary_headers(settings)[1:], start=1):
        sheet.string(top + 1, col, text, header_styles.get(text, "header"))

    first = top + 2
    lines = [
        (name, ctx.section_sheets[name], count([row for _, row in by_section[name]], settings))
        for name in sections
    ]
    lines.append(("All sections", ALL, overall))
    for offset, (label, target, counts) in enumerate(lines):
        at = first + offset
        is_total = offset == len(lines) - 1
        sheet.link_to_sheet(at, 0, target, label, "link_box")
        for col, value in enumerate(_count_values(counts), start=1):
            sheet.number(at, col, float(value), "count_bold" if is_total else "count")
    after = first + len(lines) + 1
    for offset, (label, target) in enumerate(
        (
            ("Exceptions: RED indicators and corrective actions", EXCEPTIONS),
            ("Key: colours, arrows and the rules in force", KEY),
            ("Data: every figure and how it was worked out", DATA),
            ("Data quality: problems found in the returns", QUALITY),
        )
    ):
        sheet.link_to_sheet(after + offset, 0, target, label, "link")

    if sections:
        last_section = first + len(sections) - 1
        fills = chart_fills(palette(settings))
        series = [
            BarSeries(
                name=word,
                categories=ref(SUMMARY, first, 0, last_section, 0),
                values=ref(SUMMARY, first, col, last_section, col),
                fill=fills[word],
            )
            for word, col in (("GREEN", 3), ("AMBER", 4), ("RED", 5))
        ]
        most = max(counts.rated for _, _, counts in lines[:-1])
        chart = book.stacked_bar_chart(
            series,
            title=f"RAG ratings by section, {period}",
            value_axis="Rated indicators",
            # Whole numbers only: a step of 1 while that leaves a readable number of gridlines.
            major_unit=1 if most <= 12 else None,
        )
        height = max(260, 60 + 34 * len(sections))
        sheet.chart(after + 6, 0, chart, width=760, height=height)
    sheet.print_setup(ctx.print_setup("Summary", repeat=None))


# --- the workbook ----------------------------------------------------------------------------


def _period(report: Report) -> Period:
    try:
        return Period.parse(report.period)
    except PeriodError as error:
        raise OutputError(f"Cannot write the board workbook: {error}") from error


# Given the number of rows to write, a progress bar for them (tqdm's signature fits).
ProgressFactory = Callable[[int], ProgressBar]


def rows_to_write(report: Report) -> int:
    """The rows the progress bar counts: section sheets, All, Exceptions, Data, Trend data."""
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
    period = _period(report)
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

    # Sheets are added in their final order, then filled in.
    summary = book.sheet(SUMMARY)
    section_sheets = {name: book.sheet(ctx.section_sheets[name]) for name in sections}
    all_sheet = book.sheet(ALL)
    exceptions = book.sheet(EXCEPTIONS)
    key = book.sheet(KEY)
    data = book.sheet(DATA)
    quality = book.sheet(QUALITY)
    trend_data = book.sheet(TREND_DATA)
    spc_sheets = add_spc_sheets(book, report)

    ctx.trend_ranges = write_trend_data(trend_data, ctx, TREND_DATA)
    ctx.no_trend = empty_trend_range(TREND_DATA)
    indexed = list(enumerate(report.rows))
    by_section = _by_section(indexed)
    section_widths = []
    for name in sections:
        title = f"{name}: {period} performance"
        section_widths.append(
            write_board_sheet(section_sheets[name], ctx, title, by_section[name], label=name)
        )
    title = f"All indicators: {period} performance"
    # All holds every section's rows: its widths follow from theirs.
    all_widths = widest(section_widths) if section_widths else None
    write_board_sheet(all_sheet, ctx, title, indexed, label="All indicators", widths=all_widths)
    write_exceptions(exceptions, ctx)
    write_key(key, ctx)
    write_data(data, ctx)
    write_quality(quality, ctx)
    write_spc(spc_sheets, ctx)
    write_summary(book, summary, ctx, sections, by_section)
    ctx.finish_progress()
    book.close()


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
