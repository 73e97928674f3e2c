"""Tests for the rules engine: RAG ratings, direction of travel, published arrows.

Tables of cases cover every boundary in domain notes sections 3 and 4; property tests check the
symmetries; the Havering Q1 2017/18 transcription checks all 34 rows of a real report.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.core.models import (
    RAG,
    Basis,
    Direction,
    Frequency,
    HistoryPoint,
    Indicator,
    Polarity,
    ResolvedTarget,
    ReturnRecord,
    Settings,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Unit,
)
from kpi_excel.core.periods import Period
from kpi_excel.core.rules import check_published_arrow, rate, trend

Q1 = Period.parse("2017/18 Q1")
SETTINGS = Settings()

BIG, SMALL, RANGE, NOPOL = Polarity.BIGGER, Polarity.SMALLER, Polarity.RANGE, Polarity.NONE
NO_BAND = Tolerance()


def rel(amount: float) -> Tolerance:
    return Tolerance(kind=ToleranceKind.RELATIVE, amount=amount)


def absolute(amount: float) -> Tolerance:
    return Tolerance(kind=ToleranceKind.ABSOLUTE, amount=amount)


def limit(amount: float) -> Tolerance:
    return Tolerance(kind=ToleranceKind.LIMIT, amount=amount)


def indicator(polarity: Polarity = BIG, **fields: object) -> Indicator:
    base: dict[str, object] = {
        "id": "KPI1",
        "section": "Test",
        "service_area": "Test",
        "name": "Test indicator",
        "polarity": polarity,
        "unit": Unit.PERCENT,
    }
    return Indicator(**(base | fields))


def value(number: float) -> ResolvedTarget:
    return ResolvedTarget(target=Target(kind=TargetKind.VALUE, value=number), how="explicit")


def band(low: float, high: float) -> ResolvedTarget:
    return ResolvedTarget(
        target=Target(kind=TargetKind.RANGE, value=low, high=high), how="explicit"
    )


def kind(target_kind: TargetKind, number: float | None = None, label: str | None = None):
    target = Target(kind=target_kind, value=number, label=label)
    return ResolvedTarget(target=target, how="explicit")


def record(number: float | None, status: Status = Status.AVAILABLE) -> ReturnRecord:
    return ReturnRecord(indicator_id="KPI1", period=str(Q1), status=status, value=number)


def point(number: float | None, period: str = "2016/17 Q4", token: str | None = None):
    return HistoryPoint(indicator_id="KPI1", period=period, value=number, token=token)


# --- RAG ------------------------------------------------------------------------------------

G, A, R = RAG.GREEN, RAG.AMBER, RAG.RED

# (case, indicator fields, target, actual, expected RAG)
RAG_CASES = [
    ("bigger above target", {}, value(95), 99, G),
    ("bigger equal to target", {}, value(95), 95, G),
    ("bigger below, no band", {}, value(95), 94, R),
    ("smaller below target", {"polarity": SMALL}, value(10), 9, G),
    ("smaller equal to target", {"polarity": SMALL}, value(10), 10, G),
    ("smaller above, no band", {"polarity": SMALL}, value(10), 11, R),
    # Display rounding: 94.96 shows as 95.0, so it is on target.
    ("rounds up onto target", {"decimals": 1}, value(95), 94.96, G),
    ("rounds down off target", {"decimals": 1}, value(95), 94.94, R),
    ("target rounded too", {"decimals": 0}, value(95.4), 95, G),
    ("half rounds away from zero", {"decimals": 0}, value(95), 94.5, G),
    # Relative band: 5% of 95 is 4.75, edge 90.25, inclusive despite floats.
    ("relative inside", {"tolerance": rel(5)}, value(95), 94, A),
    ("relative on the edge", {"decimals": 2, "tolerance": rel(5)}, value(95), 90.25, A),
    ("relative one step beyond", {"decimals": 2, "tolerance": rel(5)}, value(95), 90.24, R),
    ("relative float edge", {"decimals": 2, "tolerance": rel(10)}, value(0.3), 0.27, A),
    ("relative float beyond", {"decimals": 2, "tolerance": rel(10)}, value(0.3), 0.26, R),
    ("relative smaller edge", {"polarity": SMALL, "tolerance": rel(10)}, value(10), 11, A),
    (
        "relative smaller beyond",
        {"polarity": SMALL, "decimals": 1, "tolerance": rel(10)},
        value(10),
        11.1,
        R,
    ),
    ("relative negative target", {"decimals": 1, "tolerance": rel(10)}, value(-10), -11, A),
    # Absolute band, in percentage points.
    ("absolute on the edge", {"tolerance": absolute(2)}, value(95), 93, A),
    ("absolute one step beyond", {"decimals": 1, "tolerance": absolute(2)}, value(95), 92.9, R),
    ("absolute float edge", {"decimals": 1, "tolerance": absolute(0.1)}, value(0.3), 0.2, A),
    ("absolute smaller edge", {"polarity": SMALL, "tolerance": absolute(2)}, value(10), 12, A),
    ("absolute smaller beyond", {"polarity": SMALL, "tolerance": absolute(2)}, value(10), 13, R),
    # Limit: the amount is the amber limit value itself.
    ("limit bigger on the limit", {"tolerance": limit(90)}, value(95), 90, A),
    ("limit bigger inside", {"tolerance": limit(90)}, value(95), 92, A),
    ("limit bigger beyond", {"tolerance": limit(90)}, value(95), 89, R),
    ("limit smaller on the limit", {"polarity": SMALL, "tolerance": limit(12)}, value(10), 12, A),
    ("limit smaller beyond", {"polarity": SMALL, "tolerance": limit(12)}, value(10), 13, R),
    ("limit on the wrong side", {"tolerance": limit(99)}, value(95), 94, R),
    ("limit on target still green", {"tolerance": limit(90)}, value(95), 95, G),
    # Target zero: no division; a relative band is empty, an absolute one still works.
    (
        "zero target on it",
        {"polarity": SMALL, "unit": Unit.NUMBER, "tolerance": rel(10)},
        value(0),
        0,
        G,
    ),
    (
        "zero target relative",
        {"polarity": SMALL, "unit": Unit.NUMBER, "tolerance": rel(10)},
        value(0),
        1,
        R,
    ),
    (
        "zero target absolute",
        {"polarity": SMALL, "unit": Unit.NUMBER, "tolerance": absolute(1)},
        value(0),
        1,
        A,
    ),
    ("zero target bigger", {"unit": Unit.NUMBER}, value(0), 0, G),
    # Range polarity: inclusive edges, tolerance from the nearest edge.
    ("range inside", {"polarity": RANGE}, band(90, 95), 92, G),
    ("range low edge", {"polarity": RANGE}, band(90, 95), 90, G),
    ("range high edge", {"polarity": RANGE}, band(90, 95), 95, G),
    ("range below, no band", {"polarity": RANGE}, band(90, 95), 89, R),
    ("range above, no band", {"polarity": RANGE}, band(90, 95), 96, R),
    (
        "range below on relative edge",
        {"polarity": RANGE, "decimals": 2, "tolerance": rel(5)},
        band(90, 95),
        85.5,
        A,
    ),
    (
        "range below beyond relative",
        {"polarity": RANGE, "decimals": 2, "tolerance": rel(5)},
        band(90, 95),
        85.49,
        R,
    ),
    (
        "range above on relative edge",
        {"polarity": RANGE, "decimals": 2, "tolerance": rel(5)},
        band(90, 95),
        99.75,
        A,
    ),
    (
        "range above beyond relative",
        {"polarity": RANGE, "decimals": 2, "tolerance": rel(5)},
        band(90, 95),
        99.76,
        R,
    ),
    ("range absolute edge", {"polarity": RANGE, "tolerance": absolute(3)}, band(90, 95), 98, A),
    ("range limit below", {"polarity": RANGE, "tolerance": limit(85)}, band(90, 95), 85, A),
    ("range limit other side", {"polarity": RANGE, "tolerance": limit(85)}, band(90, 95), 96, R),
    ("range reversed ends", {"polarity": RANGE}, band(95, 90), 92, G),
    ("range with one value", {"polarity": RANGE}, value(5), 5, G),
    # Comparator: rated as a value target with the comparator's value.
    (
        "comparator better",
        {"polarity": SMALL, "unit": Unit.NUMBER},
        kind(TargetKind.COMPARATOR, 184, "Better than England"),
        157,
        G,
    ),
    (
        "comparator equal",
        {"polarity": SMALL, "unit": Unit.NUMBER},
        kind(TargetKind.COMPARATOR, 184, "Better than England"),
        184,
        G,
    ),
    (
        "comparator worse",
        {"polarity": SMALL, "unit": Unit.NUMBER},
        kind(TargetKind.COMPARATOR, 184, "Better than England"),
        185,
        R,
    ),
    # Provisional figures are rated normally (the flag is shown elsewhere).
    ("not due but a figure given", {"frequency": Frequency.ANNUAL}, value(95), 96, G),
]


@pytest.mark.parametrize(
    ("fields", "target", "actual", "expected"),
    [case[1:] for case in RAG_CASES],
    ids=[case[0] for case in RAG_CASES],
)
def test_rag(fields, target, actual, expected):
    rating = rate(indicator(**fields), target, record(actual), SETTINGS, Q1)
    assert rating.rag is expected, rating.reason
    assert rating.not_rated is None
    assert rating.reason.endswith(f": {expected}")


def test_settings_default_tolerance_applies_when_indicator_has_none():
    amber_year = Settings(default_tolerance=rel(5))
    assert rate(indicator(), value(95), record(94), amber_year, Q1).rag is A
    # The indicator's own tolerance wins over the year's default.
    own = indicator(tolerance=NO_BAND)
    assert rate(own, value(95), record(94), amber_year, Q1).rag is R


def test_provisional_figure_is_rated():
    provisional = record(83).model_copy(update={"provisional": True})
    assert rate(indicator(), value(95), provisional, SETTINGS, Q1).rag is R


NOT_DUE_RECORD = record(None, Status.NOT_DUE)
NA_RECORD = record(None, Status.NOT_AVAILABLE)

# (case, indicator fields, target, record, expected short label)
NOT_RATED_CASES = [
    ("no polarity", {"polarity": NOPOL}, value(95), record(83), "Data only"),
    ("no polarity beats no return", {"polarity": NOPOL}, value(95), None, "Data only"),
    ("no return", {}, value(95), None, "No return"),
    # marked "not due" although due every quarter: no figure, never a quiet "not due"
    ("status not due", {}, value(95), NOT_DUE_RECORD, "Data not available"),
    (
        "status not due with a figure",
        {},
        value(95),
        record(90, Status.NOT_DUE),
        "Data not available",
    ),
    (
        "biannual in Q1",
        {"frequency": Frequency.BIANNUAL},
        value(95),
        NA_RECORD,
        "Not due: reported biannually",
    ),
    (
        "termly in Q1",
        {"frequency": Frequency.TERMLY},
        value(95),
        record(None),
        "Not due: reported termly",
    ),
    (
        "annual by due quarters",
        {"frequency": Frequency.ANNUAL, "due_quarters": (2,)},
        value(95),
        record(None),
        "Not due: reported annually",
    ),
    ("not available", {}, value(95), NA_RECORD, "Data not available"),
    (
        "not available with a figure",
        {},
        value(95),
        record(90, Status.NOT_AVAILABLE),
        "Data not available",
    ),
    ("available but no value", {}, value(95), record(None), "Data not available"),
    ("not available beats TBC", {}, kind(TargetKind.TBC), NA_RECORD, "Data not available"),
    ("target TBC", {}, kind(TargetKind.TBC), record(90), "Target TBC"),
    ("target N/A", {}, kind(TargetKind.NONE), record(90), "No target"),
    ("target to derive", {}, kind(TargetKind.DERIVE), record(90), "No target"),
    ("value target with no value", {}, kind(TargetKind.VALUE), record(90), "No target"),
    (
        "missing comparator",
        {"polarity": SMALL},
        kind(TargetKind.COMPARATOR, None, "England"),
        record(150),
        "No comparator value",
    ),
    (
        "range with no high",
        {"polarity": RANGE},
        kind(TargetKind.RANGE, 90),
        record(90),
        "No target",
    ),
    ("range target, bigger polarity", {}, band(90, 95), record(90), "Target does not fit polarity"),
]


@pytest.mark.parametrize(
    ("fields", "target", "given", "label"),
    [case[1:] for case in NOT_RATED_CASES],
    ids=[case[0] for case in NOT_RATED_CASES],
)
def test_not_rated(fields, target, given, label):
    rating = rate(indicator(**fields), target, given, SETTINGS, Q1)
    assert rating.rag is None
    assert rating.not_rated == label
    assert rating.reason


def test_year_period_is_always_due():
    annual = indicator(frequency=Frequency.BIANNUAL)
    assert rate(annual, value(95), record(96), SETTINGS, Period.parse("2017/18")).rag is G


# Reasons in the house style, word for word.
REASON_CASES = [
    (
        indicator(),
        value(95),
        83,
        SETTINGS,
        "83% against a 95% target, bigger is better, no amber band: RED",
    ),
    (
        indicator(SMALL, unit=Unit.NUMBER),
        kind(TargetKind.COMPARATOR, 184, "Better than England"),
        157,
        SETTINGS,
        "157 against Better than England (184), smaller is better, on or better than target: GREEN",
    ),
    (
        indicator(tolerance=rel(5)),
        value(95),
        94,
        SETTINGS,
        "94% against a 95% target, bigger is better, within the 5% relative amber band: AMBER",
    ),
    (
        indicator(tolerance=rel(5)),
        value(95),
        80,
        SETTINGS,
        "80% against a 95% target, bigger is better, beyond the 5% relative amber band: RED",
    ),
    (
        indicator(),
        value(80),
        83,
        SETTINGS,
        "83% against an 80% target, bigger is better, on or better than target: GREEN",
    ),
    (
        indicator(tolerance=absolute(2)),
        value(95),
        94,
        SETTINGS,
        "94% against a 95% target, bigger is better, within the absolute amber band of "
        "2 percentage points: AMBER",
    ),
    (
        indicator(SMALL, unit=Unit.NUMBER, decimals=1, suffix="days", tolerance=limit(1.2)),
        value(1),
        1.1,
        SETTINGS,
        "1.1 days against a 1.0 days target, smaller is better, within the amber limit of "
        "1.2 days: AMBER",
    ),
    (
        indicator(RANGE),
        band(90, 95),
        92,
        SETTINGS,
        "92% against a target range of 90% to 95%, inside the range is best, inside the target range: GREEN",
    ),
    (
        indicator(unit=Unit.NUMBER),
        value(11),
        11,
        SETTINGS,
        "11 against an 11 target, bigger is better, on or better than target: GREEN",
    ),
    (
        indicator(unit=Unit.NUMBER),
        value(180),
        190,
        SETTINGS,
        "190 against a 180 target, bigger is better, on or better than target: GREEN",
    ),
]


@pytest.mark.parametrize(("ind", "target", "actual", "settings", "reason"), REASON_CASES)
def test_rating_reason(ind, target, actual, settings, reason):
    assert rate(ind, target, record(actual), settings, Q1).reason == reason


def test_not_due_reason_names_the_quarters():
    biannual = indicator(frequency=Frequency.BIANNUAL)
    rating = rate(biannual, value(95), NA_RECORD, SETTINGS, Q1)
    assert rating.reason == "Not due in 2017/18 Q1: reported biannually, in Q2 and Q4"


# --- direction of travel --------------------------------------------------------------------

B, S, W = Direction.BETTER, Direction.SAME, Direction.WORSE
UP, DOWN = Direction.INCREASE, Direction.DECREASE

# (case, indicator fields, current, previous, settings, term, expected direction)
TREND_CASES = [
    ("bigger rise", {}, 99, 90.6, SETTINGS, "short", B),
    ("bigger fall", {"decimals": 1}, 33.3, 48.9, SETTINGS, "short", W),
    ("bigger equal", {}, 93, 93, SETTINGS, "short", S),
    ("smaller fall is better", {"polarity": SMALL, "decimals": 1}, 0.8, 0.9, SETTINGS, "short", B),
    ("smaller rise is worse", {"polarity": SMALL, "decimals": 1}, 15.9, 14.5, SETTINGS, "short", W),
    ("smaller equal", {"polarity": SMALL, "decimals": 1}, 15.9, 15.9, SETTINGS, "long", S),
    # Equal at display precision is the same, whatever the digits behind.
    ("equal after rounding", {"decimals": 1}, 95.04, 94.96, SETTINGS, "short", S),
    ("one display step apart", {"decimals": 1}, 95.1, 95.0, SETTINGS, "short", B),
    ("within same threshold", {}, 95, 94, Settings(same_threshold=1), "short", S),
    ("beyond same threshold", {}, 95, 93, Settings(same_threshold=1), "short", B),
    ("no polarity rise", {"polarity": NOPOL}, 5, 4, SETTINGS, "short", UP),
    ("no polarity fall", {"polarity": NOPOL}, 3, 4, SETTINGS, "short", DOWN),
    ("no polarity same", {"polarity": NOPOL}, 4, 4, SETTINGS, "short", S),
    ("range with no target is neutral", {"polarity": RANGE}, 5, 4, SETTINGS, "short", UP),
    # Cumulative: a short-term arrow only when the year's settings allow it.
    (
        "cumulative short allowed",
        {"basis": Basis.CUMULATIVE},
        6,
        12,
        Settings(cumulative_short_term=True),
        "short",
        W,
    ),
    (
        "cumulative short refused",
        {"basis": Basis.CUMULATIVE},
        6,
        12,
        Settings(cumulative_short_term=False),
        "short",
        None,
    ),
    (
        "cumulative long always",
        {"basis": Basis.CUMULATIVE},
        6,
        1,
        Settings(cumulative_short_term=False),
        "long",
        B,
    ),
    ("not available now", {}, None, 90, SETTINGS, "short", None),
]


@pytest.mark.parametrize(
    ("fields", "now", "then", "settings", "term", "expected"),
    [case[1:] for case in TREND_CASES],
    ids=[case[0] for case in TREND_CASES],
)
def test_trend(fields, now, then, settings, term, expected):
    result = trend(indicator(**fields), record(now), point(then), settings, term=term, period=Q1)
    assert result.direction is expected, result.reason
    assert result.compared_with == point(then)


RANGE_TARGET = Target(kind=TargetKind.RANGE, value=90, high=95)

# (case, current, previous, expected): better means closer to the range
RANGE_TREND_CASES = [
    ("into the range from below", 92, 85, B),
    ("out of the range above", 97, 93, W),
    ("closer from above", 96, 99, B),
    ("both inside is same", 91, 94, S),
    ("same distance either side", 88, 97, S),
    ("further below", 80, 85, W),
]


@pytest.mark.parametrize(
    ("now", "then", "expected"),
    [case[1:] for case in RANGE_TREND_CASES],
    ids=[case[0] for case in RANGE_TREND_CASES],
)
def test_trend_range(now, then, expected):
    ind = indicator(RANGE)
    result = trend(
        ind, record(now), point(then), SETTINGS, term="long", period=Q1, target=RANGE_TARGET
    )
    assert result.direction is expected, result.reason


# (case, indicator fields, current record, previous point, reason)
NO_ARROW_CASES = [
    ("no return", {}, None, point(90), "No figure this period"),
    ("not available", {}, NA_RECORD, point(90), "No figure this period"),
    ("no earlier figure", {}, record(90), None, "No earlier figure"),
    ("new indicator", {}, record(90), point(None, token="NEW"), "New indicator: no earlier figure"),
    (
        "new even with a value",
        {},
        record(90),
        point(80, token="new"),
        "New indicator: no earlier figure",
    ),
    (
        "earlier not available",
        {},
        record(90),
        point(None, token="N/A"),
        "Earlier figure not available (N/A) in 2016/17 Q4",
    ),
    (
        "earlier blank",
        {},
        record(90),
        point(None),
        "Earlier figure not available (N/A) in 2016/17 Q4",
    ),
    (
        "definition changed this quarter",
        {"definition_changed": "2017/18 Q1"},
        record(90),
        point(80),
        "Definition changed in 2017/18 Q1: not like-for-like",
    ),
    (
        "definition changed this year",
        {"definition_changed": "2017/18"},
        record(90),
        point(80, "2016/17"),
        "Definition changed in 2017/18: not like-for-like",
    ),
    (
        "definition changed last year, long term",
        {"definition_changed": "2016/17 Q3"},
        record(90),
        point(80, "2016/17 Q1"),
        "Definition changed in 2016/17 Q3: not like-for-like",
    ),
    (
        "cumulative refused",
        {"basis": Basis.CUMULATIVE},
        record(6),
        point(12),
        "Year-to-date figure: not comparable with the previous period",
    ),
]


@pytest.mark.parametrize(
    ("fields", "now", "then", "reason"),
    [case[1:] for case in NO_ARROW_CASES],
    ids=[case[0] for case in NO_ARROW_CASES],
)
def test_no_arrow(fields, now, then, reason):
    settings = Settings(cumulative_short_term=False)
    result = trend(indicator(**fields), now, then, settings, term="short", period=Q1)
    assert result.direction is None
    assert result.reason == reason


# (case, definition changed, previous period, expected direction): like-for-like or not
DEFINITION_CASES = [
    ("changed before the previous point", "2016/17 Q3", "2016/17 Q4", B),
    ("changed at the previous point", "2016/17 Q4", "2016/17 Q4", B),
    ("changed after the previous point", "2017/18 Q1", "2016/17 Q4", None),
    ("changed after this period", "2017/18 Q2", "2016/17 Q4", B),
    ("changed within the previous year", "2016/17 Q2", "2016/17", B),
    ("changed in this year after last year", "2017/18", "2016/17", None),
]


@pytest.mark.parametrize(
    ("changed", "then", "expected"),
    [case[1:] for case in DEFINITION_CASES],
    ids=[case[0] for case in DEFINITION_CASES],
)
def test_definition_change(changed, then, expected):
    ind = indicator(definition_changed=changed)
    result = trend(ind, record(90), point(80, then), SETTINGS, term="long", period=Q1)
    assert result.direction is expected, result.reason


def test_trend_reason():
    ind = indicator(decimals=1)
    result = trend(ind, record(33.3), point(48.9), SETTINGS, term="short", period=Q1)
    assert result.reason == "33.3% now against 48.9% in 2016/17 Q4, bigger is better: worse"


def test_cumulative_caveat_shown_when_allowed():
    ind = indicator(basis=Basis.CUMULATIVE, unit=Unit.NUMBER)
    result = trend(ind, record(6), point(12, "2016/17"), SETTINGS, term="short", period=Q1)
    assert result.reason == (
        "6 now against 12 in 2016/17 (year to date: not like-for-like), bigger is better: worse"
    )


# --- published arrows ----------------------------------------------------------------------


def computed(direction: Direction | None):
    ind = indicator(NOPOL if direction in (UP, DOWN) else BIG)
    now, then = {B: 2, W: 1, S: 1, UP: 2, DOWN: 1, None: None}[direction], 1
    if direction in (W, DOWN):
        then = 2
    return trend(ind, record(now), point(then), SETTINGS, term="short", period=Q1)


# (computed direction, published arrow, disagrees?)
PUBLISHED_CASES = [
    (B, "up", False),
    (W, "down", False),
    (S, "same", False),
    (S, "sideways", False),
    (B, " Up ", False),
    (UP, "up", False),
    (DOWN, "down", False),
    (B, "", False),
    (B, None, False),
    (None, "", False),
    (W, "sideways", True),
    (W, "same", True),
    (B, "down", True),
    (S, "up", True),
    (UP, "down", True),
    (None, "up", True),
    (B, "?", True),
]


@pytest.mark.parametrize(("direction", "published", "disagrees"), PUBLISHED_CASES)
def test_check_published_arrow(direction, published, disagrees):
    result = computed(direction)
    assert result.direction is direction
    message = check_published_arrow(result, published)
    assert (message is not None) is disagrees, message


def test_published_disagreement_message():
    ind = indicator(decimals=1)
    result = trend(ind, record(33.3), point(48.9), SETTINGS, term="short", period=Q1)
    assert check_published_arrow(result, "sideways") == (
        "The published arrow is 'sideways' (same) but the figures give worse: "
        "33.3% now against 48.9% in 2016/17 Q4, bigger is better: worse"
    )


# --- properties -----------------------------------------------------------------------------

numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
decimals = st.integers(min_value=0, max_value=3)
amounts = st.floats(min_value=0, max_value=50, allow_nan=False)
tolerances = st.one_of(
    st.just(NO_BAND),
    amounts.map(rel),
    amounts.map(absolute),
)
RANK = {R: 0, A: 1, G: 2}
MIRROR = {B: W, W: B, S: S}


def mirrored(tolerance: Tolerance) -> Tolerance:
    if tolerance.kind is ToleranceKind.LIMIT:
        return limit(-tolerance.amount)
    return tolerance


# Mirroring (negating actual, target, previous and any limit) while swapping BIGGER and
# SMALLER describes the same performance, so it keeps both the RAG and the arrow; swapping the
# polarity alone, or negating alone, swaps better and worse.
@given(numbers, numbers, numbers, decimals, st.one_of(tolerances, numbers.map(limit)))
def test_mirroring_with_swapped_polarity_keeps_rag_and_arrow(
    actual, target, previous, places, tolerance
):
    bigger = indicator(BIG, decimals=places, tolerance=tolerance)
    smaller = indicator(SMALL, decimals=places, tolerance=mirrored(tolerance))
    assert (
        rate(bigger, value(target), record(actual), SETTINGS, Q1).rag
        is rate(smaller, value(-target), record(-actual), SETTINGS, Q1).rag
    )
    up = trend(bigger, record(actual), point(previous), SETTINGS, term="short", period=Q1)
    down = trend(smaller, record(-actual), point(-previous), SETTINGS, term="short", period=Q1)
    assert up.direction is down.direction


@given(numbers, numbers, decimals, st.sampled_from([BIG, SMALL]))
def test_swapping_polarity_or_negating_swaps_better_and_worse(now, then, places, polarity):
    other = SMALL if polarity is BIG else BIG
    first = indicator(polarity, decimals=places)
    swapped = indicator(other, decimals=places)
    base = trend(first, record(now), point(then), SETTINGS, term="long", period=Q1)
    by_polarity = trend(swapped, record(now), point(then), SETTINGS, term="long", period=Q1)
    by_sign = trend(first, record(-now), point(-then), SETTINGS, term="long", period=Q1)
    assert by_polarity.direction is MIRROR[base.direction]
    assert by_sign.direction is MIRROR[base.direction]


@given(numbers, decimals, st.sampled_from([BIG, SMALL]), st.one_of(tolerances, numbers.map(limit)))
def test_on_target_is_green(target, places, polarity, tolerance):
    ind = indicator(polarity, decimals=places, tolerance=tolerance)
    assert rate(ind, value(target), record(target), SETTINGS, Q1).rag is G


@given(numbers, numbers, numbers, decimals, tolerances)
def test_inside_range_is_green(low, high, share_source, places, tolerance):
    low, high = min(low, high), max(low, high)
    inside = min(max(low + (high - low) * (abs(share_source) % 1), low), high)
    ind = indicator(RANGE, decimals=places, tolerance=tolerance)
    assert rate(ind, band(low, high), record(inside), SETTINGS, Q1).rag is G


@given(numbers, decimals, st.sampled_from(list(Polarity)), st.sampled_from(list(Basis)))
def test_same_value_as_previous_is_same(number, places, polarity, basis):
    ind = indicator(polarity, decimals=places, basis=basis)
    result = trend(
        ind, record(number), point(number), SETTINGS, term="short", period=Q1, target=RANGE_TARGET
    )
    assert result.direction is S


@given(numbers, numbers, numbers, decimals, st.one_of(tolerances, numbers.map(limit)))
def test_bigger_rag_is_monotonic_in_actual(first, second, target, places, tolerance):
    low, high = min(first, second), max(first, second)
    ind = indicator(BIG, decimals=places, tolerance=tolerance)
    worse = rate(ind, value(target), record(low), SETTINGS, Q1).rag
    better = rate(ind, value(target), record(high), SETTINGS, Q1).rag
    assert RANK[worse] <= RANK[better]


# --- the example report: Havering Q1 2017/18, all 34 rows ------------------------------------

SEED = Path(__file__).parent.parent / "data" / "havering-q1-2017-18-expected.csv"
EXPECTED_DIRECTION = {"none": None, "up": B, "down": W, "same": S}
EXPECTED_RAG = {"none": None, "GREEN": G, "AMBER": A, "RED": R}
COMPARATOR = re.compile(r"^(?P<label>.*?)\s*\((?P<value>-?[\d.]+)\)$")
NUMBER = re.compile(r"^-?[\d,]*\.?\d+%?$")
# The example year: Red or Green only, and Q1 year-to-date compared with last year anyway.
HAVERING_SETTINGS = Settings(default_tolerance=NO_BAND, cumulative_short_term=True)


def places(text: str) -> int:
    text = text.strip().rstrip("%")
    return len(text.split(".")[1]) if "." in text and NUMBER.match(text) else 0


def number(text: str) -> float | None:
    text = text.strip()
    return float(text.rstrip("%").replace(",", "")) if NUMBER.match(text) else None


def seed_target(text: str) -> Target:
    text = text.strip()
    if text.upper() == "TBC":
        return Target(kind=TargetKind.TBC)
    if (found := number(text)) is not None:
        return Target(kind=TargetKind.VALUE, value=found)
    if match := COMPARATOR.match(text):
        return Target(kind=TargetKind.COMPARATOR, value=float(match["value"]), label=match["label"])
    return Target(kind=TargetKind.NONE)  # "N/A" or blank


def seed_point(text: str, period: Period) -> HistoryPoint | None:
    text = text.strip()
    if not text:
        return None
    return HistoryPoint(
        indicator_id="seed",
        period=str(period),
        value=number(text),
        token=None if number(text) is not None else text.upper(),
    )


def seed_case(row: dict[str, str]) -> tuple:
    polarity = {"bigger": BIG, "smaller": SMALL}.get(row["polarity"], NOPOL)
    numbers_shown = [
        row[name] for name in ("annual_target", "period_target", "actual", "st_prev", "lt_prev")
    ]
    note = row["note"].lower()
    frequency = next(
        (freq for freq in (Frequency.BIANNUAL, Frequency.TERMLY) if freq.value in note),
        Frequency.QUARTERLY,
    )
    cumulative = "cumulative" in note or row["annual_target"] != row["period_target"]
    ind = Indicator(
        id="seed",
        section=row["sub_committee"],
        service_area=row["sub_committee"],
        name=row["indicator"],
        polarity=polarity,
        unit=Unit.PERCENT if "%" in row["actual"] + row["period_target"] else Unit.NUMBER,
        decimals=max(places(text) for text in numbers_shown),
        basis=Basis.CUMULATIVE if cumulative else Basis.SNAPSHOT,
        frequency=frequency,
        annual_target=seed_target(row["annual_target"]),
    )
    flags = row["flags"]
    actual = number(row["actual"])
    current = ReturnRecord(
        indicator_id="seed",
        period=str(Q1),
        status=Status.NOT_AVAILABLE
        if "not available" in flags or actual is None
        else Status.AVAILABLE,
        value=actual,
        provisional="provisional" in flags,
        average="average" in flags,
    )
    target = ResolvedTarget(target=seed_target(row["period_target"]), how="explicit")
    short = seed_point(row["st_prev"], Q1.previous())
    long = seed_point(row["lt_prev"], Q1.same_period_last_year())
    return ind, target, current, short, long


with SEED.open(newline="", encoding="utf-8") as handle:
    SEED_ROWS = list(csv.DictReader(handle))


def test_seed_has_34_rows():
    assert len(SEED_ROWS) == 34


@pytest.mark.parametrize("row", SEED_ROWS, ids=[row["indicator"][:40] for row in SEED_ROWS])
def test_havering_row(row):
    ind, target, current, short, long = seed_case(row)
    rating = rate(ind, target, current, HAVERING_SETTINGS, Q1)
    assert rating.rag is EXPECTED_RAG[row["expect_rag"]], rating.reason
    assert (rating.rag is None) is (rating.not_rated is not None)
    short_trend = trend(ind, current, short, HAVERING_SETTINGS, term="short", period=Q1)
    long_trend = trend(ind, current, long, HAVERING_SETTINGS, term="long", period=Q1)
    assert short_trend.direction is EXPECTED_DIRECTION[row["expect_st"]], short_trend.reason
    assert long_trend.direction is EXPECTED_DIRECTION[row["expect_lt"]], long_trend.reason


def test_havering_published_arrows_that_disagree():
    found = []
    for row in SEED_ROWS:
        ind, target, current, short, long = seed_case(row)
        for term, previous, column in (
            ("short", short, "published_st"),
            ("long", long, "published_lt"),
        ):
            result = trend(ind, current, previous, HAVERING_SETTINGS, term=term, period=Q1)
            if check_published_arrow(result, row[column]):
                found.append((row["indicator"][:30], column))
    assert found == [
        # A long-term arrow printed with no last-year value beside it.
        ("Permanent admissions to reside", "published_lt"),
        # A glyph that did not survive extraction: it is flagged, not guessed.
        ("% of children waiting less tha", "published_lt"),
        ("% of LAC placements lasting at", "published_lt"),
        # 33.3% against 48.9%, bigger is better, printed as no change: it is worse.
        ("% of care proceedings complete", "published_st"),
    ]


def test_an_amber_limit_is_compared_as_shown():
    """Limit 89.4 shows as 89%; 89.2 shows as 89%: on the limit, so AMBER, as printed."""
    ind = indicator(
        unit=Unit.PERCENT, decimals=0, tolerance=Tolerance(kind=ToleranceKind.LIMIT, amount=89.4)
    )
    rating = rate(ind, value(95), record(89.2), SETTINGS, Q1)
    assert rating.rag is RAG.AMBER, rating.reason
    assert "amber limit of 89%" in rating.reason


# (case, basis, term, this period, earlier period, like for like)
LIKE_FOR_LIKE_CASES = [
    ("Q2 YTD against Q1 YTD", Basis.CUMULATIVE, "short", "2017/18 Q2", "2017/18 Q1", False),
    (
        "Q1 against last year's whole year",
        Basis.CUMULATIVE,
        "short",
        "2017/18 Q1",
        "2016/17",
        False,
    ),
    ("Q1 against last year's Q4", Basis.CUMULATIVE, "short", "2017/18 Q1", "2016/17 Q4", False),
    ("same quarter last year", Basis.CUMULATIVE, "long", "2017/18 Q2", "2016/17 Q2", True),
    ("Q4 against last year's whole year", Basis.CUMULATIVE, "long", "2017/18 Q4", "2016/17", True),
    ("whole year against whole year", Basis.CUMULATIVE, "long", "2017/18", "2016/17", True),
    ("snapshot quarter on quarter", Basis.SNAPSHOT, "short", "2017/18 Q2", "2017/18 Q1", True),
    ("rolling against last year's year", Basis.ROLLING, "short", "2017/18 Q1", "2016/17", True),
]


@pytest.mark.parametrize(
    ("basis", "term", "now", "then", "expected"),
    [case[1:] for case in LIKE_FOR_LIKE_CASES],
    ids=[case[0] for case in LIKE_FOR_LIKE_CASES],
)
def test_like_for_like(basis, term, now, then, expected):
    ind = indicator(basis=basis, unit=Unit.NUMBER)
    period = Period.parse(now)
    current = ReturnRecord(indicator_id="KPI1", period=now, status=Status.AVAILABLE, value=6)
    result = trend(ind, current, point(12, then), SETTINGS, term=term, period=period)
    assert result.like_for_like is expected, result.reason
    assert ("not like-for-like" in result.reason) is not expected


# (direction, count data-only moves, the Summary column)
ARROW_CODE_CASES = [
    (Direction.BETTER, False, "better"),
    (Direction.SAME, False, "same"),
    (Direction.WORSE, False, "worse"),
    (Direction.INCREASE, False, "no arrow"),
    (Direction.DECREASE, False, "no arrow"),
    (None, False, "no arrow"),
    (Direction.INCREASE, True, "better"),
    (Direction.DECREASE, True, "worse"),
    (Direction.SAME, True, "same"),
    (None, True, "no arrow"),
]


@pytest.mark.parametrize(("direction", "count_moves", "code"), ARROW_CODE_CASES)
def test_arrow_code(direction, count_moves, code):
    from kpi_excel.core.models import Trend
    from kpi_excel.core.rules import arrow_code

    settings = Settings(count_data_only_moves=count_moves)
    assert arrow_code(Trend(direction=direction, reason="r"), settings) == code


def test_council_words_for_directions():
    words = {"better": "Getting better", "same": "No change", "worse": "Getting worse"}
    settings = Settings(direction_words=SETTINGS.direction_words | words)
    assert settings.word_for(Direction.BETTER) == "Getting better"
    assert settings.word_for(Direction.INCREASE) == "increase"
    assert settings.word_for(None) == ""


# --- precision ------------------------------------------------------------------------------

AS_RECORDED = {"decimals_given": False}

# (case, indicator fields, figure, printed)
PRINTED_CASES = [
    ("as recorded, one place", AS_RECORDED, 72.4, "72.4%"),
    ("as recorded, whole", AS_RECORDED, 660.0, "660%"),
    ("as recorded, many places", AS_RECORDED, 0.125, "0.125%"),
    ("as recorded, arithmetic noise capped", AS_RECORDED, 0.1 + 0.2, "0.3%"),
    ("register decimals line up", {"decimals": 1}, 99.0, "99.0%"),
    ("register decimals round", {"decimals": 0}, 72.4, "72%"),
]


@pytest.mark.parametrize(
    ("fields", "figure", "printed"),
    [case[1:] for case in PRINTED_CASES],
    ids=[case[0] for case in PRINTED_CASES],
)
def test_figures_print_at_the_precision_given_or_recorded(fields, figure, printed):
    from kpi_excel.core.display import format_value

    assert format_value(indicator(**fields), figure) == printed


def test_same_or_not_at_the_precision_shown():
    # the example: 71.8 after 72.0 is worse when the register leaves Decimals blank
    blank = trend(
        indicator(**AS_RECORDED), record(71.8), point(72.0), SETTINGS, term="short", period=Q1
    )
    assert blank.direction is W and blank.precision_note == ""
    # at no places both show as 72: same, and a warning says the places decided it
    whole = trend(
        indicator(decimals=0), record(71.8), point(72.0), SETTINGS, term="short", period=Q1
    )
    assert whole.direction is S
    assert whole.precision_note == (
        "71.8 against 72 (as recorded) would be worse; shown at 0 decimal places it is same"
    )


# (case, figure, target, rating shown, noted)
PRECISION_RAG_CASES = [
    ("rounds onto target", 94.6, 95, G, True),
    ("exactly on target", 95, 95, G, False),
    ("rounds but stays short", 93.6, 95, R, False),
    ("target rounds down onto figure", 95, 95.4, G, True),
    ("well above", 99, 95, G, False),
]


@pytest.mark.parametrize(
    ("figure", "goal", "expected", "noted"),
    [case[1:] for case in PRECISION_RAG_CASES],
    ids=[case[0] for case in PRECISION_RAG_CASES],
)
def test_a_note_when_hidden_places_decide_the_rating(figure, goal, expected, noted):
    rating = rate(indicator(decimals=0), value(goal), record(figure), SETTINGS, Q1)
    assert rating.rag is expected
    assert bool(rating.precision_note) is noted, rating.precision_note
    exact = rate(indicator(**AS_RECORDED), value(goal), record(figure), SETTINGS, Q1)
    assert exact.precision_note == ""
