"""The indicator register: loading and checking it, and writing the blank one."""

from .book import write_register
from .keys import parse_rag_key
from .loader import fingerprint, load_register, read_sheets, settings_fingerprint, take_row
from .year import check_reporting_year, load_register_for, new_year

__all__ = [
    "check_reporting_year",
    "fingerprint",
    "load_register_for",
    "new_year",
    "parse_rag_key",
    "load_register",
    "read_sheets",
    "settings_fingerprint",
    "take_row",
    "write_register",
]
