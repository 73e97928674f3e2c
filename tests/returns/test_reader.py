"""The reader on real files: saved by openpyxl, xlsxwriter and LibreOffice, good and bad."""

from __future__ import annotations

import pytest
import xlsxwriter
from conftest import COLUMN, Q1, SAMPLES, convert_with_libreoffice, copy_of_sample_returns, row_of

from kpi_excel.core.models import Status
from kpi_excel.core.periods import Period
from kpi_excel.core.return_spec import (
    FIELDS,
    HEADER_ROW,
    META_SHEET,
    RETURN_SHEET,
    TEMPLATE_VERSION,
)
from kpi_excel.returns.collect import collect_returns
from kpi_excel.returns.reader import read_return

CHILDREN = "Children's Services"


def codes(result):
    return [(p.code, p.cell, p.indicator_id) for p in result.problems]


def test_the_sample_returns_read_cleanly(register):
    collected = collect_returns([SAMPLES / "returns"], register, Q1)
    assert collected.error_count == 0
    assert len(collected.records) == 34
    assert collected.records["TC02"].value == 83
    assert collected.records["EN01"].value == pytest.approx(0.8)
    assert collected.records["EN02"].provisional is True
    assert collected.records["CD01"].average is True
    assert collected.records["CL01"].status is Status.NOT_AVAILABLE
    assert collected.records["CL14"].status is Status.NOT_DUE
    assert "Corrective" not in collected.records["CL02"].corrective_action
    assert collected.records["CL02"].corrective_action.startswith("The Leaving Care Service")
    source = collected.records["TC02"].source
    assert source.sheet == RETURN_SHEET and source.cell.startswith("H") and len(source.sha256) == 64


def test_text_in_a_number_cell_is_an_error_with_its_cell_and_the_rest_still_reads(
    register, fill, tmp_path
):
    bad = fill(CHILDREN, {"CL02": {"value": "about 60"}})
    result = read_return(bad, register, Q1)
    [found] = [p for p in result.problems if p.severity.value == "error"]
    assert (found.code, found.file, found.sheet, found.indicator_id) == (
        "value-not-number",
        bad.name,
        RETURN_SHEET,
        "CL02",
    )
    assert found.cell.startswith("H")
    assert "about 60" in found.message and found.fix
    assert "CL02" not in result.records and "CL03" in result.records
    assert "CL02" in result.rejected_ids


@pytest.mark.parametrize(
    ("typed", "number_format", "expected", "code"),
    [
        (95, None, 95.0, None),  # typed as 95 into the template's cell
        ("95%", None, 95.0, None),  # text with a percent sign
        ("95 %", None, 95.0, None),
        (0.95, "0%", 95.0, None),  # a cell formatted as a percentage
        (0.95, "General", 95.0, "value-percent-scale"),  # a fraction pasted in: read, but queried
        ("95", None, 95.0, "value-text-number"),
        ("0.93", None, 93.0, "value-percent-scale"),  # the same rule for text as for numbers
        (0.57 + 0.36, "General", 93.0, "value-percent-scale"),  # 93.0, not 93.00000000000001
        (95, "0%", None, "value-percent-out-of-range"),  # shows 9500%
    ],
)
def test_percentages_arrive_in_many_forms(register, fill, typed, number_format, expected, code):
    def edit(workbook):
        if number_format:
            sheet = workbook[RETURN_SHEET]
            sheet.cell(row_of(sheet, "CL10"), COLUMN["value"]).number_format = number_format

    path = fill(CHILDREN, {"CL10": {"value": typed}}, edit=edit)
    result = read_return(path, register, Q1)
    found = [p.code for p in result.problems if p.indicator_id == "CL10"]
    assert found == ([code] if code else [])
    record = result.records.get("CL10")
    assert (record.value if record else None) == expected


def test_a_return_for_another_period_is_refused(register, tmp_path):
    from kpi_excel.api.run import make_templates

    [path] = [
        p
        for p in make_templates(SAMPLES / "register.xlsx", Period.parse("2017/18 Q2"), tmp_path)
        if "environment" in p.name
    ]
    result = read_return(path, register, Q1)
    assert [p.code for p in result.problems] == ["template-wrong-period"]
    assert "2017/18 Q2" in result.problems[0].message
    assert not result.records


def test_a_return_from_an_unknown_service_area_is_refused(register, fill):
    def edit(workbook):
        meta = workbook[META_SHEET]
        for row in meta.iter_rows():
            if row[0].value == "service_area":
                row[1].value = "Parks"

    path = fill("Environment", edit=edit)
    result = read_return(path, register, Q1)
    assert [p.code for p in result.problems] == ["template-unknown-service"]
    assert "Parks" in result.problems[0].message


def test_a_missing_return_is_reported_and_the_rest_consolidates(register, tmp_path):
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in (SAMPLES / "returns").iterdir():
        if "public-health" not in path.name:
            (folder / path.name).write_bytes(path.read_bytes())
    collected = collect_returns([folder], register, Q1)
    missing = [p for p in collected.problems if p.code == "return-missing"]
    assert [p.message for p in missing] == ["No return has been received from 'Public Health'."]
    assert len(collected.records) == 30
    assert not any(i.startswith("HE") for i in collected.records)


def test_not_a_workbook_does_not_stop_the_others(register, tmp_path):
    folder = copy_of_sample_returns(tmp_path / "returns")
    (folder / "notes.xlsx").write_text("id,value\nCL02,60\n", encoding="utf-8")
    collected = collect_returns([folder], register, Q1)
    [bad] = [f for f in collected.files if f.path.name == "notes.xlsx"]
    assert not bad.readable and bad.problems[0].code == "file-not-xlsx"
    assert len(collected.records) == 34


def test_inputs_are_never_modified(register):
    paths = sorted((SAMPLES / "returns").iterdir())
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    collect_returns([SAMPLES / "returns"], register, Q1)
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def _records(result):
    return {
        k: (r.status, r.value, r.provisional, r.average, r.comment, r.corrective_action)
        for k, r in result.records.items()
    }


def test_a_return_saved_by_libreoffice_reads_the_same(register, tmp_path):
    original = SAMPLES / "returns" / "2017-18-Q1-childrens-services.xlsx"
    resaved = convert_with_libreoffice(original, tmp_path / "lo")
    first, second = read_return(original, register, Q1), read_return(resaved, register, Q1)
    assert second.problems == [] or all(p.severity.value == "warning" for p in second.problems)
    assert _records(second) == _records(first)
    assert len(second.records) == 16


def test_a_return_written_by_xlsxwriter_reads(register, tmp_path):
    """Another program's workbook with the same layout, formats and metadata reads the same."""
    path = tmp_path / "xlsxwriter-return.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(RETURN_SHEET)
    percent = workbook.add_format({"num_format": "0%"})
    for col, field in enumerate(FIELDS):
        sheet.write_string(HEADER_ROW - 1, col, field.header)
    rows = {"IN01": (0.333, "available", percent), "IN02": ("108.1", "available", None)}
    for offset, (indicator_id, (value, status, fmt)) in enumerate(rows.items()):
        row = HEADER_ROW + offset
        sheet.write_string(row, COLUMN["id"] - 1, indicator_id)
        sheet.write(row, COLUMN["value"] - 1, value, fmt)
        sheet.write_string(row, COLUMN["status"] - 1, status)
        sheet.write_string(row, COLUMN["comment"] - 1, "Typed in another program")
        sheet.write_string(row, COLUMN["corrective_action"] - 1, "A plan is in place")
    meta = workbook.add_worksheet(META_SHEET)
    meta.very_hidden()
    for row, (key, value) in enumerate(
        {
            "template_version": TEMPLATE_VERSION,
            "period": "2017/18 Q1",
            "service_area": "Adult Social Care",
            "indicator_ids": "IN01,IN02",
        }.items()
    ):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    workbook.close()
    result = read_return(path, register, Q1)
    assert result.records["IN01"].value == pytest.approx(33.3)
    assert result.records["IN02"].value == pytest.approx(108.1)
    assert [p.code for p in result.problems] == ["value-text-number"]


def test_status_and_value_must_agree(register, fill):
    path = fill(
        CHILDREN,
        {
            "CL02": {"value": None, "status": "available"},
            "CL03": {"value": 55, "status": "not available"},
            "CL04": {"value": "N/A"},
        },
    )
    result = read_return(path, register, Q1)
    found = {(p.code, p.indicator_id) for p in result.problems}
    assert ("value-blank", "CL02") in found
    assert ("value-with-na-status", "CL03") in found
    assert result.records["CL03"].status is Status.NOT_AVAILABLE
    assert result.records["CL04"].status is Status.NOT_AVAILABLE


def test_rows_are_found_by_id_not_position(register, fill):
    def swap(workbook):
        sheet = workbook[RETURN_SHEET]
        a, b = row_of(sheet, "CL02"), row_of(sheet, "CL03")
        for col in range(1, len(FIELDS) + 1):
            first, second = sheet.cell(a, col), sheet.cell(b, col)
            first.value, second.value = second.value, first.value

    path = fill(CHILDREN, edit=swap)
    result = read_return(path, register, Q1)
    assert result.records["CL02"].value == pytest.approx(60.9)
    assert result.records["CL03"].value == 60
    assert [(p.code, p.indicator_id) for p in result.problems] == [
        ("row-moved", "CL03"),
    ]


def test_a_file_the_reader_fails_to_foresee_is_a_problem_not_a_crash(register, tmp_path):
    """A styles part with numFmtId="1.0" once escaped as a ValueError and stopped the run."""
    import zipfile

    source = SAMPLES / "returns" / "2017-18-Q1-environment.xlsx"
    target = tmp_path / "odd-styles.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = data.replace(b'numFmtId="0"', b'numFmtId="1.0"')
            new.writestr(item, data)
    result = read_return(target, register, Q1)
    assert [p.code for p in result.problems] == ["file-corrupt"]
    assert not result.records


def test_counts_and_a_figure_agree_when_they_show_the_same(register, fill):
    """83% and 33/40 (82.5%, shown 83%) agree; 84% does not, and the message shows 83%."""
    agree = read_return(
        fill(CHILDREN, {"CL03": {"value": 83, "numerator": 33, "denominator": 40}}), register, Q1
    )
    assert [p.code for p in agree.problems if p.indicator_id == "CL03"] == []
    assert agree.records["CL03"].value == pytest.approx(82.5)
    differ = read_return(
        fill(
            CHILDREN,
            {"CL03": {"value": 84, "numerator": 33, "denominator": 40}},
            name="differ.xlsx",
        ),
        register,
        Q1,
    )
    [found] = [p for p in differ.problems if p.indicator_id == "CL03"]
    assert found.code == "fraction-disagrees" and "33 / 40 = 83%" in found.message


def test_the_workbooks_own_saved_date_is_read(register):
    """The samples carry their officers' 2017 saved dates (docProps/core.xml), which copies
    and checkouts keep, unlike file times; the late one is Environment's."""
    saved = {
        p.name: read_return(p, register, Q1).saved_at.date().isoformat()
        for p in sorted((SAMPLES / "returns").iterdir())
    }
    assert saved["2017-18-Q1-environment.xlsx"] == "2017-07-24"
    assert {d for n, d in saved.items() if "environment" not in n} == {"2017-07-14"}


def test_each_figure_is_rated_once_by_the_rules(register, monkeypatch, tmp_path):
    """The reader reports what it read; the report rates each indicator once, and the missing
    comments and actions come from that one rating (the sample's CL07 and CL16 are RED with no
    corrective action, as in the example report)."""
    import kpi_excel.report.build as build
    from kpi_excel import consolidate_returns, validate_returns

    rated = []
    real = build.rate

    def counted(indicator, *args, **kwargs):
        rated.append(indicator.id)
        return real(indicator, *args, **kwargs)

    monkeypatch.setattr(build, "rate", counted)
    outcome = consolidate_returns(
        SAMPLES / "register.xlsx", [SAMPLES / "returns"], Q1, tmp_path / "board.xlsx"
    )
    assert sorted(rated) == sorted(i.id for i in register.indicators)
    found = {(p.code, p.indicator_id) for p in outcome.problems}
    assert {("action-missing", "CL07"), ("action-missing", "CL16")} <= found
    rows = {row.indicator.id: row for row in outcome.report.rows}
    assert rows["CL07"].missing_commentary == ["corrective action"]
    rated.clear()
    checked = validate_returns(SAMPLES / "register.xlsx", [SAMPLES / "returns"], Q1)
    assert sorted(rated) == sorted(i.id for i in register.indicators)
    assert {p.code for p in checked.problems} == {p.code for p in outcome.problems}


def test_the_header_is_found_wherever_its_cells_are_stored():
    """The header search looks at the cells present, row by row and column by column, however
    they were stored: a header row above the real one that lacks ID or Figure is passed over."""
    from kpi_excel.core.return_spec import column_letter
    from kpi_excel.returns.reader import _find_header
    from kpi_excel.xlsx.read import RawCell, SheetData

    def text(row, col, value):
        return RawCell(f"{column_letter(col - 1)}{row}", row, col, "text", value, None, "General")

    cells = [
        text(3, 2, "Figure"),  # a lone heading: not the header row
        text(9, 5, "  figure "),
        text(9, 1, "ID"),
        text(9, 7, "Figure"),  # the first Figure column wins
        text(9, 61, "Comment"),  # past the columns searched
        text(31, 1, "ID"),
    ]
    for order in (cells, cells[::-1]):
        sheet = SheetData(cells={(c.row, c.col): c for c in order}, merged=[])
        assert _find_header(sheet) == (9, {"value": 5, "id": 1})
    assert _find_header(SheetData(cells={}, merged=[])) == (0, {})


def _read_whole(register, path, monkeypatch, **options):
    """read_return with every column of the return sheet read, as before columns were skipped."""
    import kpi_excel.returns.reader as reader

    with monkeypatch.context() as patch:
        patch.setattr(reader, "_read_enough", lambda header: False)
        return read_return(path, register, Q1, **options)


@pytest.mark.parametrize(
    ("edit", "comment_column"),
    [
        (lambda sheet: sheet.insert_cols(COLUMN["value"]), "Q"),  # the inputs move right
        (lambda sheet: sheet.insert_rows(1), "P"),  # the header moves down a row
    ],
    ids=["column-inserted", "row-inserted-above-the-header"],
)
def test_a_return_laid_out_otherwise_is_read_again_whole(
    register, fill, monkeypatch, edit, comment_column
):
    """Below the template's header row only its ID and input columns are read; a return whose
    header or inputs have moved is read again whole, and gives what reading it whole gave."""
    from kpi_excel.xlsx.read import XlsxBook

    path = fill(
        CHILDREN,
        {"CL02": {"comment": "Moved along"}},
        edit=lambda workbook: edit(workbook[RETURN_SHEET]),
    )
    reads = []
    real = XlsxBook.read_sheet

    def spy(book, name, **options):
        reads.append((name, options.get("columns") is not None))
        return real(book, name, **options)

    monkeypatch.setattr(XlsxBook, "read_sheet", spy)
    found = read_return(path, register, Q1)
    assert reads[-2:] == [(RETURN_SHEET, True), (RETURN_SHEET, False)]
    assert found == _read_whole(register, path, monkeypatch)
    assert found.records["CL02"].comment == "Moved along"
    assert found.cells["CL02"]["comment"] == f"{comment_column}{row_of_id(found, 'CL02')}"


def test_a_return_as_the_template_made_it_is_read_once(register, monkeypatch):
    from kpi_excel.xlsx.read import XlsxBook

    reads = []
    real = XlsxBook.read_sheet

    def spy(book, name, **options):
        reads.append((name, options.get("columns") is not None))
        return real(book, name, **options)

    monkeypatch.setattr(XlsxBook, "read_sheet", spy)
    read_return(SAMPLES / "returns" / "2017-18-Q1-childrens-services.xlsx", register, Q1)
    assert [read for read in reads if read[0] == RETURN_SHEET] == [(RETURN_SHEET, True)]


def row_of_id(result, indicator_id):
    return int(result.cells[indicator_id]["id"][1:])


def test_the_bad_input_catalogue_reads_the_same_as_reading_every_column(
    bad_input_files, monkeypatch
):
    from fixtures_bad import CASES, bad_inputs_register

    register = bad_inputs_register()
    for case in CASES:
        path = bad_input_files[case.name]
        options = {"previous_comments": case.previous_comments} if case.previous_comments else {}
        assert read_return(path, register, Q1, **options) == _read_whole(
            register, path, monkeypatch, **options
        ), case.name


def test_closing_a_period_resolves_each_target_once(register, monkeypatch, tmp_path):
    """close records the targets the report resolved, rather than resolving them again."""
    import kpi_excel.core.targets as targets
    import kpi_excel.report.build as build
    from kpi_excel import api
    from kpi_excel.history.store import Store

    resolved = []
    real = targets.resolve_target

    def counted(indicator, *args, **kwargs):
        resolved.append(indicator.id)
        return real(indicator, *args, **kwargs)

    import kpi_excel.api.history as history

    monkeypatch.setattr(build, "resolve_target", counted)
    # wherever the close command might take it from
    monkeypatch.setattr(history, "resolve_target", counted, raising=False)
    store = tmp_path / "history.sqlite"
    api.close(SAMPLES / "register.xlsx", [SAMPLES / "returns"], Q1, store=store)
    assert sorted(resolved) == sorted(i.id for i in register.indicators)
    with Store(store) as opened:
        held = {t.indicator_id: t for t in opened.targets()}
    # every indicator's target in force, as the register gives it for the quarter
    assert {i: t.target for i, t in held.items()} == {
        i.id: real(i, Q1).target for i in register.indicators
    }
