"""Writing a register workbook: the blank one in workbook_templates/ and the samples' one.

Both come from register.COLUMNS and register.SETTINGS, so the loader reads exactly what this
writes, and the drop-downs offer exactly what the loader accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.models import Settings
from ..core.return_spec import column_letter
from ..xlsx.atomic import make_folder, replace_file
from ..xlsx.styles import cell_styles, palette
from ..xlsx.write import Book, Sheet, Validation, warnings_as_errors
from .loader import (
    COLUMNS,
    INDICATORS_SHEET,
    LISTS_SHEET,
    SETTINGS,
    SETTINGS_SHEET,
)

_FIXED_DATE = datetime(2017, 4, 1)  # deterministic document properties


def write_register(
    path: Path,
    rows: Sequence[Mapping[str, Any]] = (),
    settings: Mapping[str, Any] | None = None,
    *,
    spare_rows: int = 200,
) -> Path:
    """Write a register workbook; rows are dicts keyed by COLUMNS keys."""
    path = Path(path)
    make_folder(path.parent)
    return replace_file(path, lambda temp: _write(temp, rows, settings or {}, spare_rows))


def _write(
    path: Path, rows: Sequence[Mapping[str, Any]], settings: Mapping[str, Any], spare_rows: int
) -> None:
    # The board's style sheet, in the default colours: the register sets the colours.
    book = Book(path, cell_styles(palette(Settings())), row_by_row=False)
    with warnings_as_errors():
        book.set_properties(
            title="KPI register",
            subject="KPI register",
            author="kpi-excel",
            comments="Made by kpi-excel",
            created=_FIXED_DATE,
        )
        sheet = book.sheet(INDICATORS_SHEET)
        lists = book.sheet(LISTS_SHEET)
        settings_sheet = book.sheet(SETTINGS_SHEET)
        lists.hide()
        _write_headers(sheet, lists, last_row=max(len(rows), 0) + spare_rows + 1)
        _write_rows(sheet, rows)
        sheet.freeze(1, 1)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
        _write_settings(settings_sheet, settings)
        sheet.activate()
        book.close()


def _write_rows(sheet: Sheet, rows: Sequence[Mapping[str, Any]]) -> None:
    for row_index, row in enumerate(rows, start=1):
        for index, column in enumerate(COLUMNS):
            value = row.get(column.key)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.string(row_index, index, "yes" if value else "no", "plain")
            elif isinstance(value, int | float):
                sheet.number(row_index, index, value, "plain")
            else:
                sheet.string(row_index, index, str(value), "plain_wrap")


def _write_settings(settings_sheet: Sheet, settings: Mapping[str, Any]) -> None:
    """The Settings sheet: every setting with its value (or default) and its meaning."""
    for col, width in enumerate((38, 30, 80)):
        settings_sheet.column_width(col, col, width)
    for col, title in enumerate(("Setting", "Value", "What it means")):
        settings_sheet.string(0, col, title, "header_left")
    for row_index, spec in enumerate(SETTINGS, start=1):
        settings_sheet.string(row_index, 0, spec.label, "plain")
        value = settings.get(spec.key, spec.default)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if value not in (None, ""):
            if isinstance(value, int | float):
                settings_sheet.number(row_index, 1, value, "plain")
            else:
                settings_sheet.string(row_index, 1, str(value), "plain")
        settings_sheet.string(row_index, 2, spec.help, "note_wrap")
    # named keys ("RAG key lenient") follow the settings kpi-excel always writes
    named = [
        (label, text) for label, text in settings.items() if label.lower().startswith("rag key ")
    ]
    for row_index, (label, text) in enumerate(named, start=len(SETTINGS) + 1):
        settings_sheet.string(row_index, 0, label, "plain")
        settings_sheet.string(row_index, 1, str(text), "plain")


def _write_headers(sheet: Sheet, lists: Sheet, *, last_row: int) -> None:
    """The Indicators sheet's header row, and each column's drop-down or input message down to
    last_row (the choices live on the hidden Lists sheet)."""
    list_column = 0
    for index, column in enumerate(COLUMNS):
        sheet.string(0, index, column.header, "header_left")
        sheet.column_width(index, index, 34 if column.key in ("name", "description") else 14)
        help_words = {"help_title": column.header, "help": column.help}
        if column.choices:
            lists.string(0, list_column, column.header, "plain")
            for offset, choice in enumerate(column.choices, start=1):
                lists.string(offset, list_column, choice, "plain")
            letter = column_letter(list_column)
            source = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}"
            choose = f"Choose one of: {', '.join(column.choices)}"
            rule = Validation("list", source=source, error=choose, **help_words)
            sheet.validate(1, index, last_row, index, rule)
            list_column += 1
        elif column.help:
            sheet.validate(1, index, last_row, index, Validation("any", **help_words))
