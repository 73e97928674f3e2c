"""The register read from the files other programs save, and the loader's care with memory.

The register is kept by the performance team and may be saved by Excel, openpyxl or
LibreOffice; whichever saved it, it must load to the same indicators and the same
fingerprint (the fingerprint is stamped into every template).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES, convert_with_libreoffice
from openpyxl import load_workbook

from kpi_excel.core.models import Register, TargetKind
from kpi_excel.core.problems import RegisterError
from kpi_excel.register.book import write_register
from kpi_excel.register.loader import (
    fingerprint,
    indicator_for_fingerprint,
    load_register,
    settings_for_fingerprint,
)

ROW = {
    "id": "A1",
    "section": "S",
    "service_area": "X",
    "name": "N",
    "polarity": "bigger",
    "unit": "percent",
    "annual_target": 80,
}


def _content(register: Register) -> tuple[list[dict], dict, str]:
    return (
        [indicator.model_dump() for indicator in register.indicators],
        register.settings.model_dump(),
        register.fingerprint,
    )


@pytest.fixture(scope="module")
def sample() -> Register:
    return load_register(SAMPLES / "register.xlsx")  # written by xlsxwriter


def test_a_register_saved_again_by_openpyxl_loads_the_same(tmp_path, sample):
    book = load_workbook(SAMPLES / "register.xlsx")
    book.save(tmp_path / "register.xlsx")
    assert _content(load_register(tmp_path / "register.xlsx")) == _content(sample)


def test_a_register_saved_again_by_libreoffice_loads_the_same(tmp_path, sample):
    source = tmp_path / "in" / "register.xlsx"
    source.parent.mkdir()
    shutil.copy(SAMPLES / "register.xlsx", source)
    saved = convert_with_libreoffice(source, tmp_path / "out")
    assert _content(load_register(saved)) == _content(sample)


def test_numbers_typed_in_text_columns_read_as_typed(tmp_path):
    """A cell saves 101 as the number 101.0; an id, due quarters or a yes/no typed as a
    number still mean "101", Q4 and yes."""
    path = write_register(tmp_path / "register.xlsx", [ROW])
    book = load_workbook(path)
    sheet = book["Indicators"]
    header = {cell.value: cell.column for cell in sheet[1]}
    for title, value in (("ID", 101), ("Due quarters", 4), ("Numerator and denominator", 1)):
        sheet.cell(2, header[title]).value = value
    book.save(path)
    [indicator] = load_register(path).indicators
    assert (indicator.id, indicator.due_quarters, indicator.uses_fraction) == ("101", (4,), True)


def test_a_percent_formatted_setting_is_read_as_saved(tmp_path):
    """Only the Indicators sheet reads a percent-formatted figure in points; a setting is
    read as saved (0.5 shown as 50% is 0.5)."""
    path = write_register(tmp_path / "register.xlsx", [ROW], {"same_threshold": 0.5})
    book = load_workbook(path)
    book["Settings"]["B6"].number_format = "0%"
    assert book["Settings"]["A6"].value == "Same if within"
    book.save(path)
    assert load_register(path).settings.same_threshold == 0.5


def test_blank_targets_are_shared_not_copied(tmp_path):
    rows = [{**ROW, "id": f"A{n}"} for n in range(3)]
    first, second, third = load_register(write_register(tmp_path / "r.xlsx", rows)).indicators
    assert first.quarter_targets[0].kind is TargetKind.DERIVE
    assert first.quarter_targets[0] is second.quarter_targets[3] is third.quarter_targets[1]
    assert first.annual_target is second.annual_target  # both 80


def test_the_fingerprint_is_the_hash_of_the_whole_registers_json(sample):
    """It is fed in one indicator at a time, but must stay what templates already carry."""
    content = {
        "indicators": [indicator_for_fingerprint(i) for i in sample.indicators],
        "settings": settings_for_fingerprint(sample.settings),
    }
    whole = hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8"))
    assert fingerprint(sample) == sample.fingerprint == whole.hexdigest()[:16]
    empty = Register(indicators=[], settings=sample.settings)
    text = json.dumps({"indicators": [], "settings": content["settings"]}, sort_keys=True)
    assert fingerprint(empty) == hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"%PDF-1.4 a pdf", "cannot be opened as an .xlsx workbook (the file is not an .xlsx "
         "workbook: it looks like a PDF document)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "(the file is in the old Excel "
         "97-2003 format (.xls), which kpi-excel does not read)"),
        (b"PK\x03\x04 broken", "cannot be opened as an .xlsx workbook (the workbook is damaged"),
    ],
    ids=["pdf", "xls", "damaged zip"],
)  # fmt: skip
def test_a_register_that_is_no_workbook_says_what_it_is(tmp_path, content, says):
    path = tmp_path / "register.xlsx"
    path.write_bytes(content)
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert says in caught.value.message
    assert [p.code for p in caught.value.problems] == ["file-corrupt"]


def test_a_macro_enabled_register_is_refused_with_how_to_save_it(tmp_path):
    path = tmp_path / "register.xlsm"
    with zipfile.ZipFile(SAMPLES / "register.xlsx") as source, zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"x").replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.x",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            out.writestr(item, data)
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert caught.value.message == (
        "The register register.xlsm cannot be opened as an .xlsx workbook (it is a "
        "macro-enabled workbook: save a copy as an Excel Workbook (.xlsx))."
    )
    assert "returns" not in caught.value.message


def test_a_folder_named_like_a_register_cannot_be_read(tmp_path):
    (tmp_path / "register.xlsx").mkdir()
    with pytest.raises(RegisterError, match="register.xlsx cannot be read: Is a directory"):
        load_register(tmp_path / "register.xlsx")


def test_a_register_bigger_than_a_return_may_be_loads(tmp_path: Path):
    """Returns are refused above 50 MB unzipped; a register of many thousands of indicators
    is kept by the team and may be bigger. (Scaled down: 3,000 rows with long descriptions.)"""
    noise = random.Random(6).randbytes(10_000).hex()  # text that does not compress 1000:1
    rows = [{**ROW, "id": f"A{n}", "description": f"{n} {noise}"} for n in range(3_000)]
    path = write_register(tmp_path / "register.xlsx", rows, spare_rows=0)
    with zipfile.ZipFile(path) as package:
        assert sum(info.file_size for info in package.infolist()) > 55 * 1024 * 1024
    register = load_register(path)
    assert len(register.indicators) == 3_000
    assert register.indicators[-1].description == f"2999 {noise}"


def test_loading_a_register_scans_its_cells_a_fixed_number_of_times(monkeypatch):
    """The size of the sheet is worked out once a load, not once a cell: asked once a cell,
    a register of 40,000 indicators took hours, not seconds (found by bench/run.py)."""
    from kpi_excel.xlsx.read import SheetData

    asked = []
    for name in ("max_row", "max_col"):
        real = getattr(SheetData, name)

        def counted(self, real=real, name=name):
            asked.append(name)
            return real.fget(self)

        monkeypatch.setattr(SheetData, name, property(counted))
    register = load_register(SAMPLES / "register.xlsx")
    assert len(register.indicators) == 34
    assert len(asked) <= 4, asked
