"""Safe text in every output: one sanitiser for cells, CSV files and the terminal.

Officers paste text from Word and email: vertical tabs, form feeds, escape sequences and
characters a file name carried from another system. Excel's XML cannot hold most control
characters (XlsxWriter and openpyxl refuse them, and the whole file with them); a terminal
obeys escape sequences; a spreadsheet opening a CSV runs a cell starting with = as a formula.
Every writer passes text through here, so none of that reaches an output.
"""

from __future__ import annotations

import re

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
MAX_FOOTER = 255  # Excel's limit on a header or footer, codes included

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone
# surrogates (a file name that was not UTF-8); the two non-characters XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# ANSI escape sequences (colours, cursor moves, window titles) and any other control.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# OWASP's list: a spreadsheet treats a cell starting with these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str) -> str:
    """text without the characters no output can safely hold; other text unchanged. A lone
    surrogate (from a file name that was not UTF-8) becomes the replacement character."""
    if text.isprintable() or not _CONTROL.search(text):  # the common case, at C speed
        return text
    return _CONTROL.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def cut_marker(cut: int) -> str:
    return f" [… {cut:,} more characters cut: Excel holds at most {MAX_CELL_TEXT:,} in a cell]"


def cell_text(text: str) -> tuple[str, bool]:
    """(text fit for one Excel cell, whether it had to be cut). Text over Excel's limit is cut
    with a visible marker saying how much, rather than the workbook not being written."""
    text = clean(text)
    if len(text) <= MAX_CELL_TEXT:
        return text, False
    keep = MAX_CELL_TEXT - len(cut_marker(len(text)))
    return text[:keep] + cut_marker(len(text) - keep), True


def csv_cell(text: str) -> str:
    """A CSV field a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe (OWASP's advice on CSV injection)."""
    text = clean(text)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def terminal(text: str) -> str:
    """text fit to print: escape sequences and control characters removed, new lines kept."""
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text)
    return _TERMINAL_CONTROL.sub(_replacement, text)


def footer(text: str) -> str:
    """A header or footer within Excel's 255 characters, without control characters."""
    text = clean(text).replace("\n", " ").replace("\r", " ")
    # a cut may split an &-code in two: drop a dangling &
    return text if len(text) <= MAX_FOOTER else text[:MAX_FOOTER].rstrip("&")
