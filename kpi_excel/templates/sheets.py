"""The template's supporting sheets: Instructions, the hidden drop-down lists, the metadata.

The Instructions sheet is written from return_spec (FIELDS, STATUS_CHOICES and the accepted
words), the same definitions the cells' input messages and the reader use, so the guidance
cannot say one thing while the validator checks another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core import return_spec as spec
from ..core.display import rag_key
from ..core.models import Settings, Status
from ..core.return_spec import FIELDS, FieldKind, column_letter
from ..xlsx.styles import LINE_HEIGHT, RAG_SWATCHES, lines_needed
from ..xlsx.write import Book, PrintSetup, Sheet
from .formulas import GUIDE_MESSAGES, messages, same_words

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
    book: Book, sheet: Sheet, previous_comments: Sequence[str | None] = ()
) -> None:
    """The drop-down sources, the Check column's words, and last period's comments (as the
    reader compares them), which the guide needs and the officer need not see."""
    if any(previous_comments):
        column = PREVIOUS_COMMENTS_COLUMN
        sheet.string(0, column, "Last period's comment", "bold")
        for index, comment in enumerate(previous_comments):
            if comment:
                sheet.string(index + 1, column, same_words(comment), "plain")
    for choice_list in choice_lists():
        sheet.string(0, choice_list.column, choice_list.header, "bold")
        for row, choice in enumerate(choice_list.choices, start=1):
            sheet.string(row, choice_list.column, choice, "plain")
        sheet.column_width(choice_list.column, choice_list.column, 16)
        book.define_name(choice_list.name, "=" + choice_list.range)
    _write_guide_messages(book, sheet, len(choice_lists()) + 1)
    sheet.protect()
    sheet.hide()


def _write_guide_messages(book: Book, sheet: Sheet, column: int) -> None:
    """The Check column's words for each problem code, from the problem catalogue."""
    rows = messages()
    sheet.string(0, column, "Problem", "bold")
    sheet.string(0, column + 1, "Check says", "bold")
    for row, (code, text) in enumerate(rows, start=1):
        sheet.string(row, column, code, "plain")
        sheet.string(row, column + 1, text, "plain")
    first, second = column_letter(column), column_letter(column + 1)
    area = f"{spec.LISTS_SHEET}!${first}$2:${second}${len(rows) + 1}"
    book.define_name(GUIDE_MESSAGES, "=" + area)


# --- metadata ----------------------------------------------------------------------------


def write_meta_sheet(sheet: Sheet, values: Mapping[str, str]) -> None:
    """Key in column A, value in column B, one row per META_KEYS entry, in that order.

    Every value is written as text, so "1.0" stays "1.0" and an id list is never a number.
    """
    missing = [key for key in spec.META_KEYS if key not in values]
    if missing:
        raise ValueError(f"metadata is missing {missing}")
    for row, key in enumerate(spec.META_KEYS):
        sheet.string(row, 0, key, "plain")
        sheet.string(row, 1, values[key], "plain")
    sheet.column_width(0, 0, 24)
    sheet.column_width(1, 1, 70)
    sheet.protect()
    sheet.hide_from_menus()


# --- instructions ------------------------------------------------------------------------


def status_meanings() -> dict[str, str]:
    """Each status's meaning, in drop-down order: the same words as the Status cell's help."""
    return {status: spec.STATUS_HELP[status] for status in spec.STATUS_CHOICES}


def _token_list(tokens: Sequence[str]) -> str:
    return ", ".join(f'"{token}"' for token in sorted(tokens))


def write_instructions_sheet(
    sheet: Sheet, settings: Settings, service_area: str, period: str
) -> None:
    """The Instructions sheet, section by section; each section returns the next free row."""
    for column, width in enumerate(INSTRUCTION_WIDTHS):
        sheet.column_width(column, column, width)
    row = _write_instructions_heading(sheet, service_area, period)
    row = _write_column_table(sheet, row)
    row = _write_status_meanings(sheet, row + 2)
    row = _write_accepted_words(sheet, row + 2)
    row = _write_number_notes(sheet, row + 2)
    row = _write_rating_key(sheet, settings, row + 2)
    sheet.string(
        row + 2,
        0,
        "The sheets are protected, without a password, so the layout is not changed by "
        "accident. Please do not unprotect them.",
        "note",
    )
    sheet.protect()
    sheet.print_setup(PrintSetup())


def _write_instructions_heading(sheet: Sheet, service_area: str, period: str) -> int:
    sheet.string(0, 0, "How to fill in this return", "title")
    sheet.row_height(0, 20)
    sheet.string(1, 0, f"Performance return for {service_area}, {period}.", "subtitle")
    sheet.string(
        2,
        0,
        "Each row of the Return sheet is one indicator. Fill in the yellow cells; grey cells "
        "are filled in for you. Do not add, delete, move or rename rows, columns or sheets.",
        "note",
    )
    return 4


def _write_column_table(sheet: Sheet, row: int) -> int:
    """One row per field of the return, in the order of the Return sheet's columns."""
    headings = ("Column", "Heading", "Who fills it in", "What to enter", "Choices")
    for column, heading in enumerate(headings):
        sheet.string(row, column, heading, "table_header")
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
            sheet.string(row, column, text, "text")
        lines = max(
            lines_needed(field.help, INSTRUCTION_WIDTHS[3]),
            lines_needed(", ".join(field.choices), INSTRUCTION_WIDTHS[4]),
        )
        sheet.row_height(row, LINE_HEIGHT * lines + 2)
    return row


def _write_status_meanings(sheet: Sheet, row: int) -> int:
    sheet.string(row, 0, "What each status means", "subtitle")
    for status, meaning in status_meanings().items():
        row += 1
        sheet.string(row, 1, status, "table_header")
        sheet.merged_string(row, 2, row, 3, meaning, "text")
    return row


def _write_accepted_words(sheet: Sheet, row: int) -> int:
    """The words the reader takes in a number cell, from return_spec's token lists."""
    sheet.string(row, 0, "Words you may type in a number cell", "subtitle")
    words = (
        (Status.NOT_AVAILABLE.value, _token_list(spec.NOT_AVAILABLE_TOKENS)),
        (Status.NOT_DUE.value, _token_list(spec.NOT_DUE_TOKENS)),
    )
    width = INSTRUCTION_WIDTHS[2] + INSTRUCTION_WIDTHS[3]
    for meaning, tokens in words:
        row += 1
        sheet.string(row, 1, f"mean '{meaning}'", "table_header")
        sheet.merged_string(row, 2, row, 3, tokens, "text")
        sheet.row_height(row, LINE_HEIGHT * lines_needed(tokens, width) + 2)
    row += 1
    sheet.string(
        row,
        1,
        "Anything else that is not a number is sent back to you to correct. Upper or lower "
        "case does not matter. Better still: leave the figure blank and choose the status.",
        "note",
    )
    return row


def _write_number_notes(sheet: Sheet, row: int) -> int:
    sheet.string(row, 0, "Numbers", "subtitle")
    for text in (
        "Type figures in the unit shown in the Unit column. Percentages: type 83 for 83% "
        "(the cell shows 83%).",
        "Numerator and Denominator are only open for indicators worked out from two counts; "
        "give both or neither.",
    ):
        row += 1
        sheet.string(row, 1, text, "note")
    return row


def _write_rating_key(sheet: Sheet, settings: Settings, row: int) -> int:
    """What the guide's ratings and Check words mean."""
    sheet.string(row, 0, "Rating (guide) and Check", "subtitle")
    for word, label in rag_key(settings)[:-1]:  # the register's key, as the board prints it
        row += 1
        sheet.string(row, 1, word, RAG_SWATCHES.get(word, "text_centre"))  # the board's swatches
        sheet.merged_string(row, 2, row, 3, label, "text")
    for text in (
        "Both are worked out as you type, by the same rules the performance team's run uses.",
        "Check says OK; 'Check: ...' (the figure is used, but please look again);",
        "'Error: ...' (the figure cannot be used until it is fixed); or 'Will be checked when "
        "you send it' (such as 95% typed as text).",
        "Write a comment when the figure is off target and a corrective action when it is RED.",
    ):
        row += 1
        sheet.string(row, 1, text, "note")
    return row
