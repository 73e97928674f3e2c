"""History files: an .xlsx reads as the same CSV does, and every row's problem names its row."""

from __future__ import annotations

import csv
import shutil

import pytest
from conftest import SAMPLES, convert_with_libreoffice
from openpyxl import Workbook

from kpi_excel.core.periods import Period
from kpi_excel.core.problems import HistoryError
from kpi_excel.history.files import load_history


def _csv_rows() -> list[list[str]]:
    with (SAMPLES / "history.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def _as_xlsx(rows: list[list[object]], path, *, percent_cells=()):
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    for ref in percent_cells:
        sheet[ref].number_format = "0.0%"
    book.save(path)
    return path


def _typed(rows: list[list[str]]) -> list[list[object]]:
    """The CSV's rows as someone would type them into Excel: figures as numbers."""
    typed: list[list[object]] = [rows[0]]
    for indicator_id, period, value, label in rows[1:]:
        try:
            number: object = float(value)
        except ValueError:
            number = value
        typed.append([indicator_id, period, number, label])
    return typed


def _points(history) -> list[tuple]:
    return [(p.indicator_id, p.period, p.value, p.token, p.label) for p in history.points()]


def test_an_xlsx_history_reads_as_the_csv_does(tmp_path, register):
    from_csv, csv_warnings = load_history(SAMPLES / "history.csv", register.by_id())
    path = _as_xlsx(_typed(_csv_rows()), tmp_path / "history.xlsx")
    from_xlsx, xlsx_warnings = load_history(path, register.by_id())
    assert len(from_xlsx) == len(from_csv) == 65
    assert _points(from_xlsx) == _points(from_csv)
    assert xlsx_warnings == csv_warnings == []
    point = from_xlsx.get("CD01", Period.parse("2016/17 Q4"))
    assert (point.value, point.label, point.source.file, point.source.cell) == (
        72.4,
        "(16-17)",
        "history.xlsx",
        "row 15",
    )


def test_an_xlsx_history_saved_by_libreoffice_reads_the_same(tmp_path, register):
    source = _as_xlsx(_typed(_csv_rows()), tmp_path / "in" / "history.xlsx")
    saved = convert_with_libreoffice(source, tmp_path / "out")
    expected, _ = load_history(source, register.by_id())
    assert _points(load_history(saved, register.by_id())[0]) == _points(expected)


def test_a_percent_typed_in_excel_is_read_in_points(tmp_path, register):
    rows = [["indicator_id", "period", "value", "label"], ["TC05", "2016/17 Q1", 0.8942, ""]]
    path = _as_xlsx(rows, tmp_path / "history.xlsx", percent_cells=["C2"])
    history, _ = load_history(path, register.by_id())
    assert history.get("TC05", Period.parse("2016/17 Q1")).value == 89.42


def test_rows_are_numbered_as_in_the_file_past_blank_rows(tmp_path, register):
    rows = [
        ["indicator_id", "period", "value", "label"],
        ["TC05", "2016/17 Q1", 89.42, ""],
        ["", "", "", ""],
        ["TC05", "2016/17 Q1", 90, ""],
        ["NOPE", "2016/17 Q1", 1, ""],
    ]
    path = _as_xlsx(rows, tmp_path / "history.xlsx")
    with pytest.raises(HistoryError) as caught:
        load_history(path, register.by_id())
    [found] = caught.value.problems
    assert (found.code, found.cell) == ("history-invalid", "row 4")
    assert "already on row 2" in found.message


def test_one_period_spelled_two_ways_is_one_period(tmp_path, register):
    path = tmp_path / "history.csv"
    path.write_text(
        "indicator_id,period,value,label\nTC05,2016/17 Q1,89.42,\nTC05,2016-17 q1,89.42,\n"
        "TC05,2016/2017 Q4,90.6,\n"
    )
    history, _ = load_history(path, register.by_id())
    assert [str(p.period) for p in history.points()] == ["2016/17 Q1", "2016/17 Q4"]


def test_an_xlsx_history_that_is_no_workbook_is_refused(tmp_path, register):
    path = tmp_path / "history.xlsx"
    shutil.copy(SAMPLES / "history.csv", path)
    with pytest.raises(HistoryError, match="cannot be opened as an .xlsx workbook") as caught:
        load_history(path, register.by_id())
    assert "a CSV or text file beginning 'indicator_id,period,value,label'" in str(
        caught.value.message
    )
