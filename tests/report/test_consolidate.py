from conftest import SAMPLES

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
    assert str(row.short_term.compared_with.period) == "2017/18 Q2"


def test_an_indicator_gone_from_the_register_is_named_once(tmp_path):
    """A figure last quarter for an id the register no longer has: retired, or renamed (which
    loses its history). The team is told, and the board and web page are still written."""
    from kpi_excel.board import write_board_workbook
    from kpi_excel.core.models import HistoryPoint
    from kpi_excel.core.periods import Period
    from kpi_excel.history.files import History
    from kpi_excel.register.loader import load_register
    from kpi_excel.web import write_html_report

    register = load_register(SAMPLES / "register.xlsx")
    period = Period.parse("2017/18 Q1")
    history = History(
        [
            HistoryPoint(indicator_id="ZZ99", period="2016/17 Q4", value=5.0),
            HistoryPoint(indicator_id="ZZ99", period="2016/17 Q1", value=4.0),
            HistoryPoint(indicator_id="ZZ98", period="2015/16 Q1", value=4.0),  # long gone
        ]
    )
    collected = Collected([], {}, set(), [], [])
    report = build_report(register, period, collected, history)
    retired = [p for p in report.problems if p.code == "indicator-retired"]
    assert [(p.indicator_id, p.severity.value) for p in retired] == [("ZZ99", "warning")]
    assert "2016/17 Q4" in retired[0].message or "2016/17 Q1" in retired[0].message
    write_board_workbook(report, tmp_path / "board.xlsx")
    write_html_report(report, tmp_path / "board.html")
