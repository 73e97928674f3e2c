"""The year turning over: each register is for one reporting year, and next year's register is
made from this one (ids, definitions and settings carried, targets marked for review)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.models import Indicator, Register, Settings, Target, TargetKind, Tolerance
from ..core.periods import Period
from ..core.problems import RegisterError, problem
from .book import write_register
from .loader import load_register
from .settings import SETTINGS, SETTINGS_SHEET

REVIEW_NOTE = "carried from {year}: review"


def plain_number(value: float) -> str:
    """19625.0 -> "19625", 0.1 -> "0.1": as typed, not as a float prints."""
    return format(Decimal(repr(float(value))).normalize(), "f")


def check_reporting_year(register: Register, period: Period) -> None:
    """Raise RegisterError when the period is not in the register's reporting year: a
    register carries one year's targets and key."""
    year = register.settings.reporting_year
    if Period.parse(period).year_label == year:
        return
    detail = (
        f"{year}, but the period is {period}. Targets, tolerances and the key change every April"
    )
    if Period.parse(period).year == Period.parse(year).year + 1:
        detail += f": make next year's with kpi-excel new-year {register.source or 'register.xlsx'}"
    # the message says what is wrong; the problem beneath it says what to do, once
    raise RegisterError(
        f"The register {register.source} is not for {period}.",
        [problem("register-wrong-year", file=register.source, sheet=SETTINGS_SHEET, detail=detail)],
    )


def load_register_for(path: Path, period: Period) -> Register:
    """Load the register and check the period is in its reporting year."""
    register = load_register(path)
    check_reporting_year(register, period)
    return register


def target_text(target: Target) -> Any:
    """A target as the register's cell holds it: 95, 10 to 20, TBC, N/A, Better than England
    (184); blank for one derived from the annual target (and a blank annual one)."""
    if target.kind is TargetKind.VALUE and target.value is not None:
        return target.value
    if target.kind is TargetKind.RANGE and target.value is not None and target.high is not None:
        return f"{plain_number(target.value)} to {plain_number(target.high)}"
    if target.kind is TargetKind.COMPARATOR:
        value = f" ({plain_number(target.value)})" if target.value is not None else ""
        return f"{target.label or 'Comparator'}{value}"
    if target.kind is TargetKind.NONE and target.label:  # left blank
        return None
    return {TargetKind.TBC: "TBC", TargetKind.NONE: "N/A"}.get(target.kind)


def _tolerance_cells(tolerance: Tolerance | None) -> tuple[str | None, float | None]:
    if tolerance is None:
        return None, None
    return tolerance.kind.value, tolerance.amount


def indicator_row(indicator: Indicator, review: str = "") -> dict[str, Any]:
    """An indicator as the register's row of cells, keyed as register COLUMNS."""
    tolerance, amount = _tolerance_cells(indicator.tolerance)
    row: dict[str, Any] = {
        "id": indicator.id,
        "section": indicator.section,
        "service_area": indicator.service_area,
        "name": indicator.name,
        "description": indicator.description,
        "polarity": indicator.polarity.value,
        "unit": indicator.unit.value,
        "decimals": indicator.decimals if indicator.decimals_given else None,
        "suffix": indicator.suffix,
        "basis": indicator.basis.value,
        "frequency": indicator.frequency.value,
        "due_quarters": ",".join(str(q) for q in indicator.due_quarters),
        "annual_target": target_text(indicator.annual_target),
        "profile": ",".join(plain_number(w) for w in indicator.profile or ()),
        "tolerance": tolerance,
        "tolerance_amount": amount,
        "uses_fraction": indicator.uses_fraction,
        "min_value": indicator.min_value,
        "max_value": indicator.max_value,
        "definition_changed": indicator.definition_changed,
        "process_change": indicator.process_change,
        "rag_key": indicator.rag_key,
        "target_review": review,
    }
    for quarter, target in enumerate(indicator.quarter_targets, start=1):
        row[f"q{quarter}_target"] = target_text(target)
    return row


def settings_cells(settings: Settings, register_folder: Path, out_folder: Path) -> dict[str, Any]:
    """The Settings sheet's values as a person writes them, keyed as SETTINGS (and 'RAG key
    NAME' labels for named keys)."""
    dumped = settings.model_dump(mode="json")
    cells: dict[str, Any] = {}
    for spec in SETTINGS:
        if spec.key.startswith("direction_word_"):
            cells[spec.key] = settings.direction_words.get(spec.key.removeprefix("direction_word_"))
        elif spec.key == "default_tolerance":
            tolerance = settings.default_tolerance
            amount = f" {plain_number(tolerance.amount)}" if tolerance.amount is not None else ""
            cells[spec.key] = f"{tolerance.kind.value}{amount}"
        elif spec.key == "rag_key":
            cells[spec.key] = settings.rag_key.text
        elif spec.key == "logo" and settings.logo:
            cells[spec.key] = os.path.relpath(register_folder / settings.logo, out_folder)
        elif spec.key in dumped:
            cells[spec.key] = dumped[spec.key]
    for name, key in settings.rag_keys.items():
        cells[f"RAG key {name}"] = key.text
    return cells


def new_year(register_path: Path, out: Path) -> Register:
    """Write next year's register from this one and return it as loaded back: ids,
    definitions and settings carried, the reporting year moved on, every indicator's targets
    marked for review."""
    register_path, out = Path(register_path), Path(out)
    register = load_register(register_path)
    this_year = register.settings.reporting_year
    next_year = Period.parse(this_year).next().year_label
    review = REVIEW_NOTE.format(year=this_year)
    rows = [indicator_row(indicator, review) for indicator in register.indicators]
    settings = settings_cells(register.settings, register_path.parent, out.parent)
    settings["reporting_year"] = next_year
    settings["return_deadline"] = None  # last year's date: the team sets this year's
    write_register(out, rows, settings)
    return load_register(out)
