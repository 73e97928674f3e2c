"""The Return sheet of the officers' template, laid out from return_spec.FIELDS.

Rows 1 to HEADER_ROW-1 say who the return is for and when it is due; HEADER_ROW holds the field
headers; from FIRST_DATA_ROW there is one row per indicator in register order, with a column
per field in FIELDS order (return_spec.column_of gives the letter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from ..core import return_spec as spec
from ..core.deadlines import deadline_for
from ..core.display import POLARITY_WORDS, format_target, rag_key_sentence
from ..core.models import (
    HistoryPoint,
    Indicator,
    Settings,
    Status,
    TargetKind,
    Unit,
)
from ..core.periods import Period
from ..core.return_spec import FIELDS, Field, FieldKind
from ..core.targets import resolve_target
from ..xlsx.styles import BOLD_WIDTH, LINE_HEIGHT, RAG_RULES, lines_needed, number_format
from ..xlsx.write import PrintSetup, Sheet, Validation
from .formulas import WORK_COLUMN, RowGuide, rating_bands, row_formulas
from .sheets import DUE_STATUSES, previous_comment_ref

# What an officer sees before touching a row. The reader treats these like typed values.
PREFILLED_NO = {"provisional": spec.NO, "average": spec.NO}

COLUMN = {field.key: index for index, field in enumerate(FIELDS)}
SMALL_LINE_HEIGHT = 11.0  # points per line of the 8pt description under a name


@dataclass(frozen=True)
class Context:
    """Everything a row needs that is the same for the whole sheet."""

    settings: Settings
    period: Period
    previous: Mapping[str, HistoryPoint]
    last_year: Mapping[str, HistoryPoint]
    list_ranges: Mapping[tuple[str, ...], str]  # choices -> absolute range on the lists sheet
    previous_comments: Mapping[str, str] = dataclass_field(
        default_factory=dict
    )  # id -> last comment


def unit_label(indicator: Indicator) -> str:
    if indicator.unit is Unit.PERCENT:
        return "%"
    if indicator.unit is Unit.MONEY:
        return "£"
    return indicator.suffix or "number"


def deadline_text(settings: Settings, period: Period) -> str:
    due = deadline_for(settings.return_deadline, period).due
    return f"Return by: {due:%A} {due.day} {due:%B %Y}"


def period_text(period: Period) -> str:
    start, end = period.start_date(), period.end_date()
    return f"Period: {period} ({start.day} {start:%B %Y} to {end.day} {end:%B %Y})"


def cell(key: str, row: int) -> str:
    """A1 reference of a field's cell on a 0-based row."""
    return f"{spec.column_of(key)}{row + 1}"


def write_return_sheet(
    sheet: Sheet, indicators: list[Indicator], service_area: str, context: Context
) -> None:
    _write_heading(sheet, service_area, context)
    header_row = spec.HEADER_ROW - 1
    header_lines = 1
    for column, field in enumerate(FIELDS):
        sheet.column_width(column, column, field.width)
        sheet.string(header_row, column, field.header, "header")
        header_lines = max(header_lines, lines_needed(field.header, field.width * BOLD_WIDTH))
    sheet.row_height(header_row, LINE_HEIGHT * header_lines + 4)

    first = spec.FIRST_DATA_ROW - 1
    for offset, indicator in enumerate(indicators):
        _write_row(sheet, first + offset, indicator, context)
    last = first + len(indicators) - 1
    _add_validations(sheet, indicators, first, last, context)
    _add_live_colours(sheet, first, last, context)
    _set_up_sheet(sheet, service_area, context)


def _write_heading(sheet: Sheet, service_area: str, context: Context) -> None:
    settings, period = context.settings, context.period
    previous, last_year = period.previous(), period.same_period_last_year()
    lines = [
        (f"{settings.organisation}: Performance return", "title"),
        (f"Service area: {service_area}", "subtitle"),
        (period_text(period), "subtitle"),
        (deadline_text(settings, period), "subtitle"),
        (
            "Fill in the yellow cells on each row; grey cells are filled in for you. "
            "Select a cell for help, or see the Instructions sheet.",
            "bold",
        ),
        (
            f"Percentages: type 83 for 83%. 'Last period' is {previous}; "
            f"'Same period last year' is {last_year}.",
            "note",
        ),
        (f"Rating (guide): {rag_key_sentence(settings)}", "note"),
    ]
    # The heading block must fit above the header row the reader looks for.
    for row, (text, style) in enumerate(lines[: spec.HEADER_ROW - 1]):
        sheet.string(row, 0, text, style)
    sheet.row_height(0, 20)


# --- one indicator row --------------------------------------------------------------------


def _write_row(sheet: Sheet, row: int, indicator: Indicator, context: Context) -> None:
    period = context.period
    guide = RowGuide(
        indicator=indicator,
        due=indicator.due_for(period),
        bands=rating_bands(indicator, resolve_target(indicator, period), context.settings, period),
        previous_comment=(
            previous_comment_ref(row - (spec.FIRST_DATA_ROW - 1))
            if context.previous_comments.get(indicator.id)
            else None
        ),
    )
    formulas = row_formulas(guide, row)
    height = LINE_HEIGHT
    for column, field in enumerate(FIELDS):
        if field.kind is FieldKind.LOCKED:
            height = max(
                height, _LOCKED_WRITERS[field.key](sheet, row, column, field, indicator, context)
            )
        elif field.kind is FieldKind.LIVE:
            _write_live(sheet, row, column, field, formulas[field.key])
        else:
            _write_input(sheet, row, column, field, indicator, context)
    for key, column in WORK_COLUMN.items():
        # The cached result "" keeps a file never opened in Excel free of stale guesses.
        sheet.formula(row, column, formulas[key], "live")
    # Room for two lines at least, so a typed comment shows without resizing the row.
    sheet.row_height(row, max(LINE_HEIGHT * 2, height) + 3)


def _write_id(sheet, row, column, field, indicator, context) -> float:
    sheet.string(row, column, indicator.id, "locked")
    return lines_needed(indicator.id, field.width) * LINE_HEIGHT


def _write_name(sheet, row, column, field, indicator, context) -> float:
    height = lines_needed(indicator.name, field.width * BOLD_WIDTH) * LINE_HEIGHT
    if not indicator.description:
        sheet.string(row, column, indicator.name, "locked_bold")
        return height
    parts = [("piece_name", indicator.name), ("piece_small", "\n" + indicator.description)]
    sheet.rich_string(row, column, parts, "locked")
    # 8 pt text: a fifth more characters to a line than 10 pt
    small_lines = lines_needed(indicator.description, field.width * 1.2)
    return height + small_lines * SMALL_LINE_HEIGHT


def _write_polarity(sheet, row, column, field, indicator, context) -> float:
    sheet.string(row, column, POLARITY_WORDS[indicator.polarity].short, "locked_centre")
    return LINE_HEIGHT


def _write_unit(sheet, row, column, field, indicator, context) -> float:
    label = unit_label(indicator)
    sheet.string(row, column, label, "locked_centre")
    return lines_needed(label, field.width) * LINE_HEIGHT


def _write_figure(sheet, row, column, field, indicator, context, value, text) -> float:
    """A locked figure: the number under the indicator's format, or else the text (centred;
    blank when there is none). Returns the row height it needs."""
    if value is not None:
        sheet.number(row, column, value, "locked", number_format(indicator, typed=True))
        return LINE_HEIGHT
    if not text:
        sheet.blank(row, column, "locked_centre")
        return LINE_HEIGHT
    sheet.string(row, column, text, "locked_centre")
    return lines_needed(text, field.width) * LINE_HEIGHT


def _write_target(sheet, row, column, field, indicator, context) -> float:
    target = resolve_target(indicator, context.period).target
    if target.kind is TargetKind.VALUE and target.value is not None:
        value, text = target.value, ""
    else:
        value, text = None, format_target(indicator, target) or "N/A"
    return _write_figure(sheet, row, column, field, indicator, context, value, text)


def _history_writer(which: str) -> Callable[..., float]:
    def write(sheet, row, column, field, indicator, context) -> float:
        points = context.previous if which == "previous" else context.last_year
        point = points.get(indicator.id)
        value = point.value if point is not None else None
        text = (point.token or "") if point is not None else ""
        return _write_figure(sheet, row, column, field, indicator, context, value, text)

    return write


_LOCKED_WRITERS: dict[str, Callable[..., float]] = {
    "id": _write_id,
    "name": _write_name,
    "polarity": _write_polarity,
    "unit": _write_unit,
    "target": _write_target,
    "previous": _history_writer("previous"),
    "last_year": _history_writer("last_year"),
}
# A field added to return_spec without a writer must fail loudly, not leave a blank column.
_LIVE_KEYS = ("live_rating", "live_check")
_MISSING = [
    f.key
    for f in FIELDS
    if (f.kind is FieldKind.LOCKED and f.key not in _LOCKED_WRITERS)
    or (f.kind is FieldKind.LIVE and f.key not in _LIVE_KEYS)
]
if _MISSING:
    raise RuntimeError(f"templates/return_sheet.py has no writer for field(s) {_MISSING}")


def _write_input(sheet, row, column, field: Field, indicator: Indicator, context: Context) -> None:
    if field.key in ("numerator", "denominator") and not indicator.uses_fraction:
        sheet.blank(row, column, "not_applicable")
        return
    if field.kind is FieldKind.NUMBER:
        sheet.blank(row, column, "input", _input_number_format(field, indicator))
        return
    if field.kind is FieldKind.TEXT:
        sheet.blank(row, column, "input_text")
        return
    text = _prefill(field, indicator, context.period)
    style = "input_centre"
    if field.key == "status" and text == Status.NOT_DUE.value:
        # Not due: nothing to choose. A figure typed anyway is still read (and queried).
        style = "locked_centre"
    sheet.string(row, column, text, style)  # blank when there is no text


def _input_number_format(field: Field, indicator: Indicator) -> str:
    if field.key == "value":
        return number_format(indicator, typed=True)
    # Counts may be fractional (bed-days, tonnes). Not General: the guide's formulas ask the
    # cell's format class, and Excel calls General "G", as Calc calls its date formats.
    return "0.##########"


def _prefill(field: Field, indicator: Indicator, period: Period) -> str:
    if field.key == "status":
        due = indicator.due_for(period)
        return (Status.AVAILABLE if due else Status.NOT_DUE).value
    return PREFILLED_NO.get(field.key, "")


def _write_live(sheet: Sheet, row: int, column: int, field: Field, formula: str) -> None:
    # The cached result "" keeps a file never opened in Excel free of stale guesses.
    sheet.formula(row, column, formula, "live_centre" if field.key == "live_rating" else "live")


# --- validation, colours, protection ------------------------------------------------------


def _add_validations(
    sheet: Sheet, indicators: list[Indicator], first: int, last: int, context: Context
) -> None:
    for column, field in enumerate(FIELDS):
        if field.kind not in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT):
            continue
        rule = _validation(field, context)
        if field.key == "status":
            _add_status_validations(sheet, indicators, first, column, rule, context)
        elif field.key in ("numerator", "denominator"):
            rows = [first + i for i, ind in enumerate(indicators) if ind.uses_fraction]
            for row in rows:
                sheet.validate(row, column, row, column, rule)
        else:
            sheet.validate(first, column, last, column, rule)


def _add_status_validations(
    sheet: Sheet,
    indicators: list[Indicator],
    first: int,
    column: int,
    rule: Validation,
    context: Context,
) -> None:
    """Due rows choose between the statuses that fit a due indicator ("not due" would be an
    error); not-due rows are locked at "not due"."""
    due_rule = replace(
        rule,
        source="=" + context.list_ranges[DUE_STATUSES],
        error="Choose one of: " + ", ".join(DUE_STATUSES) + ".",
    )
    for offset, indicator in enumerate(indicators):
        if indicator.due_for(context.period):
            row = first + offset
            sheet.validate(row, column, row, column, due_rule)


def _validation(field: Field, context: Context) -> Validation:
    help_words = {"help_title": field.header, "help": field.help}
    if field.kind is FieldKind.NUMBER:
        # Any number; a word such as "N/A" is questioned, not refused (a warning), since the
        # reader understands the words listed on the Instructions sheet.
        return Validation(
            "decimal",
            minimum=-1e15,
            maximum=1e15,
            error_title="Not a number",
            error="This cell expects a number. Keep it only if it is one of the words on the "
            "Instructions sheet (such as N/A); otherwise retype.",
            **help_words,
        )
    if field.kind is FieldKind.CHOICE:
        return Validation(
            "list",
            source="=" + context.list_ranges[field.choices],
            stop=True,
            error_title="Choose from the list",
            error="Choose one of: " + ", ".join(field.choices) + ".",
            **help_words,
        )
    return Validation(
        "length",
        most=spec.MAX_COMMENT_CHARS,
        error_title="Long text",
        error=f"The board report shows at most {spec.MAX_COMMENT_CHARS} characters; "
        "please shorten it.",
        **help_words,
    )


# The Check column's verdicts, by the word each starts with.
CHECK_STYLES = {"OK": "cf_ok", "Error": "cf_error", "Check": "cf_check", "Will": "cf_pending"}


def _add_live_colours(sheet: Sheet, first: int, last: int, context: Context) -> None:
    column = COLUMN["live_rating"]
    top = cell("live_rating", first)
    for word, style in RAG_RULES.items():  # the live rating, coloured as the board colours it
        sheet.conditional_formula(first, column, last, column, f'={top}="{word}"', style)
    column = COLUMN["live_check"]
    top = cell("live_check", first)
    # Text, not colour alone, carries the verdict; the colours only help it stand out.
    for start, style in CHECK_STYLES.items():
        rule = f'=LEFT({top},{len(start)})="{start}"'
        sheet.conditional_formula(first, column, last, column, rule, style)
    # The guide's working columns: needed by the formulas, of no interest to the officer.
    columns = sorted(WORK_COLUMN.values())
    sheet.column_width(columns[0], columns[-1], 4, hidden=True)


def _set_up_sheet(sheet: Sheet, service_area: str, context: Context) -> None:
    sheet.freeze(spec.HEADER_ROW, COLUMN["name"] + 1)
    footer_area = service_area.replace("&", "&&")
    sheet.print_setup(
        PrintSetup(
            repeat_rows=(spec.HEADER_ROW - 1, spec.HEADER_ROW - 1),
            footer=f"&L{footer_area}&C{context.period}&RPage &P of &N",
        )
    )
    sheet.hide_gridlines()
    # A little smaller than 100%, so the guide beside the inputs fits the first screen.
    sheet.zoom(85)
    sheet.protect()
    sheet.activate()
