"""The rules engine: RAG ratings and direction-of-travel arrows (domain notes sections 3 and 4).

Pure functions from values to Enums plus a plain-English reason. Everything is compared at
display precision (what the reader sees) using Decimal, so exact edges are inclusive and a
reader never sees "95.0% against 95.0%" rated RED.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from .display import POLARITY_WORDS, format_target, format_value, round_display
from .models import (
    DEFAULT_DUE_QUARTERS,
    RAG,
    Basis,
    Direction,
    Frequency,
    HistoryPoint,
    Indicator,
    Polarity,
    Rating,
    ResolvedTarget,
    ReturnRecord,
    Settings,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Trend,
    Unit,
)
from .periods import Period

__all__ = ["rate", "trend", "check_published_arrow"]

_FREQUENCY_WORDS = {
    Frequency.MONTHLY: "monthly",
    Frequency.QUARTERLY: "quarterly",
    Frequency.TERMLY: "termly",
    Frequency.BIANNUAL: "biannually",
    Frequency.ANNUAL: "annually",
}


def _dec(value: float) -> Decimal:
    # repr gives the shortest text that round-trips, so 90.25 is exactly 90.25 here.
    return Decimal(repr(float(value)))


def _shown(indicator: Indicator, value: float) -> Decimal:
    return _dec(round_display(indicator, value))


# --- RAG rating ----------------------------------------------------------------------------


def _not_rated(label: str, reason: str) -> Rating:
    return Rating(rag=None, reason=reason, not_rated=label)


def _article(text: str) -> str:
    """'a 95% target' but 'an 80% target', 'an 11 day target', 'an 18,000 target'."""
    digits = text.lstrip("-").split(".")[0].replace(",", "")
    if not digits[:1].isdigit():
        return "a"
    if digits.startswith("8"):
        return "an"
    if digits[:2] in ("11", "18") and len(digits) % 3 == 2:
        return "an"
    return "a"


def _target_words(indicator: Indicator, target: Target) -> str:
    text = format_target(indicator, target)
    if target.kind is TargetKind.COMPARATOR:
        return text
    if target.kind is TargetKind.RANGE:
        return f"a target range of {text}"
    return f"{_article(text)} {text} target"


def _band_words(indicator: Indicator, tolerance: Tolerance) -> str:
    amount = abs(tolerance.amount) if tolerance.amount is not None else None
    if tolerance.kind is ToleranceKind.NONE or amount is None:
        return "no amber band"
    if tolerance.kind is ToleranceKind.RELATIVE:
        return f"the {amount:g}% relative amber band"
    if tolerance.kind is ToleranceKind.ABSOLUTE:
        if indicator.unit is Unit.PERCENT:
            unit = " percentage point" if amount == 1 else " percentage points"
        else:
            unit = f" {indicator.suffix}" if indicator.suffix else ""
        return f"the absolute amber band of {amount:g}{unit}"
    return f"the amber limit of {format_value(indicator, tolerance.amount)}"


def _within_band(
    actual: Decimal, edge: Decimal, shortfall: Decimal, kind: ToleranceKind, amount: float
) -> bool:
    """Whether a shortfall (> 0) from the target edge falls inside the amber band, inclusive."""
    if kind is ToleranceKind.RELATIVE:
        # A target of zero has no relative band: 0 * amount is 0, with no division anywhere.
        return shortfall <= abs(edge) * abs(_dec(amount)) / 100
    if kind is ToleranceKind.ABSOLUTE:
        return shortfall <= abs(_dec(amount))
    # LIMIT: amber when the actual lies between the target edge and the limit value.
    limit = _dec(amount)
    return min(edge, limit) <= actual <= max(edge, limit)


def _range_bounds(target: Target) -> tuple[float, float] | None:
    if target.kind is TargetKind.RANGE and target.value is not None and target.high is not None:
        return min(target.value, target.high), max(target.value, target.high)
    return None


def rate(
    indicator: Indicator,
    target: ResolvedTarget,
    record: ReturnRecord | None,
    settings: Settings,
    period: Period,
) -> Rating:
    """Rate one indicator's figure for a period: GREEN, AMBER, RED, or not rated with why."""
    if indicator.polarity is Polarity.NONE:
        return _not_rated("Data only", "Contextual indicator (data only): reported, never rated")
    if record is None:
        return _not_rated("No return", "No return was received for this indicator")
    # A year report covers every quarter, so only quarters can be "not due".
    due = period.quarter is None or indicator.due_in(period.quarter)
    if not due and record.value is None:
        how_often = _FREQUENCY_WORDS[indicator.frequency]
        quarters = indicator.due_quarters or DEFAULT_DUE_QUARTERS[indicator.frequency]
        names = [f"Q{quarter}" for quarter in quarters]
        when = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return _not_rated(
            f"Not due: reported {how_often}",
            f"Not due in {period}: reported {how_often}, in {when}",
        )
    # A due indicator marked "not due" has no figure this period: the reader reports it.
    if record.status is not Status.AVAILABLE or record.value is None:
        return _not_rated("Data not available", f"No figure is available for {period}")
    goal = target.target
    if goal.kind is TargetKind.TBC:
        return _not_rated("Target TBC", "The target is to be confirmed, so the figure is not rated")
    if goal.kind in (TargetKind.NONE, TargetKind.DERIVE):
        return _not_rated("No target", "There is no target, so the figure is not rated")
    if goal.kind is TargetKind.COMPARATOR and goal.value is None:
        label = goal.label or "the comparator"
        return _not_rated("No comparator value", f"No value was supplied for {label}")
    if goal.value is None or (goal.kind is TargetKind.RANGE and _range_bounds(goal) is None):
        return _not_rated("No target", "The target has no value, so the figure is not rated")

    bounds = _range_bounds(goal)
    if indicator.polarity is Polarity.RANGE:
        # A single value with range polarity is a range of one point.
        low, high = bounds or (goal.value, goal.value)
    elif bounds is not None:
        return _not_rated(
            "Target does not fit polarity",
            f"A target range ({format_target(indicator, goal)}) needs range polarity, "
            f"but this indicator is {POLARITY_WORDS[indicator.polarity].reason}",
        )
    else:
        low = high = goal.value

    actual = _shown(indicator, record.value)
    low_d, high_d = _shown(indicator, low), _shown(indicator, high)
    if indicator.polarity is Polarity.BIGGER:
        edge, shortfall = low_d, low_d - actual
    elif indicator.polarity is Polarity.SMALLER:
        edge, shortfall = high_d, actual - high_d
    elif actual < low_d:
        edge, shortfall = low_d, low_d - actual
    else:
        edge, shortfall = high_d, actual - high_d

    tolerance = indicator.tolerance or settings.default_tolerance
    head = (
        f"{format_value(indicator, record.value)} against {_target_words(indicator, goal)}, "
        f"{POLARITY_WORDS[indicator.polarity].reason}"
    )
    if shortfall <= 0:
        return Rating(rag=RAG.GREEN, reason=f"{head}: GREEN")
    band = _band_words(indicator, tolerance)
    if tolerance.kind is ToleranceKind.NONE or tolerance.amount is None:
        return Rating(rag=RAG.RED, reason=f"{head}, {band}: RED")
    amount = tolerance.amount
    if tolerance.kind is ToleranceKind.LIMIT:
        # the limit is a figure like any other: compared as shown, as the reason prints it
        amount = float(_shown(indicator, amount))
    if _within_band(actual, edge, shortfall, tolerance.kind, amount):
        return Rating(rag=RAG.AMBER, reason=f"{head}, within {band}: AMBER")
    return Rating(rag=RAG.RED, reason=f"{head}, beyond {band}: RED")


# --- Direction of travel -------------------------------------------------------------------


def _distance(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    if value < low:
        return low - value
    if value > high:
        return value - high
    return Decimal(0)


def trend(
    indicator: Indicator,
    current: ReturnRecord | None,
    previous: HistoryPoint | None,
    settings: Settings,
    *,
    term: Literal["short", "long"],
    period: Period,
    target: Target | None = None,
) -> Trend:
    """Compare this period's figure with an earlier one: better / same / worse.

    term "short" is against the previous period, "long" against the same period last year.
    target is needed only for range polarity, where better means closer to the range.
    Raises PeriodError if the indicator's definition_changed or the previous point's period
    is misspelled (the register and history loaders check both first).
    """

    def no_arrow(reason: str) -> Trend:
        return Trend(direction=None, compared_with=previous, reason=reason)

    if current is None or current.status is Status.NOT_AVAILABLE or current.value is None:
        return no_arrow("No figure this period")
    if previous is None:
        return no_arrow("No earlier figure")
    if (previous.token or "").strip().upper() == "NEW":
        return no_arrow("New indicator: no earlier figure")
    if previous.value is None:
        token = previous.token or "N/A"
        return no_arrow(f"Earlier figure not available ({token}) in {previous.period}")
    if indicator.definition_changed:
        changed = Period.parse(indicator.definition_changed)
        then = Period.parse(previous.period).sort_key()
        if then < changed.sort_key(year_at_end=False) <= period.sort_key():
            return no_arrow(f"Definition changed in {changed}: not like-for-like")
    caveat = ""
    if term == "short" and indicator.basis is Basis.CUMULATIVE:
        if not settings.cumulative_short_term:
            return no_arrow("Year-to-date figure: not comparable with the previous period")
        caveat = " (year to date: not like-for-like)"

    now_value = _shown(indicator, current.value)
    then_value = _shown(indicator, previous.value)
    difference = now_value - then_value
    polarity = indicator.polarity
    head = (
        f"{format_value(indicator, current.value)} now against "
        f"{format_value(indicator, previous.value)} in {previous.period}{caveat}, "
        f"{POLARITY_WORDS[polarity].reason}"
    )
    bounds = None
    if polarity is Polarity.RANGE and target is not None:
        if target.kind is TargetKind.VALUE and target.value is not None:
            bounds = (target.value, target.value)
        else:
            bounds = _range_bounds(target)

    if abs(difference) <= abs(_dec(settings.same_threshold)):
        direction = Direction.SAME
    elif polarity is Polarity.BIGGER:
        direction = Direction.BETTER if difference > 0 else Direction.WORSE
    elif polarity is Polarity.SMALLER:
        direction = Direction.BETTER if difference < 0 else Direction.WORSE
    elif polarity is Polarity.RANGE and bounds is not None:
        low, high = (_shown(indicator, bound) for bound in bounds)
        gap_now = _distance(now_value, low, high)
        gap_then = _distance(then_value, low, high)
        if gap_now == gap_then:
            direction = Direction.SAME
        else:
            direction = Direction.BETTER if gap_now < gap_then else Direction.WORSE
        head += f" ({format_target(indicator, target)})" if target is not None else ""
    else:
        # No polarity, or a range with no target to be closer to: say only which way it moved.
        if polarity is Polarity.RANGE:
            head += " but there is no target range"
        direction = Direction.INCREASE if difference > 0 else Direction.DECREASE
    return Trend(direction=direction, compared_with=previous, reason=f"{head}: {direction}")


# --- Published arrows ----------------------------------------------------------------------

# The example report's key: up = better, down = worse, sideways = same.
_PUBLISHED = {
    "up": Direction.BETTER,
    "down": Direction.WORSE,
    "same": Direction.SAME,
    "sideways": Direction.SAME,
}


def check_published_arrow(computed: Trend, published: str | None) -> str | None:
    """Say in plain English where a published arrow disagrees with the computed one.

    Returns None when nothing was published or the two agree. For an indicator with no
    polarity, up and down are read as increase and decrease.
    """
    text = (published or "").strip().lower()
    if not text:
        return None
    given = computed.direction.value if computed.direction else "no arrow"
    meant = _PUBLISHED.get(text)
    if meant is None:
        return (
            f"The published arrow '{published}' is not one of up, down, same or sideways; "
            f"the figures give {given}: {computed.reason}"
        )
    if computed.direction in (Direction.INCREASE, Direction.DECREASE):
        meant = {Direction.BETTER: Direction.INCREASE, Direction.WORSE: Direction.DECREASE}.get(
            meant, meant
        )
    if computed.direction is meant:
        return None
    said = f"'{text}'" if text == meant else f"'{text}' ({meant})"
    return f"The published arrow is {said} but the figures give {given}: {computed.reason}"
