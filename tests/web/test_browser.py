"""The web edition in a real headless browser (Debian's chromium and chromedriver): axe-core's
WCAG 2.0/2.1/2.2 A and AA rules, no network, ratings in words, reflow at 320 pixels, the
browser's own PDF, and hostile text arriving as text. One browser session for the module.

CI installs chromium, chromium-driver and axe-core (.ci/run); without them these tests skip.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import web_reports
from web_reports import HOSTILE_COMMENT, HOSTILE_NAME

from kpi_excel.core.display import is_exception, rag_text
from kpi_excel.core.models import Report
from kpi_excel.web import write_html_report

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("AXE_CORE_JS", ROOT / ".ci/browser/node_modules/axe-core/axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The shared fixtures, used here by name.
sample_report = web_reports.sample_report
hostile_report = web_reports.hostile_report


def _binary(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, hostile_report: Report) -> Iterator[Any]:
    """A headless chromium showing the web edition of the samples with hostile text in them."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    chromium = _binary("chromium", "chromium-browser", "google-chrome")
    driver_path = _binary("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(
            "chromium and chromedriver not installed: apt-get install chromium chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,900"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(driver_path), options=options)
    page = tmp_path_factory.mktemp("web") / "report.html"
    write_html_report(hostile_report, page)
    try:
        driver.get(page.as_uri())
        driver.page_uri = page.as_uri()
        yield driver
    finally:
        driver.quit()


def test_axe_finds_no_wcag_a_or_aa_violation(browser: Any) -> None:
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not found at {AXE_JS}: npm install --prefix .ci/browser axe-core")
    browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_TAGS,
    )
    assert violations == [], json.dumps(violations, indent=1)


def test_browser_makes_no_network_request(browser: Any) -> None:
    browser.get(browser.page_uri)  # again, with the log empty of anything before
    requests = [
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    assert requests and all(url == browser.page_uri for url in requests), requests
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_every_rating_and_arrow_is_in_words(browser: Any, hostile_report: Report) -> None:
    shown = browser.execute_script(
        "return [...document.querySelectorAll('td.rag')].map(td => td.innerText.trim())"
    )
    include_amber = hostile_report.settings.exceptions_include_amber
    exceptions = [r for r in hostile_report.rows if is_exception(r, include_amber)]
    expected = [rag_text(row) for row in hostile_report.rows]  # section tables, in order
    assert sorted(shown) == sorted(expected + [rag_text(row) for row in exceptions])
    assert all(shown)
    arrows = browser.execute_script(
        "return [...document.querySelectorAll('td.dot')].map(td => td.innerText.trim())"
    )
    words = ("better", "same", "worse", "increase", "decrease", "NEW", "N/A", "Not compared")
    assert arrows and all(any(word in text for word in words) for text in arrows), arrows


def test_page_reflows_at_320_pixels(browser: Any) -> None:
    # 320 CSS pixels is a 1280-pixel window at 400% zoom (WCAG 1.4.10)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        width = browser.execute_script("return document.documentElement.scrollWidth")
        regions = browser.execute_script(
            "return [...document.querySelectorAll('.table-scroll')]"
            ".map(r => r.getBoundingClientRect().right)"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert width <= 320  # only the tables scroll, each inside its own region
    assert regions and max(regions) <= 320


def test_printed_pdf_names_every_indicator(browser: Any, hostile_report: Report, tmp_path: Path):
    pdftotext = _binary("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    printed = browser.execute_cdp_cmd(
        "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(base64.b64decode(printed["data"]))
    text = subprocess.run(
        [pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    missing = [
        r.indicator.name for r in hostile_report.rows if _words(r.indicator.name) not in flat
    ]
    assert missing == []


def _words(text: str) -> str:
    return " ".join(text.split())


def test_markup_and_script_arrive_as_text(browser: Any) -> None:
    counts = browser.execute_script(
        "return [document.scripts.length, document.images.length,"
        " document.querySelectorAll('b, [onerror], a[href^=javascript]').length]"
    )
    assert counts == [0, 0, 0]
    text = " ".join(browser.execute_script("return document.body.innerText").split())
    assert _words(HOSTILE_NAME) in text and _words(HOSTILE_COMMENT) in text


# --- the documentation's screenshots --------------------------------------------------------


def screenshots(folder: Path) -> None:
    """docs/images/web-desktop.png and web-phone.png, from the samples' web edition."""
    from selenium import webdriver

    from kpi_excel.api import consolidate_returns
    from kpi_excel.core.periods import Period

    samples = ROOT / "samples"
    out = folder.resolve() / ".web-screenshots"
    out.mkdir(exist_ok=True)
    outcome = consolidate_returns(
        samples / "register.xlsx",
        [samples / "returns"],
        Period.parse("2017/18 Q1"),
        out / "board.xlsx",
        history=samples / "history.csv",
        html=out / "board.html",
    )
    assert outcome.written
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser", "google-chrome") or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(_binary("chromedriver")), options=options
    )
    try:
        driver.get((out / "board.html").as_uri())
        for name, width, height, target in (
            ("web-desktop.png", 1280, 900, None),
            ("web-phone.png", 360, 740, ".board-section"),
        ):
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
            )
            top = (
                "document.querySelector(arguments[0]).scrollIntoView()"
                if target
                else "scrollTo(0,0)"
            )
            driver.execute_script(top, target)
            if target:  # scrolled sideways to the figures, as a reader on a phone would
                driver.execute_script(
                    "const region = document.querySelector(arguments[0] + ' .table-scroll');"
                    "region.scrollLeft = region.querySelector('td.figure').offsetLeft"
                    " - region.querySelector('th.name-col').offsetWidth;",
                    target,
                )
            driver.save_screenshot(str(folder / name))
    finally:
        driver.quit()
        shutil.rmtree(out)


if __name__ == "__main__":
    import sys

    screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "images"))
