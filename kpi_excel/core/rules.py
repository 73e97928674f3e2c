"""The rules engine: RAG ratings and direction-of-travel arrows (domain notes sections 3 and 4).

Pure functions from values to Enums plus a plain-English reason. Everything is compared at
display precision (what the reader sees) using Decimal, so exact edges are inclusive and a
reader never sees "95.0% against 95.0%" rated RED.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .display import (
    NO_ARROW,
    POLARITY_WORDS,
    arrow_code,
    band_reach,
    format_target,
    format_value,
    round_display,
)
from .models import (
    DEFAULT_DUE_QUARTERS,
    Band,
    BandCondition,
    BandEdge,
    Basis,
    Direction,
    Frequency,
    HistoryPoint,
    Indicator,
    Polarity,
    RagKey,
    Rating,
    ResolvedTarget,
    ReturnRecord,
    Settings,
    Standing,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Trend,
    Unit,
)
from .periods import Period

__all__ = [
    "NO_ARROW",
    "PUBLISHED_ARROWS",
    "arrow_code",
    "check_published_arrow",
    "published_arrow_words",
    "rate",
    "trend",
]

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


def plain(value: float) -> str:
    """A figure exactly as recorded: 83.46, 660."""
    return format(_dec(value).normalize(), "f")


# --- RAG rating ----------------------------------------------------------------------------


def _not_rated(label: str, reason: str, standing: Standing = Standing.NO_TARGET) -> Rating:
    return Rating(rag=None, reason=reason, not_rated=label, standing=standing)


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


@dataclass(frozen=True)
class _Gap:
    """A rated figure's place against its target, at display precision."""

    indicator: Indicator
    actual: Decimal
    edge: Decimal  # the target, or the nearest end of a range
    shortfall: Decimal  # with polarity: above zero is worse than target
    tolerance: Tolerance
    is_range: bool


def _amount_words(indicator: Indicator, amount: float) -> str:
    if indicator.unit is Unit.PERCENT:
        return f"{amount:g} percentage point{'' if amount == 1 else 's'}"
    suffix = f" {indicator.suffix}" if indicator.suffix else ""
    return f"{amount:g}{suffix}"


def _band_fits(band: Band, gap: _Gap) -> bool:
    """Whether the figure reaches this band's edge (inclusive), ignoring its condition."""
    amount = abs(_dec(band.amount)) if band.amount is not None else Decimal(0)
    if band.edge is BandEdge.OTHERWISE:
        return True
    if band.edge is BandEdge.ON_TARGET:
        return gap.shortfall <= 0
    if band.edge is BandEdge.RELATIVE:
        # target zero: no division, and zero per cent of it leaves only "on target"
        return gap.shortfall <= abs(gap.edge) * amount / 100
    if band.edge is BandEdge.ABSOLUTE:
        return gap.shortfall <= amount
    if band.edge is BandEdge.AHEAD_RELATIVE:
        # nothing is a percentage ahead of zero, and a range has no "ahead"
        return not gap.is_range and gap.edge != 0 and -gap.shortfall >= abs(gap.edge) * amount / 100
    if band.edge is BandEdge.AHEAD_ABSOLUTE:
        return not gap.is_range and -gap.shortfall >= amount and -gap.shortfall > 0
    if band.edge is BandEdge.TOLERANCE:
        tolerance = gap.tolerance
        if gap.shortfall <= 0:
            return True
        if tolerance.kind is ToleranceKind.NONE or tolerance.amount is None:
            return False
        limit = tolerance.amount
        if tolerance.kind is ToleranceKind.LIMIT:
            # the limit is a figure like any other: compared as shown, as the reason prints it
            limit = float(_shown(gap.indicator, limit))
        return _within_band(gap.actual, gap.edge, gap.shortfall, tolerance.kind, limit)
    return False  # NO_TARGET: only for figures with no target


def _inside_words(band: Band, gap: _Gap) -> str:
    """Where the figure is, in words, when it fell in this band: the key's words for the band
    (display.band_reach), with the range, the tolerance and the unit this figure has."""
    on_target = "inside the target range" if gap.is_range else "on or better than target"
    if band.edge is BandEdge.ON_TARGET:
        return on_target
    if band.edge is BandEdge.TOLERANCE:
        if gap.shortfall <= 0:
            return on_target
        return f"within {_band_words(gap.indicator, gap.tolerance)}"
    amount = abs(band.amount) if band.amount is not None else 0.0
    # the band's condition is said apart, with the direction it turned on
    return band_reach(band, _amount_words(gap.indicator, amount), condition=False)


def _beyond_words(band: Band, gap: _Gap) -> str:
    """Where the figure is, in words, when it fell short of this band."""
    amount = abs(band.amount) if band.amount is not None else 0.0
    if band.edge is BandEdge.RELATIVE and gap.edge == 0:
        return f"worse than a target of zero, which has no {amount:g}% band"
    if band.edge is BandEdge.RELATIVE:
        return f"more than {amount:g}% worse than target"
    if band.edge is BandEdge.ABSOLUTE:
        return f"more than {_amount_words(gap.indicator, amount)} worse than target"
    if band.edge is BandEdge.TOLERANCE:
        words = _band_words(gap.indicator, gap.tolerance)
        return words if words == "no amber band" else f"beyond {words}"
    return "worse than target"


_CONDITION_WORDS = {
    BandCondition.IMPROVED: "improved on last year",
    BandCondition.NOT_IMPROVED: "not improved on last year",
}


def _condition_holds(condition: BandCondition, long_term: Direction | None) -> bool:
    if condition is BandCondition.ANY:
        return True
    improved = long_term is Direction.BETTER
    return improved if condition is BandCondition.IMPROVED else not improved


def _named(band: Band, words: str, standing: Standing = Standing.TARGETABLE) -> Rating:
    """A rating in a band: the reason ends with the state, and names the band when the council
    gave it a name of its own."""
    name = f" (band '{band.name}')" if band.name.upper() != band.state.value else ""
    return Rating(
        rag=band.state,
        reason=f"{words}{name}: {band.state}",
        band=band.name,
        colour=band.colour,
        standing=standing,
    )


def _rate_in_key(key: RagKey, gap: _Gap, head: str, long_term: Direction | None) -> Rating:
    """The first band of the key the figure reaches whose condition holds."""
    passed: Band | None = None  # the last edge the figure fell short of, for "beyond" words
    failed: BandCondition | None = None  # a band the figure reached but the direction did not
    for band in key.bands:
        if band.edge is BandEdge.NO_TARGET:
            continue
        if not _band_fits(band, gap):
            if band.edge not in (BandEdge.AHEAD_RELATIVE, BandEdge.AHEAD_ABSOLUTE):
                passed = band
            continue
        if not _condition_holds(band.when, long_term):
            failed = band.when
            continue
        if band.edge is BandEdge.OTHERWISE:
            words = _beyond_words(passed, gap) if passed is not None else "otherwise"
        else:
            words = _inside_words(band, gap)
        condition = band.when if band.when is not BandCondition.ANY else None
        if condition is None and failed is not None:
            condition = {
                BandCondition.IMPROVED: BandCondition.NOT_IMPROVED,
                BandCondition.NOT_IMPROVED: BandCondition.IMPROVED,
            }.get(failed)
        if condition is not None:
            said = long_term.value if long_term is not None else "no arrow"
            words += f" and {_CONDITION_WORDS[condition]} ({said})"
        return _named(band, f"{head}, {words}")
    return _not_rated("No band fits", f"{head}, but no band of the RAG key fits it")


def _no_target_band(key: RagKey, data_only: bool = False) -> Band | None:
    edge = BandEdge.DATA_ONLY if data_only else BandEdge.NO_TARGET
    return next((band for band in key.bands if band.edge is edge), None)


def _unrated_figure(
    indicator: Indicator, record: ReturnRecord | None, period: Period
) -> Rating | None:
    """Why a figure cannot be rated before its target is looked at, or None."""
    if record is None:
        return _not_rated(
            "No return", "No return was received for this indicator", Standing.NO_DATA
        )
    # A year report covers every quarter, so only quarters can be "not due".
    due = indicator.due_for(period)
    if not due and record.value is None:
        how_often = _FREQUENCY_WORDS[indicator.frequency]
        quarters = indicator.due_quarters or DEFAULT_DUE_QUARTERS[indicator.frequency]
        names = [f"Q{quarter}" for quarter in quarters]
        when = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return _not_rated(
            f"Not due: reported {how_often}",
            f"Not due in {period}: reported {how_often}, in {when}",
            Standing.NOT_DUE,
        )
    # A due indicator marked "not due" has no figure this period: the reader reports it.
    if record.status is not Status.AVAILABLE or record.value is None:
        return _not_rated(
            "Data not available", f"No figure is available for {period}", Standing.NO_DATA
        )
    return None


def _unrated_target(goal: Target) -> Rating | None:
    """Why a target cannot rate a figure, or None."""
    if goal.kind is TargetKind.TBC:
        return _not_rated("Target TBC", "The target is to be confirmed, so the figure is not rated")
    if goal.kind in (TargetKind.NONE, TargetKind.DERIVE):
        return _not_rated("No target", "There is no target, so the figure is not rated")
    if goal.kind is TargetKind.COMPARATOR and goal.value is None:
        label = goal.label or "the comparator"
        return _not_rated("No comparator value", f"No value was supplied for {label}")
    if goal.value is None or (goal.kind is TargetKind.RANGE and _range_bounds(goal) is None):
        return _not_rated("No target", "The target has no value, so the figure is not rated")
    return None


def _gap(
    indicator: Indicator,
    goal: Target,
    actual_value: float,
    settings: Settings,
    *,
    exact: bool = False,
) -> _Gap:
    """Where the figure stands against the target: as shown, or exactly as recorded."""
    bounds = _range_bounds(goal)
    assert goal.value is not None  # _unrated_target has said why not
    # A single value with range polarity is a range of one point.
    low, high = bounds or (goal.value, goal.value)
    figure = _dec if exact else (lambda value: _shown(indicator, value))
    actual = figure(actual_value)
    low_d, high_d = figure(low), figure(high)
    if indicator.polarity is Polarity.BIGGER:
        edge, shortfall = low_d, low_d - actual
    elif indicator.polarity is Polarity.SMALLER:
        edge, shortfall = high_d, actual - high_d
    elif actual < low_d:
        edge, shortfall = low_d, low_d - actual
    else:
        edge, shortfall = high_d, actual - high_d
    tolerance = indicator.tolerance or settings.default_tolerance
    is_range = indicator.polarity is Polarity.RANGE
    return _Gap(indicator, actual, edge, shortfall, tolerance, is_range)


def rate(
    indicator: Indicator,
    target: ResolvedTarget,
    record: ReturnRecord | None,
    settings: Settings,
    period: Period,
    *,
    long_term: Direction | None = None,
) -> Rating:
    """Rate one indicator's figure for a period in the bands of its RAG key (GREEN, AMBER, RED,
    BLUE under the council's own names), or say why it is not rated.

    long_term is the direction against last year, for composite keys whose bands depend on it;
    without it a figure counts as not improved.
    """
    key = settings.key_for(indicator)
    data_only = indicator.polarity is Polarity.NONE
    unrated = _unrated_figure(indicator, record, period)
    if data_only and (unrated is not None or _no_target_band(key, True) is None):
        return _not_rated("Data only", "Contextual indicator (data only): reported, never rated")
    if unrated is not None:
        return unrated
    assert record is not None and record.value is not None  # _unrated_figure has said why not
    goal = target.target
    if data_only or (unrated := _unrated_target(goal)) is not None:
        band = _no_target_band(key, data_only)
        if band is None:
            return unrated  # type: ignore[return-value]
        what = "data only" if data_only else (unrated.not_rated or "no target").lower()
        return _named(band, f"{format_value(indicator, record.value)}, {what}", Standing.NO_TARGET)
    if indicator.polarity is not Polarity.RANGE and _range_bounds(goal) is not None:
        return _not_rated(
            "Target does not fit polarity",
            f"A target range ({format_target(indicator, goal)}) needs range polarity, "
            f"but this indicator is {POLARITY_WORDS[indicator.polarity].reason}",
        )
    head = (
        f"{format_value(indicator, record.value)} against {_target_words(indicator, goal)}, "
        f"{POLARITY_WORDS[indicator.polarity].reason}"
    )
    rating = _rate_in_key(key, _gap(indicator, goal, record.value, settings), head, long_term)
    exact_gap = _gap(indicator, goal, record.value, settings, exact=True)
    exact = _rate_in_key(key, exact_gap, head, long_term)
    if (exact.rag, exact.band) != (rating.rag, rating.band):
        note = (
            f"{plain(record.value)} against {plain(goal.value)} (as recorded) would be "
            f"{exact.band or exact.rag}; shown at {indicator.decimals} decimal places it is "
            f"{rating.band or rating.rag}"
        )
        rating = rating.model_copy(update={"precision_note": note})
    return rating


# --- Direction of travel -------------------------------------------------------------------


def _distance(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    if value < low:
        return low - value
    if value > high:
        return value - high
    return Decimal(0)


def _months_of_year(period: Period) -> int:
    """How many months of its year a year-to-date figure for the period covers."""
    return 12 if period.quarter is None else 3 * period.quarter


def _same_length_of_year(indicator: Indicator, period: Period, earlier: str) -> bool:
    """False when a year-to-date figure is compared with one covering a different part of a
    year (Q2 against Q1, Q1 against last year's whole year); anything else is like for like."""
    if indicator.basis is not Basis.CUMULATIVE:
        return True
    return _months_of_year(period) == _months_of_year(Period.parse(earlier))


def _nothing_to_compare(
    indicator: Indicator,
    current: ReturnRecord | None,
    previous: HistoryPoint | None,
    period: Period,
) -> str | None:
    """Why there is no arrow, or None when the two figures can be compared."""
    if current is None or current.status is Status.NOT_AVAILABLE or current.value is None:
        return "No figure this period"
    if previous is None:
        return "No earlier figure"
    if (previous.token or "").strip().upper() == "NEW":
        return "New indicator: no earlier figure"
    if previous.value is None:
        token = previous.token or "N/A"
        return f"Earlier figure not available ({token}) in {previous.period}"
    if indicator.definition_changed:
        changed = Period.parse(indicator.definition_changed)
        then = Period.parse(previous.period).sort_key()
        if then < changed.sort_key(year_at_end=False) <= period.sort_key():
            return f"Definition changed in {changed}: not like-for-like"
    return None


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

    why_not = _nothing_to_compare(indicator, current, previous, period)
    if why_not is not None:
        return no_arrow(why_not)
    assert current is not None and current.value is not None  # said above if not
    assert previous is not None and previous.value is not None
    caveat = ""
    like_for_like = _same_length_of_year(indicator, period, previous.period)
    if not like_for_like:
        if term == "short" and not settings.cumulative_short_term:
            return no_arrow("Year-to-date figure: not comparable with the previous period")
        caveat = " (year to date: not like-for-like)"

    polarity = indicator.polarity
    head = (
        f"{format_value(indicator, current.value)} now against "
        f"{format_value(indicator, previous.value)} in {previous.period}{caveat}, "
        f"{POLARITY_WORDS[polarity].reason}"
    )
    bounds = _range_to_be_near(polarity, target)
    if bounds is not None:
        head += f" ({format_target(indicator, target)})" if target is not None else ""
    elif polarity is Polarity.RANGE:
        head += " but there is no target range"
    threshold = settings.same_threshold
    direction = _direction(indicator, current.value, previous.value, bounds, threshold)
    exact = _direction(indicator, current.value, previous.value, bounds, threshold, exact=True)
    note = ""
    if exact is not direction:
        note = (
            f"{plain(current.value)} against {plain(previous.value)} (as recorded) would be "
            f"{exact}; shown at {indicator.decimals} decimal places it is {direction}"
        )
    return Trend(
        direction=direction,
        compared_with=previous,
        reason=f"{head}: {direction}",
        like_for_like=like_for_like,
        precision_note=note,
    )


def _range_to_be_near(polarity: Polarity, target: Target | None) -> tuple[float, float] | None:
    """For range polarity, the range a figure is better for being nearer to (a single value
    is a range of one point); None for other polarities or with no range."""
    if polarity is not Polarity.RANGE or target is None:
        return None
    if target.kind is TargetKind.VALUE and target.value is not None:
        return (target.value, target.value)
    return _range_bounds(target)


def _direction(
    indicator: Indicator,
    now: float,
    then: float,
    bounds: tuple[float, float] | None,
    same_threshold: float,
    *,
    exact: bool = False,
) -> Direction:
    """Better, same or worse (increase or decrease with no polarity), as shown or exactly."""
    figure = _dec if exact else (lambda value: _shown(indicator, value))
    now_value, then_value = figure(now), figure(then)
    difference = now_value - then_value
    polarity = indicator.polarity
    if abs(difference) <= abs(_dec(same_threshold)):
        return Direction.SAME
    if polarity is Polarity.BIGGER:
        return Direction.BETTER if difference > 0 else Direction.WORSE
    if polarity is Polarity.SMALLER:
        return Direction.BETTER if difference < 0 else Direction.WORSE
    if polarity is Polarity.RANGE and bounds is not None:
        low, high = (figure(bound) for bound in bounds)
        gap_now = _distance(now_value, low, high)
        gap_then = _distance(then_value, low, high)
        if gap_now == gap_then:
            return Direction.SAME
        return Direction.BETTER if gap_now < gap_then else Direction.WORSE
    # No polarity, or a range with no target to be closer to: say only which way it moved.
    return Direction.INCREASE if difference > 0 else Direction.DECREASE


# --- Counting arrows -----------------------------------------------------------------------

# --- Published arrows ----------------------------------------------------------------------

# How published reports write arrows: the example report's up / down / same / sideways, the
# words councils use, and the symbols a PDF's text keeps. A register's own words are added.
PUBLISHED_ARROWS: dict[str, Direction] = {
    **dict.fromkeys(
        ("up", "better", "improved", "improving", "getting better", "▲", "↑", "⇧", "⬆", "▴"),
        Direction.BETTER,
    ),
    **dict.fromkeys(
        ("down", "worse", "declined", "declining", "getting worse", "deteriorated", "▼", "↓", "⇩",
         "⬇", "▾"),
        Direction.WORSE,
    ),
    **dict.fromkeys(
        ("same", "sideways", "no change", "unchanged", "sustained", "stable", "maintained", "►",
         "→", "⇨", "➡", "↔", "="),
        Direction.SAME,
    ),
    "increase": Direction.INCREASE,
    "decrease": Direction.DECREASE,
}  # fmt: skip


def published_arrow_words(settings: Settings | None = None) -> dict[str, Direction]:
    """Every spelling a published arrow may take, the register's own words first."""
    words = dict(PUBLISHED_ARROWS)
    if settings is not None:
        for code, word in settings.direction_words.items():
            words[word.strip().lower()] = Direction(code)
    return words


def check_published_arrow(
    computed: Trend, published: str | None, words: dict[str, Direction] | None = None
) -> str | None:
    """Say in plain English where a published arrow disagrees with the computed one.

    Returns None when nothing was published or the two agree. words maps each spelling to its
    direction (published_arrow_words); for an indicator with no polarity, better and worse are
    read as increase and decrease.
    """
    text = " ".join((published or "").strip().lower().split())
    if not text:
        return None
    given = computed.direction.value if computed.direction else "no arrow"
    meant = (words or PUBLISHED_ARROWS).get(text)
    if meant is None:
        return (
            f"The published arrow '{published}' is not a word or symbol kpi-excel knows "
            f"(up, down, same, better, worse, no change, ▲, ▼, ► or the register's words); "
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
