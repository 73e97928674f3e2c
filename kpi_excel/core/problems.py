"""The catalogue of problems kpi-excel reports, and the exception tree.

Every problem is a typed kind with a stable code, a severity, a title, a message template and a
fix template (after frictionless-py). Checks yield Problems; a collector gathers them; the CLI
renders them. The same catalogue renders the officers' guide in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .models import Model


class Severity(StrEnum):
    ERROR = "error"  # the figure cannot be used until fixed
    WARNING = "warning"  # used, but someone should look


class Audience(StrEnum):
    OFFICER = "officer"  # fixes the return
    TEAM = "performance team"  # fixes the register, history or settings
    RUNNER = "whoever runs kpi-excel"  # disk, paths, permissions


@dataclass(frozen=True)
class ProblemKind:
    code: str
    severity: Severity
    audience: Audience
    title: str
    message: str  # str.format template over the problem's fields and details
    fix: str


CATALOGUE: dict[str, ProblemKind] = {}


def _kind(
    code: str, severity: Severity, audience: Audience, title: str, message: str, fix: str
) -> ProblemKind:
    if code in CATALOGUE:
        raise ValueError(f"problem code {code} defined twice")
    kind = ProblemKind(code, severity, audience, title, message, fix)
    CATALOGUE[code] = kind
    return kind


E, W = Severity.ERROR, Severity.WARNING
OFF, TEAM, RUN = Audience.OFFICER, Audience.TEAM, Audience.RUNNER

# --- the file itself -----------------------------------------------------------------------
_kind(
    "file-missing",
    E,
    RUN,
    "File not found",
    "The file {file} does not exist.",
    "Check the path and try again.",
)
_kind(
    "file-empty",
    E,
    OFF,
    "Empty file",
    "The file is empty (0 bytes).",
    "Save the return again from Excel and resend it.",
)
_kind(
    "file-not-xlsx",
    E,
    OFF,
    "Not an Excel workbook",
    "The file is not an .xlsx workbook: it looks like {detail}.",
    "Open the return template in Excel, fill it in and save it as an Excel Workbook (.xlsx).",
)
_kind(
    "file-xls",
    E,
    OFF,
    "Old Excel format (.xls)",
    "The file is in the old Excel 97-2003 format (.xls), which kpi-excel does not read.",
    "Open it in Excel and use File > Save As > Excel Workbook (.xlsx).",
)
_kind(
    "file-macro",
    E,
    OFF,
    "Macro-enabled workbook",
    "The file is a macro-enabled workbook (.xlsm); returns must not contain macros.",
    "Save it as an Excel Workbook (.xlsx) and resend it.",
)
_kind(
    "file-encrypted",
    E,
    OFF,
    "Password-protected workbook",
    "The workbook is protected with a password to open, so it cannot be read.",
    "Remove the password to open (File > Info > Protect Workbook) and resend it.",
)
_kind(
    "file-corrupt",
    E,
    OFF,
    "Damaged workbook",
    "The workbook is damaged and cannot be opened ({detail}).",
    "Open the return in Excel; if Excel repairs it, save it again and resend it.",
)
_kind(
    "file-too-large",
    E,
    OFF,
    "Workbook too large",
    "The workbook expands to {detail}, more than a return can need.",
    "Copy the figures into a fresh template and resend it.",
)
_kind(
    "file-fault",
    E,
    RUN,
    "Return could not be read",
    "kpi-excel met a fault it did not foresee reading this file ({detail}); the other returns "
    "were read.",
    "Run again with --debug and report what it shows; meanwhile ask the officer to copy the "
    "figures into a fresh template.",
)
_kind(
    "file-not-regular",
    E,
    RUN,
    "Not a file",
    "{file} is {detail}, not a file, so it is not read.",
    "Name the file itself; kpi-excel reads only ordinary files and folders of them.",
)
_kind(
    "file-beyond-limits",
    E,
    OFF,
    "Cells beyond Excel's limits",
    "The workbook names cells no spreadsheet can have ({detail}), so it was not made by Excel.",
    "Copy the figures into a fresh template and resend it.",
)
_kind(
    "file-xml-entities",
    E,
    OFF,
    "Unsafe workbook content",
    "The workbook contains XML entity declarations, which a real Excel file never has.",
    "Copy the figures into a fresh template and resend it.",
)
_kind(
    "file-external-link",
    W,
    OFF,
    "Links to other workbooks",
    "The workbook links to other files ({detail}); linked figures are not trusted.",
    "Type the figures in as values (Data > Edit Links > Break Link) and resend it.",
)
_kind(
    "file-embedded-object",
    W,
    OFF,
    "Embedded objects",
    "The workbook contains embedded objects or macros ({detail}); they are ignored.",
    "Remove them and resend the return as a plain .xlsx.",
)
_kind(
    "file-unreadable",
    E,
    RUN,
    "File cannot be read",
    "The file could not be read: {detail}.",
    "Check the file is not open elsewhere and that you can read it, then try again.",
)
_kind(
    "file-kpi-excel-output",
    E,
    RUN,
    "A file kpi-excel wrote",
    "This is a {detail} file kpi-excel wrote, not a return, so it is not read.",
    "Move it out of the returns folder. An officer who fixes a feedback copy saves it in "
    "Excel and sends it back; that copy is read.",
)

# --- template identity ---------------------------------------------------------------------
_kind(
    "sheet-missing",
    E,
    OFF,
    "Return sheet missing",
    "The sheet '{sheet}' is missing (sheets found: {detail}).",
    "Use the return template as sent: do not rename or delete its sheets.",
)
_kind(
    "sheet-hidden",
    W,
    OFF,
    "Return sheet hidden",
    "The sheet '{sheet}' has been hidden.",
    "Unhide it (right-click a sheet tab > Unhide); the figures on it were still read.",
)
_kind(
    "sheet-renamed",
    W,
    OFF,
    "Return sheet renamed",
    "The sheet '{expected}' has been renamed '{sheet}'; it was read all the same.",
    "Please rename it back to '{expected}' (double-click the sheet tab).",
)
_kind(
    "metadata-missing",
    E,
    OFF,
    "Not a kpi-excel return",
    "The workbook has no kpi-excel template details, so it is not a return made from the "
    "current template.",
    "Fill in the return template the performance team sent for this period.",
)
_kind(
    "metadata-edited",
    E,
    OFF,
    "Template details edited",
    "The template details have been changed ({detail}).",
    "Use a fresh copy of the return template sent for this period.",
)
_kind(
    "template-old-version",
    W,
    OFF,
    "Older template",
    "This return was made from template version {detail}; the current version is {expected}.",
    "It was read, but please use the latest template next time.",
)
_kind(
    "template-unsupported-version",
    E,
    OFF,
    "Template version not readable",
    "This return was made from template version {detail}, which this kpi-excel cannot read "
    "(it reads version {expected}).",
    "Copy the figures into the return template sent for this period and resend it.",
)
_kind(
    "template-newer-version",
    W,
    TEAM,
    "Template from a newer kpi-excel",
    "This return was made from template version {detail}, newer than the version {expected} "
    "this kpi-excel writes; it was read.",
    "Update kpi-excel, so the newer template's checks are applied.",
)
_kind(
    "template-wrong-period",
    E,
    OFF,
    "Return for another period",
    "This return is for {detail}, but the report is for {expected}.",
    "Fill in the return template for {expected}.",
)
_kind(
    "template-unknown-service",
    E,
    OFF,
    "Unknown service area",
    "This return is for service area '{detail}', which is not in the indicator register.",
    "Check you were sent the right template; the performance team can add the service area.",
)
_kind(
    "template-other-service",
    W,
    OFF,
    "Another service area's template",
    "The file is named as the return for '{expected}' but it is the template for '{detail}'.",
    "It was read as {detail}'s return. If {expected} filled in the wrong template, fill in "
    "your own and resend it.",
)
_kind(
    "template-stale-register",
    W,
    OFF,
    "Template from an older register",
    "This return was made before the indicator register last changed.",
    "It was read; the performance team will check the targets shown in it.",
)
_kind(
    "return-duplicate",
    W,
    TEAM,
    "Two returns for one service area",
    "Two returns came in for '{detail}': {expected} was used and this one ignored.",
    "Delete the older file from the returns folder, or ignore this if the newer one is right.",
)
_kind(
    "return-missing",
    E,
    TEAM,
    "Return not received",
    "No return has been received from '{detail}'.",
    "Chase the service area; its indicators are shown as data not available.",
)

# --- rows ----------------------------------------------------------------------------------
_kind(
    "column-missing",
    E,
    OFF,
    "Column missing",
    "The column '{detail}' is missing from the header row of the return.",
    "Use a fresh copy of the template: do not delete or rename its columns.",
)
_kind(
    "row-unknown-id",
    E,
    OFF,
    "Unknown indicator id",
    "The indicator id '{value}' is not one of this service area's indicators.",
    "Do not edit the ID column: copy the row back from a fresh template.",
)
_kind(
    "row-no-id",
    E,
    OFF,
    "Entries on a row with no indicator id",
    "This row has entries but no indicator id, so they belong to no indicator.",
    "Type only on the template's rows; if you inserted this row, move its entries to the "
    "indicator's own row and delete it.",
)
_kind(
    "row-missing",
    E,
    OFF,
    "Indicator row missing",
    "The row for indicator {indicator_id} has been deleted.",
    "Copy the row back from a fresh template and fill it in.",
)
_kind(
    "row-duplicate",
    E,
    OFF,
    "Indicator row duplicated",
    "Indicator {indicator_id} appears more than once (first at {detail}); only the first was read.",
    "Delete the extra row.",
)
_kind(
    "row-moved",
    W,
    OFF,
    "Rows moved",
    "Indicator {indicator_id} is not on the row the template put it on.",
    "It was read by its id, so nothing is lost; please keep the template's order.",
)
_kind(
    "merged-cells",
    E,
    OFF,
    "Merged cells",
    "Cells {detail} are merged in the input area.",
    "Unmerge them (Home > Merge & Center > Unmerge Cells) and re-enter the figures.",
)

# --- input cells ---------------------------------------------------------------------------
_kind(
    "value-not-number",
    E,
    OFF,
    "Not a number",
    "'{value}' is not a number.",
    "Type the figure as a number, e.g. 83 for 83%, or choose a status of 'not available'.",
)
_kind(
    "value-not-usable",
    E,
    OFF,
    "Not a usable figure",
    "'{value}' cannot be a figure: {detail}.",
    "Type the figure itself as a plain number, e.g. 83 for 83%.",
)
_kind(
    "value-date",
    E,
    OFF,
    "Date in a number cell",
    "The cell holds a date ({value}), not a figure.",
    "Type the figure as a plain number; clear the cell's date format if Excel changed it.",
)
_kind(
    "value-boolean",
    E,
    OFF,
    "TRUE/FALSE in a number cell",
    "The cell holds {value}, not a figure.",
    "Type the figure as a number.",
)
_kind(
    "value-excel-error",
    E,
    OFF,
    "Excel error",
    "The cell shows the Excel error {value}.",
    "Replace the formula with the figure itself.",
)
_kind(
    "value-formula",
    E,
    OFF,
    "Formula in an input cell",
    "The cell holds a formula ({value}); only typed entries are accepted.",
    "Copy the cell and use Paste Special > Values, so the figure or words themselves are stored.",
)
_kind(
    "value-formula-no-result",
    E,
    OFF,
    "Formula with no saved result",
    "The cell holds a formula ({value}) with no saved result.",
    "Replace the formula with the figure itself.",
)
_kind(
    "value-percent-scale",
    W,
    OFF,
    "Percentage typed as a fraction",
    "'{value}' was read as {detail}.",
    "Nothing to do if that is right; next time type the percentage as a number, e.g. 83 "
    "for 83% (typing 83% stores 0.83).",
)
_kind(
    "value-percent-out-of-range",
    E,
    OFF,
    "Percentage out of range",
    "'{value}' is not a percentage between 0% and 100%.",
    "Type the percentage between 0 and 100, e.g. 83 for 83%.",
)
_kind(
    "value-text-number",
    W,
    OFF,
    "Number typed as text",
    "'{value}' was typed as text and read as {detail}.",
    "Nothing to do if that is right; next time type the number alone.",
)
_kind(
    "value-wrong-unit",
    E,
    OFF,
    "Wrong unit",
    "'{value}' is in a unit this indicator is not measured in ({detail}).",
    "Give the figure in {expected}.",
)
_kind(
    "value-negative",
    E,
    OFF,
    "Negative figure",
    "'{value}' is negative, which this indicator cannot be.",
    "Check the figure and type it again.",
)
_kind(
    "value-implausible",
    W,
    OFF,
    "Figure outside the usual range",
    "{value} is outside the plausible range for this indicator ({detail}).",
    "Check the figure; if it is right, say why in the comment.",
)
_kind(
    "value-blank",
    E,
    OFF,
    "Figure missing",
    "No figure was given but the status is 'available'.",
    "Type the figure, or change the status to 'not available' and say why in the comment.",
)
_kind(
    "value-with-na-status",
    W,
    OFF,
    "Figure given but marked not available",
    "A figure ({value}) was given but the status says '{detail}'; the figure was ignored.",
    "Clear the figure, or set the status to 'available'.",
)
_kind(
    "status-due",
    E,
    OFF,
    "Marked not due, but due",
    "The status says 'not due', but this indicator is due this period ({detail}).",
    "Give the figure, or choose 'not available' and say why in the comment.",
)
_kind(
    "value-not-due",
    W,
    OFF,
    "Figure given when not due",
    "A figure ({value}) was given although the indicator is not due this period; it was used.",
    "Nothing to do if the figure is right.",
)
_kind(
    "numerator-above-denominator",
    E,
    OFF,
    "Numerator above denominator",
    "The numerator ({value}) is larger than the denominator ({detail}).",
    "Check both counts: the numerator is the part, the denominator the whole.",
)
_kind(
    "denominator-zero",
    E,
    OFF,
    "Denominator is zero",
    "The denominator is zero, so no percentage can be worked out.",
    "Give the real denominator, or set the status to 'not available'.",
)
_kind(
    "fraction-incomplete",
    E,
    OFF,
    "Numerator or denominator missing",
    "Only one of numerator and denominator was given.",
    "Give both counts, or neither and the figure itself.",
)
_kind(
    "fraction-disagrees",
    W,
    OFF,
    "Figure disagrees with its counts",
    "The figure {value} does not match the numerator and denominator ({detail}).",
    "The counts were used; correct the figure or the counts.",
)
_kind(
    "small-denominator",
    W,
    OFF,
    "Small numbers",
    "The figure rests on a denominator of {value}; a small change moves it a lot.",
    "Nothing to fix: say in the comment how many cases the figure rests on.",
)
_kind(
    "status-unknown",
    E,
    OFF,
    "Unknown status",
    "'{value}' is not a status.",
    "Choose one from the drop-down: available, not available or not due.",
)
_kind(
    "flag-unknown",
    E,
    OFF,
    "Unknown yes/no value",
    "'{value}' is not Yes or No.",
    "Choose Yes or No from the drop-down.",
)
_kind(
    "comment-missing",
    W,
    OFF,
    "Comment missing",
    "The figure is {detail} against target but there is no comment.",
    "Explain the figure in the comment column.",
)
_kind(
    "action-missing",
    W,
    OFF,
    "Corrective action missing",
    "The figure is RED but there is no corrective action.",
    "Say what is being done to bring the figure back on target.",
)
_kind(
    "reason-missing",
    W,
    OFF,
    "Reason missing",
    "The figure is marked '{detail}' but the comment does not say why.",
    "Say in the comment why the figure is not available, and when it will be.",
)
_kind(
    "comment-repeated",
    W,
    OFF,
    "Comment unchanged",
    "The comment is the same as last period's.",
    "Update the comment for this period.",
)
_kind(
    "text-too-long",
    W,
    OFF,
    "Text too long",
    "The text is {detail} characters long; over {expected} makes the printed report hard to read.",
    "Shorten it if you can; the full text was kept.",
)

# --- register and history (the performance team's files) ------------------------------------
_kind(
    "register-invalid",
    E,
    TEAM,
    "Register entry not valid",
    "{detail}",
    "Correct the register and run again.",
)
_kind(
    "register-duplicate-id",
    E,
    TEAM,
    "Indicator id used twice",
    "The indicator id '{value}' is used on more than one row ({detail}).",
    "Give each indicator its own id; ids must never change between years.",
)
_kind(
    "text-cut",
    W,
    TEAM,
    "Text cut on the board",
    "The text is {detail} characters long, more than an Excel cell holds ({expected}): the "
    "board shows its start, marked as cut; the JSON output has all of it.",
    "Ask the officer to shorten it to a few paragraphs and keep long reports in a document "
    "of their own.",
)
_kind(
    "target-percent-fraction",
    E,
    TEAM,
    "Percentage target typed as a fraction",
    "The target {value} would be read as {value}%, not {detail}%.",
    "For {detail}% type {detail} (or format the cell as a percentage); for {value}% type {value}%.",
)
_kind(
    "settings-missing",
    E,
    TEAM,
    "Settings sheet missing",
    "The register has no '{sheet}' sheet (sheets found: {detail}), so its reporting year, "
    "tolerance, labels and deadline are unknown.",
    "Name the sheet 'Settings' again, or copy it from a register made by kpi-excel "
    "new-register and fill it in.",
)
_kind(
    "settings-invalid",
    E,
    TEAM,
    "Setting not valid",
    "{detail}",
    "Correct the Settings sheet of the register.",
)
_kind(
    "figure-precision-decides",
    W,
    TEAM,
    "Rounding decides a rating or arrow",
    "{detail}",
    "Check the figure: the rating or arrow follows the figure as shown. If the register's "
    "Decimals hide places that matter, give it more (or leave it blank: figures as recorded).",
)
_kind(
    "register-wrong-year",
    E,
    TEAM,
    "Register is for another year",
    "The register is for {detail}",
    "Give the register for the period's year, or make next year's register with "
    "'kpi-excel new-year' and review its targets.",
)
_kind(
    "file-too-big-to-read",
    E,
    TEAM,
    "File too large",
    "The file is {detail}, more than a {expected} can need.",
    "Check that this is the right file; split it if it really holds that much.",
)
_kind(
    "history-invalid",
    E,
    TEAM,
    "History entry not valid",
    "{detail}",
    "Correct the history file and run again.",
)
_kind(
    "history-unknown-id",
    W,
    TEAM,
    "History for an unknown indicator",
    "History has figures for '{value}', which is not in the register; they were ignored.",
    "Remove the rows, or add the indicator to the register.",
)
_kind(
    "closed-period-differs",
    W,
    TEAM,
    "Differs from the closed period",
    "{detail} is closed with {expected}, but this gives {value}.",
    "A closed period is changed only by a correction, which keeps who, when and why: "
    "kpi-excel correct --period ... --id ... --value ... --why ....",
)
_kind(
    "published-arrow-disagrees",
    W,
    TEAM,
    "Published arrow disagrees",
    "{detail}",
    "Use the computed arrow: the published one contradicts its own figures.",
)
_kind(
    "published-rag-disagrees",
    W,
    TEAM,
    "Published rating disagrees",
    "{detail}",
    "Use the computed rating, or write the key the report used on the Settings sheet "
    "(docs/rules.md) if the register's key is not the one it used.",
)
_kind(
    "published-rag-inconsistent",
    W,
    TEAM,
    "Published ratings no single key explains",
    "{detail}",
    "Check these ratings by hand: a key of bands rates a bigger shortfall no better than a "
    "smaller one, unless its bands depend on the direction of travel.",
)


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
