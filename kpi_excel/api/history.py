"""History as a Python API: import, export, show, close, correct and the run log.

The commands in cli/history.py are thin layers over these functions. consolidate (api/run.py)
calls read_store and log_consolidate when it is given a store.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..core.display import plural
from ..core.models import (
    Register,
    Report,
    ReturnRecord,
    Settings,
    Source,
    Status,
    Target,
    TargetKind,
)
from ..core.periods import Period
from ..core.problems import (
    HistoryError,
    KpiExcelError,
    Problem,
    Severity,
    UsageError,
    count,
    problem,
)
from ..core.text import clean, csv_cell
from ..history.files import History, load_history, parse_history_value, plain_number
from ..history.store import (
    ClosedPeriod,
    Figure,
    Run,
    Store,
    TargetInForce,
    current_user,
    period_key,
    store_path,
)
from ..register import load_register_for
from ..register.loader import load_register, settings_fingerprint
from ..report.build import build_report
from ..returns.collect import Collected, collect_returns
from ..returns.reader import file_time, sha256_of
from ..xlsx.atomic import write_bytes
from ..xlsx.outputs import (
    OUTPUT_AUTHOR,
    OUTPUT_MARK,
    Place,
    check_outputs,
    place,
    returns_places,
    store_place,
)
from ..xlsx.styles import cell_styles, palette
from ..xlsx.write import Book, warnings_as_errors

Progress = Callable[[Iterable[Path]], Iterable[Path]]

EXPORT_MARK = "history export"
EXPORT_COLUMNS = (
    "indicator_id", "period", "value", "label", "status", "provisional", "average",
    "numerator", "denominator", "target", "target_how", "comment", "corrective_action",
    "version", "recorded_at", "recorded_by", "why", "source_file", "source_sha256",
    "source_sheet", "source_cell", "source_template_version", "source_read_at",
)  # fmt: skip


def locate_store(store: Path | str | None, register: Path | str | None) -> Path:
    """The store named with --store, or history.sqlite beside the register."""
    if store is None and register is None:
        raise UsageError(
            "Say which history store to use: --store PATH, or --register PATH to use "
            "history.sqlite beside the register."
        )
    return store_path(store, register)


def _run(command: str, register: Register, period: Period | None, **fields: object) -> Run:
    return Run(
        command=command,
        period=str(period) if period is not None else None,
        settings_fingerprint=settings_fingerprint(register.settings),
        register_fingerprint=register.fingerprint,
        **fields,  # type: ignore[arg-type]
    )


def _inputs(collected: Collected) -> list[dict[str, str]]:
    return [
        {"file": clean(f.path.name), "sha256": f.sha256, "read_at": file_time(f.path)}
        for f in collected.files
    ]


def _storable(figure: Figure) -> Figure:
    """The figure with its source file's name as text SQLite can hold: a name that was not
    UTF-8 keeps a replacement character where its odd byte was."""
    if figure.source is None or not figure.source.file:
        return figure
    return replace(
        figure, source=figure.source.model_copy(update={"file": clean(figure.source.file)})
    )


def _counts(problems: Sequence[Problem]) -> tuple[int, int]:
    errors = count(problems)
    return errors, len(problems) - errors


# --- import and export -------------------------------------------------------------------


@dataclass
class Imported:
    store: Path
    version: int | None  # None: everything in the file was already there
    added: int
    unchanged: int
    periods: list[str]
    warnings: list[Problem]


def import_history(
    file: Path | str,
    register_path: Path | str,
    *,
    store: Path | str | None = None,
    by: str | None = None,
) -> Imported:
    """Load earlier periods from a CSV or .xlsx history file into the store, as closed periods.

    The file is checked as a --history file is; any row in error, or any figure that differs
    from one already held, stops the import and nothing is changed.
    """
    file = Path(file)
    path = locate_store(store, register_path)
    check_outputs(
        [*place("the history file", file), *place("the register", register_path)],
        store_place("--store", path),
    )
    register = load_register(Path(register_path))
    history, warnings = load_history(file, register.by_id())
    digest = sha256_of(file)
    figures = []
    read_at = file_time(file)
    for point in history.points():
        source = (point.source or Source(file=file.name)).model_copy(
            update={"sha256": digest, "read_at": read_at}
        )
        figures.append(replace(Figure.from_point(point), source=source))
    periods = sorted({f.period for f in figures}, key=period_key)
    run = _run(
        "import-history",
        register,
        None,
        outcome="imported",
        inputs=[{"file": file.name, "sha256": digest, "read_at": read_at}],
        detail=f"{len(figures)} figures for {', '.join(periods) or 'no periods'}",
        warnings=len(warnings),
        run_by=by or current_user(),
    )
    with Store(path, create=True) as opened:
        change = opened.record(
            figures,
            kind="import",
            why=f"imported from {file.name}",
            by=by,
            close=periods,
            run=run,
            new_in_closed=True,
        )
    if change.conflicts:
        rows = {(f.indicator_id, f.period): f.source.cell if f.source else "" for f in figures}
        problems = [
            problem(
                "history-invalid",
                file=file.name,
                cell=rows.get((new.indicator_id, new.period)),
                indicator_id=new.indicator_id,
                detail=f"{new.indicator_id} {new.period} is already in the store as "
                f"{_held(held)}; this row gives {new.shown()}. To change a figure already "
                "recorded, use kpi-excel correct.",
            )
            for new, held in change.conflicts
        ]
        raise HistoryError(
            f"Nothing was imported: {plural(len(problems), 'row')} of {file.name} "
            f"{'differs' if len(problems) == 1 else 'differ'} from figures already in {path.name}.",
            problems,
        )
    return Imported(path, change.version, len(change.added), change.unchanged, periods, warnings)


def _held(held: Figure | None) -> str:
    if held is None:
        return "no figure"
    return f"{held.shown()} (version {held.version})"


@dataclass
class Exported:
    path: Path
    figures: int
    as_at: int


def export_history(
    out: Path | str,
    *,
    store: Path | str | None = None,
    register: Path | str | None = None,
    period_from: Period | None = None,
    period_to: Period | None = None,
    as_at: int | None = None,
) -> Exported:
    """Write the figures (as at a version, the latest by default) to a .csv or .xlsx file.

    The file can be read back by import-history and --history: its first four columns are a
    history file's; the rest say where each figure came from and who recorded it.
    """
    out = Path(out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"Export to a .csv or .xlsx file, not {out.name}.")
    check_outputs(
        [
            *place("the history store", locate_store(store, register)),
            *place("the register", register),
        ],
        [Place("the export", out, sniff=False)],  # an earlier export is its own to replace
    )
    low = period_key(str(period_from), end=False) if period_from else None
    high = period_key(str(period_to), end=True) if period_to else None
    with Store(locate_store(store, register)) as opened:
        version = opened.check_version(as_at)
        _refuse_a_recorded_input(out, opened.runs())
        figures = [
            f
            for f in opened.figures(as_at=version)
            if (low is None or period_key(f.period) >= low)
            and (high is None or period_key(f.period) <= high)
        ]
    figures.sort(key=lambda f: (period_key(f.period), f.indicator_id))
    rows = [_export_row(f) for f in figures]
    if out.suffix.lower() == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(["" if v is None else _csv_value(v) for v in row])
        content = buffer.getvalue().encode("utf-8")
    else:
        content = _xlsx(rows)
    write_bytes(out, content)
    return Exported(out, len(figures), version)


def _refuse_a_recorded_input(out: Path, runs: Sequence[Run]) -> None:
    """An export never replaces a file the store was made from (a history file imported, a
    return closed): the run log keeps each input's hash, so a renamed or moved one is known."""
    if not out.exists():
        return
    recorded = {item.get("sha256") for run in runs for item in run.inputs}
    if out.is_file() and sha256_of(out) in recorded:
        raise UsageError(
            f"The export {out} is a file the history store was made from (its run log records "
            "it as an input). Nothing was written: give the export another name."
        )
    if not _earlier_export(out):
        raise UsageError(
            f"The export {out} already exists and is not an earlier export. Nothing was "
            "written: give the export another name, or delete the file first."
        )


def _earlier_export(path: Path) -> bool:
    """Whether path is an export this function wrote, which it may replace."""
    from ..xlsx.read import open_xlsx

    if path.suffix.lower() == ".csv":
        with path.open("rb") as stream:
            head = stream.readline(4096)
        return head.decode("utf-8", "replace").strip() == ",".join(EXPORT_COLUMNS)
    try:
        with open_xlsx(path) as book:
            return book.output_mark() == EXPORT_MARK
    except (KpiExcelError, OSError):
        return False


def _csv_value(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, str):
        return csv_cell(value)  # officers' text: never a formula when the CSV is opened
    return str(value)


ExportValue = str | float | bool | None


def _export_row(figure: Figure) -> list[ExportValue]:
    source = figure.source or Source(file="")
    value: ExportValue = figure.value if figure.value is not None else figure.shown()
    return [
        figure.indicator_id,
        figure.period,
        value,
        figure.label,
        figure.status.value,
        figure.provisional,
        figure.average,
        figure.numerator,
        figure.denominator,
        target_text(figure.target),
        figure.target_how,
        figure.comment,
        figure.corrective_action,
        figure.version,
        figure.recorded_at,
        figure.recorded_by,
        figure.why,
        *source.as_row(),
    ]


def target_text(target: Target | None) -> str:
    """A target as a person writes it: 95, 10 to 20, TBC, N/A, Better than England (184)."""
    if target is None:
        return ""
    if target.kind is TargetKind.VALUE and target.value is not None:
        return plain_number(target.value)
    if target.kind is TargetKind.RANGE and target.value is not None and target.high is not None:
        return f"{plain_number(target.value)} to {plain_number(target.high)}"
    if target.kind is TargetKind.COMPARATOR:
        value = f" ({plain_number(target.value)})" if target.value is not None else ""
        return f"{target.label or 'Comparator'}{value}"
    return {TargetKind.TBC: "TBC", TargetKind.NONE: "N/A"}.get(target.kind, "")


def _xlsx(rows: list[list[ExportValue]]) -> bytes:
    """The export as a workbook, through the shared adapter: text stays text (never a live
    formula), and the reader knows it for kpi-excel's own output, not a return."""
    buffer = io.BytesIO()
    with warnings_as_errors():
        book = Book(buffer, cell_styles(palette(Settings())))
        # XlsxWriter writes the author as lastModifiedBy too, which the reader checks
        book.set_properties(
            title="kpi-excel history export",
            subject="Figures in the history store",
            author=OUTPUT_AUTHOR,
            comments="Exported by kpi-excel",
            created=datetime(2017, 4, 1),  # fixed: two exports of one store are one file
            keywords="KPI, history",
        )
        book.mark(OUTPUT_MARK, EXPORT_MARK)
        sheet = book.sheet("History")
        widths = {"indicator_id": 12, "period": 12, "comment": 40, "corrective_action": 40}
        widths["why"] = 30
        for col, name in enumerate(EXPORT_COLUMNS):
            sheet.column_width(col, col, widths.get(name, max(10, len(name) + 2)))
            sheet.string(0, col, name, "bold")
        for index, row in enumerate(rows, start=1):
            sheet.values(index, row, "plain", "plain")
        sheet.freeze(1, 2)
        sheet.autofilter(0, 0, max(len(rows), 1), len(EXPORT_COLUMNS) - 1)
        book.close()
    return buffer.getvalue()


# --- reading: one indicator's history, the run log ----------------------------------------


def show_history(
    indicator_id: str,
    *,
    store: Path | str | None = None,
    register: Path | str | None = None,
    as_at: int | None = None,
) -> list[Figure]:
    """Every version of one indicator's figures, oldest period first."""
    with Store(locate_store(store, register)) as opened:
        version = opened.check_version(as_at)
        found = opened.figures(as_at=version, indicator_id=indicator_id, all_versions=True)
        if not found:
            raise HistoryError(
                f"The history store {opened.name} has no figures for '{indicator_id}'."
            )
    return found


def runs(*, store: Path | str | None = None, register: Path | str | None = None) -> list[Run]:
    """The run log, oldest first."""
    with Store(locate_store(store, register)) as opened:
        return opened.runs()


# --- closing a period and correcting it ----------------------------------------------------


@dataclass
class Closing:
    store: Path
    period: Period
    report: Report
    collected: Collected
    problems: list[Problem]
    version: int | None  # None: the period was already closed with these figures
    recorded: int = 0
    unchanged: int = 0


def close(
    register_path: Path | str,
    returns: Sequence[Path | str],
    period: Period,
    *,
    store: Path | str | None = None,
    by: str | None = None,
    why: str = "",
    force: bool = False,
    progress: Progress | None = None,
) -> Closing:
    """Record a period's figures, checked exactly as consolidate checks them, and close it.

    With errors in the returns nothing is recorded unless force (then the figures in error
    are left out). Closing again with the same figures changes nothing; with different ones
    it is refused: a closed period changes only by correct().
    """
    path = locate_store(store, register_path)
    check_outputs(
        [*place("the register", register_path), *returns_places(returns)],
        store_place("--store", path),
    )
    register = load_register_for(Path(register_path), period)
    collected = collect_returns([Path(r) for r in returns], register, period, progress=progress)
    history = History()
    if path.exists():
        with Store(path) as opened:
            history = opened.history()
    report = build_report(register, period, collected, history)
    problems = list(report.problems)
    errors, warnings = _counts(problems)
    if errors and not force:
        raise HistoryError(
            f"{period} was not closed: the returns have {errors} errors. Fix them and close "
            "again, or close with --force to leave the figures in error out.",
            [p for p in problems if p.severity is Severity.ERROR],
        )
    figures = []
    targets = []
    for row in report.rows:  # one per indicator, its target resolved once, by the report
        indicator_id, target = row.indicator.id, row.period_target
        targets.append(TargetInForce(indicator_id, str(period), target.target, target.how))
        if row.record is not None and indicator_id not in collected.rejected_ids:
            figures.append(_storable(Figure.from_record(row.record, target)))
    run = _run(
        "close",
        register,
        period,
        outcome="closed",
        inputs=_inputs(collected),
        detail=f"{len(figures)} figures",
        errors=errors,
        warnings=warnings,
        run_by=by or current_user(),
    )
    with Store(path, create=True) as opened:
        change = opened.record(
            figures,
            kind="close",
            why=why or f"closed {period}",
            by=by,
            close=[str(period)],
            targets=targets,
            run=run,
        )
    if change.conflicts:
        differs = [_differs(new, held, collected) for new, held in change.conflicts]
        raise HistoryError(
            f"{period} is already closed and {len(differs)} figures in the returns differ from "
            "what was closed; nothing was changed. Use kpi-excel correct to change a closed "
            "figure.",
            differs,
        )
    return Closing(
        path, period, report, collected, problems, change.version, len(change.added),
        change.unchanged,
    )  # fmt: skip


def _differs(new: Figure, held: Figure | None, collected: Collected) -> Problem:
    file, refs = collected.cells.get(new.indicator_id, (None, {}))
    if held is None:
        expected, given = "no figure for it", new.shown()
    elif new.values()[:9] != held.values()[:9]:
        expected, given = _held(held), new.shown()
    else:
        expected, given = f"other words (version {held.version})", "a different comment or action"
    return problem(
        "closed-period-differs",
        file=file,
        sheet=new.source.sheet if new.source else None,
        cell=refs.get("value"),
        indicator_id=new.indicator_id,
        value=given,
        detail=new.period,
        expected=expected,
    )


@dataclass
class Correction:
    store: Path
    figure: Figure  # as it now stands
    previous: Figure | None
    version: int | None  # None: the figure already had this value


def correct(
    period: Period,
    indicator_id: str,
    value: str,
    why: str,
    *,
    store: Path | str | None = None,
    register: Path | str | None = None,
    by: str | None = None,
    label: str | None = None,
    comment: str | None = None,
) -> Correction:
    """Record a corrected figure for a closed period as a new version; the old one is kept.

    value is written as in a history file: 61.9, "61.9%", N/A or NEW. With a register the
    id and the unit are checked against it; without one the id must already be in the store.
    """
    if not why.strip():
        raise UsageError("Say why the figure is being corrected (--why): it is kept with it.")
    check_outputs(
        place("the register", register), store_place("--store", locate_store(store, register))
    )
    loaded = load_register(Path(register)) if register is not None else None
    indicator = loaded.by_id().get(indicator_id) if loaded else None
    if loaded is not None and indicator is None:
        raise UsageError(f"There is no indicator '{indicator_id}' in the register.")
    try:
        number, token = parse_history_value(value, indicator)
    except ValueError as error:
        raise UsageError(f"--value: {error}.") from None
    path = locate_store(store, register)
    with Store(path) as opened:
        if opened.closed(str(period)) is None:
            raise HistoryError(
                f"{period} is not closed in {opened.name}. While a period is open, correct the "
                "return and consolidate again; correct is for closed periods."
            )
        if loaded is None and not opened.figures(indicator_id=indicator_id):
            raise UsageError(
                f"The history store has no figures for '{indicator_id}': check the id, or give "
                "--register to correct an indicator the store has not seen."
            )
        previous = opened.figure(indicator_id, str(period))
        base = previous or Figure(indicator_id, str(period), Status.AVAILABLE)
        figure = replace(
            base,
            status=Status.AVAILABLE if number is not None else Status.NOT_AVAILABLE,
            value=number,
            token=token,
            label=base.label if label is None else label.strip(),
            comment=base.comment if comment is None else comment.strip(),
        )
        run = Run(
            command="correct",
            period=str(period),
            outcome="corrected",
            settings_fingerprint=settings_fingerprint(loaded.settings) if loaded else "",
            register_fingerprint=loaded.fingerprint if loaded else "",
            detail=f"{indicator_id}: {_held(previous)} to {figure.shown()}: {why.strip()}",
            run_by=by or current_user(),
        )
        change = opened.record(
            [figure],
            kind="correct",
            why=why.strip(),
            by=by,
            run=run,
            replace_existing=True,
            new_in_closed=True,
        )
        now_held = opened.figure(indicator_id, str(period))
    assert now_held is not None
    return Correction(path, now_held, previous, change.version)


# --- consolidate with a store ----------------------------------------------------------------


@dataclass
class StoreView:
    """What consolidate takes from the store: history as at a version and, for a closed
    period, the closed figures in place of the returns'."""

    path: Path
    as_at: int
    closed: ClosedPeriod | None
    history: History
    collected: Collected
    problems: list[Problem] = field(default_factory=list)

    def json(self) -> dict:
        return {
            "store": self.path.name,
            "as_at_version": self.as_at,
            "period_closed_at_version": self.closed.closed_version if self.closed else None,
        }


def read_store(
    path: Path, register: Register, period: Period, collected: Collected, *, as_at: int | None
) -> StoreView:
    """History as at a version; for a period closed by then, the closed figures are used.

    The returns are still read, for the return log and data quality, and any figure in them
    that differs from the closed one is reported.
    """
    with Store(path) as opened:
        version = opened.check_version(as_at)
        history = opened.history(as_at=version)
        closed = opened.closed(str(period), as_at=version)
        if closed is None:
            return StoreView(path, version, None, history, collected)
        figures = {f.indicator_id: f for f in opened.figures(as_at=version, period=str(period))}
        records = {i: f.to_record(opened.name) for i, f in figures.items()}
        problems = _closed_under(opened.runs(), closed, register)
    for indicator_id, record in collected.records.items():
        held = figures.get(indicator_id)
        new = Figure.from_record(record)
        corrected = held is not None and held.kind == "correct"  # on purpose, with a reason
        if not corrected and (held is None or held.values() != new.values()):
            problems.append(_differs(new, held, collected))
    overlaid = replace(
        collected,
        records=_in_register_order(register, records),
        rejected_ids=collected.rejected_ids - records.keys(),
    )
    return StoreView(path, version, closed, history, overlaid, problems)


def _closed_under(runs: Sequence[Run], closed: ClosedPeriod, register: Register) -> list[Problem]:
    """A warning when the register differs from the one the period was closed with: each
    year's rules stay with its own register, and a run under another rates differently."""
    closes = [run for run in runs if run.command == "close" and run.period == closed.period]
    held = closes[-1].register_fingerprint if closes else ""
    if not held or held == register.fingerprint:
        return []
    return [problem("closed-under-another-register", detail=closed.period)]


def _in_register_order(register: Register, records: dict[str, ReturnRecord]) -> dict:
    return {i.id: records[i.id] for i in register.indicators if i.id in records}


def log_consolidate(
    view: StoreView,
    register: Register,
    period: Period,
    problems: Sequence[Problem],
    written: Sequence[Path],
) -> int:
    """Add a consolidate run to the run log; it changes no figures."""
    errors, warnings = _counts(problems)
    closed = view.closed
    outcome = f"re-run of closed {period}" if closed else "draft"
    run = _run(
        "consolidate",
        register,
        period,
        outcome=outcome,
        as_at=view.as_at,
        inputs=_inputs(view.collected),
        detail="wrote " + ", ".join(p.name for p in written),
        errors=errors,
        warnings=warnings,
    )
    with Store(view.path) as opened:
        return opened.add_run(run)


def runs_json(runs: Sequence[Run]) -> list[dict]:
    return [asdict(run) for run in runs]


# The first release's names, kept so the scripts that use them still work.
close_period = close
correct_figure = correct
list_runs = runs
