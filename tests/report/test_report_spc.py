"""The report's SPC: the whole history of the same kind of period, plus this period's figure."""

import json

from kpi_excel.core.models import (
    Basis,
    HistoryPoint,
    Indicator,
    Register,
    ReturnRecord,
    Status,
    Target,
    TargetKind,
)
from kpi_excel.core.periods import Period
from kpi_excel.history.files import History
from kpi_excel.report.build import build_report, report_json
from kpi_excel.returns.collect import Collected

CALLS = Indicator(
    id="M1",
    section="S",
    service_area="A",
    name="Calls answered in 20 seconds",
    polarity="bigger",
    frequency="monthly",
    annual_target=Target(kind=TargetKind.VALUE, value=50),
)
PERIOD = Period.parse("2019/20 M06")


def _report(indicator, history_values, figure, *, extra=()):
    months = PERIOD.recent(len(history_values) + 1)[:-1]
    points = [
        HistoryPoint(indicator_id=indicator.id, period=str(m), value=v)
        for m, v in zip(months, history_values, strict=True)
    ]
    record = ReturnRecord(
        indicator_id=indicator.id, period=str(PERIOD), status=Status.AVAILABLE, value=figure
    )
    collected = Collected([], {indicator.id: record}, set(), [], [])
    history = History([*points, *extra])
    return build_report(Register(indicators=[indicator]), PERIOD, collected, history)


def test_spc_uses_the_whole_history_and_this_months_figure():
    report = _report(CALLS, [60.0, 62.0] * 10, 90.0)
    [row] = report.rows
    assert len(row.history) == 8  # the sparkline keeps eight
    assert len(row.spc.points) == 21
    assert str(row.spc.points[-1].period) == "2019/20 M06"
    entry = json.loads(json.dumps(report_json(report)))["indicators"][0]["spc"]
    assert entry["variation"] == "improvement"
    assert entry["assurance"] == "pass"
    assert entry["rule"] == "beyond_limit"
    assert entry["mean"] < entry["upper_limit"] < 90
    assert len(entry["points"]) == 21


def test_quarters_and_years_stay_out_of_a_monthly_chart():
    extra = [
        HistoryPoint(indicator_id="M1", period="2018/19 Q4", value=1000.0),
        HistoryPoint(indicator_id="M1", period="2018/19", value=1000.0),
    ]
    [row] = _report(CALLS, [60.0, 62.0] * 10, 61.0, extra=extra).rows
    assert len(row.spc.points) == 21
    assert row.spc.variation.value == "common_cause"


def test_too_little_history_gives_a_run_chart_and_null_icons():
    report = _report(CALLS, [60.0, 62.0] * 3, 61.0)
    entry = report_json(report)["indicators"][0]["spc"]
    assert entry["run_chart"] is True
    assert (entry["variation"], entry["assurance"], entry["mean"]) == (None, None, None)


def test_year_to_date_figures_get_no_chart():
    ytd = CALLS.model_copy(update={"basis": Basis.CUMULATIVE})
    report = _report(ytd, [60.0, 62.0] * 10, 61.0)
    assert report_json(report)["indicators"][0]["spc"] is None


def test_a_changed_definition_restarts_the_limits():
    changed = CALLS.model_copy(update={"definition_changed": "2018/19 M04"})
    [row] = _report(changed, [10.0, 12.0] * 7 + [60.0, 62.0] * 7, 61.0).rows
    assert row.spc.mean == 61.0
    assert row.spc.points[0].mean == 11.0


def _report_with(indicator, history_values, figure, **settings):
    months = PERIOD.recent(len(history_values) + 1)[:-1]
    points = [
        HistoryPoint(indicator_id=indicator.id, period=str(m), value=v)
        for m, v in zip(months, history_values, strict=True)
    ]
    record = ReturnRecord(
        indicator_id=indicator.id, period=str(PERIOD), status=Status.AVAILABLE, value=figure
    )
    collected = Collected([], {indicator.id: record}, set(), [], [])
    register = Register(indicators=[indicator])
    register = register.model_copy(
        update={"settings": register.settings.model_copy(update=settings)}
    )
    return build_report(register, PERIOD, collected, History(points))


def test_the_registers_shift_length_decides_a_shift():
    """Six points above the mean, the last this month's: a shift at 6, common cause at 7."""
    values = [50.0, 54.0, 46.0, 53.0, 47.0, 52.0, 48.0, 50.0, 49.0, 51.0, 50.0, 49.0]
    values += [52.0, 53.0, 52.5, 53.5, 52.0]
    [at_six] = _report_with(CALLS, values, 53.0).rows
    [at_seven] = _report_with(CALLS, values, 53.0, spc_shift_length=7).rows
    assert (at_six.spc.rule, at_six.spc.variation) == ("shift", "improvement")
    assert at_seven.spc.variation == "common_cause" and at_seven.spc.shift_length == 7


def test_a_process_change_in_the_register_starts_the_limits_again():
    changed = CALLS.model_copy(update={"process_change": "2018/19 M04"})
    values = [20.0, 21.0, 19.0, 20.5, 19.5] * 3 + [60.0, 61.0, 59.0, 60.5, 59.5] * 3
    [before] = _report_with(CALLS, values, 60.0).rows
    [after] = _report_with(changed, values, 60.0).rows
    assert before.spc.mean < 50 < after.spc.mean  # the new stretch's mean, not the whole's
    assert after.spc.points[-1].mean == after.spc.mean
