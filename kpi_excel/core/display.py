"""How values are printed: one place, so the rules' reasons, templates and the board agree."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .models import (
    RAG,
    TOLERANCE_KEY,
    ArrowStyle,
    Band,
    BandCondition,
    BandEdge,
    Direction,
    Indicator,
    Polarity,
    ReportRow,
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


@dataclass(frozen=True)
class PolarityWords:
    reason: str  # inside a sentence: "83% against a 95% target, bigger is better"
    label: str  # the board's polarity column
    short: str  # the return template's narrow column


POLARITY_WORDS = {
    Polarity.BIGGER: PolarityWords("bigger is better", "Bigger is better", "Bigger"),
    Polarity.SMALLER: PolarityWords("smaller is better", "Smaller is better", "Smaller"),
    Polarity.RANGE: PolarityWords(
        "inside the range is best", "Within the target range", "In range"
    ),
    Polarity.NONE: PolarityWords("no polarity", "Data only (no polarity)", "Data only"),
}


# Figures recorded with more places than this are noise from arithmetic, not precision.
MAX_RECORDED_PLACES = 6


def plural(count: int, word: str) -> str:
    """ "1 row", "2 rows": no "1 rows" in a message."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def recorded_places(value: float) -> int:
    """Decimal places the figure was recorded with: 72.4 -> 1, 660.0 -> 0, 0.125 -> 3."""
    rounded = Decimal(repr(_rounded(float(value), MAX_RECORDED_PLACES)))
    exponent = rounded.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def display_places(indicator: Indicator) -> int:
    """Places ratings and arrows compare at: the register's Decimals, or when it gives none,
    every place a figure may be recorded with."""
    return indicator.decimals if indicator.decimals_given else MAX_RECORDED_PLACES


def round_display(indicator: Indicator, value: float) -> float:
    """The value as the reader sees it: ratings and arrows are computed on this.

    Rounds half away from zero, as Excel does, on the decimal text of the float.
    """
    return _rounded(float(value), display_places(indicator))


def places_shown(indicator: Indicator, value: float) -> int:
    """Places to print a figure with: the register's Decimals when it gives them (so a column
    lines up), else the places it was recorded with: 72.4 prints "72.4" and 660 "660", with
    no trailing zeros nobody typed."""
    if indicator.decimals_given:
        return indicator.decimals
    return recorded_places(value)


@lru_cache(maxsize=65536)
def _rounded(value: float, decimals: int) -> float:
    # Cached: the board rounds each figure several times, and targets repeat across indicators.
    step = Decimal(1).scaleb(-decimals)
    # + 0.0 turns -0.0 into 0.0, so nothing prints as "-0%"
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)) + 0.0


def format_number(indicator: Indicator, value: float) -> str:
    text = f"{round_display(indicator, value):,.{places_shown(indicator, value)}f}"
    if indicator.unit is Unit.MONEY:
        text = f"£{text}"
    return text


def format_value(indicator: Indicator, value: float | None, *, suffix: bool = True) -> str:
    """83.0 -> "83%"; 0.8 -> "0.8 days"; 118.4 -> "118.4kg per head"."""
    if value is None:
        return "N/A"
    text = format_number(indicator, value)
    if indicator.unit is Unit.PERCENT:
        return f"{text}%"
    if suffix and indicator.suffix:
        joiner = "" if indicator.suffix[:2] in ("kg", "£") else " "
        return f"{text}{joiner}{indicator.suffix}"
    return text


def format_target(indicator: Indicator, target: Target) -> str:
    if target.kind is TargetKind.VALUE and target.value is not None:
        return format_value(indicator, target.value)
    if target.kind is TargetKind.RANGE and target.value is not None and target.high is not None:
        return f"{format_value(indicator, target.value)} to {format_value(indicator, target.high)}"
    if target.kind is TargetKind.COMPARATOR:
        label = target.label or "Comparator"
        if target.value is not None:
            return f"{label} ({format_number(indicator, target.value)})"
        return label
    if target.kind is TargetKind.TBC:
        return "TBC"
    if target.kind is TargetKind.DERIVE:
        return ""
    return target.label or "N/A"  # "No annual target" for a blank annual target


# --- the board's words: shared by the board workbook and the web edition ----------------------

# The example's key: the arrow says better / same / worse, whatever the polarity. Increase and
# decrease (no polarity) get thin arrows so they are not mistaken for a judgement.
PERFORMANCE_ARROWS = {
    Direction.BETTER: "▲",
    Direction.SAME: "►",
    Direction.WORSE: "▼",
    Direction.INCREASE: "↑",
    Direction.DECREASE: "↓",
}
UP, FLAT, DOWN = "▲", "►", "▼"
YEAR_TO_DATE_MARK = "*"
YEAR_TO_DATE_NOTE = (
    "* A year-to-date figure compared with a different length of year (for example six months "
    "against three): not like for like, so not counted as better or worse."
)


def judged(trend: Trend) -> Direction | None:
    """The direction counted as better or worse: none when not like for like."""
    return trend.direction if trend.like_for_like else None


def year_to_date_marked(rows: Sequence[tuple[int, ReportRow]]) -> bool:
    return any(
        not trend.like_for_like and trend.direction is not None
        for _, row in rows
        for trend in (row.short_term, row.long_term)
    )


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def figure_marks(row: ReportRow) -> str:
    """ " (Provisional) (avg.)" after a figure, or ""."""
    record = row.record
    if record is None:
        return ""
    marks = []
    if record.provisional:
        marks.append("(Provisional)")
    if record.average:
        marks.append("(avg.)")
    return " " + " ".join(marks) if marks else ""


def performance_text(row: ReportRow) -> str:
    """The period's figure as the board shows it: "83% (Provisional)", "Not due", "N/A"."""
    record = row.record
    if record is not None and _finite(record.value):
        assert record.value is not None
        return format_value(row.indicator, record.value) + figure_marks(row)
    if record is not None and record.status is Status.NOT_DUE:
        return "Not due"
    return "N/A"


def rag_text(row: ReportRow) -> str:
    if row.rating.rag is not None:
        return row.rating.rag.value
    return row.rating.not_rated or "Not rated"


def compared_marks(trend: Trend, expected: Period) -> str:
    """ " (16-17)" after a compared figure when its period is not the obvious one, or ""."""
    point = trend.compared_with
    if point is None:
        return ""
    label = point.label.strip()
    if not label and point.period != expected:
        label = f"({point.period})"
    return f" {label}" if label else ""


def compared_text(indicator: Indicator, trend: Trend, expected: Period) -> str:
    """The value the arrow compares with, labelled with its period when not the obvious one."""
    point = trend.compared_with
    if point is None or not _finite(point.value):
        # The word beside it already carries the token ("NEW", "N/A"): no need to say it twice.
        return "—"
    assert point.value is not None
    return format_value(indicator, point.value) + compared_marks(trend, expected)


def trend_word(row: ReportRow, trend: Trend, settings: Settings | None = None) -> str:
    """better / same / worse / increase / decrease (in the council's words when settings are
    given), or why there is no arrow; marked * when the comparison is not like for like (a
    year-to-date figure against a different length of year)."""
    if trend.direction is not None:
        word = settings.word_for(trend.direction) if settings else trend.direction.value
        return word + ("" if trend.like_for_like else YEAR_TO_DATE_MARK)
    point = trend.compared_with
    if point is not None and point.token:
        return point.token.strip()
    record = row.record
    if record is None or not _finite(record.value) or point is None or not _finite(point.value):
        return "N/A"
    return "Not compared"  # figures exist but are not like-for-like; the Data sheet says why


def arrow(row: ReportRow, trend: Trend, style: ArrowStyle) -> str:
    direction = trend.direction
    if direction is None:
        return ""
    if style is ArrowStyle.PERFORMANCE:
        return PERFORMANCE_ARROWS[direction]
    # MOVEMENT: the arrow points the way the figure moved; the word says better or worse.
    if direction is Direction.SAME:
        return FLAT
    if direction is Direction.INCREASE:
        return UP
    if direction is Direction.DECREASE:
        return DOWN
    record, point = row.record, trend.compared_with
    if record is not None and point is not None and _finite(record.value) and _finite(point.value):
        assert record.value is not None and point.value is not None
        now = round_display(row.indicator, record.value)
        then = round_display(row.indicator, point.value)
        if now != then:
            return UP if now > then else DOWN
    rises_are_better = row.indicator.polarity is not Polarity.SMALLER
    return UP if (direction is Direction.BETTER) == rises_are_better else DOWN


def is_exception(row: ReportRow, include_amber: bool) -> bool:
    rag = row.rating.rag
    return rag is RAG.RED or (include_amber and rag is RAG.AMBER)


def exception_order(indexed: Sequence[tuple[int, ReportRow]]) -> list[tuple[int, ReportRow]]:
    """RED before AMBER; within each, worsening short term first, then worsening long term
    (a comparison that is not like for like is not counted as worsening)."""

    def key(item: tuple[int, ReportRow]) -> tuple[int, int, int, int]:
        index, row = item
        return (
            0 if row.rating.rag is RAG.RED else 1,
            0 if judged(row.short_term) is Direction.WORSE else 1,
            0 if judged(row.long_term) is Direction.WORSE else 1,
            index,
        )

    return sorted(indexed, key=key)


def describe_tolerance(tolerance: Tolerance) -> str:
    amount = tolerance.amount
    if tolerance.kind is ToleranceKind.NONE or amount is None:
        return "No amber band: a figure is GREEN (on or better than target) or RED."
    if tolerance.kind is ToleranceKind.RELATIVE:
        return f"AMBER when the shortfall is within {amount:g}% of the target (inclusive)."
    if tolerance.kind is ToleranceKind.ABSOLUTE:
        return (
            f"AMBER when the shortfall is within {amount:g} of the target (inclusive), in the "
            "indicator's unit: percentage points for percentages."
        )
    return f"AMBER up to the amber limit of {amount:g}; beyond it RED."


# --- the summary's counts ----------------------------------------------------------------------


@dataclass
class Counts:
    indicators: int
    rag: Counter[RAG]
    short: Counter[str]  # better / same / worse / other, short term
    long: Counter[str]
    unrated: Counter[Standing] = field(default_factory=Counter)  # why the others are not rated

    @property
    def rated(self) -> int:
        return sum(self.rag.values())


NO_ARROW = "no arrow"


def arrow_code(trend: Trend, settings: Settings) -> str:
    """The column an arrow counts in: better, same, worse or no arrow (which takes a
    comparison that is not like for like)."""
    direction = judged(trend)
    if settings.count_data_only_moves and direction is Direction.INCREASE:
        direction = Direction.BETTER  # "up"
    elif settings.count_data_only_moves and direction is Direction.DECREASE:
        direction = Direction.WORSE  # "down"
    if direction in (Direction.BETTER, Direction.SAME, Direction.WORSE):
        return direction.value
    return NO_ARROW


def _judgement(trend: Trend, settings: Settings | None) -> str:
    # the Settings say whether a data-only rise or fall counts with better and worse
    code = arrow_code(trend, settings or Settings())
    return "other" if code == NO_ARROW else code


def count(rows: Sequence[ReportRow], settings: Settings | None = None) -> Counts:
    rag: Counter[RAG] = Counter(row.rating.rag for row in rows if row.rating.rag is not None)
    short = Counter(_judgement(row.short_term, settings) for row in rows)
    long = Counter(_judgement(row.long_term, settings) for row in rows)
    unrated = Counter(row.rating.standing for row in rows if row.rating.rag is None)
    return Counts(indicators=len(rows), rag=rag, short=short, long=long, unrated=unrated)


SUMMARY_HEADERS = (
    "Sub-committee",
    "Indicators",
    "Rated",
    "GREEN",
    "AMBER",
    "RED",
    "Not rated",
    "Better",
    "Same",
    "Worse",
    "Not compared",
    "Better",
    "Same",
    "Worse",
    "Not compared",
)

BETTER_IF = {
    Polarity.BIGGER: "Better if higher",
    Polarity.SMALLER: "Better if lower",
    Polarity.RANGE: "Better if within the range",
    Polarity.NONE: "For information, not rated",
}


def better_if(indicator: Indicator) -> str:
    return BETTER_IF[indicator.polarity]


def count_values(counts: Counts) -> list[int]:
    """A summary line's numbers, in SUMMARY_HEADERS' order after the name."""
    values = [counts.indicators, counts.rated]
    values += [counts.rag[RAG.GREEN], counts.rag[RAG.AMBER], counts.rag[RAG.RED]]
    values.append(counts.indicators - counts.rated)
    for trend in (counts.short, counts.long):
        values += [trend["better"], trend["same"], trend["worse"], trend["other"]]
    return values


def summary_headers(settings: Settings) -> list[str]:
    """The Summary's headings with the arrows in the council's words ("Getting better")."""
    headers = list(SUMMARY_HEADERS)
    for code in ("better", "same", "worse"):
        word = settings.direction_words.get(code, code)
        if word != code:  # the default words keep their capital
            headers = [word if text == code.capitalize() else text for text in headers]
    return headers


# Why an indicator is not rated, as a council's summary counts them apart from the targetable
UNRATED_WORDS = {
    Standing.NO_TARGET: "with no target",
    Standing.NOT_DUE: "not due",
    Standing.NO_DATA: "with no figure",
}


def overall_sentence(counts: Counts) -> str:
    """ "Of 22 rated indicators, 7 are GREEN, 0 AMBER and 15 RED; 12 of the 34 indicators are
    not rated (6 with no target, 3 not due, 3 with no figure)." """
    not_rated = counts.indicators - counts.rated
    why = [
        f"{counts.unrated[standing]} {words}"
        for standing, words in UNRATED_WORDS.items()
        if counts.unrated[standing]
    ]
    return (
        f"Of {counts.rated} rated indicators, {counts.rag[RAG.GREEN]} are GREEN, "
        f"{counts.rag[RAG.AMBER]} AMBER and {counts.rag[RAG.RED]} RED; "
        f"{not_rated} of the {counts.indicators} indicators are not rated"
        + (f" ({', '.join(why)})." if why and not_rated else ".")
    )


# --- the key: (symbol, meaning) pairs, in the words of the settings ---------------------------

KeyLines = list[tuple[str, str]]


NOT_RATED_LINE = (
    "Not rated",
    "The reason is shown instead of a colour: for information only (neither higher nor lower "
    "is better), no target or target TBC, data not available, or not due this period. Not "
    "counted in the totals of GREEN, AMBER and RED.",
)


def band_reach(band: Band, absolute: str | None = None, *, condition: bool = True) -> str:
    """How far a band of a council's key reaches, in the words the key and the ratings'
    reasons share. absolute: an absolute amount in the indicator's unit ("2 days"), where
    one is known; the key, which serves every indicator, gives the bare number."""
    amount = abs(band.amount) if band.amount is not None else 0.0
    absolute = absolute or f"{amount:g}"
    words = {
        BandEdge.ON_TARGET: "on or better than target",
        BandEdge.RELATIVE: f"within {amount:g}% of the target",
        BandEdge.ABSOLUTE: f"within {absolute} of the target",
        BandEdge.AHEAD_RELATIVE: f"better than target by {amount:g}% of it or more",
        BandEdge.AHEAD_ABSOLUTE: f"better than target by {absolute} or more",
        BandEdge.TOLERANCE: "within the indicator's tolerance",
        BandEdge.OTHERWISE: "otherwise",
        BandEdge.NO_TARGET: "no target",
        BandEdge.DATA_ONLY: "for information only",
    }[band.edge]
    if condition and band.when is BandCondition.IMPROVED:
        words += ", if better than a year ago"
    elif condition and band.when is BandCondition.NOT_IMPROVED:
        words += ", if not better than a year ago"
    return words


def rag_key(settings: Settings) -> KeyLines:
    """The ratings' key: the register's own RAG key band by band when it gives one (in the
    council's names), else the GREEN / AMBER / RED meanings of its Settings."""
    if settings.rag_key != TOLERANCE_KEY:
        lines = [
            (
                band.state.value,
                f"{band.name}: {band_reach(band)}"
                if band.name.upper() != band.state.value
                else band_reach(band).capitalize(),
            )
            for band in settings.rag_key.bands
        ]
        return [*lines, NOT_RATED_LINE]
    amber_note = ""
    if settings.default_tolerance.kind is ToleranceKind.NONE:
        amber_note = " (no amber band this year unless an indicator has its own tolerance)"
    return [
        ("GREEN", settings.green_label),
        ("AMBER", settings.amber_label + amber_note),
        ("RED", settings.red_label),
        NOT_RATED_LINE,
    ]


def rag_key_sentence(settings: Settings) -> str:
    """The key in one line, for a template's heading: "GREEN on or better than target; ..."."""
    return (
        "; ".join(
            f"{state} {meaning[0].lower()}{meaning[1:]}"
            for state, meaning in rag_key(settings)[:-1]
        )
        + "."
    )


def arrow_style_name(style: ArrowStyle) -> str:
    if style is ArrowStyle.PERFORMANCE:
        return "performance (up = better)"
    return "movement (the way the figure moved)"


def arrow_key(style: ArrowStyle, settings: Settings | None = None) -> KeyLines:
    no_polarity = "The figure rose or fell; the indicator is for information, so neither is better."
    if style is ArrowStyle.PERFORMANCE:
        arrows = PERFORMANCE_ARROWS
        word = (settings or Settings()).word_for  # the council's words for the arrows
        return [
            (
                f"{arrows[Direction.BETTER]} {word(Direction.BETTER)}",
                "Performance is better than the figure compared with (up means better, whether "
                "higher or lower is better).",
            ),
            (
                f"{arrows[Direction.SAME]} {word(Direction.SAME)}",
                "The same at the precision shown.",
            ),
            (
                f"{arrows[Direction.WORSE]} {word(Direction.WORSE)}",
                "Performance is worse than the figure compared with.",
            ),
            (
                f"{arrows[Direction.INCREASE]} {word(Direction.INCREASE)} / "
                f"{arrows[Direction.DECREASE]} {word(Direction.DECREASE)}",
                no_polarity,
            ),
        ]
    return [
        (
            "▲ better / ▲ worse",
            "The figure rose. Green and the word 'better' when that is an improvement, red "
            "and 'worse' when not.",
        ),
        ("► same", "The same at the precision shown."),
        (
            "▼ better / ▼ worse",
            "The figure fell. Green and 'better' when that is an improvement, red and 'worse' "
            "when not.",
        ),
        ("▲ increase / ▼ decrease", no_polarity),
    ]


def comparison_key(previous: Period, last_year: Period, reasons_in: str) -> KeyLines:
    """reasons_in: where the reader finds why two figures were not compared."""
    return [
        ("Short term", f"Against the previous period ({previous}), or the figure named beside it."),
        ("Long term", f"Against the same period last year ({last_year})."),
        ("NEW", "A new indicator: there is no earlier figure to compare with."),
        ("N/A", "No figure to compare: this period's or the earlier one is not available."),
        (
            "Not compared",
            "Both figures exist but are not like-for-like (for example a change of "
            f"definition); {reasons_in} gives the reason.",
        ),
    ]


MARKS_KEY: KeyLines = [
    ("(Provisional)", "The figure may still change; it is rated as it stands."),
    ("(avg.)", "An average over the period."),
    ("(16-17), (2016/17)", "The period of a comparison figure when it is not the obvious one."),
]


def rules_key(settings: Settings, own_tolerances: int, data_in: str, exceptions: str) -> KeyLines:
    """The rules in force. data_in: where each indicator's own tolerance is shown;
    exceptions: what the list of exceptions is called."""
    same = (
        "Same means equal at the precision shown."
        if settings.same_threshold == 0
        else f"A difference of at most {settings.same_threshold:g} (after rounding to the "
        "precision shown) counts as the same."
    )
    tolerance = describe_tolerance(settings.default_tolerance)
    if settings.rag_key != TOLERANCE_KEY:
        tolerance = f"The register's RAG key decides: {settings.rag_key.text}"
    if own_tolerances:
        tolerance += f" {own_tolerances} indicator(s) have their own tolerance: see {data_in}."
    cumulative = (
        "Year-to-date figures are compared with the previous period anyway, marked * as not "
        "like for like and not counted as better or worse."
        if settings.cumulative_short_term
        else "Year-to-date figures get no short-term arrow (not like for like)."
    )
    which = "RED and AMBER" if settings.exceptions_include_amber else "RED"
    return [
        ("Default tolerance" if settings.rag_key == TOLERANCE_KEY else "RAG key", tolerance),
        ("Same", same),
        ("Ratings and arrows", "Worked out on figures rounded to the precision shown."),
        ("Year-to-date indicators", cumulative),
        ("Exceptions", f"{exceptions} lists every {which} indicator."),
    ]
