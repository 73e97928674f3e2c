from kpi_excel.core.models import (
    HistoryPoint,
    Indicator,
    Register,
    ReturnRecord,
    Status,
    Target,
    TargetKind,
    Unit,
)
from kpi_excel.core.periods import Period
from kpi_excel.core.targets import previous_due_period
from kpi_excel.history.files import History
from kpi_excel.report.build import build_report
from kpi_excel.returns.collect import Collected

NEET = Indicator(
    id="CL14",
    section="S",
    service_area="A",
    name="NEET",
    polarity="smaller",
    unit=Unit.PERCENT,
    decimals=1,
    frequency="biannual",
    annual_target=Target(kind=TargetKind.VALUE, value=4.3),
)


def test_biannual_indicators_compare_with_the_last_period_they_were_due():
    assert str(previous_due_period(NEET, Period.parse("2017/18 Q4"))) == "2017/18 Q2"
    assert str(previous_due_period(NEET, Period.parse("2017/18 Q2"))) == "2016/17 Q4"
    quarterly = NEET.model_copy(update={"frequency": "quarterly"})
    assert str(previous_due_period(quarterly, Period.parse("2017/18 Q4"))) == "2017/18 Q3"


def test_the_short_term_arrow_skips_quarters_when_not_due():
    period = Period.parse("2017/18 Q4")
    record = ReturnRecord(
        indicator_id="CL14", period=str(period), status=Status.AVAILABLE, value=3.1
    )
    history = History([HistoryPoint(indicator_id="CL14", period="2017/18 Q2", value=3.3)])
    report = build_report(
        Register(indicators=[NEET]), period, Collected([], {"CL14": record}, set(), [], []), history
    )
    [row] = report.rows
    assert row.short_term.direction.value == "better"
    assert row.short_term.compared_with.period == "2017/18 Q2"
