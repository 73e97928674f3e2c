"""Writing the board's tables: the Report, the section sheets and the Exceptions.

What each cell says comes from sections.py; this module lays the cells out, sizes the rows
and columns, and sets each sheet up for the screen and for the printed pack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.display import (
    YEAR_TO_DATE_NOTE,
    arrow,
    better_if,
    exception_order,
    is_exception,
    rag_text,
    trend_word,
    year_to_date_marked,
)
from ..core.models import Direction, Indicator, ReportRow, Settings
from ..core.return_spec import column_letter
from ..xlsx.styles import BOLD_WIDTH, LINE_HEIGHT, RAG_RULES, lines_needed
from ..xlsx.write import Sheet
from .sections import (
    EXCEPTION_COLUMNS,
    FIGURE_KEYS,
    FIRST_ROW,
    GROUP_ROW,
    HEAD_ROW,
    KEY,
    KEY_ROW,
    LINK_ROW,
    LONG_TEXT_KEYS,
    MAX_FIGURE_WIDTH,
    MAX_LINES,
    PRINTABLE_UNITS,
    SCREEN_ROW_HEIGHT,
    SUMMARY,
    TITLE_ROW,
    Column,
    Context,
    Figure,
    Rows,
    commentary_parts,
    fit_text,
    long_text,
    missing_words,
)


def _headers(ctx: Context, columns: Sequence[Column]) -> tuple[list[str], dict[str, str]]:
    period = ctx.period
    quarter = f"Q{period.quarter}" if period.quarter is not None else period.year_label
    words = {
        "year": period.year_label,
        "period": str(period),
        "quarter": quarter,
        "previous": str(ctx.previous),
        "last_year": str(ctx.last_year),
    }
    texts = [c.header.format(**words) for c in columns]
    last = "last quarter" if period.quarter is not None else "last year"
    groups = {
        "perf": f"{period} performance",
        "st": f"Compared with {last}",
        "lt": "Compared with a year ago",
    }
    return texts, groups


# Which way is better, in board members' words ("polarity" is the register's word).
def _indicator_parts(indicator: Indicator) -> list[tuple[str, str]]:
    """Name, description, and a grey line saying which way is better and the reference (in
    the cell rather than a column of their own, so the comments have the room)."""
    name = indicator.name.strip() or indicator.id
    parts = [("piece_name", name)]
    description = indicator.description.strip()
    # Many registers repeat the name as the description: printed twice it only takes room.
    if description and description.casefold() not in name.casefold():
        parts.append(("piece_plain", "\n" + description))
    parts.append(("piece_ref", f"\n{better_if(indicator)}. Ref {indicator.id}"))
    return parts


def _needed(figure: Figure) -> float:
    # a unit is a digit's width; a character's margin covers the odd wider one (%, £)
    return len(figure.shown) + 1.0


def _write_figure(sheet: Sheet, row: int, col: int, figure: Figure, width: float) -> None:
    # Excel cannot wrap a number, and shows ### when it does not fit: a figure too long for
    # the widest column we allow is written as the same text, which can wrap.
    if figure.number is not None and _needed(figure) <= width:
        sheet.number(row, col, figure.number, "figure", figure.num_format)
    else:
        sheet.string(row, col, figure.shown, "figure")


def _write_parts(sheet: Sheet, at: int, col: int, parts: list[tuple[str, str]]) -> str:
    # A single piece is written as plain text: it keeps its look through the cell's style.
    only = parts[0][0] if len(parts) == 1 else None
    sheet.rich_string(at, col, parts, "missing" if only == "piece_missing" else "text")
    return "".join(text for _, text in parts)


def _write_cell(
    sheet: Sheet,
    ctx: Context,
    at: int,
    col: int,
    indexed: tuple[int, ReportRow],
    key: str,
    width: float,
) -> str:
    """Write one cell of an indicator's row; return the text it shows (for the row height)."""
    index, row = indexed
    if key in FIGURE_KEYS:
        figure = ctx.figure(index, row, key)
        _write_figure(sheet, at, col, figure, width)
        return figure.shown
    writer = _CELL_WRITERS.get(key)
    if writer is None:  # a column added to a layout without a writer is a programming error
        raise ValueError(f"no writer for column {key!r}")
    return writer(sheet, ctx, at, col, row, width)


def _section(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
    sheet.string(at, col, row.indicator.section, "text")
    return row.indicator.section


def _indicator(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
    return _write_parts(sheet, at, col, _indicator_parts(row.indicator))


def _name(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
    """The indicator's name with its reference on the same line, no description (the
    exceptions are read at a glance; the Report has it)."""
    indicator = row.indicator
    parts = [("piece_name", indicator.name.strip() or indicator.id)]
    parts.append(("piece_ref", f"  Ref {indicator.id}"))
    return _write_parts(sheet, at, col, parts)


def _rag(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
    shown = rag_text(row)
    sheet.string(at, col, shown, "rag" if row.rating.rag else "not_rated")
    return shown


def _arrow_writer(long_term: bool) -> CellWriter:
    def write(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
        trend = row.long_term if long_term else row.short_term
        shown = arrow(row, trend, ctx.settings.arrow_style)
        sheet.string(at, col, shown, "arrow")
        return shown

    return write


def _word_writer(long_term: bool) -> CellWriter:
    def write(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, _: float) -> str:
        shown = trend_word(row, row.long_term if long_term else row.short_term, ctx.settings)
        sheet.string(at, col, shown, "trend_word")
        return shown

    return write


def _comment(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, width: float) -> str:
    parts = commentary_parts(row, row.missing_commentary, width, ctx.text_lines or MAX_LINES)
    return _write_parts(sheet, at, col, parts)


def _action(sheet: Sheet, ctx: Context, at: int, col: int, row: ReportRow, width: float) -> str:
    action = long_text(row, "action").strip()
    if not action and "corrective action" in row.missing_commentary:
        shown = missing_words("corrective action")
        sheet.string(at, col, shown, "missing")
        return shown
    # The whole action is in the Report: the exceptions stay short enough to read at a glance.
    shown = fit_text(action, width, ctx.text_lines or MAX_LINES, " … (continued in the Report)")
    sheet.string(at, col, shown, "text")
    return shown


CellWriter = Callable[[Sheet, Context, int, int, ReportRow, float], str]
_CELL_WRITERS: dict[str, CellWriter] = {
    "section": _section,
    "indicator": _indicator,
    "name": _name,
    "rag": _rag,
    "st_arrow": _arrow_writer(long_term=False),
    "lt_arrow": _arrow_writer(long_term=True),
    "st_word": _word_writer(long_term=False),
    "lt_word": _word_writer(long_term=True),
    "comment": _comment,
    "action": _action,
}


def write_row(
    sheet: Sheet,
    ctx: Context,
    at: int,
    indexed: tuple[int, ReportRow],
    columns: Sequence[Column],
    widths: Sequence[float],
) -> None:
    """One indicator's cells (indexed: its index in report.rows, and the row), and a height for the row from the text of its wrapped cells
    (worked out once per cell: on a large board this is most of the writer's own time)."""
    lines = 1
    most = ctx.text_lines or MAX_LINES
    for col, column in enumerate(columns):
        shown = _write_cell(sheet, ctx, at, col, indexed, column.key, widths[col])
        if column.wrap_text and shown:
            needed = _lines(column.key, shown, widths[col])
            # Long text was cut to fit `most` lines; the rest is never cut, so never clipped.
            lines = max(lines, min(most, needed) if column.key in LONG_TEXT_KEYS else needed)
    sheet.row_height(at, min(MAX_LINES, lines) * LINE_HEIGHT + 3)


def _lines(key: str, shown: str, width: float) -> int:
    """Lines a cell's text takes; the indicator's name, its first line, is bold (wider)."""
    if key in ("indicator", "name"):
        name, _, rest = shown.partition("\n")
        lines = lines_needed(name, width * BOLD_WIDTH)
        return lines + (lines_needed(rest, width) if rest else 0)
    return lines_needed(shown, width)


def _colour_rules(
    sheet: Sheet, columns: Sequence[Column], first: int, last: int, settings: Settings
) -> None:
    """RAG and trend colours as conditional formats keyed on the word cells, not static fills.

    The word stays in the cell, so the meaning survives if the colour does not (printing,
    colour-blindness), and someone correcting a word by hand gets the right colour. A word
    marked as not like for like ("worse*") is not coloured: it is not counted either.
    """
    position = {c.key: i for i, c in enumerate(columns)}
    perf, rag = position["performance"], position["rag"]
    rag_ref = f"${column_letter(rag)}{first + 1}"
    for rag_word, style in RAG_RULES.items():  # one word a cell: the rules never overlap
        sheet.conditional_formula(first, perf, last, rag, f'={rag_ref}="{rag_word}"', style)
    for arrow_key, word_key in (("st_arrow", "st_word"), ("lt_arrow", "lt_word")):
        if word_key not in position:
            continue
        left, right = position[arrow_key], position[word_key]
        word = f"${column_letter(right)}{first + 1}"
        # the council's words, as the cells print them ("Getting better")
        better, worse, up, down = (
            _formula_text(settings.word_for(direction))
            for direction in (
                Direction.BETTER,
                Direction.WORSE,
                Direction.INCREASE,
                Direction.DECREASE,
            )
        )
        rules = (
            (f'={word}="{better}"', "cf_better"),
            (f'={word}="{worse}"', "cf_worse"),
            (f'=OR({word}="{up}",{word}="{down}")', "cf_neutral"),
        )
        for formula, style in rules:
            sheet.conditional_formula(first, left, last, right, formula, style)


def _formula_text(text: str) -> str:
    return text.replace('"', '""')


# The exceptions are for reading at a glance; the whole corrective action is in the Report.
EXCEPTION_LINES = 2
MIN_TEXT_WIDTH = 34.0  # the comments column is never narrower: about 40 characters a line


def column_widths(ctx: Context, rows: Rows, columns: Sequence[Column]) -> list[float]:
    """The layout's widths within the printed page's width. The long-text column keeps its
    width; figure columns widen, while the page has room, to fit their longest figure (a
    figure that still does not fit is written as text, which wraps); the long-text column
    takes what is left."""
    widths = [column.width for column in columns]
    text = next((i for i, c in enumerate(columns) if c.key in LONG_TEXT_KEYS), None)
    spare = PRINTABLE_UNITS - sum(widths)
    if text is not None and spare < 0:  # a layout wider than the page: the text gives way
        widths[text] = max(MIN_TEXT_WIDTH, widths[text] + spare)
        spare = PRINTABLE_UNITS - sum(widths)
    for col, column in enumerate(columns):
        if column.key in FIGURE_KEYS and spare > 0:
            # Only numbers need the room (Excel shows ### when one does not fit); text wraps.
            # and only those that would fit the widest figure column.
            figures = (ctx.figure(index, row, column.key) for index, row in rows)
            needs = (_needed(f) for f in figures if f.number is not None)
            need = max((n for n in needs if n <= MAX_FIGURE_WIDTH), default=0)
            grow = min(max(0.0, need - widths[col]), spare)
            widths[col] += grow
            spare -= grow
    if text is not None:
        widths[text] += max(0.0, spare)
    return widths


def _heading_cells(
    texts: list[str], groups: dict[str, str], columns: Sequence[Column]
) -> tuple[list[tuple[int, int, str, str]], list[tuple[int, int, str, str]]]:
    """(first column, last column, text, style) of the upper and lower heading rows."""
    upper: list[tuple[int, int, str, str]] = []
    lower: list[tuple[int, int, str, str]] = []
    col = 0
    while col < len(columns):
        group = columns[col].group
        if group is None:
            upper.append((col, col, "", "header_upper"))
            lower.append((col, col, texts[col], "header_lower"))
            col += 1
            continue
        end = col
        while end + 1 < len(columns) and columns[end + 1].group == group:
            end += 1
        upper.append((col, end, groups[group], "header"))
        inner = col
        while inner <= end:
            last = inner + columns[inner].span - 1
            lower.append((inner, last, texts[inner], "header"))
            inner = last + 1
        col = end + 1
    return upper, lower


def _write_headings(
    sheet: Sheet, ctx: Context, columns: Sequence[Column], widths: Sequence[float]
) -> None:
    """The example's two heading rows: group headings (performance, short term, long term)
    over their columns' headings, and the other columns' headings on the lower row under a
    blank heading cell drawn as one block with it. A merge down over both rows would read the
    same, but a sheet written row by row can hold one such merge per row, not eight."""
    texts, groups = _headers(ctx, columns)
    upper, lower = _heading_cells(texts, groups, columns)
    for at, cells in ((GROUP_ROW, upper), (HEAD_ROW, lower)):
        spans = [
            (text, sum(widths[first : last + 1]) * BOLD_WIDTH) for first, last, text, _ in cells
        ]
        lines = max(2, max(lines_needed(text, width) for text, width in spans))
        sheet.row_height(at, min(SCREEN_ROW_HEIGHT, lines * LINE_HEIGHT + 4))
        for first, last, text, style in cells:
            sheet.merged_string(at, first, at, last, text, style)


def _write_body(
    sheet: Sheet,
    ctx: Context,
    rows: Rows,
    columns: Sequence[Column],
    widths: Sequence[float],
    section_headings: bool,
) -> tuple[int, dict[str, int]]:
    """The indicators' rows, each section under a heading row when section_headings; returns
    the next free row and the row of each section's heading."""
    at, current, headings = FIRST_ROW, None, {}
    for index, row in rows:
        section = row.indicator.section
        if section_headings and section != current:
            current, headings[section] = section, at
            sheet.row_height(at, LINE_HEIGHT + 8)
            sheet.merged_string(at, 0, at, len(columns) - 1, section, "section_heading")
            at += 1
        write_row(sheet, ctx, at, (index, row), columns, widths)
        ctx.row_done()
        at += 1
    return at, headings


def write_board_sheet(
    sheet: Sheet,
    ctx: Context,
    title: str,
    rows: Rows,
    columns: Sequence[Column],
    *,
    label: str,
    empty_note: str = "No indicators.",
    section_headings: bool = False,
    in_pack: bool = False,
    text_lines: int = MAX_LINES,
) -> dict[str, int]:
    """A titled table of indicators with the two-row heading the example report uses,
    sections under heading rows when section_headings (the Report). in_pack: printed as part
    of the board pack, at the pack's scale. text_lines: the most lines a row's long text may
    take. Returns the row of each section's heading."""
    ctx.text_lines = text_lines
    sheet.hide_gridlines()
    widths = column_widths(ctx, rows, columns)
    for col, width in enumerate(widths):
        sheet.column_width(col, col, width)
    sheet.string(TITLE_ROW, 0, title, "title")
    # The key is on the front page and the Key sheet: here a link to each, and a thin
    # spacer, to leave the printed page for the table.
    sheet.link_to_sheet(KEY_ROW, 0, SUMMARY, "◄ Summary and key", "link")
    sheet.link_to_sheet(KEY_ROW, 1, KEY, "Key and rules", "link")
    sheet.row_height(LINK_ROW, 4)
    sheet.blank(LINK_ROW, 0, "plain")  # a row written row by row keeps its height by a cell
    _write_headings(sheet, ctx, columns, widths)
    if not rows:
        sheet.string(FIRST_ROW, 0, empty_note, "note")
    end, headings = _write_body(sheet, ctx, rows, columns, widths, section_headings)
    if rows:
        _colour_rules(sheet, columns, FIRST_ROW, end - 1, ctx.settings)
    note = YEAR_TO_DATE_NOTE if year_to_date_marked(rows) else ""
    if note:
        sheet.row_height(end + 1, 2 * LINE_HEIGHT + 3)
        sheet.merged_string(end + 1, 0, end + 1, len(columns) - 1, note, "footnote")
    # Frozen: the indicator's name and the headings stay in view as the reader scrolls.
    sheet.freeze(FIRST_ROW, 1)
    area = (0, 0, max(end - 1, FIRST_ROW) + (2 if note else 0), len(columns) - 1)
    sheet.print_setup(
        ctx.print_setup(
            label, repeat=(GROUP_ROW, HEAD_ROW), area=area if in_pack else None, note=note
        )
    )
    return headings


def write_exceptions(sheet: Sheet, ctx: Context, ordered: Rows) -> None:
    include_amber = ctx.settings.exceptions_include_amber
    which = "RED or AMBER" if include_amber else "RED"
    write_board_sheet(
        sheet,
        ctx,
        f"Exceptions: every {which} indicator, {ctx.period} (worsening first)",
        ordered,
        EXCEPTION_COLUMNS,
        empty_note=f"No indicator is {which} this period.",
        label="Exceptions",
        in_pack=True,
        text_lines=EXCEPTION_LINES,
    )


def exceptions(ctx: Context) -> list[tuple[int, ReportRow]]:
    """The exception rows in the order the board reads them."""
    include_amber = ctx.settings.exceptions_include_amber
    chosen = [(i, r) for i, r in enumerate(ctx.report.rows) if is_exception(r, include_amber)]
    return exception_order(chosen)
