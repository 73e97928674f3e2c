"""The catalogue of problem kinds: each with a stable code, a severity, who acts on it, a title,
and message and fix templates (after frictionless-py). This module holds the kinds an officer
fixes in a return; catalogue_team.py those the performance team and whoever runs kpi-excel fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


def define(
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
define(
    "file-missing",
    E,
    RUN,
    "File not found",
    "The file {file} does not exist.",
    "Check the path and try again.",
)
define(
    "file-empty",
    E,
    OFF,
    "Empty file",
    "The file is empty (0 bytes).",
    "Save the return again from Excel and resend it.",
)
define(
    "file-not-xlsx",
    E,
    OFF,
    "Not an Excel workbook",
    "The file is not an .xlsx workbook: it looks like {detail}.",
    "Open the return template in Excel, fill it in and save it as an Excel Workbook (.xlsx).",
)
define(
    "file-xls",
    E,
    OFF,
    "Old Excel format (.xls)",
    "The file is in the old Excel 97-2003 format (.xls), which kpi-excel does not read.",
    "Open it in Excel and use File > Save As > Excel Workbook (.xlsx).",
)
define(
    "file-macro",
    E,
    OFF,
    "Macro-enabled workbook",
    "The file is a macro-enabled workbook (.xlsm); returns must not contain macros.",
    "Save it as an Excel Workbook (.xlsx) and resend it.",
)
define(
    "file-encrypted",
    E,
    OFF,
    "Password-protected workbook",
    "The workbook is protected with a password to open, so it cannot be read.",
    "Remove the password to open (File > Info > Protect Workbook) and resend it.",
)
define(
    "file-corrupt",
    E,
    OFF,
    "Damaged workbook",
    "The workbook is damaged and cannot be opened ({detail}).",
    "Open the return in Excel; if Excel repairs it, save it again and resend it.",
)
define(
    "file-too-large",
    E,
    OFF,
    "Workbook too large",
    "The workbook expands to {detail}, more than a return can need.",
    "Copy the figures into a fresh template and resend it.",
)
define(
    "file-fault",
    E,
    RUN,
    "Return could not be read",
    "kpi-excel met a fault it did not foresee reading this file ({detail}); the other returns "
    "were read.",
    "Run again with --debug and report what it shows; meanwhile ask the officer to copy the "
    "figures into a fresh template.",
)
define(
    "file-not-regular",
    E,
    RUN,
    "Not a file",
    "{file} is {detail}, not a file, so it is not read.",
    "Name the file itself; kpi-excel reads only ordinary files and folders of them.",
)
define(
    "file-beyond-limits",
    E,
    OFF,
    "Cells beyond Excel's limits",
    "The workbook names cells no spreadsheet can have ({detail}), so it was not made by Excel.",
    "Copy the figures into a fresh template and resend it.",
)
define(
    "file-xml-entities",
    E,
    OFF,
    "Unsafe workbook content",
    "The workbook contains XML entity declarations, which a real Excel file never has.",
    "Copy the figures into a fresh template and resend it.",
)
define(
    "file-external-link",
    W,
    OFF,
    "Links to other workbooks",
    "The workbook links to other files ({detail}); linked figures are not trusted.",
    "Type the figures in as values (Data > Edit Links > Break Link) and resend it.",
)
define(
    "file-embedded-object",
    W,
    OFF,
    "Embedded objects",
    "The workbook contains embedded objects or macros ({detail}); they are ignored.",
    "Remove them and resend the return as a plain .xlsx.",
)
define(
    "file-unreadable",
    E,
    RUN,
    "File cannot be read",
    "The file could not be read: {detail}.",
    "Check the file is not open elsewhere and that you can read it, then try again.",
)
define(
    "file-kpi-excel-output",
    E,
    RUN,
    "A file kpi-excel wrote",
    "This is a {detail} file kpi-excel wrote, not a return, so it is not read.",
    "Move it out of the returns folder. An officer who fixes a feedback copy saves it in "
    "Excel and sends it back; that copy is read.",
)

# --- template identity ---------------------------------------------------------------------
define(
    "sheet-missing",
    E,
    OFF,
    "Return sheet missing",
    "The sheet '{sheet}' is missing (sheets found: {detail}).",
    "Use the return template as sent: do not rename or delete its sheets.",
)
define(
    "sheet-hidden",
    W,
    OFF,
    "Return sheet hidden",
    "The sheet '{sheet}' has been hidden.",
    "Unhide it (right-click a sheet tab > Unhide); the figures on it were still read.",
)
define(
    "sheet-renamed",
    W,
    OFF,
    "Return sheet renamed",
    "The sheet '{expected}' has been renamed '{sheet}'; it was read all the same.",
    "Please rename it back to '{expected}' (double-click the sheet tab).",
)
define(
    "metadata-missing",
    E,
    OFF,
    "Not a kpi-excel return",
    "The workbook has no kpi-excel template details, so it is not a return made from the "
    "current template.",
    "Fill in the return template the performance team sent for this period.",
)
define(
    "metadata-edited",
    E,
    OFF,
    "Template details edited",
    "The template details have been changed ({detail}).",
    "Use a fresh copy of the return template sent for this period.",
)
define(
    "template-old-version",
    W,
    OFF,
    "Older template",
    "This return was made from template version {detail}; the current version is {expected}.",
    "It was read, but please use the latest template next time.",
)
define(
    "template-unsupported-version",
    E,
    OFF,
    "Template version not readable",
    "This return was made from template version {detail}, which this kpi-excel cannot read "
    "(it reads version {expected}).",
    "Copy the figures into the return template sent for this period and resend it.",
)
define(
    "template-newer-version",
    W,
    TEAM,
    "Template from a newer kpi-excel",
    "This return was made from template version {detail}, newer than the version {expected} "
    "this kpi-excel writes; it was read.",
    "Update kpi-excel, so the newer template's checks are applied.",
)
define(
    "template-wrong-period",
    E,
    OFF,
    "Return for another period",
    "This return is for {detail}, but the report is for {expected}.",
    "Fill in the return template for {expected}.",
)
define(
    "template-unknown-service",
    E,
    OFF,
    "Unknown service area",
    "This return is for service area '{detail}', which is not in the indicator register.",
    "Check you were sent the right template; the performance team can add the service area.",
)
define(
    "template-other-service",
    W,
    OFF,
    "Another service area's template",
    "The file is named as the return for '{expected}' but it is the template for '{detail}'.",
    "It was read as {detail}'s return. If {expected} filled in the wrong template, fill in "
    "your own and resend it.",
)
define(
    "template-stale-register",
    W,
    OFF,
    "Template from an older register",
    "This return was made before the indicator register last changed.",
    "It was read; the performance team will check the targets shown in it.",
)
define(
    "return-duplicate",
    W,
    TEAM,
    "Two returns for one service area",
    "Two returns came in for '{detail}': {expected} was used and this one ignored.",
    "Delete the older file from the returns folder, or ignore this if the newer one is right.",
)
define(
    "return-missing",
    E,
    TEAM,
    "Return not received",
    "No return has been received from '{detail}'.",
    "Chase the service area; its indicators are shown as data not available.",
)

# --- rows ----------------------------------------------------------------------------------
define(
    "column-missing",
    E,
    OFF,
    "Column missing",
    "The column '{detail}' is missing from the header row of the return.",
    "Use a fresh copy of the template: do not delete or rename its columns.",
)
define(
    "row-unknown-id",
    E,
    OFF,
    "Unknown indicator id",
    "The indicator id '{value}' is not one of this service area's indicators.",
    "Do not edit the ID column: copy the row back from a fresh template.",
)
define(
    "row-no-id",
    E,
    OFF,
    "Entries on a row with no indicator id",
    "This row has entries but no indicator id, so they belong to no indicator.",
    "Type only on the template's rows; if you inserted this row, move its entries to the "
    "indicator's own row and delete it.",
)
define(
    "row-missing",
    E,
    OFF,
    "Indicator row missing",
    "The row for indicator {indicator_id} has been deleted.",
    "Copy the row back from a fresh template and fill it in.",
)
define(
    "row-duplicate",
    E,
    OFF,
    "Indicator row duplicated",
    "Indicator {indicator_id} appears more than once (first at {detail}); only the first was read.",
    "Delete the extra row.",
)
define(
    "row-moved",
    W,
    OFF,
    "Rows moved",
    "Indicator {indicator_id} is not on the row the template put it on.",
    "It was read by its id, so nothing is lost; please keep the template's order.",
)
define(
    "merged-cells",
    E,
    OFF,
    "Merged cells",
    "Cells {detail} are merged in the input area.",
    "Unmerge them (Home > Merge & Center > Unmerge Cells) and re-enter the figures.",
)

# --- input cells ---------------------------------------------------------------------------
define(
    "value-not-number",
    E,
    OFF,
    "Not a number",
    "'{value}' is not a number.",
    "Type the figure as a number, e.g. 83 for 83%, or choose a status of 'not available'.",
)
define(
    "value-not-usable",
    E,
    OFF,
    "Not a usable figure",
    "'{value}' cannot be a figure: {detail}.",
    "Type the figure itself as a plain number, e.g. 83 for 83%.",
)
define(
    "value-date",
    E,
    OFF,
    "Date in a number cell",
    "The cell holds a date ({value}), not a figure.",
    "Type the figure as a plain number; clear the cell's date format if Excel changed it.",
)
define(
    "value-boolean",
    E,
    OFF,
    "TRUE/FALSE in a number cell",
    "The cell holds {value}, not a figure.",
    "Type the figure as a number.",
)
define(
    "value-excel-error",
    E,
    OFF,
    "Excel error",
    "The cell shows the Excel error {value}.",
    "Replace the formula with the figure itself.",
)
define(
    "value-formula",
    E,
    OFF,
    "Formula in an input cell",
    "The cell holds a formula ({value}); only typed entries are accepted.",
    "Copy the cell and use Paste Special > Values, so the figure or words themselves are stored.",
)
define(
    "value-formula-no-result",
    E,
    OFF,
    "Formula with no saved result",
    "The cell holds a formula ({value}) with no saved result.",
    "Replace the formula with the figure itself.",
)
define(
    "value-percent-scale",
    W,
    OFF,
    "Percentage typed as a fraction",
    "'{value}' was read as {detail}.",
    "Nothing to do if that is right; next time type the percentage as a number, e.g. 83 "
    "for 83% (typing 83% stores 0.83).",
)
define(
    "value-percent-out-of-range",
    E,
    OFF,
    "Percentage out of range",
    "'{value}' is not a percentage between 0% and 100%.",
    "Type the percentage between 0 and 100, e.g. 83 for 83%.",
)
define(
    "value-text-number",
    W,
    OFF,
    "Number typed as text",
    "'{value}' was typed as text and read as {detail}.",
    "Nothing to do if that is right; next time type the number alone.",
)
define(
    "value-wrong-unit",
    E,
    OFF,
    "Wrong unit",
    "'{value}' is in a unit this indicator is not measured in ({detail}).",
    "Give the figure in {expected}.",
)
define(
    "value-negative",
    E,
    OFF,
    "Negative figure",
    "'{value}' is negative, which this indicator cannot be.",
    "Check the figure and type it again.",
)
define(
    "value-implausible",
    W,
    OFF,
    "Figure outside the usual range",
    "{value} is outside the plausible range for this indicator ({detail}).",
    "Check the figure; if it is right, say why in the comment.",
)
define(
    "value-blank",
    E,
    OFF,
    "Figure missing",
    "No figure was given but the status is 'available'.",
    "Type the figure, or change the status to 'not available' and say why in the comment.",
)
define(
    "value-with-na-status",
    W,
    OFF,
    "Figure given but marked not available",
    "A figure ({value}) was given but the status says '{detail}'; the figure was ignored.",
    "Clear the figure, or set the status to 'available'.",
)
define(
    "status-due",
    E,
    OFF,
    "Marked not due, but due",
    "The status says 'not due', but this indicator is due this period ({detail}).",
    "Give the figure, or choose 'not available' and say why in the comment.",
)
define(
    "value-not-due",
    W,
    OFF,
    "Figure given when not due",
    "A figure ({value}) was given although the indicator is not due this period; it was used.",
    "Nothing to do if the figure is right.",
)
define(
    "numerator-above-denominator",
    E,
    OFF,
    "Numerator above denominator",
    "The numerator ({value}) is larger than the denominator ({detail}).",
    "Check both counts: the numerator is the part, the denominator the whole.",
)
define(
    "denominator-zero",
    E,
    OFF,
    "Denominator is zero",
    "The denominator is zero, so no percentage can be worked out.",
    "Give the real denominator, or set the status to 'not available'.",
)
define(
    "fraction-incomplete",
    E,
    OFF,
    "Numerator or denominator missing",
    "Only one of numerator and denominator was given.",
    "Give both counts, or neither and the figure itself.",
)
define(
    "fraction-disagrees",
    W,
    OFF,
    "Figure disagrees with its counts",
    "The figure {value} does not match the numerator and denominator ({detail}).",
    "The counts were used; correct the figure or the counts.",
)
define(
    "small-denominator",
    W,
    OFF,
    "Small numbers",
    "The figure rests on a denominator of {value}; a small change moves it a lot.",
    "Nothing to fix: say in the comment how many cases the figure rests on.",
)
define(
    "status-unknown",
    E,
    OFF,
    "Unknown status",
    "'{value}' is not a status.",
    "Choose one from the drop-down: available, not available or not due.",
)
define(
    "flag-unknown",
    E,
    OFF,
    "Unknown yes/no value",
    "'{value}' is not Yes or No.",
    "Choose Yes or No from the drop-down.",
)
define(
    "comment-missing",
    W,
    OFF,
    "Comment missing",
    "The figure is {detail} against target but there is no comment.",
    "Explain the figure in the comment column.",
)
define(
    "action-missing",
    W,
    OFF,
    "Corrective action missing",
    "The figure is RED but there is no corrective action.",
    "Say what is being done to bring the figure back on target.",
)
define(
    "reason-missing",
    W,
    OFF,
    "Reason missing",
    "The figure is marked '{detail}' but the comment does not say why.",
    "Say in the comment why the figure is not available, and when it will be.",
)
define(
    "comment-repeated",
    W,
    OFF,
    "Comment unchanged",
    "The comment is the same as last period's.",
    "Update the comment for this period.",
)
define(
    "text-too-long",
    W,
    OFF,
    "Text too long",
    "The text is {detail} characters long; over {expected} makes the printed report hard to read.",
    "Shorten it if you can; the full text was kept.",
)
