"""The Python API: one function per command, named as the command is (as sqlite-utils does):
`kpi-excel import-history` is `api.import_history`, `kpi-excel consolidate` is
`api.consolidate`. The longer names of the first release stay, as aliases, so scripts that
use them still work.
"""

from .history import (
    close,
    close_period,
    correct,
    correct_figure,
    export_history,
    import_history,
    list_runs,
    runs,
    runs_json,
    show_history,
)
from .run import (
    consolidate,
    consolidate_returns,
    make_templates,
    new_register,
    new_year,
    problems,
    templates,
    validate,
    validate_returns,
)

__all__ = [
    "close",
    "close_period",
    "consolidate",
    "consolidate_returns",
    "correct",
    "correct_figure",
    "export_history",
    "import_history",
    "list_runs",
    "make_templates",
    "new_register",
    "new_year",
    "problems",
    "runs",
    "runs_json",
    "show_history",
    "templates",
    "validate",
    "validate_returns",
]
