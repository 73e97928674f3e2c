"""The XmR engine: every rule and icon, with the ties, from tables of cases."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.core.models import Polarity
from kpi_excel.core.periods import Period
from kpi_excel.core.spc import (
    Assurance,
    Side,
    SpcPoint,
    SpcRule,
    Variation,
    assurance_icon,
    beyond_limits,
    process_centre,
    shifts,
    trends,
    two_of_three,
    variation_icon,
    xmr,
)

BASE = [9.0, 11.0] * 6  # mean 10, every moving range 2: common cause throughout


def periods(n):
    """n months in a row, from April 2015: P(i) is the i-th."""
    found = [Period.parse("2015/16 M01")]
    while len(found) < n:
        found.append(found[-1].next())
    return found[:n]


def P(index):
    return periods(index + 1)[index]


def chart(values, polarity=Polarity.BIGGER, **kwargs):
    return xmr(periods(len(values)), values, polarity=polarity, **kwargs)


def flagged(flags):
    return sorted({i for i, _, _ in flags})


# ---- the limits ----------------------------------------------------------------------------


def test_limits_are_mean_plus_or_minus_2_66_mean_moving_ranges():
    result = chart([*BASE, 10.0])
    mean, moving_range = process_centre([*BASE, 10.0])
    assert moving_range == pytest.approx((11 * 2 + 1) / 12)
    assert result.mean == pytest.approx(mean)
    assert result.upper_limit == pytest.approx(mean + 2.66 * moving_range)
    assert result.lower_limit == pytest.approx(mean - 2.66 * moving_range)
    assert result.variation is Variation.COMMON_CAUSE
    assert result.rule is None


def test_twelve_points_give_a_run_chart_and_no_icons():
    result = chart(BASE, target=5)
    assert result.run_chart
    assert (result.variation, result.assurance, result.mean, result.upper_limit) == (
        None,
        None,
        None,
        None,
    )
    assert all(not p.special_cause for p in result.points)


def test_thirteen_points_are_enough():
    assert not chart([*BASE, 10.0]).run_chart


# ---- beyond a limit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.66, []), (12.67, [0]), (7.34, []), (7.33, [0]), (10.0, [])],
    ids=["on upper", "above upper", "on lower", "below lower", "on mean"],
)
def test_beyond_limits_is_strict(value, expected):
    assert flagged(beyond_limits([value], 12.66, 7.34)) == expected


# ---- shifts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "length", "expected"),
    [
        ([11] * 6, 6, [0, 1, 2, 3, 4, 5]),
        ([11] * 5, 6, []),
        ([9] * 6, 6, [0, 1, 2, 3, 4, 5]),
        ([11] * 6, 7, []),
        ([11] * 7, 7, list(range(7))),
        ([11] * 8, 8, list(range(8))),
        ([11, 11, 11, 10, 11, 11, 11], 6, []),  # a point on the mean breaks the run
        ([11, 11, 11, 9, 11, 11, 11], 6, []),
        ([9, 11, 11, 11, 11, 11, 11, 9], 6, [1, 2, 3, 4, 5, 6]),
    ],
)
def test_shift_of_n_points_on_one_side_of_the_mean(values, length, expected):
    assert flagged(shifts(values, 10, length)) == expected


def test_shift_side_follows_the_mean():
    assert {side for _, _, side in shifts([11] * 6, 10, 6)} == {Side.HIGH}
    assert {side for _, _, side in shifts([9] * 6, 10, 6)} == {Side.LOW}


# ---- trends --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected", "side"),
    [
        ([1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5], Side.HIGH),
        ([6, 5, 4, 3, 2, 1], [0, 1, 2, 3, 4, 5], Side.LOW),
        ([1, 2, 3, 4, 5], [], None),
        ([1, 2, 3, 3, 4, 5, 6], [], None),  # a repeated value breaks the trend
        ([1, 2, 3, 4, 5, 5, 6, 7], [], None),
        ([0, 5, 1, 2, 3, 4, 5, 6, 2], [2, 3, 4, 5, 6, 7], Side.HIGH),
        ([9, 1, 2, 3, 4, 5, 6, 7], list(range(1, 8)), Side.HIGH),
    ],
    ids=["rising", "falling", "five only", "repeat", "repeat late", "inside", "after a fall"],
)
def test_trend_of_six_strictly_rising_or_falling(values, expected, side):
    flags = trends(values)
    assert flagged(flags) == expected
    assert {s for _, _, s in flags} == ({side} if side else set())


# ---- two of three beyond 2 sigma -----------------------------------------------------------

TWO_SIGMA = 2.0  # lines at 8 and 12 around a mean of 10


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([12.5, 11, 12.5], [0, 2]),
        ([12.5, 12.5, 11], [0, 1]),
        ([12, 12, 12.5], []),  # on the line is not beyond it
        ([12.5, 9, 12.5], []),  # the middle point is across the mean
        ([12.5, 10, 12.5], []),  # a point on the mean is on neither side
        ([7.5, 9, 7.5], [0, 2]),
        ([12.5, 7.5, 12.5], []),  # beyond different lines
        ([20, 11, 12.5], [0, 2]),  # beyond the limit counts as beyond 2 sigma
        ([12.5, 11, 11, 12.5], []),
    ],
)
def test_two_of_three_beyond_the_same_two_sigma_line(values, expected):
    assert flagged(two_of_three(values, 10, TWO_SIGMA)) == expected


# ---- icons ---------------------------------------------------------------------------------


def _point(side=None, upper=14.0, lower=6.0):
    return SpcPoint(
        period=P(0),
        value=10,
        mean=10,
        upper_limit=upper,
        lower_limit=lower,
        rules=[SpcRule.SHIFT] if side else [],
        side=side,
    )


@pytest.mark.parametrize(
    ("side", "polarity", "expected"),
    [
        (None, Polarity.BIGGER, Variation.COMMON_CAUSE),
        (None, Polarity.NONE, Variation.COMMON_CAUSE),
        (Side.HIGH, Polarity.BIGGER, Variation.IMPROVEMENT),
        (Side.LOW, Polarity.BIGGER, Variation.CONCERN),
        (Side.HIGH, Polarity.SMALLER, Variation.CONCERN),
        (Side.LOW, Polarity.SMALLER, Variation.IMPROVEMENT),
        (Side.HIGH, Polarity.NONE, Variation.NEITHER_HIGH),
        (Side.LOW, Polarity.NONE, Variation.NEITHER_LOW),
        (Side.HIGH, Polarity.RANGE, Variation.NEITHER_HIGH),
        (Side.LOW, Polarity.RANGE, Variation.NEITHER_LOW),
    ],
)
def test_variation_icon(side, polarity, expected):
    assert variation_icon(_point(side), polarity) is expected


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (5, Polarity.BIGGER, Assurance.PASS),
        (6, Polarity.BIGGER, Assurance.PASS),  # on the lower limit: every point meets it
        (10, Polarity.BIGGER, Assurance.HIT_OR_MISS),
        (14, Polarity.BIGGER, Assurance.FAIL),  # on the upper limit
        (15, Polarity.BIGGER, Assurance.FAIL),
        (15, Polarity.SMALLER, Assurance.PASS),
        (14, Polarity.SMALLER, Assurance.PASS),
        (10, Polarity.SMALLER, Assurance.HIT_OR_MISS),
        (6, Polarity.SMALLER, Assurance.FAIL),
        (None, Polarity.BIGGER, None),
        (10, Polarity.NONE, None),
        (10, Polarity.RANGE, None),
    ],
)
def test_assurance_icon(target, polarity, expected):
    assert assurance_icon(_point(), polarity, target) is expected


def test_assurance_needs_limits():
    assert assurance_icon(SpcPoint(period=P(0), value=1), Polarity.BIGGER, 5) is None


# ---- whole charts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "polarity", "variation", "rule"),
    [
        (30.0, Polarity.BIGGER, Variation.IMPROVEMENT, SpcRule.BEYOND_LIMIT),
        (30.0, Polarity.SMALLER, Variation.CONCERN, SpcRule.BEYOND_LIMIT),
        (-10.0, Polarity.BIGGER, Variation.CONCERN, SpcRule.BEYOND_LIMIT),
        (30.0, Polarity.NONE, Variation.NEITHER_HIGH, SpcRule.BEYOND_LIMIT),
        (-10.0, Polarity.NONE, Variation.NEITHER_LOW, SpcRule.BEYOND_LIMIT),
    ],
)
def test_latest_point_decides_the_icon(last, polarity, variation, rule):
    result = chart([*BASE, last], polarity)
    assert (result.variation, result.rule) == (variation, rule)
    assert result.points[-1].rules[0] is rule


def test_shift_at_the_end_gives_improvement():
    values = [*BASE, 9.0, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5]
    result = chart(values)
    assert result.mean < 10.5
    assert result.rule is SpcRule.SHIFT
    assert result.variation is Variation.IMPROVEMENT


def test_a_seven_point_setting_ignores_a_six_point_shift():
    values = [*BASE, 9.0, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5]
    assert chart(values, shift_length=7).variation is Variation.COMMON_CAUSE


def test_shift_length_outside_six_to_eight_is_refused():
    with pytest.raises(ValueError, match="6, 7 or 8"):
        chart(BASE, shift_length=5)


def test_a_special_cause_earlier_does_not_decide_the_icon():
    result = chart([30.0, *BASE, *BASE])
    assert result.points[0].rules == (SpcRule.BEYOND_LIMIT,)
    assert result.variation is Variation.COMMON_CAUSE


def test_limits_are_recalculated_only_from_a_named_period():
    before = [*BASE, 10.0]
    after = [v + 20 for v in [*BASE, 10.0]]
    values = before + after
    whole = chart(values)
    assert whole.mean == pytest.approx(20)
    split = chart(values, recalculate_from=[P(13)])
    assert split.mean == pytest.approx(30)
    assert split.points[0].mean == pytest.approx(10)
    assert split.points[13].mean == pytest.approx(30)
    assert split.variation is Variation.COMMON_CAUSE


def test_a_short_stretch_after_a_change_is_a_run_chart():
    values = [*BASE, 10.0, 30.0, 31.0]
    result = chart(values, recalculate_from=[P(13)])
    assert result.run_chart
    assert result.variation is None
    assert result.points[0].mean is not None


def test_the_latest_rule_is_the_highest_ranked_of_those_that_fire():
    values = [*BASE, 10.5, 10.5, 10.5, 10.5, 10.5, 40.0]
    result = chart(values)
    assert result.points[-1].rules[0] is SpcRule.BEYOND_LIMIT
    assert result.rule is SpcRule.BEYOND_LIMIT


# ---- properties ----------------------------------------------------------------------------

series = st.lists(
    st.integers(min_value=-1000, max_value=1000).map(float), min_size=13, max_size=40
).filter(lambda values: len(set(values)) > 1)


@given(series)
def test_mirroring_a_series_and_its_polarity_keeps_the_icon_meaning(values):
    plain = chart(values, Polarity.BIGGER, target=0.0)
    mirrored = chart([-v for v in values], Polarity.SMALLER, target=0.0)
    assert mirrored.variation is plain.variation
    assert mirrored.assurance is plain.assurance


@given(series)
def test_mirroring_a_series_swaps_improvement_and_concern(values):
    swap = {Variation.IMPROVEMENT: Variation.CONCERN, Variation.CONCERN: Variation.IMPROVEMENT}
    plain = chart(values, Polarity.BIGGER)
    mirrored = chart([-v for v in values], Polarity.BIGGER)
    assert mirrored.variation is swap.get(plain.variation, plain.variation)
    assert [p.rules for p in mirrored.points] == [p.rules for p in plain.points]


@given(series, st.integers(min_value=-500, max_value=500))
def test_adding_a_constant_shifts_mean_and_limits(values, constant):
    plain = chart(values)
    moved = chart([v + constant for v in values])
    assert moved.mean == pytest.approx(plain.mean + constant)
    assert moved.upper_limit == pytest.approx(plain.upper_limit + constant)
    assert moved.lower_limit == pytest.approx(plain.lower_limit + constant)
    assert moved.variation is plain.variation


# ---- worked examples: NHS England A&E attendances, April 2016 to March 2019 ------------------
# Monthly totals of all A&E attendances in England (NHS England A&E Attendances and Emergency
# Admissions statistics, as packaged in NHSRdatasets::ae_attendances). The expected means,
# limits and point types are those the NHS-R Community's NHSRplotthedots package published in
# its integration-test snapshots (tests/testthat/_snaps/integration_tests.md, commit 0c096d8).
# See docs/spc.md.

AE_ATTENDANCES = [
    1867781, 2070340, 1958802, 2079034, 1932901, 1952464, 2001816, 1907871, 1944567,
    1895272, 1735619, 2015834, 1949762, 2066789, 1994056, 2073944, 1924663, 1925961,
    2044137, 1976971, 2003954, 2000086, 1820012, 2049785, 1984369, 2164458, 2093942,
    2179896, 1997854, 2005695, 2079492, 2037847, 2047518, 2113413, 1954947, 2167550,
]  # fmt: skip

AE_FOUR_HOUR_PERFORMANCE = [
    0.900351272446, 0.902755586039, 0.905599442925, 0.902852478603, 0.909763097024,
    0.906478685394, 0.890530897945, 0.883790361088, 0.861759455961, 0.851413411901,
    0.875309039599, 0.900094948294, 0.905152526308, 0.897003516082, 0.907251852506,
    0.903478589586, 0.902992887586, 0.896660939656, 0.899418678885, 0.887665524684,
    0.849850345866, 0.852991821352, 0.850447689356, 0.846212163715, 0.885724882822,
    0.903901115198, 0.907629724223, 0.893194904711, 0.897270271001, 0.889436828630,
    0.890093349722, 0.876044668712, 0.864463218394, 0.843525141560, 0.842252500963,
    0.866042767180,
]  # fmt: skip


def test_worked_example_ae_attendances():
    result = chart([float(v) for v in AE_ATTENDANCES], Polarity.NONE)
    assert result.mean == pytest.approx(2000538.9444, abs=1e-4)
    assert result.lower_limit == pytest.approx(1731844.3644, abs=1e-4)
    assert result.upper_limit == pytest.approx(2269233.5244, abs=1e-4)
    assert all(not p.special_cause for p in result.points)
    assert result.variation is Variation.COMMON_CAUSE


def test_worked_example_ae_attendances_recalculated_from_april_2017():
    result = chart([float(v) for v in AE_ATTENDANCES], Polarity.NONE, recalculate_from=[P(12)])
    assert result.mean == pytest.approx(2027379.2083, abs=1e-4)
    assert result.lower_limit == pytest.approx(1772921.0640, abs=1e-4)
    assert result.upper_limit == pytest.approx(2281837.3527, abs=1e-4)
    # NHSRplotthedots draws limits for the first twelve months too; MDC asks for 13 points
    assert result.points[0].mean is None


# NHSRplotthedots' published point types for this series: I improvement, C concern, . common
AE_PERFORMANCE_PUBLISHED = "IIIIIII..C.IIIIIIIIICCCCIIIIIII..CC."


def test_worked_example_ae_performance_with_screened_moving_ranges():
    result = chart(AE_FOUR_HOUR_PERFORMANCE, screen_moving_ranges=True, shift_length=7)
    assert result.mean == pytest.approx(0.884705683, abs=1e-9)
    assert result.lower_limit == pytest.approx(0.860447213, abs=1e-9)
    assert result.upper_limit == pytest.approx(0.908964153, abs=1e-9)
    letters = {Side.HIGH: "I", Side.LOW: "C", None: "."}
    ours = "".join(letters[p.side] for p in result.points)
    differences = {
        i: result.points[i].rules
        for i, (a, b) in enumerate(zip(ours, AE_PERFORMANCE_PUBLISHED, strict=True))
        if a != b
    }
    # only where NHSE's v2.6 rules differ from that package's: a trend is 6 points, not 7
    # (points 7 and 8), and points beyond a limit count towards two of three (8, 32 and 35)
    assert differences == {
        7: (SpcRule.TREND,),
        8: (SpcRule.TWO_OF_THREE, SpcRule.TREND),
        32: (SpcRule.TWO_OF_THREE,),
        35: (SpcRule.TWO_OF_THREE,),
    }
    assert result.variation is Variation.CONCERN


def test_worked_example_ae_performance_unscreened_limits():
    result = chart(AE_FOUR_HOUR_PERFORMANCE)
    mean, moving_range = process_centre(AE_FOUR_HOUR_PERFORMANCE)
    assert result.upper_limit == pytest.approx(mean + 2.66 * moving_range)


def test_a_flat_series_has_its_limits_on_the_mean_and_no_signal():
    result = chart([5.0] * 14, target=5.0)
    assert result.mean == result.upper_limit == result.lower_limit == 5.0
    assert result.variation is Variation.COMMON_CAUSE
    assert result.assurance is Assurance.PASS  # a target on the lower limit is met every time


def test_periods_and_values_must_pair():
    with pytest.raises(ValueError, match="one period per value"):
        xmr([P(1)], [1.0, 2.0], polarity=Polarity.BIGGER)


def test_no_points_is_a_run_chart():
    result = xmr([], [], polarity=Polarity.BIGGER)
    assert result.run_chart and result.points == []
