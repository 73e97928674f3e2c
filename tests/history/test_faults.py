"""One fault in one file is that file's problem: unforeseen faults, a busy store, Ctrl-C."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.history import store as store_module
from kpi_excel.returns import parallel

Q1 = "2017/18 Q1"


def test_an_unforeseen_fault_in_one_return_is_that_returns_problem(tmp_path, monkeypatch):
    real = parallel.read_return

    def faulty(path, *args, **kwargs):  # standing in for a bug no one has found yet
        if path.name.endswith("environment.xlsx"):
            raise ZeroDivisionError("a bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parallel, "read_return", faulty)
    out = tmp_path / "board.xlsx"
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "-p", Q1,
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "file-fault" in result.output and "2017-18-Q1-environment.xlsx" in result.output
    assert "ZeroDivisionError: a bug" in result.output and "Traceback" not in result.output
    assert out.exists()


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite"
    result = CliRunner().invoke(
        main,
        ["import-history", str(SAMPLES / "history.csv"), "--register",
         str(SAMPLES / "register.xlsx"), "--store", str(path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return path


def test_a_store_held_by_another_run_says_busy_try_again(tmp_path, monkeypatch):
    path = _store(tmp_path)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        before = path.read_bytes()
        for args in (
            ["runs", "--store", str(path)],
            ["close", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "-p", Q1,
             "--store", str(path)],
        ):  # fmt: skip
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 1, result.output
            assert "is busy" in result.output and "Try again" in result.output, result.output
            assert "not a kpi-excel history store" not in result.output
        assert path.read_bytes() == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path, monkeypatch):
    from kpi_excel.api import run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "collect_returns", interrupted)
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "-p", Q1],
    )
    assert result.exit_code == 130
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_file_name_that_is_not_utf8_does_not_stop_the_run(tmp_path):
    import os

    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    odd = os.fsdecode(b"caf\xe9.xlsx")
    try:
        shutil.copy(folder / "2017-18-Q1-environment.xlsx", folder / odd)
    except (UnicodeEncodeError, OSError):  # a file system that insists on UTF-8 names
        return
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1,
         "--out", str(out / "board.xlsx"), "--json", str(out / "board.json")],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert (out / "board.xlsx").exists() and (out / "board.json").exists()
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1,
         "--log", str(out / "log.xlsx"), "--chase", str(out / "chase.txt"),
         "--json", str(out / "v.json")],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert (out / "log.xlsx").exists() and (out / "chase.txt").exists()
    result = CliRunner().invoke(
        main,
        ["close", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1,
         "--store", str(out / "history.sqlite")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        main, ["show-history", "EN01", "--store", str(out / "history.sqlite")]
    )
    assert result.exit_code == 0 and "caf\ufffd.xlsx" in result.output, result.output
