"""Collecting a period's returns: find the files, read them, choose one return per service area."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.models import (
    Register,
    ReturnLogEntry,
    ReturnOutcome,
    ReturnRecord,
)
from ..core.periods import Period
from ..core.problems import Problem, UsageError, count, problem
from .parallel import read_returns_parallel
from .reader import ReturnFile

Progress = Callable[[Iterable[Path]], Iterable[Path]]
_IGNORED_PREFIXES = (".", "~")  # hidden files, Excel's "~$name.xlsx" lock files
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"})
_COUNTED = frozenset({ReturnOutcome.RECEIVED, ReturnOutcome.FAILED})  # the chosen return's rows


@dataclass
class Collected:
    """Every return read for a period, the records chosen from them, and the log."""

    files: list[ReturnFile]
    records: dict[str, ReturnRecord]
    rejected_ids: set[str]
    problems: list[Problem]
    log: list[ReturnLogEntry]
    cells: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # the files by name, made on first use: a run of 1,000 returns looks up thousands of
    # problems' files, and a scan of every file for each took longer than the rules
    _by_name: dict[str, list[ReturnFile]] | None = field(default=None, repr=False, compare=False)

    @property
    def error_count(self) -> int:
        return count(self.problems)

    def file_for(self, indicator_id: str) -> ReturnFile | None:
        """The return whose figure for this indicator was chosen, if any."""
        if self._by_name is None:
            self._by_name = {}
            for file in self.files:
                self._by_name.setdefault(file.path.name, []).append(file)
        name = self.cells.get(indicator_id, ("", {}))[0]
        return next((f for f in self._by_name.get(name, ()) if indicator_id in f.records), None)

    def add_problems(self, found: Iterable[Problem]) -> None:
        """Problems found after reading (on the rated report) join their return's problems,
        the run's list and the return log's counts, as if the reader had found them."""
        owners: dict[str, ReturnFile] = {}
        for item in found:
            self.problems.append(item)
            owner = self.file_for(item.indicator_id or "")
            if owner is not None:
                owner.problems.append(item)
                owners[owner.path.name] = owner
        for at, entry in enumerate(self.log):  # once, when every problem has joined
            owner = owners.get(entry.file)
            if owner is not None and entry.outcome in _COUNTED:
                self.log[at] = entry.model_copy(
                    update={"errors": owner.errors, "warnings": owner.warnings}
                )


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
