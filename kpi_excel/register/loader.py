"""The indicator register: the performance team's workbook of KPIs and the year's settings.

The columns are defined once here (the settings in settings.py); the loader, the blank register in
`workbook_templates/` and the register format in the docs all come from these definitions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core.gcpause import collector_paused
from ..core.models import (
    Basis,
    Frequency,
    Indicator,
    Polarity,
    Register,
    Settings,
    Target,
    TargetKind,
    ToleranceKind,
    Unit,
)
from ..core.periods import Period, PeriodError
from ..core.problems import KpiExcelError, RegisterError, ReturnFileError, problem
from ..core.return_spec import column_letter as _column_letter
from ..core.values import fraction_targets, parse_number_text, parse_whole_number
from ..xlsx.read import SheetData, XlsxBook, open_xlsx
from ..xlsx.safety import MB, Limits
from .cells import (
    RowProblems,
    cell_text,
    cell_value,
    parse_choice,
    parse_number,
    parse_yes_no,
    shown_value,
    take_row,
)
from .settings import (
    SETTING_BY_LABEL,
    SETTINGS,
    SETTINGS_SHEET,
    load_settings,
    parse_tolerance,
    settings_fingerprint,
    settings_for_fingerprint,
)

# Names other modules import from here since before settings.py and cells.py were split off.
__all__ = [
    "COLUMNS",
    "SETTINGS",
    "SETTING_BY_LABEL",
    "SETTINGS_SHEET",
    "cell_value",
    "fingerprint",
    "load_register",
    "parse_target",
    "parse_tolerance",
    "read_sheets",
    "settings_fingerprint",
    "shown_value",
    "take_row",
]

INDICATORS_SHEET = "Indicators"
NO_ANNUAL_TARGET = "No annual target"  # how a blank annual target prints
LISTS_SHEET = "Lists"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    example: str
    choices: tuple[str, ...] = ()


POLARITY_SPELLINGS = {
    "bigger": Polarity.BIGGER,
    "bigger is better": Polarity.BIGGER,
    "higher": Polarity.BIGGER,
    "higher is better": Polarity.BIGGER,
    "more is better": Polarity.BIGGER,
    "high is good": Polarity.BIGGER,
    "smaller": Polarity.SMALLER,
    "smaller is better": Polarity.SMALLER,
    "lower": Polarity.SMALLER,
    "lower is better": Polarity.SMALLER,
    "less is better": Polarity.SMALLER,
    "low is good": Polarity.SMALLER,
    "range": Polarity.RANGE,
    "in range": Polarity.RANGE,
    "target range": Polarity.RANGE,
    "none": Polarity.NONE,
    "n/a": Polarity.NONE,
    "data only": Polarity.NONE,
    "contextual": Polarity.NONE,
    "": Polarity.NONE,
}

BASIS_SPELLINGS = {
    "year to date": Basis.CUMULATIVE,
    "ytd": Basis.CUMULATIVE,
    "cumulative (year to date)": Basis.CUMULATIVE,
    "rolling 12 months": Basis.ROLLING,
    "rolling year": Basis.ROLLING,
    "point in time": Basis.SNAPSHOT,
}

COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", True, "Stable reference; never reuse or change it between years.", "CL02"),
    Column(
        "section",
        "Sub-committee",
        True,
        "Board section the indicator is reported to.",
        "Children and Learning",
    ),
    Column(
        "service_area",
        "Service area",
        True,
        "Who fills in the return for it.",
        "Children's Services",
    ),
    Column(
        "name",
        "Indicator",
        True,
        "Short name as printed in the report.",
        "% of care leavers in education, employment or training",
    ),
    Column("description", "Description", False, "Longer definition (optional).", ""),
    Column(
        "polarity",
        "Polarity",
        True,
        "bigger (is better), smaller (is better), range, or none (data only, never rated).",
        "bigger",
        ("bigger", "smaller", "range", "none"),
    ),
    Column(
        "unit",
        "Unit",
        True,
        "percent (figures in percentage points, 83 = 83%), number or money.",
        "percent",
        tuple(u.value for u in Unit),
    ),
    Column(
        "decimals",
        "Decimals",
        False,
        "Decimal places shown; ratings and arrows use the figure rounded to this. Blank: each "
        "figure as it was recorded (72.4 stays 72.4).",
        "1",
    ),
    Column(
        "suffix",
        "Suffix",
        False,
        "Printed after the figure: days, kg per head, per 100,000.",
        "days",
    ),
    Column(
        "basis",
        "Basis",
        False,
        "snapshot (default), cumulative (year to date), rolling, annual.",
        "snapshot",
        tuple(b.value for b in Basis),
    ),
    Column(
        "frequency",
        "Frequency",
        False,
        "monthly, quarterly (default), termly, biannual, annual.",
        "quarterly",
        tuple(f.value for f in Frequency),
    ),
    Column(
        "due_quarters",
        "Due quarters",
        False,
        "Quarters it is reported in, e.g. 2,4. Blank: from the frequency.",
        "2,4",
    ),
    Column(
        "annual_target",
        "Annual target",
        False,
        "A number, TBC, N/A, a range '40 to 60', or a comparator 'Better than England (184)'.",
        "80",
    ),
    Column(
        "q1_target",
        "Q1 target",
        False,
        "Blank: derived from the annual target (cumulative indicators are profiled).",
        "",
    ),
    Column("q2_target", "Q2 target", False, "As Q1.", ""),
    Column("q3_target", "Q3 target", False, "As Q1.", ""),
    Column("q4_target", "Q4 target", False, "As Q1.", ""),
    Column(
        "profile",
        "Profile",
        False,
        "Seasonal weights for a cumulative target, four "
        "numbers Q1 to Q4, e.g. 30,25,20,25. Blank: linear.",
        "",
    ),
    Column(
        "tolerance",
        "Tolerance",
        False,
        "Amber band: none, relative (% of target), "
        "absolute (units) or limit (the amber limit value). Blank: the Settings default.",
        "",
        tuple(t.value for t in ToleranceKind),
    ),
    Column(
        "tolerance_amount",
        "Tolerance amount",
        False,
        "The size of the amber band, or the amber limit value.",
        "5",
    ),
    Column(
        "uses_fraction",
        "Numerator and denominator",
        False,
        "yes if officers give the counts the figure is made of.",
        "no",
        ("yes", "no"),
    ),
    Column("min_value", "Minimum plausible", False, "Figures below this are queried.", "0"),
    Column("max_value", "Maximum plausible", False, "Figures above this are queried.", ""),
    Column(
        "definition_changed",
        "Definition changed",
        False,
        "Period from which the definition changed, e.g. 2017/18 Q1: no arrow across it.",
        "",
    ),
    Column(
        "process_change",
        "Process change",
        False,
        "Period from which a known change to the process starts: the SPC chart's mean and "
        "limits are worked out afresh from it. Never worked out on their own.",
        "",
    ),
    Column(
        "rag_key",
        "RAG key",
        False,
        "The name of a key given on the Settings sheet as 'RAG key NAME'. Blank: the RAG key.",
        "",
    ),
    Column(
        "target_review",
        "Target review",
        False,
        "Written by new-year beside carried targets ('carried from 2017/18: review'): clear it "
        "once this year's targets are set.",
        "",
    ),
)
COLUMN_BY_HEADER = {c.header.lower(): c for c in COLUMNS} | {c.key: c for c in COLUMNS}


_RANGE_TARGET = re.compile(r"^\s*([-\d.,]+)\s*%?\s*(?:to|-|–)\s*([-\d.,]+)\s*%?\s*$", re.I)
_COMPARATOR = re.compile(
    r"^\s*(?P<label>(?:better|worse|lower|higher|at least|no worse)\b"
    r"[^(\d]*?)\s*\(?\s*(?P<value>[-\d.,]+)?\s*\)?\s*$",
    re.I,
)
_BLANK_TOKENS = {"", "-"}
_NONE_TOKENS = {"n/a", "na", "none", "no target"}


def parse_target(raw: Any, *, blank: TargetKind) -> Target:
    """A target cell: number, TBC, N/A, a range, a comparator, or blank."""
    return _target(raw, blank)


# Targets are frozen, so equal cells share one: an indicator has five, mostly blank.
@lru_cache(maxsize=4096, typed=True)
def _target(raw: Any, blank: TargetKind) -> Target:
    if raw is None or (isinstance(raw, str) and raw.strip() in _BLANK_TOKENS):
        return Target(kind=blank)
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a target")
    if isinstance(raw, int | float):
        return Target(kind=TargetKind.VALUE, value=parse_whole_number(raw).value)
    text = str(raw).strip()
    lowered = text.lower()
    if lowered == "tbc":
        return Target(kind=TargetKind.TBC)
    if lowered in _NONE_TOKENS:
        return Target(kind=TargetKind.NONE)
    if match := _RANGE_TARGET.match(text):
        low, high = (parse_whole_number(match.group(i)).value for i in (1, 2))
        if low > high:
            raise ValueError(f"the range '{text}' runs backwards: write the lower end first")
        return Target(kind=TargetKind.RANGE, value=low, high=high)
    if match := _COMPARATOR.match(text):
        number = match.group("value")
        return Target(
            kind=TargetKind.COMPARATOR,
            label=match.group("label").strip(),
            value=parse_whole_number(number).value if number else None,
        )
    if parse_number_text(text) is not None:
        return Target(kind=TargetKind.VALUE, value=parse_whole_number(text).value)
    raise ValueError(
        f"'{text}' is not a target: write a number, TBC, N/A, a range such as '40 to 60', "
        "or a comparator such as 'Better than England (184)'"
    )


def _quarters(raw: Any) -> tuple[int, ...]:
    if raw in (None, ""):
        return ()
    items = [p.strip().upper().lstrip("Q") for p in re.split(r"[,;/ ]+", str(raw)) if p.strip()]
    if not all(item in {"1", "2", "3", "4"} for item in items):
        raise ValueError(f"'{raw}' is not a list of quarters such as '2,4'")
    return tuple(sorted({int(item) for item in items}))


def _profile(raw: Any) -> tuple[float, float, float, float] | None:
    if raw in (None, ""):
        return None
    weights = [parse_number(p) for p in re.split(r"[,;/ ]+", str(raw)) if p.strip()]
    if len(weights) != 4 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"'{raw}' is not four non-negative weights for Q1 to Q4")
    return (weights[0], weights[1], weights[2], weights[3])


def _annual_target(raw: Any) -> Target:
    target = parse_target(raw, blank=TargetKind.NONE)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        # a blank is not a typed N/A: the board says there is none rather than "N/A"
        return target.model_copy(update={"label": NO_ANNUAL_TARGET})
    return target


def _period_text(raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    return str(Period.parse(str(raw)))


# How each column's cell becomes a field of Indicator.
_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "id": cell_text,
    "section": cell_text,
    "service_area": cell_text,
    "name": cell_text,
    "description": cell_text,
    "polarity": lambda raw: parse_choice(raw, Polarity, POLARITY_SPELLINGS),
    "unit": lambda raw: parse_choice(
        raw or "number", Unit, {"%": Unit.PERCENT, "count": Unit.NUMBER}
    ),
    "decimals": lambda raw: 0 if raw in (None, "") else int(parse_number(raw)),
    "suffix": cell_text,
    "basis": lambda raw: parse_choice(raw or "snapshot", Basis, BASIS_SPELLINGS),
    "frequency": lambda raw: parse_choice(raw or "quarterly", Frequency),
    "due_quarters": _quarters,
    "annual_target": _annual_target,
    "profile": _profile,
    "uses_fraction": parse_yes_no,
    "min_value": lambda raw: None if raw in (None, "") else parse_number(raw),
    "max_value": lambda raw: None if raw in (None, "") else parse_number(raw),
    "definition_changed": _period_text,
    "process_change": _period_text,
    "rag_key": lambda raw: cell_text(raw).lower(),
    "target_review": cell_text,
}


# The register and a history file are kept by the team, not emailed in, and grow with the
# number of indicators (40,000 rows are about 17 MB of XML), so they may be far bigger than a
# return; the other checks (zip bombs, XML entities, macros) hold as for a return.
TEAM_LIMITS = Limits(max_file_size=100 * MB, max_uncompressed=500 * MB)


def open_workbook(path: Path, error: type[KpiExcelError], what: str) -> XlsxBook:
    """Open a team-kept workbook (register, history) for reading, or raise `error` saying why."""
    try:
        with path.open("rb"):  # a folder or a locked file: say so, not "not a workbook"
            pass
        return open_xlsx(path, limits=TEAM_LIMITS)
    except OSError as failure:
        raise error(
            f"The {what} {path.name} cannot be read: {failure.strerror or failure}.",
            [problem("file-unreadable", file=path.name, detail=failure.strerror or failure)],
        ) from None
    except ReturnFileError as failure:
        raise cannot_open(path, error, what, failure) from None


def cannot_open(
    path: Path, error: type[KpiExcelError], what: str, failure: ReturnFileError
) -> KpiExcelError:
    """The error for a team-kept workbook the .xlsx reader refused, with the reader's reason."""
    first = failure.problems[0] if failure.problems else None
    if first is not None and first.code == "file-macro":
        # kpi-excel only reads cells, but it reads .xlsx files only, as it does returns
        reason = "it is a macro-enabled workbook: save a copy as an Excel Workbook (.xlsx)"
    else:
        reason = first.message if first is not None else str(failure)
    reason = reason[:1].lower() + reason[1:].rstrip(".")
    return error(
        f"The {what} {path.name} cannot be opened as an .xlsx workbook ({reason}).",
        [problem("file-corrupt", file=path.name, detail=reason)],
    )


def read_sheets(
    path: Path, error: type[KpiExcelError], what: str, wanted: Callable[[list[str]], list[str]]
) -> tuple[dict[str, SheetData], list[str]]:
    """Read the sheets `wanted(all sheet names)` picks from a team-kept workbook; also return
    all its sheet names. Raises `error` when the file cannot be opened or read."""
    book = open_workbook(path, error, what)
    try:
        names = book.sheet_names()
        return {name: book.read_sheet(name) for name in wanted(names)}, names
    except ReturnFileError as failure:
        raise cannot_open(path, error, what, failure) from None
    finally:
        book.close()


def load_register(path: Path) -> Register:
    """Load and check the register; raises RegisterError listing every problem found."""
    with collector_paused(promote_survivors=True):
        return _load_register(path)


def _load_register(path: Path) -> Register:
    collector = RowProblems(path.name)
    if not path.exists():
        raise RegisterError(
            f"The register {path} does not exist.", [problem("file-missing", file=str(path))]
        )
    sheets, names = read_sheets(
        path,
        RegisterError,
        "register",
        lambda names: [n for n in (INDICATORS_SHEET, SETTINGS_SHEET) if n in names],
    )
    if INDICATORS_SHEET not in sheets:
        raise RegisterError(
            f"The register {path.name} has no '{INDICATORS_SHEET}' sheet.",
            [
                problem(
                    "sheet-missing",
                    file=path.name,
                    sheet=INDICATORS_SHEET,
                    detail=", ".join(names),
                )
            ],
        )
    indicators = _load_indicators(sheets.pop(INDICATORS_SHEET), collector)
    if SETTINGS_SHEET not in sheets:  # not silent defaults: the year and the key unknown
        collector.add(SETTINGS_SHEET, "", ", ".join(names), "settings-missing")
    settings = (
        load_settings(sheets.pop(SETTINGS_SHEET), collector)
        if SETTINGS_SHEET in sheets
        else Settings()
    )
    _check_named_keys(indicators, settings, collector)
    if collector.problems:
        count = len(collector.problems)
        raise RegisterError(
            f"The register {path.name} has {count} problem{'s' * (count != 1)} to fix.",
            collector.problems,
        )
    register = Register(indicators=indicators, settings=settings, source=path.name)
    register = register.model_copy(update={"fingerprint": fingerprint(register)})
    if settings.logo:
        # resolved after fingerprinting, so the fingerprint does not depend on the folder
        logo = path.parent / settings.logo
        if not logo.is_file():
            raise RegisterError(
                f"The logo '{settings.logo}' named on the Settings sheet was not found.",
                [
                    problem(
                        "settings-invalid",
                        file=path.name,
                        sheet=SETTINGS_SHEET,
                        detail=f"Logo: no file '{settings.logo}' beside the register.",
                    )
                ],
            )
        register.settings = settings.model_copy(update={"logo": str(logo)})
    return register


def _load_indicators(sheet: SheetData, collector: RowProblems) -> list[Indicator]:
    positions = _header_positions(sheet, collector)
    if collector.problems:
        return []
    keys = list(positions)
    columns = [positions[key] + 1 for key in keys]
    indicators: list[Indicator] = []
    seen: dict[str, int] = {}  # id -> its first row
    for row_number in sorted({row for row, _ in sheet.cells if row >= 2}):  # below the header
        cells = dict(zip(keys, take_row(sheet, row_number, columns), strict=True))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        line = _IndicatorRow(row_number, cells, positions, collector)
        fields = _indicator_fields(line)
        first = _first_time(line, fields.get("id", ""), seen)
        if first and line.ok and (indicator := _indicator(line, fields)) is not None:
            indicators.append(indicator)
    _check_targets_fit_polarity(indicators, collector)
    return indicators


def _header_positions(sheet: SheetData, collector: RowProblems) -> dict[str, int]:
    """Each known column's index in the header row; a missing required column is a problem."""
    header = take_row(sheet, 1, range(1, sheet.max_col + 1))
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = COLUMN_BY_HEADER.get(cell_text(title).lower())
        if column is not None:
            positions[column.key] = index
    for column in COLUMNS:
        if column.required and column.key not in positions:
            collector.add(
                INDICATORS_SHEET,
                "row 1",
                f"The column '{column.header}' is missing from the header row.",
            )
    return positions


@dataclass
class _IndicatorRow:
    """One row of the Indicators sheet being read, and whether it can be used."""

    number: int
    cells: dict[str, Any]
    positions: dict[str, int]
    collector: RowProblems
    ok: bool = True

    def ref(self, key: str) -> str:
        return f"{_column_letter(self.positions.get(key, 0))}{self.number}"

    def refuse(self, key: str, message: str, value: Any = None, code: str = "") -> None:
        extra = {"code": code} if code else {}
        self.collector.add(INDICATORS_SHEET, self.ref(key), message, value=value, **extra)
        self.ok = False


def _indicator_fields(line: _IndicatorRow) -> dict[str, Any]:
    """The row's cells converted, each bad one refused at its cell."""
    fields: dict[str, Any] = {"row": line.number}
    for key, raw in line.cells.items():
        converter = _CONVERTERS.get(key)
        if converter is None:  # the targets and the tolerance are read below
            continue
        try:
            fields[key] = converter(raw)
        except (ValueError, PeriodError) as error:
            line.refuse(key, f"{COLUMN_BY_HEADER[key].header}: {error}.", raw)
    # a blank Decimals means "as recorded", not 0 places
    fields["decimals_given"] = line.cells.get("decimals") not in (None, "")
    for required in ("id", "section", "service_area", "name"):
        if required in line.positions and not fields.get(required):
            line.refuse(required, f"{COLUMN_BY_HEADER[required].header} is blank.")
    fields["quarter_targets"] = _quarter_targets(line)
    try:
        fields["tolerance"] = parse_tolerance(
            line.cells.get("tolerance"), line.cells.get("tolerance_amount")
        )
    except ValueError as error:
        line.refuse("tolerance", f"Tolerance: {error}.")
    for key, raw, points in fraction_targets(line.cells, fields.get("unit")):  # 0.95 for 95%?
        line.refuse(key, points, raw, "target-percent-fraction")
    return fields


def _quarter_targets(line: _IndicatorRow) -> tuple[Target, ...] | None:
    targets = []
    for quarter in range(1, 5):
        key = f"q{quarter}_target"
        try:
            targets.append(parse_target(line.cells.get(key), blank=TargetKind.DERIVE))
        except ValueError as error:
            line.refuse(key, f"Q{quarter} target: {error}.", line.cells.get(key))
    return tuple(targets) if line.ok else None


def _first_time(line: _IndicatorRow, indicator_id: str, seen: dict[str, int]) -> bool:
    """An id used once; a second row with it is refused, naming both rows."""
    if indicator_id not in seen:
        seen[indicator_id] = line.number
        return True
    line.collector.problems.append(
        problem(
            "register-duplicate-id",
            file=line.collector.file,
            sheet=INDICATORS_SHEET,
            cell=line.ref("id"),
            value=indicator_id,
            detail=f"rows {seen[indicator_id]} and {line.number}",
        )
    )
    return False


def _indicator(line: _IndicatorRow, fields: dict[str, Any]) -> Indicator | None:
    """The Indicator, or None with pydantic's objections in the team's words at their cells."""
    try:
        return Indicator(**fields)
    except ValidationError as error:
        for detail in error.errors():
            key = str(detail["loc"][0]) if detail["loc"] else "id"
            header_text = COLUMN_BY_HEADER[key].header if key in COLUMN_BY_HEADER else key
            line.collector.add(
                INDICATORS_SHEET, line.ref(key), f"{header_text}: {detail['msg'].lower()}."
            )
        return None


def _check_named_keys(
    indicators: list[Indicator], settings: Settings, collector: RowProblems
) -> None:
    for indicator in indicators:
        if indicator.rag_key and indicator.rag_key not in settings.rag_keys:
            known = ", ".join(sorted(settings.rag_keys)) or "none"
            collector.add(
                INDICATORS_SHEET,
                f"row {indicator.row}",
                f"{indicator.id} names the RAG key '{indicator.rag_key}', but the Settings sheet "
                f"has no row 'RAG key {indicator.rag_key}' (named keys: {known}).",
            )


def _check_targets_fit_polarity(indicators: list[Indicator], collector: RowProblems) -> None:
    for indicator in indicators:
        targets = (indicator.annual_target, *indicator.quarter_targets)
        has_range = any(t.kind is TargetKind.RANGE for t in targets)
        if has_range != (indicator.polarity is Polarity.RANGE) and indicator.polarity in (
            Polarity.RANGE,
            Polarity.BIGGER,
            Polarity.SMALLER,
        ):
            if indicator.polarity is Polarity.RANGE:
                message = (
                    f"{indicator.id} has polarity 'range' but no target range such as '40 to 60'."
                )
            else:
                message = (
                    f"{indicator.id} has a target range but polarity "
                    f"'{indicator.polarity.value}': use polarity 'range'."
                )
            if indicator.polarity is Polarity.RANGE and indicator.annual_target.kind in (
                TargetKind.TBC,
                TargetKind.NONE,
            ):
                continue
            collector.add(INDICATORS_SHEET, f"row {indicator.row}", message)


# Fields added after registers were first fingerprinted, with the value that changes nothing:
# left out while they hold it, so returns stamped before stay current. A target review note
# changes no template or rating.
_LATER_FIELDS = {"rag_key": "", "decimals_given": True, "process_change": None}


def indicator_for_fingerprint(indicator: Indicator) -> dict[str, Any]:
    """The indicator as the fingerprint hashes it."""
    unused = {name for name, quiet in _LATER_FIELDS.items() if getattr(indicator, name) == quiet}
    dumped = indicator.model_dump(mode="json", exclude={"row", "target_review"} | unused)
    if dumped["annual_target"]["label"] == NO_ANNUAL_TARGET:
        dumped["annual_target"]["label"] = None  # a blank is rated as N/A, only printed apart
    return dumped


def fingerprint(register: Register) -> str:
    """A short hash of everything that affects templates and ratings (not row numbers).

    It hashes json.dumps({"indicators": [...], "settings": {...}}, sort_keys=True), fed in one
    indicator at a time: a big register's JSON held whole would more than double its memory.
    """
    digest = hashlib.sha256(b'{"indicators": [')
    separator = ""
    for indicator in register.indicators:
        text = json.dumps(indicator_for_fingerprint(indicator), sort_keys=True)
        digest.update((separator + text).encode("utf-8"))
        separator = ", "
    settings = json.dumps(settings_for_fingerprint(register.settings), sort_keys=True)
    digest.update(f'], "settings": {settings}}}'.encode())
    return digest.hexdigest()[:16]
