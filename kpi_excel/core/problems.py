"""Problems kpi-excel reports, made from the catalogue of kinds (catalogue.py), and the
exception tree.

Checks yield Problems; a collector gathers them; the CLI renders them. The same catalogue
renders the officers' guide in the docs.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import catalogue_team  # noqa: F401  (its kinds join the catalogue, after the officers')
from .catalogue import CATALOGUE, Audience, ProblemKind, Severity
from .models import Model

__all__ = [
    "CATALOGUE",
    "Audience",
    "HistoryError",
    "KpiExcelError",
    "OutputError",
    "Problem",
    "ProblemKind",
    "RegisterError",
    "ReturnFileError",
    "Severity",
    "UsageError",
    "count",
    "problem",
]


class Problem(Model):
    """One thing wrong, where it is, and how to fix it."""

    code: str
    severity: Severity
    message: str
    fix: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    indicator_id: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        parts = [
            part for part in (self.file, self.sheet and f"sheet '{self.sheet}'", self.cell) if part
        ]
        return ", ".join(parts)

    def render(self) -> str:
        head = f"{self.severity.value.upper()} [{self.code}]"
        where = self.where
        indicator = f" ({self.indicator_id})" if self.indicator_id else ""
        return f"{head} {where}{indicator}: {self.message} Fix: {self.fix}"


def problem(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    indicator_id: str | None = None,
    value: object = None,
    detail: object = "",
    expected: object = "",
) -> Problem:
    """Build a Problem from its catalogued kind; raises KeyError for an uncatalogued code."""
    kind = CATALOGUE[code]
    fields = {
        "file": file or "",
        "sheet": sheet or "",
        "cell": cell or "",
        "indicator_id": indicator_id or "",
        "value": "" if value is None else value,
        "detail": detail,
        "expected": expected,
    }
    return Problem(
        code=code,
        severity=kind.severity,
        message=kind.message.format(**fields),
        fix=kind.fix.format(**fields),
        file=file,
        sheet=sheet,
        cell=cell,
        indicator_id=indicator_id,
        value=None if value is None else str(value),
    )


def count(problems: Iterable[Problem], severity: Severity = Severity.ERROR) -> int:
    """How many of the problems are errors (or, given WARNING, warnings): counted here only."""
    return sum(p.severity is severity for p in problems)


# --- exceptions: caught once, at the CLI boundary -------------------------------------------


class KpiExcelError(Exception):
    """Root of every error kpi-excel raises for a user to act on."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class RegisterError(KpiExcelError):
    """The register (or its settings) cannot be used: the performance team must fix it."""


class HistoryError(KpiExcelError):
    """The history file or store cannot be used."""


class ReturnFileError(KpiExcelError):
    """A return file cannot be read at all: the officer must resend it."""


class OutputError(KpiExcelError):
    """An output cannot be written: disk, permissions, a file open in Excel."""


class UsageError(KpiExcelError):
    """The command was called wrongly."""
