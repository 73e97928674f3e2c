"""The report: each figure rated once, with its arrows; its JSON; published-report checks."""

from .build import build_report, report_json, write_json
from .published import check_published, load_published

__all__ = [
    "build_report",
    "check_published",
    "load_published",
    "report_json",
    "write_json",
]
