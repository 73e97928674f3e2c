"""The board workbook."""

from .pack import write_pack_copy
from .sections import ProgressBar
from .workbook import write_board_workbook

__all__ = [
    "ProgressBar",
    "write_board_workbook",
    "write_pack_copy",
]
