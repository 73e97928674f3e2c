"""The return templates: one protected workbook per service area."""

from .build import write_return_templates

__all__ = [
    "write_return_templates",
]
