"""A small adapter over XlsxWriter that turns its quiet failures into OutputError.

XlsxWriter reports many mistakes only with a warning and a return code of -1 or -2 (a cell
out of range, a mistyped option, a string too long), and then carries on without the cell or
the rule. Every call kpi-excel makes goes through `checked`, which raises on any warning and
any non-zero return code, so a dropped colour rule fails the run instead of the board report.
XlsxWriter's option dictionaries stay in this module; the writer calls typed methods.

A book written to a file path uses XlsxWriter's constant_memory mode unless told otherwise (a
small template or register is built in memory): each row goes to disk as soon as a later row
is started, so a board of 40,000 indicators needs megabytes, not gigabytes. The price is that
a sheet must be written row by row, top to bottom: a cell written above the current row is
refused (and raised here), a row's height must be set before the next row is started, and a
merge may span one row only (see merged_string).
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from os import PathLike, fspath
from pathlib import Path
from typing import IO, Any, Literal

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError, XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.utility import (
    quote_sheetname,
    xl_range_abs,
    xl_rowcol_to_cell,
)
from xlsxwriter.worksheet import Worksheet

from ..core.problems import OutputError
from ..core.text import cell_text, clean, footer

MAX_STRING = 32767  # Excel's limit on the characters in one cell

_RETURN_MEANINGS = {
    -1: "a row or column outside the worksheet's limits, or an unknown option",
    -2: "a string longer than Excel's 32,767 characters or an option XlsxWriter rejected",
    -3: "a hyperlink longer than Excel's 2,079 characters",
    -4: "more than Excel's 65,530 hyperlinks on one sheet",
    -5: "an empty piece of rich text",
}


@contextmanager
def warnings_as_errors() -> Iterator[None]:
    """Around a whole build: XlsxWriter's warnings become exceptions, and any that escape a
    call (the per-cell methods do not wrap each call: that cost a third of the time of
    writing a large board) become OutputError here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=UserWarning, module="xlsxwriter")
        try:
            yield
        except UserWarning as warning:
            raise OutputError(f"Could not build the workbook: {warning}") from None
        except XlsxWriterException as error:
            raise OutputError(f"Could not build the workbook: {error}") from error


def checked(what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call XlsxWriter; inside warnings_as_errors(), any warning or error code is raised."""
    try:
        result = call(*args, **kwargs)
    except XlsxWriterException as error:
        raise OutputError(f"Could not build the workbook: {what}: {error}") from error
    except UserWarning as warning:
        raise OutputError(f"Could not build the workbook: {what}: {warning}") from None
    if isinstance(result, int) and not isinstance(result, bool) and result != 0:
        _fail(what, result)
    return result


def _fail(what: str, code: int) -> None:
    meaning = _RETURN_MEANINGS.get(code, f"XlsxWriter error code {code}")
    raise OutputError(f"Could not build the workbook: {what} failed with {meaning}.")


def cell(row: int, col: int, *, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def ref(sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """An absolute reference to a range on a named sheet, quoted as Excel needs."""
    return f"{quote_sheetname(sheet)}!{xl_range_abs(first_row, first_col, last_row, last_col)}"


@dataclass(frozen=True)
class PrintSetup:
    landscape: bool = True
    paper: int = 9  # A4
    fit_width: int | None = 1  # pages across; None leaves the scale as set below
    scale: int = 100  # percent, when fit_width is None: one scale keeps print sizes alike
    repeat_rows: tuple[int, int] | None = None
    area: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col
    footer: str = ""
    header: str = ""
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)  # left right top bottom


@dataclass(frozen=True)
class BarSeries:
    name: str
    categories: str  # a reference from ref()
    values: str
    fill: Mapping[str, object]


@dataclass(frozen=True)
class LineSeries:
    """One series of a line chart: a line, markers alone (line=False), or both."""

    name: str
    values: str  # a reference from ref()
    colour: str
    dash: str | None = None  # XlsxWriter's dash_type ("dash", "long_dash"); None is solid
    width: float = 1.5
    line: bool = True
    marker: str | None = None  # "circle", "square", "diamond", "triangle"; None for none
    marker_size: int = 6
    in_legend: bool = True


# Excel's limits on a validation's words; longer ones make the file one Excel repairs.
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255


@dataclass(frozen=True)
class Validation:
    """A data-validation rule for a range, and the help shown when one of its cells is chosen.

    kind is XlsxWriter's: "decimal" (between minimum and maximum), "list" (source, a range
    with its "="), "length" (at most `most` characters) or "any" (the help alone). stop
    refuses a wrong entry; otherwise the officer is warned and may keep it.
    """

    kind: Literal["decimal", "list", "length", "any"]
    help_title: str = ""
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    source: str = ""
    most: int | None = None
    stop: bool = False
    error_title: str = ""
    error: str = ""

    def options(self) -> dict[str, object]:
        """XlsxWriter's options, the words cut to Excel's limits."""
        options: dict[str, object] = {"validate": self.kind}
        if self.kind == "decimal":
            options.update(criteria="between", minimum=self.minimum, maximum=self.maximum)
        elif self.kind == "list":
            options["source"] = self.source
        elif self.kind == "length":
            options.update(criteria="<=", value=self.most)
        words = {
            "input_title": self.help_title[:_TITLE_LIMIT],
            "input_message": self.help[:_MESSAGE_LIMIT],
            "error_title": self.error_title[:_TITLE_LIMIT],
            "error_message": self.error[:_MESSAGE_LIMIT],
        }
        options.update({key: text for key, text in words.items() if text})
        if self.kind != "any":
            options["error_type"] = "stop" if self.stop else "warning"
        return options


# Protection without a password: the layout is safe from accidents; rows and columns may be
# resized, so a long comment can be read.
_PROTECTION = {
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def _line_options(one: LineSeries) -> dict[str, object]:
    """XlsxWriter's values, line and marker options for one line-chart series."""
    line: dict[str, object] = {"none": True}
    if one.line:
        line = {"color": one.colour, "width": one.width}
        if one.dash:
            line["dash_type"] = one.dash
    marker: dict[str, object] = {"type": "none"}
    if one.marker:
        marker = {
            "type": one.marker,
            "size": one.marker_size,
            "fill": {"color": one.colour},
            "border": {"color": "#000000", "width": 0.75},
        }
    return {"values": one.values, "line": line, "marker": marker}


class _Unrecorded(dict[Any, Any]):
    """A dict that keeps nothing: XlsxWriter's record of table cells, not kept (see table)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class Sheet:
    """One worksheet; rows and columns are zero-based as in XlsxWriter.

    The per-cell methods call XlsxWriter directly and look at its return code, building the
    words of an error only when there is one: on a board of 40,000 indicators they run
    millions of times.
    """

    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self._book = book
        self._ws = worksheet
        self.name: str = worksheet.get_name()

    def _at(self, row: int, col: int) -> str:
        return f"'{self.name}'!{cell(row, col)}"

    def _cell_failed(self, what: str, row: int, col: int, code: int) -> None:
        if code == -1 and self._book.constant_memory and row < self._ws.previous_row:
            raise OutputError(
                f"Could not build the workbook: {what} {self._at(row, col)}: row {row + 1} was "
                "already written (this sheet is written top to bottom). This is a fault in "
                "kpi-excel."
            )
        _fail(f"{what} {self._at(row, col)}", code)

    def _safe(self, row: int, col: int, text: str) -> str:
        """core.text's sanitiser: control characters out, text over Excel's limit cut with a
        marker (and counted in Book.cut) rather than the workbook not being written."""
        text, was_cut = cell_text(text)
        if was_cut:
            self._book.cut.append(self._at(row, col))
        return text

    def string(self, row: int, col: int, text: str, style: str) -> None:
        """Text exactly as given: never a formula, number or link, whatever it starts with."""
        if text == "":
            self.blank(row, col, style)
            return
        if len(text) > MAX_STRING or not text.isprintable():
            text = self._safe(row, col, text)
        code = self._ws.write_string(row, col, text, self._book.style(style))
        if code:
            self._cell_failed("write text to", row, col, code)

    def values(
        self,
        row: int,
        values: Sequence[str | float | bool | None],
        text_style: str,
        number_style: str,
    ) -> None:
        """A row of values from column A: text as text, True/False as such, floats as numbers
        in number_style; None and "" leave the cell empty. The Data sheets' fast path."""
        ws, style = self._ws, self._book.style
        text_format, number_format = style(text_style), style(number_style)
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                if len(value) > MAX_STRING or not value.isprintable():
                    value = self._safe(row, col, value)
                code = ws.write_string(row, col, value, text_format)
            elif isinstance(value, bool):
                code = ws.write_boolean(row, col, value, text_format)
            else:
                code = ws.write_number(row, col, value, number_format)
            if code:
                self._cell_failed("write a value to", row, col, code)

    def rich_string(self, row: int, col: int, parts: Sequence[tuple[str, str]], style: str) -> None:
        """Text in pieces of different styles: parts are (style, text); empty pieces dropped."""
        parts = [(name, text) for name, text in parts if text]
        if len(parts) < 2:
            self.string(row, col, "".join(text for _, text in parts), style)
            return
        args: list[Any] = []
        for name, text in parts:
            args += [self._book.style(name), self._safe(row, col, text)]
        code = self._ws.write_rich_string(row, col, *args, self._book.style(style))
        if code:
            self._cell_failed("write rich text to", row, col, code)

    def number(
        self, row: int, col: int, value: float, style: str, num_format: str | None = None
    ) -> None:
        code = self._ws.write_number(row, col, value, self._book.style(style, num_format))
        if code:
            self._cell_failed("write a number to", row, col, code)

    def boolean(self, row: int, col: int, value: bool, style: str) -> None:
        code = self._ws.write_boolean(row, col, value, self._book.style(style))
        if code:
            self._cell_failed("write TRUE/FALSE to", row, col, code)

    def blank(self, row: int, col: int, style: str, num_format: str | None = None) -> None:
        code = self._ws.write_blank(row, col, None, self._book.style(style, num_format))
        if code:
            self._cell_failed("format", row, col, code)

    def formula(self, row: int, col: int, formula: str, style: str, cached: str = "") -> None:
        """A formula; cached is the result a reader sees before any program recalculates (""
        keeps a file never opened in Excel free of stale results)."""
        code = self._ws.write_formula(row, col, formula, self._book.style(style), cached)
        if code:
            self._cell_failed("write a formula to", row, col, code)

    def validate(
        self, first_row: int, first_col: int, last_row: int, last_col: int, rule: Validation
    ) -> None:
        checked(
            f"add a validation to {self._at(first_row, first_col)}",
            self._ws.data_validation,
            first_row,
            first_col,
            last_row,
            last_col,
            rule.options(),
        )

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        checked(
            f"add a filter to '{self.name}'",
            self._ws.autofilter,
            first_row,
            first_col,
            last_row,
            last_col,
        )

    def protect(self) -> None:
        """Locked cells stay as written (no password); unlocked ones may be typed in."""
        checked(f"protect '{self.name}'", self._ws.protect, "", dict(_PROTECTION))

    def link_to_sheet(self, row: int, col: int, sheet: str, text: str, style: str) -> None:
        code = self._ws.write_url(
            row, col, f"internal:{quote_sheetname(sheet)}!A1", self._book.style(style),
            self._safe(row, col, text),
        )  # fmt: skip
        if code:
            self._cell_failed("write a link to", row, col, code)

    def link_to_cell(
        self, row: int, col: int, sheet: str, target: tuple[int, int], text: str, style: str
    ) -> None:
        where = f"internal:{quote_sheetname(sheet)}!{cell(*target)}"
        code = self._ws.write_url(row, col, where, self._book.style(style), text)
        if code:
            self._cell_failed("write a link to", row, col, code)

    def merged_string(
        self, first_row: int, first_col: int, last_row: int, last_col: int, text: str, style: str
    ) -> None:
        """Text across merged cells. In a constant_memory book a merge spanning rows must be
        the last thing written to its first row, since it writes its lower cells at once."""
        if (first_row, first_col) == (last_row, last_col):
            self.string(first_row, first_col, text, style)
            return
        text = self._safe(first_row, first_col, text)
        # merge_range writes its text with write(), which the Book's options keep as text.
        checked(
            f"merge {self._at(first_row, first_col)}:{cell(last_row, last_col)}",
            self._ws.merge_range,
            first_row,
            first_col,
            last_row,
            last_col,
            text,
            self._book.style(style),
        )

    def column_width(
        self, first_col: int, last_col: int, width: float, hidden: bool = False
    ) -> None:
        checked(
            f"set the width of columns {first_col}-{last_col} on '{self.name}'",
            self._ws.set_column,
            first_col,
            last_col,
            width,
            None,
            {"hidden": True} if hidden else None,
        )

    def row_height(self, row: int, height: float) -> None:
        """Set before the next row is written: in a constant_memory book the row is then
        already on disk."""
        code = self._ws.set_row(row, height)
        if code:
            _fail(f"set the height of row {row + 1} on '{self.name}'", code)

    def conditional_formula(
        self,
        first_row: int,
        first_col: int,
        last_row: int,
        last_col: int,
        formula: str,
        style: str,
    ) -> None:
        """Style a range where formula (written for its top-left cell) is true."""
        checked(
            f"add a colour rule to '{self.name}'",
            self._ws.conditional_format,
            first_row,
            first_col,
            last_row,
            last_col,
            {"type": "formula", "criteria": formula, "format": self._book.style(style)},
        )

    def table(
        self,
        first_row: int,
        first_col: int,
        last_row: int,
        headers: Sequence[str],
        name: str,
        header_style: str,
        style: str = "Table Style Light 1",
    ) -> None:
        """An Excel table whose heading row is first_row, written here.

        In a book written to a file (row by row), call it before any row below the heading
        row is written; in a book built in memory, any time. The heading cells get
        header_style, so they stand out where table styles are not drawn (LibreOffice's
        printing). XlsxWriter refuses tables in constant_memory mode because add_table writes
        the heading cells, which could be in rows already on disk; here they are not, so the
        mode is lifted for that one call and the headings written again as the mode needs.
        """
        ws = self._ws
        if self._book.constant_memory and ws.previous_row > first_row:
            raise OutputError(
                f"Could not build the workbook: the table {name} on '{self.name}' must be added "
                f"before row {first_row + 1} is passed. This is a fault in kpi-excel."
            )
        heading = self._book.style(header_style)
        # add_table records every cell of a table, to refuse a merge or table over it later:
        # 2.2 million entries (300 MB) for the Data sheet of 40,000 indicators. kpi-excel
        # never places anything over a table, so the record is not kept.
        recorded, ws.table_cells = ws.table_cells, _Unrecorded()
        ws.constant_memory = False
        try:
            checked(
                f"add the table {name} to '{self.name}'",
                ws.add_table,
                first_row,
                first_col,
                last_row,
                first_col + len(headers) - 1,
                {
                    "name": name,
                    "style": style,
                    "columns": [{"header": h, "header_format": heading} for h in headers],
                },
            )
        finally:
            ws.constant_memory = self._book.constant_memory
            ws.table_cells = recorded
        # add_table wrote the headings as shared strings, which a constant_memory sheet
        # cannot hold: write them again as this sheet writes text.
        for col, text in enumerate(headers, start=first_col):
            self.string(first_row, col, text, header_style)

    def chart(
        self, row: int, col: int, chart: Any, width: int, height: int, description: str = ""
    ) -> None:
        """Place a chart; description is its alternative text for screen readers."""
        options: dict[str, object] = {
            "x_scale": width / 480,
            "y_scale": height / 288,
            "object_position": 3,
        }
        if description:
            options["description"] = description
        checked(f"place a chart on '{self.name}'", self._ws.insert_chart, row, col, chart, options)

    def image(self, row: int, col: int, path: str, *, alt_text: str, height: int = 60) -> None:
        """An image such as the organisation's logo, scaled to `height` pixels tall."""
        from xlsxwriter.image import Image

        try:
            scale = height / Image(path).height
        except Exception as error:  # a file XlsxWriter cannot read as an image
            raise OutputError(f"Could not use the logo {path}: {error}.") from None
        checked(
            f"place the image {path} on '{self.name}'",
            self._ws.insert_image,
            row,
            col,
            path,
            {"x_scale": scale, "y_scale": scale, "object_position": 3, "description": alt_text},
        )

    def page_breaks(self, rows: Sequence[int]) -> None:
        """Start a printed page at each of these rows."""
        if rows:
            checked(f"set page breaks on '{self.name}'", self._ws.set_h_pagebreaks, list(rows))

    def freeze(self, row: int, col: int) -> None:
        checked(f"freeze panes on '{self.name}'", self._ws.freeze_panes, row, col)

    def hide(self) -> None:
        checked(f"hide '{self.name}'", self._ws.hide)

    def hide_from_menus(self) -> None:
        """Very hidden: not even listed by Excel's Unhide (only code can show it)."""
        checked(f"hide '{self.name}'", self._ws.very_hidden)

    def zoom(self, percent: int) -> None:
        checked(f"zoom '{self.name}'", self._ws.set_zoom, percent)

    def activate(self) -> None:
        """The sheet the workbook opens on."""
        checked(f"activate '{self.name}'", self._ws.activate)

    def hide_gridlines(self) -> None:
        checked(f"hide gridlines on '{self.name}'", self._ws.hide_gridlines, 2)

    def print_setup(self, setup: PrintSetup) -> None:
        ws = self._ws
        what = f"set up printing for '{self.name}'"
        checked(what, ws.set_landscape if setup.landscape else ws.set_portrait)
        checked(what, ws.set_paper, setup.paper)
        if setup.fit_width is not None:
            checked(what, ws.fit_to_pages, setup.fit_width, 0)
        else:
            checked(what, ws.set_print_scale, setup.scale)
        if setup.area is not None:
            checked(what, ws.print_area, *setup.area)
        if setup.repeat_rows is not None:
            checked(what, ws.repeat_rows, *setup.repeat_rows)
        left, right, top, bottom = setup.margins
        checked(what, ws.set_margins, left, right, top, bottom)
        if setup.footer:
            checked(what, ws.set_footer, footer(setup.footer))
        if setup.header:
            checked(what, ws.set_header, footer(setup.header))


class Book:
    """The workbook, its formats (made once per style and number format) and its sheets."""

    def __init__(
        self,
        target: str | PathLike[str] | IO[bytes],
        styles: Mapping[str, Mapping[str, object]],
        *,
        row_by_row: bool | None = None,
    ):
        """target: a file path or a file-like object. row_by_row (constant_memory mode) is
        the default for a path: a large board then needs megabytes; a small book whose cells
        are not written in row order (a template, a register) passes False."""
        self._styles = dict(styles)
        self.cut: list[str] = []  # cells whose text was over Excel's limit, cut with a marker
        self._formats: dict[tuple[str, str | None], Format] = {}
        if row_by_row is None:
            row_by_row = isinstance(target, str | PathLike)
        self.constant_memory = row_by_row
        self._wb = checked(
            "create the workbook",
            xlsxwriter.Workbook,
            fspath(target) if isinstance(target, PathLike) else target,
            {
                # Belt and braces: the writer only calls write_string for text, but if any
                # text ever reached write() it must stay text.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "in_memory": not self.constant_memory,
                "constant_memory": self.constant_memory,
                "default_format_properties": {"font_name": "Arial", "font_size": 10},
            },
        )

    def style(self, name: str, num_format: str | None = None) -> Format:
        key = (name, num_format)
        if key not in self._formats:
            try:
                properties = dict(self._styles[name])
            except KeyError:
                raise OutputError(
                    f"Could not build the workbook: no style named '{name}'."
                ) from None
            if num_format is not None:
                properties["num_format"] = num_format
            self._formats[key] = checked(
                f"make the style '{name}'", self._wb.add_format, properties
            )
        return self._formats[key]

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, checked(f"add the sheet '{name}'", self._wb.add_worksheet, name))

    def mark(self, name: str, value: str) -> None:
        """A custom document property, such as the mark the reader knows its outputs by."""
        checked(f"set the property {name}", self._wb.set_custom_property, name, value)

    def define_name(self, name: str, formula: str) -> None:
        """A workbook-level name, such as a drop-down's list of choices."""
        checked(f"define the name {name}", self._wb.define_name, name, formula)

    def stacked_bar_chart(
        self,
        series: Sequence[BarSeries],
        *,
        title: str | None,
        value_axis: str,
        major_unit: int | None = None,
    ) -> Any:
        """Stacked bars, one per category; title None leaves the title to the sheet (a small
        chart needs the room). No data labels: the counts are in the table the chart draws."""
        chart = checked("make a chart", self._wb.add_chart, {"type": "bar", "subtype": "stacked"})
        for one in series:
            checked(
                f"add the {one.name} series to the chart",
                chart.add_series,
                {
                    "name": one.name,
                    "categories": one.categories,
                    "values": one.values,
                    "border": {"color": "#000000", "width": 0.75},
                    "gap": 60,
                    **one.fill,
                },
            )
        font = {"size": 11, "color": "#000000"}
        if title is None:
            checked("leave the chart untitled", chart.set_title, {"none": True})
        else:
            checked("title the chart", chart.set_title, {"name": title, "name_font": {"size": 12}})
        # Bar charts list categories bottom-up; reverse so sections read in report order.
        checked(
            "set the chart's category axis", chart.set_y_axis, {"reverse": True, "num_font": font}
        )
        checked(
            "set the chart's value axis",
            chart.set_x_axis,
            {
                **({"name": value_axis, "name_font": font} if value_axis else {}),
                "min": 0,
                "num_format": "0",
                "num_font": font,
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                **({"major_unit": major_unit} if major_unit else {}),
            },
        )
        checked("place the chart's legend", chart.set_legend, {"position": "bottom", "font": font})
        return chart

    def _lines(self, series: Sequence[LineSeries], categories: str) -> Any:
        """A line chart holding the series, each over the same categories."""
        chart = checked("make a chart", self._wb.add_chart, {"type": "line"})
        for one in series:
            checked(
                f"add the {one.name} series to the chart",
                chart.add_series,
                {"name": one.name, "categories": categories, **_line_options(one)},
            )
        return chart

    def line_chart(
        self,
        series: Sequence[LineSeries],
        *,
        title: str,
        categories: str,
        value_format: str,
        value_range: tuple[float, float] | None = None,
    ) -> Any:
        """A line chart over categories; blank cells leave gaps, so a markers-only series
        marks just the points it has values for. value_range fixes the value axis, which
        otherwise starts at zero and flattens a series far from it."""
        chart = self._lines(series, categories)
        checked("title the chart", chart.set_title, {"name": title, "name_font": {"size": 11}})
        checked("leave gaps for blanks", chart.show_blanks_as, "gap")
        checked(
            "set the chart's value axis",
            chart.set_y_axis,
            {
                "num_format": value_format,
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                **({"min": value_range[0], "max": value_range[1]} if value_range else {}),
            },
        )
        checked(
            "set the chart's category axis",
            chart.set_x_axis,
            {"num_font": {"rotation": -45, "size": 8}},
        )
        hidden = [i for i, one in enumerate(series) if not one.in_legend]
        legend: dict[str, object] = {"position": "bottom", "font": {"size": 8}}
        if hidden:
            legend["delete_series"] = hidden
        checked("place the chart's legend", chart.set_legend, legend)
        return chart

    def set_properties(
        self,
        *,
        title: str,
        subject: str,
        author: str,
        comments: str,
        created: datetime,
        keywords: str = "KPI, performance report",
    ) -> None:
        checked(
            "set the document properties",
            self._wb.set_properties,
            {
                "title": clean(title),
                "subject": clean(subject),
                "author": clean(author),
                "company": clean(author),
                "comments": clean(comments),
                "keywords": keywords,
                "created": created,
            },
        )

    def close(self) -> None:
        """Write the file. A file system error (disk full, no permission) is raised as the
        OSError it is, for the caller to word for the file it was writing."""
        try:
            checked("finish the workbook", self._wb.close)
        except OutputError as error:
            cause = error.__cause__
            if (
                isinstance(cause, FileCreateError)
                and cause.args
                and isinstance(cause.args[0], OSError)
            ):
                raise cause.args[0] from None
            raise

    def trend_chart(
        self, series: Sequence[LineSeries], *, title: str, categories: str, value_format: str
    ) -> Any:
        """A small line chart for the board pack's Trends page: blank cells leave gaps, so a
        missing period shows as one; no legend (the page says what the lines are)."""
        chart = self._lines(series, categories)
        # 11 pt, printed at the pack's 90%: LibreOffice shrinks the text of a small chart to
        # fit it, to about 8 pt (measured); larger would only take the plot's room
        font = {"size": 11, "color": "#000000"}
        checked("title the chart", chart.set_title, {"name": title, "name_font": font})
        checked("leave gaps for blanks", chart.show_blanks_as, "gap")
        checked(
            "set the chart's value axis",
            chart.set_y_axis,
            {
                "num_format": value_format,
                "num_font": font,
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            },
        )
        x_axis = {"num_font": {**font, "rotation": -45}}
        checked("set the chart's category axis", chart.set_x_axis, x_axis)
        checked("leave out the chart's legend", chart.set_legend, {"none": True})
        return chart


def lock_structure(path: Path) -> None:
    """Protect a closed workbook's structure (no password): its sheets cannot be renamed,
    deleted, moved, added or unhidden. XlsxWriter cannot write workbookProtection, so it is
    put into the saved workbook part, before bookViews as the schema orders it; every other
    part is copied as it is, so the file stays byte-identical from one run to the next."""
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
