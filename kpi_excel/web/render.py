"""The web edition: one self-contained, accessible HTML page of the board report.

Rendered by Jinja2 with autoescaping on for every value, so no text from a return or the
register can become markup, a link or a script; the template holds all the markup.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..core.models import Report
from ..xlsx import write_bytes
from .page import build_page

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every {{ value }} is escaped, whatever the template's name
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the tests, not the page
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    """The web edition of report, as one HTML page (styles and charts inline, no scripts)."""
    page = build_page(report)
    return _environment().get_template("report.html.j2").render(page=page)


def write_html_report(report: Report, path: Path) -> Path:
    """Write the web edition to path, replacing any earlier file atomically."""
    return write_bytes(Path(path), render_html(report).encode("utf-8"))
