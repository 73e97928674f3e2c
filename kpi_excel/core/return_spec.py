"""The return workbook's layout, defined once.

The template writer, the instructions sheet, the in-cell input messages and drop-downs, and the
reader all come from these definitions, so guidance and validation cannot drift apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .models import Status
from .periods import Period

TEMPLATE_VERSION = "1.0"
RETURN_SHEET = "Return"
INSTRUCTIONS_SHEET = "Instructions"
META_SHEET = "kpi_meta"  # hidden: template details the reader checks
LISTS_SHEET = "kpi_lists"  # hidden: drop-down sources (inline lists are capped at 255 chars)

HEADER_ROW = 8  # 1-based row of the table header
FIRST_DATA_ROW = HEADER_ROW + 1

# Keys of the metadata sheet (column A key, column B value).
META_KEYS = (
    "template_version",
    "period",
    "service_area",
    "register_fingerprint",
    "indicator_ids",
    "generated_by",
)

YES, NO = "Yes", "No"
STATUS_CHOICES = tuple(status.value for status in Status)
# What each status means, for the Status cell's input message and the Instructions sheet.
STATUS_HELP: dict[str, str] = {
    Status.AVAILABLE.value: "a figure is given",
    Status.NOT_AVAILABLE.value: "say why in the comment",
    Status.NOT_DUE.value: "the indicator is not reported this period",
}


class FieldKind(StrEnum):
    LOCKED = "locked"  # pre-filled by the template, read-only for officers
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"
    LIVE = "live"  # a formula that helps the officer; never read back


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    kind: FieldKind
    width: float
    help: str  # shown as the cell's input message and in the instructions
    choices: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field("id", "ID", FieldKind.LOCKED, 9, "The indicator's id. Never edit it."),
    Field("name", "Indicator", FieldKind.LOCKED, 40, "What is measured."),
    Field(
        "polarity",
        "Better is",
        FieldKind.LOCKED,
        10,
        "Whether a bigger or a smaller figure is better.",
    ),
    Field("unit", "Unit", FieldKind.LOCKED, 11, "The unit to give the figure in."),
    Field(
        "target",
        "Target this period",
        FieldKind.LOCKED,
        13,
        "The target for this period, from the indicator register.",
    ),
    Field(
        "previous",
        "Last period",
        FieldKind.LOCKED,
        12,
        "The figure reported last period, for reference.",
    ),
    Field(
        "last_year",
        "Same period last year",
        FieldKind.LOCKED,
        12,
        "The figure reported for this period last year, for reference.",
    ),
    Field(
        "value",
        "Figure",
        FieldKind.NUMBER,
        11,
        "Type this period's figure as a number in the unit shown: for 83% type 83. "
        "Leave blank if not available and choose the status.",
    ),
    Field(
        "numerator",
        "Numerator",
        FieldKind.NUMBER,
        11,
        "Optional: the count the percentage is made of (e.g. complaints closed in time).",
    ),
    Field(
        "denominator",
        "Denominator",
        FieldKind.NUMBER,
        11,
        "Optional: the total the percentage is out of (e.g. all complaints closed).",
    ),
    Field(
        "status",
        "Status",
        FieldKind.CHOICE,
        14,
        " ".join(f"{status}: {meaning}." for status, meaning in STATUS_HELP.items()),
        STATUS_CHOICES,
    ),
    Field(
        "provisional",
        "Provisional?",
        FieldKind.CHOICE,
        11,
        "Yes if the figure may still change.",
        (YES, NO),
    ),
    Field(
        "average",
        "Average?",
        FieldKind.CHOICE,
        10,
        "Yes if the figure is an average over the period (printed '(avg.)').",
        (YES, NO),
    ),
    Field(
        "live_rating",
        "Rating (guide)",
        FieldKind.LIVE,
        10,
        "The rating the figure will get, worked out as you type by the run's own rules.",
    ),
    Field(
        "live_check",
        "Check",
        FieldKind.LIVE,
        30,
        "What the performance team's check will say of this row: OK, Check: (look again), "
        "Error: (to fix), or Will be checked (text typed in a number cell).",
    ),
    Field(
        "comment",
        "Comment",
        FieldKind.TEXT,
        50,
        "Explain the figure for the board. Required when the figure is off target.",
    ),
    Field(
        "corrective_action",
        "Corrective action",
        FieldKind.TEXT,
        40,
        "What is being done to bring it back on target. Required when the figure is RED.",
    ),
)

INPUT_KEYS = tuple(
    f.key for f in FIELDS if f.kind in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT)
)

# Words officers type that mean something (domain notes section 5). Lower-cased, stripped.
NOT_AVAILABLE_TOKENS = frozenset(
    {"n/a", "na", "-", "–", "not available", "awaited", "tbc", "not yet available", "nya"}
)
NOT_DUE_TOKENS = frozenset({"not due", "n/d"})
SMALL_DENOMINATOR = 10  # counts below this are flagged: a percentage of nine leavers is shaky
MAX_COMMENT_CHARS = 2500  # the example report's longest comment is about 1,550


@lru_cache(maxsize=4096)  # the reader asks for the same few columns on every row
def column_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 27 -> AB (the one definition)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_of(key: str) -> str:
    """The template's column letter for a field."""
    for index, field in enumerate(FIELDS):
        if field.key == key:
            return column_letter(index)
    raise KeyError(key)


# --- file names: the templates are named so, and officers send them back so ----------

MAX_SLUG_CHARS = 60  # keeps whole paths well inside Windows' 260-character limit


def template_file_name(service_area: str, period: Period) -> str:
    """'2017-18-Q1-childrens-services.xlsx': lower case, ASCII, safe on Windows and the web."""
    return f"{_period_slug(period)}-{_slug(service_area)}.xlsx"


def _period_slug(period: Period) -> str:
    year = f"{period.year}-{(period.year + 1) % 100:02d}"
    if period.month is not None:
        return f"{year}-M{period.month:02d}"
    return year if period.quarter is None else f"{year}-Q{period.quarter}"


def _slug(text: str) -> str:
    # Apostrophes join their word ("Children's" -> "childrens"); "&" reads as "and".
    text = re.sub(r"['\u2019`]", "", text).replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG_CHARS:
        slug = slug[:MAX_SLUG_CHARS].rsplit("-", 1)[0]
    # A name with no Latin letters at all still needs a distinct, stable file name.
    return slug or f"service-area-{short_hash(text)}"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
