"""kpi-excel: from an indicator register and officers' returns to the board's performance report.

The Python API mirrors the command line:

    from kpi_excel import consolidate_returns, Period
    outcome = consolidate_returns("register.xlsx", ["returns/"], Period.parse("2017/18 Q1"),
                                  "board.xlsx", history="history.csv")
"""

__version__ = "0.1.0"

from .api import consolidate_returns, make_templates, validate_returns  # noqa: E402
from .periods import Period  # noqa: E402

__all__ = ["Period", "__version__", "consolidate_returns", "make_templates", "validate_returns"]
