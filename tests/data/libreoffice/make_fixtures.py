"""Regenerate the LibreOffice-saved .xlsx fixtures in this folder.

    python tests/data/libreoffice/make_fixtures.py

LibreOffice names its parts, writes its styles and formulas differently from Excel, openpyxl
and xlsxwriter, and officers do send returns saved from it. The reader's tests use the committed
files, so they run without LibreOffice; this script is how they were made:

- lo_basic.xlsx: the xlsxwriter workbook built by `build_source`, opened and saved by LibreOffice.
- lo_via_ods.xlsx: the same workbook saved as .ods, then as .xlsx (an officer who works in .ods).
- lo_from_csv.xlsx: SOURCE_CSV imported by LibreOffice, which guesses its own number formats.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent

SOURCE_CSV = "id,value,share,when,note\nKPI01,83,12.5%,2024-03-31,plain text\nKPI02,1234.5,7%,2024-06-30,more\n"


def build_source(path: Path) -> Path:
    """A small return-like workbook covering every cell type the reader distinguishes."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Return")
    pct0 = wb.add_format({"num_format": "0%"})
    pct1 = wb.add_format({"num_format": "0.0%"})
    literal = wb.add_format({"num_format": '0.0"%"'})
    thousands = wb.add_format({"num_format": "#,##0"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True})
    ws.write_row("A1", ["ID", "Indicator", "Value", "Target", "Date"])
    ws.write_row("A2", ["KPI01", "Rate of repairs on time"])
    ws.write_number("C2", 0.83, pct1)
    ws.write_number("D2", 0.8, pct0)
    ws.write_datetime("E2", datetime(2024, 3, 31), date)
    ws.write_row("A3", ["KPI02", "Households helped"])
    ws.write_number("C3", 1234, thousands)
    ws.write_number("D3", 1000, thousands)
    ws.write_formula("E3", "=C3/D3", None, 1.234)
    ws.write_row("A4", ["KPI03", "Literal percent sign"])
    ws.write_number("C4", 83, literal)
    ws.write_row("A5", ["KPI04", "Yes or no"])
    ws.write_boolean("C5", True)
    ws.write_row("A6", ["KPI05", "Division by zero"])
    ws.write_formula("C6", "=1/0", None, "#DIV/0!")
    ws.write_row("A7", ["KPI06", "Not available"])
    ws.write_formula("C7", "=NA()", None, "#N/A")
    ws.write_string("A8", "KPI07")
    ws.write_rich_string("B8", "Rich ", bold, "bold", " text")
    ws.write_string("A9", "KPI08")
    ws.write_formula("C9", '="a"&"b"', None, "ab")
    ws.merge_range("F2:G3", "Merged note")
    wb.add_worksheet("Hidden").hide()
    wb.add_worksheet("VeryHidden").very_hidden()
    wb.close()
    return path


def convert(source: Path, outdir: Path, fmt: str, home: Path) -> Path:
    """Save `source` as `fmt` with LibreOffice; its profile needs a writable HOME."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) not installed")
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(
        [soffice, "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, env=env, capture_output=True, timeout=300,
    )  # fmt: skip
    out = outdir / (source.stem + "." + fmt.split(":")[0])
    if not out.exists():
        raise SystemExit(f"LibreOffice did not write {out}")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        source = build_source(work / "source.xlsx")
        saved = convert(source, work / "xlsx", "xlsx", home)
        shutil.copy(saved, HERE / "lo_basic.xlsx")
        ods = convert(source, work / "ods", "ods", home)
        shutil.copy(convert(ods, work / "back", "xlsx", home), HERE / "lo_via_ods.xlsx")
        csv = work / "source.csv"
        csv.write_text(SOURCE_CSV, encoding="utf-8")
        shutil.copy(convert(csv, work / "csv", "xlsx", home), HERE / "lo_from_csv.xlsx")
    print(f"wrote lo_basic.xlsx, lo_via_ods.xlsx, lo_from_csv.xlsx to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
