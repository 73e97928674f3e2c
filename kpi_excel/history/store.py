"""The history store: every closed period's figures in one SQLite file, never overwritten.

Tables (see docs/history.md):
    versions  one row per change to history: an import, a close or a correction, with who,
              when and why. Version numbers count up from 1 across the whole store.
    figures   one row per (indicator_id, period, version): the figure, its status and flags,
              the target in force, comment, corrective action and where it came from.
    periods   one row per closed period, with the version that closed it. A period with no
              row is open: drafts are consolidated from its returns and change nothing here.
    targets   the target in force per (indicator_id, period), with the period it took effect.
    runs      the run log: every consolidate, close, import and correction, with the settings
              and register fingerprints and the hash of every input file.

The store "as at" version V is what it held once version V was written: for each indicator
and period, the figure with the highest version not above V. Every write is one transaction
(BEGIN IMMEDIATE, with a rollback journal, waiting up to BUSY_TIMEOUT_MS for another
writer), so an
interrupted run leaves the store as it was and two runs at once queue instead of colliding.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.models import HistoryPoint, ResolvedTarget, ReturnRecord, Source, Status, Target
from ..core.periods import Period
from ..core.problems import HistoryError
from .files import NOT_DUE, History

DEFAULT_NAME = "history.sqlite"
SCHEMA_VERSION = 1
APPLICATION_ID = 0x6B706978  # "kpix": marks the file as a kpi-excel store
BUSY_TIMEOUT_MS = 30_000
KINDS = ("import", "close", "correct")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    command TEXT NOT NULL,
    period TEXT,
    as_at INTEGER,
    settings_fingerprint TEXT NOT NULL DEFAULT '',
    register_fingerprint TEXT NOT NULL DEFAULT '',
    inputs TEXT NOT NULL DEFAULT '[]',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    version INTEGER,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    run_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('import', 'close', 'correct')),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    why TEXT NOT NULL,
    run_id INTEGER REFERENCES runs (run_id)
);
CREATE TABLE IF NOT EXISTS periods (
    period TEXT PRIMARY KEY,
    closed_version INTEGER NOT NULL REFERENCES versions (version)
);
CREATE TABLE IF NOT EXISTS figures (
    indicator_id TEXT NOT NULL,
    period TEXT NOT NULL REFERENCES periods (period),
    version INTEGER NOT NULL REFERENCES versions (version),
    status TEXT NOT NULL,
    value REAL,
    token TEXT,
    label TEXT NOT NULL DEFAULT '',
    numerator REAL,
    denominator REAL,
    provisional INTEGER NOT NULL DEFAULT 0,
    average INTEGER NOT NULL DEFAULT 0,
    time_lag TEXT,
    target TEXT,
    target_how TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    corrective_action TEXT NOT NULL DEFAULT '',
    source_file TEXT NOT NULL DEFAULT '',
    source_sha256 TEXT NOT NULL DEFAULT '',
    source_sheet TEXT NOT NULL DEFAULT '',
    source_cell TEXT NOT NULL DEFAULT '',
    source_template_version TEXT NOT NULL DEFAULT '',
    source_read_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (indicator_id, period, version)
);
CREATE TABLE IF NOT EXISTS targets (
    indicator_id TEXT NOT NULL,
    period TEXT NOT NULL REFERENCES periods (period),
    version INTEGER NOT NULL REFERENCES versions (version),
    target TEXT NOT NULL,
    how TEXT NOT NULL DEFAULT '',
    effective_period TEXT NOT NULL,
    PRIMARY KEY (indicator_id, period)
);
"""

_FIGURE_COLUMNS = (
    "indicator_id", "period", "version", "status", "value", "token", "label", "numerator",
    "denominator", "provisional", "average", "time_lag", "target", "target_how", "comment",
    "corrective_action", "source_file", "source_sha256", "source_sheet", "source_cell",
    "source_template_version", "source_read_at",
)  # fmt: skip


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers and services
        return "unknown"


@dataclass(frozen=True)
class Figure:
    """One version of one indicator's figure for one period."""

    indicator_id: str
    period: str
    status: Status
    value: float | None = None
    token: str | None = None  # "NEW", "N/A" when there is no value
    label: str = ""
    numerator: float | None = None
    denominator: float | None = None
    provisional: bool = False
    average: bool = False
    target: Target | None = None  # the period target in force when it was recorded
    target_how: str = ""
    comment: str = ""
    corrective_action: str = ""
    source: Source | None = None
    # Filled in by the store when the figure is written:
    version: int = 0
    kind: str = ""  # import, close or correct
    recorded_at: str = ""
    recorded_by: str = ""
    why: str = ""

    @classmethod
    def from_record(cls, record: ReturnRecord, target: ResolvedTarget | None = None) -> Figure:
        value = record.value if record.status is Status.AVAILABLE else None
        token = "N/A" if record.status is Status.NOT_AVAILABLE else None
        return cls(
            indicator_id=record.indicator_id,
            period=str(record.period),  # the store's text for it
            status=record.status,
            value=value,
            token=token,
            numerator=record.numerator,
            denominator=record.denominator,
            provisional=record.provisional,
            average=record.average,
            target=target.target if target else None,
            target_how=target.how if target else "",
            comment=record.comment,
            corrective_action=record.corrective_action,
            source=record.source,
        )

    @classmethod
    def from_point(cls, point: HistoryPoint) -> Figure:
        status = Status.AVAILABLE if point.value is not None else Status.NOT_AVAILABLE
        token = point.token if point.value is None else None
        if token == NOT_DUE:
            status, token = Status.NOT_DUE, None
        return cls(
            indicator_id=point.indicator_id,
            period=str(point.period),
            status=status,
            value=point.value,
            token=token,
            label=point.label,
            source=point.source,
        )

    def values(self) -> tuple[Any, ...]:
        """What makes two figures the same: not where or when they were recorded."""
        return (
            self.status.value,
            self.value,
            self.token,
            self.label,
            self.numerator,
            self.denominator,
            self.provisional,
            self.average,
            None,  # time lag, never set: kept so figures keep their fingerprints
            self.comment,
            self.corrective_action,
        )

    def fingerprint(self) -> str:
        """SHA-256 of the figure and who recorded it when and why: a correction's "file hash"."""
        content = [self.indicator_id, self.period, self.version, *self.values()]
        content += [self.recorded_at, self.recorded_by, self.why]
        return hashlib.sha256(json.dumps(content).encode("utf-8")).hexdigest()

    def shown(self) -> str:
        """The figure in a message: 83, N/A, NEW or not due."""
        if self.value is not None:
            return f"{self.value:g}"
        if self.status is Status.NOT_DUE:
            return NOT_DUE
        return self.token or "N/A"

    def to_point(self) -> HistoryPoint:
        """The figure as the rules see a past period, as a history file would give it."""
        value = self.value if self.status is Status.AVAILABLE else None
        token = None if value is not None else (self.token or "N/A")
        if self.status is Status.NOT_DUE:
            token = NOT_DUE
        return HistoryPoint(
            indicator_id=self.indicator_id,
            period=self.period,
            value=value,
            label=self.label,
            token=token,
            source=self.source,
        )

    def to_record(self, store_name: str) -> ReturnRecord:
        """The figure as a return record, for a report of the closed period itself.

        A correction names the store as its source: who made it and why is in the store.
        """
        source = self.source
        if self.kind == "correct":
            source = Source(
                file=store_name,
                sha256=self.fingerprint(),
                sheet="figures",
                cell=f"{self.indicator_id} {self.period} version {self.version}",
                read_at=self.recorded_at,
            )
        return ReturnRecord(
            indicator_id=self.indicator_id,
            period=self.period,
            status=self.status,
            value=self.value,
            numerator=self.numerator,
            denominator=self.denominator,
            provisional=self.provisional,
            average=self.average,
            comment=self.comment,
            corrective_action=self.corrective_action,
            source=source,
        )


@dataclass(frozen=True)
class TargetInForce:
    indicator_id: str
    period: str
    target: Target
    how: str = ""
    version: int = 0
    effective_period: str = ""  # the first period of the run of periods with this target


@dataclass(frozen=True)
class Version:
    version: int
    kind: str
    recorded_at: str
    recorded_by: str
    why: str
    run_id: int | None = None


@dataclass(frozen=True)
class ClosedPeriod:
    period: str
    closed_version: int


@dataclass(frozen=True)
class Run:
    """One entry of the run log."""

    command: str
    outcome: str
    period: str | None = None
    as_at: int | None = None
    settings_fingerprint: str = ""
    register_fingerprint: str = ""
    inputs: list[dict[str, str]] = field(default_factory=list)  # file, sha256, read_at
    detail: str = ""
    errors: int = 0
    warnings: int = 0
    run_by: str = ""
    started_at: str = ""
    run_id: int = 0
    version: int | None = None


@dataclass
class Change:
    """What one write did. conflicts are (new, existing) pairs; when there are any, nothing
    was written."""

    version: int | None = None
    added: list[Figure] = field(default_factory=list)
    unchanged: int = 0
    closed: list[str] = field(default_factory=list)
    conflicts: list[tuple[Figure, Figure | None]] = field(default_factory=list)
    run_id: int | None = None


class _Conflicts(Exception):
    """Raised inside a write to roll it back when figures conflict."""


def period_key(period: str, *, end: bool = True) -> tuple[int, int]:
    """Sort and range key: quarters in order, a year after its Q4 (or before its Q1)."""
    return Period.parse(period).sort_key(year_at_end=end)


def is_busy(error: BaseException) -> bool:
    """Whether SQLite gave up waiting for another run's lock on the store."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def busy_message(path: Path) -> str:
    return (
        f"The history store {path} is busy: another kpi-excel run (or another program) is "
        "using it. Try again when it has finished."
    )


class Store:
    """One history store file. Use as a context manager, or call close()."""

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise HistoryError(
                f"The history store {self.path} does not exist. Create it with "
                "'kpi-excel import-history' or 'kpi-excel close', or check the --store path."
            )
        if self.path.is_dir():
            raise HistoryError(f"The history store {self.path} is a folder: give a file name.")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except (OSError, sqlite3.Error) as error:
            raise HistoryError(f"Cannot open the history store {self.path}: {error}.") from None
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare(create)
        except sqlite3.DatabaseError as error:
            self._db.close()
            if is_busy(error):
                raise HistoryError(busy_message(self.path)) from None
            raise HistoryError(f"{self.path} is not a kpi-excel history store ({error}).") from None
        except HistoryError:
            self._db.close()
            raise

    def _prepare(self, create: bool) -> None:
        if self._application_id() != APPLICATION_ID:
            if not create:
                raise HistoryError(f"{self.path} is not a kpi-excel history store.")
            # Decided inside the write lock: another run may be creating the store this very
            # moment, and a look from outside can catch it half made.
            # (SQLite's default rollback journal, not WAL: councils keep files on network
            # shares, where WAL's shared memory does not work; writers queue on the lock.)
            with self.transaction():
                if self._application_id() != APPLICATION_ID:
                    tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                    if self._application_id() != 0 or tables:
                        raise HistoryError(f"{self.path} is not a kpi-excel history store.")
                    # executescript() would commit first: run the statements one by one.
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        schema = self._db.execute("PRAGMA user_version").fetchone()[0]
        if schema > SCHEMA_VERSION:
            raise HistoryError(
                f"The history store {self.path.name} was written by a newer kpi-excel "
                f"(schema {schema}); upgrade kpi-excel to use it."
            )

    def _application_id(self) -> int:
        return self._db.execute("PRAGMA application_id").fetchone()[0]

    @property
    def name(self) -> str:
        return self.path.name

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is kept, or none of it."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise HistoryError(
                f"The history store {self.path.name} is busy ({error}): another kpi-excel "
                "run is writing to it. Run again when it has finished."
            ) from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- reading ---------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The latest version: 0 for an empty store."""
        return self._db.execute("SELECT COALESCE(MAX(version), 0) FROM versions").fetchone()[0]

    def check_version(self, as_at: int | None) -> int:
        latest = self.version
        if as_at is None:
            return latest
        if not 1 <= as_at <= latest:
            have = f"versions 1 to {latest}" if latest else "no versions yet"
            raise HistoryError(
                f"The history store {self.name} has {have}; there is no version {as_at}."
            )
        return as_at

    def versions(self) -> list[Version]:
        rows = self._db.execute("SELECT * FROM versions ORDER BY version").fetchall()
        return [Version(**dict(row)) for row in rows]

    def figures(
        self,
        *,
        as_at: int | None = None,
        indicator_id: str | None = None,
        period: str | None = None,
        all_versions: bool = False,
    ) -> list[Figure]:
        """Figures as at a version (the latest of each), ordered by indicator and period."""
        limit = self.version if as_at is None else as_at
        sql = (
            "SELECT f.*, v.kind, v.recorded_at, v.recorded_by, v.why FROM figures f "
            "JOIN versions v ON v.version = f.version WHERE f.version <= :limit"
        )
        if not all_versions:
            sql += (
                " AND f.version = (SELECT MAX(g.version) FROM figures g WHERE "
                "g.indicator_id = f.indicator_id AND g.period = f.period AND g.version <= :limit)"
            )
        if indicator_id is not None:
            sql += " AND f.indicator_id = :indicator_id"
        if period is not None:
            sql += " AND f.period = :period"
        params = {"limit": limit, "indicator_id": indicator_id, "period": period}
        found = [_figure(row) for row in self._db.execute(sql, params).fetchall()]
        return sorted(found, key=lambda f: (f.indicator_id, period_key(f.period), f.version))

    def figure(self, indicator_id: str, period: str, *, as_at: int | None = None) -> Figure | None:
        found = self.figures(as_at=as_at, indicator_id=indicator_id, period=period)
        return found[0] if found else None

    def history(self, *, as_at: int | None = None) -> History:
        """The figures as at a version, in the form the rules read."""
        return History(f.to_point() for f in self.figures(as_at=as_at))

    def closed(self, period: str, *, as_at: int | None = None) -> ClosedPeriod | None:
        limit = self.version if as_at is None else as_at
        row = self._db.execute(
            "SELECT * FROM periods WHERE period = ? AND closed_version <= ?", (period, limit)
        ).fetchone()
        return ClosedPeriod(**dict(row)) if row else None

    def closed_periods(self, *, as_at: int | None = None) -> list[ClosedPeriod]:
        limit = self.version if as_at is None else as_at
        rows = self._db.execute(
            "SELECT * FROM periods WHERE closed_version <= ?", (limit,)
        ).fetchall()
        return sorted((ClosedPeriod(**dict(r)) for r in rows), key=lambda p: period_key(p.period))

    def targets(self, *, indicator_id: str | None = None) -> list[TargetInForce]:
        sql, params = "SELECT * FROM targets", ()
        if indicator_id is not None:
            sql, params = sql + " WHERE indicator_id = ?", (indicator_id,)
        found = [_target(row) for row in self._db.execute(sql, params).fetchall()]
        return sorted(found, key=lambda t: (t.indicator_id, period_key(t.period)))

    def runs(self) -> list[Run]:
        rows = self._db.execute("SELECT * FROM runs ORDER BY run_id").fetchall()
        return [_run(row) for row in rows]

    def dump(self) -> list[str]:
        """Every row of every table as SQL: for comparing two states of the store."""
        return list(self._db.iterdump())

    # --- writing ---------------------------------------------------------------------------

    def record(
        self,
        figures: Sequence[Figure],
        *,
        kind: str,
        why: str,
        by: str | None = None,
        close: Sequence[str] = (),
        targets: Sequence[TargetInForce] = (),
        run: Run | None = None,
        replace_existing: bool = False,
        new_in_closed: bool = False,
    ) -> Change:
        """Write figures in one transaction, as a new version when anything changes.

        A figure equal to the one held changes nothing. One that differs is a conflict unless
        replace_existing (a correction, kept beside the old one as a new version). A new
        figure for a period already closed is a conflict unless new_in_closed. When there is
        any conflict nothing is written (not even the run) and the conflicts are returned.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        by = by or current_user()
        change = Change()
        try:
            with self.transaction() as db:
                additions: list[Figure] = []
                for figure in figures:
                    held = self.figure(figure.indicator_id, figure.period)
                    if held is not None and held.values() == figure.values():
                        change.unchanged += 1
                    elif held is not None and not replace_existing:
                        change.conflicts.append((figure, held))
                    elif held is None and self.closed(figure.period) and not new_in_closed:
                        change.conflicts.append((figure, None))
                    else:
                        additions.append(figure)
                if change.conflicts:
                    raise _Conflicts
                to_close = [p for p in dict.fromkeys(close) if self.closed(p) is None]
                to_close += [
                    f.period for f in additions
                    if f.period not in to_close and self.closed(f.period) is None
                ]  # fmt: skip
                new_targets = [
                    t for t in targets if t.period in to_close and not self._has_target(t)
                ]  # fmt: skip
                # targets are recorded only as their period closes: what was closed stays
                changed = bool(additions or to_close or new_targets)
                version = self.version + 1 if changed else None
                if run is not None:
                    if not changed:
                        run = replace(run, outcome="no change")
                    change.run_id = self._add_run(run, version=version)
                if version is None:
                    return change
                at = now()
                db.execute(
                    "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                    (version, kind, at, by, why, change.run_id),
                )
                for period in to_close:
                    db.execute("INSERT INTO periods VALUES (?, ?)", (period, version))
                for figure in additions:
                    stored = replace(
                        figure, version=version, kind=kind, recorded_at=at, recorded_by=by, why=why
                    )
                    db.execute(
                        f"INSERT INTO figures ({', '.join(_FIGURE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(_FIGURE_COLUMNS))})",
                        _figure_row(stored),
                    )
                    change.added.append(stored)
                for target in new_targets:
                    self._add_target(target, version)
                change.version = version
                change.closed = to_close
        except _Conflicts:
            pass  # rolled back: nothing written, not even the run
        return change

    def _has_target(self, target: TargetInForce) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM targets WHERE indicator_id = ? AND period = ?",
            (target.indicator_id, target.period),
        ).fetchone()
        return row is not None

    def add_run(self, run: Run) -> int:
        """Log a run that changed no figures (a draft consolidate)."""
        with self.transaction():
            return self._add_run(run, version=None)

    def _add_run(self, run: Run, version: int | None) -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (started_at, command, period, as_at, settings_fingerprint, "
            "register_fingerprint, inputs, outcome, detail, version, errors, warnings, run_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.started_at or now(),
                run.command,
                run.period,
                run.as_at,
                run.settings_fingerprint,
                run.register_fingerprint,
                json.dumps(run.inputs),
                run.outcome,
                run.detail,
                version,
                run.errors,
                run.warnings,
                run.run_by or current_user(),
            ),
        )
        return int(cursor.lastrowid or 0)

    def _add_target(self, target: TargetInForce, version: int) -> None:
        text = target.target.model_dump_json()
        before = self._db.execute(
            "SELECT target, effective_period FROM targets WHERE indicator_id = ? AND period = ?",
            (target.indicator_id, str(Period.parse(target.period).previous())),
        ).fetchone()
        effective = before["effective_period"] if before and before["target"] == text else None
        self._db.execute(
            "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?)",
            (
                target.indicator_id,
                target.period,
                version,
                text,
                target.how,
                effective or target.period,
            ),
        )


def _figure_row(figure: Figure) -> tuple[Any, ...]:
    source = figure.source or Source(file="")
    return (
        figure.indicator_id,
        figure.period,
        figure.version,
        figure.status.value,
        figure.value,
        figure.token,
        figure.label,
        figure.numerator,
        figure.denominator,
        int(figure.provisional),
        int(figure.average),
        None,  # the time_lag column, never set: kept so older stores open unchanged
        figure.target.model_dump_json() if figure.target else None,
        figure.target_how,
        figure.comment,
        figure.corrective_action,
        *source.as_row(),
    )


def _figure(row: sqlite3.Row) -> Figure:
    source = Source(
        file=row["source_file"],
        sha256=row["source_sha256"],
        sheet=row["source_sheet"],
        cell=row["source_cell"],
        template_version=row["source_template_version"],
        read_at=row["source_read_at"],
    )
    return Figure(
        indicator_id=row["indicator_id"],
        period=row["period"],
        status=Status(row["status"]),
        value=row["value"],
        token=row["token"],
        label=row["label"],
        numerator=row["numerator"],
        denominator=row["denominator"],
        provisional=bool(row["provisional"]),
        average=bool(row["average"]),
        target=Target.model_validate_json(row["target"]) if row["target"] else None,
        target_how=row["target_how"],
        comment=row["comment"],
        corrective_action=row["corrective_action"],
        source=source if source.file else None,
        version=row["version"],
        kind=row["kind"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
        why=row["why"],
    )


def _target(row: sqlite3.Row) -> TargetInForce:
    return TargetInForce(
        indicator_id=row["indicator_id"],
        period=row["period"],
        target=Target.model_validate_json(row["target"]),
        how=row["how"],
        version=row["version"],
        effective_period=row["effective_period"],
    )


def _run(row: sqlite3.Row) -> Run:
    fields = dict(row)
    fields["inputs"] = json.loads(fields["inputs"])
    return Run(**fields)


def store_path(store: Path | str | None, register: Path | str | None) -> Path:
    """The store named, or history.sqlite next to the register."""
    if store is not None:
        return Path(store)
    if register is not None:
        return Path(register).parent / DEFAULT_NAME
    raise ValueError("store_path needs a store or a register")
