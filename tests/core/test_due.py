"""Which periods a figure is due for, and quarters of monthly indicators read from months."""

from __future__ import annotations

import pytest

from kpi_excel.core.models import Frequency, HistoryPoint, Indicator, Polarity, Target, TargetKind
from kpi_excel.core.periods import Period
from kpi_excel.history.files import History


def _indicator(frequency: Frequency, due_quarters: tuple[int, ...] = ()) -> Indicator:
    return Indicator(
        id="X1",
        section="S",
        service_area="A",
        name="X",
        polarity=Polarity.BIGGER,
        frequency=frequency,
        due_quarters=due_quarters,
        annual_target=Target(kind=TargetKind.VALUE, value=10),
    )


@pytest.mark.parametrize(
    ("frequency", "due_quarters", "period", "due"),
    [
        (Frequency.MONTHLY, (), "2019/20 M01", True),
        (Frequency.MONTHLY, (), "2019/20 M05", True),
        (Frequency.QUARTERLY, (), "2019/20 M01", False),  # mid-quarter: nothing to report yet
        (Frequency.QUARTERLY, (), "2019/20 M02", False),
        (Frequency.QUARTERLY, (), "2019/20 M03", True),  # the quarter's last month
        (Frequency.QUARTERLY, (), "2019/20 Q2", True),
        (Frequency.ANNUAL, (), "2019/20 M09", False),
        (Frequency.ANNUAL, (), "2019/20 M12", True),
        (Frequency.BIANNUAL, (2, 4), "2019/20 M06", True),
        (Frequency.BIANNUAL, (2, 4), "2019/20 M03", False),
        (Frequency.QUARTERLY, (), "2019/20", True),  # a year's report: everything is due
    ],
)
def test_due_for(frequency, due_quarters, period, due):
    indicator = _indicator(frequency, due_quarters)
    assert indicator.due_for(Period.parse(period)) is due


def test_a_quarter_of_a_monthly_indicator_is_its_last_month():
    """By every basis (snapshot, year to date, rolling) the quarter's figure is the one at its
    end; the point keeps its month, so the board names it beside the arrow."""
    history = History(
        [
            HistoryPoint(indicator_id="X1", period="2019/20 M02", value=5),
            HistoryPoint(indicator_id="X1", period="2019/20 M03", value=7),
            HistoryPoint(indicator_id="Q1", period="2019/20 M03", value=1),
            HistoryPoint(indicator_id="Q1", period="2019/20 Q1", value=2),
        ]
    )
    point = history.get("X1", Period.parse("2019/20 Q1"))
    assert (point.value, str(point.period)) == (7, "2019/20 M03")
    assert history.get("Q1", Period.parse("2019/20 Q1")).value == 2  # a quarter's own wins
    assert history.get("X1", Period.parse("2019/20 Q2")) is None
    assert [p.value for p in history.series("X1", Period.parse("2019/20 Q2"))] == [7]


def test_last_month_and_quarter_ends():
    assert str(Period.parse("2019/20 Q3").last_month()) == "2019/20 M09"
    assert str(Period.parse("2019/20").last_month()) == "2019/20 M12"
    assert [Period(2019, month=m).ends_a_quarter for m in (1, 3, 4, 12)] == [
        False,
        True,
        False,
        True,
    ]
