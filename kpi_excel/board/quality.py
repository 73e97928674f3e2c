"""Data quality in board members' words, and the returns read in the performance team's.

The Data quality sheet says which returns came in, which figures could not be used, and which
off-target figures came without a comment or corrective action. File names, cells, problem
codes and SHA-256 fingerprints are kept on the Returns data sheet, beside the Data sheet.
"""

from __future__ import annotations

from ..core.display import plural, rag_text
from ..core.models import ReportRow, ReturnOutcome
from ..core.problems import Problem, Severity
from ..xlsx.write import Sheet
from .data import Value, write_table
from .sections import Context, missing_words

OUTCOME_WORDS = {
    ReturnOutcome.RECEIVED: "Received",
    ReturnOutcome.FAILED: "Received with problems: figures with errors not used",
    ReturnOutcome.REJECTED: "Received but could not be read: no figures used",
    ReturnOutcome.SUPERSEDED: "Replaced by a later return",
    ReturnOutcome.MISSING: "Not received",
}
QUALITY_WIDTHS = (34, 24, 16, 60, 50)
MISSING_COLUMNS = ("Indicator", "Sub-committee", "Rating", "What is missing")
PROBLEM_COLUMNS = ("Indicator or return", "From", "Figure used?", "What was found", "What to do")
RETURN_COLUMNS = ("Service area", "Return", "Problems")


def problems_of(ctx: Context) -> list[Problem]:
    # Report.problems is typed loosely in core/models.py; accept Problems or their dict form.
    return [p if isinstance(p, Problem) else Problem.model_validate(p) for p in ctx.report.problems]


def _missing_rows(ctx: Context) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for row in ctx.report.rows:
        missing = row.missing_commentary  # the report's one check, which validate reports too
        if missing:
            words = "; ".join(missing_words(what) for what in missing)
            rows.append([_name(row), row.indicator.section, rag_text(row), words])
    return rows


def _name(row: ReportRow) -> str:
    return f"{row.indicator.name.strip() or row.indicator.id} ({row.indicator.id})"


def _problem_rows(ctx: Context, problems: list[Problem]) -> list[list[Value]]:
    names = {row.indicator.id: _name(row) for row in ctx.report.rows}
    owners = {row.indicator.id: row.indicator.service_area for row in ctx.report.rows}
    areas = {entry.file: entry.service_area for entry in ctx.report.return_log if entry.file}
    rows: list[list[Value]] = []
    for problem in problems:
        indicator = problem.indicator_id or ""
        where = names.get(indicator, indicator) or "The whole return"
        # Said by service area, never by file name: the Returns data sheet has the files.
        source = areas.get(problem.file or "") or owners.get(indicator)
        if source is None:
            source = "a return" if problem.file else "the register or history"
        used = "No" if problem.severity is Severity.ERROR else "Yes"
        rows.append([where, source, used, problem.message, problem.fix])
    return rows


def _return_rows(ctx: Context) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for entry in ctx.report.return_log:
        found = []
        if entry.errors:
            found.append(f"{plural(entry.errors, 'figure')} not used until corrected")
        if entry.warnings:
            found.append(f"{plural(entry.warnings, 'point')} to check")
        rows.append([entry.service_area, OUTCOME_WORDS[entry.outcome], "; ".join(found) or "None"])
    return rows


def summary_sentence(ctx: Context, problems: list[Problem], missing: int) -> str:
    log = ctx.report.return_log
    received = sum(1 for e in log if e.outcome in (ReturnOutcome.RECEIVED, ReturnOutcome.FAILED))
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    returns = f"{received} of {len(log)} returns were used. " if log else ""
    return (
        f"{returns}{plural(errors, 'figure')} could not be used because of errors, and "
        f"{plural(missing, 'off-target indicator')} came without a comment or corrective action."
    )


def write_quality(sheet: Sheet, ctx: Context) -> None:
    sheet.hide_gridlines()
    for col, width in enumerate(QUALITY_WIDTHS):
        sheet.column_width(col, col, width)
    sheet.string(0, 0, f"Data quality: {ctx.period}", "title")
    problems = problems_of(ctx)
    missing = _missing_rows(ctx)
    sheet.string(1, 0, summary_sentence(ctx, problems, len(missing)), "plain")
    sheet.string(3, 0, "Comments and corrective actions missing", "subtitle")
    at = write_table(
        sheet, 4, MISSING_COLUMNS, missing, "MissingCommentary",
        "Every off-target indicator has a comment and a corrective action.", QUALITY_WIDTHS,
    )  # fmt: skip
    sheet.string(at + 1, 0, "Returns", "subtitle")
    at = write_table(
        sheet, at + 2, RETURN_COLUMNS, _return_rows(ctx), "ReturnsReceived", "No return log.",
        QUALITY_WIDTHS,
    )  # fmt: skip
    sheet.string(at + 1, 0, "Problems found in the returns", "subtitle")
    write_table(
        sheet, at + 2, PROBLEM_COLUMNS, _problem_rows(ctx, problems), "Problems",
        "No problems were found.", QUALITY_WIDTHS,
    )  # fmt: skip
    sheet.freeze(1, 0)
    sheet.print_setup(ctx.print_setup("Data quality", repeat=None))


# The performance team's view: where each problem is and each return's fingerprint.
TECHNICAL_PROBLEM_COLUMNS = (
    "severity", "code", "file", "sheet", "cell", "indicator_id", "message", "fix",
)  # fmt: skip
RETURN_LOG_COLUMNS = (
    "service_area", "outcome", "file", "template_version", "errors", "warnings", "sha256",
)  # fmt: skip
TECHNICAL_WIDTHS = (16, 24, 28, 16, 9, 12, 67, 55)  # 67: a sha256 in full


def write_returns_data(sheet: Sheet, ctx: Context) -> None:
    """Every problem with its file, sheet and cell, and every return with its SHA-256."""
    for col, width in enumerate(TECHNICAL_WIDTHS):
        sheet.column_width(col, col, width)
    sheet.string(0, 0, f"Returns data: {ctx.period}", "title")
    rows: list[list[Value]] = [
        [p.severity.value, p.code, p.file or "", p.sheet or "", p.cell or "",
         p.indicator_id or "", p.message, p.fix]
        for p in problems_of(ctx)
    ]  # fmt: skip
    sheet.string(2, 0, "Problems", "subtitle")
    at = write_table(
        sheet, 3, TECHNICAL_PROBLEM_COLUMNS, rows, "ProblemsFound", "No problems were found.",
        TECHNICAL_WIDTHS,
    )  # fmt: skip
    sheet.string(at + 1, 0, "Returns", "subtitle")
    log: list[list[Value]] = [
        [e.service_area, e.outcome.value, e.file or "", e.template_version, float(e.errors),
         float(e.warnings), e.sha256]
        for e in ctx.report.return_log
    ]  # fmt: skip
    widths = TECHNICAL_WIDTHS[: len(RETURN_LOG_COLUMNS)]
    write_table(sheet, at + 2, RETURN_LOG_COLUMNS, log, "ReturnLog", "No return log.", widths)
    sheet.print_setup(ctx.print_setup("Returns data", repeat=None))
