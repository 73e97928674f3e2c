"""One function per CLI command, over the pipeline stages: register, templates, reader,
rules, writer, history."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.display import plural
from ..core.gcpause import collector_paused
from ..core.models import Register, Report, ReturnLogEntry
from ..core.periods import Period
from ..core.problems import CATALOGUE, OutputError, Problem, ProblemKind, UsageError, count, problem
from ..core.targets import previous_due_period
from ..core.text import MAX_CELL_TEXT, clean
from ..history.files import History, load_history
from ..register import load_register_for
from ..report.build import build_report, write_json
from ..returns.collect import Collected, collect_returns
from ..returns.log import log_json, return_log
from ..xlsx.atomic import make_folder, replace_file
from ..xlsx.outputs import check_outputs, pdf_beside, place, returns_places

if TYPE_CHECKING:
    from ..board.sections import ProgressBar
    from ..returns.feedback import Feedback

Progress = Callable[[Iterable[Path]], Iterable[Path]]


def _history(path: Path | None, register: Register) -> tuple[History, list[Problem]]:
    if path is None:
        return History(), []
    return load_history(Path(path), register.by_id())


def templates(
    register_path: Path | str,
    period: Period,
    out_dir: Path | str,
    *,
    history: Path | str | None = None,
    store: Path | str | None = None,
    replace: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write one return template per service area; previous figures come from a history
    file or the history store. on_warning hears of a deadline before the period ends.

    "Last period" is the period the board's short-term arrow will compare with: for a
    biannual indicator that is the last period it was due.
    """
    from ..templates.build import write_return_templates

    if history is not None and store is not None:
        raise UsageError("Give a history file or a history store, not both.")
    check_outputs(
        [
            *place("the register", register_path),
            *place("the history file", history),
            *place("the history store", store),
        ],
        place("--out", out_dir, folder=True),
    )
    register = load_register_for(Path(register_path), period)
    _warn_of_targets_to_review(register, on_warning)
    comments = None
    if store is not None:
        from ..history.store import Store

        with Store(Path(store)) as opened:
            past = opened.history()
        comments = _previous_comments(Path(store), period)  # as validate --store compares
    else:
        past, _ = _history(Path(history) if history else None, register)
    previous = {
        i.id: p
        for i in register.indicators
        if (p := past.get(i.id, previous_due_period(i, period))) is not None
    }
    last_year = {
        i.id: p
        for i in register.indicators
        if (p := past.get(i.id, period.same_period_last_year())) is not None
    }
    return write_return_templates(
        register,
        period,
        Path(out_dir),
        previous=previous,
        last_year=last_year,
        replace=replace,
        on_warning=on_warning,
        previous_comments=comments,
    )


@dataclass
class Validation:
    register: Register
    collected: Collected
    problems: list[Problem]
    log: list[ReturnLogEntry] = field(default_factory=list)  # per file and per missing service area
    written: list[Path] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)


def validate(
    register_path: Path | str,
    returns: Sequence[Path | str],
    period: Period,
    *,
    progress: Progress | None = None,
    json_path: Path | None = None,
    log_path: Path | None = None,
    chase_path: Path | None = None,
    feedback_dir: Path | None = None,
    store: Path | str | None = None,
) -> Validation:
    """Read and check every return; write nothing but the optional log, chase list, JSON and
    feedback copies (never over a return). With a history store, last period's comments are
    read from it, so a comment copied unchanged is queried."""
    from ..returns.log import chase_list
    from ..returns.logbook import write_output, write_validation_log

    check_outputs(
        [
            *place("the register", register_path),
            *returns_places(returns),
            *place("the history store", store),
        ],
        [
            *place("--json", json_path),
            *place("--log", log_path),
            *place("--chase", chase_path),
            *place("--feedback", feedback_dir, folder=True),
        ],
    )
    register = load_register_for(Path(register_path), period)
    previous = _previous_comments(Path(store), period) if store is not None else None
    collected = collect_returns(
        [Path(r) for r in returns],
        register,
        period,
        progress=progress,
        previous_comments=previous,
    )
    # rated once, as consolidate will rate them: an off-target figure needs its words
    build_report(register, period, collected, History())
    outcome = Validation(
        register, collected, collected.problems, return_log(collected, register, period)
    )
    if json_path is not None:
        import json

        payload = {
            "period": str(period),
            "return_log": [log_json(row) for row in outcome.log],
            "problems": [p.model_dump(mode="json") for p in collected.problems],
        }
        data = json.dumps(payload, indent=2).encode("utf-8")
        outcome.written.append(write_output(Path(json_path), data))
    if log_path is not None:
        outcome.written.append(
            write_validation_log(collected, period, Path(log_path), register=register)
        )
    if chase_path is not None:
        text = clean(chase_list(collected, period, register))
        outcome.written.append(write_output(Path(chase_path), text.encode("utf-8")))
    if feedback_dir is not None:
        from ..returns.feedback import write_feedback

        outcome.feedback = write_feedback(collected, Path(feedback_dir))
        outcome.written += [f.written for f in outcome.feedback if f.written is not None]
    return outcome


def _warn_of_targets_to_review(
    register: Register, on_warning: Callable[[str], None] | None
) -> None:
    """new-year marks carried targets for review: templates made before they are reviewed
    would send officers last year's targets."""
    marked = [i.id for i in register.indicators if i.target_review.strip()]
    if marked and on_warning is not None:
        shown = ", ".join(marked[:8]) + (" ..." if len(marked) > 8 else "")
        on_warning(
            f"{plural(len(marked), 'indicator')} still marked for target review in the "
            f"register ({shown}): the templates carry those targets. Set this year's targets "
            "and clear the Target review column, then make the templates again."
        )


def _previous_comments(store: Path, period: Period) -> dict[str, str]:
    """Last period's comments from the history store, by indicator id."""
    from ..history.store import Store

    with Store(store) as opened:
        figures = opened.figures(period=str(period.previous()))
    return {f.indicator_id: f.comment for f in figures if f.comment}


@dataclass
class Consolidation:
    report: Report
    collected: Collected
    problems: list[Problem]
    written: list[Path] = field(default_factory=list)
    pdf_note: str = ""
    as_at: int | None = None  # the store version history came from

    @property
    def error_count(self) -> int:
        return count(self.problems)

    def rag_counts(self) -> Counter:
        counts: Counter = Counter({"GREEN": 0, "AMBER": 0, "RED": 0})
        counts.update(row.rating.rag.value for row in self.report.rows if row.rating.rag)
        return counts


def consolidate(
    register_path: Path | str,
    returns: Sequence[Path | str],
    period: Period,
    out: Path | str,
    *,
    history: Path | str | None = None,
    json_path: Path | str | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
    store: Path | str | None = None,
    as_at: int | None = None,
    published: Path | str | None = None,
    write_progress: Callable[[int], ProgressBar] | None = None,
    html: Path | str | None = None,
) -> Consolidation:
    """The whole loop: read, validate, rate, and write the board workbook (and JSON, PDF,
    and with html the web edition: one accessible HTML page of the same report).

    History comes from a history file or from a store (as at a version); a store is only
    read, apart from the run log. For a period closed in the store, its closed figures are
    reported. progress wraps the returns' paths as they are read; write_progress, given the
    number of rows to write, makes a bar the writer moves (tqdm fits both).
    """
    if history is not None and store is not None:
        raise UsageError("Give a history file or a history store, not both.")
    if as_at is not None and store is None:
        raise UsageError("--as-at needs --store: versions are kept in the history store.")
    check_outputs(
        [
            *place("the register", register_path),
            *returns_places(returns),
            *place("the history file", history),
            *place("the history store", store),
            *place("the published report", published),
        ],
        [
            *place("--out", out),
            *place("--json", json_path),
            *place("--html", html),
            *(place("the PDF", pdf_beside(Path(out))) if pdf else []),
        ],
    )
    register = load_register_for(Path(register_path), period)
    collected = collect_returns([Path(r) for r in returns], register, period, progress=progress)
    view = None
    if store is not None:
        from .history import read_store

        view = read_store(Path(store), register, period, collected, as_at=as_at)
        past, history_warnings, collected = view.history, view.problems, view.collected
    else:
        past, history_warnings = _history(Path(history) if history else None, register)
    with collector_paused():
        report = build_report(register, period, collected, past)
    audit: list[Problem] = []
    if published is not None:
        from ..report.published import check_published, load_published

        audit = check_published(report, load_published(Path(published)), Path(published).name)
    cut = _cut_text(report, collected)
    report = report.model_copy(
        update={"problems": [*report.problems, *history_warnings, *audit, *cut]}
    )
    outcome = Consolidation(report, collected, list(report.problems))
    extra = {"history": view.json()} if view is not None else {}
    _write_outputs(outcome, Path(out), json_path, html, pdf, write_progress, extra)
    if view is not None:
        from .history import log_consolidate

        outcome.as_at = view.as_at
        log_consolidate(view, register, period, outcome.problems, outcome.written)
    return outcome


def _write_outputs(
    outcome: Consolidation,
    out: Path,
    json_path: Path | str | None,
    html: Path | str | None,
    pdf: bool,
    write_progress: Callable[[int], ProgressBar] | None,
    json_extra: dict,
) -> None:
    """The board workbook, then the JSON, the web edition and the PDF asked for, each written
    whole or not at all; outcome.written lists them."""
    from ..board.workbook import write_board_workbook

    report = outcome.report
    make_folder(out.parent)
    with collector_paused():
        outcome.written.append(write_board_workbook(report, out, write_progress))
    if json_path is not None:
        make_folder(Path(json_path).parent)
        outcome.written.append(write_json(report, Path(json_path), extra=json_extra))
    if html is not None:
        from ..web import write_html_report

        make_folder(Path(html).parent)
        outcome.written.append(write_html_report(report, Path(html)))
    if pdf:
        pdf_path, note = write_pdf(out)
        if pdf_path:
            outcome.written.append(pdf_path)
        outcome.pdf_note = note


def _cut_text(report: Report, collected: Collected) -> list[Problem]:
    """A warning for each comment or action longer than an Excel cell holds: the board shows
    its start with a marker (core.text.cell_text), the JSON all of it."""
    found = []
    for row in report.rows:
        for key in ("comment", "corrective_action"):
            text = getattr(row.record, key, "") if row.record else ""
            if len(text) > MAX_CELL_TEXT:
                file, refs = collected.cells.get(row.indicator.id, (None, {}))
                found.append(
                    problem(
                        "text-cut",
                        file=file,
                        cell=refs.get(key),
                        indicator_id=row.indicator.id,
                        detail=f"{len(text):,}",
                        expected=f"{MAX_CELL_TEXT:,}",
                    )
                )
    return found


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        if found := shutil.which(name):
            return found
    for candidate in (
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ):
        if Path(candidate).exists():
            return candidate
    return None


# Tagged (headings, tables and alternative text reach screen readers), as the Public Sector
# Bodies Accessibility Regulations ask of published reports; the title is the workbook's.
PDF_FILTER = (
    'pdf:calc_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"true"},'
    '"DisplayPDFDocumentTitle":{"type":"boolean","value":"true"}}'
)
# The PDF's language comes from LibreOffice's locale: set in the private profile.
PDF_LANGUAGE = "en-GB"
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Linguistic/General">\
<prop oor:name="DefaultLocale" oor:op="fuse"><value>{language}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{language}</value></prop></item>
</oor:items>
"""


def _private_profile(folder: Path) -> str:
    """A LibreOffice profile of our own, so conversion works beside a running LibreOffice
    (HOME alone is not enough on Windows, which keeps the profile in APPDATA)."""
    user = folder / "profile" / "user"
    user.mkdir(parents=True)
    settings = _PROFILE_SETTINGS.format(language=PDF_LANGUAGE)
    (user / "registrymodifications.xcu").write_text(settings, encoding="utf-8")
    return (folder / "profile").as_uri()


def write_pdf(workbook: Path) -> tuple[Path | None, str]:
    """Render the board pack (the Summary, Report, Exceptions and Trends sheets) to a tagged
    PDF with LibreOffice, beside the workbook; say how to get LibreOffice if it is absent."""
    from ..board import write_pack_copy

    soffice = find_soffice()
    if soffice is None:
        return None, (
            "PDF not written: LibreOffice is not installed. Install it "
            "(https://www.libreoffice.org, or 'apt-get install libreoffice-calc-nogui')"
            " and run again, or open the workbook in Excel and use File > Export > "
            "Create PDF."
        )
    target = pdf_beside(workbook)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        profile = _private_profile(folder)
        pack = folder / "pack" / workbook.name
        pack.parent.mkdir()
        write_pack_copy(workbook, pack)
        env = dict(os.environ, HOME=temp)
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--convert-to",
                    PDF_FILTER,
                    "--outdir",
                    temp,
                    str(pack),
                ],
                check=True,
                capture_output=True,
                timeout=180,
                env=env,
            )
        except (subprocess.SubprocessError, OSError) as error:
            raise OutputError(f"LibreOffice could not write the PDF ({error}).") from None
        produced = folder / f"{workbook.stem}.pdf"
        if not produced.exists():
            raise OutputError("LibreOffice ran but wrote no PDF.")
        replace_file(target, lambda path: shutil.copyfile(produced, path))
    return target, ""


def new_year(register_path: Path | str, out: Path | str) -> Register:
    """Write next year's register from this one: ids, definitions and settings carried, the
    reporting year moved on, and every indicator's targets marked for review."""
    from ..register import new_year as write_next_year

    register_path, out = Path(register_path), Path(out)
    check_outputs(place("the register", register_path), place("--out", out))
    return write_next_year(register_path, out)


def new_register(path: Path | str) -> Path:
    """Write a blank indicator register, with drop-downs and default settings, to path (a
    new file: an existing one may be a council's register, so it is never replaced)."""
    from ..register import write_register

    path = Path(path)
    if path.exists():
        raise UsageError(f"{path} already exists: choose another name.")
    check_outputs([], place("PATH", path))
    return write_register(path)


def problems() -> list[ProblemKind]:
    """Every problem kpi-excel can report, with its code, severity, who fixes it and how."""
    return list(CATALOGUE.values())


# The first release's names, kept so the scripts that use them still work.
make_templates = templates
validate_returns = validate
consolidate_returns = consolidate
