"""Each period's return deadline falls after the period ends, on the template and in the log."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.core import return_spec as spec
from kpi_excel.core.deadlines import DEFAULT_RULE, check_deadline_rule, deadline_for
from kpi_excel.core.periods import Period


@pytest.mark.parametrize(
    ("rule", "period", "due", "noted"),
    [
        (None, "2017/18 Q1", date(2017, 7, 21), False),
        (DEFAULT_RULE, "2017/18 Q2", date(2017, 10, 20), False),
        ("20 days after the period ends", "2017/18 Q3", date(2018, 1, 20), False),
        ("Q1: 2017-07-14; Q2: 2017-10-13; other: 10 working days after the quarter ends",
         "2017/18 Q2", date(2017, 10, 13), False),
        ("Q1: 2017-07-14; Q2: 2017-10-13; other: 10 working days after the quarter ends",
         "2017/18 Q4", date(2018, 4, 13), False),
        ("2017/18 Q1: 2017-07-14", "2018/19 Q1", date(2018, 7, 20), False),
        ("2017-07-21", "2017/18 Q1", date(2017, 7, 21), False),
        ("2017-07-21", "2017/18 Q2", date(2017, 10, 20), True),  # before Q2 ends: not used
    ],
)  # fmt: skip
def test_deadline_rules(rule, period, due, noted):
    deadline = deadline_for(rule, Period.parse(period))
    assert deadline.due == due
    assert bool(deadline.note) is noted
    assert deadline.due > Period.parse(period).end_date()


@pytest.mark.parametrize(
    "rule", ["next Friday", "Q5: 2017-07-21", "2017-02-30", "15 working days", "Q1 2017-07-21"]
)
def test_deadline_rules_that_cannot_be_read_are_refused(rule):
    with pytest.raises(ValueError):
        check_deadline_rule(rule)


def _heading(path) -> str:
    sheet = openpyxl.load_workbook(path)[spec.RETURN_SHEET]
    return "\n".join(str(sheet.cell(row, 1).value) for row in range(1, spec.HEADER_ROW))


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_every_quarters_template_shows_a_deadline_after_the_quarter_ends(tmp_path, quarter):
    period = Period(2017, quarter)
    args = ["templates", str(SAMPLES / "register.xlsx"), "--period", str(period)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    due = deadline_for("2017-07-21", period).due  # the sample register's one date
    assert due > period.end_date()
    for path in tmp_path.glob("*.xlsx"):
        assert f"Return by: {due:%A} {due.day} {due:%B %Y}" in _heading(path)
    # The register's date is Q1's: the other quarters are warned that it was not used.
    assert ("Warning: The return deadline 2017-07-21" in result.output) is (quarter != 1)
