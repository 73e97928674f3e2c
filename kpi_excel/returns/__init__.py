"""The officers' returns: reading and checking every cell, collecting a period, the return log,
the validation log and feedback copies."""

from .collect import Collected, collect_returns, find_return_files
from .feedback import Feedback, write_feedback
from .log import chase_list, return_log
from .logbook import write_output, write_validation_log
from .parallel import read_returns_parallel
from .reader import ReturnFile, file_time, read_return, sha256_of

__all__ = [
    "Collected",
    "Feedback",
    "ReturnFile",
    "chase_list",
    "collect_returns",
    "file_time",
    "find_return_files",
    "read_return",
    "read_returns_parallel",
    "return_log",
    "sha256_of",
    "write_feedback",
    "write_output",
    "write_validation_log",
]
