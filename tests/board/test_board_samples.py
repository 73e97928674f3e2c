"""The board workbook of the shipped samples, read back: what a councillor sees on each sheet."""

from __future__ import annotations

import csv
import re

import pytest
from conftest import (
    COLUMN,
    ROOT,
    SAMPLES,
    consolidate_samples,
    convert_with_libreoffice,
    copy_of_sample_returns,
    row_of,
)
from openpyxl import load_workbook

ARROW = {"up": "better", "down": "worse", "same": "same", "none": None}
SECTIONS = [
    "Towns and Communities",
    "Crime and Disorder",
    "Health",
    "Individuals",
    "Environment",
    "Children and Learning",
]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    out = tmp_path_factory.mktemp("board") / "board.xlsx"
    result = consolidate_samples(out)
    assert result.exit_code == 0, result.output
    return out


def expected_by_name():
    with (ROOT / "tests" / "data" / "havering-q1-2017-18-expected.csv").open(
        encoding="utf-8"
    ) as handle:
        return {row["indicator"]: row for row in csv.DictReader(handle)}


def section_rows(sheet):
    """(id, row number, cells) for each indicator row, found by the 'Ref' line of column A."""
    header = next(r for r in sheet.iter_rows(max_row=12) if any(c.value == "Rating" for c in r))
    rag_col = next(c.column for c in header if c.value == "Rating")
    rows = []
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        match = re.search(r"Ref (\w+)$", str(row[0].value or ""))
        if match:
            rows.append((match.group(1), row[0].row, rag_col, row))
    return rows


def test_each_section_sheet_has_every_rating_word_and_direction_word(board):
    workbook = load_workbook(board)
    expected = expected_by_name()
    register = {
        r.id: r
        for r in __import__("kpi_excel.register.loader", fromlist=["x"])
        .load_register(SAMPLES / "register.xlsx")
        .indicators
    }
    seen = 0
    for section in SECTIONS:
        sheet = workbook[section[:31]]
        for indicator_id, _, rag_col, row in section_rows(sheet):
            want = expected[register[indicator_id].name]
            rag = row[rag_col - 1].value
            if want["expect_rag"] == "none":
                assert rag not in ("GREEN", "AMBER", "RED"), indicator_id
            else:
                assert rag == want["expect_rag"], indicator_id
            short_word, long_word = row[rag_col + 1].value, row[rag_col + 4].value
            # a year-to-date figure against a whole year keeps its word, marked not like for like
            if str(short_word).endswith("*"):
                assert register[indicator_id].basis.value == "cumulative", indicator_id
                short_word = short_word[:-1]
            assert (short_word if short_word in ARROW.values() else None) == ARROW[
                want["expect_st"]
            ], indicator_id
            assert (long_word if long_word in ARROW.values() else None) == ARROW[
                want["expect_lt"]
            ], indicator_id
            seen += 1
    assert seen == 34


def test_rating_colours_are_conditional_rules_on_the_rating_word(board):
    workbook = load_workbook(board)
    for section in SECTIONS:
        sheet = workbook[section[:31]]
        rows = section_rows(sheet)
        rag_letter = sheet.cell(1, rows[0][2]).column_letter
        rules = [
            (str(rng.sqref), formula)
            for rng in sheet.conditional_formatting
            for rule in rng.rules
            for formula in (rule.formula or [])
        ]
        for word in ("GREEN", "AMBER", "RED"):
            covering = [
                sqref
                for sqref, formula in rules
                if f"${rag_letter}" in formula and f'"{word}"' in formula
            ]
            assert covering, (section, word)
        for _, row_number, _, _ in rows:
            cell = f"{rag_letter}{row_number}"
            assert any(_covers(sqref, cell) for sqref, _ in rules), (section, cell)
        # the rating colours are never static fills on the rating cells themselves
        for _, row_number, rag_col, _ in rows:
            assert sheet.cell(row_number, rag_col).fill.fgColor.rgb not in (
                "FFC6EFCE",
                "FFFFEB9C",
                "FFFFC7CE",
            )


def _covers(sqref: str, cell: str) -> bool:
    from openpyxl.worksheet.cell_range import CellRange

    return any(cell in CellRange(part) for part in sqref.split())


def test_summary_counts(board):
    sheet = load_workbook(board)["Summary"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert list(rows["All sub-committees"][:6]) == [34, 22, 7, 0, 15, 12]
    assert list(rows["Children and Learning"][:6]) == [16, 12, 3, 0, 9, 4]


def test_exceptions_list_every_red_indicator_worsening_first(board):
    workbook = load_workbook(board)
    ids = [
        m.group(1)
        for r in workbook["Exceptions"].iter_rows(values_only=True)
        for m in [re.search(r"Ref (\w+)$", str(r[0] or ""))]
        if m
    ]
    assert sorted(ids) == sorted(
        [
            "TC02",
            "TC04",
            "CD01",
            "CD02",
            "IN01",
            "EN02",
            "CL02",
            "CL03",
            "CL04",
            "CL05",
            "CL06",
            "CL07",
            "CL08",
            "CL09",
            "CL16",
        ]
    )
    assert ids[0] == "CL02"  # the only RED indicator worse on both terms


def test_a_comment_starting_with_equals_is_stored_as_text(tmp_path, fill):
    folder = copy_of_sample_returns(tmp_path / "returns")

    def as_text(workbook):
        # a comment that merely starts with "=": stored as text, as Excel does for '=...
        sheet = workbook["Return"]
        cell = sheet.cell(row_of(sheet, "EN01"), COLUMN["comment"])
        cell.value = '=HYPERLINK("http://x","click")'
        cell.data_type = "s"

    bad = fill("Environment", {"EN01": {"corrective_action": "+44 20 7946 0000"}}, edit=as_text)
    (folder / bad.name).write_bytes(bad.read_bytes())
    out = tmp_path / "board.xlsx"
    result = consolidate_samples(out, returns=folder, history=False)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    found = [
        c
        for sheet in workbook
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(("=HYPERLINK", "+44"))
    ]
    assert found and all(c.data_type == "s" and c.hyperlink is None for c in found)


def test_libreoffice_opens_and_recalculates_without_changing_a_rating(board, tmp_path):
    resaved = convert_with_libreoffice(board, tmp_path / "lo")
    before, after = load_workbook(board), load_workbook(resaved)
    assert after.sheetnames == before.sheetnames
    for section in [*SECTIONS, "Report", "Exceptions"]:
        old, new = before[section[:31]], after[section[:31]]
        for (_, row_number, rag_col, _), (_, row2, _, _) in zip(
            section_rows(old), section_rows(new), strict=True
        ):
            for col in range(rag_col, rag_col + 7):
                assert old.cell(row_number, col).value == new.cell(row2, col).value


def _consolidate_with_pdf(out):
    return consolidate_samples(out, "--pdf")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The samples' board pack, as consolidate --pdf writes it, and its text's boxes."""
    import shutil
    import subprocess

    from conftest import soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    out = tmp_path_factory.mktemp("pack")
    result = _consolidate_with_pdf(out / "board.xlsx")
    assert result.exit_code == 0, result.output
    pdf = out / "board.pdf"
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    boxes = out / "boxes.html"
    subprocess.run(["pdftotext", "-bbox-layout", pdf, boxes], check=True)
    return {k.strip(): v.strip() for k, v in fields.items()}, boxes.read_text(encoding="utf-8")


def _pages(boxes: str) -> list[list[tuple[float, str]]]:
    """Each page's words as (box height in points, word)."""
    word = re.compile(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        [(float(bottom) - float(top), text) for top, bottom, text in word.findall(page)]
        for page in boxes.split("<page ")[1:]
    ]


def test_the_pack_is_tagged_titled_and_no_longer_than_twelve_pages(pack):
    info, boxes = pack
    assert info["Tagged"] == "yes"
    assert info["Title"].endswith("O&S Board Performance Report: 2017/18 Q1")
    pages = _pages(boxes)
    assert len(pages) == int(info["Pages"]) <= 12
    text = [" ".join(word for _, word in page) for page in pages]
    # The front page, the Report, the exceptions and the trends; nothing for the screen only.
    assert "Key" in text[0] and "Top exceptions" in text[0]
    assert text[1].startswith("2017/18 Q1 performance report")
    assert any(page.startswith("Exceptions:") for page in text)
    assert text[-1].startswith("Trends:")
    assert not any("source_sha256" in page or "Data quality:" in page for page in text)


def test_the_pack_prints_its_text_at_nine_points_or_more(pack):
    _, boxes = pack
    pages = _pages(boxes)
    # Arial's word boxes are about 1.30 times the font size: 9 pt prints as 11.7 pt boxes.
    # Every page but the trend charts' (whose small charts LibreOffice draws at about 8 pt).
    for number, page in enumerate(pages[:-1], start=1):
        smallest = min(height for height, _ in page)
        assert smallest >= 11.5, (number, sorted(page)[:5])
    assert min(height for height, _ in pages[-1]) >= 10


def test_pdf_without_libreoffice_says_how_to_get_it(tmp_path, monkeypatch):
    import kpi_excel.api.run

    monkeypatch.setattr(kpi_excel.api.run, "find_soffice", lambda: None)
    result = _consolidate_with_pdf(tmp_path / "board.xlsx")
    assert result.exit_code == 0
    assert "LibreOffice is not installed" in result.output and "Export" in result.output
    assert (tmp_path / "board.xlsx").exists() and not (tmp_path / "board.pdf").exists()


def test_every_indicator_with_an_earlier_figure_has_a_trend_chart(board):
    import zipfile

    trend = load_workbook(board)["Trend data"]
    with_history = [
        row[0].value
        for row in trend.iter_rows(min_row=2)
        if sum(1 for cell in row[2:10] if isinstance(cell.value, int | float)) >= 2
    ]
    with zipfile.ZipFile(board) as archive:
        order = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        rels = f"xl/worksheets/_rels/sheet{order.index('Trends') + 1}.xml.rels"
        drawing = re.search(r"drawings/(drawing\d+\.xml)", archive.read(rels).decode()).group(1)
        alts = re.findall(r'descr="([^"]*)"', archive.read(f"xl/drawings/{drawing}").decode())
    charted = [re.search(r"\((\w+)\) by period", alt).group(1) for alt in alts]
    assert len(with_history) == 18 and charted == with_history


def test_the_front_page_says_why_indicators_are_not_rated(board):
    """A council counts "6 targetable KPIs" apart from those with no target, not due and with no
    figure: the front page says how many of each."""
    sentence = load_workbook(board)["Summary"]["A3"].value
    assert sentence == (
        "Of 22 rated indicators, 7 are GREEN, 0 AMBER and 15 RED; 12 of the 34 indicators are "
        "not rated (5 with no target, 2 not due, 5 with no figure)."
    )


def test_the_key_is_the_registers_own(tmp_path):
    """A council's key with a green band prints as that key, in its own names, on the board's
    Key, the front page, the web edition and the return template; never 'no amber band'."""
    from kpi_excel.board import write_board_workbook
    from kpi_excel.core.periods import Period
    from kpi_excel.history.files import History
    from kpi_excel.register.keys import parse_rag_key
    from kpi_excel.register.loader import load_register
    from kpi_excel.report.build import build_report
    from kpi_excel.returns.collect import collect_returns
    from kpi_excel.templates.build import write_return_templates
    from kpi_excel.web import render_html

    text = (
        'GREEN "On target or within 5%": within 5%; AMBER "5 to 10% short": within 10%; '
        'RED "More than 10% short": otherwise'
    )
    register = load_register(SAMPLES / "register.xlsx")
    keyed = register.model_copy(
        update={"settings": register.settings.model_copy(update={"rag_key": parse_rag_key(text)})}
    )
    period = Period.parse("2017/18 Q1")
    collected = collect_returns([SAMPLES / "returns"], keyed, period)
    report = build_report(keyed, period, collected, History())
    book = load_workbook(write_board_workbook(report, tmp_path / "board.xlsx"))
    key_text = " ".join(str(c.value) for row in book["Key"].iter_rows() for c in row if c.value)
    front = " ".join(str(c.value) for row in book["Summary"].iter_rows() for c in row if c.value)
    page = render_html(report)
    for shown in (key_text, front, page):
        assert "5 to 10% short: within 10% of the target" in shown
        assert "no amber band" not in shown.lower()
    assert "The register's RAG key decides" in key_text
    [template, *_] = write_return_templates(keyed, period, tmp_path / "to-send")
    legend = " ".join(
        str(c.value)
        for row in load_workbook(template)["Return"].iter_rows(max_row=8)
        for c in row
        if c.value
    )
    assert "AMBER 5 to 10% short: within 10% of the target" in legend
