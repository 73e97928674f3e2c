"""The template's live guide agrees with `validate` and `consolidate`, row by row.

Every case of the bad-input catalogue that an officer can type into a cell is typed into a
fresh template by LibreOffice itself (through its UNO bridge, one session for all of them),
recalculated and saved; then each row's guide, as LibreOffice worked it out, is compared with
what the reader says of that row and with the rating the run gives it. The same again for a
template that LibreOffice has opened and saved first.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import soffice
from fixtures_bad import (
    CASES,
    CHILDREN,
    ENVIRONMENT,
    LAST_QUARTER_COMMENT,
    Q1,
    bad_inputs_register,
)
from openpyxl import load_workbook

from kpi_excel.core.problems import CATALOGUE, Severity
from kpi_excel.core.return_spec import FIRST_DATA_ROW, RETURN_SHEET, column_letter, column_of
from kpi_excel.history.files import History
from kpi_excel.report import build_report
from kpi_excel.returns.collect import collect_returns
from kpi_excel.templates.build import write_return_templates
from kpi_excel.templates.formulas import UNDECIDED, WILL_BE_CHECKED, WORK_COLUMN

SYSTEM_PYTHON = "/usr/bin/python3"
FILL = Path(__file__).resolve().parent.parent / "libreoffice_fill.py"
REGISTER = bad_inputs_register()
LONG = "Below target. " * 200
# Last quarter's comments, as `templates --store` gives the template and `validate --store`
# the reader.
PREVIOUS_COMMENTS = {"CL02": LAST_QUARTER_COMMENT.upper() + "\n"}

# What an officer types for each case: (indicator, field, text[, how]); how is "text" for an
# entry Calc keeps as text (typed after an apostrophe, or pasted as text), or the number format
# Calc gives the cell (typing a date, or pasting a formatted cell).
TYPED: dict[str, tuple[str, list[tuple]]] = {
    "text_in_number_cell": (CHILDREN, [("CL02", "value", "about 60")]),
    "words_after_the_number": (CHILDREN, [("CL02", "value", "60.9 (est.)")]),
    "date_in_number_cell": (CHILDREN, [("CL02", "value", "2017-06-30", "YYYY-MM-DD")]),
    "boolean_in_number_cell": (CHILDREN, [("CL02", "value", "TRUE", "BOOLEAN")]),
    "div0_error_in_number_cell": (CHILDREN, [("CL02", "value", "=1/0")]),
    "na_error_in_number_cell": (CHILDREN, [("CL02", "value", "#N/A")]),
    "formula_typed_in_input_cell": (CHILDREN, [("CL02", "value", "=50+10.9")]),
    "formula_with_no_saved_result": (CHILDREN, [("CL02", "value", "=SUM(H9:H9)")]),
    "formula_in_comment_cell": (CHILDREN, [("CL03", "value", "50"), ("CL03", "comment", '="x"')]),
    "percent_typed_as_a_fraction": (CHILDREN, [("CL02", "value", "0.609")]),
    "percent_shown_as_9500": (CHILDREN, [("CL02", "value", "60.9", "0%")]),
    "percent_typed_as_text_9500": (CHILDREN, [("CL02", "value", "6090%", "text")]),
    "percent_over_100": (CHILDREN, [("CL02", "value", "120")]),
    "percent_format_on_a_count": (ENVIRONMENT, [("EN01", "value", "0.8", "0%")]),
    "thousands_separator_in_text": (CHILDREN, [("CL13", "value", "1,234", "text")]),
    "units_in_text_days": (ENVIRONMENT, [("EN01", "value", "0.8 days")]),
    "units_in_text_kg": (ENVIRONMENT, [("EN02", "value", "118.4kg")]),
    "wrong_unit_in_text": (ENVIRONMENT, [("EN01", "value", "0.8 kg")]),
    "percent_sign_on_a_count": (CHILDREN, [("CL13", "value", "6%", "text")]),
    "negative_count": (CHILDREN, [("CL13", "value", "-6")]),
    "figure_beyond_any_real_one": (CHILDREN, [("CL13", "value", "1E+28")]),
    "implausible_value": (
        ENVIRONMENT,
        [
            ("EN01", "value", "45"),
            ("EN01", "comment", "Snow."),
            ("EN01", "corrective_action", "Grit."),
        ],
    ),
    "numerator_above_denominator": (
        CHILDREN,
        [("CL02", "numerator", "12"), ("CL02", "denominator", "10")],
    ),
    "denominator_zero": (CHILDREN, [("CL02", "numerator", "0"), ("CL02", "denominator", "0")]),
    "numerator_without_denominator": (
        CHILDREN,
        [("CL02", "value", "60.9"), ("CL02", "numerator", "14")],
    ),
    "figure_disagrees_with_its_counts": (
        CHILDREN,
        [("CL02", "value", "60.9"), ("CL02", "numerator", "14"), ("CL02", "denominator", "20")],
    ),
    "small_denominator": (CHILDREN, [("CL02", "numerator", "5"), ("CL02", "denominator", "8")]),
    "blank_value_with_status_available": (CHILDREN, [("CL02", "status", "available")]),
    "value_with_status_not_available": (
        CHILDREN,
        [("CL02", "value", "60.9"), ("CL02", "status", "not available")],
    ),
    "value_when_not_due": (CHILDREN, [("CL14", "value", "4.1")]),
    "unknown_status": (CHILDREN, [("CL02", "value", "60.9"), ("CL02", "status", "done")]),
    "not_due_when_due": (CHILDREN, [("CL02", "status", "not due")]),
    "unknown_yes_no": (CHILDREN, [("CL02", "value", "60.9"), ("CL02", "provisional", "maybe")]),
    "not_available_without_a_reason": (CHILDREN, [("CL02", "value", "N/A")]),
    "missing_comment_on_red": (CHILDREN, [("CL07", "value", "39.6")]),
    "missing_comment_on_amber": (CHILDREN, [("CL02", "value", "77")]),
    "missing_action_on_red": (
        CHILDREN,
        [("CL16", "value", "33.3"), ("CL16", "comment", "Below target.")],
    ),
    "comment_too_long": (CHILDREN, [("CL02", "value", "85"), ("CL02", "comment", LONG)]),
    "blank_template_returned": (ENVIRONMENT, []),
    "same_comment_as_last_quarter": (
        CHILDREN,
        [("CL02", "value", "60.9"), ("CL02", "comment", LAST_QUARTER_COMMENT)],
    ),
}
# Problems found on one row's cells; the others are about the file, its sheets or its rows.
ROW_CODES = {
    code
    for code in CATALOGUE
    if code.startswith(("value-", "status-", "flag-", "text-", "fraction-", "numerator-"))
    or code in ("denominator-zero", "small-denominator", "comment-missing", "action-missing",
                "reason-missing", "comment-repeated")
}  # fmt: skip
SAME_CODE = {"value-formula-no-result": "value-formula"}  # Calc always saves a result


def test_every_case_an_officer_can_type_is_covered() -> None:
    typeable = {
        case.name
        for case in CASES
        if not case.hostile
        and case.expected
        and all(code in ROW_CODES for code, _, _ in case.expected)
    }
    assert typeable == set(TYPED)


def _uno_available() -> bool:
    if soffice() is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def _rows(template: Path) -> dict[str, int]:
    sheet = load_workbook(template, read_only=True)[RETURN_SHEET]
    rows = {}
    for number, (value,) in enumerate(
        sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=1, values_only=True), FIRST_DATA_ROW
    ):
        if value:
            rows[value] = number
    return rows


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """case -> {"fresh": file, "resaved": file}, filled and saved by LibreOffice."""
    if not _uno_available():
        pytest.skip("LibreOffice's Python bridge is not installed: apt-get install python3-uno")
    folder = tmp_path_factory.mktemp("guide")
    paths = write_return_templates(
        REGISTER, Q1, folder / "templates", previous_comments=PREVIOUS_COMMENTS
    )
    by_area = {}
    for path in paths:
        area = (
            CHILDREN
            if "childrens" in path.name
            else ENVIRONMENT
            if "environment" in path.name
            else None
        )
        if area:
            by_area[area] = path
    jobs: list[dict] = []
    resaved = {}
    for area, path in by_area.items():  # opened and saved by LibreOffice before filling
        resaved[area] = folder / f"resaved-{path.name}"
        jobs.append({"template": str(path), "target": str(resaved[area]), "values": []})
    result: dict[str, dict[str, Path]] = {}
    for name, (area, entries) in TYPED.items():
        rows = _rows(by_area[area])
        values = [
            [RETURN_SHEET, f"{column_of(key)}{rows[indicator]}", text, *how]
            for indicator, key, text, *how in entries
        ]
        result[name] = {}
        for kind, template in (("fresh", by_area[area]), ("resaved", resaved[area])):
            target = folder / kind / name / by_area[area].name
            target.parent.mkdir(parents=True)
            jobs.append({"template": str(template), "target": str(target), "values": values})
            result[name][kind] = target
    jobs_file = folder / "jobs.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    subprocess.run(
        [SYSTEM_PYTHON, str(FILL), "--batch", str(jobs_file), str(folder / "profile")],
        check=True, timeout=600, env=dict(os.environ, HOME=str(folder)),
    )  # fmt: skip
    return result


def _guide(path: Path) -> dict[str, tuple[str, str, set[str]]]:
    """indicator -> (Check, Rating (guide), the guide's problem codes), as LibreOffice saved."""
    sheet = load_workbook(path, data_only=True)[RETURN_SHEET]
    check = column_of("live_check")
    rating = column_of("live_rating")
    codes = column_letter(WORK_COLUMN["codes"])
    guide = {}
    for indicator, row in _rows(path).items():
        found = str(sheet[f"{codes}{row}"].value or "")
        guide[indicator] = (
            str(sheet[f"{check}{row}"].value or ""),
            str(sheet[f"{rating}{row}"].value or ""),
            {part for part in found.split(";") if part},
        )
    return guide


def _verdicts(path: Path) -> dict[str, tuple[set[str], str]]:
    """indicator -> (validate's problem codes on the row, consolidate's rating)."""
    # as validate does: read, then rated once (the missing comments and actions come from it)
    collected = collect_returns([path], REGISTER, Q1, previous_comments=PREVIOUS_COMMENTS)
    report = build_report(REGISTER, Q1, collected, History())
    [result] = collected.files
    codes: dict[str, set[str]] = {}
    for item in result.problems:
        if item.indicator_id:
            codes.setdefault(item.indicator_id, set()).add(SAME_CODE.get(item.code, item.code))
    ratings = {
        row.indicator.id: row.rating.rag.value if row.rating.rag else ""
        for row in report.rows
        if row.indicator.service_area == result.service_area
    }
    return {i: (codes.get(i, set()), ratings[i]) for i in ratings}


def _severity(codes: set[str]) -> str:
    kinds = {CATALOGUE[code].severity for code in codes}
    return "error" if Severity.ERROR in kinds else "check" if kinds else "OK"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["fresh", "resaved"])
def test_guide_agrees_with_validate_and_consolidate(filled, kind: str) -> None:
    disagreements = []
    undecided = set()
    for name, files in filled.items():
        path = files[kind]
        truth = _verdicts(path)
        for indicator, (check, rating, guide_codes) in _guide(path).items():
            codes, rag = truth[indicator]
            if UNDECIDED.rstrip(";") in guide_codes and not any(
                c.startswith("E:") for c in guide_codes
            ):
                undecided.add((name, indicator))
                if check != WILL_BE_CHECKED or rating:
                    disagreements.append((name, indicator, "undecided", check, rating))
                continue
            shown = {c.split(":", 1)[1] for c in guide_codes if ":" in c}
            verdict = (
                "error"
                if check.startswith("Error")
                else "check"
                if check.startswith("Check")
                else check
            )
            if shown != codes or verdict != _severity(codes) or rating != rag:
                disagreements.append(
                    (name, indicator, sorted(shown), sorted(codes), check, rating, rag)
                )
    assert disagreements == [], "\n".join(map(str, disagreements))
    # Only text that starts like a number, and a date typed into a figure cell (Calc
    # does not tell a formula that its cell shows a date), are left to the reader.
    assert {name for name, _ in undecided} == {
        "date_in_number_cell",
        "percent_typed_as_text_9500",
        "thousands_separator_in_text",
        "units_in_text_days",
        "units_in_text_kg",
        "wrong_unit_in_text",
        "percent_sign_on_a_count",
        "words_after_the_number",
    }
