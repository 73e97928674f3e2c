"""A fast, low-level .xlsx reader: every cell's saved value, formula, type and number format.

openpyxl is too slow for thousands of returns and python-calamine gives only saved values;
validation needs, per cell, whether a figure was typed or computed and whether it was shown as
a percentage. This reader streams each part out of the zip with expat (through iterparse) and
keeps only the cells. It parses nothing that safety.check_package has not passed first, and it
reads every part through safety's guarded stream, so the size and entity limits hold here too.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, NoReturn
from xml.etree import ElementTree as ET

from ..core.problems import Problem, ReturnFileError, problem
from ..core.return_spec import column_letter
from .outputs import OUTPUT_AUTHOR, OUTPUT_MARK
from .safety import DEFAULT_LIMITS, GuardedStream, Limits, open_package

STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKBOOK = "xl/workbook.xml"

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
_BUILTIN_DATES = frozenset(range(14, 23)) | {45, 46, 47}

# What a format code shows literally: quoted text, [colour]/[condition]/[$locale] brackets,
# backslash escapes, and the character after _ (padding) or * (fill).
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', re.S)


@lru_cache(maxsize=1024)
def is_percent_format(code: str) -> bool:
    """Whether a number format multiplies by 100 and shows '%': '0.0%' yes, '0.0"%"' no."""
    return "%" in _LITERALS.sub("", code)


@lru_cache(maxsize=1024)
def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or time (judged on its first section)."""
    if code == "General":
        return False
    bare = _LITERALS.sub("", code).split(";", 1)[0]
    return any(ch in "dmyhsDMYHS" for ch in bare)


class RawCell(NamedTuple):
    """One cell as saved: its value, formula, type and number format.

    Immutable and compared field by field; a named tuple because a return has hundreds of
    cells and a tuple is built several times faster than a frozen dataclass.
    """

    ref: str
    row: int
    col: int
    kind: str  # "number" | "text" | "bool" | "error" | "date" | "blank"
    value: float | str | bool | datetime | None
    formula: str | None
    number_format: str

    @property
    def is_percent_format(self) -> bool:
        return is_percent_format(self.number_format)


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # "visible" | "hidden" | "veryHidden"


@dataclass
class SheetData:
    cells: dict[tuple[int, int], RawCell]  # (row, col), only the cells present in the XML
    merged: list[str]  # "H9:I10"
    name: str = ""

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def cell(self, ref: str) -> RawCell | None:
        return self.cells.get(split_ref(ref))

    def rows(self) -> dict[int, dict[int, RawCell]]:
        """Cells grouped by row, rows and columns in ascending order."""
        grouped: dict[int, dict[int, RawCell]] = {}
        for (row, col), found in sorted(self.cells.items()):
            grouped.setdefault(row, {})[col] = found
        return grouped

    @property
    def max_row(self) -> int:
        return max((row for row, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((col for _, col in self.cells), default=0)


_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_DIGITS = "0123456789"


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


# Excel's own limits: a file naming a cell beyond them was not saved by a spreadsheet, and
# a loop over its rows or a merged range's cells would never end.
MAX_ROWS, MAX_COLS = 1_048_576, 16_384


class TooMuch(ValueError):
    """More cells or merged ranges on one sheet than the limits allow (a return's)."""


class BeyondLimits(ValueError):
    """A cell, row or merged range beyond Excel's limits of rows and columns."""


def within_limits(row: int, col: int, what: str) -> tuple[int, int]:
    """(row, col), or BeyondLimits naming `what` ("the cell A200000000", "row 200000000")."""
    if not (1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLS):
        raise BeyondLimits(
            f"{what[:40]} is beyond Excel's limits of {MAX_ROWS:,} rows and {MAX_COLS:,} columns"
        )
    return row, col


@lru_cache(maxsize=1 << 16)
def _position(ref: str) -> tuple[int, int]:
    """A cell's r attribute, 'H9', as (9, 8); cached, since every return has the same refs."""
    letters = ref.rstrip(_DIGITS)
    if not (letters.isalpha() and letters.isascii()) or len(ref) > 12:
        raise ValueError(f"cell reference {ref[:40]!r} is not valid")
    return within_limits(int(ref[len(letters) :]), column_index(letters), f"the cell {ref}")


def _row_number(r: str | None, previous: int) -> int:
    """A row's r attribute, or the row after the previous one; within Excel's limits."""
    row = int(r) if r else previous + 1
    return row if row <= MAX_ROWS else within_limits(row, 1, f"row {row}")[0]


def _merged_ref(ref: str) -> str:
    """A mergeCell's ref, checked: both corners within Excel's limits."""
    for corner in ref.split(":", 1):
        _position(corner.replace("$", ""))
    return ref


def split_ref(ref: str) -> tuple[int, int]:
    """'H9' -> (9, 8): row then column, like SheetData.cells keys."""
    match = _REF_RE.fullmatch(ref)
    if not match:
        raise ValueError(f"'{ref}' is not a cell reference like 'H9'")
    return int(match.group(2)), column_index(match.group(1))


def excel_serial_to_datetime(serial: float, date1904: bool = False) -> datetime:
    """Convert a date serial number, rounded to the millisecond as Excel shows it."""
    day, fraction = divmod(serial, 1)
    if date1904:
        epoch = datetime(1904, 1, 1)
    else:
        # Excel counts a 29 February 1900 that never was: serials below 61 are a day ahead.
        epoch = datetime(1899, 12, 31) if 0 < serial < 60 else datetime(1899, 12, 30)
    return epoch + timedelta(days=day, milliseconds=round(fraction * 86_400_000))


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes of characters XML cannot carry (_x005F_ is a literal _)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


class XlsxBook:
    """An open .xlsx return: its sheets, read one at a time with read_sheet."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        package = open_package(self.path, limits)  # safety.check_package's checks
        self.warnings: list[Problem] = package.warnings
        self._zip = package.zip
        self._checked = package.checked  # parts already checked, not decompressed again
        try:
            self._names = {name.lower(): name for name in self._zip.namelist()}
            self.sheets: list[SheetInfo] = []
            self._parts: dict[str, str] = {}
            self.date1904 = False
            self._read_workbook()
            self._formats = self._read_styles()
            self._strings = self._read_shared_strings()
        except BaseException:
            self._zip.close()
            raise

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def sheet_info(self, name: str) -> SheetInfo:
        return next(sheet for sheet in self.sheets if sheet.name == self._resolve_name(name))

    def read_sheet(
        self,
        name: str,
        *,
        max_rows: int | None = None,
        max_cols: int | None = None,
        columns: Collection[int] | None = None,
        top_rows: int = 0,
    ) -> SheetData:
        """Read a sheet's cells and merged ranges; rows or columns past the limits are skipped.

        columns: when given, below the first `top_rows` rows only the cells in these columns
        are kept, for a caller that reads no others there (building a cell costs more than
        passing over it).
        """
        name = self._resolve_name(name)
        part = self._parts[name]
        keep = None if columns is None else (frozenset(columns), top_rows)
        with self._parsing(part):
            return self._read_cells(name, part, max_rows, max_cols, keep)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- workbook-level parts ---------------------------------------------------------

    def _resolve_name(self, name: str) -> str:
        if name in self._parts:
            return name
        folded = {sheet.casefold(): sheet for sheet in self._parts}
        if name.casefold() in folded:
            return folded[name.casefold()]
        found = problem(
            "sheet-missing",
            file=str(self.path),
            sheet=name,
            detail=", ".join(self.sheet_names()) or "none",
        )
        raise ReturnFileError(found.message, problems=[found])

    def _read_workbook(self) -> None:
        targets = self._workbook_rels = self._relationships(_WORKBOOK)
        root = self._parse(_WORKBOOK, alike=True)
        ns = _prefix(root.tag)
        pr = root.find(f"{ns}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        for sheet in root.iter(f"{ns}sheet"):
            rid = sheet.get(_RID[0]) or sheet.get(_RID[1])
            name = sheet.get("name")
            if name is None or rid not in targets:
                self._corrupt(_WORKBOOK, f"sheet {name!r} has no part")
            self.sheets.append(SheetInfo(name, sheet.get("state", "visible")))
            self._parts[name] = targets[rid][0]

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (zip name of the target, type), resolved against `part`'s folder.

        Targets may be relative ("worksheets/sheet1.xml") or absolute ("/xl/worksheets/...")
        depending on the writer.
        """
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels.lower() not in self._names:
            return {}
        root = self._parse(rels, alike=True)
        found = {}
        for rel in root.iter(f"{_PKG}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "").replace("\\", "/")
            if target.startswith("/"):
                name = posixpath.normpath(target.lstrip("/"))
            else:
                name = posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (self._names.get(name.lower(), name), rel.get("Type", ""))
        return found

    def _part_of_type(self, suffix: str, default: str) -> str | None:
        for name, kind in self._workbook_rels.values():
            if kind.endswith(suffix):
                return name if name.lower() in self._names else None
        return self._names.get(default.lower())

    def _read_styles(self) -> list[tuple[str, bool]]:
        """Per cellXfs entry: (number format code, whether it shows a date)."""
        part = self._part_of_type("/styles", "xl/styles.xml")
        if part is None:
            return [("General", False)]
        root = self._parse(part, alike=True)
        ns = _prefix(root.tag)
        custom = {
            int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "General")
            for fmt in root.iter(f"{ns}numFmt")
        }
        formats = []
        xfs = root.find(f"{ns}cellXfs")
        for xf in xfs if xfs is not None else ():
            fmt_id = int(xf.get("numFmtId", "0"))
            code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General")
            formats.append((code, fmt_id in _BUILTIN_DATES or is_date_format(code)))
        return formats or [("General", False)]

    def _read_shared_strings(self) -> list[str]:
        part = self._part_of_type("/sharedStrings", "xl/sharedStrings.xml")
        if part is None:
            return []
        with self._parsing(part):
            items = self._elements(part, "si", [])
            return [_string_item(si, f"{si.tag[:-2]}t", f"{si.tag[:-2]}r") for si in items]

    # --- cells ------------------------------------------------------------------------

    def _read_cells(
        self,
        name: str,
        part: str,
        max_rows: int | None,
        max_cols: int | None,
        keep: tuple[frozenset[int], int] | None = None,
    ) -> SheetData:
        cells: dict[tuple[int, int], RawCell] = {}
        merged: list[str] = []
        last_row = max_rows if max_rows is not None else 1 << 30
        last_col = max_cols if max_cols is not None else 1 << 30
        # below row `top`, only the columns kept; with none given, no row is below it
        kept, top = keep if keep is not None else (frozenset(), 1 << 30)
        formats = {str(i): fmt for i, fmt in enumerate(self._formats)}
        default_format = self._formats[0]
        strings, date1904 = self._strings, self.date1904
        shared: dict[str, tuple[str, int, int]] = {}
        new_cell = tuple.__new__  # RawCell's own __new__ is a Python call; this is not
        c_tag = v_tag = f_tag = is_tag = t_tag = ""
        row_num = blanks = 0  # blank cells are styling, not figures: not counted as cells
        for row in self._elements(part, "row", merged):
            if not c_tag:
                ns = row.tag[: -len("row")]
                c_tag, v_tag, f_tag, is_tag, t_tag = (
                    ns + tag for tag in ("c", "v", "f", "is", "t")
                )
            row_num = self._next_row(row.get("r"), row_num, len(cells) - blanks)
            if row_num > last_row:
                continue
            col = 0
            for c in row:
                if c.tag != c_tag:
                    continue
                attrib = c.attrib
                ref = attrib.get("r")
                if ref:
                    # cached per ref; the same tuple is the cell's key
                    position = _position(ref)
                    cell_row, col = position
                else:
                    col += 1
                    cell_row = row_num
                    position = (cell_row, col)
                    ref = f"{column_letter(col - 1)}{cell_row}"
                if col > last_col or cell_row > last_row or (cell_row > top and col not in kept):
                    continue
                fmt, is_date = formats.get(attrib.get("s", "0"), default_format)
                if not len(c):
                    # no <v>, <f> or <is>: a styled empty cell, whatever its type says
                    blanks += 1
                    cells[position] = new_cell(
                        RawCell, (ref, cell_row, col, "blank", None, None, fmt)
                    )
                    continue
                t = attrib.get("t", "n")
                # The common cases inline, for speed: plain numbers, shared and inline strings.
                if t == "inlineStr":
                    item = c.find(is_tag)
                    if item is None:
                        kind, value = "blank", None
                    elif (plain := item.find(t_tag)) is not None:
                        value = plain.text or ""
                        kind, value = "text", _unescape(value) if "_x" in value else value
                    else:
                        kind, value = "text", _string_item(item, t_tag, t_tag[:-1] + "r")
                else:
                    v = c.find(v_tag)
                    text = (v.text or "") if v is not None else None
                    if t == "n" and text and not is_date:
                        kind, value = "number", float(text)
                    elif t == "s" and text:
                        kind, value = "text", strings[int(text)]
                    else:
                        kind, value = _value(t, text, c, is_date, date1904)
                f = c.find(f_tag)
                formula = None if f is None else _formula(f, shared, cell_row, col)
                cells[position] = new_cell(RawCell, (ref, cell_row, col, kind, value, formula, fmt))
        return SheetData(cells=cells, merged=self._checked_merged(merged), name=name)

    def _next_row(self, r: str | None, previous: int, cells: int) -> int:
        """The next row's number, within Excel's limits, once the cells with values read so
        far are within the limits' cells per sheet (a return has hundreds; each can be a
        problem)."""
        if self.limits.max_cells is not None and cells > self.limits.max_cells:
            raise TooMuch(f"more than {self.limits.max_cells:,} cells on one sheet")
        return _row_number(r, previous)

    def _checked_merged(self, merged: list[str]) -> list[str]:
        if self.limits.max_merged is not None and len(merged) > self.limits.max_merged:
            raise TooMuch(f"{len(merged):,} merged ranges on one sheet")
        return [_merged_ref(ref) for ref in merged if ref]

    def _elements(self, part: str, local: str, merged: list[str]) -> Iterator[ET.Element]:
        """The part's children of its main child (rows of sheetData, si of sst), in order.

        mergeCell refs met on the way are appended to `merged`. A small part is parsed whole,
        which is several times faster than iterparse's per-element events; a large one is
        streamed, each element dropped from the tree once handled, so memory stays bounded.
        """
        size = self._zip.getinfo(self._names.get(part.lower(), part)).file_size
        if size <= self.limits.whole_parse_max:
            root = self._parse(part)
            ns = _prefix(root.tag)
            merged.extend(m.get("ref", "") for m in root.iter(ns + "mergeCell"))
            for container in (root, *root):
                yield from (child for child in container if child.tag == ns + local)
            return
        # start events only: an element is handled when its next sibling starts (it is
        # complete by then), which halves the events iterparse must deliver.
        events = ET.iterparse(self._stream(part), events=("start",))
        _, root = next(events)
        ns = _prefix(root.tag)
        tag, merge_tag = ns + local, ns + "mergeCell"
        parent, pending = root, None
        for _, elem in events:
            if elem.tag == tag:
                if pending is not None:
                    yield pending
                    parent.remove(pending)
                else:
                    parent = next((p for p in (root, *root) if elem in p), root)
                pending = elem
            elif elem.tag == merge_tag:
                merged.append(elem.get("ref", ""))
                if self.limits.max_merged and len(merged) > self.limits.max_merged:
                    self._checked_merged(merged)  # raises now, not after every range is read
        if pending is not None:
            yield pending

    # --- plumbing ---------------------------------------------------------------------

    def _parse(self, part: str, *, alike: bool = False) -> ET.Element:
        """Parse a whole part; fed in chunks so the guarded stream's checks apply.

        alike: a part every return from one template has the same (workbook, relationships,
        styles). Its bytes still pass the guarded stream's checks, but a tree parsed before
        from identical bytes is reused; such trees are only ever read, never changed.
        """
        with self._parsing(part):
            stream = self._stream(part)  # first: it reports a missing part as corrupt
            name = self._names.get(part.lower(), part)
            if alike and self._zip.getinfo(name).file_size <= _ALIKE_MAX:
                return _parse_alike(stream.read())
            parser = ET.XMLParser()
            for chunk in stream.chunks():
                parser.feed(chunk)
            return parser.close()

    def saved_at(self) -> datetime | None:
        """When the workbook says it was last saved (docProps/core.xml, written by Excel,
        LibreOffice and openpyxl alike): unlike the file's time, copies and checkouts keep it.
        None when the part or the date is missing or unreadable: it is only ever a hint."""
        if "docprops/core.xml" not in self._names:
            return None
        try:
            root = self._parse("docProps/core.xml")
        except ReturnFileError:
            return None
        for element in root:
            if element.tag.endswith("}modified") and element.text:
                try:
                    return datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
                except ValueError:
                    return None
        return None

    def output_mark(self) -> str | None:
        """What kpi-excel wrote this file as ("feedback"), when it is one of its own outputs
        no one has saved since; None otherwise. An officer who fixes a feedback copy and saves
        it in Excel makes it theirs again (Excel sets lastModifiedBy), so it is read."""
        if "docprops/custom.xml" not in self._names or "docprops/core.xml" not in self._names:
            return None
        try:
            core, custom = self._parse("docProps/core.xml"), self._parse("docProps/custom.xml")
        except ReturnFileError:
            return None
        saver = next((e.text for e in core if e.tag.endswith("}lastModifiedBy")), None)
        if (saver or "").strip() != OUTPUT_AUTHOR:
            return None
        for item in custom:
            if item.get("name") == OUTPUT_MARK:
                return "".join(item.itertext()).strip() or "output"
        return None

    def _stream(self, part: str) -> GuardedStream:
        name = self._names.get(part.lower(), part)
        return GuardedStream(self._zip, name, self.limits, path=self.path, checked=self._checked)

    @contextmanager
    def _parsing(self, part: str) -> Iterator[None]:
        """Turn the errors a damaged part raises into one catalogued problem."""
        try:
            yield
        except TooMuch as exc:
            found = problem("file-too-large", file=str(self.path), detail=str(exc))
            raise ReturnFileError(found.message, problems=[found]) from None
        except BeyondLimits as exc:
            found = problem("file-beyond-limits", file=str(self.path), detail=f"part {part}: {exc}")
            raise ReturnFileError(found.message, problems=[found]) from None
        except ET.ParseError as exc:
            self._corrupt(part, f"not well-formed XML, {exc}")
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self._corrupt(part, str(exc) or type(exc).__name__)
        except (ValueError, LookupError, StopIteration) as exc:
            self._corrupt(part, f"unexpected content: {exc}")
        except OSError as exc:
            found = problem("file-unreadable", file=str(self.path), detail=str(exc))
            raise ReturnFileError(found.message, problems=[found]) from exc

    def _corrupt(self, part: str, detail: str) -> NoReturn:
        found = problem("file-corrupt", file=str(self.path), detail=f"part {part}: {detail}")
        raise ReturnFileError(found.message, problems=[found])


_ALIKE_MAX = 256 * 1024  # bytes; a template's styles part is about 10 KB


@lru_cache(maxsize=32)
def _parse_alike(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def merged_area(book: XlsxBook) -> int:
    """How many cells the workbook's merged ranges cover, all sheets together. openpyxl makes
    an object for each (H11:H1048576 is a million), so a copy through it is bounded by this."""
    total = 0
    for name in book.sheet_names():
        for ref in book.read_sheet(name, max_rows=1, max_cols=1).merged:
            first, _, last = ref.partition(":")
            (row1, col1), (row2, col2) = _position(first), _position(last or first)
            total += (abs(row2 - row1) + 1) * (abs(col2 - col1) + 1)
    return total


def open_xlsx(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> XlsxBook:
    """Check a return with safety.check_package, then open it; raises ReturnFileError."""
    return XlsxBook(Path(path), limits)


def _prefix(tag: str) -> str:
    """'{ns}worksheet' -> '{ns}': the main namespace may be transitional or strict."""
    return tag[: tag.rfind("}") + 1]


def _string_item(item: ET.Element, t_tag: str, r_tag: str) -> str:
    """The text of a shared or inline string: a plain <t>, or rich-text runs <r><t>.

    Only direct children count, so phonetic guides (<rPh><t>) are left out.
    """
    t = item.find(t_tag)
    if t is not None:
        return _unescape(t.text or "")
    return _unescape("".join(run.findtext(t_tag) or "" for run in item.iterfind(r_tag)))


def _value(
    t: str, text: str | None, c: ET.Element, is_date: bool, date1904: bool
) -> tuple[str, float | str | bool | datetime | None]:
    """The kind and value of a cell from its t attribute and its <v> (or <is>) content.

    Plain numbers and shared and inline strings are handled inline by the caller, for speed.
    """
    if t == "inlineStr":
        ns = c.tag[:-1]
        item = c.find(ns + "is")
        if item is None:
            return "blank", None
        return "text", _string_item(item, ns + "t", ns + "r")
    if t == "str":
        return ("text", _unescape(text)) if text is not None else ("blank", None)
    if not text:
        return "blank", None
    if t == "n":
        number = float(text)
        if is_date:
            try:
                return "date", excel_serial_to_datetime(number, date1904)
            except (OverflowError, ValueError):
                pass  # a serial no calendar can show stays a number
        return "number", number
    if t == "b":
        return "bool", text.strip() in ("1", "true")
    if t == "e":
        return "error", text
    if t == "d":
        try:
            return "date", datetime.fromisoformat(text)
        except ValueError:
            return "text", text
    return "text", text


def _formula(f: ET.Element, shared: dict[str, tuple[str, int, int]], row: int, col: int) -> str:
    """The formula text; cells of a shared formula (Excel's fill-down) get theirs translated."""
    text = f.text or ""
    if f.get("t") != "shared":
        return text
    si = f.get("si", "")
    if text:
        shared[si] = (text, row, col)
        return text
    if si not in shared:
        return text
    master, master_row, master_col = shared[si]
    return translate_formula(master, row - master_row, col - master_col)


# Quoted text and sheet names first, so references inside them are left alone; then A1 cells,
# whole columns (A:C) and whole rows (1:3), each not part of a longer name or a function call.
_FORMULA_REFS = re.compile(
    r"""("(?:[^"]|"")*"|'(?:[^']|'')*')"""
    r"|(?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!.])"
    r"|(?<![\w.$])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![\w(!.])"
    r"|(?<![\w.$:])(\$?)(\d+):(\$?)(\d+)(?![\w(.])"
)


def translate_formula(formula: str, rows: int, cols: int) -> str:
    """Move a formula's relative references by rows and cols, as Excel's fill does."""

    def shift_col(absolute: str, letters: str) -> str:
        n = column_index(letters) + (0 if absolute else cols)
        return absolute + column_letter(n - 1) if n >= 1 else "#REF!"

    def shift_row(absolute: str, digits: str) -> str:
        n = int(digits) + (0 if absolute else rows)
        return absolute + str(n) if n >= 1 else "#REF!"

    def replace(m: re.Match[str]) -> str:
        g = m.groups()
        if g[0] is not None:
            return g[0]
        if g[2] is not None:
            new = shift_col(g[1], g[2]) + shift_row(g[3], g[4])
            return "#REF!" if "#REF!" in new else new
        if g[6] is not None:
            return f"{shift_col(g[5], g[6])}:{shift_col(g[7], g[8])}"
        return f"{shift_row(g[9], g[10])}:{shift_row(g[11], g[12])}"

    return _FORMULA_REFS.sub(replace, formula)
