"""The catalogue of bad inputs: every way a return goes wrong, and what the officer is told.

Each case in fixtures_bad.CASES builds one file showing one failure. For each, the whole list
of problems the reader gives is asserted, as (code, file, sheet, cell); nothing raises; and
dropped into a folder of good returns, the file stops none of them.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_bad import CASES, CHILDREN, Q1, SAMPLES, Case, Returns, bad_inputs_register

from kpi_excel.core.models import ReturnOutcome
from kpi_excel.core.problems import CATALOGUE, Audience
from kpi_excel.history.files import History
from kpi_excel.report.build import build_report
from kpi_excel.returns.collect import collect_returns
from kpi_excel.returns.reader import ReturnFile, read_return

REGISTER = bad_inputs_register()
IDS = [case.name for case in CASES]


@pytest.fixture
def returns(tmp_path: Path, blank_templates: dict[str, Path]) -> Returns:
    folder = tmp_path / "built"
    folder.mkdir()
    return Returns(folder, blank_templates)


def test_the_catalogue_has_at_least_forty_distinct_cases() -> None:
    assert len(set(IDS)) == len(IDS) >= 40


def test_the_clean_baseline_has_no_problems(returns: Returns) -> None:
    """Each case adds one failure to a clean return, so its list is exactly its own."""
    for area in ("Children's Services", "Environment", "Community Safety"):
        path = returns.filled(f"clean-{area}.xlsx", area)
        assert read_return(path, REGISTER, Q1).problems == []


def validated(path: Path, case: Case) -> ReturnFile:
    """One return read and its figures rated, as validate does: the reader's problems and those
    the ratings call for (a missing comment on a RED figure)."""
    collected = collect_returns([path], REGISTER, Q1, previous_comments=case.previous_comments)
    build_report(REGISTER, Q1, collected, History())
    return collected.files[0]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_bad_input_gives_its_own_problems(bad_input_files: dict, case: Case) -> None:
    path = bad_input_files[case.name]
    result = validated(path, case)
    found = [(p.code, p.sheet, p.cell) for p in result.problems]
    assert Counter(found) == Counter(case.expected)
    for item in result.problems:
        assert item.file == path.name
        assert item.code in CATALOGUE
        assert item.message and "{" not in item.message and item.fix
    if case.area is not None and result.readable:
        assert result.service_area == case.area
    # An error on an indicator's row keeps its figure out of the report (a duplicate row is
    # the exception: the first copy is read).
    for item in result.problems:
        if item.severity.value == "error" and item.indicator_id and item.code != "row-duplicate":
            assert item.indicator_id not in result.records


# --- what the officer reads: a few messages in full ----------------------------------------

MESSAGES = {
    "text_in_number_cell": "'about 60' is not a number.",
    "words_after_the_number": "'60.9 (est.)' is not a number.",
    "date_in_number_cell": "The cell holds a date (2017-06-30), not a figure.",
    "formula_typed_in_input_cell": "The cell holds a formula (=50+10.9); only typed entries "
    "are accepted.",
    "percent_shown_as_9500": "'6090% (did you mean 60.9%?)' is not a percentage between 0% "
    "and 100%.",
    "percent_typed_as_text_9500": "'6090% (did you mean 60.9%?)' is not a percentage between 0% "
    "and 100%.",
    "percent_typed_as_a_fraction": "'0.609' was read as 60.9%.",
    "thousands_separator_in_text": "'1,234' was typed as text and read as 1234.",
    "units_in_text_kg": "'118.4kg' was typed as text and read as 118.4.",
    "wrong_unit_in_text": "'0.8 kg' is in a unit this indicator is not measured in (kg).",
    "numerator_above_denominator": "The numerator (12) is larger than the denominator (10).",
    "implausible_value": "45 is outside the plausible range for this indicator (0 to 30).",
    "missing_comment_on_amber": "The figure is AMBER against target but there is no comment.",
    "return_sheet_renamed": "The sheet 'Return' has been renamed 'Q1 figures'; it was read all "
    "the same.",
    "csv_renamed_xlsx": "The file is not an .xlsx workbook: it looks like a CSV or text file",
    "pdf_renamed_xlsx": "The file is not an .xlsx workbook: it looks like a PDF document.",
    "last_quarters_old_template": "This return is for 2016/17 Q4, but the report is for "
    "2017/18 Q1.",
    "another_service_areas_template": "The file is named as the return for 'Environment' but "
    "it is the template for 'Community Safety'.",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_the_officer_reads_a_plain_message(bad_input_files: dict, name: str) -> None:
    [case] = [c for c in CASES if c.name == name]
    result = validated(bad_input_files[name], case)
    assert any(p.message.startswith(MESSAGES[name]) for p in result.problems), [
        p.message for p in result.problems
    ]


def test_every_officer_problem_about_a_return_is_shown_by_a_case() -> None:
    """The officers' guide lists these kinds; each is shown by at least one fixture."""
    shown = {code for case in CASES for code, _, _ in case.expected}
    not_from_one_file = {"file-missing", "file-unreadable"}  # the runner's, not the officer's
    never_made = {"template-old-version"}  # needs a template older than 1.0 within version 1
    officer = {k.code for k in CATALOGUE.values() if k.audience is Audience.OFFICER}
    assert officer - shown - never_made - not_from_one_file == set()


# --- one bad file never stops the rest ------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_bad_file_among_good_returns_stops_none_of_them(
    tmp_path: Path, bad_input_files: dict, case: Case
) -> None:
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    bad = bad_input_files[case.name]
    shutil.copy(bad, folder / bad.name)  # newer than the samples: it wins for its area
    collected = collect_returns([folder], REGISTER, Q1)
    present = {f.service_area for f in collected.files if f.path.name != bad.name}
    for indicator in REGISTER.indicators:
        if indicator.service_area in present and indicator.service_area != case.area:
            assert indicator.id in collected.records, indicator.id
    [result] = [f for f in collected.files if f.path.name == bad.name]
    [logged] = [e for e in collected.log if e.file == bad.name]
    if not result.readable:
        assert logged.outcome is ReturnOutcome.REJECTED
    else:  # newer than the sample for its area, so it is the one used
        assert logged.outcome is (ReturnOutcome.FAILED if result.errors else ReturnOutcome.RECEIVED)
        assert logged.service_area == case.area


def test_two_returns_for_one_service_area_the_newer_wins_and_both_are_logged(
    tmp_path: Path, returns: Returns
) -> None:
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    newer = returns.filled("childrens-resent.xlsx", values={"CL02": {"value": 61.5}})
    shutil.copy(newer, folder / newer.name)
    collected = collect_returns([folder], REGISTER, Q1)
    assert collected.records["CL02"].value == 61.5
    assert collected.records["CL02"].source.file == "childrens-resent.xlsx"
    entries = [(e.outcome, e.file) for e in collected.log if e.service_area == CHILDREN]
    assert entries == [
        (ReturnOutcome.RECEIVED, "childrens-resent.xlsx"),
        (ReturnOutcome.SUPERSEDED, "2017-18-Q1-childrens-services.xlsx"),
    ]
    [duplicate] = [p for p in collected.problems if p.code == "return-duplicate"]
    assert (duplicate.file, duplicate.sheet, duplicate.cell) == (
        "2017-18-Q1-childrens-services.xlsx",
        None,
        None,
    )
    assert "childrens-resent.xlsx was used" in duplicate.message


def test_another_service_areas_template_leaves_its_own_area_missing(
    tmp_path: Path, bad_input_files: dict
) -> None:
    """Environment sent back Community Safety's template: Environment is still missing."""
    folder = tmp_path / "returns"
    folder.mkdir()
    built = bad_input_files["another_service_areas_template"]
    shutil.copy(built, folder / "2017-18-Q1-environment.xlsx")
    collected = collect_returns([folder], REGISTER, Q1)
    missing = {p.message for p in collected.problems if p.code == "return-missing"}
    assert "No return has been received from 'Environment'." in missing


def test_the_command_line_lists_every_bad_file_and_shows_no_traceback(
    tmp_path: Path, bad_input_files: dict
) -> None:
    from kpi_excel.cli.app import main

    folder = tmp_path / "returns"
    folder.mkdir()
    for case in CASES:
        if case.name == "another_service_areas_template":
            continue  # its name is another case's
        built = bad_input_files[case.name]
        shutil.copy(built, folder / built.name)
    result = CliRunner().invoke(
        main, ["validate", str(SAMPLES / "register.xlsx"), str(folder), "--period", "2017/18 Q1"]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for case in CASES:
        if case.hostile:
            assert case.build.__name__ in result.output


# --- hostile files: refused quickly, in bounded memory ------------------------------------------

HOSTILE = [case for case in CASES if case.hostile]
FAST = 1.0  # seconds, each
SMALL = 16 * 2**20  # bytes of Python memory at the peak


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_file_is_refused_quickly_in_bounded_memory(
    bad_input_files: dict, case: Case
) -> None:
    path = bad_input_files[case.name]
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = read_return(path, REGISTER, Q1)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.readable
    assert [p.code for p in result.problems] == [code for code, _, _ in case.expected]
    assert elapsed < FAST, f"{path.name}: {elapsed:.2f} s"
    assert peak < SMALL, f"{path.name}: peak {peak / 2**20:.1f} MiB"
