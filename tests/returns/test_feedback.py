"""Feedback copies: every problem cell marked with a fill and a note, a list on a first sheet,
and the officer's original left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import collect_and_rate
from fixtures_bad import CASES, CHILDREN, Q1, SAMPLES, Returns, bad_inputs_register
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from kpi_excel.core.return_spec import column_of
from kpi_excel.returns.feedback import (
    ERROR_FILL,
    FEEDBACK_SHEET,
    WARNING_FILL,
    feedback_path,
    write_feedback,
)
from kpi_excel.returns.reader import read_return
from kpi_excel.xlsx.styles import INPUT_FILL

REGISTER = bad_inputs_register()


@pytest.fixture
def returns(tmp_path: Path, blank_templates: dict[str, Path]) -> Returns:
    folder = tmp_path / "built"
    folder.mkdir()
    return Returns(folder, blank_templates)


def _case(name: str):
    return next(case for case in CASES if case.name == name)


@pytest.fixture
def folder(tmp_path: Path, returns: Returns) -> Path:
    """Children's with an error and a warning; Environment clean; a CSV; a superseded file."""
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(SAMPLES / "returns" / "2017-18-Q1-community-safety.xlsx", folder)  # older
    returns.filled(
        "childrens.xlsx",
        CHILDREN,
        {"CL02": {"value": "about 60"}, "CL07": {"comment": None}, "CL04": {"status": "done"}},
    ).rename(folder / "childrens.xlsx")
    returns.filled("environment.xlsx", "Environment").rename(folder / "environment.xlsx")
    returns.filled("community-safety-resent.xlsx", "Community Safety").rename(
        folder / "community-safety-resent.xlsx"
    )
    _case("csv_renamed_xlsx").build(returns).rename(folder / "notes.xlsx")
    return folder


def test_each_return_with_problems_gets_a_marked_up_copy(folder: Path) -> None:
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    collected = collect_and_rate([folder], REGISTER, Q1)
    done = write_feedback(collected, folder.parent / "feedback")
    written = sorted(f.written.name for f in done if f.written)
    assert written == ["childrens-feedback.xlsx"]
    # No copy for the file that is not a workbook, and none for the superseded return (whose
    # only problems are the sample's): the CSV's officer hears from the chase list.
    skipped = {f.source.name: f.note for f in done if f.written is None}
    assert list(skipped) == ["notes.xlsx"]
    assert skipped["notes.xlsx"].startswith("it cannot be opened (The file is not an .xlsx")
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert {name: after[name] for name in before} == before  # originals byte for byte


def test_every_problem_cell_is_filled_and_has_its_message_as_a_note(
    folder: Path,
) -> None:
    collected = collect_and_rate([folder], REGISTER, Q1)
    [result] = [f for f in collected.files if f.path.name == "childrens.xlsx"]
    write_feedback(collected, folder.parent / "feedback")
    copy = load_workbook(folder.parent / "feedback" / "childrens-feedback.xlsx")
    sheet = copy["Return"]
    expected = {
        ("H10", "value-not-number", ERROR_FILL),
        ("K12", "status-unknown", ERROR_FILL),
        ("P15", "comment-missing", WARNING_FILL),
    }
    assert {(p.cell, p.code) for p in result.problems} == {(c, k) for c, k, _ in expected}
    for ref, _, fill in expected:
        item = next(p for p in result.problems if p.cell == ref)
        cell = sheet[ref]
        assert cell.fill.fgColor.rgb.endswith(fill.fgColor.rgb[-6:]), ref
        assert item.message in cell.comment.text and item.fix in cell.comment.text
        # Outlined too, so an error and a warning differ on a black-and-white printout.
        assert cell.border.left.style == ("thick" if fill is ERROR_FILL else "mediumDashed")
    unmarked = sheet["H11"]
    assert unmarked.comment is None and unmarked.border.left.style != "thick"
    # The explanation is also written beside the figures, in the row's Check cell.
    check = sheet[f"{column_of('live_check')}10"].value
    assert check.startswith("Error: 'about 60' is not a number. Fix: Type the figure")
    assert sheet.column_dimensions[column_of("live_check")].width >= 40


def test_the_highlights_differ_from_the_input_fill_and_each_other_in_grey() -> None:
    def grey(fill) -> float:
        red, green, blue = (int(fill.fgColor.rgb[-6:][i : i + 2], 16) for i in (0, 2, 4))
        return 0.299 * red + 0.587 * green + 0.114 * blue

    input_fill = PatternFill("solid", fgColor=INPUT_FILL.lstrip("#"))
    levels = sorted([grey(input_fill), grey(WARNING_FILL), grey(ERROR_FILL)], reverse=True)
    assert levels == [grey(input_fill), grey(WARNING_FILL), grey(ERROR_FILL)]
    assert min(a - b for a, b in zip(levels, levels[1:], strict=False)) >= 30


def test_links_reach_sheets_whose_names_hold_an_apostrophe(
    returns: Returns, tmp_path: Path
) -> None:
    def rename(workbook) -> None:
        workbook["Return"].title = "Children's Q1"

    path = returns.filled("renamed.xlsx", CHILDREN, {"CL02": {"value": "about 60"}}, edit=rename)
    collected = collect_and_rate([path], REGISTER, Q1)
    [done] = write_feedback(collected, tmp_path / "feedback")
    listed = load_workbook(done.written)[FEEDBACK_SHEET]
    links = [c.hyperlink.location for c in listed["C"] if c.hyperlink is not None]
    assert "'Children''s Q1'!H10" in links
    # The fonts are set: nothing falls back to a serif face.
    assert {c.font.name for row in listed.iter_rows(min_row=4) for c in row if c.value} == {"Arial"}


def test_the_first_sheet_lists_every_problem_with_a_link_to_its_cell(folder: Path) -> None:
    collected = collect_and_rate([folder], REGISTER, Q1)
    [result] = [f for f in collected.files if f.path.name == "childrens.xlsx"]
    write_feedback(collected, folder.parent / "feedback")
    copy = load_workbook(folder.parent / "feedback" / "childrens-feedback.xlsx")
    assert copy.sheetnames[0] == FEEDBACK_SHEET and copy.active.title == FEEDBACK_SHEET
    assert [ws.sheet_view.tabSelected for ws in copy.worksheets].count(True) == 1
    listed = [
        [c.value for c in row]
        for row in copy[FEEDBACK_SHEET].iter_rows(min_row=5)
        if row[0].value is not None
    ]
    assert sorted(listed) == sorted(
        [
            "Error" if p.severity.value == "error" else "Warning",
            p.sheet,
            p.cell,
            p.indicator_id,
            p.message,
            p.fix,
        ]
        for p in result.problems
    )
    assert copy[FEEDBACK_SHEET]["C5"].hyperlink.location == "'Return'!H10"
    # The rest of the template is kept: hidden details, protection, validation.
    assert copy["kpi_meta"].sheet_state == "veryHidden"
    assert copy["Return"].protection.sheet
    assert copy["Return"].data_validations.dataValidation


def test_the_copy_is_still_a_return_the_officer_can_fix_and_send_back(folder: Path) -> None:
    collected = collect_and_rate([folder], REGISTER, Q1)
    write_feedback(collected, folder.parent / "feedback")
    copy = folder.parent / "feedback" / "childrens-feedback.xlsx"
    original = read_return(folder / "childrens.xlsx", REGISTER, Q1)
    workbook = load_workbook(copy)
    workbook.properties.lastModifiedBy = "An Officer"  # as Excel does when she saves it
    workbook.save(copy)
    again = read_return(copy, REGISTER, Q1)
    assert [(p.code, p.cell) for p in again.problems] == [
        (p.code, p.cell) for p in original.problems
    ]
    workbook["Return"]["H10"] = 60.9
    workbook["Return"]["K12"] = "available"
    workbook["Return"]["P15"] = "In-house placements are being recruited."
    workbook.save(copy)
    assert read_return(copy, REGISTER, Q1).problems == []


def test_no_copy_is_written_where_returns_are_read(folder: Path) -> None:
    """A copy beside its return would be read as a return next time, and might win as newer."""
    before = sorted(p.name for p in folder.iterdir())
    done = write_feedback(collect_and_rate([folder], REGISTER, Q1))
    assert all(f.written is None for f in done)
    assert any("where returns are read" in f.note for f in done)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_an_unedited_copy_is_known_as_kpi_excels_own_and_not_read(
    folder: Path, tmp_path: Path
) -> None:
    write_feedback(collect_and_rate([folder], REGISTER, Q1), tmp_path / "feedback")
    again = read_return(tmp_path / "feedback" / "childrens-feedback.xlsx", REGISTER, Q1)
    assert [p.code for p in again.problems] == ["file-kpi-excel-output"]
    assert not again.readable


def test_a_problem_in_merged_cells_is_noted_on_the_top_left_cell(
    returns: Returns, tmp_path: Path
) -> None:
    path = _case("merged_cells_in_input_area").build(returns)
    collected = collect_and_rate([path], REGISTER, Q1)
    [done] = write_feedback(collected, tmp_path / "feedback")
    sheet = load_workbook(done.written)["Return"]
    note = sheet["P10"].comment.text
    assert note.startswith("Merged cells: Cells P10:Q10 are merged in the input area.")


def test_a_copy_never_replaces_a_return(returns: Returns, tmp_path: Path) -> None:
    """A return that happens to be named like a feedback copy is left alone."""
    folder = tmp_path / "returns"
    folder.mkdir()
    bad = returns.filled("x.xlsx", values={"CL02": {"value": "about 60"}})
    shutil.copy(bad, folder / "x.xlsx")
    shutil.copy(SAMPLES / "returns" / "2017-18-Q1-environment.xlsx", folder / "x-feedback.xlsx")
    before = (folder / "x-feedback.xlsx").read_bytes()
    done = write_feedback(collect_and_rate([folder], REGISTER, Q1))
    [x] = [f for f in done if f.source.name == "x.xlsx"]
    assert x.written is None and "is a return itself" in x.note
    assert (folder / "x-feedback.xlsx").read_bytes() == before
    assert feedback_path(folder / "x.xlsx", tmp_path / "out") == tmp_path / "out/x-feedback.xlsx"


def test_validate_writes_feedback_copies_into_a_folder(folder: Path, tmp_path: Path) -> None:
    from kpi_excel.cli.app import main

    out = tmp_path / "feedback"
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(folder), "--period", "2017/18 Q1",
         "--feedback", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["childrens-feedback.xlsx"]
    assert f"Wrote {out / 'childrens-feedback.xlsx'}" in result.output
    assert "No feedback copy of notes.xlsx: it cannot be opened" in result.output


def test_feedback_copies_are_not_written_into_the_returns_folder(folder: Path) -> None:
    from kpi_excel.cli.app import main

    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "register.xlsx"), str(folder), "--period", "2017/18 Q1",
         "--feedback", str(folder)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "folder of its own" in result.output
    assert not list(folder.glob("*-feedback.xlsx"))
