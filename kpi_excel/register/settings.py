"""The register's Settings sheet: the reporting year's rules, one setting a row."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ..core.deadlines import check_deadline_rule
from ..core.models import DIRECTION_CODES, TOLERANCE_KEY, Settings, Tolerance, ToleranceKind
from ..core.periods import Period, PeriodError
from ..xlsx.read import SheetData
from .cells import RowProblems, cell_text, cell_value, parse_choice, parse_number, parse_yes_no
from .keys import EDGE_HELP, parse_rag_key

SETTINGS_SHEET = "Settings"
NAMED_KEY_PREFIX = "rag key "  # "RAG key strict": a key an indicator may name


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: str
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("reporting_year", "Reporting year", "2017/18", "Financial year, e.g. 2017/18."),
    SettingSpec("organisation", "Organisation", "Example Council", "Printed on every page."),
    SettingSpec("report_title", "Report title", "Corporate Performance Report", ""),
    SettingSpec(
        "default_tolerance",
        "Default tolerance",
        "none",
        "Amber band for indicators with none of their own: none, 'relative 5' "
        "(5% of target), 'absolute 2' (units), 'limit'.",
    ),
    SettingSpec(
        "same_threshold",
        "Same if within",
        "0",
        "Differences at or below this (after rounding) count as 'same'.",
    ),
    SettingSpec(
        "cumulative_short_term",
        "Short-term arrow for year-to-date figures",
        "yes",
        "yes: compare year-to-date figures with the previous period anyway (caveat "
        "shown); no: no short-term arrow for them.",
    ),
    SettingSpec(
        "arrow_style",
        "Arrow style",
        "performance",
        "performance: up = better (the usual key); movement: the arrow follows the "
        "value and its colour says better or worse.",
    ),
    SettingSpec(
        "rag_key",
        "RAG key",
        TOLERANCE_KEY.text,
        "The bands, best first, separated by ';': a state (GREEN, AMBER, RED, BLUE), the "
        "council's name for it in quotes, a colon and its edge: " + EDGE_HELP + ". A band may "
        "end 'if improved' or 'if not improved' (on last year). Add rows 'RAG key NAME' for "
        "keys an indicator chooses in its RAG key column. See docs/rules.md.",
    ),
    *(
        SettingSpec(
            f"direction_word_{code}",
            f"Word for {code}",
            code,
            f"How the report says '{code}', e.g. "
            + {
                "better": "'Getting better', 'improved', 'up'.",
                "same": "'No change', 'sustained'.",
                "worse": "'Getting worse', 'declined', 'down'.",
                "increase": "'up' (a data-only indicator rose).",
                "decrease": "'down' (a data-only indicator fell).",
            }[code]
            + " The JSON keeps the code beside it.",
        )
        for code in DIRECTION_CODES
    ),
    SettingSpec(
        "count_data_only_moves",
        "Count data-only rises and falls",
        "no",
        "yes: in the Summary a data-only indicator's increase counts with the better arrows "
        "and its decrease with the worse ones (as 'up' and 'down'); no: under 'Not compared'.",
    ),
    SettingSpec(
        "spc_shift_length",
        "SPC shift length",
        "6",
        "Points in a row on one side of the mean that make a shift on an SPC chart: 6 (NHS "
        "England's SPC rules, v2.6), or 7 or 8 as older guidance has it.",
    ),
    SettingSpec("exceptions_include_amber", "Exceptions include AMBER", "no", ""),
    SettingSpec(
        "return_deadline",
        "Return deadline",
        "",
        "When returns are due: a rule such as '15 working days after the period ends', or a "
        "date per period ('Q1: 2017-07-21; Q2: 2017-10-20'); blank: 15 working days.",
    ),
    SettingSpec("green_label", "GREEN means", "On or better than target", ""),
    SettingSpec("amber_label", "AMBER means", "Off track but within tolerance", ""),
    SettingSpec("red_label", "RED means", "Worse than target", ""),
    SettingSpec("green_colour", "GREEN colour", "#C6EFCE", "Hex colour."),
    SettingSpec("amber_colour", "AMBER colour", "#FFEB9C", "Hex colour."),
    SettingSpec("red_colour", "RED colour", "#FFC7CE", "Hex colour."),
    SettingSpec("header_colour", "Header colour", "#1F4E79", "Hex colour."),
    SettingSpec("logo", "Logo", "", "Optional image file, relative to the register."),
)
SETTING_BY_LABEL = {s.label.lower(): s for s in SETTINGS} | {s.key: s for s in SETTINGS}


def parse_tolerance(kind: Any, amount: Any) -> Tolerance | None:
    """Tolerance from its two cells; None when both are blank (the default applies)."""
    return _tolerance(kind, amount)


@lru_cache(maxsize=1024, typed=True)  # shared, as targets are
def _tolerance(kind: Any, amount: Any) -> Tolerance | None:
    if (kind is None or str(kind).strip() == "") and amount in (None, ""):
        return None
    text = "" if kind is None else str(kind).strip().lower()
    parts = text.split()
    tolerance_kind = parse_choice(parts[0] if parts else "none", ToleranceKind)
    if amount in (None, "") and len(parts) > 1:
        amount = parts[1]
    value = None if amount in (None, "") else parse_number(amount)
    if tolerance_kind is not ToleranceKind.NONE and value is None:
        raise ValueError(f"a {tolerance_kind.value} tolerance needs an amount")
    return Tolerance(kind=tolerance_kind, amount=value)


def load_settings(sheet: SheetData, collector: RowProblems) -> Settings:
    values: dict[str, Any] = {}
    for row_number in sorted({row for row, _ in sheet.cells}):  # the rows present, only
        # saved values, not shown ones: a setting is not read as a percentage
        row = [cell_value(sheet.get(row_number, column)) for column in (1, 2)]
        if row[0] is None:
            continue
        label = cell_text(row[0]).lower()
        spec = SETTING_BY_LABEL.get(label)
        if spec is None and label.startswith(NAMED_KEY_PREFIX):
            _named_key(
                label[len(NAMED_KEY_PREFIX) :].strip(), row[1], row_number, values, collector
            )
            continue
        if spec is None:
            if row_number > 1:
                collector.add(
                    SETTINGS_SHEET,
                    f"A{row_number}",
                    f"'{row[0]}' is not a setting kpi-excel knows.",
                    code="settings-invalid",
                )
            continue
        raw = row[1]
        try:
            value = _setting_value(spec.key, raw)
        except (ValueError, PeriodError) as error:
            collector.add(
                SETTINGS_SHEET,
                f"B{row_number}",
                f"{spec.label}: {error}.",
                code="settings-invalid",
                value=raw,
            )
            continue
        if value is not None:
            values[spec.key] = value
    words = {code: values.pop(f"direction_word_{code}", code) for code in DIRECTION_CODES}
    values["direction_words"] = words
    try:
        return Settings(**values)
    except ValidationError as error:
        for detail in error.errors():
            collector.add(
                SETTINGS_SHEET, "B", f"{detail['loc']}: {detail['msg']}.", code="settings-invalid"
            )
        return Settings()


def _named_key(
    name: str, raw: Any, row_number: int, values: dict[str, Any], collector: RowProblems
) -> None:
    try:
        key = parse_rag_key(cell_text(raw), name)
    except ValueError as error:
        collector.add(
            SETTINGS_SHEET,
            f"B{row_number}",
            f"RAG key {name}: {error}.",
            code="settings-invalid",
            value=raw,
        )
        return
    values.setdefault("rag_keys", {})[name] = key


def _setting_value(key: str, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if key == "reporting_year":
        period = Period.parse(str(raw))
        return period.year_label
    if key == "default_tolerance":
        return parse_tolerance(raw, None) or Tolerance()
    if key == "rag_key":
        return parse_rag_key(str(raw))
    if key == "same_threshold":
        return parse_number(raw)
    if key == "spc_shift_length":
        length = parse_number(raw)
        if length not in (6, 7, 8):
            raise ValueError(f"'{raw}' is not 6, 7 or 8 points")
        return int(length)
    if key in ("cumulative_short_term", "exceptions_include_amber", "count_data_only_moves"):
        return parse_yes_no(raw)
    if key == "return_deadline":
        if hasattr(raw, "date"):
            return raw.date().isoformat()
        return check_deadline_rule(str(raw))
    if key.endswith("_colour"):
        text = str(raw).strip()
        if not re.match(r"^#[0-9A-Fa-f]{6}$", text):
            raise ValueError(f"'{text}' is not a colour like #C6EFCE")
        return text.upper()
    return str(raw).strip()


# Settings added after registers were first fingerprinted: left out of the fingerprint while
# they hold their defaults, so a register that does not use them keeps its fingerprint (and
# the returns stamped with it stay current).
LATER_SETTINGS = (
    "rag_key",
    "rag_keys",
    "direction_words",
    "count_data_only_moves",
    "spc_shift_length",
)


def settings_for_fingerprint(settings: Settings) -> dict[str, Any]:
    """The settings as the fingerprints hash them."""
    unused = {
        name
        for name in LATER_SETTINGS
        if getattr(settings, name)
        == Settings.model_fields[name].get_default(call_default_factory=True)
    }
    return settings.model_dump(mode="json", exclude=unused)


def settings_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256(json.dumps(settings_for_fingerprint(settings), sort_keys=True).encode())
    return digest.hexdigest()[:16]
