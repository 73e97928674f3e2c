"""Feedback copies: each return with problems, marked up for the officer to put right.

The copy is the officer's own workbook with a first sheet listing every problem (each linked to
its cell), every problem cell filled red (errors) or amber (warnings) and outlined (a thick
line: error; dashed: warning, so the marks survive a black-and-white printout), the message
and fix attached to the cell as a note, and written out in the row's Check cell, beside the
figures, where it prints. It is written beside the original as `<name>-feedback.xlsx`,
or into a folder of its own, and never over any return: the original is only read.

The copy goes through openpyxl, which keeps the template's values, styles, validation,
protection and hidden sheets, but drops parts it does not know (such as Excel's extension
lists); the original keeps them. Files too damaged or too unsafe to open get no copy: the
chase list tells their officers what to do.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from ..core.models import ReturnOutcome, Settings
from ..core.problems import CATALOGUE, Problem, ReturnFileError, Severity, count
from ..core.return_spec import FIELDS, HEADER_ROW
from ..core.text import cell_text, clean
from ..xlsx.atomic import make_folder, replace_file
from ..xlsx.outputs import OUTPUT_AUTHOR, OUTPUT_MARK
from ..xlsx.read import merged_area, open_xlsx
from ..xlsx.safety import check_package
from ..xlsx.styles import FONT_NAME, FONT_SIZE, LINE_HEIGHT, LINK_COLOUR, lines_needed
from .collect import Collected
from .reader import ReturnFile

FEEDBACK_SHEET = "Problems to fix"
MAX_MERGED_CELLS = 100_000  # openpyxl builds an object per merged cell; a return has dozens
SUFFIX = "-feedback"
# Darker than the template's yellow input fill (#FFF2CC), and unlike each other, in grey too:
# grey levels about 240 (input), 190 (warning) and 145 (error).
ERROR_FILL = PatternFill("solid", fgColor="E06C6C")
WARNING_FILL = PatternFill("solid", fgColor="FFC000")
HEADER_FILL = PatternFill("solid", fgColor=Settings().header_colour.lstrip("#"))
ERROR_BORDER = Border(*(Side("thick", color="000000"),) * 4)
WARNING_BORDER = Border(*(Side("mediumDashed", color="000000"),) * 4)
FONT = Font(name=FONT_NAME, size=FONT_SIZE)
AUTHOR = "kpi-excel"
COLUMNS = (("Severity", 10), ("Sheet", 12), ("Cell", 10), ("Indicator", 11),
           ("Problem", 55), ("How to fix it", 55))  # fmt: skip
CHECK_HEADER = next(f.header for f in FIELDS if f.key == "live_check")
CHECK_WIDTH = 45  # the Check column, widened to hold the explanations


WHERE_RETURNS_ARE_READ = (
    "the copy would go where returns are read, and be read as a return next time: give "
    "--feedback a folder of its own"
)


@dataclass(frozen=True)
class Feedback:
    """What became of one return: the copy written, or why there is none."""

    source: Path
    written: Path | None
    note: str = ""


def feedback_path(source: Path, folder: Path | None = None) -> Path:
    """Where the copy of `source` goes: `<name>-feedback.xlsx` beside it, or in `folder`."""
    return (folder or source.parent) / f"{source.stem}{SUFFIX}.xlsx"


def write_feedback(collected: Collected, folder: Path | None = None) -> list[Feedback]:
    """A feedback copy of every return with problems, except returns a newer one replaced."""
    superseded = {
        (entry.file, entry.sha256)
        for entry in collected.log
        if entry.outcome is ReturnOutcome.SUPERSEDED
    }
    inputs = {_same(f.path) for f in collected.files}
    read_from = {_same(f.path.parent) for f in collected.files}
    done = []
    for result in collected.files:
        if not result.problems or (result.path.name, result.sha256) in superseded:
            continue
        target = feedback_path(result.path, folder)
        if _same(target) in inputs:
            done.append(
                Feedback(result.path, None, f"{target.name} is a return itself: not replaced")
            )
            continue
        if _same(target.parent) in read_from:
            done.append(Feedback(result.path, None, WHERE_RETURNS_ARE_READ))
            continue
        done.append(write_feedback_copy(result, target))
    return done


def write_feedback_copy(result: ReturnFile, target: Path) -> Feedback:
    """Mark up one return; raises OutputError only when the copy cannot be saved."""
    source = result.path
    if _same(target) == _same(source):
        return Feedback(source, None, "the copy would replace the return itself")
    try:
        check_package(source)  # never give openpyxl a file the reader refused as unsafe
        with open_xlsx(source) as book:
            merged = merged_area(book)
    except ReturnFileError as error:
        return Feedback(source, None, f"it cannot be opened ({error.message})")
    if merged > MAX_MERGED_CELLS:
        return Feedback(source, None, f"its merged cells cover {merged:,} cells, too many to copy")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on parts it leaves out
            workbook = load_workbook(source, rich_text=True)  # keeps the bold names
    except Exception as error:  # whatever a third-party parser raises: no copy, say why
        return Feedback(source, None, f"openpyxl could not open it ({type(error).__name__})")
    _mark_cells(workbook, result.problems)
    _explain_beside_figures(workbook, result.problems)
    _list_sheet(workbook, result.problems, source.name)
    _save(workbook, target)
    return Feedback(source, target)


def _same(path: Path) -> Path:
    return Path(os.path.abspath(path))


# --- marking the cells ----------------------------------------------------------------------


def _mark_cells(workbook: Workbook, problems: Sequence[Problem]) -> None:
    notes: dict[tuple[str, str], list[Problem]] = {}
    for item in problems:
        if item.sheet in workbook.sheetnames and item.cell:
            sheet = workbook[item.sheet]
            notes.setdefault((item.sheet, _anchor(sheet, item.cell)), []).append(item)
    for (sheet_name, ref), items in notes.items():
        cell = workbook[sheet_name][ref]
        errors = count(items) > 0
        cell.fill = ERROR_FILL if errors else WARNING_FILL
        cell.border = ERROR_BORDER if errors else WARNING_BORDER
        text = cell_text("\n\n".join(_note(p) for p in items))[0]
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, min(60 + 15 * text.count("\n") + len(text) // 3, 400)
        cell.comment = comment


def _explain_beside_figures(workbook: Workbook, problems: Sequence[Problem]) -> None:
    """Each row's problems written in its Check cell, which notes are not: notes do not print
    and are easily missed. The cell's guide formula gives way in this copy only."""
    by_sheet: dict[str, dict[int, list[Problem]]] = {}
    for item in problems:
        if item.sheet in workbook.sheetnames and item.cell and item.indicator_id:
            row = int("".join(ch for ch in item.cell.split(":", 1)[0] if ch.isdigit()) or 0)
            by_sheet.setdefault(item.sheet, {}).setdefault(row, []).append(item)
    for name, rows in by_sheet.items():
        sheet = workbook[name]
        column = _header_column(sheet, CHECK_HEADER)
        if column is None:
            continue
        letter = sheet.cell(HEADER_ROW, column).column_letter
        sheet.column_dimensions[letter].width = CHECK_WIDTH
        for row, items in rows.items():
            cell = sheet.cell(row, column)
            text = "\n".join(f"{_word(p)}: {p.message} Fix: {p.fix}" for p in items)
            cell.value = cell_text(text)[0]  # the messages quote officers' text
            cell.font = Font(name=FONT_NAME, size=9)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            errors = count(items) > 0
            cell.fill = ERROR_FILL if errors else WARNING_FILL
            needed = lines_needed(cell.value, CHECK_WIDTH * 1.1) * 11.5 + 4
            current = sheet.row_dimensions[row].height or 0
            sheet.row_dimensions[row].height = min(409, max(current, needed))


def _header_column(sheet: Any, header: str) -> int | None:
    for cell in sheet[HEADER_ROW]:
        if isinstance(cell.value, str) and cell.value.strip() == header:
            return cell.column
    return None


def _word(item: Problem) -> str:
    return "Error" if item.severity is Severity.ERROR else "Check"


def _anchor(sheet: Any, ref: str) -> str:
    """The cell that can hold a note for `ref`: the top-left of a range or of a merged area."""
    first = ref.split(":", 1)[0]
    for merged in sheet.merged_cells.ranges:
        if first in merged:
            return merged.start_cell.coordinate
    return first


def _note(item: Problem) -> str:
    kind = CATALOGUE.get(item.code)
    title = kind.title if kind else item.code
    return f"{title}: {item.message}\nFix: {item.fix}"


# --- the list sheet ---------------------------------------------------------------------------


def _list_sheet(workbook: Workbook, problems: Sequence[Problem], name: str) -> None:
    sheet = workbook.create_sheet(_free_title(workbook), 0)
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = False
    workbook.active = 0
    sheet.sheet_view.tabSelected = True
    errors = count(problems)
    sheet["A1"] = clean(f"Problems to fix in {name}")
    sheet["A1"].font = Font(name=FONT_NAME, bold=True, size=14)
    sheet["A2"] = (
        f"{errors} to fix before the figures can be used, {len(problems) - errors} to check. "
        "On the Return sheet each problem cell is marked (red with a thick outline: fix it; "
        "amber with a dashed outline: check it), and the Check column says what is wrong. "
        "Fix them on the Return sheet, delete this sheet if you like, and send the return back."
    )
    width = sum(w for _, w in COLUMNS)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    sheet["A2"].font = FONT
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = lines_needed(str(sheet["A2"].value), width) * LINE_HEIGHT + 4
    header = 4
    for col, (heading, column_width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(header, col, heading)
        cell.font = Font(name=FONT_NAME, size=10, bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = column_width
    sheet.row_dimensions[header].height = LINE_HEIGHT + 6
    for row, item in enumerate(_in_order(problems), start=header + 1):
        _list_row(workbook, sheet, row, item)
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header}:{header}"


def _list_row(workbook: Workbook, sheet: Any, row: int, item: Problem) -> None:
    """One problem: its words wrapped within their cells, the row as tall as they need."""
    values = (
        "Error" if item.severity is Severity.ERROR else "Warning",
        item.sheet or "",
        item.cell or "",
        item.indicator_id or "",
        item.message,
        item.fix,
    )
    lines = 1
    for col, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True), start=1):
        value = cell_text(value)[0]  # officers' text: control characters out, within a cell
        cell = sheet.cell(row, col, value)
        cell.font = FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(lines, lines_needed(value, width))
    sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 4
    if item.sheet in workbook.sheetnames and item.cell and item.sheet != sheet.title:
        link = sheet.cell(row, 3)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=_location(item))
        link.font = Font(name=FONT_NAME, size=10, color=LINK_COLOUR.lstrip("#"), underline="single")
    error = item.severity is Severity.ERROR
    sheet.cell(row, 1).fill = ERROR_FILL if error else WARNING_FILL
    sheet.cell(row, 1).border = ERROR_BORDER if error else WARNING_BORDER


def _location(item: Problem) -> str:
    """A link's target; a sheet name's apostrophes are doubled inside the quotes."""
    sheet = (item.sheet or "").replace("'", "''")
    return f"'{sheet}'!{(item.cell or '').split(':', 1)[0]}"


def _in_order(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.severity is not Severity.ERROR)


def _free_title(workbook: Workbook) -> str:
    """The list sheet's name, made unique should the officer's workbook have one already."""
    taken = {name.casefold() for name in workbook.sheetnames}
    title, number = FEEDBACK_SHEET, 2
    while title.casefold() in taken:
        title, number = f"{FEEDBACK_SHEET} ({number})", number + 1
    return title


def _save(workbook: Workbook, target: Path) -> None:
    """Save beside the target, then rename: a half-written copy is never left behind."""
    # Marked as kpi-excel's own, so an unedited copy is never read as a return.
    if OUTPUT_MARK in workbook.custom_doc_props.names:
        del workbook.custom_doc_props[OUTPUT_MARK]
    workbook.custom_doc_props.append(StringProperty(name=OUTPUT_MARK, value="feedback"))
    workbook.properties.lastModifiedBy = OUTPUT_AUTHOR
    make_folder(target.parent)
    replace_file(target, workbook.save)
