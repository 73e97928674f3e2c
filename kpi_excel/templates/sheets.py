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
from ..core.models import Settings, Status
from ..core.return_spec import FIELDS, FieldKind, column_letter
from .formulas import GUIDE_MESSAGES, messages
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


def write_lists_sheet(workbook: Workbook, sheet: Worksheet, formats: Formats) -> None:
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
    table_header = formats.get("table_header")
    table_cell = formats.get("table_cell")
    for column, width in enumerate(INSTRUCTION_WIDTHS):
        call(sheet, "set_column", column, column, width)
    call(sheet, "write_string", 0, 0, "How to fill in this return", formats.get("title"))
    call(sheet, "set_row", 0, 20)
    call(
        sheet,
        "write_string",
        1,
        0,
        f"Performance return for {service_area}, {period}.",
        formats.get("subtitle"),
    )
    call(
        sheet,
        "write_string",
        2,
        0,
        "Each row of the Return sheet is one indicator. Fill in the yellow cells; grey cells "
        "are filled in for you. Do not add, delete, move or rename rows, columns or sheets.",
        formats.get("note"),
    )

    row = 4
    for column, heading in enumerate(
        ("Column", "Heading", "Who fills it in", "What to enter", "Choices")
    ):
        call(sheet, "write_string", row, column, heading, table_header)
    for index, field in enumerate(FIELDS):
        row += 1
        call(sheet, "write_string", row, 0, column_letter(index), table_cell)
        call(sheet, "write_string", row, 1, field.header, table_cell)
        call(sheet, "write_string", row, 2, WHO_FILLS[field.kind], table_cell)
        call(sheet, "write_string", row, 3, field.help, table_cell)
        call(sheet, "write_string", row, 4, ", ".join(field.choices), table_cell)
        lines = max(
            wrapped_lines(field.help, INSTRUCTION_WIDTHS[3]),
            wrapped_lines(", ".join(field.choices), INSTRUCTION_WIDTHS[4]),
        )
        call(sheet, "set_row", row, LINE_HEIGHT * lines + 2)

    row += 2
    call(sheet, "write_string", row, 0, "What each status means", formats.get("subtitle"))
    for status, meaning in status_meanings().items():
        row += 1
        call(sheet, "write_string", row, 1, status, table_header)
        call(sheet, "merge_range", row, 2, row, 3, meaning, table_cell)

    row += 2
    call(
        sheet,
        "write_string",
        row,
        0,
        "Words you may type in a number cell",
        formats.get("subtitle"),
    )
    words = (
        (Status.NOT_AVAILABLE.value, _token_list(spec.NOT_AVAILABLE_TOKENS)),
        (Status.NOT_DUE.value, _token_list(spec.NOT_DUE_TOKENS)),
    )
    for meaning, tokens in words:
        row += 1
        call(sheet, "write_string", row, 1, f"mean '{meaning}'", table_header)
        call(sheet, "merge_range", row, 2, row, 3, tokens, table_cell)
        width = INSTRUCTION_WIDTHS[2] + INSTRUCTION_WIDTHS[3]
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

    row += 2
    call(sheet, "write_string", row, 0, "Numbers", formats.get("subtitle"))
    for text in (
        "Type figures in the unit shown in the Unit column. Percentages: type 83 for 83% "
        "(the cell shows 83%).",
        "Numerator and Denominator are only open for indicators worked out from two counts; "
        "give both or neither.",
    ):
        row += 1
        call(sheet, "write_string", row, 1, text, formats.get("note"))

    row += 2
    call(sheet, "write_string", row, 0, "Rating (guide)", formats.get("subtitle"))
    for word, label, fill in (
        ("GREEN", settings.green_label, settings.green_colour),
        ("AMBER", settings.amber_label, settings.amber_colour),
        ("RED", settings.red_label, settings.red_colour),
    ):
        row += 1
        call(
            sheet,
            "write_string",
            row,
            1,
            word,
            formats.get("table_cell", bold=True, bg_color=fill, align="center"),
        )
        call(sheet, "merge_range", row, 2, row, 3, label, table_cell)
    row += 1
    call(
        sheet,
        "write_string",
        row,
        1,
        "The rating is a guide worked out as you type; the performance team's run decides. "
        "Write a comment when the figure is off target and a corrective action when it is RED.",
        formats.get("note"),
    )

    row += 2
    call(
        sheet,
        "write_string",
        row,
        0,
        "The sheets are protected, without a password, so the layout is not changed by "
        "accident. Please do not unprotect them.",
        formats.get("note"),
    )
    call(sheet, "protect", "", PROTECT_OPTIONS)
    call(sheet, "set_landscape")
    call(sheet, "set_paper", 9)
    call(sheet, "fit_to_pages", 1, 0)
