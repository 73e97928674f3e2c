"""A missing or renamed Settings sheet is a register problem, not silent defaults."""

from __future__ import annotations

import pytest

from kpi_excel.core.problems import RegisterError
from kpi_excel.register.book import write_register
from kpi_excel.register.loader import load_register

ROW = {"id": "A1", "section": "S", "service_area": "X", "name": "N", "polarity": "bigger",
       "unit": "percent", "annual_target": 80}  # fmt: skip


@pytest.mark.parametrize("renamed", [None, "Settings 2017-18"])
def test_a_missing_or_renamed_settings_sheet_is_a_register_problem(tmp_path, renamed) -> None:
    from openpyxl import load_workbook

    path = write_register(tmp_path / "register.xlsx", [ROW])
    workbook = load_workbook(path)
    if renamed is None:
        del workbook["Settings"]
    else:
        workbook["Settings"].title = renamed
    workbook.save(path)
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    [found] = caught.value.problems
    assert (found.code, found.sheet) == ("settings-missing", "Settings")
    assert renamed is None or renamed in found.message
