"""The return log and the chase list: who sent what, what is late, and what must be fixed.

Built from the collected returns (consolidate.collect_returns) and the register: every service
area the register expects, each file received with its hash and template version, and what
became of it (received, failed validation, rejected, superseded), plus each expected area with
no usable return. The chase list says the same per service area in words ready to paste into
an email.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from ..core.deadlines import deadline_for
from ..core.models import Register, ReturnLogEntry, ReturnOutcome
from ..core.periods import Period
from ..core.problems import CATALOGUE, Audience, Problem, Severity
from .collect import Collected
from .reader import ReturnFile

UNKNOWN_AREA = "(unknown)"  # a file too broken to say whose it is


def log_json(row: ReturnLogEntry) -> dict:
    """One line of the return log as JSON: the one shape validate and consolidate write."""
    return row.model_dump(mode="json")


def deadline_of(register: Register | None, period: Period | None) -> date | None:
    """The period's own return deadline under the register's rule (core/deadlines.py)."""
    if register is None or period is None:
        return None
    return deadline_for(register.settings.return_deadline, period).due


def saved_on(found: ReturnFile) -> date | None:
    """When the return was last saved.

    The workbook's own record first (docProps/core.xml: Excel, LibreOffice and openpyxl write
    it when saving, and copies, mail and checkouts keep it); else the file's modification
    time, which a copy may reset. Either can be wrong (a file saved again later by someone
    else), so 'late' is a prompt to check, not proof: the email's date is the record.
    """
    if found.saved_at is not None:
        return found.saved_at.date()
    try:
        return datetime.fromtimestamp(found.path.stat().st_mtime).date()
    except (OSError, OverflowError, ValueError):
        return None


def return_log(
    collected: Collected, register: Register | None = None, period: Period | None = None
) -> list[ReturnLogEntry]:
    """The log: the collected entries with each file's date and lateness, expected areas first.

    Without a register, every named service area counts as expected; without a period, no
    return is judged late (each period has its own deadline).
    """
    deadline = deadline_of(register, period)
    areas = set(register.service_areas()) if register is not None else None
    by_file = {(f.path.name, f.sha256): f for f in collected.files}
    rows = []
    for entry in collected.log:
        found = by_file.get((entry.file or "", entry.sha256))
        saved = saved_on(found) if found is not None else None
        late = None if deadline is None or saved is None else saved > deadline
        expected = entry.service_area != UNKNOWN_AREA and (
            areas is None or entry.service_area in areas
        )
        rows.append(entry.model_copy(update={"expected": expected, "saved": saved, "late": late}))
    return sorted(rows, key=lambda r: (not r.expected, r.service_area, _ORDER[r.outcome]))


_ORDER = {
    ReturnOutcome.RECEIVED: 0,
    ReturnOutcome.FAILED: 1,
    ReturnOutcome.MISSING: 2,
    ReturnOutcome.REJECTED: 3,
    ReturnOutcome.SUPERSEDED: 4,
}


def counts(rows: Iterable[ReturnLogEntry]) -> dict[str, int]:
    """How many service areas are expected, received, missing and late, and how many files
    were superseded, rejected or failed validation."""
    rows = list(rows)
    used = [r for r in rows if r.expected and r.outcome in _USED]
    return {
        "expected": len({r.service_area for r in rows if r.expected}),
        "received": len(used),
        "missing": sum(r.outcome is ReturnOutcome.MISSING for r in rows),
        "late": sum(bool(r.late) for r in used),
        "failed": sum(r.outcome is ReturnOutcome.FAILED for r in rows),
        "rejected": sum(r.outcome is ReturnOutcome.REJECTED for r in rows),
        "superseded": sum(r.outcome is ReturnOutcome.SUPERSEDED for r in rows),
    }


_USED = (ReturnOutcome.RECEIVED, ReturnOutcome.FAILED)


# --- the chase list ---------------------------------------------------------------------------


def chase_list(collected: Collected, period: Period, register: Register | None = None) -> str:
    """Per service area, what is missing or must be fixed: plain text, one paragraph each,
    ready to paste into an email. Areas with nothing to chase are left out."""
    deadline = deadline_of(register, period)
    rows = return_log(collected, register, period)
    files = {(f.path.name, f.sha256): f for f in collected.files}
    paragraphs = []
    for area in _areas(rows):
        own = [r for r in rows if r.service_area == area]
        text = _area_paragraph(area, own, files, period, deadline)
        if text:
            paragraphs.append(text)
    unknown = [
        files[(r.file or "", r.sha256)]
        for r in rows
        if not r.expected and r.outcome is ReturnOutcome.REJECTED and (r.file, r.sha256) in files
    ]
    if unknown:
        lines = [
            "Files we could not use and cannot tell whose they are: please ask who sent them "
            "to resend their return."
        ]
        for found in unknown:
            lines.append(f"  {found.path.name}:")
            lines += _problem_lines(_for_officer(found.problems))
        paragraphs.append("\n".join(lines))
    when = f" (deadline {_day(deadline)})" if deadline else ""
    head = f"Returns for {period}{when}: what to chase"
    if not paragraphs:
        return f"{head}\n\nNothing to chase: every return is in and has nothing to fix.\n"
    return f"{head}\n\n" + "\n\n".join(paragraphs) + "\n"


def _areas(rows: Sequence[ReturnLogEntry]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        if row.expected:
            seen.setdefault(row.service_area, None)
    return list(seen)


def _area_paragraph(
    area: str,
    rows: Sequence[ReturnLogEntry],
    files: dict[tuple[str, str], ReturnFile],
    period: Period,
    deadline: date | None,
) -> str:
    used = next((r for r in rows if r.outcome in _USED), None)
    refused = [
        files[(r.file or "", r.sha256)]
        for r in rows
        if r.outcome is ReturnOutcome.REJECTED and (r.file, r.sha256) in files
    ]
    lines: list[str] = []
    if used is None:
        if refused:
            names = ", ".join(found.path.name for found in refused)
            lines.append(
                f"{area}: we have no return for {period} we can use. What you sent ({names}) "
                "could not be read:"
            )
            for found in refused:
                lines += _problem_lines(_for_officer(found.problems))
            lines.append("  Please put this right and send the return again.")
        else:
            by = f" by {_day(deadline)}" if deadline else ""
            lines.append(
                f"{area}: we have not received your return for {period}. Please fill in the "
                f"template you were sent and return it{by}."
            )
        return "\n".join(lines)
    found = files.get((used.file or "", used.sha256))
    problems = _for_officer(found.problems) if found is not None else []
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is not Severity.ERROR]
    if not problems:
        return ""
    late = f", saved {_day(used.saved)} after the deadline" if used.late and used.saved else ""
    if errors:
        lines.append(
            f"{area}: thank you for your return ({used.file}{late}). Please fix these; "
            "until then the figures they affect are left out of the report:"
        )
        lines += _problem_lines(errors)
        if warnings:
            lines.append("  Please also check:")
            lines += _problem_lines(warnings)
    else:
        lines.append(f"{area}: thank you for your return ({used.file}{late}). Please check:")
        lines += _problem_lines(warnings)
    return "\n".join(lines)


def _for_officer(problems: Iterable[Problem]) -> list[Problem]:
    return [
        p
        for p in problems
        if p.code in CATALOGUE and CATALOGUE[p.code].audience is Audience.OFFICER
    ]


def _problem_lines(problems: Iterable[Problem]) -> list[str]:
    return [f"  - {_where(p)}{p.message} {p.fix}" for p in problems]


def _where(item: Problem) -> str:
    """'Sheet Return, cell H10 (CL02): ' or 'CL02: ' or nothing."""
    parts = []
    if item.sheet:
        parts.append(f"sheet {item.sheet}")
    if item.cell:
        parts.append(f"cell {item.cell}")
    place = ", ".join(parts)
    if item.indicator_id:
        place = f"{place} ({item.indicator_id})" if place else item.indicator_id
    return f"{place[:1].upper()}{place[1:]}: " if place else ""


def _day(day: date | None) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""
