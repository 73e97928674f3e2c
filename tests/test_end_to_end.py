"""The whole loop on the shipped samples, checked against the example report's transcription."""

from __future__ import annotations

import csv
import json
import os
import stat

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES, consolidate_samples, copy_of_sample_returns
from openpyxl import load_workbook

from kpi_excel.cli.app import main

EXPECTED = ROOT / "tests" / "data" / "havering-q1-2017-18-expected.csv"
ARROW = {"up": "better", "down": "worse", "same": "same", "none": None}


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    out = tmp_path_factory.mktemp("board")
    result = consolidate_samples(out / "board.xlsx", "--json", str(out / "board.json"))
    assert result.exit_code == 0, result.output
    return out


def expected_rows():
    with EXPECTED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def data_sheet(path):
    workbook = load_workbook(path)
    sheet = workbook["Data"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return workbook, [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_every_rating_and_arrow_matches_the_expected_transcription(consolidated):
    _, rows = data_sheet(consolidated / "board.xlsx")
    expected = expected_rows()
    assert len(rows) == len(expected) == 34
    for want, got in zip(expected, rows, strict=True):
        assert got["name"] == want["indicator"]
        assert got["rag"] == (None if want["expect_rag"] == "none" else want["expect_rag"]), got
        assert got["short_term_direction"] == ARROW[want["expect_st"]], got
        assert got["long_term_direction"] == ARROW[want["expect_lt"]], got


def test_the_engine_does_not_copy_the_published_sideways_arrow(consolidated):
    _, rows = data_sheet(consolidated / "board.xlsx")
    [care] = [r for r in rows if r["name"].startswith("% of care proceedings")]
    assert care["short_term_direction"] == "worse"
    assert "33.3%" in care["short_term_reason"] and "48.9%" in care["short_term_reason"]


def test_every_figure_names_its_source(consolidated):
    _, rows = data_sheet(consolidated / "board.xlsx")
    with_figures = [r for r in rows if r["value"] is not None]
    assert len(with_figures) == 26  # 34 less 8 not available or not due
    for row in with_figures:
        assert row["source_file"].endswith(".xlsx")
        assert len(row["source_sha256"]) == 64
        assert row["source_sheet"] == "Return" and row["source_cell"]


def test_section_sheets_show_the_rating_word_beside_the_colour(consolidated):
    workbook = load_workbook(consolidated / "board.xlsx")
    sheet = workbook["Towns and Communities"]
    words = [
        c
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c in ("RED", "GREEN", "AMBER")
    ]
    assert words == ["RED", "RED", "GREEN"]
    formulas = [rule.formula for rng in sheet.conditional_formatting for rule in rng.rules]
    assert any('"RED"' in f for fs in formulas for f in (fs or []))


def test_json_has_the_documented_fields(consolidated):
    data = json.loads((consolidated / "board.json").read_text(encoding="utf-8"))
    first = data["indicators"][1]
    for key in (
        "id",
        "name",
        "section",
        "value",
        "rag",
        "short_term",
        "long_term",
        "short_term_compared_with",
        "long_term_compared_with",
        "reason",
    ):
        assert key in first
    assert first["rag"] == "RED" and first["value"] == 83
    assert "83% against a 95% target" in first["reason"]
    assert isinstance(data["problems"], list)


def test_a_bad_return_gives_exit_1_and_the_workbook_is_still_written(tmp_path, fill):
    folder = copy_of_sample_returns(tmp_path / "returns")
    bad = fill("Children's Services", {"CL02": {"value": "sixty"}})
    (folder / bad.name).write_bytes(bad.read_bytes())
    out = tmp_path / "board.xlsx"
    result = consolidate_samples(out, returns=folder)
    assert result.exit_code == 1
    assert "value-not-number" in result.output and "'sixty'" in result.output
    assert "Traceback" not in result.output
    _, rows = data_sheet(out)
    by_id = {r["id"]: r for r in rows}
    assert by_id["CL02"]["rag"] is None and by_id["CL03"]["rag"] == "RED"


@pytest.mark.parametrize(
    "args",
    [
        ["consolidate", "nope.xlsx", "x", "--period", "2017/18 Q1"],
        ["consolidate", str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "--period", "Q1"],
        ["templates", str(SAMPLES / "register.xlsx")],
    ],
)
def test_usage_mistakes_exit_2_without_a_traceback(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_broken_register_exits_1_with_the_cell_to_fix(tmp_path):
    from kpi_excel.register.book import write_register

    path = write_register(
        tmp_path / "register.xlsx",
        [
            {
                "id": "A1",
                "section": "S",
                "service_area": "X",
                "name": "N",
                "polarity": "biggest",
                "unit": "percent",
            }
        ],
    )
    result = CliRunner().invoke(
        main, ["validate", str(path), str(SAMPLES / "returns"), "--period", "2017/18 Q1"]
    )
    assert result.exit_code == 1
    assert "Indicators" in result.output and "F2" in result.output and "biggest" in result.output
    assert "Traceback" not in result.output


def test_an_output_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    result = consolidate_samples(
        tmp_path / "board.xlsx", "--json", str(blocker / "board.json"), history=False
    )
    assert result.exit_code == 1
    assert "Could not write" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_outputs_get_the_users_usual_permissions(consolidated):
    umask = os.umask(0)
    os.umask(umask)
    for name in ("board.xlsx", "board.json"):
        assert stat.S_IMODE((consolidated / name).stat().st_mode) == 0o666 & ~umask


def test_an_output_named_like_an_input_is_refused_and_the_input_kept(tmp_path):
    folder = copy_of_sample_returns(tmp_path / "returns")
    victim = folder / "2017-18-Q1-environment.xlsx"
    before = victim.read_bytes()
    result = consolidate_samples(victim, returns=folder, history=False)
    assert result.exit_code == 2 and "Nothing was written" in result.output
    assert victim.read_bytes() == before


def test_files_windows_and_macos_leave_in_folders_are_skipped(tmp_path, register):
    from conftest import Q1

    from kpi_excel.returns.collect import collect_returns

    folder = copy_of_sample_returns(tmp_path / "returns")
    for junk in ("Thumbs.db", "desktop.ini", ".DS_Store", "~$2017-18-Q1-environment.xlsx"):
        (folder / junk).write_bytes(b"\x00junk")
    collected = collect_returns([folder], register, Q1)
    assert collected.error_count == 0 and len(collected.files) == 6


def test_a_fault_in_kpi_excel_is_one_line_and_exit_3(monkeypatch, tmp_path):
    import kpi_excel.api.run

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(kpi_excel.api.run, "build_report", broken)
    result = consolidate_samples(tmp_path / "board.xlsx", history=False)
    assert result.exit_code == 3
    assert "Internal error: ZeroDivisionError" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output


def test_problems_are_listed_in_reading_order():
    from kpi_excel.cli.app import _reading_order
    from kpi_excel.core.problems import problem

    cells = ["H10", "H9", "AA2", "B2"]
    found = sorted(
        (problem("value-blank", file="a.xlsx", sheet="Return", cell=c) for c in cells),
        key=_reading_order,
    )
    assert [p.cell for p in found] == ["B2", "AA2", "H9", "H10"]


def test_the_published_reports_contradicted_arrows_are_found(tmp_path):
    """The example printed 'same' for 33.3% against 48.9% (bigger is better), arrows with no
    figure to compare, and an unreadable glyph; every other printed arrow agrees."""
    out = tmp_path / "board.json"
    result = consolidate_samples(
        tmp_path / "board.xlsx",
        "--json",
        str(out),
        "--published",
        str(SAMPLES / "published-arrows-2017-18-q1.csv"),
    )
    assert result.exit_code == 0, result.output
    found = [
        (p["indicator_id"], p["message"].split(":")[0], p["value"])
        for p in json.loads(out.read_text(encoding="utf-8"))["problems"]
        if p["code"] == "published-arrow-disagrees"
    ]
    assert sorted(found) == [
        ("CL03", "Long-term", "?"),
        ("CL08", "Long-term", "down"),
        ("CL16", "Short-term", "same"),
        ("IN02", "Long-term", "up"),
    ]


def test_validate_and_consolidate_write_one_return_log_shape(tmp_path):
    """The return log in the JSON is the same lines in the same shape from both commands."""
    import json

    from kpi_excel import consolidate_returns, validate_returns
    from kpi_excel.core.periods import Period

    period = Period.parse("2017/18 Q1")
    register, returns = SAMPLES / "register.xlsx", [SAMPLES / "returns"]
    validate_returns(register, returns, period, json_path=tmp_path / "validate.json")
    consolidate_returns(
        register, returns, period, tmp_path / "board.xlsx", json_path=tmp_path / "board.json"
    )
    checked = json.loads((tmp_path / "validate.json").read_text())["return_log"]
    reported = json.loads((tmp_path / "board.json").read_text())["return_log"]
    assert reported == checked and len(reported) == 6
    assert {"expected", "saved", "late", "errors", "warnings"} <= set(reported[0])
