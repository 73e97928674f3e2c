"""The web edition's HTML, read back without a browser: structure, words, escaping, the CLI."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import web_reports
from conftest import consolidate_samples, copy_of_sample_returns
from web_reports import HOSTILE_COMMENT, HOSTILE_NAME, HOSTILE_SECTION

from kpi_excel.core.display import performance_text, rag_text
from kpi_excel.core.models import HistoryPoint, Report, Unit
from kpi_excel.web import render_html, write_html_report
from kpi_excel.web.charts import sparkline
from kpi_excel.web.page import contrast, readable_on

# The shared fixtures, used here by name.
sample_report = web_reports.sample_report
hostile_report = web_reports.hostile_report


class Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser's parser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _words(text: str) -> str:
    return " ".join(text.split())


def test_page_holds_the_whole_report_in_words(sample_report: Report) -> None:
    page = Page(render_html(sample_report))
    settings = sample_report.settings
    assert page.all("html")[0]["lang"] == "en-GB"
    title = page.text  # the <title> is the first text of the page
    assert title.startswith(f"{settings.organisation}: {settings.report_title}, 2017/18 Q1")
    for row in sample_report.rows:
        assert _words(row.indicator.name) in page.text
        assert f"Ref {row.indicator.id}" in page.text
        assert performance_text(row) in page.text
        assert rag_text(row) in page.text
        if row.record and row.record.comment.strip():
            assert _words(row.record.comment)[:80] in page.text
    for section in {row.indicator.section for row in sample_report.rows}:
        assert page.text.count(section) >= 3  # contents, summary and its own heading at least


def test_structure_is_accessible_by_construction(sample_report: Report) -> None:
    html = render_html(sample_report)
    page = Page(html)
    levels = [int(tag[1]) for tag, _ in page.tags if tag in ("h1", "h2", "h3")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # none skipped
    assert page.all("a")[0]["href"] == "#main" and page.all("main")[0]["id"] == "main"
    assert page.all("header") and page.all("nav") and page.all("footer")
    assert len(page.all("caption")) == len(page.all("table"))
    assert all(th.get("scope") in ("col", "row", "colgroup") for th in page.all("th"))
    for region in page.all("div"):
        if region.get("class") == "table-scroll":
            assert region["tabindex"] == "0" and region["role"] == "region"
            assert region["aria-labelledby"]
    for svg in page.all("svg"):
        assert svg["role"] == "img" and svg["aria-labelledby"]
    ids = [attrs["id"] for _, attrs in page.tags if attrs.get("id")]
    assert len(ids) == len(set(ids))
    assert "@media print" in html


def test_page_is_self_contained(sample_report: Report) -> None:
    page = Page(render_html(sample_report))
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert not page.all("iframe") and not page.all("object")
    for _, attrs in page.tags:
        for name in ("src", "href", "action", "srcset"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (name, value)
    assert "url(" not in render_html(sample_report)  # no fonts or images from elsewhere


def test_markup_and_script_from_a_return_arrive_as_text(hostile_report: Report) -> None:
    html = render_html(hostile_report)
    page = Page(html)
    assert not page.all("script") and not page.all("img") and not page.all("b")
    assert all(attrs.get("href", "").startswith("#") for attrs in page.all("a"))
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert _words(HOSTILE_NAME) in page.text
    assert _words(HOSTILE_COMMENT) in page.text
    assert page.text.count(HOSTILE_SECTION) >= 4  # contents, summary, heading, caption, chart
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_settings_colours_keep_aa_contrast() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert readable_on("#C6EFCE", "#006100") == "#006100"
    assert readable_on("#1F4E79", "#FFFFFF") == "#FFFFFF"
    assert readable_on("#808080", "#7F7F7F") == "#000000"  # a settings colour too close


def test_sparkline_needs_two_figures_and_says_them(sample_report: Report) -> None:
    indicator = sample_report.rows[0].indicator.model_copy(update={"unit": Unit.PERCENT})
    point = HistoryPoint(indicator_id=indicator.id, period="2016/17 Q4", value=80.0)
    assert sparkline(indicator, [point]) is None
    second = HistoryPoint(indicator_id=indicator.id, period="2017/18 Q1", value=90.0)
    new = HistoryPoint(indicator_id=indicator.id, period="2016/17 Q3", token="NEW")
    drawn = sparkline(indicator, [new, point, second])
    assert drawn is not None
    assert drawn.words == "Trend, oldest first: 2016/17 Q3 NEW, 2016/17 Q4 80%, 2017/18 Q1 90%."
    assert drawn.points.count(",") == 2  # two points drawn, the token skipped


def test_consolidate_html_writes_the_page(tmp_path: Path) -> None:
    result = consolidate_samples(tmp_path / "board.xlsx", "--html", str(tmp_path / "web/b.html"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "web" / "b.html").read_text(encoding="utf-8")
    assert "<title>" in html and "2017/18 Q1" in html
    assert f"Wrote {tmp_path / 'web' / 'b.html'}" in result.output


@pytest.mark.parametrize("clash", ["out", "a return"])
def test_consolidate_refuses_an_html_path_taken(tmp_path: Path, clash: str) -> None:
    returns = copy_of_sample_returns(tmp_path / "returns")
    target = tmp_path / "board.xlsx" if clash == "out" else sorted(returns.iterdir())[0]
    before = target.read_bytes() if target.exists() else None
    result = consolidate_samples(tmp_path / "board.xlsx", "--html", str(target), returns=returns)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "give" in result.output
    assert (target.read_bytes() if target.exists() else None) == before


def test_write_is_atomic_and_replaces(tmp_path: Path, sample_report: Report) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_html_report(sample_report, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_report_with_no_indicators_still_reads(sample_report: Report) -> None:
    empty = sample_report.model_copy(update={"rows": [], "problems": []})
    page = Page(render_html(empty))
    assert "No indicator is RED this period." in page.text
    assert "Of 0 rated indicators" in page.text
    assert not page.all("svg")  # no chart of nothing


def test_a_period_it_cannot_read_never_reaches_the_page(sample_report: Report) -> None:
    """The report's period is a Period, parsed where the report is made: text that is not a
    period is refused there, so no edition has to guess at it."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Report.model_validate({**sample_report.model_dump(), "period": "sometime"})
    assert str(Report.model_validate(sample_report.model_dump()).period) == "2017/18 Q1"
