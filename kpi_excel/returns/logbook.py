"""The validation log as a workbook: the return log, every problem, and the chase list.

Written for the performance team by `kpi-excel validate --log`, through the same XlsxWriter
adapter and styles as the board workbook, and written whole or not at all.
"""

from __future__ import annotations

import io
from pathlib import Path

from ..core.models import Register, ReturnLogEntry, Settings
from ..core.periods import Period
from ..core.problems import CATALOGUE
from ..xlsx.atomic import make_folder, write_bytes
from ..xlsx.styles import LINE_HEIGHT, cell_styles, lines_needed, palette
from ..xlsx.write import Book, PrintSetup, Sheet, warnings_as_errors
from .collect import Collected
from .log import chase_list, counts, return_log

LOG_SHEET, PROBLEMS_SHEET, CHASE_SHEET = "Return log", "Problems", "Chase list"

LOG_COLUMNS = (
    ("Service area", 28),
    ("Expected", 9),
    ("Outcome", 11),
    ("Late", 6),
    ("Saved", 11),
    ("Errors", 7),
    ("Warnings", 9),
    ("File", 44),
    ("Template version", 10),
    ("SHA-256", 66),
)
PROBLEM_COLUMNS = (
    ("Severity", 9),
    ("Code", 24),
    ("Who fixes it", 14),
    ("File", 36),
    ("Sheet", 10),
    ("Cell", 8),
    ("Indicator", 9),
    ("Value", 16),
    ("Message", 60),
    ("Fix", 50),
)


def write_validation_log(
    collected: Collected, period: Period, path: Path, *, register: Register | None = None
) -> Path:
    """Write the log workbook to path (replacing it only once it is complete)."""
    buffer = io.BytesIO()
    settings = register.settings if register is not None else Settings()
    with warnings_as_errors():
        book = Book(buffer, cell_styles(palette(settings)))
        rows = return_log(collected, register, period)
        _log_sheet(book.sheet(LOG_SHEET), rows, period)
        _problems_sheet(book.sheet(PROBLEMS_SHEET), collected)
        _chase_sheet(book.sheet(CHASE_SHEET), chase_list(collected, period, register))
        book.close()
    return write_output(Path(path), buffer.getvalue())


def write_output(path: Path, content: bytes) -> Path:
    """Write a file whole or not at all, making its folder if need be."""
    make_folder(path.parent)
    return write_bytes(path, content)


def _headings(sheet: Sheet, columns: tuple[tuple[str, float], ...], row: int) -> None:
    lines = 1
    for col, (heading, width) in enumerate(columns):
        sheet.string(row, col, heading, "header")
        sheet.column_width(col, col, width)
        lines = max(lines, lines_needed(heading, width * 0.85))  # bold, and a filter button
    sheet.row_height(row, LINE_HEIGHT * lines + 6)


def _log_sheet(sheet: Sheet, rows: list[ReturnLogEntry], period: Period) -> None:
    summary = counts(rows)
    sheet.string(0, 0, f"Return log for {period}", "title")
    sheet.string(
        1,
        0,
        f"{summary['expected']} service areas expected: {summary['received']} received "
        f"({summary['late']} late), {summary['missing']} missing; {summary['failed']} "
        f"with errors to fix, {summary['rejected']} files refused, {summary['superseded']} "
        "superseded by a newer return.",
        "note",
    )
    sheet.string(
        2,
        0,
        "Late is judged from the date each file was last saved, not when it was emailed.",
        "note",
    )
    header = 4
    _headings(sheet, LOG_COLUMNS, header)
    for offset, entry in enumerate(rows, start=header + 1):
        late = "" if entry.late is None else ("Yes" if entry.late else "No")
        sheet.string(offset, 0, entry.service_area, "text")
        sheet.string(offset, 1, "Yes" if entry.expected else "No", "text_centre")
        sheet.string(offset, 2, entry.outcome.value, "text")
        sheet.string(offset, 3, late, "text_centre")
        sheet.string(offset, 4, entry.saved.isoformat() if entry.saved else "", "text_centre")
        sheet.number(offset, 5, entry.errors, "count")
        sheet.number(offset, 6, entry.warnings, "count")
        sheet.string(offset, 7, entry.file or "", "text")
        sheet.string(offset, 8, entry.template_version, "text_centre")
        sheet.string(offset, 9, entry.sha256, "text")
    last = header + max(len(rows), 1)
    if not rows:
        sheet.blank(last, 0, "text")
    sheet.table(header, 0, last, [h for h, _ in LOG_COLUMNS], "ReturnLog", "header")
    sheet.freeze(header + 1, 1)
    sheet.print_setup(PrintSetup(repeat_rows=(header, header)))


def _problems_sheet(sheet: Sheet, collected: Collected) -> None:
    header = 0
    _headings(sheet, PROBLEM_COLUMNS, header)
    for offset, item in enumerate(collected.problems, start=header + 1):
        kind = CATALOGUE.get(item.code)
        values = (
            item.severity.value,
            item.code,
            kind.audience.value if kind else "",
            item.file or "",
            item.sheet or "",
            item.cell or "",
            item.indicator_id or "",
            item.value or "",
            item.message,
            item.fix,
        )
        lines = 1
        for col, value in enumerate(values):
            sheet.string(offset, col, value, "text")
            lines = max(lines, lines_needed(value, PROBLEM_COLUMNS[col][1]))
        sheet.row_height(offset, LINE_HEIGHT * lines + 4)
    last = header + max(len(collected.problems), 1)
    if not collected.problems:
        sheet.blank(last, 0, "text")
    sheet.table(header, 0, last, [h for h, _ in PROBLEM_COLUMNS], "Problems", "header")
    sheet.freeze(header + 1, 0)
    sheet.print_setup(PrintSetup(repeat_rows=(header, header)))


def _chase_sheet(sheet: Sheet, text: str) -> None:
    """One paragraph a cell, so each can be copied into its own email."""
    width = 110  # fits an A4 landscape page at full size, so nothing is cut at the margin
    sheet.column_width(0, 0, width)
    paragraphs = text.strip().split("\n\n")
    for row, paragraph in enumerate(paragraphs):
        sheet.string(row, 0, paragraph, "subtitle" if row == 0 else "plain_wrap")
        lines = lines_needed(paragraph, width)
        sheet.row_height(row, min(409.0, LINE_HEIGHT * lines + 6))
    sheet.print_setup(PrintSetup())
