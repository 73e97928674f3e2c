"""The low-level reader: values, formulas, types and formats read back from workbooks written by
xlsxwriter, openpyxl, LibreOffice and by hand, each cross-checked against openpyxl."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import datetime, time
from pathlib import Path

import fixtures_hostile as fx
import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from kpi_excel.core.problems import ReturnFileError
from kpi_excel.xlsx.read import (
    STRICT_NS,
    RawCell,
    SheetData,
    XlsxBook,
    column_index,
    column_letter,
    excel_serial_to_datetime,
    is_date_format,
    is_percent_format,
    open_xlsx,
    split_ref,
    translate_formula,
)
from kpi_excel.xlsx.safety import DEFAULT_LIMITS, Limits

LIBREOFFICE = Path(__file__).parent.parent / "data" / "libreoffice"
STREAMING = Limits(whole_parse_max=0)  # every part streamed, as a large one would be


# --- cross-check against openpyxl ----------------------------------------------------------


def assert_matches_openpyxl(path: Path) -> None:
    """Every cell we read has openpyxl's saved value, formula and number format, and we miss
    no cell openpyxl has a value for; streaming the parts gives the same as parsing them whole."""
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path)
    with open_xlsx(path) as book, open_xlsx(path, limits=STREAMING) as streamed:
        assert book.sheet_names() == values.sheetnames
        for info in book.sheets:
            want_values, want_formulas = values[info.name], formulas[info.name]
            assert info.state == want_values.sheet_state
            data = book.read_sheet(info.name)
            assert streamed.read_sheet(info.name) == data
            for (row, col), cell in data.cells.items():
                expected = want_values.cell(row, col)
                assert cell.ref == expected.coordinate
                assert cell.number_format == expected.number_format, cell
                assert _comparable(cell) == expected.value, cell
                formula = want_formulas.cell(row, col).value
                if cell.formula is not None:
                    assert formula == "=" + cell.formula, cell
                else:
                    assert not (isinstance(formula, str) and formula.startswith("=")), cell
                if cell.kind in ("number", "date"):
                    assert (cell.kind == "date") == expected.is_date, cell
            for row in want_values.iter_rows():
                for expected in row:
                    if expected.value is not None:
                        assert (expected.row, expected.column) in data.cells, expected
            assert sorted(data.merged) == sorted(str(r) for r in want_values.merged_cells.ranges)


def _comparable(cell: RawCell) -> object:
    """openpyxl gives a time, not a datetime, for a serial below 1 in a date format."""
    if isinstance(cell.value, datetime) and cell.value.date() == datetime(1899, 12, 30).date():
        return cell.value.time()
    return cell.value


def xlsxwriter_book(path: Path, options: dict | None = None) -> Path:
    wb = xlsxwriter.Workbook(path, options or {})
    ws = wb.add_worksheet("Return")
    fmt = {code: wb.add_format({"num_format": code}) for code in
           ("0%", "0.0%", '0.0"%"', "0\\%", "dd/mm/yyyy", "hh:mm", "[Red]0.0", "#,##0")}  # fmt: skip
    ws.write_number("A1", 42)
    ws.write_number("A2", -3.25)
    ws.write_string("A3", "shared text")
    ws.write_string("A4", "  padded  ")
    ws.write_rich_string("A5", "plain ", wb.add_format({"bold": True}), "bold", " tail")
    ws.write_boolean("A6", True)
    ws.write_boolean("A7", False)
    ws.write_formula("A8", "=1/0", None, "#DIV/0!")
    ws.write_formula("A9", "=NA()", None, "#N/A")
    ws.write_formula("A10", "=A1*2", None, 84)
    ws.write_formula("A11", '="a"&"b"', None, "ab")
    ws.write_number("B1", 0.83, fmt["0%"])
    ws.write_number("B2", 0.835, fmt["0.0%"])
    ws.write_number("B3", 83.5, fmt['0.0"%"'])
    ws.write_number("B4", 83, fmt["0\\%"])
    ws.write_datetime("B5", datetime(2024, 3, 31), fmt["dd/mm/yyyy"])
    ws.write_datetime("B6", datetime(2024, 3, 31, 9, 30), fmt["hh:mm"])
    ws.write_number("B7", 12.5, fmt["[Red]0.0"])
    ws.write_number("B8", 1234567, fmt["#,##0"])
    ws.write_blank("B9", None, fmt["0%"])
    ws.merge_range("C1:D2", "merged")
    wb.add_worksheet("Hidden").hide()
    wb.add_worksheet("VeryHidden").very_hidden()
    wb.close()
    return path


# --- workbooks from xlsxwriter -------------------------------------------------------------


def test_xlsxwriter_values(tmp_path: Path) -> None:
    path = xlsxwriter_book(tmp_path / "xw.xlsx")
    with open_xlsx(path) as book:
        assert book.sheets[1].state == "hidden" and book.sheets[2].state == "veryHidden"
        data = book.read_sheet("Return")
    got = {c.ref: (c.kind, c.value, c.formula) for c in data.cells.values()}
    assert got["A1"] == ("number", 42.0, None)
    assert got["A2"] == ("number", -3.25, None)
    assert got["A3"] == ("text", "shared text", None)
    assert got["A4"] == ("text", "  padded  ", None)
    assert got["A5"] == ("text", "plain bold tail", None)
    assert got["A6"] == ("bool", True, None)
    assert got["A7"] == ("bool", False, None)
    assert got["A8"] == ("error", "#DIV/0!", "1/0")
    assert got["A9"] == ("error", "#N/A", "NA()")
    assert got["A10"] == ("number", 84.0, "A1*2")
    assert got["A11"] == ("text", "ab", '"a"&"b"')
    assert got["B5"] == ("date", datetime(2024, 3, 31), None)
    assert got["B6"] == ("date", datetime(2024, 3, 31, 9, 30), None)
    assert got["B7"] == ("number", 12.5, None)  # [Red] is a colour, not a date part
    assert got["B9"] == ("blank", None, None)
    percent = {ref for ref in got if data.cell(ref).is_percent_format}
    assert percent == {"B1", "B2", "B9"}
    assert data.cell("B3").number_format == '0.0"%"'
    assert data.merged == ["C1:D2"]
    assert_matches_openpyxl(path)


def test_xlsxwriter_inline_strings(tmp_path: Path) -> None:
    """constant_memory mode writes inline strings (t="inlineStr") instead of shared ones."""
    path = xlsxwriter_book(tmp_path / "inline.xlsx", {"constant_memory": True})
    assert b't="inlineStr"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    with open_xlsx(path) as book:
        data = book.read_sheet("Return")
    assert data.cell("A3").value == "shared text"
    assert data.cell("A4").value == "  padded  "
    assert_matches_openpyxl(path)


def test_date1904(tmp_path: Path) -> None:
    path = xlsxwriter_book(tmp_path / "mac.xlsx", {"date_1904": True})
    with open_xlsx(path) as book:
        assert book.date1904
        assert book.read_sheet("Return").cell("B5").value == datetime(2024, 3, 31)
    assert_matches_openpyxl(path)


# --- workbooks from openpyxl ---------------------------------------------------------------


def openpyxl_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Return"
    ws["A1"] = 7
    ws["A2"] = "=A1*3"  # openpyxl saves formulas with no cached result
    ws["A3"] = CellRichText(["rich ", TextBlock(InlineFont(b=True), "run")])
    ws["A4"] = datetime(2023, 12, 25, 18, 0)
    ws["A5"] = 0.5
    ws["A5"].number_format = "0.0%"
    ws["A6"] = '=IF(A1>5,"big","small")'
    ws.merge_cells("B2:C4")
    wb.create_sheet("Secret").sheet_state = "veryHidden"
    wb.create_sheet("Tucked").sheet_state = "hidden"
    wb.save(path)
    return path


def test_openpyxl_formulas_without_results(tmp_path: Path) -> None:
    path = openpyxl_book(tmp_path / "op.xlsx")
    with open_xlsx(path) as book:
        assert [(s.name, s.state) for s in book.sheets] == [
            ("Return", "visible"), ("Secret", "veryHidden"), ("Tucked", "hidden")]  # fmt: skip
        data = book.read_sheet("Return")
    assert data.cell("A2") == RawCell("A2", 2, 1, "blank", None, "A1*3", "General")
    assert data.cell("A6").formula == 'IF(A1>5,"big","small")'
    assert data.cell("A3").value == "rich run"
    assert data.cell("A4").kind == "date"
    assert data.cell("A4").value == datetime(2023, 12, 25, 18, 0)
    assert data.cell("A5").is_percent_format
    assert_matches_openpyxl(path)


def test_openpyxl_iso_dates(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.iso_dates = True  # writes t="d" cells holding ISO 8601 text
    wb.active["A1"] = datetime(2024, 2, 29, 12, 15)
    path = tmp_path / "iso.xlsx"
    wb.save(path)
    assert b't="d"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    with open_xlsx(path) as book:
        cell = book.read_sheet("Sheet").cell("A1")
    assert (cell.kind, cell.value) == ("date", datetime(2024, 2, 29, 12, 15))


# --- hand-built parts: what the writers above never produce ---------------------------------


def hand_built(tmp_path: Path, sheet: str, extra: dict[str, str] | None = None) -> Path:
    """The minimal workbook with this sheetData content, plus or replacing `extra` parts."""
    parts = fx.minimal_parts(fx.sheet_xml(sheet))
    parts.update({name: text.encode() for name, text in (extra or {}).items()})
    return fx.write_zip(tmp_path / "hand.xlsx", parts)


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, STREAMING], ids=["whole", "streamed"])
def test_cells_and_rows_without_r(tmp_path: Path, limits: Limits) -> None:
    path = hand_built(tmp_path, "<row><c><v>1</v></c><c><v>2</v></c><c r='E1'><v>5</v></c>"
                                "<c><v>6</v></c></row><row><c t='b'><v>1</v></c></row>"
                                "<row r='5'><c><v>9</v></c></row>")  # fmt: skip
    with open_xlsx(path, limits=limits) as book:
        data = book.read_sheet("Return")
    assert {c.ref: c.value for c in data.cells.values()} == {
        "A1": 1.0, "B1": 2.0, "E1": 5.0, "F1": 6.0, "A2": True, "A5": 9.0}  # fmt: skip
    assert data.rows()[1][6].ref == "F1"
    assert (data.max_row, data.max_col) == (5, 6)


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, STREAMING], ids=["whole", "streamed"])
def test_empty_cells_of_every_type_are_blank_with_their_format(
    tmp_path: Path, limits: Limits
) -> None:
    """A cell with no <v>, <f> or <is> is blank whatever its t says, and keeps its style's
    number format; one with only a formula is not blank-and-formula-less."""
    styles = (
        f'{fx.XML}<styleSheet xmlns="{fx.MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="9"/></cellXfs></styleSheet>'
    )
    path = hand_built(
        tmp_path,
        "<row r='1'><c r='A1' t='s'/><c r='B1' t='str' s='1'/><c r='C1' t='inlineStr'/>"
        "<c r='D1' t='b'/><c r='E1' t='e'/><c r='F1' t='d'/><c r='G1' s='1'/><c s='1'/>"
        "<c r='J1'><f>G1</f></c><c r='K1' t='str'><f>A1</f><v></v></c></row>",
        {"xl/styles.xml": styles},
    )
    with open_xlsx(path, limits=limits) as book:
        data = book.read_sheet("Return")
    got = {c.ref: (c.kind, c.value, c.formula, c.number_format) for c in data.cells.values()}
    blank = ("blank", None, None)
    assert got == {
        "A1": (*blank, "General"), "B1": (*blank, "0%"), "C1": (*blank, "General"),
        "D1": (*blank, "General"), "E1": (*blank, "General"), "F1": (*blank, "General"),
        "G1": (*blank, "0%"), "H1": (*blank, "0%"),
        "J1": ("blank", None, "G1", "General"), "K1": ("text", "", "A1", "General"),
    }  # fmt: skip
    assert data.get(1, 8) == RawCell("H1", 1, 8, "blank", None, None, "0%")


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, STREAMING], ids=["whole", "streamed"])
def test_shared_strings_rich_phonetic_space_and_escapes(tmp_path: Path, limits: Limits) -> None:
    sst = (
        f'{fx.XML}<sst xmlns="{fx.MAIN}" count="4" uniqueCount="4">'
        '<si><t xml:space="preserve">  two  spaces </t></si>'
        "<si><r><t>Ri</t></r><r><rPr><b/></rPr><t xml:space='preserve'>ch </t></r>"
        "<rPh sb='0' eb='1'><t>PHONETIC</t></rPh></si>"
        "<si><t>東京</t><rPh sb='0' eb='2'><t>トウキョウ</t></rPh></si>"
        "<si><t>line_x000D_break _x005F_x0041_ kept</t></si></sst>"
    )
    rels = (
        f'{fx.XML}<Relationships xmlns="{fx.PKG}"><Relationship Id="rId1" '
        f'Type="{fx.REL}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId9" Type="{fx.REL}/sharedStrings" Target="/xl/strings.xml"/>'
        "</Relationships>"
    )
    cells = "".join(f'<c r="A{i + 1}" t="s"><v>{i}</v></c>' for i in range(4))
    path = hand_built(tmp_path, f"<row r='1'>{cells}</row>",
                      {"xl/strings.xml": sst, "xl/_rels/workbook.xml.rels": rels})  # fmt: skip
    with open_xlsx(path, limits=limits) as book:
        values = [c.value for c in book.read_sheet("Return").cells.values()]
    assert values == ["  two  spaces ", "Rich ", "東京", "line\rbreak _x0041_ kept"]


def test_inline_string_rich_and_iso_date_and_formula_string(tmp_path: Path) -> None:
    path = hand_built(
        tmp_path,
        "<row r='1'><c r='A1' t='inlineStr'><is><r><t>in</t></r><r><t>line</t></r></is></c>"
        "<c r='B1' t='d'><v>2024-03-31T00:00:00</v></c>"
        "<c r='C1' t='str'><f>B1&amp;\"\"</f><v></v></c>"
        "<c r='D1' t='str'><f>X1</f></c>"
        "<c r='E1' t='e'><v>#REF!</v></c></row>",
    )
    with open_xlsx(path) as book:
        got = {c.ref: (c.kind, c.value) for c in book.read_sheet("Return").cells.values()}
    assert got == {"A1": ("text", "inline"), "B1": ("date", datetime(2024, 3, 31)),
                   "C1": ("text", ""), "D1": ("blank", None), "E1": ("error", "#REF!")}  # fmt: skip


def test_shared_formulas_are_translated_like_openpyxl(tmp_path: Path) -> None:
    """Excel stores a filled-down formula once; the other cells name it by its si."""
    rows = "".join(
        f"<row r='{r}'><c r='A{r}'><v>{r}</v></c><c r='B{r}'>"
        + ("<f t='shared' ref='B1:C4' si='0'>A1*$A$1+SUM(A$1:A1)+'My Sheet'!A1+LOG10(A1)</f>"
           if r == 1 else "<f t='shared' si='0'/>")
        + f"<v>{r}</v></c><c r='C{r}'><f t='shared' si='0'/><v>0</v></c></row>"
        for r in range(1, 5)
    )  # fmt: skip
    path = hand_built(tmp_path, rows)
    with open_xlsx(path) as book:
        data = book.read_sheet("Return")
    assert data.cell("B3").formula == "A3*$A$1+SUM(A$1:A3)+'My Sheet'!A3+LOG10(A3)"
    assert data.cell("C2").formula == "B2*$A$1+SUM(B$1:B2)+'My Sheet'!B2+LOG10(B2)"
    assert_matches_openpyxl(path)


@pytest.mark.parametrize(
    ("formula", "rows", "cols", "expected"),
    [
        ("A1+B2", 1, 1, "B2+C3"),
        ("$A1+A$1+$A$1", 2, 2, "$A3+C$1+$A$1"),
        ('"A1"&A1', 1, 0, '"A1"&A2'),
        ("SUM(A:A)+SUM(1:1)", 1, 1, "SUM(B:B)+SUM(2:2)"),
        ("ATAN2(A1,1)+Sheet2!A1", 0, 1, "ATAN2(B1,1)+Sheet2!B1"),
        ("A1", -1, 0, "#REF!"),
        ("Table1[Col]+X99", 1, 0, "Table1[Col]+X100"),
    ],
)
def test_translate_formula(formula: str, rows: int, cols: int, expected: str) -> None:
    assert translate_formula(formula, rows, cols) == expected


def test_strict_namespace(tmp_path: Path) -> None:
    parts = fx.minimal_parts()
    for name in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        parts[name] = (
            parts[name]
            .replace(fx.MAIN.encode(), STRICT_NS.encode())
            .replace(fx.REL.encode(), b"http://purl.oclc.org/ooxml/officeDocument/relationships")
        )
    path = fx.write_zip(tmp_path / "strict.xlsx", parts)
    with open_xlsx(path) as book:
        assert book.read_sheet("Return").cell("A1").value == 1.0


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_styles_number_formats(tmp_path: Path) -> None:
    styles = (
        f'{fx.XML}<styleSheet xmlns="{fx.MAIN}"><numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/>'
        '<numFmt numFmtId="165" formatCode="[$-F800]dddd, mmmm dd, yyyy"/></numFmts>'
        '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="164"/>'
        '<xf numFmtId="165"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    rels = (
        f'{fx.XML}<Relationships xmlns="{fx.PKG}"><Relationship Id="rId1" '
        f'Type="{fx.REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{fx.REL}/styles" Target="styles.xml"/></Relationships>'
    )
    cells = "".join(f"<c r='{col}1' s='{i}'><v>45382</v></c>" for i, col in enumerate("ABCDE"))
    path = hand_built(tmp_path, f"<row r='1'>{cells}</row>", {"xl/styles.xml": styles,
                      "xl/_rels/workbook.xml.rels": rels})  # fmt: skip
    with open_xlsx(path) as book:
        got = [(c.kind, c.number_format, c.is_percent_format)
               for c in book.read_sheet("Return").cells.values()]  # fmt: skip
    assert got == [("number", "General", False), ("number", "0.00%", True),
                   ("number", '0.0"%"', False), ("date", "[$-F800]dddd, mmmm dd, yyyy", False),
                   ("date", "mm-dd-yy", False)]  # fmt: skip
    assert_matches_openpyxl(path)


@pytest.mark.parametrize(
    ("code", "percent"),
    [("0%", True), ("0.0%", True), ("0.00%;[Red]-0.00%", True), ('0.0"%"', False),
     ("0\\%", False), ("0.0_%", False), ("General", False), ('"%"0%', True), ("[%]0", False)],
)  # fmt: skip
def test_is_percent_format(code: str, percent: bool) -> None:
    assert is_percent_format(code) is percent


@pytest.mark.parametrize(
    ("code", "date"),
    [("dd/mm/yyyy", True), ("h:mm", True), ("[h]:mm:ss", True), ("yyyy\\-mm\\-dd", True),
     ("[Red]0.0", False), ("General", False), ('0.0" days"', False), ("#,##0;[Red]-#,##0", False),
     ("0.00E+00", False), ("@", False), ("0;[Red]d", False)],
)  # fmt: skip
def test_is_date_format(code: str, date: bool) -> None:
    assert is_date_format(code) is date


@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [(1, False, datetime(1900, 1, 1)), (59, False, datetime(1900, 2, 28)),
     (61, False, datetime(1900, 3, 1)), (45382.5, False, datetime(2024, 3, 31, 12)),
     (0, True, datetime(1904, 1, 1)), (43920, True, datetime(2024, 3, 31))],
)  # fmt: skip
def test_serial_dates(serial: float, date1904: bool, expected: datetime) -> None:
    assert excel_serial_to_datetime(serial, date1904) == expected


def test_refs() -> None:
    assert split_ref("H9") == (9, 8)
    assert split_ref("$AA$10") == (10, 27)
    assert column_letter(16383) == "XFD" and column_index("XFD") == 16384
    with pytest.raises(ValueError, match="not a cell reference"):
        split_ref("9H")


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, STREAMING], ids=["whole", "streamed"])
def test_max_rows_and_cols(tmp_path: Path, limits: Limits) -> None:
    rows = "".join(f"<row r='{r}'>" + "".join(f"<c r='{column_letter(c - 1)}{r}'><v>{r * c}</v></c>"
                   for c in range(1, 6)) + "</row>" for r in range(1, 11))  # fmt: skip
    path = hand_built(tmp_path, rows + "</sheetData><mergeCells><mergeCell ref='A9:B10'/>"
                      "</mergeCells><sheetData>")  # fmt: skip
    with open_xlsx(path, limits=limits) as book:
        data = book.read_sheet("Return", max_rows=3, max_cols=2)
    assert sorted(data.cells) == [(r, c) for r in (1, 2, 3) for c in (1, 2)]
    assert data.merged == ["A9:B10"]  # merges are still read past the row limit


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, STREAMING], ids=["whole", "streamed"])
def test_only_some_columns_below_the_top_rows(tmp_path: Path, limits: Limits) -> None:
    rows = "".join(f"<row r='{r}'>" + "".join(f"<c r='{column_letter(c - 1)}{r}'><v>{r * c}</v></c>"
                   for c in range(1, 6)) + "</row>" for r in range(1, 7))  # fmt: skip
    path = hand_built(tmp_path, rows + "</sheetData><mergeCells><mergeCell ref='C5:D6'/>"
                      "</mergeCells><sheetData>")  # fmt: skip
    with open_xlsx(path, limits=limits) as book:
        whole = book.read_sheet("Return")
        some = book.read_sheet("Return", columns=[1, 4], top_rows=2)
        limited = book.read_sheet("Return", max_cols=3, columns={1, 4, 5}, top_rows=0)
    assert sorted(some.cells) == [(r, c) for r in (1, 2) for c in range(1, 6)] + [
        (r, c) for r in (3, 4, 5, 6) for c in (1, 4)
    ]
    assert all(some.cells[key] == whole.cells[key] for key in some.cells)
    assert some.merged == whole.merged == ["C5:D6"]
    assert sorted(limited.cells) == [(r, 1) for r in range(1, 7)]  # max_cols still applies
    assert some.get(6, 4) == RawCell("D6", 6, 4, "number", 24.0, None, "General")


def test_unknown_sheet_and_case(tmp_path: Path) -> None:
    path = fx.write_zip(tmp_path / "ok.xlsx", fx.minimal_parts())
    with open_xlsx(path) as book:
        assert book.read_sheet("return").name == "Return"
        with pytest.raises(ReturnFileError) as caught:
            book.read_sheet("Data")
    assert caught.value.problems[0].code == "sheet-missing"
    assert "Return" in caught.value.message


@pytest.mark.parametrize(
    ("sheet", "words"),
    [("<row r='1'><c r='A1'><v>1</v></row>", "not well-formed"),
     ("<row r='1'><c r='A1' t='s'><v>3</v></c></row>", "unexpected content"),
     ("<row r='1'><c r='1A'><v>1</v></c></row>", "unexpected content")],
)  # fmt: skip
def test_damaged_sheet_is_corrupt(tmp_path: Path, sheet: str, words: str) -> None:
    parts = fx.minimal_parts()
    parts["xl/worksheets/sheet1.xml"] = fx.sheet_xml(sheet).encode()
    with open_xlsx(fx.write_zip(tmp_path / "damaged.xlsx", parts)) as book:
        with pytest.raises(ReturnFileError) as caught:
            book.read_sheet("Return")
    assert caught.value.problems[0].code == "file-corrupt"
    assert words in caught.value.message


safe_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=40
).filter(lambda s: "_x" not in s)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), max_size=5),
       texts=st.lists(safe_text, min_size=1, max_size=5))  # fmt: skip
def test_round_trip_any_numbers_and_text(tmp_path: Path, numbers: list, texts: list) -> None:
    path = tmp_path / "prop.xlsx"
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False})  # fmt: skip
    ws = wb.add_worksheet("Return")
    for i, number in enumerate(numbers):
        ws.write_number(i, 0, number)
    for i, text in enumerate(texts):
        ws.write_string(i, 1, text)
    wb.close()
    with open_xlsx(path) as book:
        data = book.read_sheet("Return")
    # xlsxwriter writes 16 significant digits, as Excel does
    assert [data.get(i + 1, 1).value for i in range(len(numbers))] == [
        float(f"{n:.16g}") for n in numbers
    ]
    assert [data.get(i + 1, 2).value for i in range(len(texts))] == texts


# --- LibreOffice ---------------------------------------------------------------------------


def test_libreoffice_saved_basic() -> None:
    """Made by make_fixtures.py from an xlsxwriter workbook, saved by LibreOffice."""
    for name in ("lo_basic.xlsx", "lo_via_ods.xlsx"):
        path = LIBREOFFICE / name
        with open_xlsx(path) as book:
            # LibreOffice has no 'very hidden': it saves such a sheet as plain hidden.
            assert [(s.name, s.state) for s in book.sheets] == [
                ("Return", "visible"), ("Hidden", "hidden"), ("VeryHidden", "hidden")]  # fmt: skip
            data = book.read_sheet("Return")
        got = {c.ref: (c.kind, c.value, c.formula) for c in data.cells.values()}
        assert got["C2"] == ("number", 0.83, None) and data.cell("C2").is_percent_format
        assert data.cell("D2").number_format == "0%"
        assert got["E2"] == ("date", datetime(2024, 3, 31), None)
        assert got["E3"] == ("number", 1.234, "C3/D3")
        # LibreOffice rewrites 0.0"%" as 0.0\% : still a literal sign, not a percentage.
        assert got["C4"] == ("number", 83.0, None) and not data.cell("C4").is_percent_format
        assert got["C5"][:2] == ("bool", True)
        assert got["C6"] == ("error", "#DIV/0!", "1/0")
        assert got["C7"] == ("error", "#N/A", "NA()")
        assert got["B8"] == ("text", "Rich bold text", None)
        assert got["C9"] == ("text", "ab", '"a"&"b"')
        assert data.merged == ["F2:G3"]
        assert_matches_openpyxl(path)


def test_libreoffice_csv_import() -> None:
    path = LIBREOFFICE / "lo_from_csv.xlsx"
    with open_xlsx(path) as book:
        data = book.read_sheet("source")
    assert data.cell("B3").value == 1234.5
    assert data.cell("D2").value == datetime(2024, 3, 31)
    assert data.cell("C2").value == "12.5%"  # LibreOffice's CSV import kept it as text
    assert_matches_openpyxl(path)


def test_libreoffice_round_trip_now(tmp_path: Path) -> None:
    """Save a workbook with the installed LibreOffice and read it back."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("skipping: LibreOffice (soffice) not installed")
        pytest.skip("LibreOffice (soffice) not installed")
    source = xlsxwriter_book(tmp_path / "source.xlsx")
    (tmp_path / "home").mkdir()
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"),
         str(source)],
        check=True, capture_output=True, timeout=300,
        env={**os.environ, "HOME": str(tmp_path / "home")},
    )  # fmt: skip
    path = tmp_path / "out" / "source.xlsx"
    with open_xlsx(path) as book:
        data = book.read_sheet("Return")
    assert data.cell("B2").value == 0.835 and data.cell("B2").is_percent_format
    assert not data.cell("B3").is_percent_format
    assert data.cell("A8").value == "#DIV/0!"
    assert_matches_openpyxl(path)


def test_api_types(tmp_path: Path) -> None:
    path = fx.write_zip(tmp_path / "ok.xlsx", fx.minimal_parts())
    book = open_xlsx(path)
    assert isinstance(book, XlsxBook) and book.sheet_names() == ["Return"]
    data = book.read_sheet("Return")
    book.close()
    assert isinstance(data, SheetData) and data.get(1, 1) == data.cell("A1")
    assert data.get(2, 2) is None
    assert not isinstance(data.get(1, 1).value, time)
