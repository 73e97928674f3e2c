"""Returns filled in and saved by other programs read the same as ones filled with openpyxl.

One generated template, one set of figures, entered four ways: typed by openpyxl; typed by
LibreOffice itself (through its UNO bridge, as an officer using LibreOffice would type them);
typed by openpyxl and saved again by LibreOffice; and taken through LibreOffice's own format
(.ods) and back. Then returns carrying Excel's extension lists (x14 validation, sparklines,
data bars, dyDescent row attributes), which Excel writes and openpyxl drops.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from conftest import convert_with_libreoffice, soffice
from fixtures_bad import (
    CHILDREN,
    COLUMN,
    Q1,
    SAMPLES,
    bad_inputs_register,
    rewrite_parts,
    row_of,
    sheet_part,
)
from openpyxl import load_workbook

from kpi_excel.core.return_spec import (
    FIELDS,
    HEADER_ROW,
    META_SHEET,
    RETURN_SHEET,
    TEMPLATE_VERSION,
)
from kpi_excel.returns.collect import collect_returns
from kpi_excel.returns.reader import read_return

REGISTER = bad_inputs_register()
SYSTEM_PYTHON = "/usr/bin/python3"
INPUTS = ("value", "status", "provisional", "average", "comment", "corrective_action")


def _officer_entries() -> dict[str, dict[str, Any]]:
    """What the officer types for each indicator: the sample return's entries."""
    sheet = load_workbook(SAMPLES / "returns" / "2017-18-Q1-childrens-services.xlsx")[RETURN_SHEET]
    entries = {}
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        indicator = sheet.cell(row, COLUMN["id"]).value
        if indicator:
            entries[indicator] = {key: sheet.cell(row, COLUMN[key]).value for key in INPUTS}
    entries["CL07"]["corrective_action"] = "More in-house carers are being recruited."
    # Typing "60.9%" (as many do) stores 0.609, in Excel and in Calc alike, and the template's
    # cell then shows 0.6%; openpyxl writes what they store.
    entries["CL02"]["value"] = 0.609
    return entries


TYPED_AS = {("CL02", "value"): "60.9%"}  # what the officer really types, where it differs


def _typed(value: Any) -> str:
    """A value as the text an officer types into the cell."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _snapshot(result) -> tuple:
    records = {
        k: (r.status, r.value, r.provisional, r.average, r.comment, r.corrective_action)
        for k, r in result.records.items()
    }
    return records, [(p.code, p.cell, p.indicator_id) for p in result.problems]


@pytest.fixture(scope="module")
def by_openpyxl(tmp_path_factory, blank_templates) -> Path:
    template = blank_templates[CHILDREN]
    workbook = load_workbook(template)
    sheet = workbook[RETURN_SHEET]
    for indicator, entries in _officer_entries().items():
        row = row_of(sheet, indicator)
        for key, value in entries.items():
            sheet.cell(row, COLUMN[key]).value = value
    path = tmp_path_factory.mktemp("openpyxl") / "childrens-openpyxl.xlsx"
    workbook.save(path)
    return path


def _uno_available() -> bool:
    if soffice() is None or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


def test_filled_in_by_libreoffice_reads_the_same_as_filled_by_openpyxl(
    tmp_path: Path, blank_templates: dict[str, Path], by_openpyxl: Path
) -> None:
    if not _uno_available():
        pytest.skip("LibreOffice's Python bridge is not installed: apt-get install python3-uno")
    template = blank_templates[CHILDREN]
    sheet = load_workbook(template)[RETURN_SHEET]
    values = [
        [
            RETURN_SHEET,
            f"{_letter(COLUMN[key])}{row_of(sheet, indicator)}",
            TYPED_AS.get((indicator, key), _typed(value)),
        ]
        for indicator, entries in _officer_entries().items()
        for key, value in entries.items()
    ]
    values_file = tmp_path / "values.json"
    values_file.write_text(json.dumps(values), encoding="utf-8")
    target = tmp_path / "childrens-libreoffice.xlsx"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [SYSTEM_PYTHON, str(Path(__file__).parent.parent / "libreoffice_fill.py"), str(template),
         str(target), str(values_file), str(profile)],
        check=True, timeout=240, env=dict(os.environ, HOME=str(tmp_path)),
    )  # fmt: skip
    assert target.exists()
    expected = read_return(by_openpyxl, REGISTER, Q1)
    typed_by_libreoffice = read_return(target, REGISTER, Q1)
    assert _snapshot(typed_by_libreoffice) == _snapshot(expected)
    assert len(typed_by_libreoffice.records) == 16
    # "60.9%" typed into the figure cell: read as 60.9, and queried, since the cell shows 0.6%.
    assert typed_by_libreoffice.records["CL02"].value == pytest.approx(60.9)
    assert ("value-percent-scale", "H10", "CL02") in _snapshot(typed_by_libreoffice)[1]


def _letter(col: int) -> str:
    from kpi_excel.core.return_spec import column_letter

    return column_letter(col - 1)


def test_saved_again_by_libreoffice_reads_the_same(tmp_path: Path, by_openpyxl: Path) -> None:
    resaved = convert_with_libreoffice(by_openpyxl, tmp_path / "resaved")
    assert _snapshot(read_return(resaved, REGISTER, Q1)) == _snapshot(
        read_return(by_openpyxl, REGISTER, Q1)
    )


def test_through_libreoffices_own_format_and_back_reads_the_same(
    tmp_path: Path, by_openpyxl: Path
) -> None:
    binary = soffice()
    if binary is None:
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
    ods_dir = tmp_path / "ods"
    ods_dir.mkdir()
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run([binary, "--headless", "--convert-to", "ods", "--outdir", str(ods_dir),
                    str(by_openpyxl)], check=True, capture_output=True, timeout=240, env=env)  # fmt: skip
    ods = ods_dir / f"{by_openpyxl.stem}.ods"
    back = convert_with_libreoffice(ods, tmp_path / "back")
    first = read_return(by_openpyxl, REGISTER, Q1)
    second = read_return(back, REGISTER, Q1)
    assert _snapshot(second) == _snapshot(first)
    # The whole folder consolidates the same way too.
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(back, folder / "childrens.xlsx")
    collected = collect_returns([folder], REGISTER, Q1)
    assert {k: r.value for k, r in collected.records.items()} == {
        k: r.value for k, r in first.records.items()
    }
    # An .ods sent as it is gets a plain answer.
    sent_as_ods = read_return(ods, REGISTER, Q1)
    assert [p.code for p in sent_as_ods.problems] == ["file-not-xlsx"]
    assert "OpenDocument" in sent_as_ods.problems[0].message


# --- Excel's extension lists --------------------------------------------------------------------

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
EXCEL_SHEET_EXTENSIONS = (
    f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
    '<x14:dataValidations count="1" xmlns:xm="' + XM + '"><x14:dataValidation type="list" '
    'allowBlank="1" showInputMessage="1" showErrorMessage="1"><x14:formula1><xm:f>kpi_lists!'
    "$A$2:$A$4</xm:f></x14:formula1><xm:sqref>K9:K24</xm:sqref></x14:dataValidation>"
    "</x14:dataValidations></ext>"
    f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}">'
    '<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="' + XM + '">'
    '<x14:cfRule type="dataBar" id="{00000000-000E-0000-0000-000001000000}"><x14:dataBar '
    'minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo '
    'type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/>'
    "</x14:dataBar></x14:cfRule><xm:sqref>H9:H24</xm:sqref></x14:conditionalFormatting>"
    "</x14:conditionalFormattings></ext>"
    f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{X14}">'
    '<x14:sparklineGroups xmlns:xm="' + XM + '"><x14:sparklineGroup displayEmptyCellsAs="gap">'
    '<x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Return!F9:G9</xm:f>'
    "<xm:sqref>R9</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup>"
    "</x14:sparklineGroups></ext></extLst>"
)
EXCEL_WORKBOOK_EXTENSIONS = (
    '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
    '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>'
)


def with_excel_extension_lists(path: Path) -> Path:
    """Add what Excel writes and openpyxl does not: x14 extension lists on the Return sheet
    and the workbook, mc:Ignorable namespaces and x14ac:dyDescent on every row."""
    part = sheet_part(path, RETURN_SHEET)

    def change(name: str, data: bytes) -> bytes:
        text = data.decode("utf-8")
        if name == part:
            text = text.replace(
                "<worksheet ",
                f'<worksheet xmlns:mc="{MC}" xmlns:x14ac="{X14AC}" mc:Ignorable="x14ac" ',
                1,
            )
            text = text.replace("<row ", '<row x14ac:dyDescent="0.25" ')
            text = text.replace("</worksheet>", EXCEL_SHEET_EXTENSIONS + "</worksheet>")
        elif name == "xl/workbook.xml":
            text = text.replace("</workbook>", EXCEL_WORKBOOK_EXTENSIONS + "</workbook>")
        return text.encode("utf-8")

    return rewrite_parts(path, change)


def test_excel_extension_lists_read_the_same(tmp_path: Path, by_openpyxl: Path) -> None:
    extended = with_excel_extension_lists(Path(shutil.copy(by_openpyxl, tmp_path / "x14.xlsx")))
    raw = extended.read_bytes()
    assert raw != by_openpyxl.read_bytes()
    result = read_return(extended, REGISTER, Q1)
    assert _snapshot(result) == _snapshot(read_return(by_openpyxl, REGISTER, Q1))
    # Excel itself (and LibreOffice) must still be able to open it: LibreOffice resaves it.
    resaved = convert_with_libreoffice(extended, tmp_path / "resaved")
    assert _snapshot(read_return(resaved, REGISTER, Q1)) == _snapshot(result)


def test_a_return_with_xlsxwriter_sparklines_and_data_bars_reads(tmp_path: Path) -> None:
    """XlsxWriter writes sparklines and 2010 data bars as x14 extension lists."""
    path = tmp_path / "x14-by-xlsxwriter.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(RETURN_SHEET)
    for col, field in enumerate(FIELDS):
        sheet.write_string(HEADER_ROW - 1, col, field.header)
    rows = {"EN01": (0.8, 1.1, 0.9), "EN02": (118.4, 120.2, 119.0)}
    for offset, (indicator, (value, previous, last_year)) in enumerate(rows.items()):
        row = HEADER_ROW + offset
        sheet.write_string(row, COLUMN["id"] - 1, indicator)
        sheet.write_number(row, COLUMN["previous"] - 1, previous)
        sheet.write_number(row, COLUMN["last_year"] - 1, last_year)
        sheet.write_number(row, COLUMN["value"] - 1, value)
        sheet.write_string(row, COLUMN["status"] - 1, "available")
        sheet.write_string(row, COLUMN["comment"] - 1, "Typed in another program")
        sheet.write_string(row, COLUMN["corrective_action"] - 1, "A plan is in place")
        sheet.add_sparkline(row, len(FIELDS), {"range": f"{RETURN_SHEET}!F{row + 1}:G{row + 1}"})
    sheet.conditional_format(HEADER_ROW, COLUMN["value"] - 1, HEADER_ROW + 1, COLUMN["value"] - 1,
                             {"type": "data_bar", "data_bar_2010": True})  # fmt: skip
    meta = workbook.add_worksheet(META_SHEET)
    meta.very_hidden()
    details = {"template_version": TEMPLATE_VERSION, "period": "2017/18 Q1",
               "service_area": "Environment", "indicator_ids": "EN01,EN02"}  # fmt: skip
    for row, (key, value) in enumerate(details.items()):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    workbook.close()
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert b"<extLst>" in zf.read(sheet_part(path, RETURN_SHEET))
    result = read_return(path, REGISTER, Q1)
    assert result.problems == []
    assert {k: r.value for k, r in result.records.items()} == {"EN01": 0.8, "EN02": 118.4}
