"""The Summary sheet, the board pack's front page: title and period, the key, the RAG and
direction summary by sub-committee with its chart, and the top exceptions."""

from __future__ import annotations

from ..core.display import (
    PERFORMANCE_ARROWS,
    SUMMARY_HEADERS,
    YEAR_TO_DATE_NOTE,
    Counts,
    arrow,
    count,
    count_values,
    overall_sentence,
    rag_key,
    rag_text,
    summary_headers,
    trend_word,
)
from ..core.models import RAG, TOLERANCE_KEY, Direction, ReportRow, Trend
from ..xlsx.styles import LINE_HEIGHT, RAG_SWATCHES, chart_fills, lines_needed, palette
from ..xlsx.write import BarSeries, Book, Sheet, ref
from .data import RAG_KEY_STYLES
from .sections import (
    DATA,
    EXCEPTIONS,
    KEY,
    QUALITY,
    REPORT,
    SUMMARY,
    TRENDS,
    Context,
    Rows,
)

LAST_COL = len(SUMMARY_HEADERS) - 1
NAME_WIDTH, COUNT_WIDTH = 31, 8.4  # 31 + 14 x 8.4: the pack's printed width
KEY_FIRST_ROW = 5  # the key's heading; its lines below
KEY_MEANING_LAST_COL = 7  # meanings merged across B:H, the chart beside them in I:O
CHART_FIRST_COL = 8
TOP_EXCEPTIONS = 5


def direction_sentence(ctx: Context, counts: Counts) -> str:
    short, word = counts.short, ctx.settings.word_for
    same = word(Direction.SAME)
    same = "the same" if same == "same" else same
    return (
        f"Compared with {ctx.previous}: {short['better']} {word(Direction.BETTER)}, "
        f"{short['same']} {same}, {short['worse']} {word(Direction.WORSE)}; "
        f"{short['other']} not compared (no earlier figure, not like for like, or for "
        "information only)."
    )


def _write_heading(sheet: Sheet, ctx: Context, overall: Counts) -> None:
    settings, period = ctx.settings, ctx.period
    sheet.string(0, 0, f"{settings.organisation}: {settings.report_title}", "title")
    if settings.logo:
        sheet.image(0, LAST_COL - 1, settings.logo, alt_text=f"{settings.organisation} logo")
    start, end = period.start_date(), period.end_date()
    dates = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    sheet.string(1, 0, f"{period} ({dates})", "subtitle")
    sheet.string(2, 0, overall_sentence(overall), "plain")
    sheet.string(3, 0, direction_sentence(ctx, overall), "plain")


def key_lines(ctx: Context) -> list[tuple[str, str, str]]:
    """(symbol, style, meaning): the key printed on the front page."""
    settings = ctx.settings
    arrows, word = PERFORMANCE_ARROWS, settings.word_for  # in the council's words
    # the register's key; the default's amber note is on the Key sheet (a second line here
    # would push the front page's exceptions onto another page)
    lines = rag_key(settings)[:-1]
    if settings.rag_key == TOLERANCE_KEY:
        lines = [("GREEN", settings.green_label), ("AMBER", settings.amber_label)]
        lines.append(("RED", settings.red_label))
    ratings = [(s, RAG_KEY_STYLES.get(s, "text_centre"), m) for s, m in lines]
    return [
        *ratings,
        (
            "Not rated",
            "not_rated",
            "The reason is shown instead: for information only, no target, data not "
            "available, or not due.",
        ),
        (
            f"{arrows[Direction.BETTER]} {word(Direction.BETTER)}  "
            f"{arrows[Direction.SAME]} {word(Direction.SAME)}  "
            f"{arrows[Direction.WORSE]} {word(Direction.WORSE)}",
            "text_centre",
            "Than the figure compared with, whether higher or lower is better; "
            f"{arrows[Direction.INCREASE]} {arrows[Direction.DECREASE]} rose or fell "
            "(not rated).",
        ),
        (f"{word(Direction.WORSE)}*", "text_centre", YEAR_TO_DATE_NOTE[2:]),
    ]


def _write_key(sheet: Sheet, ctx: Context) -> tuple[int, float]:
    """The key, beside where the chart goes; returns the row after it and its height in
    points (the chart's)."""
    at, height = KEY_FIRST_ROW, 18.0
    sheet.row_height(at, height)
    sheet.string(at, 0, "Key", "subtitle")
    chart_heading = f"Indicators by rating and sub-committee, {ctx.period}"
    sheet.string(at, CHART_FIRST_COL, chart_heading, "subtitle")
    width = COUNT_WIDTH * KEY_MEANING_LAST_COL
    for symbol, style, meaning in key_lines(ctx):
        at += 1
        lines = max(lines_needed(meaning, width), lines_needed(symbol, NAME_WIDTH))
        line_height = max(18, lines * LINE_HEIGHT + 3)
        sheet.row_height(at, line_height)
        height += line_height
        sheet.string(at, 0, symbol, style)
        sheet.merged_string(at, 1, at, KEY_MEANING_LAST_COL, meaning, "text")
    return at + 1, height


def _write_counts_table(
    sheet: Sheet, ctx: Context, top: int, lines: list[tuple[str, int | None, Counts]]
) -> int:
    """The RAG and direction counts by sub-committee; returns the row after the table.
    lines: (label, its heading row in the Report or None, counts)."""
    sheet.merged_string(top, 1, top, 6, f"{ctx.period} rating", "header")
    sheet.merged_string(top, 7, top, 10, f"Compared with {ctx.previous}", "header")
    sheet.merged_string(top, 11, top, 14, f"Compared with {ctx.last_year}", "header")
    # Merged down over both heading rows, so the last cell written on the first of them.
    sheet.merged_string(top, 0, top + 1, 0, SUMMARY_HEADERS[0], "header")
    sheet.row_height(top + 1, 2 * LINE_HEIGHT + 4)
    for col, text in enumerate(summary_headers(ctx.settings)[1:], start=1):
        sheet.string(top + 1, col, text, RAG_SWATCHES.get(text, "header"))
    at = top + 2
    for offset, (label, heading_row, counts) in enumerate(lines):
        is_total = offset == len(lines) - 1
        if heading_row is None:
            sheet.link_to_sheet(at, 0, REPORT, label, "link_box")
        else:
            sheet.link_to_cell(at, 0, REPORT, (heading_row, 0), label, "link_box")
        for col, value in enumerate(count_values(counts), start=1):
            sheet.number(at, col, float(value), "count_bold" if is_total else "count")
        at += 1
    return at


def _exception_line(ctx: Context, index: int, row: ReportRow) -> list[tuple[int, int, str, str]]:
    """(first column, last column, text, style) of one top exception: report.rows[index]."""
    indicator = row.indicator

    def then(trend: Trend, key: str) -> str:
        word = trend_word(row, trend, ctx.settings)
        shown = ctx.figure(index, row, key).shown
        mark = arrow(row, trend, ctx.settings.arrow_style)
        then = f" ({shown})" if shown != "—" else ""
        return f"{mark} {word}{then}".strip()

    rag = row.rating.rag
    return [
        (0, 2, indicator.name.strip() or indicator.id, "text_bold"),
        (3, 4, indicator.section, "text"),
        (5, 6, ctx.figure(index, row, "performance").shown, "figure"),
        (7, 7, rag_text(row), RAG_SWATCHES.get(rag, "not_rated")),
        (8, 9, ctx.figure(index, row, "period_target").shown, "figure"),
        (10, 12, then(row.short_term, "st_value"), "text_centre"),
        (13, 14, then(row.long_term, "lt_value"), "text_centre"),
    ]


EXCEPTION_HEADINGS = [
    (0, 2, "Indicator"),
    (3, 4, "Sub-committee"),
    (5, 6, "Figure"),
    (7, 7, "Rating"),
    (8, 9, "Target"),
    (10, 12, "Compared with last {quarter}"),
    (13, 14, "Compared with a year ago"),
]


def _span_width(first: int, last: int) -> float:
    return sum(NAME_WIDTH if col == 0 else COUNT_WIDTH for col in range(first, last + 1))


def _write_top_exceptions(sheet: Sheet, ctx: Context, top: int, ordered: Rows) -> int:
    """The first few exceptions, worsening first; returns the row after them."""
    shown = ordered[:TOP_EXCEPTIONS]
    more = f" ({len(ordered)} in all: see Exceptions)" if len(ordered) > len(shown) else ""
    sheet.string(top, 0, f"Top exceptions{more}", "subtitle")
    sheet.row_height(top + 1, 2 * LINE_HEIGHT + 4)
    quarter = "quarter" if ctx.period.quarter is not None else "year"
    for first, last, text in EXCEPTION_HEADINGS:
        text = text.format(quarter=quarter)
        sheet.merged_string(top + 1, first, top + 1, last, text, "header")
    at = top + 2
    if not shown:
        sheet.string(at, 0, "No indicator is off target this period.", "note")
        return at + 1
    for index, row in shown:
        cells = _exception_line(ctx, index, row)
        widest = max(lines_needed(text, _span_width(first, last)) for first, last, text, _ in cells)
        sheet.row_height(at, widest * LINE_HEIGHT + 3)
        for first, last, text, style in cells:
            sheet.merged_string(at, first, at, last, text, style)
        at += 1
    return at


def _rag_chart(book: Book, ctx: Context, first: int, sections: int, most: int) -> object:
    """A stacked bar of GREEN, AMBER, RED and not rated by sub-committee, read from the
    counts table (its columns 3 to 6)."""
    last = first + sections - 1
    fills = chart_fills(palette(ctx.settings))
    series = [
        BarSeries(
            name=word,
            categories=ref(SUMMARY, first, 0, last, 0),
            values=ref(SUMMARY, first, col, last, col),
            fill=fills[word],
        )
        for word, col in (("GREEN", 3), ("AMBER", 4), ("RED", 5), ("Not rated", 6))
    ]
    return book.stacked_bar_chart(
        series,
        title=None,  # the Key's heading row names the chart
        value_axis="",
        # Whole numbers only: a step of 1 while that leaves a readable number of gridlines.
        major_unit=1 if most <= 12 else None,
    )


def chart_alt_text(ctx: Context, lines: list[tuple[str, int | None, Counts]]) -> str:
    parts = [
        f"{label}: {c.rag[RAG.GREEN]} GREEN, {c.rag[RAG.AMBER]} AMBER, {c.rag[RAG.RED]} RED, "
        f"{c.indicators - c.rated} not rated"
        for label, _, c in lines
    ]
    return f"Bar chart of ratings by sub-committee, {ctx.period}. " + "; ".join(parts) + "."


def _write_links(sheet: Sheet, at: int) -> None:
    """Links to the workbook's other sheets, below the printed page (they are for the screen)."""
    for offset, (label, target) in enumerate(
        (
            ("Report: every indicator by sub-committee", REPORT),
            ("Exceptions: off-target indicators and corrective actions", EXCEPTIONS),
            ("Trends: a chart of each indicator's recent figures", TRENDS),
            ("Key: colours, arrows and the rules in force", KEY),
            ("Data: every figure and how it was worked out", DATA),
            ("Data quality: problems found in the returns", QUALITY),
        )
    ):
        sheet.link_to_sheet(at + offset, 0, target, label, "link")


def write_summary(
    book: Book,
    sheet: Sheet,
    ctx: Context,
    sections: list[str],
    by_section: dict[str, Rows],
    exceptions: Rows,
) -> None:
    """The front page; written last, when the Report's section rows (for its links) and the
    exceptions are known."""
    sheet.hide_gridlines()
    sheet.column_width(0, 0, NAME_WIDTH)
    sheet.column_width(1, LAST_COL, COUNT_WIDTH)
    overall = count(ctx.report.rows, ctx.settings)
    _write_heading(sheet, ctx, overall)
    after_key, key_height = _write_key(sheet, ctx)
    lines: list[tuple[str, int | None, Counts]] = [
        (
            name,
            ctx.section_rows.get(name),
            count([row for _, row in by_section[name]], ctx.settings),
        )
        for name in sections
    ]
    lines.append(("All sub-committees", None, overall))
    table = after_key + 1
    after_table = _write_counts_table(sheet, ctx, table, lines)
    end = _write_top_exceptions(sheet, ctx, after_table + 1, exceptions)
    _write_links(sheet, end + 1)
    if sections:
        most = max(counts.indicators for _, _, counts in lines[:-1])
        chart = _rag_chart(book, ctx, table + 2, len(sections), most)
        sheet.chart(
            KEY_FIRST_ROW + 1,
            CHART_FIRST_COL,
            chart,
            width=int(7 * (COUNT_WIDTH * 7 + 5)) - 8,
            height=int((key_height - 18) / 0.75),
            description=chart_alt_text(ctx, lines[:-1]),
        )
    sheet.print_setup(ctx.print_setup("Summary", repeat=None, area=(0, 0, end - 1, LAST_COL)))
