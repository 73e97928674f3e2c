"""kpi-excel: from an indicator register and officers' returns to the board's performance report.

The Python API mirrors the command line:

    from kpi_excel import consolidate_returns, Period
    outcome = consolidate_returns("register.xlsx", ["returns/"], Period.parse("2017/18 Q1"),
                                  "board.xlsx", history="history.csv")
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
