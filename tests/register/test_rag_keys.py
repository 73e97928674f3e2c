"""Published RAG keys written as register settings, each with a table of every boundary.

The six keys are the ones docs/rules.md shows; the Camms key is also checked against Camms'
published performance arithmetic over a grid of figures, target zero included.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from kpi_excel.core.models import (
    RAG,
    Direction,
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
from kpi_excel.core.rules import rate
from kpi_excel.register.keys import parse_rag_key

Q1 = Period.parse("2017/18 Q1")
G, A, R, B = RAG.GREEN, RAG.AMBER, RAG.RED, RAG.BLUE
BIG, SMALL = Polarity.BIGGER, Polarity.SMALLER
UP, SAME, DOWN = Direction.BETTER, Direction.SAME, Direction.WORSE

# The keys exactly as a register's Settings sheet writes them (docs/rules.md shows each).
KEYS = {
    "havering-2017-18": "GREEN: on target; RED: otherwise",
    "havering-2013-14": (
        'GREEN "On target or within 10%": within 10%; '
        'AMBER "More than 10% off target, improved": otherwise if improved on last year; '
        'RED "More than 10% off target, not improved": otherwise'
    ),
    "havering-2024-25": (
        'GREEN "Above target": on target; '
        'AMBER "Below target, within tolerance": within tolerance; '
        'RED "Below tolerance": otherwise; BLUE "No target / narrative": no target'
    ),
    "five-ten": 'GREEN: within 5%; AMBER "5 to 10% short": within 10%; RED: otherwise',
    "amber-within-ten": (
        'GREEN "Target met": on target; AMBER "Slightly missed": within 10%; '
        'RED "Not achieved": otherwise; BLUE "Data only": data only'
    ),
    "camms": 'GREEN "On Track": on target; AMBER "Monitor": within 10%; RED "Off Track": otherwise',
}


def indicator(polarity: Polarity = BIG, **fields: object) -> Indicator:
    base: dict[str, object] = {
        "id": "KPI1",
        "section": "Test",
        "service_area": "Test",
        "name": "Test",
        "polarity": polarity,
        "unit": Unit.PERCENT,
        "decimals": 1,
    }
    return Indicator(**(base | fields))


def target(number: float | None, kind: TargetKind = TargetKind.VALUE) -> ResolvedTarget:
    return ResolvedTarget(target=Target(kind=kind, value=number), how="explicit")


def rated(key: str, ind: Indicator, goal: ResolvedTarget, actual: float, long_term=None):
    settings = Settings(rag_key=parse_rag_key(KEYS[key]))
    figure = ReturnRecord(
        indicator_id="KPI1", period=str(Q1), status=Status.AVAILABLE, value=actual
    )
    return rate(ind, goal, figure, settings, Q1, long_term=long_term)


def rel(amount: float) -> Tolerance:
    return Tolerance(kind=ToleranceKind.RELATIVE, amount=amount)


# (key, case, indicator, target, actual, long-term direction, expected state, band name)
CASES = [
    # Havering 2017/18: two states, no amber band at all
    ("havering-2017-18", "above", indicator(), target(95), 95.1, None, G, "GREEN"),
    ("havering-2017-18", "equal", indicator(), target(95), 95, None, G, "GREEN"),
    ("havering-2017-18", "one step short", indicator(), target(95), 94.9, None, R, "RED"),
    ("havering-2017-18", "smaller equal", indicator(SMALL), target(10), 10, None, G, "GREEN"),
    ("havering-2017-18", "smaller over", indicator(SMALL), target(10), 10.1, None, R, "RED"),
    ("havering-2017-18", "target zero", indicator(SMALL), target(0), 0, None, G, "GREEN"),
    ("havering-2017-18", "target zero over", indicator(SMALL), target(0), 0.1, None, R, "RED"),
    # Havering 2013/14: within 10% is GREEN; beyond it the direction against last year decides
    ("havering-2013-14", "on target", indicator(), target(80), 80, DOWN, G, "On target or within 10%"),
    ("havering-2013-14", "on the 10% edge", indicator(), target(80), 72, DOWN, G, "On target or within 10%"),
    ("havering-2013-14", "beyond, improved", indicator(), target(80), 71.9, UP, A, "More than 10% off target, improved"),
    ("havering-2013-14", "beyond, same", indicator(), target(80), 71.9, SAME, R, "More than 10% off target, not improved"),
    ("havering-2013-14", "beyond, worse", indicator(), target(80), 71.9, DOWN, R, "More than 10% off target, not improved"),
    ("havering-2013-14", "beyond, no arrow", indicator(), target(80), 71.9, None, R, "More than 10% off target, not improved"),
    ("havering-2013-14", "smaller edge", indicator(SMALL), target(10), 11, DOWN, G, "On target or within 10%"),
    ("havering-2013-14", "smaller beyond, improved", indicator(SMALL), target(10), 11.1, UP, A, "More than 10% off target, improved"),
    ("havering-2013-14", "target zero over, improved", indicator(SMALL), target(0), 0.1, UP, A, "More than 10% off target, improved"),
    # Havering 2024/25: a tolerance per indicator ("variable tolerance"), BLUE for no target
    ("havering-2024-25", "on target", indicator(tolerance=rel(5)), target(80), 80, None, G, "Above target"),
    ("havering-2024-25", "relative edge", indicator(tolerance=rel(5)), target(80), 76, None, A, "Below target, within tolerance"),
    ("havering-2024-25", "relative beyond", indicator(tolerance=rel(5)), target(80), 75.9, None, R, "Below tolerance"),
    ("havering-2024-25", "absolute edge", indicator(tolerance=Tolerance(kind=ToleranceKind.ABSOLUTE, amount=3)), target(80), 77, None, A, "Below target, within tolerance"),
    ("havering-2024-25", "absolute beyond", indicator(tolerance=Tolerance(kind=ToleranceKind.ABSOLUTE, amount=3)), target(80), 76.9, None, R, "Below tolerance"),
    ("havering-2024-25", "second target edge", indicator(tolerance=Tolerance(kind=ToleranceKind.LIMIT, amount=70)), target(80), 70, None, A, "Below target, within tolerance"),
    ("havering-2024-25", "second target beyond", indicator(tolerance=Tolerance(kind=ToleranceKind.LIMIT, amount=70)), target(80), 69.9, None, R, "Below tolerance"),
    ("havering-2024-25", "no tolerance given", indicator(), target(80), 79.9, None, R, "Below tolerance"),
    ("havering-2024-25", "no target", indicator(), target(None, TargetKind.NONE), 50, None, B, "No target / narrative"),
    ("havering-2024-25", "target TBC", indicator(), target(None, TargetKind.TBC), 50, None, B, "No target / narrative"),
    # 5% / 10%: GREEN on, above or within 5%; AMBER 5 to 10% short; RED beyond
    ("five-ten", "on target", indicator(), target(60), 60, None, G, "GREEN"),
    ("five-ten", "5% edge", indicator(), target(60), 57, None, G, "GREEN"),
    ("five-ten", "past 5%", indicator(), target(60), 56.9, None, A, "5 to 10% short"),
    ("five-ten", "10% edge", indicator(), target(60), 54, None, A, "5 to 10% short"),
    ("five-ten", "past 10%", indicator(), target(60), 53.9, None, R, "RED"),
    ("five-ten", "smaller 5% edge", indicator(SMALL), target(20), 21, None, G, "GREEN"),
    ("five-ten", "smaller 10% edge", indicator(SMALL), target(20), 22, None, A, "5 to 10% short"),
    ("five-ten", "smaller past 10%", indicator(SMALL), target(20), 22.1, None, R, "RED"),
    ("five-ten", "target zero", indicator(SMALL, unit=Unit.NUMBER), target(0), 0, None, G, "GREEN"),
    ("five-ten", "target zero over", indicator(SMALL, unit=Unit.NUMBER), target(0), 0.1, None, R, "RED"),
    # Within 10% is AMBER: target met, slightly missed, not achieved, data only
    ("amber-within-ten", "met", indicator(), target(90), 90, None, G, "Target met"),
    ("amber-within-ten", "one step short", indicator(), target(90), 89.9, None, A, "Slightly missed"),
    ("amber-within-ten", "10% edge", indicator(), target(90), 81, None, A, "Slightly missed"),
    ("amber-within-ten", "past 10%", indicator(), target(90), 80.9, None, R, "Not achieved"),
    ("amber-within-ten", "data only", indicator(Polarity.NONE), target(None, TargetKind.NONE), 12, None, B, "Data only"),
    # Camms: On Track / Monitor / Off Track with a 10% variance
    ("camms", "on track", indicator(), target(50), 50, None, G, "On Track"),
    ("camms", "monitor edge", indicator(), target(50), 45, None, A, "Monitor"),
    ("camms", "off track", indicator(), target(50), 44.9, None, R, "Off Track"),
    ("camms", "less is better edge", indicator(SMALL), target(50), 55, None, A, "Monitor"),
    ("camms", "less is better off", indicator(SMALL), target(50), 55.1, None, R, "Off Track"),
    ("camms", "target zero met", indicator(SMALL), target(0), 0, None, G, "On Track"),
    ("camms", "target zero missed", indicator(SMALL), target(0), 0.1, None, R, "Off Track"),
    ("camms", "more is better target zero", indicator(), target(0), 0, None, G, "On Track"),
    ("camms", "more is better target zero below", indicator(), target(0), -0.1, None, R, "Off Track"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "ind", "goal", "actual", "direction", "state", "band"),
    [(c[0], *c[2:]) for c in CASES],
    ids=[f"{c[0]}: {c[1]}" for c in CASES],
)
def test_published_key(key, ind, goal, actual, direction, state, band):
    rating = rated(key, ind, goal, actual, direction)
    assert (rating.rag, rating.band) == (state, band), rating.reason
    assert rating.reason.endswith(f": {state.value}")
    if band != state.value:
        assert f"band '{band}'" in rating.reason


def test_every_key_has_a_case_for_each_band() -> None:
    for key, text in KEYS.items():
        names = {band.name for band in parse_rag_key(text).bands}
        assert names <= {case[7] for case in CASES if case[0] == key}, key


def camms_status(actual: Fraction, goal: Fraction, variance: int, polarity: Polarity) -> RAG:
    """Camms' published KPI arithmetic: a performance score, then the traffic light."""
    if goal == 0:
        met = actual >= 0 if polarity is BIG else actual <= 0
        performance = Fraction(100) if met else Fraction(0)
    elif polarity is BIG:
        performance = actual / goal * 100
    else:
        performance = (2 - actual / goal) * 100
    if performance >= 100:
        return G
    return A if performance >= 100 - variance else R


@pytest.mark.parametrize("polarity", [BIG, SMALL])
@pytest.mark.parametrize("goal", [0, 1, 20, 50, 95])
def test_camms_key_matches_camms_arithmetic(polarity: Polarity, goal: int) -> None:
    for tenths in range(0, 1201):
        actual = Fraction(tenths, 10)
        expected = camms_status(actual, Fraction(goal), 10, polarity)
        rating = rated("camms", indicator(polarity), target(goal), float(actual))
        assert rating.rag is expected, rating.reason


def test_ahead_band_for_exceeding_target() -> None:
    key = parse_rag_key('BLUE "Exceeding": ahead by 5%; GREEN: on target; RED: otherwise')
    settings = Settings(rag_key=key)
    for actual, expected in ((105, B), (104.9, G), (100, G), (99.9, R)):
        figure = ReturnRecord(
            indicator_id="K", period=str(Q1), status=Status.AVAILABLE, value=actual
        )
        assert rate(indicator(), target(100), figure, settings, Q1).rag is expected
    zero = ReturnRecord(indicator_id="K", period=str(Q1), status=Status.AVAILABLE, value=5)
    # nothing is 5% ahead of a target of zero
    assert rate(indicator(), target(0), zero, settings, Q1).rag is G


def test_a_named_key_overrides_the_register_key_for_one_indicator() -> None:
    settings = Settings(
        rag_key=parse_rag_key(KEYS["havering-2017-18"]),
        rag_keys={"lenient": parse_rag_key(KEYS["five-ten"], "lenient")},
    )
    figure = ReturnRecord(indicator_id="K", period=str(Q1), status=Status.AVAILABLE, value=57)
    assert rate(indicator(), target(60), figure, settings, Q1).rag is R
    assert rate(indicator(rag_key="lenient"), target(60), figure, settings, Q1).rag is G


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no bands"),
        ("GREEN: on target", "end it with a band such as RED: otherwise"),
        ("PURPLE: on target; RED: otherwise", "not one of GREEN, AMBER, RED or BLUE"),
        ("GREEN: nearly; RED: otherwise", "is not an edge"),
        ("GREEN on target; RED: otherwise", "is not a band"),
        ("GREEN: within lots; RED: otherwise", "is not a size"),
    ],
)
def test_a_key_that_cannot_be_read_says_what_to_fix(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_rag_key(text)


def test_edges_spelled_as_councils_write_them() -> None:
    key = parse_rag_key("GREEN: within 5% of target; AMBER: within 2 percentage points; RED: else")
    assert [(b.edge.value, b.amount) for b in key.bands] == [
        ("relative", 5.0),
        ("absolute", 2.0),
        ("otherwise", None),
    ]
