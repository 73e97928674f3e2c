"""The history commands: close, correct, import-history, export-history, show-history, runs.

Registered on kpi_excel.cli.main; each is a thin layer over one function in api/history.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..core.periods import Period
from ..core.problems import count
from ..history.store import Figure, Run
from .app import (
    EXISTING,
    EXIT_CLEAN,
    EXIT_PROBLEMS,
    PERIOD,
    echo,
    handle_errors,
    main,
    print_problems,
    progress_bar,
)


def _store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--register",
        type=EXISTING,
        help="The indicator register; the store is then history.sqlite beside it.",
    )(command)
    return click.option(
        "--store",
        type=click.Path(path_type=Path),
        help="The history store file (default: history.sqlite beside the register).",
    )(command)


def _by_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--by", help="Who is recording this, kept with it (default: your login name)."
    )(command)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    texts = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in texts)]) for i, h in enumerate(headers)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths, strict=True))
    echo(line.rstrip())
    for row in texts:
        echo("  ".join(f"{v:<{w}}" for v, w in zip(row, widths, strict=True)).rstrip())


@main.command()
@click.argument("register", type=EXISTING)
@click.argument("returns", nargs=-1, required=True, type=EXISTING)
@click.option("--period", "-p", type=PERIOD, required=True, help='Period, e.g. "2017/18 Q1".')
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="The history store file (default: history.sqlite beside the register).",
)
@_by_option
@click.option("--why", default="", help='Note kept with the version (default: "closed PERIOD").')
@click.option(
    "--force", is_flag=True, help="Close even with errors; the figures in error are left out."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@handle_errors
def close(
    register: Path,
    returns: tuple[Path, ...],
    period: Period,
    store: Path | None,
    by: str | None,
    why: str,
    force: bool,
    quiet: bool,
) -> int:
    """Record a period's figures in the history store and close it.

    The returns are checked exactly as consolidate checks them; with errors nothing is
    recorded (unless --force). Closing again with the same figures changes nothing; a closed
    figure changes only with 'kpi-excel correct'. The store is created if it does not exist.

    \b
    Example:
      kpi-excel close samples/register.xlsx samples/returns --period "2017/18 Q1" --store out/history.sqlite
    """
    from .. import api

    outcome = api.close(
        register,
        list(returns),
        period,
        store=store,
        by=by,
        why=why,
        force=force,
        progress=progress_bar(quiet),
    )
    print_problems(outcome.problems)
    if outcome.version is None:
        echo(
            f"{period} was already closed in {outcome.store} with these "
            f"{outcome.unchanged} figures: nothing changed.",
            err=True,
        )
    else:
        echo(
            f"Closed {period} in {outcome.store} as version {outcome.version}: "
            f"{outcome.recorded} figures recorded.",
            err=True,
        )
    errors = count(outcome.problems)
    return EXIT_PROBLEMS if errors else EXIT_CLEAN


@main.command()
@click.option("--period", "-p", type=PERIOD, required=True, help="The closed period.")
@click.option("--id", "indicator_id", required=True, help="The indicator's id, e.g. CL02.")
@click.option("--value", required=True, help='The corrected figure: 61.9, "61.9%", N/A or NEW.')
@click.option("--why", required=True, help="Why it is corrected; kept with the new version.")
@_by_option
@click.option("--label", help='Text printed beside the figure, e.g. "(16-17)".')
@click.option("--comment", help="Replace the figure's comment.")
@_store_options
@handle_errors
def correct(
    period: Period,
    indicator_id: str,
    value: str,
    why: str,
    by: str | None,
    label: str | None,
    comment: str | None,
    store: Path | None,
    register: Path | None,
) -> int:
    """Correct a figure of a closed period, as a new version; the old one is kept.

    Reports can still be run as at the version before the correction (consolidate --as-at).

    \b
    Example:
      kpi-excel correct --store out/history.sqlite --period "2017/18 Q1" --id CL02 --value 61.9 --why "Return keyed 60.9; the case file says 61.9" --by "A. Analyst"
    """
    from .. import api

    outcome = api.correct(
        period,
        indicator_id,
        value,
        why,
        store=store,
        register=register,
        by=by,
        label=label,
        comment=comment,
    )
    was = outcome.previous
    if outcome.version is None:
        echo(
            f"{indicator_id} {period} is already {outcome.figure.shown()} "
            f"(version {outcome.figure.version}): nothing changed.",
            err=True,
        )
    else:
        before = f"was {was.shown()}, version {was.version}" if was else "no figure before"
        echo(
            f"Recorded {indicator_id} {period} = {outcome.figure.shown()} as version "
            f"{outcome.version} ({before}).",
            err=True,
        )
    return EXIT_CLEAN


@main.command("import-history")
@click.argument("file", type=EXISTING)
@click.option(
    "--register",
    type=EXISTING,
    required=True,
    help="The indicator register the figures are checked against.",
)
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="The history store file (default: history.sqlite beside the register).",
)
@_by_option
@handle_errors
def import_history(file: Path, register: Path, store: Path | None, by: str | None) -> int:
    """Load earlier periods from a history file (CSV or .xlsx) into the history store.

    The file has the columns indicator_id, period, value, label and is checked as --history
    files are. Its periods are recorded as closed. A row in error, or a figure that differs
    from one already held, stops the import with nothing changed; importing the same file
    again changes nothing.

    \b
    Example:
      kpi-excel import-history samples/history.csv --register samples/register.xlsx --store out/history.sqlite
    """
    from .. import api

    outcome = api.import_history(file, register, store=store, by=by)
    print_problems(outcome.warnings)
    periods = ", ".join(outcome.periods) or "no periods"
    if outcome.version is None:
        echo(
            f"Nothing new: the {outcome.unchanged} figures in {file.name} were already in "
            f"{outcome.store}.",
            err=True,
        )
    else:
        echo(
            f"Imported {outcome.added} figures for {periods} into {outcome.store} as version "
            f"{outcome.version}"
            + (f" ({outcome.unchanged} already there)." if outcome.unchanged else "."),
            err=True,
        )
    return EXIT_CLEAN


@main.command("export-history")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--from", "period_from", type=PERIOD, help="First period to export.")
@click.option("--to", "period_to", type=PERIOD, help="Last period to export.")
@click.option("--as-at", "as_at", type=click.IntRange(min=1), help="As at this version.")
@_store_options
@handle_errors
def export_history(
    out: Path,
    period_from: Period | None,
    period_to: Period | None,
    as_at: int | None,
    store: Path | None,
    register: Path | None,
) -> int:
    """Write the history store's figures to a .csv or .xlsx file a person can read.

    One row per indicator and period, the figure in force (as at a version, the latest by
    default), with its status, flags, target, comments, version, who recorded it and its
    source. The file can be loaded again with import-history or --history.

    \b
    Example:
      kpi-excel export-history out/history.xlsx --store out/history.sqlite --from "2016/17 Q1" --to "2017/18 Q1"
    """
    from .. import api

    outcome = api.export_history(
        out,
        store=store,
        register=register,
        period_from=period_from,
        period_to=period_to,
        as_at=as_at,
    )
    echo(
        f"Wrote {outcome.figures} figures (as at version {outcome.as_at}) to {outcome.path}.",
        err=True,
    )
    return EXIT_CLEAN


def _figure_json(figure: Figure) -> dict:
    return {
        "indicator_id": figure.indicator_id,
        "period": figure.period,
        "version": figure.version,
        "kind": figure.kind,
        "status": figure.status.value,
        "value": figure.value,
        "token": figure.token,
        "label": figure.label,
        "provisional": figure.provisional,
        "average": figure.average,
        "target": figure.target.model_dump(mode="json") if figure.target else None,
        "comment": figure.comment,
        "corrective_action": figure.corrective_action,
        "recorded_at": figure.recorded_at,
        "recorded_by": figure.recorded_by,
        "why": figure.why,
        "source": figure.source.model_dump(mode="json") if figure.source else None,
    }


@main.command("show-history")
@click.argument("indicator_id", metavar="ID")
@click.option("--as-at", "as_at", type=click.IntRange(min=1), help="As at this version.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_store_options
@handle_errors
def show_history(
    indicator_id: str,
    as_at: int | None,
    as_json: bool,
    store: Path | None,
    register: Path | None,
) -> int:
    """Show every version of one indicator's figures: who recorded each, when, why, and from
    where. The version in force for each period is marked *.

    \b
    Example:
      kpi-excel show-history CL02 --store out/history.sqlite
    """
    from .. import api

    figures = api.show_history(indicator_id, store=store, register=register, as_at=as_at)
    latest = {f.period: f.version for f in figures}
    if as_json:
        payload = [{**_figure_json(f), "in_force": latest[f.period] == f.version} for f in figures]
        echo(json.dumps(payload, indent=2))
        return EXIT_CLEAN
    rows = [
        [
            f.period,
            f"{f.version}{' *' if latest[f.period] == f.version else ''}",
            f.shown() + (f" {f.label}" if f.label else ""),
            f.status.value,
            f.kind,
            f.recorded_at,
            f.recorded_by,
            f.why,
            _where(f),
        ]
        for f in figures
    ]
    _table(
        ("Period", "Version", "Figure", "Status", "How", "Recorded", "By", "Why", "Source"),
        rows,
    )
    return EXIT_CLEAN


def _where(figure: Figure) -> str:
    source = figure.source
    if source is None:
        return ""
    return ", ".join(part for part in (source.file, source.sheet, source.cell) if part)


@main.command()
@click.option("--last", type=click.IntRange(min=1), help="Only the last N runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_store_options
@handle_errors
def runs(last: int | None, as_json: bool, store: Path | None, register: Path | None) -> int:
    """List the run log: every consolidate, close, import and correction against the store,
    with its outcome, the version it wrote and the settings fingerprint it used.

    \b
    Example:
      kpi-excel runs --store out/history.sqlite --last 10
    """
    from .. import api

    found: list[Run] = api.runs(store=store, register=register)
    if last is not None:
        found = found[-last:]
    if as_json:
        echo(json.dumps(api.runs_json(found), indent=2))
        return EXIT_CLEAN
    rows = [
        [
            run.run_id,
            run.started_at,
            run.command,
            run.period or "",
            run.as_at or "",
            run.outcome,
            run.version or "",
            run.errors,
            run.warnings,
            len(run.inputs),
            run.settings_fingerprint,
            run.run_by,
        ]
        for run in found
    ]
    _table(
        ("Run", "Started", "Command", "Period", "As at", "Outcome", "Version", "Errors",
         "Warnings", "Inputs", "Settings", "By"),
        rows,
    )  # fmt: skip
    return EXIT_CLEAN
