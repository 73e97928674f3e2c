"""Tests for resolve_target: which target is in force for a period (domain notes section 2)."""

from __future__ import annotations

import pytest

from kpi_excel.core.models import Basis, Indicator, Polarity, Target, TargetKind
from kpi_excel.core.periods import Period
from kpi_excel.core.targets import resolve_target

DERIVE = Target(kind=TargetKind.DERIVE)


def value(number: float) -> Target:
    return Target(kind=TargetKind.VALUE, value=number)


def indicator(annual: Target, quarters=(DERIVE,) * 4, **fields: object) -> Indicator:
    return Indicator(
        id="KPI1",
        section="Test",
        service_area="Test",
        name="Test indicator",
        polarity=Polarity.BIGGER,
        annual_target=annual,
        quarter_targets=quarters,
        **fields,
    )


CUMULATIVE = {"basis": Basis.CUMULATIVE}

# (case, indicator, period, expected target)
CASES = [
    (
        "explicit quarter target wins",
        indicator(value(660), (value(145), DERIVE, DERIVE, DERIVE), **CUMULATIVE),
        "2017/18 Q1",
        value(145),
    ),
    (
        "explicit N/A wins",
        indicator(value(1330), (Target(kind=TargetKind.NONE),) + (DERIVE,) * 3),
        "2017/18 Q1",
        Target(kind=TargetKind.NONE),
    ),
    ("snapshot keeps the annual target", indicator(value(95)), "2017/18 Q3", value(95)),
    ("cumulative linear Q1", indicator(value(20), **CUMULATIVE), "2017/18 Q1", value(5)),
    ("cumulative linear Q4", indicator(value(20), **CUMULATIVE), "2017/18 Q4", value(20)),
    (
        "cumulative seasonal",
        indicator(value(100), profile=(1, 3, 3, 3), **CUMULATIVE),
        "2017/18 Q2",
        value(40),
    ),
    (
        "cumulative TBC stays TBC",
        indicator(Target(kind=TargetKind.TBC), **CUMULATIVE),
        "2017/18 Q1",
        Target(kind=TargetKind.TBC),
    ),
    (
        "year period uses the annual target",
        indicator(value(20), **CUMULATIVE),
        "2017/18",
        value(20),
    ),
    ("nothing to derive from", indicator(DERIVE), "2017/18 Q1", Target(kind=TargetKind.NONE)),
]


@pytest.mark.parametrize(
    ("ind", "period", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_resolve_target(ind, period, expected):
    resolved = resolve_target(ind, Period.parse(period))
    assert resolved.target.kind is expected.kind
    assert resolved.target.value == pytest.approx(expected.value)
    assert resolved.how


@pytest.mark.parametrize(
    ("quarters", "period", "expected"),
    [
        ((DERIVE,) * 4, "2017/18 M01", 100),  # 1/12 of 1200, linear
        ((DERIVE,) * 4, "2017/18 M05", 500),
        ((DERIVE,) * 4, "2017/18 M12", 1200),
        ((value(350), DERIVE, DERIVE, DERIVE), "2017/18 M03", 350),  # the quarter's end
        ((value(350), DERIVE, DERIVE, DERIVE), "2017/18 M02", 200),  # mid-quarter: profiled
    ],
)
def test_monthly_targets_of_a_cumulative_indicator(quarters, period, expected):
    resolved = resolve_target(indicator(value(1200), quarters, **CUMULATIVE), Period.parse(period))
    assert resolved.target.value == pytest.approx(expected)


def test_monthly_target_of_a_snapshot_indicator_is_its_quarters():
    kpi = indicator(value(90), (value(80), DERIVE, DERIVE, DERIVE))
    assert resolve_target(kpi, Period.parse("2017/18 M02")).target == value(80)
    assert resolve_target(kpi, Period.parse("2017/18 M04")).target == value(90)


def test_previous_due_period_of_a_month_is_the_month_before():
    from kpi_excel.core.targets import previous_due_period

    kpi = indicator(value(90))
    assert str(previous_due_period(kpi, Period.parse("2017/18 M01"))) == "2016/17 M12"
