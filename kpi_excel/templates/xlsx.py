"""The return template's XlsxWriter adapter and its named styles.

XlsxWriter reports many mistakes (a mistyped option, text over one of Excel's limits) only with a
warning and a negative return code, so a dropped drop-down or colour rule would go unnoticed.
Every worksheet call of the template writer goes through `call`, which turns both into an
OutputError naming the call.
"""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from ..core.models import Indicator, Settings, Unit
from ..xlsx.write import checked

# Fills an officer learns once: yellow is for you, grey is filled in for you.
INPUT_FILL = "#FFF2CC"
LOCKED_FILL = "#F2F2F2"
NOT_APPLICABLE_FILL = "#D9D9D9"
BORDER_COLOUR = "#A6A6A6"
MUTED_FONT = "#595959"

# Arial, as in the board workbook: LibreOffice and print servers have its metric twin
# (Liberation Sans), so row heights estimated here hold wherever the template is opened.
FONT = {"font_name": "Arial", "font_size": 10}
LINE_HEIGHT = 12.75  # points per line of 10pt Arial

# Named styles, defined once. Values are XlsxWriter format properties.
STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True},
    "note": {"font_color": MUTED_FONT},
    "note_bold": {"bold": True},
    "header": {
        "bold": True,
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "border": 1,
        "border_color": BORDER_COLOUR,
        "font_color": "#FFFFFF",
    },
    "locked": {
        "locked": True,
        "bg_color": LOCKED_FILL,
        "border": 1,
        "border_color": BORDER_COLOUR,
        "valign": "top",
        "text_wrap": True,
    },
    "not_applicable": {
        "locked": True,
        "bg_color": NOT_APPLICABLE_FILL,
        "border": 1,
        "border_color": BORDER_COLOUR,
        "valign": "top",
    },
    "input": {
        "locked": False,
        "bg_color": INPUT_FILL,
        "border": 1,
        "border_color": BORDER_COLOUR,
        "valign": "top",
    },
    "live": {
        "locked": True,
        "border": 1,
        "border_color": BORDER_COLOUR,
        "valign": "top",
        "text_wrap": True,
        "bold": True,
    },
    "table_header": {
        "bold": True,
        "bg_color": LOCKED_FILL,
        "border": 1,
        "border_color": BORDER_COLOUR,
        "valign": "top",
        "text_wrap": True,
    },
    "table_cell": {"border": 1, "border_color": BORDER_COLOUR, "valign": "top", "text_wrap": True},
}


def call(target: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call an XlsxWriter method through the shared adapter, which turns its warnings and
    negative return codes into an OutputError naming the call."""
    shown = ", ".join(_short(arg) for arg in args[:4])
    return checked(
        f"the return template's {method}({shown})", getattr(target, method), *args, **kwargs
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Formats:
    """Formats built from named styles, cached so each distinct look is added once."""

    def __init__(self, workbook: Workbook, settings: Settings) -> None:
        self._workbook = workbook
        self._settings = settings
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, *styles: str, **overrides: Any) -> Format:
        props: dict[str, Any] = {}
        for style in styles:
            props.update(STYLES[style])
            if style == "header":
                props["bg_color"] = self._settings.header_colour
        props.update(overrides)
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = call(self._workbook, "add_format", props)
        return self._cache[key]


def number_format(indicator: Indicator) -> str:
    """The indicator's display format, matching display.format_value.

    Percentages are held as percentage points, so the percent sign is a literal: 83 shows as
    83%, never 8300%.
    """
    digits = "#,##0" + ("." + "0" * indicator.decimals if indicator.decimals else "")
    if indicator.unit is Unit.PERCENT:
        return digits + '"%"'
    if indicator.unit is Unit.MONEY:
        return '"£"' + digits
    return digits


def wrapped_lines(text: str, width: float, *, bold: bool = False) -> int:
    """Roughly how many lines wrapped text takes in a column of this width.

    XlsxWriter cannot measure text and LibreOffice does not grow rows on opening, so row
    heights are set from this estimate (a column width counts '0' characters; average text
    is a little narrower, bold text a little wider).
    """
    per_line = max(1, int(width * (1.0 if bold else 1.15)))
    return max(1, sum(len(textwrap.wrap(part, per_line)) or 1 for part in text.split("\n")))


def lock_structure(path: Path) -> None:
    """Protect the workbook's structure (no password): sheets cannot be renamed, deleted,
    moved, added or unhidden. XlsxWriter cannot write workbookProtection, so it is put into
    the saved workbook part, before bookViews as the schema orders it; every other part is
    copied as it is, so the file stays byte-identical from one run to the next."""
    temp = path.with_name(path.name + ".lock")
    try:
        _copy_with_protection(path, temp)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def _copy_with_protection(path: Path, temp: Path) -> None:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                if "<workbookProtection" not in text:
                    text = text.replace(
                        "<bookViews>", '<workbookProtection lockStructure="1"/><bookViews>', 1
                    )
                data = text.encode("utf-8")
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
