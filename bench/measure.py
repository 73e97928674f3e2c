"""One group of timings on one generated set, in a fresh process; prints JSON.

    python bench/measure.py stages bench/generated/n100 --workers 2
    python bench/measure.py calamine bench/generated/n100
    python bench/measure.py openpyxl bench/generated/n100
    python bench/measure.py xlsxwriter bench/generated/n100 --board bench/generated/n100/board.xlsx

run.py starts one of these per group and repeat, so each starts from the same state and its
peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from peak import own_peak_mb  # noqa: E402  (beside this file)

PERIOD_TEXT = "2017/18 Q1"


def _files(folder: Path) -> list[Path]:
    return sorted((folder / "returns").glob("*.xlsx"))


def _clock() -> float:
    return time.perf_counter()


def _peak_mb() -> float:
    return own_peak_mb()


def stages(folder: Path, workers: int, out: Path) -> dict:
    """Each stage of consolidate_returns, as it calls them, plus the parallel reader."""
    from kpi_excel.board.workbook import write_board_workbook
    from kpi_excel.core.gcpause import collector_paused
    from kpi_excel.core.periods import Period
    from kpi_excel.history.files import load_history
    from kpi_excel.register.loader import load_register
    from kpi_excel.report.build import build_report
    from kpi_excel.returns.collect import collect_returns
    from kpi_excel.returns.parallel import read_returns_parallel
    from kpi_excel.xlsx.safety import check_package

    period = Period.parse(PERIOD_TEXT)
    times: dict[str, float] = {}
    peaks: dict[str, float] = {"start": _peak_mb()}  # the process's peak so far, after each
    start = _clock()
    register = load_register(folder / "register.xlsx")
    history, _ = load_history(folder / "history.csv", register.by_id())
    times["load"] = _clock() - start
    peaks["load"] = _peak_mb()

    paths = _files(folder)
    start = _clock()
    for path in paths:
        check_package(path)
    times["safety"] = _clock() - start

    start = _clock()
    serial = read_returns_parallel(paths, register, period, workers=1)
    times["collect"] = _clock() - start
    peaks["collect"] = _peak_mb()

    start = _clock()  # as consolidate calls it: on every core
    collected = collect_returns([folder / "returns"], register, period)
    times["parallel"] = _clock() - start
    same = serial == collected.files
    peaks["parallel"] = _peak_mb()

    start = _clock()
    with collector_paused():  # as consolidate_returns rates and writes
        report = build_report(register, period, collected, history)
    times["rules"] = _clock() - start
    peaks["rules"] = _peak_mb()

    start = _clock()
    with collector_paused():
        write_board_workbook(report, out)
    times["write"] = _clock() - start
    peaks["write"] = _peak_mb()
    return {
        "times": times,
        "peaks_mb": peaks,
        "parallel_identical": same,
        "returns": len(paths),
        "indicators": len(register.indicators),
        "problems": len(report.problems),
        "errors": collected.error_count,
    }


def calamine(folder: Path) -> dict:
    """The floor for getting the values out: every sheet of every file, nothing else."""
    from python_calamine import CalamineWorkbook

    cells = 0
    start = _clock()
    for path in _files(folder):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            cells += sum(len(row) for row in rows)
    return {"times": {"calamine": _clock() - start}, "cells": cells}


def openpyxl_default(folder: Path) -> dict:
    """What a straightforward script does: openpyxl's load_workbook on every file."""
    from openpyxl import load_workbook

    start = _clock()
    for path in _files(folder):
        book = load_workbook(path)
        book.close()
    return {"times": {"openpyxl": _clock() - start}}


def xlsxwriter_floor(board: Path, out: Path) -> dict:
    """The writer's floor: the board workbook's cells (every sheet, same rows and columns of
    values, read back with calamine) written by xlsxwriter with no formatting at all."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(board))
    sheets = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    start = _clock()
    cells = _write_cells(xlsxwriter.Workbook(str(out)), sheets, formatted=False)
    plain = _clock() - start
    # For scale, not a target: the same cells as the board writes them, each with a format,
    # row by row to disk (constant_memory), which is what keeps the board's memory flat.
    start = _clock()
    _write_cells(xlsxwriter.Workbook(str(out), {"constant_memory": True}), sheets, formatted=True)
    formatted = _clock() - start
    return {
        "times": {"xlsxwriter": plain, "xlsxwriter_formatted": formatted},
        "cells": cells,
        "sheets": len(sheets),
    }


def _write_cells(workbook: Any, sheets: list[tuple[str, list[list]]], *, formatted: bool) -> int:
    cell_format = (
        workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        if formatted
        else None
    )
    cells = 0
    for name, rows in sheets:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                cells += 1
                if isinstance(value, str):
                    sheet.write_string(r, c, value, cell_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value, cell_format)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value, cell_format)
                else:  # a date or time: its text, since a serial would need a format
                    sheet.write_string(r, c, str(value), cell_format)
    workbook.close()
    return cells


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=("stages", "calamine", "openpyxl", "xlsxwriter"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--board", type=Path, help="the board workbook, for xlsxwriter")
    parser.add_argument("--out", type=Path, help="where to write a workbook")
    args = parser.parse_args(argv)
    folder = args.folder
    out = args.out or folder / "out" / f"{args.group}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.group == "stages":
        result = stages(folder, args.workers, out)
    elif args.group == "calamine":
        result = calamine(folder)
    elif args.group == "openpyxl":
        result = openpyxl_default(folder)
    else:
        result = xlsxwriter_floor(args.board or folder / "out" / "stages.xlsx", out)
    result["max_rss_mb"] = _peak_mb()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
