"""The indicator register: loading and checking it, and writing the blank one."""

from .book import write_register
from .loader import fingerprint, load_register, read_sheets, settings_fingerprint, take_row

__all__ = [
    "fingerprint",
    "load_register",
    "read_sheets",
    "settings_fingerprint",
    "take_row",
    "write_register",
]
