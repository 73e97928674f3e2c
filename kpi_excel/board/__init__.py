"""The board workbook."""

from .sections import ProgressBar
from .workbook import write_board_workbook

__all__ = [
    "ProgressBar",
    "write_board_workbook",
]
