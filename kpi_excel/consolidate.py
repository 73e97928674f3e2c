"""The whole loop as a Python API: read the returns, rate them, build the report, write it.

The CLI is a thin layer over these functions (one command, one function of the same name).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_bytes
from .history import History
from .models import (
    HistoryPoint,
    Indicator,
    Rating,
    Register,
    Report,
    ReportRow,
    ReturnLogEntry,
    ReturnOutcome,
    ReturnRecord,
)
from .parallel import read_returns_parallel
from .periods import Period
from .problems import Problem, Severity, UsageError, problem
from .reader import ReturnFile
from .register import settings_fingerprint
from .rules import rate, trend
from .targets import previous_due_period, resolve_target

Progress = Callable[[Iterable[Path]], Iterable[Path]]
_IGNORED_PREFIXES = (".", "~")  # hidden files, Excel's "~$name.xlsx" lock files
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"})


@dataclass
class Collected:
    """Every return read for a period, the records chosen from them, and the log."""

    files: list[ReturnFile]
    records: dict[str, ReturnRecord]
    rejected_ids: set[str]
    problems: list[Problem]
    log: list[ReturnLogEntry]
    cells: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)


def find_return_files(sources: Sequence[Path]) -> list[Path]:
    """Files named directly, and every file inside folders named (not recursing).

    Hidden files, Excel's lock files and the files Windows and macOS leave in folders are
    skipped; the order is by name, ignoring case, the same on every system.
    """
    found: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            try:
                entries = list(source.iterdir())
            except OSError as error:
                raise UsageError(
                    f"The folder {source} cannot be read: {error.strerror or error}."
                ) from None
            found.extend(
                sorted(
                    (
                        path
                        for path in entries
                        if path.is_file()
                        and not path.name.startswith(_IGNORED_PREFIXES)
                        and path.name.casefold() not in _SYSTEM_FILES
                    ),
                    key=lambda path: (path.name.casefold(), path.name),
                )
            )
        else:
            found.append(source)
    return found


def collect_returns(
    sources: Sequence[Path],
    register: Register,
    period: Period,
    *,
    progress: Progress | None = None,
    previous_comments: Mapping[str, str] | None = None,
) -> Collected:
    """Read every return; one bad file never stops the rest.

    previous_comments (indicator id -> last period's comment) lets the reader query a comment
    copied unchanged from last period.
    """
    paths = find_return_files(sources)
    iterator = progress(paths) if progress else paths
    # on every core when there are many returns; identical results, in order
    files = read_returns_parallel(iterator, register, period, previous_comments=previous_comments)
    chosen: dict[str, ReturnFile] = {}
    problems: list[Problem] = []
    log: list[ReturnLogEntry] = []
    for result in files:
        problems.extend(result.problems)
    for result in sorted((f for f in files if f.readable), key=_age):
        previous = chosen.get(result.service_area or "")
        if previous is not None:
            problems.append(
                problem(
                    "return-duplicate",
                    file=previous.path.name,
                    detail=result.service_area,
                    expected=result.path.name,
                )
            )
            log.append(_log_entry(previous, ReturnOutcome.SUPERSEDED))
        chosen[result.service_area or ""] = result
    for result in files:
        if not result.readable:
            log.append(_log_entry(result, ReturnOutcome.REJECTED))
    records: dict[str, ReturnRecord] = {}
    rejected: set[str] = set()
    cells: dict[str, tuple[str, dict[str, str]]] = {}
    for area in register.service_areas():
        result = chosen.get(area)
        if result is None:
            problems.append(problem("return-missing", detail=area))
            log.append(ReturnLogEntry(service_area=area, outcome=ReturnOutcome.MISSING))
            continue
        outcome = ReturnOutcome.FAILED if result.errors else ReturnOutcome.RECEIVED
        log.append(_log_entry(result, outcome))
        records.update(result.records)
        rejected |= result.rejected_ids
        for indicator_id, refs in result.cells.items():
            cells[indicator_id] = (result.path.name, refs)
    log.sort(key=lambda entry: (entry.service_area, entry.outcome.value, entry.file or ""))
    return Collected(files, records, rejected, problems, log, cells)


def _age(result: ReturnFile) -> tuple[float, str]:
    """Which of two returns is newer: by the date the workbook says it was saved, which
    copies keep, else by the file's time."""
    if result.saved_at is not None:
        return result.saved_at.timestamp(), result.path.name
    try:
        modified = result.path.stat().st_mtime
    except OSError:
        modified = 0.0
    return modified, result.path.name


def _log_entry(result: ReturnFile, outcome: ReturnOutcome) -> ReturnLogEntry:
    return ReturnLogEntry(
        service_area=result.service_area or "(unknown)",
        outcome=outcome,
        file=result.path.name,
        sha256=result.sha256,
        template_version=result.template_version,
        errors=result.errors,
        warnings=result.warnings,
    )


_NOT_USED = Rating(
    rag=None,
    not_rated="Figure not accepted",
    reason="The return's figure has errors to fix: see the Data quality sheet.",
)


def build_report(
    register: Register,
    period: Period,
    collected: Collected,
    history: History,
) -> Report:
    """Rate every indicator in register order; the rules decide, nothing is copied."""
    settings = register.settings
    rows: list[ReportRow] = []
    problems = list(collected.problems)
    for indicator in register.indicators:
        record = collected.records.get(indicator.id)
        target = resolve_target(indicator, period)
        if indicator.id in collected.rejected_ids:
            rating = _NOT_USED
        else:
            rating = rate(indicator, target, record, settings, period)
        previous = history.get(indicator.id, previous_due_period(indicator, period))
        last_year = history.get(indicator.id, period.same_period_last_year())
        short_term = trend(
            indicator, record, previous, settings, term="short", period=period, target=target.target
        )
        long_term = trend(
            indicator, record, last_year, settings, term="long", period=period, target=target.target
        )
        rows.append(
            ReportRow(
                indicator=indicator,
                period_target=target,
                record=record,
                rating=rating,
                short_term=short_term,
                long_term=long_term,
                history=_series(indicator, record, history, period),
            )
        )
    return Report(
        period=str(period),
        settings=settings,
        rows=rows,
        problems=problems,
        return_log=collected.log,
        register_fingerprint=register.fingerprint,
    )


def _series(
    indicator: Indicator, record: ReturnRecord | None, history: History, period: Period
) -> list[HistoryPoint]:
    points = [p for p in history.series(indicator.id, period.previous(), 7) if p.value is not None]
    if record is not None and record.value is not None:
        points.append(
            HistoryPoint(indicator_id=indicator.id, period=str(period), value=record.value)
        )
    return points


def report_json(report: Report) -> dict:
    """The machine-readable result: one entry per indicator, the problems and the return log."""
    indicators = []
    for row in report.rows:
        record = row.record
        indicators.append(
            {
                "id": row.indicator.id,
                "name": row.indicator.name,
                "section": row.indicator.section,
                "service_area": row.indicator.service_area,
                "unit": row.indicator.unit.value,
                "polarity": row.indicator.polarity.value,
                "period_target": row.period_target.target.model_dump(mode="json"),
                "status": record.status.value if record else None,
                "value": record.value if record else None,
                "provisional": record.provisional if record else False,
                "rag": row.rating.rag.value if row.rating.rag else None,
                "not_rated": row.rating.not_rated,
                "reason": row.rating.reason,
                "short_term": row.short_term.direction.value if row.short_term.direction else None,
                "short_term_compared_with": _point(row.short_term.compared_with),
                "short_term_reason": row.short_term.reason,
                "long_term": row.long_term.direction.value if row.long_term.direction else None,
                "long_term_compared_with": _point(row.long_term.compared_with),
                "long_term_reason": row.long_term.reason,
                "comment": record.comment if record else "",
                "corrective_action": record.corrective_action if record else "",
                "source": record.source.model_dump(mode="json")
                if record and record.source
                else None,
            }
        )
    return {
        "period": report.period,
        "register_fingerprint": report.register_fingerprint,
        "settings_fingerprint": settings_fingerprint(report.settings),
        "indicators": indicators,
        "problems": [p.model_dump(mode="json") for p in report.problems],
        "return_log": [entry.model_dump(mode="json") for entry in report.return_log],
    }


def _point(point: HistoryPoint | None) -> dict | None:
    if point is None:
        return None
    return {
        "period": point.period,
        "value": point.value,
        "token": point.token,
        "label": point.label,
    }


def write_json(report: Report, path: Path, *, extra: dict | None = None) -> Path:
    """The report as JSON; extra (such as where the history came from) is added at the top."""
    payload = {**report_json(report), **(extra or {})}
    return write_bytes(Path(path), json.dumps(payload, indent=2).encode("utf-8"))
