"""Safe text in every output: cells, CSV, the terminal, footers; and the writers that use it."""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from fixtures_bad import ENVIRONMENT, Returns
from openpyxl import load_workbook

from kpi_excel.cli.app import main
from kpi_excel.core.text import (
    MAX_CELL_TEXT,
    MAX_FOOTER,
    cell_text,
    clean,
    csv_cell,
    footer,
    terminal,
)

Q1 = "2017/18 Q1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("plain", "plain"), ("a\x0bb", "ab"), ("tab\tand\nline", "tab\tand\nline"),
     ("bell\x07 del\x7f c1\x85", "bell del c1"), ("caf\udce9", "caf\ufffd"), ("ok é ✓", "ok é ✓")],
)  # fmt: skip
def test_clean_removes_what_no_output_can_hold(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_text_over_excels_limit_is_cut_with_a_visible_marker() -> None:
    text, cut = cell_text("x" * 40_000)
    assert cut and MAX_CELL_TEXT - 2 <= len(text) <= MAX_CELL_TEXT and "more characters cut" in text
    assert cell_text("short") == ("short", False)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_start_like_formulas_are_neutralised(start: str) -> None:
    assert csv_cell(f'{start}HYPERLINK("http://x")').startswith("'")
    assert csv_cell("Fine text") == "Fine text"


def test_terminal_text_loses_escape_sequences() -> None:
    assert terminal("\x1b[31mred\x1b[0m \x1b]0;title\x07ok\rno") == "red okno"
    assert terminal("line one\nline two") == "line one\nline two"


def test_footers_stay_within_excels_limit() -> None:
    assert len(footer("&L" + "x" * 400)) <= MAX_FOOTER
    assert footer("a\x0bb") == "ab"


@pytest.fixture
def returns(tmp_path: Path, blank_templates: dict[str, Path]) -> Returns:
    folder = tmp_path / "built"
    folder.mkdir()
    return Returns(folder, blank_templates)


def _folder_with(tmp_path: Path, built: Path) -> Path:
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    shutil.move(built, folder / "2017-18-Q1-environment.xlsx")
    return folder


def test_a_comment_over_32767_characters_is_cut_and_the_board_written(returns, tmp_path):
    from fixtures_hostile import edited_return

    long = "Word pasted again. " * 2_500  # 47,500 characters: more than openpyxl would save
    built = returns.filled("long.xlsx", ENVIRONMENT, {"EN01": {"comment": "LONG"}})
    built = edited_return(
        built, tmp_path / "long2.xlsx", lambda xml: xml.replace(">LONG<", f">{long}<")
    )
    folder = _folder_with(tmp_path, built)
    out = tmp_path / "board.xlsx"
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1, "--out", str(out),
         "--json", str(tmp_path / "board.json")],
    )  # fmt: skip
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    assert (
        "text-cut" in result.output
        and "characters long, more than an Excel cell holds" in result.output
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(out, read_only=True)
    texts = [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and value.startswith("Word pasted again.")
    ]
    assert texts and all(len(t) <= MAX_CELL_TEXT for t in texts)
    assert any("more characters cut" in t for t in texts)


def test_a_vertical_tab_and_escapes_from_word_reach_no_output(returns, tmp_path):
    typed = "Cut from Word\x0bnext line \x1b[2J"
    built = returns.filled("vt.xlsx", ENVIRONMENT, {"EN01": {"value": "about 6"}}, edit=None)
    # openpyxl refuses control characters, so the officer's text goes in as Excel escapes it
    from fixtures_hostile import edited_return

    escaped = typed.replace("\x0b", "_x000B_").replace("\x1b", "_x001B_")
    hostile = edited_return(
        built, tmp_path / "vt2.xlsx", lambda xml: xml.replace(">about 6<", f">{escaped}<")
    )
    folder = _folder_with(tmp_path, hostile)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1,
         "--feedback", str(out / "feedback"), "--log", str(out / "log.xlsx"),
         "--chase", str(out / "chase.txt"), "--json", str(out / "v.json")],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "\x1b" not in result.output and "\x0b" not in result.output
    assert "Cut from Wordnext line" in result.output
    assert (out / "feedback" / "2017-18-Q1-environment-feedback.xlsx").exists()
    chase = (out / "chase.txt").read_text()
    assert "\x0b" not in chase and "\x1b" not in chase
    assert (out / "log.xlsx").exists()


def test_export_history_writes_officers_text_as_text(tmp_path):
    store = tmp_path / "history.sqlite"
    runner = CliRunner()
    for args in (
        ["import-history", str(SAMPLES / "history.csv"), "--register",
         str(SAMPLES / "register.xlsx"), "--store", str(store)],
        ["correct", "--store", str(store), "-p", "2016/17 Q4", "--id", "CL02", "--value", "61",
         "--why", "=HYPERLINK(\"http://evil\",\"click\")", "--comment", "@SUM(1)\x0bfrom Word"],
    ):  # fmt: skip
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    for name in ("h.csv", "h.xlsx"):
        result = runner.invoke(
            main, ["export-history", str(tmp_path / name), "--store", str(store)]
        )
        assert result.exit_code == 0, result.output
    with (tmp_path / "h.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["indicator_id"] == "CL02"]
    corrected = next(row for row in rows if row["why"].startswith("'="))
    assert corrected["comment"] == "'@SUM(1)from Word"
    sheet = load_workbook(tmp_path / "h.xlsx")["History"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    formulas = [c for c in cells if c.data_type == "f"]
    assert formulas == []
    assert any(c.value == '=HYPERLINK("http://evil","click")' for c in cells)
