"""Every number parsed whole, everywhere: returns, register, history files, correct, settings.

The whole text is the number (thousands separators, %, £ or the indicator's unit allowed) or
it is refused with a message naming the cell or row; NaN, infinities and figures beyond any
real one are refused as well.
"""

from __future__ import annotations

import math
import shutil

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.core.problems import HistoryError, RegisterError
from kpi_excel.core.values import MAX_MAGNITUDE, parse_whole_number
from kpi_excel.history.files import load_history
from kpi_excel.register.book import write_register
from kpi_excel.register.loader import load_register

PARTS = ["92,5", "0,95", "95 by March", "60-70", "1e3", "1e28", "nan", "INF", "12 kg", "", "%"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,234", 1234), ("95%", 95), ("95 %", 95), ("£1,200", 1200), ("-5", -5), ("−3.5", -3.5),
     ("0.8 days", 0.8), (" 60.9 ", 60.9), (7, 7), (2.5, 2.5), ("95 per cent", 95)],
)  # fmt: skip
def test_a_whole_number_is_read(raw: object, value: float) -> None:
    assert parse_whole_number(raw, suffix="days").value == value


@pytest.mark.parametrize("raw", [*PARTS, math.nan, math.inf, -math.inf, 1e28, True, None])
def test_anything_else_is_refused_not_cut_short(raw: object) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_whole_number(raw, suffix="days")


def test_the_bound_is_inclusive() -> None:
    assert parse_whole_number(MAX_MAGNITUDE).value == MAX_MAGNITUDE
    with pytest.raises(ValueError, match="beyond"):
        parse_whole_number(MAX_MAGNITUDE * 10)


ROW = {"id": "A1", "section": "S", "service_area": "X", "name": "N", "polarity": "bigger",
       "unit": "percent", "annual_target": 80}  # fmt: skip


@pytest.mark.parametrize("raw", ["92,5", "95 by March", "1e3", 1e28])
def test_a_register_target_is_read_whole_or_refused_naming_its_cell(tmp_path, raw) -> None:
    path = write_register(tmp_path / "register.xlsx", [{**ROW, "annual_target": raw}])
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    [found] = caught.value.problems
    assert (found.code, found.sheet, found.cell) == ("register-invalid", "Indicators", "M2")
    assert "not a" in found.message


@pytest.mark.parametrize("raw", ["92,5", "0,95", "95 by March", "60-70", "1e3", "nan"])
def test_a_history_figure_is_read_whole_or_refused_naming_its_row(tmp_path, register, raw):
    path = tmp_path / "history.csv"
    path.write_text(f'indicator_id,period,value,label\nTC05,2016/17 Q1,"{raw}",\n')
    with pytest.raises(HistoryError) as caught:
        load_history(path, register.by_id())
    [found] = caught.value.problems
    assert (found.code, found.cell) == ("history-invalid", "row 2")
    assert raw in found.message


@pytest.mark.parametrize("raw", ["1e28", "nan", "95 by March", "92,5"])
def test_correct_refuses_a_figure_that_is_not_whole_and_the_store_is_unchanged(tmp_path, raw):
    store = tmp_path / "history.sqlite"
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["import-history", str(SAMPLES / "history.csv"), "--register",
         str(SAMPLES / "register.xlsx"), "--store", str(store)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    before = store.read_bytes()
    result = runner.invoke(
        main,
        ["correct", "--store", str(store), "--period", "2016/17 Q4", "--id", "CL02",
         "--value", raw, "--why", "test"],
    )  # fmt: skip
    assert result.exit_code == 2 and "--value" in result.output, result.output
    assert store.read_bytes() == before


def test_a_nan_or_infinite_figure_is_that_cell_s_problem_and_the_board_is_written(tmp_path):
    """Excel never saves NaN or INF, but a hostile file can: one cell's problem, not the run's."""
    import re
    import zipfile

    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    victim = folder / "2017-18-Q1-environment.xlsx"
    with zipfile.ZipFile(victim) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and b"<v>" in parts[n])
    text = parts[sheet].decode()
    text, count = re.subn(r'(<c r="H9"[^>]*>)<v>[^<]*</v>', r"\g<1><v>NaN</v>", text)
    text, more = re.subn(r'(<c r="H10"[^>]*>)<v>[^<]*</v>', r"\g<1><v>1E+400</v>", text)
    assert count + more >= 1
    parts[sheet] = text.encode()
    with zipfile.ZipFile(victim, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    out = tmp_path / "board.xlsx"
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(folder), "-p", "2017/18 Q1",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "value-not-usable" in result.output and "Traceback" not in result.output
    assert out.exists()


@pytest.mark.parametrize("raw", [0.95, "0.95", "0.6"])
def test_a_percentage_target_typed_as_a_fraction_is_queried_naming_its_cell(tmp_path, raw):
    path = write_register(tmp_path / "register.xlsx", [{**ROW, "annual_target": raw}])
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    [found] = caught.value.problems
    assert (found.code, found.cell) == ("target-percent-fraction", "M2")
    assert f"not {float(raw) * 100:g}%" in found.message


@pytest.mark.parametrize("raw", ["0.95%", 95, "95%", 0, 1])
def test_a_percentage_target_written_plainly_is_read(tmp_path, raw):
    path = write_register(tmp_path / "register.xlsx", [{**ROW, "annual_target": raw}])
    load_register(path)
