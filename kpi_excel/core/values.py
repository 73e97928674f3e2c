"""Reading the figures people type: "1,234", "95%", "95 %", "0.8 days", "118.4kg", "N/A".

Shared by the register loader, the history importer and the returns reader, so the same text
means the same thing wherever it is typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .models import Unit

# A number with optional sign, thousands separators and decimals, then an optional unit.
_NUMBER_TEXT = re.compile(
    r"^\s*(?P<currency>£)?\s*(?P<number>[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+)"
    r"\s*(?P<unit>.*?)\s*$"
)
_PERCENT_UNITS = {"%", "per cent", "percent", "pc"}
# Past this no indicator's figure is real, and float arithmetic on it stops being exact.
MAX_MAGNITUDE = 1e15
# What may follow a number as its unit: words ("days", "kg per head"), %, or £; not digits,
# so "92,5", "60-70" and "1e3" are not read as 92, 60 and 1 with a unit.
_UNIT_LIKE = re.compile(r"^(?:%|£|[^\W\d_][^\W\d_ ./]*(?:[ ./]+[^\W\d_]+)*\.?)$")


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    unit: str  # what followed the number, lower-cased: "", "%", "days", "kg"
    had_separators: bool

    @property
    def is_percent(self) -> bool:
        return self.unit in _PERCENT_UNITS


def parse_number_text(text: str) -> ParsedNumber | None:
    """The number in a piece of text, or None when the text does not start with one."""
    match = _NUMBER_TEXT.match(text.replace("\u00a0", " "))
    if not match:
        return None
    number = match.group("number").replace("−", "-")
    unit = match.group("unit").lower().strip()
    if match.group("currency"):
        unit = unit or "£"
    return ParsedNumber(float(number.replace(",", "")), unit, "," in number)


def normalise_token(text: str) -> str:
    """Lower-case, trimmed, brackets removed: "(Provisional)" -> "provisional"."""
    return re.sub(r"\s+", " ", text.strip().strip("()").strip().lower())


def unit_matches(unit: str, suffix: str) -> bool:
    """Whether a unit typed after a number fits the indicator's printed suffix.

    "0.8 days" fits "days"; "118.4kg" fits "kg per head"; "1 day" fits "days".
    """
    if not unit:
        return True
    wanted = suffix.lower().strip()
    if not wanted:
        return False
    unit_word = unit.split()[0].rstrip(".")
    wanted_word = wanted.split()[0]
    return unit_word == wanted_word or unit_word.rstrip("s") == wanted_word.rstrip("s")


def usable(number: float) -> str | None:
    """Why a number cannot be a figure (not a number, infinite, or beyond any real figure's
    size), or None when it can."""
    if math.isnan(number):
        return "it is not a number (NaN)"
    if math.isinf(number):
        return "it is infinite"
    if abs(number) > MAX_MAGNITUDE:
        return f"it is beyond {MAX_MAGNITUDE:,.0f}, larger than any real figure"
    return None


def parse_whole_number(raw: object, *, suffix: str | None = None) -> ParsedNumber:
    """The number a cell or a piece of text holds, read whole, or ValueError saying why not.

    The whole text must be the number, optionally with thousands separators and a unit: %
    (or "per cent"), £, or, when suffix is given, the indicator's own unit ("0.8 days"
    for "days"). "92,5", "95 by March", "60-70" and "1e3" are refused, not read as their
    leading digits; so are NaN, infinities and magnitudes beyond MAX_MAGNITUDE.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"'{raw}' is not a number")
    if isinstance(raw, int | float):
        number = float(raw)
        if (why := usable(number)) is not None:
            raise ValueError(f"'{raw}' is not a usable number: {why}")
        return ParsedNumber(number, "", False)
    text = str(raw).strip()
    parsed = parse_number_text(text)
    if parsed is None:
        raise ValueError(f"'{text}' is not a number")
    unit = parsed.unit
    fits = (
        not unit
        or parsed.is_percent
        or unit == "£"
        or (suffix is not None and _UNIT_LIKE.match(unit) and unit_matches(unit, suffix))
    )
    if not fits:
        raise ValueError(
            f"'{text}' is not a number: only the number (with % or its unit) may be written, "
            f"and '{unit}' follows it"
        )
    if (why := usable(parsed.value)) is not None:
        raise ValueError(f"'{text}' is not a usable number: {why}")
    return parsed


def typed_as_fraction(raw: object) -> bool:
    """Whether a percentage was typed as a fraction: a plain number between 0 and 1, with no
    % sign ("0.95" for 95%). A cell formatted as a percentage reaches here as 95 already."""
    if isinstance(raw, bool) or raw is None:
        return False
    if isinstance(raw, int | float):
        return 0 < raw < 1
    parsed = parse_number_text(str(raw))
    return parsed is not None and not parsed.unit and 0 < parsed.value < 1


def fraction_targets(cells: Mapping[str, object], unit: object) -> list[tuple[str, object, str]]:
    """(column key, cell, the percentage meant) for each target cell ("annual_target",
    "q1_target" ...) of a percentage indicator (unit) typed as a fraction: 0.95 for 95%."""
    if unit is not Unit.PERCENT:
        return []
    return [
        (key, raw, f"{round(parse_whole_number(raw).value * 100, 10):g}")
        for key, raw in cells.items()
        if key.endswith("_target") and typed_as_fraction(raw)
    ]
