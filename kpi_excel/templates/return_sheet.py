"""The Return sheet of the officers' template, laid out from return_spec.FIELDS.

Rows 1 to HEADER_ROW-1 say who the return is for and when it is due; HEADER_ROW holds the field
headers; from FIRST_DATA_ROW there is one row per indicator in register order, with a column
per field in FIELDS order (return_spec.column_of gives the letter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from xlsxwriter.worksheet import Worksheet

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
from .formulas import WORK_COLUMN, RowGuide, rating_bands, row_formulas
from .sheets import DUE_STATUSES, previous_comment_ref
from .xlsx import LINE_HEIGHT, MUTED_FONT, Formats, call, number_format, wrapped_lines

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
    formats: Formats
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
    sheet: Worksheet, indicators: list[Indicator], service_area: str, context: Context
) -> None:
    formats = context.formats
    _write_heading(sheet, service_area, context)
    header_row = spec.HEADER_ROW - 1
    header_lines = 1
    for column, field in enumerate(FIELDS):
        call(sheet, "set_column", column, column, field.width)
        call(sheet, "write_string", header_row, column, field.header, formats.get("header"))
        header_lines = max(header_lines, wrapped_lines(field.header, field.width, bold=True))
    call(sheet, "set_row", header_row, LINE_HEIGHT * header_lines + 4)

    first = spec.FIRST_DATA_ROW - 1
    for offset, indicator in enumerate(indicators):
        _write_row(sheet, first + offset, indicator, context)
    last = first + len(indicators) - 1
    _add_validations(sheet, indicators, first, last, context)
    _add_live_colours(sheet, first, last, context)
    _set_up_sheet(sheet, service_area, context)


def _write_heading(sheet: Worksheet, service_area: str, context: Context) -> None:
    formats, settings, period = context.formats, context.settings, context.period
    previous, last_year = period.previous(), period.same_period_last_year()
    lines = [
        (f"{settings.organisation}: Performance return", formats.get("title")),
        (f"Service area: {service_area}", formats.get("subtitle")),
        (period_text(period), formats.get("subtitle")),
        (deadline_text(settings, period), formats.get("subtitle")),
        (
            "Fill in the yellow cells on each row; grey cells are filled in for you. "
            "Select a cell for help, or see the Instructions sheet.",
            formats.get("note_bold"),
        ),
        (
            f"Percentages: type 83 for 83%. 'Last period' is {previous}; "
            f"'Same period last year' is {last_year}.",
            formats.get("note"),
        ),
        (
            f"Rating (guide): {rag_key_sentence(settings)}",
            formats.get("note"),
        ),
    ]
    # The heading block must fit above the header row the reader looks for.
    for row, (text, style) in enumerate(lines[: spec.HEADER_ROW - 1]):
        call(sheet, "write_string", row, 0, text, style)
    call(sheet, "set_row", 0, 20)


# --- one indicator row --------------------------------------------------------------------


def _write_row(sheet: Worksheet, row: int, indicator: Indicator, context: Context) -> None:
    formats = context.formats
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
            _write_live(sheet, row, column, field, formulas[field.key], formats)
        else:
            _write_input(sheet, row, column, field, indicator, context)
    for key, column in WORK_COLUMN.items():
        # The cached result "" keeps a file never opened in Excel free of stale guesses.
        call(sheet, "write_formula", row, column, formulas[key], formats.get("live"), "")
    # Room for two lines at least, so a typed comment shows without resizing the row.
    call(sheet, "set_row", row, max(LINE_HEIGHT * 2, height) + 3)


def _write_id(sheet, row, column, field, indicator, context) -> float:
    call(sheet, "write_string", row, column, indicator.id, context.formats.get("locked"))
    return wrapped_lines(indicator.id, field.width) * LINE_HEIGHT


def _write_name(sheet, row, column, field, indicator, context) -> float:
    formats = context.formats
    cell_format = formats.get("locked")
    height = wrapped_lines(indicator.name, field.width, bold=True) * LINE_HEIGHT
    if not indicator.description:
        call(sheet, "write_string", row, column, indicator.name, formats.get("locked", bold=True))
        return height
    small = formats.get(font_size=8, font_color="#404040")
    call(
        sheet,
        "write_rich_string",
        row,
        column,
        formats.get(bold=True),
        indicator.name,
        small,
        "\n" + indicator.description,
        cell_format,
    )
    return height + wrapped_lines(indicator.description, field.width * 1.2) * SMALL_LINE_HEIGHT


def _write_polarity(sheet, row, column, field, indicator, context) -> float:
    label = POLARITY_WORDS[indicator.polarity].short
    call(sheet, "write_string", row, column, label, context.formats.get("locked", align="center"))
    return LINE_HEIGHT


def _write_unit(sheet, row, column, field, indicator, context) -> float:
    label = unit_label(indicator)
    call(sheet, "write_string", row, column, label, context.formats.get("locked", align="center"))
    return wrapped_lines(label, field.width) * LINE_HEIGHT


def _write_figure(sheet, row, column, field, indicator, context, value, text) -> float:
    """A locked figure: the number under the indicator's format, or else the text (centred;
    blank when there is none). Returns the row height it needs."""
    formats = context.formats
    if value is not None:
        style = formats.get("locked", num_format=number_format(indicator))
        call(sheet, "write_number", row, column, value, style)
        return LINE_HEIGHT
    style = formats.get("locked", align="center")
    if not text:
        call(sheet, "write_blank", row, column, None, style)
        return LINE_HEIGHT
    call(sheet, "write_string", row, column, text, style)
    return wrapped_lines(text, field.width) * LINE_HEIGHT


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
    formats = context.formats
    if field.key in ("numerator", "denominator") and not indicator.uses_fraction:
        call(sheet, "write_blank", row, column, None, formats.get("not_applicable"))
        return
    if field.kind is FieldKind.NUMBER:
        call(
            sheet,
            "write_blank",
            row,
            column,
            None,
            formats.get("input", num_format=_input_number_format(field, indicator)),
        )
        return
    if field.kind is FieldKind.TEXT:
        call(sheet, "write_blank", row, column, None, formats.get("input", text_wrap=True))
        return
    text = _prefill(field, indicator, context.period)
    style = formats.get("input", align="center")
    if field.key == "status" and text == Status.NOT_DUE.value:
        # Not due: nothing to choose. A figure typed anyway is still read (and queried).
        style = formats.get("locked", align="center")
    if text:
        call(sheet, "write_string", row, column, text, style)
    else:
        call(sheet, "write_blank", row, column, None, style)


def _input_number_format(field: Field, indicator: Indicator) -> str:
    if field.key == "value":
        return number_format(indicator)
    # Counts may be fractional (bed-days, tonnes). Not General: the guide's formulas ask the
    # cell's format class, and Excel calls General "G", as Calc calls its date formats.
    return "0.##########"


def _prefill(field: Field, indicator: Indicator, period: Period) -> str:
    if field.key == "status":
        due = indicator.due_for(period)
        return (Status.AVAILABLE if due else Status.NOT_DUE).value
    return PREFILLED_NO.get(field.key, "")


def _write_live(
    sheet: Worksheet, row: int, column: int, field: Field, formula: str, formats: Formats
) -> None:
    if field.key == "live_rating":
        style = formats.get("live", align="center")
    else:
        style = formats.get("live")
    # The cached result "" keeps a file never opened in Excel free of stale guesses.
    call(sheet, "write_formula", row, column, formula, style, "")


# --- validation, colours, protection ------------------------------------------------------


def _add_validations(
    sheet: Worksheet, indicators: list[Indicator], first: int, last: int, context: Context
) -> None:
    for column, field in enumerate(FIELDS):
        if field.kind not in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT):
            continue
        options = _validation(field, context)
        if field.key == "status":
            _add_status_validations(
                sheet, indicators, first, column, options, context.period, context.list_ranges
            )
        elif field.key in ("numerator", "denominator"):
            rows = [first + i for i, ind in enumerate(indicators) if ind.uses_fraction]
            for row in rows:
                call(sheet, "data_validation", row, column, row, column, dict(options))
        else:
            call(sheet, "data_validation", first, column, last, column, options)


def _add_status_validations(
    sheet: Worksheet,
    indicators: list[Indicator],
    first: int,
    column: int,
    options: dict,
    period: Period,
    list_ranges: Mapping[tuple[str, ...], str],
) -> None:
    """Due rows choose between the statuses that fit a due indicator ("not due" would be an
    error); not-due rows are locked at "not due"."""
    due_options = dict(options, source="=" + list_ranges[DUE_STATUSES])
    due_options["error_message"] = "Choose one of: " + ", ".join(DUE_STATUSES) + "."
    for offset, indicator in enumerate(indicators):
        if indicator.due_for(period):
            row = first + offset
            call(sheet, "data_validation", row, column, row, column, dict(due_options))


def _validation(field: Field, context: Context) -> dict:
    prompt = {"input_title": field.header[:32], "input_message": field.help}
    if field.kind is FieldKind.NUMBER:
        # Any number; a word such as "N/A" is questioned, not refused (error_type warning),
        # since the reader understands the words listed on the Instructions sheet.
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e15,
            "maximum": 1e15,
            "error_type": "warning",
            "error_title": "Not a number",
            "error_message": "This cell expects a number. Keep it only if it is one of the "
            "words on the Instructions sheet (such as N/A); otherwise retype.",
            **prompt,
        }
    if field.kind is FieldKind.CHOICE:
        return {
            "validate": "list",
            "source": "=" + context.list_ranges[field.choices],
            "error_type": "stop",
            "error_title": "Choose from the list",
            "error_message": "Choose one of: " + ", ".join(field.choices) + ".",
            **prompt,
        }
    return {
        "validate": "length",
        "criteria": "<=",
        "value": spec.MAX_COMMENT_CHARS,
        "error_type": "warning",
        "error_title": "Long text",
        "error_message": f"The board report shows at most {spec.MAX_COMMENT_CHARS} characters; "
        "please shorten it.",
        **prompt,
    }


def _add_live_colours(sheet: Worksheet, first: int, last: int, context: Context) -> None:
    settings, formats = context.settings, context.formats
    column = COLUMN["live_rating"]
    for word, fill, font in (
        ("GREEN", settings.green_colour, "#006100"),
        ("AMBER", settings.amber_colour, "#9C5700"),
        ("RED", settings.red_colour, "#9C0006"),
    ):
        call(
            sheet,
            "conditional_format",
            first,
            column,
            last,
            column,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{word}"',
                "format": formats.get(bg_color=fill, font_color=font),
            },
        )
    column = COLUMN["live_check"]
    top = cell("live_check", first)
    # Text, not colour alone, carries the verdict; the colours only help it stand out.
    for start, props in (
        ("OK", {"font_color": "#006100"}),
        ("Error", {"font_color": "#9C0006", "bg_color": settings.red_colour}),
        ("Check", {"font_color": "#9C5700", "bg_color": settings.amber_colour}),
        ("Will", {"font_color": MUTED_FONT, "italic": True}),
    ):
        call(
            sheet,
            "conditional_format",
            first,
            column,
            last,
            column,
            {
                "type": "formula",
                "criteria": f'=LEFT({top},{len(start)})="{start}"',
                "format": formats.get(**props),
            },
        )
    # The guide's working columns: needed by the formulas, of no interest to the officer.
    columns = sorted(WORK_COLUMN.values())
    call(sheet, "set_column", columns[0], columns[-1], 4, None, {"hidden": True})


def _set_up_sheet(sheet: Worksheet, service_area: str, context: Context) -> None:
    call(sheet, "freeze_panes", spec.HEADER_ROW, COLUMN["name"] + 1)
    call(sheet, "set_landscape")
    call(sheet, "set_paper", 9)  # A4
    call(sheet, "fit_to_pages", 1, 0)
    call(sheet, "set_margins", 0.4, 0.4, 0.6, 0.6)
    call(sheet, "repeat_rows", spec.HEADER_ROW - 1)
    footer_area = service_area.replace("&", "&&")
    call(sheet, "set_footer", f"&L{footer_area}&C{context.period}&RPage &P of &N")
    call(sheet, "hide_gridlines", 2)
    # A little smaller than 100%, so the guide beside the inputs fits the first screen.
    call(sheet, "set_zoom", 85)
    call(
        sheet,
        "protect",
        "",
        {
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    call(sheet, "activate")
