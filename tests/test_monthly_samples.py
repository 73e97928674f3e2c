"""The invented monthly samples, end to end: `consolidate --period "2019/20 M06"` shows each
SPC icon beside RAG and arrows that compare with the month before and the month a year ago."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import ROOT, convert_with_libreoffice
from openpyxl import load_workbook

from kpi_excel.cli.app import main

MONTHLY = ROOT / "samples" / "monthly"
EXPECTED = {
    "M01": ("improvement", "pass"),
    "M02": ("concern", "hit_or_miss"),
    "M03": ("improvement", "fail"),
    "M04": ("neither_high", None),
    "M05": ("neither_low", None),
    "M06": ("common_cause", "hit_or_miss"),
    "M07": ("concern", "fail"),
    "M08": (None, None),
}


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    out = tmp_path_factory.mktemp("monthly")
    args = [
        "consolidate",
        str(MONTHLY / "register.xlsx"),
        str(MONTHLY / "returns"),
        "--period",
        "Sep-19",
        "--history",
        str(MONTHLY / "history.csv"),
        "--out",
        str(out / "monthly.xlsx"),
        "--json",
        str(out / "monthly.json"),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def test_every_icon_is_shown(monthly):
    data = json.loads((monthly / "monthly.json").read_text(encoding="utf-8"))
    assert data["period"] == "2019/20 M06"
    found = {i["id"]: (i["spc"]["variation"], i["spc"]["assurance"]) for i in data["indicators"]}
    assert found == EXPECTED
    assert all(len(i["spc"]["points"]) >= 24 for i in data["indicators"] if i["id"] != "M08")


def test_arrows_compare_with_the_month_before_and_a_year_ago(monthly):
    data = json.loads((monthly / "monthly.json").read_text(encoding="utf-8"))
    first = data["indicators"][0]
    assert first["short_term_compared_with"]["period"] == "2019/20 M05"
    assert first["long_term_compared_with"]["period"] == "2018/19 M06"


def test_the_board_has_the_spc_sheet(monthly):
    book = load_workbook(monthly / "monthly.xlsx")
    assert "SPC" in book.sheetnames
    texts = {c.value for row in book["SPC"].iter_rows() for c in row if c.value}
    assert {"H Improvement (high)", "L Improvement (low)", "F Target consistently missed"} <= texts


def test_libreoffice_prints_the_icons_in_words(monthly, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    pdf = convert_with_libreoffice(monthly / "monthly.xlsx", tmp_path / "pdf", to="pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for words in ("H Concern (high)", "P Target consistently met", "? Hit and miss"):
        assert words in text
