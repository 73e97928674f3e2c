"""Writing a register workbook: the blank one in workbook_templates/ and the samples' one.

Both come from register.COLUMNS and register.SETTINGS, so the loader reads exactly what this
writes, and the drop-downs offer exactly what the loader accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from ..core.return_spec import column_letter
from ..xlsx.atomic import make_folder, replace_file
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
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {"title": "KPI register", "created": _FIXED_DATE, "comments": "Made by kpi-excel"}
    )
    header = workbook.add_format(
        {
            "bold": True,
            "text_wrap": True,
            "valign": "top",
            "bg_color": "#1F4E79",
            "font_color": "#FFFFFF",
            "border": 1,
        }
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    help_format = workbook.add_format(
        {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
    )

    sheet = workbook.add_worksheet(INDICATORS_SHEET)
    lists = workbook.add_worksheet(LISTS_SHEET)
    settings_sheet = workbook.add_worksheet(SETTINGS_SHEET)
    lists.hide()

    _write_headers(sheet, lists, header, last_row=max(len(rows), 0) + spare_rows + 1)
    for row_index, row in enumerate(rows, start=1):
        for index, column in enumerate(COLUMNS):
            value = row.get(column.key)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(row_index, index, "yes" if value else "no")
            elif isinstance(value, int | float):
                sheet.write_number(row_index, index, value)
            else:
                sheet.write_string(row_index, index, str(value), wrap)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

    _write_settings(settings_sheet, settings, header, help_format)
    sheet.activate()
    workbook.close()


def _write_settings(
    settings_sheet: Any, settings: Mapping[str, Any], header: Any, help_format: Any
) -> None:
    """The Settings sheet: every setting with its value (or default) and its meaning."""
    settings_sheet.set_column(0, 0, 38)
    settings_sheet.set_column(1, 1, 30)
    settings_sheet.set_column(2, 2, 80)
    for col, title in enumerate(("Setting", "Value", "What it means")):
        settings_sheet.write_string(0, col, title, header)
    for row_index, spec in enumerate(SETTINGS, start=1):
        settings_sheet.write_string(row_index, 0, spec.label)
        value = settings.get(spec.key, spec.default)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if value not in (None, ""):
            if isinstance(value, int | float):
                settings_sheet.write_number(row_index, 1, value)
            else:
                settings_sheet.write_string(row_index, 1, str(value))
        settings_sheet.write_string(row_index, 2, spec.help, help_format)
    # named keys ("RAG key lenient") follow the settings kpi-excel always writes
    named = [
        (label, text) for label, text in settings.items() if label.lower().startswith("rag key ")
    ]
    for row_index, (label, text) in enumerate(named, start=len(SETTINGS) + 1):
        settings_sheet.write_string(row_index, 0, label)
        settings_sheet.write_string(row_index, 1, str(text))


def _write_headers(sheet: Any, lists: Any, header: Any, *, last_row: int) -> None:
    """The Indicators sheet's header row, and each column's drop-down or input message down to
    last_row (the choices live on the hidden Lists sheet)."""
    list_column = 0
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, header)
        sheet.set_column(index, index, 34 if column.key in ("name", "description") else 14)
        if column.choices:
            lists.write_string(0, list_column, column.header)
            for offset, choice in enumerate(column.choices, start=1):
                lists.write_string(offset, list_column, choice)
            letter = column_letter(list_column)
            source = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}"
            sheet.data_validation(
                1,
                index,
                last_row,
                index,
                {
                    "validate": "list",
                    "source": source,
                    "input_title": column.header[:32],
                    "input_message": column.help[:255],
                    "error_type": "warning",
                    "error_message": f"Choose one of: {', '.join(column.choices)}"[:255],
                },
            )
            list_column += 1
        elif column.help:
            sheet.data_validation(
                1,
                index,
                last_row,
                index,
                {
                    "validate": "any",
                    "input_title": column.header[:32],
                    "input_message": column.help[:255],
                },
            )
