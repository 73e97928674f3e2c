"""The board pack for printing: a copy of the workbook with only the pack's sheets showing.

LibreOffice's PDF export prints every visible sheet, with or without a print area, and skips
hidden ones; so the PDF is made from a copy in which the sheets for the screen (the section
sheets, Key, Data, Data quality, Trend data ...) are hidden. The workbook itself is unchanged.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from .sections import PACK_SHEETS

_SHEET = re.compile(r'<sheet name="([^"]*)"[^>]*?(/?>)')
WORKBOOK_PART = "xl/workbook.xml"


def hide_all_but_the_pack(workbook_xml: str) -> str:
    """workbook.xml with every sheet not in the pack marked hidden."""

    def mark(match: re.Match[str]) -> str:
        tag, name = match.group(0), html.unescape(match.group(1))
        if name in PACK_SHEETS or " state=" in tag:
            return tag
        end = match.group(2)
        return tag[: -len(end)] + f' state="hidden"{end}'

    return _SHEET.sub(mark, workbook_xml)


def write_pack_copy(workbook: Path, copy: Path) -> None:
    """Copy workbook to copy, with only the board pack's sheets visible."""
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == WORKBOOK_PART:
                data = hide_all_but_the_pack(data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
