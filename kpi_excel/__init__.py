"""kpi-excel: from an indicator register and officers' returns to the board's performance report.

The Python API mirrors the command line, a function per command of the same name:

    from kpi_excel import Period, api
    outcome = api.consolidate("register.xlsx", ["returns/"], Period.parse("2017/18 Q1"),
                              "board.xlsx", history="history.csv")

consolidate_returns, make_templates and validate_returns, the first release's names, are
still importable from here.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["Period", "__version__", "consolidate_returns", "make_templates", "validate_returns"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `kpi-excel --help` does not pay for pydantic and the models.
    if name in ("consolidate_returns", "make_templates", "validate_returns"):
        from . import api

        return getattr(api, name)
    if name == "Period":
        from .core.periods import Period

        return Period
    raise AttributeError(f"module 'kpi_excel' has no attribute {name!r}")
