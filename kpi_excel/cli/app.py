"""The kpi-excel command line: a thin layer over the Python API.

Exit codes: 0 clean; 1 problems found in the inputs (the workbook is still written from the
good returns) or an output could not be written; 2 the command was called wrongly; 3 a fault
in kpi-excel itself (the message asks for --debug).
User errors print a plain message, never a traceback (unless --debug).
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..core.periods import Period, PeriodError
from ..core.problems import KpiExcelError, Problem, Severity, UsageError, count
from ..core.text import terminal

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class PeriodType(click.ParamType):
    name = "period"

    def convert(self, value: Any, param: Any, ctx: Any) -> Period:
        try:
            return Period.parse(value)
        except PeriodError as error:
            self.fail(str(error), param, ctx)


PERIOD = PeriodType()
_EXISTING = click.Path(exists=True, path_type=Path)
_STORE = click.Path(dir_okay=False, path_type=Path)


def _store_or_none(store: Path | None) -> Path | None:
    """A store that does not exist yet (the first quarter) means a run with no past figures,
    said so; close and import-history create it."""
    if store is None or store.exists():
        return store
    click.echo(
        f"Note: the history store {store} does not exist yet, so this run has no past figures "
        "(no arrows, no previous values). 'kpi-excel import-history' or 'kpi-excel close' "
        "creates it.",
        err=True,
    )
    return None


def _handle_errors(command: Callable[..., int]) -> Callable[..., None]:
    """Catch our errors once, here: a plain message and exit code, no traceback."""

    @wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except UsageError as error:
            if debug:
                raise
            click.secho(f"Error: {error.message}", fg="red", err=True)
            sys.exit(EXIT_USAGE)
        except KpiExcelError as error:
            if debug:
                raise
            click.secho(f"Error: {error.message}", fg="red", err=True)
            _print_problems(error.problems, limit=200)
            sys.exit(EXIT_PROBLEMS)
        except click.ClickException:
            raise  # click's own usage errors: it prints them and exits 2
        except sqlite3.DatabaseError as error:
            if debug:
                raise
            from ..history.store import busy_message, is_busy

            if is_busy(error):
                click.secho(f"Error: {busy_message(Path('the --store file'))}", fg="red", err=True)
                sys.exit(EXIT_PROBLEMS)
            click.secho(
                f"Error: the history store could not be read or written ({error}). Check the "
                "--store path, that the disk is not full, and that no other program holds it.",
                fg="red",
                err=True,
            )
            sys.exit(EXIT_PROBLEMS)
        except KeyboardInterrupt:
            click.echo("Stopped. Outputs are written whole or not at all.", err=True)
            sys.exit(130)
        except Exception as error:  # a fault in kpi-excel itself, not the user's doing
            if debug:
                raise
            click.secho(
                f"Internal error: {type(error).__name__}: {error}. This is a fault in kpi-excel, "
                "not in your files: run the command again with --debug and report what it shows.",
                fg="red",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    return click.option("--debug", is_flag=True, help="Show Python tracebacks.")(wrapper)


def _print_problems(problems: Iterable[Problem], *, limit: int = 100) -> None:
    ordered = sorted(problems, key=_reading_order)
    for item in ordered[:limit]:
        colour = "red" if item.severity is Severity.ERROR else "yellow"
        click.secho(terminal(item.render()), fg=colour, err=True)
    if len(ordered) > limit:
        click.echo(f"... and {len(ordered) - limit} more: --json writes them all.", err=True)


def _reading_order(item: Problem) -> tuple:
    """Errors first, then by file and by cell as a person reads a sheet: H9 before H10."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", item.cell or "")
    place = (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, "")
    return (
        item.severity is not Severity.ERROR,
        item.file or "",
        item.sheet or "",
        place,
        item.cell or "",
    )


def _progress(quiet: bool) -> Callable[[Iterable[Path]], Iterable[Path]] | None:
    if quiet or not sys.stderr.isatty():
        return None

    def bar(paths: Iterable[Path]) -> Iterable[Path]:
        from tqdm import tqdm

        items = list(paths)
        return tqdm(
            items, desc="Reading returns", unit="file", disable=len(items) < 20, file=sys.stderr
        )

    return bar


def _write_progress(quiet: bool) -> Callable[[int], Any] | None:
    """A bar for writing the board: on large boards the longest stage."""
    if quiet or not sys.stderr.isatty():
        return None

    def bar(total: int) -> Any:
        from tqdm import tqdm

        return tqdm(
            total=total, desc="Writing the board", unit="row", disable=total < 2000, file=sys.stderr
        )

    return bar


def echo(message: object = "", **kwargs: Any) -> None:
    """click.echo of text fit for a terminal: officers' text and file names may carry escape
    sequences and control characters, which a terminal would obey."""
    click.echo(terminal(str(message)), **kwargs)


# The names the history commands (cli/history.py) are built with.
EXISTING = _EXISTING
handle_errors = _handle_errors
print_problems = _print_problems
progress_bar = _progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpi-excel")
def main() -> None:
    """Turn a quarter's KPI returns into the board's performance report workbook.

    \b
    Example, the shipped samples:
      kpi-excel consolidate samples/register.xlsx samples/returns --period "2017/18 Q1" --history samples/history.csv --out out/board.xlsx
    """


@main.command()
@click.argument("register", type=_EXISTING)
@click.option("--period", "-p", type=PERIOD, required=True, help='Period, e.g. "2017/18 Q1".')
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("templates"),
    show_default=True,
    help="Folder to write the templates into.",
)
@click.option("--history", type=_EXISTING, help="History file, for last period's figures.")
@click.option(
    "--store",
    type=_STORE,
    help="Or the history store, for last period's figures (none yet: the first quarter).",
)
@click.option("--force", is_flag=True, help="Replace files of the same names in the folder.")
@_handle_errors
def templates(
    register: Path,
    period: Period,
    out: Path,
    history: Path | None,
    store: Path | None,
    force: bool,
) -> int:
    """Write one return workbook per service area, ready to send to officers.

    \b
    Example:
      kpi-excel templates samples/register.xlsx --period "2017/18 Q1" --out out/templates
    """
    from .. import api

    def warn(text: str) -> None:
        click.echo(f"Warning: {text}", err=True)

    store = _store_or_none(store)
    paths = api.templates(
        register, period, out, history=history, store=store, replace=force, on_warning=warn
    )
    for path in paths:
        click.echo(str(path))
    click.echo(f"Wrote {len(paths)} return templates for {period} to {out}.", err=True)
    return EXIT_CLEAN


def _returns_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")(
        command
    )
    command = click.option(
        "--json",
        "json_path",
        type=click.Path(path_type=Path),
        help="Also write machine-readable results to this file.",
    )(command)
    command = click.option(
        "--period",
        "-p",
        type=PERIOD,
        required=True,
        help='Period being reported, e.g. "2017/18 Q1".',
    )(command)
    command = click.argument("returns", nargs=-1, required=True, type=_EXISTING)(command)
    return click.argument("register", type=_EXISTING)(command)


@main.command()
@_returns_options
@click.option(
    "--log",
    "log_path",
    type=click.Path(path_type=Path),
    help="Also write the return log, the problems and the chase list as a workbook.",
)
@click.option(
    "--chase",
    "chase_path",
    type=click.Path(path_type=Path),
    help="Also write the chase list (what each service area must send or fix) as text.",
)
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a marked-up copy of each return with problems into this folder (not a "
    "returns folder, where the copies would be read as returns next time).",
)
@click.option(
    "--store",
    type=_STORE,
    help="History store, for last period's comments: a comment copied unchanged is queried "
    "(none yet: the first quarter).",
)
@_handle_errors
def validate(
    register: Path,
    returns: tuple[Path, ...],
    period: Period,
    json_path: Path | None,
    quiet: bool,
    log_path: Path | None,
    chase_path: Path | None,
    feedback_dir: Path | None,
    store: Path | None,
) -> int:
    """Check the returns and list every problem, without writing the board workbook.

    RETURNS are return files or folders of them. The return log says which service areas
    have sent a return, which are missing or late (saved after the register's return
    deadline), and which files were refused or replaced by a newer one.

    \b
    Example:
      kpi-excel validate samples/register.xlsx samples/returns --period "2017/18 Q1" --log out/return-log.xlsx --chase out/chase.txt --feedback out/feedback
    """
    from .. import api

    if feedback_dir is not None and any(
        folder.is_dir() and folder.resolve() == feedback_dir.resolve() for folder in returns
    ):
        raise click.UsageError(
            "Give --feedback a folder of its own: copies in the returns folder would be read "
            "as returns next time."
        )
    outcome = api.validate(
        register,
        list(returns),
        period,
        progress=_progress(quiet),
        json_path=json_path,
        log_path=log_path,
        chase_path=chase_path,
        feedback_dir=feedback_dir,
        store=_store_or_none(store),
    )
    if not quiet:
        _print_log(outcome.log)
    _print_problems(outcome.problems)
    errors = count(outcome.problems)
    warnings = len(outcome.problems) - errors
    click.echo(
        f"{len(outcome.collected.files)} files read: {errors} errors, {warnings} warnings.",
        err=True,
    )
    if not quiet:
        for item in outcome.feedback:
            if item.written is None:
                click.echo(
                    terminal(f"No feedback copy of {item.source.name}: {item.note}."), err=True
                )
        for path in outcome.written:
            click.echo(terminal(f"Wrote {path}"), err=True)
    return EXIT_PROBLEMS if errors else EXIT_CLEAN


def _print_log(log: Iterable[Any]) -> None:
    """The return log as a table: one line per file, and per service area with none."""
    entries = list(log)
    if not entries:
        return
    width = max(len("Service area"), *(len(e.service_area) for e in entries))
    click.echo(
        f"{'Service area':<{width}}  {'Outcome':<10}  Late  Errors  Warnings  File", err=True
    )
    for e in entries:
        late = "" if e.late is None else ("yes" if e.late else "no")
        click.echo(
            terminal(
                f"{e.service_area:<{width}}  {e.outcome.value:<10}  {late:<4}  {e.errors:>6}  "
                f"{e.warnings:>8}  {e.file or '-'}"
            ),
            err=True,
        )


@main.command()
@_returns_options
@click.option("--history", type=_EXISTING, help="History file (CSV or .xlsx) of past periods.")
@click.option(
    "--store",
    type=_STORE,
    help="History store (see close, import-history) instead of --history; only read.",
)
@click.option(
    "--as-at",
    "as_at",
    type=click.IntRange(min=1),
    help="Use the store as it was at this version (see show-history, runs).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("board.xlsx"),
    show_default=True,
    help="The board workbook to write.",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF through LibreOffice.")
@click.option(
    "--html",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the web edition: one accessible HTML page of the report, to publish.",
)
@click.option(
    "--published",
    type=_EXISTING,
    help="CSV of what a published report printed (indicator_id, short_term, long_term, and "
    "rag if it printed ratings), in its own words or symbols: each arrow or rating the figures "
    "contradict is reported, and ratings no single key explains.",
)
@_handle_errors
def consolidate(
    register: Path,
    returns: tuple[Path, ...],
    period: Period,
    json_path: Path | None,
    quiet: bool,
    history: Path | None,
    store: Path | None,
    as_at: int | None,
    out: Path,
    pdf: bool,
    html: Path | None,
    published: Path | None,
) -> int:
    """Read the returns, rate every indicator and write the board workbook.

    The workbook is written from the good returns even when others have problems. With
    --store, past periods come from the history store and the run is logged there; a draft
    changes no figures. A period closed in the store is reported from its closed figures.

    \b
    Example:
      kpi-excel consolidate samples/register.xlsx samples/returns --period "2017/18 Q1" --history samples/history.csv --out out/board.xlsx --json out/board.json
    """
    from .. import api

    if history is not None and store is not None:
        raise click.UsageError("Give --history or --store, not both.")
    if as_at is not None and store is None:
        raise click.UsageError("--as-at needs --store: versions are kept in the history store.")
    store = _store_or_none(store)
    if as_at is not None and store is None:
        raise click.UsageError("--as-at needs a history store that exists.")
    outcome = api.consolidate(
        register,
        list(returns),
        period,
        out,
        history=history,
        json_path=json_path,
        pdf=pdf,
        progress=_progress(quiet),
        store=store,
        as_at=as_at,
        published=published,
        write_progress=_write_progress(quiet),
        html=html,
    )
    _print_problems(outcome.problems)
    if not quiet:
        counts = outcome.rag_counts()
        click.echo(
            f"{period}: {len(outcome.report.rows)} indicators, {sum(counts.values())} rated "
            f"({counts['GREEN']} GREEN, {counts['AMBER']} AMBER, {counts['RED']} RED); "
            f"{outcome.error_count} errors, {len(outcome.problems) - outcome.error_count} "
            "warnings.",
            err=True,
        )
        if outcome.as_at is not None:
            click.echo(f"History from {store} as at version {outcome.as_at}.", err=True)
        for path in outcome.written:
            click.echo(terminal(f"Wrote {path}"), err=True)
        if outcome.pdf_note:
            click.echo(outcome.pdf_note, err=True)
    return EXIT_PROBLEMS if outcome.error_count else EXIT_CLEAN


@main.command("new-register")
@click.argument("path", type=click.Path(path_type=Path))
@_handle_errors
def new_register(path: Path) -> int:
    """Write a blank indicator register with drop-downs and default settings.

    \b
    Example:
      kpi-excel new-register register.xlsx
    """
    from .. import api

    api.new_register(path)
    click.echo(f"Wrote {path}", err=True)
    return EXIT_CLEAN


@main.command("new-year")
@click.argument("register", type=_EXISTING)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Next year's register. Default: beside this one, named for next year.",
)
@_handle_errors
def new_year(register: Path, out: Path | None) -> int:
    """Write next year's register from this one, to review before the year's first templates.

    Ids, definitions, tolerances and settings (the RAG key and its words) are carried; the
    reporting year moves on, the return deadline is left blank, and each indicator's Target
    review cell says its targets were carried from this year. Every other command refuses a
    period outside its register's reporting year. Q1's short-term arrows compare with this
    year's Q4 in the history store.

    \b
    Example:
      kpi-excel new-year register-2017-18.xlsx --out register-2018-19.xlsx
    """
    from .. import api
    from ..core.periods import Period

    if out is None:
        from ..register.loader import load_register

        year = Period.parse(load_register(register).settings.reporting_year).next()
        out = register.with_name(f"register-{year.year}-{str(year.year + 1)[2:]}.xlsx")
    if out.exists():
        raise click.UsageError(f"{out} already exists: choose another name with --out.")
    made = api.new_year(register, out)
    reviews = sum(1 for indicator in made.indicators if indicator.target_review)
    click.echo(
        f"Wrote {out} for {made.settings.reporting_year}: {len(made.indicators)} indicators, "
        f"{reviews} with targets to review (the Target review column).",
        err=True,
    )
    return EXIT_CLEAN


@main.command()
@click.option("--markdown", is_flag=True, help="As a Markdown table.")
def problems(markdown: bool) -> None:
    """List every problem kpi-excel can report, with its code and fix."""
    from .. import api

    kinds = api.problems()
    if markdown:
        click.echo("| code | severity | who fixes it | problem | fix |")
        click.echo("| --- | --- | --- | --- | --- |")
        for kind in kinds:
            click.echo(
                f"| `{kind.code}` | {kind.severity.value} | {kind.audience.value} | "
                f"{kind.title} | {kind.fix} |"
            )
        return
    click.echo(
        json.dumps(
            {k.code: {"severity": k.severity.value, "title": k.title, "fix": k.fix} for k in kinds},
            indent=2,
        )
    )
