"""Bounded work on any file: cells beyond Excel's limits refused, loops bounded by the cells
present, pipes and devices refused, each quickly and in bounded memory."""

from __future__ import annotations

import os
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import fixtures_hostile as hostile
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.core.periods import Period
from kpi_excel.register.loader import load_register
from kpi_excel.returns.reader import read_return

Q1 = Period.parse("2017/18 Q1")
SOURCE = SAMPLES / "returns" / "2017-18-Q1-environment.xlsx"
FAST, SMALL = 1.0, 200 * 2**20  # seconds and bytes, each file


def measured(path: Path) -> tuple[object, float, int]:
    """(result, seconds, peak bytes): timed alone, then read again under tracemalloc, which
    slows reading several times over."""
    register = load_register(SAMPLES / "register.xlsx")
    start = time.perf_counter()
    result = read_return(path, register, Q1)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    try:
        read_return(path, register, Q1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


REFUSED: list[tuple[Callable[[Path, Path], Path], str, int]] = [
    (hostile.cell_beyond_excel_rows, "file-beyond-limits", 20_000),
    (hostile.merged_beyond_excel_rows, "file-beyond-limits", 20_000),
    (hostile.column_beyond_excel, "file-beyond-limits", 20_000),
    (hostile.many_merged_ranges, "file-too-large", 4_000_000),
    (hostile.many_rows_of_unknown_ids, "file-too-large", 4_000_000),
]


@pytest.mark.parametrize(
    ("build", "code", "size"), REFUSED, ids=lambda b: getattr(b, "__name__", "")
)
def test_hostile_sheets_are_refused_in_a_second_and_200_mb(tmp_path: Path, build, code, size):
    path = build(SOURCE, tmp_path)
    assert path.stat().st_size < size
    result, elapsed, peak = measured(path)
    assert [p.code for p in result.problems] == [code]
    assert path.name in result.problems[0].render() or result.problems[0].file == path.name
    assert elapsed < FAST and peak < SMALL, (elapsed, peak)


@pytest.mark.parametrize(
    "build",
    [hostile.cell_at_the_last_row, lambda s, t: hostile.merged_beyond_excel_rows(s, t, 1_048_576)],
    ids=["cell at row 1048576", "merged H11:H1048576"],
)
def test_a_cell_or_merged_range_at_excels_last_row_is_read_quickly(tmp_path: Path, build) -> None:
    """Within Excel's limits, so read; but loops go over the cells present, not every row."""
    result, elapsed, peak = measured(build(SOURCE, tmp_path))
    assert result.readable
    assert elapsed < FAST and peak < SMALL, (elapsed, peak)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_given_as_a_return_or_register_is_refused_before_any_work(tmp_path: Path):
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    for args in (
        ["validate", str(SAMPLES / "register.xlsx"), str(pipe), "-p", "2017/18 Q1"],
        ["validate", str(pipe), str(SAMPLES / "returns"), "-p", "2017/18 Q1"],
        ["consolidate", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "-p",
         "2017/18 Q1", "--history", str(pipe), "--out", str(tmp_path / "b.xlsx")],
    ):  # fmt: skip
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "named pipe" in result.output, result.output
    assert not (tmp_path / "b.xlsx").exists()


def test_a_hostile_return_among_good_ones_leaves_the_board_written(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    victim = folder / SOURCE.name
    built = hostile.merged_beyond_excel_rows(victim, tmp_path)
    shutil.move(built, victim)
    out = tmp_path / "board.xlsx"
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(folder), "-p", "2017/18 Q1",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "file-beyond-limits" in result.output and SOURCE.name in result.output
    assert out.exists()


def test_a_history_csv_too_big_to_be_one_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    from kpi_excel.core.problems import HistoryError
    from kpi_excel.history import files

    path = tmp_path / "history.csv"
    path.write_text("indicator_id,period,value,label\n" + "TC05,2016/17 Q1,1,\n" * 100)
    monkeypatch.setattr(files, "MAX_CSV_BYTES", 1000)
    with pytest.raises(HistoryError) as caught:
        files.load_history(path, load_register(SAMPLES / "register.xlsx").by_id())
    assert [p.code for p in caught.value.problems] == ["file-too-big-to-read"]


def test_a_history_xlsx_with_a_cell_at_the_last_cell_is_read_quickly(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from kpi_excel.history.files import load_history

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["indicator_id", "period", "value", "label"])
    sheet.append(["TC05", "2016/17 Q1", 1, ""])
    sheet["XFD1048576"] = "x"
    workbook.save(tmp_path / "history.xlsx")
    start = time.perf_counter()
    history, _ = load_history(
        tmp_path / "history.xlsx", load_register(SAMPLES / "register.xlsx").by_id()
    )
    assert time.perf_counter() - start < FAST
    assert len(history) == 1


def test_a_register_with_a_cell_at_excels_last_row_is_read_quickly(tmp_path: Path) -> None:
    """It took 11 s when every row up to the last was visited; the rows present take none."""
    import zipfile

    from kpi_excel.core.problems import RegisterError

    with zipfile.ZipFile(SAMPLES / "register.xlsx") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    last = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    parts[sheet] = parts[sheet].replace(b"</sheetData>", f"{last}</sheetData>".encode())
    path = hostile.write_zip(tmp_path / "register.xlsx", parts)
    start = time.perf_counter()
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert time.perf_counter() - start < FAST
    assert {p.cell for p in caught.value.problems} == {"B1048576", "C1048576", "D1048576"}


def test_no_feedback_copy_of_a_return_whose_merged_cells_openpyxl_would_expand(tmp_path):
    """openpyxl makes an object per merged cell: H11:H1048576 took 26 s and 640 MB to copy."""
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    built = hostile.merged_beyond_excel_rows(folder / SOURCE.name, tmp_path, 1_048_576)
    shutil.move(built, folder / SOURCE.name)
    start = time.perf_counter()
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(folder), "-p", "2017/18 Q1",
         "--feedback", str(tmp_path / "feedback")],
    )  # fmt: skip
    assert time.perf_counter() - start < 5
    assert result.exit_code == 1, result.output
    assert "too many to copy" in result.output


def test_a_return_an_officer_formatted_far_down_is_still_read(tmp_path: Path) -> None:
    """Blank styled cells (a fill over A1:T3000) are styling, not figures: not counted."""
    rows = "".join(
        f'<row r="{row}">' + "".join(f'<c r="{col}{row}" s="1"/>' for col in "BCDEFGHIJKLMNOPQRSTU")
        + "</row>"
        for row in range(200, 3200)
    )  # fmt: skip
    path = hostile.edited_return(
        SOURCE,
        tmp_path / "formatted.xlsx",
        lambda xml: xml.replace("</sheetData>", f"{rows}</sheetData>"),
    )
    result, elapsed, _ = measured(path)
    assert result.readable and elapsed < FAST
    assert "file-too-large" not in [p.code for p in result.problems]


def test_a_published_arrows_csv_too_big_to_be_one_is_refused_before_any_work(tmp_path, monkeypatch):
    from kpi_excel.xlsx import outputs

    published = tmp_path / "published.csv"
    published.write_text("indicator_id,short_term,long_term\n" + "TC01,,\n" * 200)
    monkeypatch.setattr(outputs, "MAX_CSV_BYTES", 1000)
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "-p",
         "2017/18 Q1", "--published", str(published), "--out", str(tmp_path / "b.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 2 and "more than a CSV input" in result.output, result.output
    assert not (tmp_path / "b.xlsx").exists()
