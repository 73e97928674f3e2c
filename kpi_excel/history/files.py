"""Past periods' figures, from which the arrows are computed rather than typed in.

A history file (CSV or .xlsx) has one row per indicator and period:
    indicator_id, period, value, label
value is a number in the indicator's unit (percentages as 83 or "83%"), or a token: NEW
(no comparable earlier figure), N/A (not available) or "not due". label is printed beside the value,
e.g. "(16-17)" or "(AY 15-16)".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..core.display import plural
from ..core.gcpause import collector_paused
from ..core.models import HistoryPoint, Indicator, Source, Unit
from ..core.periods import Period, PeriodError
from ..core.problems import HistoryError, Problem, problem
from ..core.return_spec import NOT_AVAILABLE_TOKENS as RETURN_NOT_AVAILABLE
from ..core.values import parse_number_text, parse_whole_number
from ..register.loader import read_sheets, take_row
from ..xlsx import MB, SheetData, not_a_file
from ..xlsx.safety import MAX_CSV_BYTES

HISTORY_COLUMNS = ("indicator_id", "period", "value", "label")
NEW_TOKENS = {"new"}
# The words a return accepts for "not available" mean the same in a history file.
NOT_AVAILABLE_TOKENS = RETURN_NOT_AVAILABLE | {"tbc"}
NOT_DUE = "not due"  # the figure was not due that period (exported by export-history)


class History:
    """Figures by (indicator id, period), in memory."""

    def __init__(self, points: Iterable[HistoryPoint] = ()) -> None:
        self._points: dict[tuple[str, Period], HistoryPoint] = {}
        for point in points:
            self._points[(point.indicator_id, point.period)] = point

    def get(self, indicator_id: str, period: Period) -> HistoryPoint | None:
        """The figure for the period; for a quarter with none, a monthly indicator's figure for
        the quarter's last month, which is the quarter's by every basis (a snapshot at the
        quarter's end, the year to date, or the twelve months to it). Its period says which."""
        point = self._points.get((indicator_id, period))
        if point is None and period.quarter is not None and period.month is None:
            point = self._points.get((indicator_id, period.last_month()))
        return point

    def series(self, indicator_id: str, up_to: Period, count: int = 8) -> list[HistoryPoint]:
        """Up to `count` quarters ending at up_to, oldest first, skipping missing ones."""
        found = [self.get(indicator_id, period) for period in up_to.recent(count)]
        return [point for point in found if point is not None]

    def points(self) -> list[HistoryPoint]:
        return sorted(self._points.values(), key=lambda p: (p.indicator_id, p.period))

    def __len__(self) -> int:
        return len(self._points)


def parse_history_value(raw: Any, indicator: Indicator | None) -> tuple[float | None, str | None]:
    """(value, token) from a cell: a number, "83%", "NEW", "N/A" or "not due"."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "N/A"
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a figure")
    if isinstance(raw, int | float):
        return parse_whole_number(raw).value, None
    text = str(raw).strip()
    if text.lower() in NEW_TOKENS:
        return None, "NEW"
    if text.lower() in NOT_AVAILABLE_TOKENS:
        return None, "N/A"
    if text.lower() == NOT_DUE:
        return None, NOT_DUE
    if parse_number_text(text) is None:
        raise ValueError(f"'{text}' is not a figure, NEW or N/A")
    parsed = parse_whole_number(text, suffix=indicator.suffix if indicator else None)
    if parsed.is_percent and indicator is not None and indicator.unit is not Unit.PERCENT:
        raise ValueError(f"'{text}' is a percentage but {indicator.id} is not measured in %")
    return parsed.value, None


def load_history(path: Path, indicators: dict[str, Indicator]) -> tuple[History, list[Problem]]:
    """Read a history file; raises HistoryError when any row is wrong, listing every one."""
    with collector_paused(promote_survivors=True):
        return _load_history(Path(path), indicators)


def _load_history(path: Path, indicators: dict[str, Indicator]) -> tuple[History, list[Problem]]:
    if not path.exists():
        raise HistoryError(
            f"The history file {path} does not exist.", [problem("file-missing", file=str(path))]
        )
    rows = _read_rows(path)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    where = _columns(next(rows, (1, []))[1], path)
    points: dict[tuple[str, str], HistoryPoint] = {}
    first_rows: dict[tuple[str, str], int] = {}
    periods: dict[str, Period] = {}  # as typed -> parsed: a file has few periods
    for row_number, row in rows:
        cells = {name: (row[i] if i < len(row) else None) for name, i in where.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        indicator_id = str(cells["indicator_id"] or "").strip()
        indicator = indicators.get(indicator_id)
        if indicator is None:
            warnings.append(
                problem(
                    "history-unknown-id",
                    file=path.name,
                    cell=f"row {row_number}",
                    value=indicator_id,
                )
            )
            continue
        indicator_id = indicator.id  # the register's copy of the text, not one more per row
        try:
            typed = str(cells["period"] or "")
            period = periods.get(typed)
            if period is None:
                period = periods[typed] = Period.parse(typed)
            value, token = parse_history_value(cells["value"], indicator)
        except (ValueError, PeriodError) as error:
            errors.append(
                problem(
                    "history-invalid",
                    file=path.name,
                    cell=f"row {row_number}",
                    indicator_id=indicator_id,
                    detail=f"{error}.",
                )
            )
            continue
        label = str(cells.get("label") or "").strip()
        key = (indicator_id, period)
        earlier = points.get(key)
        if earlier is not None:
            if (earlier.value, earlier.token, earlier.label) != (value, token, label):
                errors.append(
                    problem(
                        "history-invalid",
                        file=path.name,
                        cell=f"row {row_number}",
                        indicator_id=indicator_id,
                        detail=f"{indicator_id} {period} is already on row {first_rows[key]} "
                        "with a different figure or label: keep one of the two rows.",
                    )
                )
            continue
        points[key] = HistoryPoint(
            indicator_id=indicator_id,
            period=period,
            value=value,
            label=label,
            token=token,
            source=Source(file=path.name, cell=f"row {row_number}"),
        )
        first_rows[key] = row_number
    if errors:
        raise HistoryError(
            f"The history file {path.name} has {plural(len(errors), 'row')} to fix.", errors
        )
    return History(points.values()), warnings


def _columns(first_row: list[Any], path: Path) -> dict[str, int]:
    """Where each history column is, from the header row; HistoryError when one is missing."""
    header = [str(h or "").strip().lower() for h in first_row or ()]
    missing = [c for c in HISTORY_COLUMNS[:3] if c not in header]
    if missing:
        raise HistoryError(
            f"The history file {path.name} needs the columns {', '.join(HISTORY_COLUMNS)}; "
            f"missing: {', '.join(missing)}.",
            [
                problem(
                    "history-invalid",
                    file=path.name,
                    cell="row 1",
                    detail=f"Missing columns: {', '.join(missing)}.",
                )
            ],
        )
    return {name: header.index(name) for name in HISTORY_COLUMNS if name in header}


# A history file has a handful of columns (an export, 24); columns past these are not read.
_MAX_COLUMNS = 256


def _read_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows, first to last, each with its number; the file is read (or refused)
    before this returns."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    if path.suffix.lower() == ".xlsx":
        sheets, _ = read_sheets(path, HistoryError, "history file", lambda names: names[:1])
        return _sheet_rows(next(iter(sheets.values()), None))
    raise HistoryError(
        f"The history file {path.name} must be a .csv or .xlsx file.",
        [problem("file-not-xlsx", file=path.name, detail=f"a {path.suffix} file")],
    )


def _sheet_rows(sheet: SheetData | None) -> Iterator[tuple[int, list[Any]]]:
    """Row 1, then only the rows that have cells, as wide as the header: one cell at
    XFD1048576 must not mean a billion empty cells."""
    if sheet is None:
        return
    header_width = max((col for row, col in sheet.cells if row == 1), default=0)
    width = range(1, min(header_width, _MAX_COLUMNS) + 1)
    present = sorted({row for row, _ in sheet.cells} | {1})
    for row in present:
        yield row, take_row(sheet, row, width)


def _read_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """UTF-8 first (with or without Excel's byte-order mark), then the Windows code page that
    Excel's plain "CSV" save uses, so a £ or a dash typed on Windows is read, not refused."""
    try:
        status = path.stat()
        size = status.st_size
        if (what := not_a_file(status.st_mode)) is not None:
            found = problem("file-not-regular", file=path.name, detail=what)
            raise HistoryError(f"The history file {path.name}: {found.message}", [found])
        if size > MAX_CSV_BYTES:
            found = problem(
                "file-too-big-to-read",
                file=path.name,
                detail=f"{size / MB:.0f} MB",
                expected=f"history file ({MAX_CSV_BYTES // MB} MB)",
            )
            raise HistoryError(f"The history file {path.name}: {found.message}", [found])
        raw = path.read_bytes()
    except OSError as error:
        raise HistoryError(
            f"The history file {path.name} cannot be read: {error.strerror or error}.",
            [problem("file-unreadable", file=path.name, detail=error.strerror or error)],
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def plain_number(value: float) -> str:
    """A figure as text that reads back exactly: 83, 89.42, 1234567 (never 1.23457e+06)."""
    return str(int(value)) if value.is_integer() else repr(value)
