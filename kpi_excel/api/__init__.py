"""The Python API: one function per command."""

from .history import (
    close_period,
    correct_figure,
    export_history,
    import_history,
    list_runs,
    runs_json,
    show_history,
)
from .run import consolidate_returns, make_templates, new_year, validate_returns

__all__ = [
    "close_period",
    "consolidate_returns",
    "correct_figure",
    "export_history",
    "import_history",
    "list_runs",
    "make_templates",
    "new_year",
    "runs_json",
    "show_history",
    "validate_returns",
]
