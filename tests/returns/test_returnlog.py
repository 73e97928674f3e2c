"""The return log, the chase list and the validation log workbook, and `kpi-excel validate`."""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import collect_and_rate
from fixtures_bad import CHILDREN, ENVIRONMENT, Q1, SAMPLES, Returns
from openpyxl import load_workbook

from kpi_excel.api.run import validate_returns
from kpi_excel.cli.app import main
from kpi_excel.core.models import ReturnOutcome
from kpi_excel.core.periods import Period
from kpi_excel.register.loader import load_register
from kpi_excel.returns.log import chase_list, counts, return_log
from kpi_excel.returns.reader import sha256_of

sys.path.insert(0, str(SAMPLES))  # the samples' script stamps saved dates as officers' copies have
from make_samples import stamp_saved  # noqa: E402

REGISTER_PATH = SAMPLES / "register.xlsx"
ON_TIME = datetime(2017, 7, 20, 16, 30).timestamp()  # the deadline is Friday 21 July 2017
LATE = datetime(2017, 7, 24, 9, 0).timestamp()


@pytest.fixture
def register():
    return load_register(REGISTER_PATH)


@pytest.fixture
def returns(tmp_path: Path, blank_templates: dict[str, Path]) -> Returns:
    folder = tmp_path / "built"
    folder.mkdir()
    return Returns(folder, blank_templates)


def _saved(path: Path, when: float) -> Path:
    """Saved at `when`: in the workbook's own record, which kpi-excel reads first, and in the
    file's time, which it falls back on."""
    if zipfile.is_zipfile(path):
        stamp_saved(path, datetime.fromtimestamp(when, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    os.utime(path, (when, when))
    return path


@pytest.fixture
def quarter(tmp_path: Path, returns: Returns) -> Path:
    """A quarter's folder: four good returns (one late), Children's sent twice (the second with
    an error), Public Health missing, and a CSV from someone."""
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in (SAMPLES / "returns").iterdir():
        if "public-health" not in path.name:
            _saved(Path(shutil.copy(path, folder)), ON_TIME)
    _saved(folder / "2017-18-Q1-environment.xlsx", LATE)
    resent = returns.filled("childrens-resent.xlsx", values={"CL02": {"value": "about 60"}})
    _saved(Path(shutil.copy(resent, folder)), ON_TIME + 60)
    notes = folder / "figures.xlsx"
    notes.write_text("id,value\nHE01,12\n", encoding="utf-8")
    _saved(notes, ON_TIME)
    return folder


def test_the_log_says_who_sent_what_and_when(register, quarter: Path) -> None:
    rows = return_log(collect_and_rate([quarter], register, Q1), register, Q1)
    table = [(r.service_area, r.outcome.value, r.expected, r.late, r.file) for r in rows]
    assert table == [
        ("Adult Social Care", "received", True, False, "2017-18-Q1-adult-social-care.xlsx"),
        (CHILDREN, "failed", True, False, "childrens-resent.xlsx"),
        (CHILDREN, "superseded", True, False, "2017-18-Q1-childrens-services.xlsx"),
        ("Community Safety", "received", True, False, "2017-18-Q1-community-safety.xlsx"),
        (ENVIRONMENT, "received", True, True, "2017-18-Q1-environment.xlsx"),
        ("Housing and Customer Services", "received", True, False,
         "2017-18-Q1-housing-and-customer-services.xlsx"),
        ("Public Health", "missing", True, None, None),
        ("(unknown)", "rejected", False, False, "figures.xlsx"),
    ]  # fmt: skip
    for row in rows:
        if row.file:
            assert row.sha256 == sha256_of(quarter / row.file)
        if row.outcome in (ReturnOutcome.RECEIVED, ReturnOutcome.FAILED):
            assert row.template_version == "1.0"
    failed = next(r for r in rows if r.outcome is ReturnOutcome.FAILED)
    assert (failed.errors, failed.saved.isoformat()) == (1, "2017-07-20")
    assert counts(rows) == {
        "expected": 6, "received": 5, "missing": 1, "late": 1, "failed": 1, "rejected": 1,
        "superseded": 1,
    }  # fmt: skip


def test_a_blank_deadline_is_fifteen_working_days_after_the_period(register, quarter) -> None:
    undated = register.model_copy(
        update={"settings": register.settings.model_copy(update={"return_deadline": None})}
    )
    collected = collect_and_rate([quarter], undated, Q1)
    rows = return_log(collected, undated, Q1)
    # 30 June 2017 was a Friday: 15 working days later is Friday 21 July, the samples' date.
    assert [r.late for r in rows] == [r.late for r in return_log(collected, register, Q1)]
    assert "(deadline Friday 21 July 2017)" in chase_list(collected, Q1, undated)
    assert {r.late for r in return_log(collected, undated)} == {None}  # no period, no deadline


def test_each_period_is_late_by_its_own_deadline(register, quarter) -> None:
    """The samples' one date (21 July 2017) is Q1's; Q2 is due 15 working days after it ends."""
    rule = register.settings.model_copy(update={"return_deadline": "Q1: 2017-07-19"})
    early = register.model_copy(update={"settings": rule})
    collected = collect_and_rate([quarter], early, Q1)
    late = {r.file for r in return_log(collected, early, Q1) if r.late}
    assert "2017-18-Q1-environment.xlsx" in late and "childrens-resent.xlsx" in late
    q2 = Period.parse("2017/18 Q2")
    text = chase_list(collect_and_rate([quarter], register, q2), q2, register)
    assert text.startswith("Returns for 2017/18 Q2 (deadline Friday 20 October 2017)")


def test_the_chase_list_is_ready_to_paste_into_an_email(register, quarter: Path) -> None:
    text = chase_list(collect_and_rate([quarter], register, Q1), Q1, register)
    paragraphs = text.rstrip("\n").split("\n\n")
    assert paragraphs[0] == "Returns for 2017/18 Q1 (deadline Friday 21 July 2017): what to chase"
    by_area = {p.split(":", 1)[0]: p for p in paragraphs[1:]}
    assert list(by_area) == [
        CHILDREN, "Community Safety", ENVIRONMENT, "Housing and Customer Services",
        "Public Health", "Files we could not use and cannot tell whose they are",
    ]  # fmt: skip
    assert by_area[CHILDREN] == (
        "Children's Services: thank you for your return (childrens-resent.xlsx). Please fix "
        "these; until then the figures they affect are left out of the report:\n"
        "  - Sheet Return, cell H10 (CL02): 'about 60' is not a number. Type the figure as a "
        "number, e.g. 83 for 83%, or choose a status of 'not available'."
    )
    assert by_area[ENVIRONMENT].startswith(
        "Environment: thank you for your return (2017-18-Q1-environment.xlsx, saved Monday "
        "24 July 2017 after the deadline). Please check:\n  - Sheet Return, cell Q10 (EN02):"
    )
    assert by_area["Public Health"] == (
        "Public Health: we have not received your return for 2017/18 Q1. Please fill in the "
        "template you were sent and return it by Friday 21 July 2017."
    )
    unknown = by_area["Files we could not use and cannot tell whose they are"]
    assert "  figures.xlsx:\n  - The file is not an .xlsx workbook: it looks like a CSV or " \
        "text file beginning 'id,value'." in unknown  # fmt: skip
    assert "Adult Social Care" not in text  # nothing to chase
    assert "return-duplicate" not in text and "superseded" not in text  # the team's business


def test_a_refused_return_is_chased_with_its_reason(register, tmp_path: Path) -> None:
    from kpi_excel.api.run import make_templates

    folder = tmp_path / "returns"
    [wrong] = [p for p in make_templates(REGISTER_PATH, Period.parse("2017/18 Q2"), folder)
               if "public-health" in p.name]  # fmt: skip
    for path in folder.iterdir():
        if path != wrong:
            path.unlink()
    text = chase_list(collect_and_rate([folder], register, Q1), Q1, register)
    assert (
        "Public Health: we have no return for 2017/18 Q1 we can use. What you sent "
        "(2017-18-Q2-public-health.xlsx) could not be read:\n"
        "  - This return is for 2017/18 Q2, but the report is for 2017/18 Q1. Fill in the return "
        "template for 2017/18 Q1.\n"
        "  Please put this right and send the return again."
    ) in text


def test_nothing_to_chase(register, returns: Returns, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for area in register.service_areas():
        returns.filled(f"{area}.xlsx", area).rename(folder / f"{area}.xlsx")
    text = chase_list(collect_and_rate([folder], register, Q1), Q1, register)
    assert text.endswith("\n\nNothing to chase: every return is in and has nothing to fix.\n")


# --- kpi-excel validate ----------------------------------------------------------------------


def _validate(*args: str):
    return CliRunner().invoke(main, ["validate", str(REGISTER_PATH), *args])


def test_validate_prints_the_log_with_a_late_column(quarter: Path) -> None:
    result = _validate(str(quarter), "--period", "2017/18 Q1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("Service area"))
    assert header.split() == ["Service", "area", "Outcome", "Late", "Errors", "Warnings", "File"]
    environment = next(line for line in lines if line.startswith("Environment "))
    assert environment.split()[1:3] == ["received", "yes"]
    missing = next(line for line in lines if line.startswith("Public Health "))
    assert missing.split()[2:] == ["missing", "0", "0", "-"]


def test_validate_writes_the_log_workbook_the_chase_list_and_json(
    register, quarter: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = _validate(
        str(quarter), "--period", "2017/18 Q1", "--quiet",
        "--log", str(out / "log.xlsx"), "--chase", str(out / "chase.txt"),
        "--json", str(out / "validate.json"),
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    workbook = load_workbook(out / "log.xlsx")
    assert workbook.sheetnames == ["Return log", "Problems", "Chase list"]
    log = [[c.value for c in row] for row in workbook["Return log"].iter_rows(min_row=5)]
    assert log[0] == ["Service area", "Expected", "Outcome", "Late", "Saved", "Errors", "Warnings",
                      "File", "Template version", "SHA-256"]  # fmt: skip
    assert log[5][:8] == ["Environment", "Yes", "received", "Yes", "2017-07-24", 0, 1,
                          "2017-18-Q1-environment.xlsx"]  # fmt: skip
    assert log[7][:4] == ["Public Health", "Yes", "missing", None]
    problems = [[c.value for c in row] for row in workbook["Problems"].iter_rows(min_row=2)]
    assert ["error", "value-not-number", "officer", "childrens-resent.xlsx", "Return", "H10",
            "CL02"] in [row[:7] for row in problems]  # fmt: skip
    collected = collect_and_rate([quarter], register, Q1)
    assert len(problems) == len(collected.problems)
    chase = (out / "chase.txt").read_text(encoding="utf-8")
    assert chase == chase_list(collected, Q1, register)
    cells = [row[0].value for row in workbook["Chase list"].iter_rows()]
    assert "\n\n".join(cells) + "\n" == chase
    payload = json.loads((out / "validate.json").read_text(encoding="utf-8"))
    environment = next(e for e in payload["return_log"] if e["service_area"] == ENVIRONMENT)
    assert (environment["late"], environment["saved"]) == (True, "2017-07-24")


def test_a_log_that_cannot_be_written_is_a_plain_error(quarter: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _validate(str(quarter), "--period", "2017/18 Q1", "--log", str(blocker / "log.xlsx"))
    assert result.exit_code == 1
    assert "Could not write" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "a-file" / "log.xlsx").exists()


def test_validate_reads_last_periods_comments_from_the_store(
    register, tmp_path: Path, returns: Returns
) -> None:
    """Q1 closed in the store; a Q2 return whose CL02 comment is Q1's word for word."""
    from kpi_excel.api.history import close_period, import_history

    store = tmp_path / "history.sqlite"
    import_history(SAMPLES / "history.csv", register_path=REGISTER_PATH, store=store)
    close_period(REGISTER_PATH, [SAMPLES / "returns"], Q1, store=store, force=True)
    q1_comment = next(f.comment for f in _figures(store, "2017/18 Q1") if f.indicator_id == "CL02")
    folder = tmp_path / "q2"
    folder.mkdir()
    q2 = SAMPLES / "returns-q2" / "2017-18-Q2-childrens-services.xlsx"
    returns.filled(q2.name, CHILDREN, {"CL02": {"comment": q1_comment}}, source=q2).rename(
        folder / q2.name
    )
    q2_period = Period.parse("2017/18 Q2")
    with_store = validate_returns(REGISTER_PATH, [folder], q2_period, store=store)
    repeated = [p for p in with_store.problems if p.code == "comment-repeated"]
    assert [(p.indicator_id, p.cell) for p in repeated] == [("CL02", "P10")]
    without = validate_returns(REGISTER_PATH, [folder], q2_period)
    assert not [p for p in without.problems if p.code == "comment-repeated"]


def _figures(store: Path, period: str):
    from kpi_excel.history.store import Store

    with Store(store) as opened:
        return opened.figures(period=period)
