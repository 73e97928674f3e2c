"""Reading officers' returns: every input cell checked, every problem reported with its cell.

Rows are found by indicator id, columns by their header, never by position (and the Return
sheet by its header row, should an officer rename it). Inputs are only read, never modified or
re-saved. A file that cannot be read yields problems, not an exception, so one bad return never
stops the others. The reader reports what it read; rating is the rules' (report/build.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from ..core.models import (
    DEFAULT_DUE_QUARTERS,
    Indicator,
    Register,
    ReturnRecord,
    Source,
    Status,
    Unit,
)
from ..core.periods import Period, PeriodError
from ..core.problems import Problem, ReturnFileError, Severity, count, problem
from ..core.return_spec import (
    FIELDS,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    NOT_AVAILABLE_TOKENS,
    NOT_DUE_TOKENS,
    RETURN_SHEET,
    TEMPLATE_VERSION,
    FieldKind,
    column_letter,
    template_file_name,
)
from ..core.values import normalise_token
from ..xlsx.read import RawCell, SheetData, XlsxBook, open_xlsx
from ..xlsx.safety import DEFAULT_LIMITS, not_a_file
from .cells import CellReading, apply_fraction, plain, read_flag, read_number, read_text

_HEADER_SEARCH_ROWS = 30
_STATUS_WORDS = {status.value: status for status in Status} | {
    "n/a": Status.NOT_AVAILABLE,
    "not available": Status.NOT_AVAILABLE,
    "unavailable": Status.NOT_AVAILABLE,
    "not due": Status.NOT_DUE,
    "available": Status.AVAILABLE,
}


@dataclass
class ReturnFile:
    """What one return file gave: its identity, its records and its problems."""

    path: Path
    sha256: str = ""
    service_area: str | None = None
    period: str | None = None
    template_version: str = ""
    sheet: str = RETURN_SHEET  # the return sheet's name as found (an officer may rename it)
    readable: bool = False
    records: dict[str, ReturnRecord] = field(default_factory=dict)
    rejected_ids: set[str] = field(default_factory=set)  # rows whose figure has errors
    cells: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> field -> "H9"
    problems: list[Problem] = field(default_factory=list)
    read_at: str = ""  # file_time of the file, stamped on every figure read from it
    saved_at: datetime | None = None  # when the workbook says it was saved, if it says

    @property
    def errors(self) -> int:
        return count(self.problems)

    @property
    def warnings(self) -> int:
        return count(self.problems, Severity.WARNING)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_if_small(path: Path) -> str:
    """The file's hash for the return log; not worth reading a file too big to be a return
    (the file checks refuse it), and a file that cannot be read is reported by them too."""
    try:
        status = path.stat()
        if status.st_size > DEFAULT_LIMITS.max_file_size or not_a_file(status.st_mode):
            return ""  # a pipe or a device would never end: the file checks refuse it
        return sha256_of(path)
    except OSError:
        return ""


def read_return(
    path: Path,
    register: Register,
    period: Period,
    *,
    previous_comments: Mapping[str, str] | None = None,
) -> ReturnFile:
    """Read and validate one return. Never raises for a bad file: problems say what is wrong.

    previous_comments (indicator id -> last period's comment), when given, lets a comment
    copied unchanged from last period be queried.
    """
    path = Path(path)
    result = ReturnFile(path=path)
    name = path.name
    try:
        result.read_at = file_time(path)
        result.sha256 = _hash_if_small(path)
        with open_xlsx(path) as book:
            result.saved_at = book.saved_at()
            result.problems.extend(_here(book.warnings, name))
            if (mark := book.output_mark()) is not None:
                result.problems.append(problem("file-kpi-excel-output", file=name, detail=mark))
                return result
            if META_SHEET not in book.sheet_names():
                result.problems.append(problem("metadata-missing", file=name))
                return result
            meta = _read_meta(book.read_sheet(META_SHEET, max_cols=2, max_rows=50))
            if not _check_identity(meta, register, period, result):
                return result
            found = _find_return_sheet(book, result)
            if found is None:
                return result
            result.sheet = found
            if book.sheet_info(found).state != "visible":
                result.problems.append(problem("sheet-hidden", file=name, sheet=found))
            # Below the template's header row only its ID and input columns are read; should
            # the header be elsewhere, or show those columns moved, the sheet is read again
            # whole (the rows searched for a header are complete up to the header found).
            sheet = book.read_sheet(found, max_cols=60, columns=_ROW_COLUMNS, top_rows=HEADER_ROW)
            header = _find_header(sheet)
            if not _read_enough(header):
                sheet = book.read_sheet(found, max_cols=60)
                header = _find_header(sheet)
    except ReturnFileError as error:
        result.problems.extend(
            _here(error.problems, name)
            or [problem("file-corrupt", file=name, detail=error.message)]
        )
        return result
    except OSError as error:
        result.problems.append(
            problem("file-unreadable", file=name, detail=error.strerror or str(error))
        )
        return result
    except Exception as error:  # noqa: BLE001 - a file we failed to foresee must not stop the run
        result.problems.append(
            problem("file-corrupt", file=name, detail=f"{type(error).__name__}: {error}")
        )
        return result
    result.readable = True
    _read_rows(sheet, meta, register, period, result, previous_comments or {}, header)
    return result


@lru_cache(maxsize=4096)
def _token(text: str) -> str:
    """normalise_token, remembered: the same few status words fill every return."""
    return normalise_token(text)


def _here(problems: list[Problem], name: str) -> list[Problem]:
    """The file checks name the full path; a return's problems name the file alone."""
    return [item.model_copy(update={"file": name}) for item in problems]


_TEMPLATE_SHEETS = frozenset({INSTRUCTIONS_SHEET, META_SHEET, LISTS_SHEET})


def _find_return_sheet(book: XlsxBook, result: ReturnFile) -> str | None:
    """The return sheet: by its name, or, when an officer renamed it, by its header row."""
    names = book.sheet_names()
    if RETURN_SHEET in names:
        return RETURN_SHEET
    candidates = [
        name
        for name in names
        if name not in _TEMPLATE_SHEETS
        and _find_header(book.read_sheet(name, max_rows=_HEADER_SEARCH_ROWS, max_cols=60))[0]
    ]
    if len(candidates) == 1:
        result.problems.append(
            problem(
                "sheet-renamed",
                file=result.path.name,
                sheet=candidates[0],
                expected=RETURN_SHEET,
            )
        )
        return candidates[0]
    result.problems.append(
        problem(
            "sheet-missing",
            file=result.path.name,
            sheet=RETURN_SHEET,
            detail=", ".join(f"'{n}'" for n in names if n not in _TEMPLATE_SHEETS) or "none",
        )
    )
    return None


def _read_meta(sheet: SheetData) -> dict[str, str]:
    meta: dict[str, str] = {}
    for (_, col), cell in sorted(sheet.cells.items()):
        if col != 1 or cell.value is None:
            continue
        value = sheet.get(cell.row, 2)
        meta[str(cell.value).strip()] = (
            "" if value is None or value.value is None else str(value.value).strip()
        )
    return meta


def _check_identity(
    meta: dict[str, str], register: Register, period: Period, result: ReturnFile
) -> bool:
    """Is this a current template for this period and a known service area?

    Every reason to refuse the return is reported, not just the first: an old template for
    another period is both.
    """
    name = result.path.name
    required = ("template_version", "period", "service_area", "indicator_ids")
    missing = [key for key in required if not meta.get(key)]
    if missing:
        result.problems.append(
            _meta_edited(name, f"missing: {', '.join(missing)}"),
        )
        return False
    result.template_version = meta["template_version"]
    result.service_area = meta["service_area"]
    refused = [*_check_period(meta["period"], period, result), *_check_version(result)]
    if not register.indicators_for(result.service_area):
        refused.append(problem("template-unknown-service", file=name, detail=result.service_area))
    if refused:
        result.problems.extend(refused)
        return False
    fingerprint = meta.get("register_fingerprint", "")
    if register.fingerprint and fingerprint and fingerprint != register.fingerprint:
        result.problems.append(problem("template-stale-register", file=name))
    named_for = _area_named_by_file(name, register, period)
    if named_for is not None and named_for != result.service_area:
        result.problems.append(
            problem(
                "template-other-service", file=name, detail=result.service_area, expected=named_for
            )
        )
    return True


def _meta_edited(name: str, detail: str) -> Problem:
    return problem("metadata-edited", file=name, sheet=META_SHEET, detail=detail)


def _check_period(text: str, period: Period, result: ReturnFile) -> list[Problem]:
    """The reasons to refuse the return for its period: not a period, or another one."""
    try:
        return_period = Period.parse(text)
    except PeriodError:
        return [_meta_edited(result.path.name, f"period '{text}' is not a period")]
    result.period = str(return_period)
    if return_period == period:
        return []
    return [
        problem(
            "template-wrong-period",
            file=result.path.name,
            detail=result.period,
            expected=str(period),
        )
    ]


def _check_version(result: ReturnFile) -> list[Problem]:
    """The reasons to refuse the return for its template version; an older or newer minor
    version is read, with a warning."""
    name, found = result.path.name, result.template_version
    version, current = _version(found), _version(TEMPLATE_VERSION)
    if version is None:
        return [_meta_edited(name, f"template version '{found}' is not a version")]
    if version[0] != current[0]:
        return [
            problem(
                "template-unsupported-version", file=name, detail=found, expected=TEMPLATE_VERSION
            )
        ]
    if version != current:
        code = "template-old-version" if version < current else "template-newer-version"
        result.problems.append(problem(code, file=name, detail=found, expected=TEMPLATE_VERSION))
    return []


def _version(text: str) -> tuple[int, ...] | None:
    """'1.0' -> (1,), '1.2' -> (1, 2): trailing zeros dropped, so 1 and 1.0 are the same
    version. None for anything that is not dotted numbers."""
    if not re.fullmatch(r"\d+(\.\d+)*", text.strip()):
        return None
    parts = [int(part) for part in text.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _area_named_by_file(name: str, register: Register, period: Period) -> str | None:
    """The service area whose template file name this file still has, if any."""
    return _areas_by_file_name(tuple(register.service_areas()), period).get(name.lower())


@lru_cache(maxsize=8)
def _areas_by_file_name(areas: tuple[str, ...], period: Period) -> dict[str, str]:
    # built once per register and period, not once per file: slugging every area name for
    # every return made reading 1,000 returns grow with the square of their number
    return {template_file_name(area, period).lower(): area for area in areas}


_BY_HEADER = {f.header.lower(): f.key for f in FIELDS}
_HEADER_SEARCH_COLS = 60
# The fields whose cells are read on an indicator's row: its ID and the officer's inputs
# (_read_row, _first_input); _ROW_COLUMNS are their columns in the template.
_ROW_KEYS = frozenset(
    f.key
    for f in FIELDS
    if f.key == "id" or f.kind in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT)
)
_ROW_COLUMNS = frozenset(i for i, f in enumerate(FIELDS, start=1) if f.key in _ROW_KEYS)


def _read_enough(header: tuple[int, dict[str, int]]) -> bool:
    """Whether a sheet read whole to HEADER_ROW and in _ROW_COLUMNS below it has all that
    _read_rows reads: the header in the rows read whole, and the row fields' columns kept."""
    row, columns = header
    return 0 < row <= HEADER_ROW and all(
        col in _ROW_COLUMNS for key, col in columns.items() if key in _ROW_KEYS
    )


def _find_header(sheet: SheetData) -> tuple[int, dict[str, int]]:
    """The header row and each field's column, found by header text."""
    # Only the text cells present, row by row: most of the rows and columns searched are empty.
    texts: dict[int, list[tuple[int, str]]] = {}
    for (row, col), cell in sheet.cells.items():
        if row <= _HEADER_SEARCH_ROWS and col <= _HEADER_SEARCH_COLS:
            if isinstance(cell.value, str):
                texts.setdefault(row, []).append((col, cell.value))
    for row_number in sorted(texts):
        columns: dict[str, int] = {}
        for col, text in sorted(texts[row_number]):
            key = _BY_HEADER.get(" ".join(text.split()).lower())
            if key and key not in columns:
                columns[key] = col
        if "id" in columns and "value" in columns:
            return row_number, columns
    return 0, {}


def _read_rows(
    sheet: SheetData,
    meta: dict[str, str],
    register: Register,
    period: Period,
    result: ReturnFile,
    previous_comments: Mapping[str, str],
    header: tuple[int, dict[str, int]] | None = None,
) -> None:
    header_row, columns = header if header is not None else _find_header(sheet)
    if not _check_columns(header_row, columns, result):
        return
    expected = register.indicators_for(result.service_area)
    indicators = {i.id: i for i in expected}
    merged_rows = _check_merged(sheet, header_row, columns, result)
    seen: dict[str, str] = {}  # indicator id -> its ID cell
    # the keys are (row, column), so the largest key has the last row
    last_row = max(sheet.cells)[0] if sheet.cells else header_row
    letters = {
        key: column_letter(col - 1) for key, col in columns.items()
    }  # once a sheet, not a cell
    for row_number in sorted({r for r, _ in sheet.cells if header_row < r <= last_row}):
        indicator = _row_indicator(sheet, row_number, columns, letters, indicators, seen, result)
        if indicator is None:
            continue
        _read_row(sheet, row_number, columns, letters, indicator, period, result)
        if row_number in merged_rows:
            if result.records.pop(indicator.id, None) is not None:
                result.rejected_ids.add(indicator.id)
            continue
        _check_commentary(indicator, result, previous_comments.get(indicator.id))
    _check_rows_present(expected, meta, seen, result)


def _check_columns(header_row: int, columns: dict[str, int], result: ReturnFile) -> bool:
    """Every column the template has is there; without ID and Figure no row can be read."""
    name, sheet_name = result.path.name, result.sheet
    if not header_row:
        result.problems.append(
            problem("column-missing", file=name, sheet=sheet_name, detail="ID / Figure")
        )
        return False
    for spec in FIELDS:
        if spec.kind is not FieldKind.LIVE and spec.key not in columns:
            result.problems.append(
                problem("column-missing", file=name, sheet=sheet_name, detail=spec.header)
            )
    return True


def _row_indicator(
    sheet: SheetData,
    row_number: int,
    columns: dict[str, int],
    letters: dict[str, str],
    indicators: dict[str, Indicator],
    seen: dict[str, str],
    result: ReturnFile,
) -> Indicator | None:
    """The indicator a row is for, by its ID cell; None for a row not to read (no ID, an ID not
    in this return, a second row for the same ID), with a problem where it says something."""
    where = {"file": result.path.name, "sheet": result.sheet}
    id_cell = sheet.cells.get((row_number, columns["id"]))
    raw_id = "" if id_cell is None or id_cell.value is None else str(id_cell.value).strip()
    ref = f"{letters['id']}{row_number}"
    if not raw_id:
        entry = _first_input(sheet, row_number, columns)
        if entry is not None:
            result.problems.append(problem("row-no-id", cell=entry, **where))
        return None
    indicator = indicators.get(raw_id)
    if indicator is None:
        result.problems.append(problem("row-unknown-id", cell=ref, value=raw_id, **where))
        return None
    if raw_id in seen:
        result.problems.append(
            problem("row-duplicate", cell=ref, indicator_id=raw_id, detail=seen[raw_id], **where)
        )
        return None
    seen[raw_id] = ref
    return indicator


def _check_rows_present(
    expected: list[Indicator], meta: dict[str, str], seen: dict[str, str], result: ReturnFile
) -> None:
    """Every indicator has its row, in the template's order."""
    where = {"file": result.path.name, "sheet": result.sheet}
    for indicator in expected:
        if indicator.id not in seen:
            result.problems.append(problem("row-missing", indicator_id=indicator.id, **where))
    # Moved, not merely closed up: a deleted or an extra row leaves the others in order.
    template_order = [
        part.strip() for part in meta.get("indicator_ids", "").split(",") if part.strip()
    ]
    in_order = [i for i in template_order if i in seen]
    for found, wanted in zip(seen, in_order, strict=False):
        if found != wanted:
            result.problems.append(
                problem("row-moved", cell=seen[found], indicator_id=found, **where)
            )
            break


def _first_input(sheet: SheetData, row: int, columns: dict[str, int]) -> str | None:
    """The first input cell holding something on a row, as "H9"."""
    for key in ("value", "numerator", "denominator", "comment", "corrective_action"):
        assert key in _ROW_KEYS, f"{key} cells are not read below row {_HEADER_SEARCH_ROWS}"
        cell = sheet.get(row, columns[key]) if key in columns else None
        if cell is not None and cell.value not in (None, ""):
            return cell.ref
    return None


def _check_merged(
    sheet: SheetData, header_row: int, columns: dict[str, int], result: ReturnFile
) -> set[int]:
    """Report merged ranges over input cells; return the rows they touch.

    Merging keeps only the top-left cell's entry, so what those rows say cannot be trusted.
    """
    touched: set[int] = set()
    inputs = {
        columns[f.key]
        for f in FIELDS
        if f.key in columns and f.kind in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT)
    }
    for merged in sheet.merged:
        first, _, last = merged.partition(":")
        (row1, col1), (row2, col2) = _split_ref(first), _split_ref(last or first)
        if row2 > header_row and any(col1 <= c <= col2 for c in inputs):
            # the rows with cells, not every row the range spans (up to 1,048,576)
            touched.update(
                row for row, _ in sheet.cells if max(row1, header_row + 1) <= row <= row2
            )
            result.problems.append(
                problem(
                    "merged-cells",
                    file=result.path.name,
                    sheet=result.sheet,
                    cell=merged,
                    detail=merged,
                )
            )
    return touched


def _split_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits or 0), col


@dataclass
class _Row:
    """One indicator's row being read: where its cells are and what has been found wrong."""

    cells: dict[tuple[int, int], RawCell]
    row: int
    columns: dict[str, int]
    refs: dict[str, str]  # field key -> "H9"
    problems: list[Problem] = field(default_factory=list)

    def cell(self, key: str) -> RawCell | None:
        assert key in _ROW_KEYS, f"{key} cells are not read below row {_HEADER_SEARCH_ROWS}"
        return self.cells.get((self.row, self.columns.get(key, 0)))  # 0: a field with no column

    def place(self, reading: CellReading, key: str) -> None:
        """A cell reading's problems, each at the cell it was read from."""
        for item in reading.problems:
            self.problems.append(item.model_copy(update={"cell": self.refs.get(key)}))


def _read_row(
    sheet: SheetData,
    row: int,
    columns: dict[str, int],
    letters: dict[str, str],
    indicator: Indicator,
    period: Period,
    result: ReturnFile,
) -> None:
    row_text = str(row)
    refs = {key: letter + row_text for key, letter in letters.items()}
    result.cells[indicator.id] = refs
    line = _Row(sheet.cells, row, columns, refs)
    status = _read_status(line)
    value, status = _read_figure(line, indicator, status)
    value, numerator, denominator = _read_counts(line, indicator, value)
    words = {key: _read_words(line, key) for key in _WORD_KEYS}
    due = indicator.due_for(period)
    status, value = _check_status(line, indicator, status, value, due)
    if line.problems:
        result.problems.extend(_placed(line, indicator, result))
        if _has_error(line.problems):
            result.rejected_ids.add(indicator.id)
            return
    result.records[indicator.id] = ReturnRecord(
        indicator_id=indicator.id,
        period=period,
        status=status,
        value=value if status is Status.AVAILABLE else None,
        numerator=numerator,
        denominator=denominator,
        provisional=bool(words["provisional"].flag),
        average=bool(words["average"].flag),
        comment=words["comment"].text or "",
        corrective_action=words["corrective_action"].text or "",
        source=Source(
            file=result.path.name,
            sha256=result.sha256,
            sheet=result.sheet,
            cell=refs.get("value", ""),
            template_version=result.template_version,
            read_at=result.read_at,
        ),
    )


_WORD_KEYS = ("provisional", "average", "comment", "corrective_action")
_FLAG_KEYS = frozenset({"provisional", "average"})


def _read_status(line: _Row) -> Status | None:
    """The status the officer chose, if any; a word not in the list is a problem."""
    reading = read_text(line.cell("status"))
    line.place(reading, "status")
    word = _token(reading.text or "")
    status = _STATUS_WORDS.get(word) if word else None
    if word and status is None:
        line.problems.append(
            problem("status-unknown", cell=line.refs.get("status"), value=reading.text)
        )
    return status


def _read_figure(
    line: _Row, indicator: Indicator, status: Status | None
) -> tuple[float | None, Status | None]:
    """The figure, or a token in its cell ("n/a", "not due") that sets the status instead."""
    value_cell = line.cell("value")
    token = (
        _token(value_cell.value)
        if value_cell is not None
        and value_cell.formula is None
        and isinstance(value_cell.value, str)
        else ""
    )
    if token in NOT_AVAILABLE_TOKENS:
        return None, status if status is Status.NOT_DUE else Status.NOT_AVAILABLE
    if token in NOT_DUE_TOKENS:
        return None, Status.NOT_DUE
    reading = read_number(value_cell, indicator)
    line.place(reading, "value")
    return reading.value, status


def _read_counts(
    line: _Row, indicator: Indicator, value: float | None
) -> tuple[float | None, float | None, float | None]:
    """The figure worked out from its numerator and denominator, where the indicator has them."""
    if not (indicator.unit is Unit.PERCENT or indicator.uses_fraction):
        return value, None, None
    numerator = read_number(line.cell("numerator"), None)
    denominator = read_number(line.cell("denominator"), None)
    line.place(numerator, "numerator")
    line.place(denominator, "denominator")
    value = apply_fraction(
        indicator, value, numerator.value, denominator.value, line.problems, line.refs
    )
    return value, numerator.value, denominator.value


def _read_words(line: _Row, key: str) -> CellReading:
    """A yes/no flag, or a comment or action (long text allowed)."""
    cell = line.cell(key)
    reading = read_flag(cell) if key in _FLAG_KEYS else read_text(cell, long_text=True)
    line.place(reading, key)
    return reading


def _check_status(
    line: _Row, indicator: Indicator, status: Status | None, value: float | None, due: bool
) -> tuple[Status, float | None]:
    """The status and the figure agree, and agree with when the indicator is due."""
    refs, problems = line.refs, line.problems
    if status is None:
        status = Status.AVAILABLE if value is not None or due else Status.NOT_DUE
    if status is Status.AVAILABLE and value is None and not _has_error(problems):
        problems.append(problem("value-blank", cell=refs.get("value")))
    if status is Status.NOT_AVAILABLE and value is not None:
        problems.append(
            problem(
                "value-with-na-status",
                cell=refs.get("value"),
                value=plain(value),
                detail=status.value,
            )
        )
        value = None
    if status is Status.NOT_DUE and due:
        problems.append(
            problem("status-due", cell=refs.get("status"), detail=_due_words(indicator))
        )
    elif status is Status.NOT_DUE and value is not None:
        problems.append(problem("value-not-due", cell=refs.get("value"), value=plain(value)))
        status = Status.AVAILABLE
    return status, value


def _placed(line: _Row, indicator: Indicator, result: ReturnFile) -> list[Problem]:
    """The row's problems with their file, sheet and indicator; the figure's cell by default."""
    where = {"file": result.path.name, "sheet": result.sheet, "indicator_id": indicator.id}
    return [
        item.model_copy(update={**where, "cell": item.cell or line.refs.get("value")})
        for item in line.problems
    ]


def _check_commentary(
    indicator: Indicator, result: ReturnFile, previous_comment: str | None
) -> None:
    """Words for the board that need no rating: why a figure is missing, and this period's own
    comment (a missing comment or action on an off-target figure is checked on the rated report,
    report/commentary.py)."""
    record = result.records.get(indicator.id)
    if record is None:
        return
    refs = result.cells.get(indicator.id, {})
    where = {
        "file": result.path.name,
        "sheet": result.sheet,
        "indicator_id": indicator.id,
    }
    found: list[Problem] = []
    if record.status is Status.NOT_AVAILABLE and not record.comment:
        found.append(
            problem("reason-missing", cell=refs.get("comment"), detail=record.status.value, **where)
        )
    if record.comment and previous_comment and _same_words(record.comment, previous_comment):
        found.append(problem("comment-repeated", cell=refs.get("comment"), **where))
    result.problems.extend(found)


def _same_words(first: str, second: str) -> bool:
    """Equal ignoring case, spacing and line breaks: a copied comment re-wrapped is the same."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _due_words(indicator: Indicator) -> str:
    quarters = indicator.due_quarters or DEFAULT_DUE_QUARTERS[indicator.frequency]
    return f"reported {indicator.frequency.value}, in " + ", ".join(f"Q{q}" for q in quarters)


def _has_error(problems: list[Problem]) -> bool:
    return count(problems) > 0


def file_time(path: Path) -> str:
    """When the file was last saved, by its modification time, in UTC to the second: the same
    on every machine and in every time zone for the same file (not the clock, which would
    make every run's output differ)."""
    try:
        stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return ""
    return stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z")
