"""How values are printed: one place, so the rules' reasons, templates and the board agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .models import Indicator, Polarity, Target, TargetKind, Unit


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


def round_display(indicator: Indicator, value: float) -> float:
    """The value as the reader sees it: ratings and arrows are computed on this.

    Rounds half away from zero, as Excel does, on the decimal text of the float.
    """
    return _rounded(float(value), indicator.decimals)


@lru_cache(maxsize=65536)
def _rounded(value: float, decimals: int) -> float:
    # Cached: the board rounds each figure several times, and targets repeat across indicators.
    step = Decimal(1).scaleb(-decimals)
    # + 0.0 turns -0.0 into 0.0, so nothing prints as "-0%"
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)) + 0.0


def format_number(indicator: Indicator, value: float) -> str:
    text = f"{round_display(indicator, value):,.{indicator.decimals}f}"
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
    return "N/A"
