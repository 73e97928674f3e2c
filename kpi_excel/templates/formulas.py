"""The live guide formulas of the return sheet: a rating and a "what is missing" check.

They are display aids only: the reader never trusts them and the rules module decides the
rating. They follow the domain rules (section 3) closely enough to be a fair guide: shortfall
worked out with polarity on values rounded to the displayed precision; GREEN at or below zero,
AMBER within the tolerance, RED beyond. Each formula is built for its row in Python, with the
polarity and tolerance already known, so what lands in the cell stays short and readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..core.models import (
    Indicator,
    Polarity,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Unit,
)


@dataclass(frozen=True)
class RowCells:
    """A1 references of one return row's cells the formulas read."""

    value: str
    target: str
    status: str
    comment: str
    action: str
    rating: str
    numerator: str
    denominator: str


def literal(number: float) -> str:
    """A number as Excel formula text: plain digits, never an exponent."""
    text = format(Decimal(repr(float(number))).normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def rating_formula(
    indicator: Indicator, target: Target, tolerance: Tolerance, cells: RowCells
) -> str | None:
    """The formula for the live rating cell, or None when the row is never rated."""
    places = indicator.decimals
    actual = f"ROUND({cells.value},{places})"
    shortfall = _shortfall(indicator, target, actual, cells.target, places)
    if shortfall is None:
        return None
    amber = _amber_test(indicator, target, tolerance, shortfall, actual, places)
    over = f"ROUND({shortfall},{places})"
    graded = (
        f'IF({over}<=0,"GREEN",IF({amber},"AMBER","RED"))'
        if amber
        else f'IF({over}<=0,"GREEN","RED")'
    )
    not_available = _text(Status.NOT_AVAILABLE.value)
    return f'=IF(OR(NOT(ISNUMBER({cells.value})),{cells.status}={not_available}),"",{graded})'


def _shortfall(
    indicator: Indicator, target: Target, actual: str, target_cell: str, places: int
) -> str | None:
    """Excel text for how far the figure falls short of target (at or below 0: on target)."""
    polarity = indicator.polarity
    if polarity is Polarity.RANGE:
        if target.kind is not TargetKind.RANGE or target.value is None or target.high is None:
            return None
        low = f"ROUND({literal(target.value)},{places})"
        high = f"ROUND({literal(target.high)},{places})"
        return f"MAX({low}-{actual},{actual}-{high})"
    if polarity not in (Polarity.BIGGER, Polarity.SMALLER) or target.value is None:
        return None
    if target.kind is TargetKind.VALUE:
        # The target cell holds the number itself, so the formula points at what the officer sees.
        goal = f"ROUND({target_cell},{places})"
    elif target.kind is TargetKind.COMPARATOR:
        goal = f"ROUND({literal(target.value)},{places})"
    else:
        return None
    return f"{goal}-{actual}" if polarity is Polarity.BIGGER else f"{actual}-{goal}"


def _amber_test(
    indicator: Indicator,
    target: Target,
    tolerance: Tolerance,
    shortfall: str,
    actual: str,
    places: int,
) -> str | None:
    """Excel text that is TRUE inside the amber band, or None when there is no band to express.

    RELATIVE amounts are a percentage of the target (5 means 5%); a zero target has no relative
    band (no division, domain section 3). Range targets take an ABSOLUTE band only.
    """
    amount = tolerance.amount
    if tolerance.kind is ToleranceKind.NONE or amount is None:
        return None
    over = f"ROUND({shortfall},{places})"
    if tolerance.kind is ToleranceKind.ABSOLUTE:
        return f"{over}<={literal(amount)}" if amount > 0 else None
    if indicator.polarity is Polarity.RANGE or target.value is None:
        return None
    if tolerance.kind is ToleranceKind.RELATIVE:
        band = abs(target.value) * amount / 100
        return f"{over}<={literal(round(band, 10))}" if band > 0 else None
    if tolerance.kind is ToleranceKind.LIMIT:
        limit = f"ROUND({literal(amount)},{places})"
        return (
            f"{actual}>={limit}"
            if indicator.polarity is Polarity.BIGGER
            else (f"{actual}<={limit}")
        )
    return None


def check_formula(indicator: Indicator, cells: RowCells, *, rated: bool) -> str:
    """The formula for the live check cell: the first thing still missing on the row, or OK."""
    status, value, comment, action = cells.status, cells.value, cells.comment, cells.action
    available = _text(Status.AVAILABLE.value)
    not_available = _text(Status.NOT_AVAILABLE.value)
    tests: list[tuple[str, str]] = [
        (f'{status}=""', "Choose a status"),
        (f'AND({status}={available},{value}="")', "Give the figure or change status"),
        (
            f"AND({status}={available},NOT(ISNUMBER({value})))",
            "Type the figure as a number, or change status",
        ),
    ]
    if indicator.unit is Unit.PERCENT:
        # 83% typed into the cell is stored as 0.83; the board would read it as 0.83%.
        tests.append(
            (f"AND(ISNUMBER({value}),{value}>0,{value}<1)", "Check the figure: type 83 for 83%")
        )
    if indicator.uses_fraction:
        tests.append(
            (
                f"COUNTA({cells.numerator},{cells.denominator})=1",
                "Give both numerator and denominator",
            )
        )
    tests.append((f'AND({status}={not_available},{comment}="")', "Say why in the comment"))
    if rated:
        rating = cells.rating
        tests += [
            (
                f'AND({rating}="RED",{comment}="",{action}="")',
                "Add a comment and corrective action",
            ),
            (f'AND(OR({rating}="RED",{rating}="AMBER"),{comment}="")', "Add a comment"),
            (f'AND({rating}="RED",{action}="")', "Add corrective action"),
        ]
    formula = '"OK"'
    for test, message in reversed(tests):
        formula = f"IF({test},{_text(message)},{formula})"
    return "=" + formula
