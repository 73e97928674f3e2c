"""History: past figures from history files, and the SQLite store of closed periods."""

from .files import History, load_history, parse_history_value, plain_number
from .store import (
    ClosedPeriod,
    Figure,
    Run,
    Store,
    TargetInForce,
    current_user,
    period_key,
    store_path,
)

__all__ = [
    "ClosedPeriod",
    "Figure",
    "History",
    "Run",
    "Store",
    "TargetInForce",
    "current_user",
    "load_history",
    "parse_history_value",
    "period_key",
    "plain_number",
    "store_path",
]
