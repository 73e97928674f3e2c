"""The web edition of the board report: one accessible, self-contained HTML page."""

from .render import render_html, write_html_report

__all__ = ["render_html", "write_html_report"]
