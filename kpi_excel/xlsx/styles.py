"""Every cell style kpi-excel writes, as named data, defined once, and the one estimate of how
many lines a cell's text wraps to.

The board workbook, the return templates, the register, the return log and the feedback
copies (colours, font and line heights) all draw on these names. Nothing here imports
XlsxWriter: a style is a plain dictionary of XlsxWriter format properties, so it can be
inspected, tested and reused; the adapter turns it into a format object when a sheet needs it.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from functools import lru_cache

from ..core.models import Indicator, Settings, Unit
from ..core.problems import RegisterError, problem

# Arial rather than Excel's Calibri: LibreOffice and most print servers have a metric twin of
# Arial (Liberation Sans) but often no Calibri twin, and row heights are estimated from it.
FONT_NAME = "Arial"
FONT_SIZE = 10
LINE_HEIGHT = 12.75  # points per wrapped line of FONT_SIZE text
MAX_ROW_HEIGHT = 409.0  # Excel's limit

# Characters of FONT_SIZE prose per unit of column width. Arial 10 prose (or Liberation Sans,
# its metric twin) wraps at 1.17 to 1.3 characters a unit in LibreOffice's printed pack
# (measured: the fewer in wide columns); 1.2 and a character's margin per line err on the tall
# side, as clipped text is worse than space. Bold text takes BOLD_WIDTH of the width.
CHARS_PER_UNIT = 1.2
BOLD_WIDTH = 0.9

NEUTRAL_FONT = "#595959"  # not-rated reasons and missing text: grey, legible when printed
BORDER_COLOUR = "#A6A6A6"
LINK_COLOUR = "#0563C1"
TREND_COLOUR = "#404040"  # the trend charts' line: dark grey survives a black-and-white printer

# The officer's return: yellow is for you, grey is filled in for you.
INPUT_FILL = "#FFF2CC"
LOCKED_FILL = "#F2F2F2"
NOT_APPLICABLE_FILL = "#D9D9D9"
SMALL_FONT = "#404040"  # the 8 pt description under an indicator's name

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@lru_cache(maxsize=4096)
def lines_needed(text: str, width: float) -> int:
    """Lines text takes wrapped at width (Excel's units): each paragraph filled word by word,
    a word longer than a line broken across lines (as textwrap does, at a fraction of its
    cost). XlsxWriter cannot measure text and LibreOffice does not grow rows on opening, so
    every writer sets its row heights from this, at LINE_HEIGHT a line."""
    per_line = max(1, int(width * CHARS_PER_UNIT) - 1)
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) <= per_line:
            lines += 1  # most cells are short
        else:
            lines += _wrapped_lines(paragraph.split(), per_line)
    return lines


def _wrapped_lines(words: list[str], per_line: int) -> int:
    lines, used = 1, 0  # used: characters on the current line
    for word in words:
        size = len(word)
        if used:
            if used + 1 + size <= per_line:
                used += 1 + size
                continue
            lines, used = lines + 1, 0
        # The word starts a line; one longer than a line runs on over the next ones.
        full, used = divmod(size, per_line)
        if used == 0:
            full, used = full - 1, per_line
        lines += full
    return lines


@dataclass(frozen=True)
class Palette:
    """The colours in force for one report, from its settings."""

    green_fill: str
    amber_fill: str
    red_fill: str
    green_font: str
    amber_font: str
    red_font: str
    header_fill: str
    header_font: str = "#FFFFFF"


def _checked_colour(name: str, value: str) -> str:
    if not _HEX.match(value):
        raise RegisterError(
            f"Setting {name} is '{value}', which is not a colour like #C6EFCE.",
            [
                problem(
                    "settings-invalid",
                    value=value,
                    detail=f"{name} must be a colour written as # and six hex digits, "
                    f"like #C6EFCE; it is '{value}'",
                )
            ],
        )
    return value.upper()


def dark_shade(colour: str) -> str:
    """A dark text colour of the same hue, as Excel's Good/Bad/Neutral styles pair them.

    Keeps the hue of the light fill from the settings so the word reads as belonging to it,
    at a lightness dark enough for contrast on that fill and on white paper.
    """
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _, saturation = colorsys.rgb_to_hls(red, green, blue)
    red, green, blue = colorsys.hls_to_rgb(hue, 0.22, max(saturation, 0.6))
    return "#" + "".join(f"{round(part * 255):02X}" for part in (red, green, blue))


def palette(settings: Settings) -> Palette:
    green = _checked_colour("green_colour", settings.green_colour)
    amber = _checked_colour("amber_colour", settings.amber_colour)
    red = _checked_colour("red_colour", settings.red_colour)
    return Palette(
        green_fill=green,
        amber_fill=amber,
        red_fill=red,
        green_font=dark_shade(green),
        amber_font=dark_shade(amber),
        red_font=dark_shade(red),
        header_fill=_checked_colour("header_colour", settings.header_colour),
    )


_BODY = {"font_name": FONT_NAME, "font_size": FONT_SIZE, "valign": "top"}
_BOX = {**_BODY, "border": 1, "border_color": BORDER_COLOUR}


def cell_styles(colours: Palette) -> dict[str, dict[str, object]]:
    """Static cell styles by name. Number formats are added per indicator (number_format)."""
    header = {
        **_BOX,
        "bold": True,
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "font_color": colours.header_font,
        "bg_color": colours.header_fill,
    }
    return {
        "title": {**_BODY, "bold": True, "font_size": 14},
        "subtitle": {**_BODY, "bold": True, "font_size": 11},
        "note": {**_BODY, "italic": True, "font_color": NEUTRAL_FONT},
        "note_wrap": {**_BODY, "italic": True, "font_color": NEUTRAL_FONT, "text_wrap": True},
        "plain": {**_BODY},
        "plain_wrap": {**_BODY, "text_wrap": True},
        "bold": {**_BODY, "bold": True},
        "link": {**_BODY, "font_color": LINK_COLOUR, "underline": 1},
        "link_box": {**_BOX, "font_color": LINK_COLOUR, "underline": 1, "text_wrap": True},
        "header": header,
        "header_left": {**header, "align": "left"},
        # A heading cell and the blank one above it, drawn as one block (no border between).
        "header_upper": {**header, "bottom": 0},
        "header_lower": {**header, "top": 0},
        "text": {**_BOX, "text_wrap": True},
        "text_bold": {**_BOX, "text_wrap": True, "bold": True},
        "text_centre": {**_BOX, "text_wrap": True, "align": "center"},
        "figure": {**_BOX, "align": "right", "text_wrap": True},
        "count": {**_BOX, "align": "center", "num_format": "0"},
        "count_bold": {**_BOX, "align": "center", "num_format": "0", "bold": True},
        "rag": {**_BOX, "bold": True, "align": "center", "text_wrap": True},
        "not_rated": {
            **_BOX,
            "italic": True,
            "align": "center",
            "text_wrap": True,
            "font_color": NEUTRAL_FONT,
        },
        "missing": {**_BOX, "italic": True, "text_wrap": True, "font_color": NEUTRAL_FONT},
        "section_heading": {
            **_BOX,
            "bold": True,
            "font_size": FONT_SIZE + 1,
            "bg_color": "#D9D9D9",
        },
        "footnote": {**_BODY, "italic": True, "text_wrap": True},
        "piece_missing": {**_BODY, "italic": True, "font_color": NEUTRAL_FONT},
        "piece_label": {**_BODY, "bold": True},
        "arrow": {**_BOX, "align": "center", "font_size": FONT_SIZE + 2, "bold": True},
        "trend_word": {**_BOX, "align": "center", "text_wrap": True},
        "spark": {**_BOX},
        **_swatch_styles(colours),
        # Pieces of rich text in the indicator cell: the name, its description, its reference.
        "piece_name": {**_BODY, "bold": True},
        "piece_plain": {**_BODY},
        "piece_ref": {**_BODY, "font_color": NEUTRAL_FONT},
        "data_text": {**_BODY, "valign": "top"},
        "data_number": {**_BODY, "valign": "top", "num_format": "General"},
    }


def _swatch_styles(colours: Palette) -> dict[str, dict[str, object]]:
    """Fixed fills for the Key and Summary, where the colour is being explained."""
    swatch = {**_BOX, "bold": True, "align": "center"}
    return {
        "swatch_green": {
            **swatch,
            "bg_color": colours.green_fill,
            "font_color": colours.green_font,
        },
        # Bordered as the RAG colour rules are, to tell them apart in black and white.
        "swatch_amber": {
            **swatch,
            "bg_color": colours.amber_fill,
            "font_color": colours.amber_font,
            "border": 3,
            "border_color": "#000000",
        },
        "swatch_red": {
            **swatch,
            "bg_color": colours.red_fill,
            "font_color": colours.red_font,
            "border": 2,
            "border_color": "#000000",
        },
        "swatch_better": {**swatch, "font_color": colours.green_font},
        "swatch_worse": {**swatch, "font_color": colours.red_font},
    }


# The styles a RAG word is shown in, by the word ("GREEN"; a RAG, being a StrEnum, finds the
# same entry): a fixed swatch where the colour is explained (keys, headings, the Summary), and
# the conditional format a colour rule applies to a rated cell. BLUE has neither: it is plain.
RAG_SWATCHES = {"GREEN": "swatch_green", "AMBER": "swatch_amber", "RED": "swatch_red"}
RAG_RULES = {"GREEN": "cf_green", "AMBER": "cf_amber", "RED": "cf_red"}


def conditional_styles(colours: Palette) -> dict[str, dict[str, object]]:
    """Differential styles applied by conditional formatting rules (fills and font colours)."""
    return {
        "cf_green": {"bg_color": colours.green_fill, "font_color": colours.green_font},
        # The light RAG fills print as almost the same grey: a border tells them apart in
        # black and white (dashed for AMBER, heavy for RED) as the words do.
        "cf_amber": {
            "bg_color": colours.amber_fill,
            "font_color": colours.amber_font,
            "border": 3,
            "border_color": "#000000",
        },
        "cf_red": {
            "bg_color": colours.red_fill,
            "font_color": colours.red_font,
            "border": 2,
            "border_color": "#000000",
        },
        "cf_better": {"font_color": colours.green_font},
        "cf_worse": {"font_color": colours.red_font},
        "cf_neutral": {"font_color": NEUTRAL_FONT},
    }


def return_styles(colours: Palette) -> dict[str, dict[str, object]]:
    """The officer's return template: yellow cells to fill in, grey ones filled in and
    locked, the guide's live cells bold; conditional ones for its Check words. Used with
    cell_styles and conditional_styles (the RAG fills, headings and notes are those)."""
    locked = {**_BOX, "locked": True, "bg_color": LOCKED_FILL, "text_wrap": True}
    typed = {**_BOX, "locked": False, "bg_color": INPUT_FILL}
    live = {**_BOX, "locked": True, "text_wrap": True, "bold": True}
    return {
        "locked": locked,
        "locked_bold": {**locked, "bold": True},
        "locked_centre": {**locked, "align": "center"},
        "not_applicable": {**_BOX, "locked": True, "bg_color": NOT_APPLICABLE_FILL},
        "input": typed,
        "input_centre": {**typed, "align": "center"},
        "input_text": {**typed, "text_wrap": True},
        "live": live,
        "live_centre": {**live, "align": "center"},
        "table_header": {**_BOX, "bold": True, "bg_color": LOCKED_FILL, "text_wrap": True},
        "piece_small": {**_BODY, "font_size": 8, "font_color": SMALL_FONT},
        # The Check column's verdicts: the words carry them, the colours help them stand out.
        "cf_ok": {"font_color": colours.green_font},
        "cf_error": {"bg_color": colours.red_fill, "font_color": colours.red_font},
        "cf_check": {"bg_color": colours.amber_fill, "font_color": colours.amber_font},
        "cf_pending": {"font_color": NEUTRAL_FONT, "italic": True},
    }


def chart_fills(colours: Palette) -> dict[str, dict[str, object]]:
    """Chart series fills: the RAG colours with a different pattern each (solid, horizontal
    lines, a grid, dots), so the bars differ in greyscale and to colour-blind readers."""
    return {
        "GREEN": {"fill": {"color": colours.green_fill}},
        "AMBER": {
            "pattern": {
                "pattern": "dark_horizontal",
                "fg_color": colours.amber_font,
                "bg_color": colours.amber_fill,
            }
        },
        "RED": {
            "pattern": {
                "pattern": "large_grid",
                "fg_color": colours.red_font,
                "bg_color": colours.red_fill,
            }
        },
        "Not rated": {
            "pattern": {
                "pattern": "percent_20",
                "fg_color": NEUTRAL_FONT,
                "bg_color": "#FFFFFF",
            }
        },
    }


def _literal(text: str) -> str:
    """Text quoted for an Excel number format; a double quote cannot be escaped inside one."""
    return '"' + text.replace('"', "'") + '"'


def number_format(
    indicator: Indicator, *, marks: str = "", places: int | None = None, typed: bool = False
) -> str:
    """The Excel number format showing a value as display.format_value prints it.

    Percentages are written as fractions (value / 100) under a % format. marks is text shown
    after the figure, such as " (Provisional)" or " (16-17)", so the cell stays a number.
    places: the figure's own (display.places_shown), else the register's Decimals.
    typed: a cell of the return, as the officer types it: a percentage in points under a
    literal % (83 shows as 83%, never 8300%), no suffix (the Unit column says it).
    """
    places = indicator.decimals if places is None else places
    digits = "0" if places == 0 else "0." + "0" * places
    if typed:
        money = _literal("£") if indicator.unit is Unit.MONEY else ""
        return money + "#,##" + digits + (_literal("%") if indicator.unit is Unit.PERCENT else "")
    if indicator.unit is Unit.PERCENT:
        code = f"{digits}%"
    else:
        code = "#,##" + digits
        if indicator.unit is Unit.MONEY:
            code = _literal("£") + code
        if indicator.suffix:
            joiner = "" if indicator.suffix[:2] in ("kg", "£") else " "
            code += _literal(joiner + indicator.suffix)
    if marks:
        code += _literal(marks)
    return code
