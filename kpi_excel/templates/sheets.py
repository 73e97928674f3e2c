"""The template's supporting sheets: Instructions, the hidden drop-down lists, the metadata.

The Instructions sheet is written from return_spec (FIELDS, STATUS_CHOICES and the accepted
words), the same definitions the cells' input messages and the reader use, so the guidance
cannot say one thing while the validator checks another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..core import return_spec as spec
from ..core.display import rag_key
from ..core.models import Settings, Status
from ..core.return_spec import FIELDS, FieldKind, column_letter
from .formulas import GUIDE_MESSAGES, messages, same_words
from .xlsx import LINE_HEIGHT, Formats, call, wrapped_lines

PROTECT_OPTIONS = {
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}

INSTRUCTION_WIDTHS = (8, 22, 20, 70, 26)
# A due indicator's statuses: "not due" on it is an error, so its drop-down leaves it out.
DUE_STATUSES = tuple(s for s in spec.STATUS_CHOICES if s != Status.NOT_DUE.value)

WHO_FILLS = {
    FieldKind.LOCKED: "Filled in for you",
    FieldKind.NUMBER: "You",
    FieldKind.CHOICE: "You (drop-down)",
    FieldKind.TEXT: "You",
    FieldKind.LIVE: "Worked out as you type",
}


# --- drop-down lists ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceList:
    name: str  # workbook-level defined name
    header: str
    choices: tuple[str, ...]
    column: int

    @property
    def range(self) -> str:
        """Absolute reference on the lists sheet, as data validation and names use it."""
        letter = column_letter(self.column)
        return f"{spec.LISTS_SHEET}!${letter}$2:${letter}${len(self.choices) + 1}"


def choice_lists() -> list[ChoiceList]:
    """One column per distinct set of choices in FIELDS, in field order."""
    lists: list[ChoiceList] = []
    seen: set[tuple[str, ...]] = set()
    for field in FIELDS:
        if field.kind is not FieldKind.CHOICE or field.choices in seen:
            continue
        seen.add(field.choices)
        if field.choices == (spec.YES, spec.NO):
            name, header = "kpi_yes_no", "Yes/No"
        else:
            name, header = f"kpi_{field.key}_choices", field.header
        lists.append(ChoiceList(name, header, field.choices, len(lists)))
    lists.append(ChoiceList("kpi_status_when_due", "Status (due)", DUE_STATUSES, len(lists)))
    return lists


PREVIOUS_COMMENTS_COLUMN = 7  # on the lists sheet: last period's comments, one a row


def previous_comment_ref(index: int) -> str:
    """Where the lists sheet keeps last period's comment for the template's index-th row."""
    letter = column_letter(PREVIOUS_COMMENTS_COLUMN)
    return f"{spec.LISTS_SHEET}!${letter}${index + 2}"


def write_lists_sheet(
    workbook: Workbook,
    sheet: Worksheet,
    formats: Formats,
    previous_comments: Sequence[str | None] = (),
) -> None:
    """The drop-down sources, the Check column's words, and last period's comments (as the
    reader compares them), which the guide needs and the officer need not see."""
    if any(previous_comments):
        column = PREVIOUS_COMMENTS_COLUMN
        call(sheet, "write_string", 0, column, "Last period's comment", formats.get(bold=True))
        for index, comment in enumerate(previous_comments):
            if comment:
                call(sheet, "write_string", index + 1, column, same_words(comment))
    for choice_list in choice_lists():
        call(
            sheet, "write_string", 0, choice_list.column, choice_list.header, formats.get(bold=True)
        )
        for row, choice in enumerate(choice_list.choices, start=1):
            call(sheet, "write_string", row, choice_list.column, choice)
        call(sheet, "set_column", choice_list.column, choice_list.column, 16)
        call(workbook, "define_name", choice_list.name, "=" + choice_list.range)
    _write_guide_messages(workbook, sheet, formats, len(choice_lists()) + 1)
    call(sheet, "protect", "", PROTECT_OPTIONS)
    call(sheet, "hide")


def _write_guide_messages(
    workbook: Workbook, sheet: Worksheet, formats: Formats, column: int
) -> None:
    """The Check column's words for each problem code, from the problem catalogue."""
    rows = messages()
    call(sheet, "write_string", 0, column, "Problem", formats.get(bold=True))
    call(sheet, "write_string", 0, column + 1, "Check says", formats.get(bold=True))
    for row, (code, text) in enumerate(rows, start=1):
        call(sheet, "write_string", row, column, code)
        call(sheet, "write_string", row, column + 1, text)
    first, second = column_letter(column), column_letter(column + 1)
    area = f"{spec.LISTS_SHEET}!${first}$2:${second}${len(rows) + 1}"
    call(workbook, "define_name", GUIDE_MESSAGES, "=" + area)


# --- metadata ----------------------------------------------------------------------------


def write_meta_sheet(sheet: Worksheet, values: Mapping[str, str]) -> None:
    """Key in column A, value in column B, one row per META_KEYS entry, in that order.

    Every value is written as text, so "1.0" stays "1.0" and an id list is never a number.
    """
    missing = [key for key in spec.META_KEYS if key not in values]
    if missing:
        raise ValueError(f"metadata is missing {missing}")
    for row, key in enumerate(spec.META_KEYS):
        call(sheet, "write_string", row, 0, key)
        call(sheet, "write_string", row, 1, values[key])
    call(sheet, "set_column", 0, 0, 24)
    call(sheet, "set_column", 1, 1, 70)
    call(sheet, "protect", "", PROTECT_OPTIONS)
    call(sheet, "very_hidden")


# --- instructions ------------------------------------------------------------------------


def status_meanings() -> dict[str, str]:
    """Each status's meaning, in drop-down order: the same words as the Status cell's help."""
    return {status: spec.STATUS_HELP[status] for status in spec.STATUS_CHOICES}


def _token_list(tokens: Sequence[str]) -> str:
    return ", ".join(f'"{token}"' for token in sorted(tokens))


def write_instructions_sheet(
    sheet: Worksheet, formats: Formats, settings: Settings, service_area: str, period: str
) -> None:
    """The Instructions sheet, section by section; each section returns the next free row."""
    for column, width in enumerate(INSTRUCTION_WIDTHS):
        call(sheet, "set_column", column, column, width)
    row = _write_instructions_heading(sheet, formats, service_area, period)
    row = _write_column_table(sheet, formats, row)
    row = _write_status_meanings(sheet, formats, row + 2)
    row = _write_accepted_words(sheet, formats, row + 2)
    row = _write_number_notes(sheet, formats, row + 2)
    row = _write_rating_key(sheet, formats, settings, row + 2)
    call(
        sheet,
        "write_string",
        row + 2,
        0,
        "The sheets are protected, without a password, so the layout is not changed by "
        "accident. Please do not unprotect them.",
        formats.get("note"),
    )
    call(sheet, "protect", "", PROTECT_OPTIONS)
    call(sheet, "set_landscape")
    call(sheet, "set_paper", 9)
    call(sheet, "fit_to_pages", 1, 0)


def _write_instructions_heading(
    sheet: Worksheet, formats: Formats, service_area: str, period: str
) -> int:
    call(sheet, "write_string", 0, 0, "How to fill in this return", formats.get("title"))
    call(sheet, "set_row", 0, 20)
    subtitle = f"Performance return for {service_area}, {period}."
    call(sheet, "write_string", 1, 0, subtitle, formats.get("subtitle"))
    call(
        sheet,
        "write_string",
        2,
        0,
        "Each row of the Return sheet is one indicator. Fill in the yellow cells; grey cells "
        "are filled in for you. Do not add, delete, move or rename rows, columns or sheets.",
        formats.get("note"),
    )
    return 4


def _write_column_table(sheet: Worksheet, formats: Formats, row: int) -> int:
    """One row per field of the return, in the order of the Return sheet's columns."""
    table_header, table_cell = formats.get("table_header"), formats.get("table_cell")
    headings = ("Column", "Heading", "Who fills it in", "What to enter", "Choices")
    for column, heading in enumerate(headings):
        call(sheet, "write_string", row, column, heading, table_header)
    for index, field in enumerate(FIELDS):
        row += 1
        cells = (
            column_letter(index),
            field.header,
            WHO_FILLS[field.kind],
            field.help,
            ", ".join(field.choices),
        )
        for column, text in enumerate(cells):
            call(sheet, "write_string", row, column, text, table_cell)
        lines = max(
            wrapped_lines(field.help, INSTRUCTION_WIDTHS[3]),
            wrapped_lines(", ".join(field.choices), INSTRUCTION_WIDTHS[4]),
        )
        call(sheet, "set_row", row, LINE_HEIGHT * lines + 2)
    return row


def _write_status_meanings(sheet: Worksheet, formats: Formats, row: int) -> int:
    call(sheet, "write_string", row, 0, "What each status means", formats.get("subtitle"))
    for status, meaning in status_meanings().items():
        row += 1
        call(sheet, "write_string", row, 1, status, formats.get("table_header"))
        call(sheet, "merge_range", row, 2, row, 3, meaning, formats.get("table_cell"))
    return row


def _write_accepted_words(sheet: Worksheet, formats: Formats, row: int) -> int:
    """The words the reader takes in a number cell, from return_spec's token lists."""
    subtitle = "Words you may type in a number cell"
    call(sheet, "write_string", row, 0, subtitle, formats.get("subtitle"))
    words = (
        (Status.NOT_AVAILABLE.value, _token_list(spec.NOT_AVAILABLE_TOKENS)),
        (Status.NOT_DUE.value, _token_list(spec.NOT_DUE_TOKENS)),
    )
    width = INSTRUCTION_WIDTHS[2] + INSTRUCTION_WIDTHS[3]
    for meaning, tokens in words:
        row += 1
        call(sheet, "write_string", row, 1, f"mean '{meaning}'", formats.get("table_header"))
        call(sheet, "merge_range", row, 2, row, 3, tokens, formats.get("table_cell"))
        call(sheet, "set_row", row, LINE_HEIGHT * wrapped_lines(tokens, width) + 2)
    row += 1
    call(
        sheet,
        "write_string",
        row,
        1,
        "Anything else that is not a number is sent back to you to correct. Upper or lower "
        "case does not matter. Better still: leave the figure blank and choose the status.",
        formats.get("note"),
    )
    return row


def _write_number_notes(sheet: Worksheet, formats: Formats, row: int) -> int:
    call(sheet, "write_string", row, 0, "Numbers", formats.get("subtitle"))
    for text in (
        "Type figures in the unit shown in the Unit column. Percentages: type 83 for 83% "
        "(the cell shows 83%).",
        "Numerator and Denominator are only open for indicators worked out from two counts; "
        "give both or neither.",
    ):
        row += 1
        call(sheet, "write_string", row, 1, text, formats.get("note"))
    return row


def _write_rating_key(sheet: Worksheet, formats: Formats, settings: Settings, row: int) -> int:
    """What the guide's ratings and Check words mean."""
    call(sheet, "write_string", row, 0, "Rating (guide) and Check", formats.get("subtitle"))
    fills = {"GREEN": settings.green_colour, "AMBER": settings.amber_colour}
    fills["RED"] = settings.red_colour
    for word, label in rag_key(settings)[:-1]:  # the register's key, as the board prints it
        fill = fills.get(word, "#FFFFFF")
        row += 1
        style = formats.get("table_cell", bold=True, bg_color=fill, align="center")
        call(sheet, "write_string", row, 1, word, style)
        call(sheet, "merge_range", row, 2, row, 3, label, formats.get("table_cell"))
    for text in (
        "Both are worked out as you type, by the same rules the performance team's run uses.",
        "Check says OK; 'Check: ...' (the figure is used, but please look again);",
        "'Error: ...' (the figure cannot be used until it is fixed); or 'Will be checked when "
        "you send it' (such as 95% typed as text).",
        "Write a comment when the figure is off target and a corrective action when it is RED.",
    ):
        row += 1
        call(sheet, "write_string", row, 1, text, formats.get("note"))
    return row
