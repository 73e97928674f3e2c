"""What one input cell means: a figure, a yes/no, a piece of text, or a problem.

Works on RawCell (the saved value, formula, type and number format), so the same rules apply to
files saved by Excel, LibreOffice, openpyxl or xlsxwriter. Problems carry no location here:
the reader adds file, sheet and cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.display import format_value, round_display
from ..core.models import Indicator, Unit
from ..core.problems import Problem, problem
from ..core.return_spec import MAX_COMMENT_CHARS, NO, SMALL_DENOMINATOR, YES
from ..core.values import parse_number_text, unit_matches, usable
from ..xlsx.read import RawCell


@dataclass(slots=True)  # several for every row read: slots make them quicker to build
class CellReading:
    value: float | None = None
    text: str | None = None
    flag: bool | None = None
    problems: list[Problem] = field(default_factory=list)


def _formula_problem(cell: RawCell) -> Problem | None:
    """Input cells must hold typed figures: a formula's saved result is never trusted."""
    if cell.formula is None:
        return None
    if cell.kind == "blank" or cell.value is None:
        return problem("value-formula-no-result", value=f"={cell.formula}")
    return problem("value-formula", value=f"={cell.formula}")


def read_number(cell: RawCell | None, indicator: Indicator | None) -> CellReading:
    """A figure in the indicator's unit (percentages as points); None indicator: a plain count."""
    reading = CellReading()
    if cell is None or (cell.kind == "blank" and cell.formula is None):
        return reading
    if (found := _formula_problem(cell)) is not None:
        reading.problems.append(found)
        return reading
    if cell.kind == "error":
        reading.problems.append(problem("value-excel-error", value=cell.value))
        return reading
    if cell.kind == "bool":
        reading.problems.append(problem("value-boolean", value=str(cell.value).upper()))
        return reading
    if cell.kind == "date":
        shown = cell.value.date().isoformat() if hasattr(cell.value, "date") else cell.value
        reading.problems.append(problem("value-date", value=shown))
        return reading
    percent = indicator is not None and indicator.unit is Unit.PERCENT
    if cell.kind == "number":
        number = float(cell.value)  # type: ignore[arg-type]
        if cell.is_percent_format:
            if not percent:
                reading.problems.append(
                    problem(
                        "value-wrong-unit",
                        value=f"{number:.4g} as a percentage",
                        detail="a percentage",
                        expected=_unit_words(indicator),
                    )
                )
                return reading
            number = _percent_points(number)
        elif percent and 0 < number < 1:
            number = _fraction_as_points(number, reading)
        # Say it as the cell shows it: 60.9 in a cell formatted as a percentage shows 6090%.
        shown = f"{number:g}%" if cell.is_percent_format else f"{number:g}"
        reading.value = _checked(number, indicator, shown, reading)
        return reading
    text = str(cell.value).strip()
    if not text:
        return reading
    parsed = parse_number_text(text)
    if parsed is None or (parsed.unit and not _UNIT_LIKE.match(parsed.unit)):
        # "about 60", "60 (est.)", "60*", "21/07/2017": words or marks, not a unit
        reading.problems.append(problem("value-not-number", value=text))
        return reading
    if parsed.is_percent and not percent:
        reading.problems.append(
            problem(
                "value-wrong-unit",
                value=text,
                detail="a percentage",
                expected=_unit_words(indicator),
            )
        )
        return reading
    if (
        parsed.unit
        and not parsed.is_percent
        and indicator is not None
        and not unit_matches(parsed.unit, indicator.suffix)
    ):
        reading.problems.append(
            problem(
                "value-wrong-unit", value=text, detail=parsed.unit, expected=_unit_words(indicator)
            )
        )
        return reading
    number = parsed.value
    if percent and not parsed.is_percent and 0 < number < 1:
        # the same rule as for a number: "0.83" typed as text is a fraction too
        number = _fraction_as_points(number, reading)
    elif not (parsed.is_percent and not parsed.had_separators):
        # "95%" typed as text is plain enough; "1,234" or "0.8 days" is worth a second look
        shown = f"{number:g}{'%' if percent else ''}"
        reading.problems.append(problem("value-text-number", value=text, detail=shown))
    reading.value = _checked(number, indicator, text, reading)
    return reading


def _percent_points(fraction: float) -> float:
    """0.57 -> 57.0: rounded, as 0.57 * 100 is 56.99999999999999 in binary."""
    return round(fraction * 100, 10)


def _fraction_as_points(number: float, reading: CellReading) -> float:
    """0.83 where a percentage was asked for: almost always a fraction copied from elsewhere.
    Read as 83%, and queried, since a real 0.83% would need the officer to say so."""
    points = _percent_points(number)
    reading.problems.append(
        problem("value-percent-scale", value=f"{number:g}", detail=f"{points:g}%")
    )
    return points


# What may follow a number as its unit: a word ("days", "kg per head", "per 100,000"), or % or £.
_UNIT_LIKE = re.compile(r"^(?:%|£|[^\W\d_][\w ,./-]*)$")


def _checked(
    number: float, indicator: Indicator | None, shown: str, reading: CellReading
) -> float | None:
    if (why := usable(number)) is not None:  # NaN, INF or 1E+28: refused here, not mid-report
        reading.problems.append(problem("value-not-usable", value=shown, detail=why))
        return None
    if number < 0 and (
        indicator is None or indicator.min_value is None or indicator.min_value >= 0
    ):
        reading.problems.append(problem("value-negative", value=shown))
        return None
    if indicator is None:
        return number
    if indicator.unit is Unit.PERCENT and number > 100:
        hint = f" (did you mean {number / 100:g}%?)" if number >= 1000 else ""
        reading.problems.append(problem("value-percent-out-of-range", value=f"{shown}{hint}"))
        return None
    low, high = indicator.min_value, indicator.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{'' if low is None else f'{low:g}'} to {'' if high is None else f'{high:g}'}"
        reading.problems.append(
            problem("value-implausible", value=f"{number:g}", detail=bounds.strip())
        )
    return number


def _unit_words(indicator: Indicator | None) -> str:
    if indicator is None:
        return "a plain count"
    if indicator.unit is Unit.PERCENT:
        return "per cent, e.g. 83 for 83%"
    return indicator.suffix or "a plain number"


def read_text(cell: RawCell | None, *, long_text: bool = False) -> CellReading:
    """Typed words (a comment, a status, Yes/No); a formula's saved result is not trusted."""
    reading = CellReading()
    if cell is None:
        return reading
    if (found := _formula_problem(cell)) is not None:
        reading.problems.append(found)
        return reading
    if cell.value is None:
        return reading
    if cell.kind == "error":
        reading.problems.append(problem("value-excel-error", value=cell.value))
        return reading
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if long_text and len(text) > MAX_COMMENT_CHARS:
        reading.problems.append(
            problem("text-too-long", detail=len(text), expected=MAX_COMMENT_CHARS)
        )
    reading.text = text
    return reading


def read_flag(cell: RawCell | None) -> CellReading:
    reading = read_text(cell)
    if reading.problems or not reading.text:
        reading.flag = False if not reading.problems else None
        return reading
    word = reading.text.strip().lower()
    if word in (YES.lower(), "y", "true"):
        reading.flag = True
    elif word in (NO.lower(), "n", "false"):
        reading.flag = False
    else:
        reading.problems.append(problem("flag-unknown", value=reading.text))
    return reading


def apply_fraction(
    indicator: Indicator,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    problems: list[Problem],
    refs: Mapping[str, str],
) -> float | None:
    """Counts win over a typed percentage: rates come from numerators and denominators.

    Each problem points at the cell to change: the missing count, the zero, the numerator.
    """
    if numerator is None and denominator is None:
        return value
    if numerator is None or denominator is None:
        missing = "numerator" if numerator is None else "denominator"
        problems.append(problem("fraction-incomplete", cell=refs.get(missing)))
        return value
    if denominator == 0:
        problems.append(problem("denominator-zero", cell=refs.get("denominator")))
        return value
    if indicator.unit is Unit.PERCENT and numerator > denominator:
        problems.append(
            problem(
                "numerator-above-denominator",
                cell=refs.get("numerator"),
                value=plain(numerator),
                detail=plain(denominator),
            )
        )
        return value
    scale = 100.0 if indicator.unit is Unit.PERCENT else 1.0
    computed = numerator / denominator * scale
    if denominator < SMALL_DENOMINATOR:
        problems.append(
            problem("small-denominator", cell=refs.get("denominator"), value=plain(denominator))
        )
    # compared as the board shows them: 83 and 33/40 (82.5, shown 83%) agree
    if value is not None and round_display(indicator, value) != round_display(indicator, computed):
        problems.append(
            problem(
                "fraction-disagrees",
                value=format_value(indicator, value),
                detail=f"{plain(numerator)} / {plain(denominator)} = "
                f"{format_value(indicator, computed)}",
            )
        )
    return computed


def plain(number: float) -> str:
    """A number as an officer would write it: 60.9, not 60.900000000000006."""
    return f"{number:g}"
