"""What the web edition says, worked out from the Report: every text the page shows, in the
board's own words (core/display), and the colours in force. The template only lays it out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.display import (
    MARKS_KEY,
    KeyLines,
    arrow,
    arrow_key,
    arrow_style_name,
    better_if,
    compared_text,
    comparison_key,
    count,
    count_values,
    exception_order,
    format_target,
    is_exception,
    overall_sentence,
    performance_text,
    rag_key,
    rag_text,
    rules_key,
    summary_headers,
    trend_word,
)
from ..core.models import Direction, Report, ReportRow, Settings, Trend
from ..core.periods import Period
from ..xlsx import palette
from .charts import BarChart, Sparkline, sparkline, stacked_bars

NO_ACTION = "No corrective action given"
TONES = {Direction.BETTER: "better", Direction.WORSE: "worse"}


@dataclass(frozen=True)
class TrendView:
    arrow: str  # a symbol, hidden from screen readers: the word says it
    word: str  # better / same / worse / increase / decrease / NEW / N/A / Not compared
    tone: str  # better, worse or "" (neutral): a colour that only adds to the word
    compared: str  # the figure compared with, "—" when there is none
    reason: str  # the rules' reason, for the reader who asks why


@dataclass(frozen=True)
class RowView:
    anchor: str
    ref: str
    name: str
    description: str
    section: str
    polarity: str
    annual_target: str
    period_target: str
    figure: str
    rating: str
    rating_class: str  # green / amber / red / none
    rating_reason: str
    short: TrendView
    long: TrendView
    spark: Sparkline | None
    comment: str
    action: str
    action_missing: bool


@dataclass(frozen=True)
class SectionView:
    title: str
    anchor: str
    rows: list[RowView]
    sentence: str


@dataclass(frozen=True)
class SummaryLine:
    label: str
    anchor: str
    values: list[int]  # indicators, rated, GREEN, AMBER, RED, not rated, then arrows
    total: bool = False


@dataclass
class Page:
    organisation: str
    report_title: str
    period: str
    dates: str
    previous: str
    last_year: str
    overall: str
    summary_headers: list[str]  # after the sub-committee's, in the council's words
    summary: list[SummaryLine]
    chart: BarChart
    rag_key: KeyLines
    arrow_style: str
    arrow_key: KeyLines
    comparison_key: KeyLines
    marks_key: KeyLines
    rules_key: KeyLines
    reporting_year: str
    sections: list[SectionView]
    exceptions: list[RowView]
    exceptions_which: str
    colours: dict[str, str]
    problems: int
    errors: int
    register: str = ""
    notes: list[str] = field(default_factory=list)


def _anchor(prefix: str, text: str, taken: set[str]) -> str:
    """An id made of letters, digits and hyphens only, unique on the page."""
    base = prefix + "-" + (re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x")
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


def _trend(row: ReportRow, trend: Trend, expected: Period, report: Report) -> TrendView:
    return TrendView(
        arrow=arrow(row, trend, report.settings.arrow_style),
        word=trend_word(row, trend, report.settings),
        tone=TONES.get(trend.direction, "") if trend.direction else "",
        compared=compared_text(row.indicator, trend, expected),
        reason=trend.reason,
    )


def row_view(row: ReportRow, report: Report, period: Period, anchor: str) -> RowView:
    indicator, record = row.indicator, row.record
    action = record.corrective_action.strip() if record else ""
    missing = not action and "corrective action" in row.missing_commentary  # the report's check
    return RowView(
        anchor=anchor,
        ref=indicator.id,
        name=indicator.name.strip() or indicator.id,
        description=indicator.description.strip(),
        section=indicator.section,
        polarity=better_if(indicator),
        annual_target=format_target(indicator, indicator.annual_target) or "—",
        period_target=format_target(indicator, row.period_target.target) or "—",
        figure=performance_text(row),
        rating=rag_text(row),
        rating_class=row.rating.rag.value.lower() if row.rating.rag else "none",
        rating_reason=row.rating.reason,
        short=_trend(row, row.short_term, period.previous(), report),
        long=_trend(row, row.long_term, period.same_period_last_year(), report),
        spark=sparkline(indicator, row.history),
        comment=record.comment.strip() if record else "",
        action=NO_ACTION if missing else action,
        action_missing=missing,
    )


def _count_values(rows: list[ReportRow], settings: Settings) -> list[int]:
    return count_values(count(rows, settings))


def build_page(report: Report) -> Page:
    """Everything the page shows, in order."""
    settings, period = report.settings, report.period
    taken: set[str] = {"main", "summary", "key", "exceptions", "contents", "quality"}
    by_section: dict[str, list[tuple[int, ReportRow]]] = {}
    for index, row in enumerate(report.rows):
        by_section.setdefault(row.indicator.section, []).append((index, row))
    row_anchors = [_anchor("ind", row.indicator.id, taken) for row in report.rows]
    views = [row_view(r, report, period, a) for r, a in zip(report.rows, row_anchors, strict=True)]
    sections = []
    for name, indexed in by_section.items():
        rows = [row for _, row in indexed]
        sections.append(
            SectionView(
                title=name,
                anchor=_anchor("section", name, taken),
                rows=[views[index] for index, _ in indexed],
                sentence=overall_sentence(count(rows)),
            )
        )
    include_amber = settings.exceptions_include_amber
    chosen = [(i, r) for i, r in enumerate(report.rows) if is_exception(r, include_amber)]
    summary = [
        SummaryLine(s.title, s.anchor, _count_values([r for _, r in by_section[s.title]], settings))
        for s in sections
    ]
    summary.append(
        SummaryLine("All sections", "summary", _count_values(report.rows, settings), True)
    )
    start, end = period.start_date(), period.end_date()
    own = sum(1 for row in report.rows if row.indicator.tolerance is not None)
    errors = sum(1 for p in report.problems if _severity(p) == "error")
    return Page(
        organisation=settings.organisation,
        report_title=settings.report_title,
        period=str(period),
        dates=f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}",
        previous=str(period.previous()),
        last_year=str(period.same_period_last_year()),
        overall=overall_sentence(count(report.rows)),
        summary=summary,
        chart=stacked_bars([(line.label, _rag_counts(line)) for line in summary[:-1]]),
        rag_key=rag_key(settings),
        arrow_style=arrow_style_name(settings.arrow_style),
        arrow_key=arrow_key(settings.arrow_style, settings),
        summary_headers=summary_headers(settings)[1:],
        comparison_key=comparison_key(
            period.previous(), period.same_period_last_year(), "the note beside the word"
        ),  # fmt: skip
        marks_key=MARKS_KEY,
        rules_key=rules_key(settings, own, "the indicator's row", "The exceptions section"),
        reporting_year=settings.reporting_year,
        sections=sections,
        exceptions=[views[index] for index, _ in exception_order(chosen)],
        exceptions_which="RED or AMBER" if include_amber else "RED",
        colours=colours(report),
        problems=len(report.problems),
        errors=errors,
        register=report.register_fingerprint[:12],
    )


def _rag_counts(line: SummaryLine) -> dict[str, int]:
    return {"GREEN": line.values[2], "AMBER": line.values[3], "RED": line.values[4]}


def _severity(problem: object) -> str:
    # Report.problems holds Problems or their dict form (core/models.py types it loosely).
    severity = getattr(problem, "severity", None)
    if severity is None and isinstance(problem, dict):
        severity = problem.get("severity")
    return str(getattr(severity, "value", severity))


# --- colours -----------------------------------------------------------------------------------

AA_TEXT = 4.5  # WCAG 2 AA contrast for body text


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #RRGGBB colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(fill: str, preferred: str) -> str:
    """preferred when it meets AA on fill, else black or white, whichever contrasts more."""
    if contrast(fill, preferred) >= AA_TEXT:
        return preferred
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#FFFFFF") else "#FFFFFF"


def colours(report: Report) -> dict[str, str]:
    """The settings' colours (checked as #RRGGBB by palette), each with a text colour at AA."""
    shades = palette(report.settings)
    return {
        "green": shades.green_fill,
        "green_text": readable_on(shades.green_fill, shades.green_font),
        "amber": shades.amber_fill,
        "amber_text": readable_on(shades.amber_fill, shades.amber_font),
        "red": shades.red_fill,
        "red_text": readable_on(shades.red_fill, shades.red_font),
        "header": shades.header_fill,
        "header_text": readable_on(shades.header_fill, shades.header_font),
        "better_text": readable_on("#FFFFFF", shades.green_font),
        "worse_text": readable_on("#FFFFFF", shades.red_font),
    }
