"""Turning a team-kept workbook's cells into values: shared by the register's Indicators and
Settings sheets and the history importer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.problems import Problem, problem
from ..core.values import parse_whole_number
from ..xlsx.read import RawCell, SheetData, is_percent_format


class RowProblems:
    """Collects register problems with their sheet, row and column."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        sheet: str,
        cell: str,
        message: str,
        code: str = "register-invalid",
        value: object = None,
    ) -> None:
        self.problems.append(
            problem(code, file=self.file, sheet=sheet, cell=cell, value=value, detail=message)
        )


def parse_choice(raw: Any, enum: type, words: dict[str, Any] | None = None) -> Any:
    text = "" if raw is None else str(raw).strip().lower()
    if words is not None and text in words:
        return words[text]
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValueError(f"'{raw}' is not one of: {allowed}") from None


def parse_yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0", ""):
        return False
    raise ValueError(f"'{raw}' is not yes or no")


def parse_number(raw: Any) -> float:
    """The whole cell is a number, or it is refused (92,5, '95 by March', NaN, 1e30)."""
    return parse_whole_number(raw).value


def cell_text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


def cell_value(cell: RawCell | None) -> Any:
    """A cell's saved value as openpyxl gives it: a whole number is an int (so an id typed as
    101 reads "101", not "101.0"), text is text, an empty cell is None."""
    if cell is None:
        return None
    value = cell.value
    if isinstance(value, float) and cell.kind == "number" and value.is_integer():
        return int(value) if abs(value) < 1e15 else value  # past 15 digits Excel keeps no more
    return value


def shown_value(cell: RawCell | None) -> Any:
    """A cell's value as the user sees it: "95%" typed in Excel is stored as 0.95 under a
    percent format, and means 95 (register and history figures are in percentage points)."""
    value = cell_value(cell)
    if cell is not None and cell.kind == "number" and is_percent_format(cell.number_format):
        value = round(value * 100, 10)
    return value


def take_row(sheet: SheetData, row: int, columns: Iterable[int]) -> list[Any]:
    """The shown values of one row's cells (columns counted from 1), taken out of the sheet:
    a big sheet's cells are freed as they are used, not held beside what is made of them."""
    take = sheet.cells.pop
    values = []
    for column in columns:
        cell = take((row, column), None)
        if cell is None:
            values.append(None)
        elif cell.kind == "number":  # only numbers need shown_value's care
            values.append(shown_value(cell))
        else:
            values.append(cell.value)
    return values
