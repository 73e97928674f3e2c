"""Reading the figures people type: "1,234", "95%", "95 %", "0.8 days", "118.4kg", "N/A".

Shared by the register loader, the history importer and the returns reader, so the same text
means the same thing wherever it is typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number with optional sign, thousands separators and decimals, then an optional unit.
_NUMBER_TEXT = re.compile(
    r"^\s*(?P<currency>£)?\s*(?P<number>[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+)"
    r"\s*(?P<unit>.*?)\s*$"
)
_PERCENT_UNITS = {"%", "per cent", "percent", "pc"}


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
