"""Statistical process control (XmR charts) as NHS England's "Making Data Count" defines it.

Pure functions from a series of values to a chart: the mean, the process limits at
mean ± 2.66 × the mean moving range, each point's special causes, and the two icons
(variation and assurance) from the latest point. See docs/spc.md for the rules and sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field
from pydantic.dataclasses import dataclass

from .models import Model, PeriodValue, Polarity
from .periods import Period

MIN_POINTS = 13  # fewer points than this give a run chart: no limits, no icons
LIMIT_FACTOR = 2.66  # 3 / 1.128, the XmR constant for limits at three sigma
TWO_SIGMA_FACTOR = LIMIT_FACTOR * 2 / 3
TREND_LENGTH = 6  # points, each strictly higher (or lower) than the one before
DEFAULT_SHIFT_LENGTH = 6  # NHSE SPC SQL v2.6; older MDC guidance used 7
SHIFT_LENGTHS = range(6, 9)
MOVING_RANGE_CEILING = 3.267  # the moving-range chart's upper limit, for screening


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER_HIGH = "neither_high"  # special cause, high, on an indicator with no better way
    NEITHER_LOW = "neither_low"


class Assurance(StrEnum):
    PASS = "pass"  # the target is met consistently
    FAIL = "fail"  # the target is missed consistently
    HIT_OR_MISS = "hit_or_miss"  # the target lies inside the limits: met some months only


class SpcRule(StrEnum):
    """The special-cause rules, in the order that decides a point's side when several fire."""

    BEYOND_LIMIT = "beyond_limit"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"
    TREND = "trend"


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


# A slotted dataclass, not a model: a board of 40,000 indicators holds hundreds of thousands
# of points, and this is a quarter of a model's size (about 110 bytes against 440)
@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One point of the chart, with the limits of the stretch it belongs to."""

    period: PeriodValue
    value: float
    mean: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None
    rules: tuple[SpcRule, ...] = ()  # every rule that flags this point, in SpcRule order
    side: Side | None = None  # which way the special cause points, None for common cause

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


class SpcResult(Model):
    """An XmR chart and its icons; mean and limits are the latest stretch's."""

    points: list[SpcPoint]
    variation: Variation | None = None
    assurance: Assurance | None = None
    mean: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None
    rule: SpcRule | None = None  # the rule that decided the latest point's icon
    run_chart: bool = False  # too few points for limits: a run chart, no icons
    shift_length: int = Field(default=DEFAULT_SHIFT_LENGTH, ge=6, le=8)


def xmr(
    periods: Sequence[Period],
    values: Sequence[float],
    *,
    polarity: Polarity,
    target: float | None = None,
    recalculate_from: Sequence[Period] = (),
    shift_length: int = DEFAULT_SHIFT_LENGTH,
    screen_moving_ranges: bool = False,
) -> SpcResult:
    """The XmR chart of values (oldest first), one per period.

    recalculate_from names the periods where a known process change starts a new stretch
    with its own mean and limits; limits are never recalculated on their own.
    screen_moving_ranges leaves out moving ranges above 3.267 times the mean moving range
    before the limits are set (an option in some MDC tools; off in the NHSE rules).
    """
    if len(periods) != len(values):
        raise ValueError("xmr needs one period per value")
    if shift_length not in SHIFT_LENGTHS:
        raise ValueError(f"the shift length must be 6, 7 or 8 points, not {shift_length}")
    points: list[SpcPoint] = []
    for start, end in _stretches(periods, recalculate_from):
        stretch = _stretch(
            periods[start:end], values[start:end], shift_length, screen_moving_ranges
        )
        points.extend(stretch)
    if not points or points[-1].mean is None:
        return SpcResult(points=points, run_chart=True, shift_length=shift_length)
    latest = points[-1]
    return SpcResult(
        points=points,
        variation=variation_icon(latest, polarity),
        assurance=assurance_icon(latest, polarity, target),
        mean=latest.mean,
        upper_limit=latest.upper_limit,
        lower_limit=latest.lower_limit,
        rule=latest.rules[0] if latest.rules else None,
        shift_length=shift_length,
    )


def _stretches(
    periods: Sequence[Period], recalculate_from: Sequence[Period]
) -> list[tuple[int, int]]:
    """Index ranges [start, end) between the named process changes."""
    starts = sorted({0} | {i for i, p in enumerate(periods) if p in set(recalculate_from)})
    return list(zip(starts, [*starts[1:], len(periods)], strict=True))


def _stretch(
    periods: Sequence[Period], values: Sequence[float], shift_length: int, screen: bool
) -> list[SpcPoint]:
    if len(values) < MIN_POINTS:
        return [
            _point(p, v, None, None, None, (), None) for p, v in zip(periods, values, strict=True)
        ]
    mean, moving_range = process_centre(values, screen_moving_ranges=screen)
    # rounded so that a figure printed on a limit is on it, not a binary hair beyond
    upper = round(mean + LIMIT_FACTOR * moving_range, 10)
    lower = round(mean - LIMIT_FACTOR * moving_range, 10)
    two_sigma = round(TWO_SIGMA_FACTOR * moving_range, 10)
    by_point: dict[int, list[tuple[SpcRule, Side]]] = {}
    # in SpcRule order, so each point's first flag is the rule that decides its side
    for index, rule, side in (
        *beyond_limits(values, upper, lower),
        *two_of_three(values, mean, two_sigma),
        *shifts(values, mean, shift_length),
        *trends(values),
    ):
        by_point.setdefault(index, []).append((rule, side))
    points = []
    for index, (period, value) in enumerate(zip(periods, values, strict=True)):
        mine = by_point.get(index, [])
        rules = tuple(dict.fromkeys(rule for rule, _ in mine))
        side = mine[0][1] if mine else None
        points.append(_point(period, value, mean, upper, lower, rules, side))
    return points


def _point(
    period: Period,
    value: float,
    mean: float | None,
    upper: float | None,
    lower: float | None,
    rules: tuple[SpcRule, ...],
    side: Side | None,
) -> SpcPoint:
    # every field given: pydantic then skips its defaults, the fastest way to make the
    # hundreds of thousands of points a board of 40,000 indicators holds
    return SpcPoint(
        period=period,
        value=value,
        mean=mean,
        upper_limit=upper,
        lower_limit=lower,
        rules=rules,
        side=side,
    )


def process_centre(
    values: Sequence[float], *, screen_moving_ranges: bool = False
) -> tuple[float, float]:
    """The mean and the mean moving range (average gap between consecutive points)."""
    mean = round(sum(values) / len(values), 10)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    if screen_moving_ranges:
        ceiling = MOVING_RANGE_CEILING * sum(ranges) / len(ranges)
        ranges = [r for r in ranges if r < ceiling] or ranges
    return mean, round(sum(ranges) / len(ranges), 10)


Flag = tuple[int, SpcRule, Side]


def beyond_limits(values: Sequence[float], upper: float, lower: float) -> list[Flag]:
    """Points strictly beyond a process limit; a point on the limit is inside."""
    flags: list[Flag] = []
    for i, value in enumerate(values):
        if value > upper:
            flags.append((i, SpcRule.BEYOND_LIMIT, Side.HIGH))
        elif value < lower:
            flags.append((i, SpcRule.BEYOND_LIMIT, Side.LOW))
    return flags


def _side_of(value: float, centre: float) -> Side | None:
    if value > centre:
        return Side.HIGH
    if value < centre:
        return Side.LOW
    return None


def shifts(values: Sequence[float], mean: float, length: int) -> list[Flag]:
    """Every point of a run of at least length points on one side of the mean.

    A point exactly on the mean belongs to neither side, so it ends the run.
    """
    flags: list[Flag] = []
    run: list[int] = []
    sides = [_side_of(v, mean) for v in values]
    for i, side in enumerate([*sides, None]):
        if run and (side is None or side != sides[run[0]]):
            if len(run) >= length:
                flags.extend((j, SpcRule.SHIFT, sides[run[0]]) for j in run)
            run = []
        if side is not None:
            run.append(i)
    return flags


def trends(values: Sequence[float]) -> list[Flag]:
    """Every point of a run of at least six points each strictly above (or below) the last.

    A repeated value is neither higher nor lower, so it ends the trend.
    """
    flags: list[Flag] = []
    start, direction = 0, None  # the current run is values[start:i], rising, falling or flat

    def close(end: int) -> None:
        if direction is not None and end - start >= TREND_LENGTH:
            flags.extend((j, SpcRule.TREND, direction) for j in range(start, end))

    for i in range(1, len(values)):
        step = _side_of(values[i], values[i - 1])
        if step is None or step != direction:
            close(i)
            start, direction = i - 1, step
    close(len(values))
    return flags


def two_of_three(values: Sequence[float], mean: float, two_sigma: float) -> list[Flag]:
    """Points beyond a 2-sigma line where two of three consecutive points are beyond it.

    All three points must be on the same side of the mean; points beyond the process limit
    count too. The points flagged are the ones beyond the line.
    """
    flags: set[Flag] = set()
    high_line, low_line = round(mean + two_sigma, 10), round(mean - two_sigma, 10)
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side in (Side.HIGH, Side.LOW):
            if any(_side_of(values[i], mean) != side for i in window):
                continue
            outside = [
                i
                for i in window
                if (values[i] > high_line if side is Side.HIGH else values[i] < low_line)
            ]
            if len(outside) >= 2:
                flags.update((i, SpcRule.TWO_OF_THREE, side) for i in outside)
    return sorted(flags)


def variation_icon(point: SpcPoint, polarity: Polarity) -> Variation:
    """The variation icon for a point: which way its special cause points, judged by polarity."""
    if point.side is None:
        return Variation.COMMON_CAUSE
    if polarity in (Polarity.NONE, Polarity.RANGE):
        return Variation.NEITHER_HIGH if point.side is Side.HIGH else Variation.NEITHER_LOW
    better = Side.HIGH if polarity is Polarity.BIGGER else Side.LOW
    return Variation.IMPROVEMENT if point.side is better else Variation.CONCERN


def assurance_icon(point: SpcPoint, polarity: Polarity, target: float | None) -> Assurance | None:
    """Where the target sits against the limits: outside them, every point meets it or none does.

    A target on a limit counts as outside (MDC: "at or below the lower limit").
    """
    if target is None or point.upper_limit is None or point.lower_limit is None:
        return None
    if polarity not in (Polarity.BIGGER, Polarity.SMALLER):
        return None
    if target <= point.lower_limit:
        return Assurance.PASS if polarity is Polarity.BIGGER else Assurance.FAIL
    if target >= point.upper_limit:
        return Assurance.FAIL if polarity is Polarity.BIGGER else Assurance.PASS
    return Assurance.HIT_OR_MISS
