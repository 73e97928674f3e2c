"""Builders of broken and hostile return files, each written into a test's tmp_path.

Each builder is named after the failure it shows (after csvkit's fixtures) and returns the path
it wrote. The minimal workbook parts are spelled out by hand so the tests control every byte;
`write_raw_zip` goes further and writes zip headers itself, so a test can make them lie.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def sheet_xml(rows: str) -> str:
    return f'{XML}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def minimal_parts(
    sheet: str | None = None,
    *,
    main_type: str = XLSX_MAIN,
    sheet_target: str = "worksheets/sheet1.xml",
) -> dict[str, bytes]:
    """The fewest parts a reader accepts as a workbook: one sheet, no styles, no strings."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(main=main_type),
        "_rels/.rels": (
            f'{XML}<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML}<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="{sheet_target}"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet or sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'),
    }
    return {name: text.encode("utf-8") for name, text in parts.items()}


def write_zip(path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """Write a zip by hand: (name, deflated data, crc, declared uncompressed size) per member.

    zipfile always tells the truth about sizes; a hostile file need not.
    """
    local, central = b"", b""
    for name, data, crc, declared in members:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc, len(data), declared,
                             len(encoded), 0)  # fmt: skip
        central += (
            b"PK\x01\x02" + struct.pack("<H", 20) + fields
            + struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + encoded
        )  # fmt: skip
        local += b"PK\x03\x04" + fields + encoded + data
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(local + central + end)
    return path


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


# --- files that are not zips ---------------------------------------------------------------


def empty_file(tmp: Path) -> Path:
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return path


def csv_renamed(tmp: Path) -> Path:
    path = tmp / "csv_renamed.xlsx"
    path.write_text("id,value\nKPI01,83\nKPI02,12.5\n", encoding="utf-8")
    return path


def pdf_renamed(tmp: Path) -> Path:
    path = tmp / "pdf_renamed.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    return path


def html_renamed(tmp: Path) -> Path:
    path = tmp / "html_renamed.xlsx"
    path.write_text(
        "<!DOCTYPE html>\n<html><body><table><tr><td>83</td></tr></table></body></html>"
    )
    return path


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def fake_xls(tmp: Path) -> Path:
    """An OLE2 compound file with a 'Workbook' stream name, as Excel 97-2003 writes."""
    path = tmp / "old_format.xlsx"
    path.write_bytes(OLE2_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(1000))
    return path


def fake_encrypted(tmp: Path) -> Path:
    """Excel's password-to-open: an OLE2 file with EncryptionInfo and EncryptedPackage streams.

    The first name straddles a 64 KB boundary so a scan that reads in chunks must overlap them.
    """
    name = "EncryptionInfo".encode("utf-16-le")
    head = OLE2_MAGIC + bytes(64 * 1024 - len(OLE2_MAGIC) - 10)
    path = tmp / "encrypted.xlsx"
    path.write_bytes(head + name + bytes(1000) + "EncryptedPackage".encode("utf-16-le"))
    return path


# --- damaged zips --------------------------------------------------------------------------


def truncated_zip(tmp: Path) -> Path:
    whole = write_zip(tmp / "whole.xlsx", minimal_parts()).read_bytes()
    path = tmp / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def bad_crc_zip(tmp: Path) -> Path:
    """A stored (uncompressed) sheet with one byte changed, so only the CRC can notice."""
    path = write_zip(tmp / "bad_crc.xlsx", minimal_parts(), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"<v>1</v>")
    data[at + 3] = ord("7")
    path.write_bytes(bytes(data))
    return path


def missing_workbook(tmp: Path) -> Path:
    parts = minimal_parts()
    del parts["xl/workbook.xml"]
    return write_zip(tmp / "no_workbook.xlsx", parts)


def ods_renamed(tmp: Path) -> Path:
    parts = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    return write_zip(tmp / "ods_renamed.xlsx", parts)


# --- hostile zips --------------------------------------------------------------------------


def zip_bomb(tmp: Path, megabytes: int = 200) -> Path:
    """A valid workbook whose sheet part is `megabytes` of zeros, streamed so it builds fast."""
    path = write_zip(tmp / "zip_bomb.xlsx", {
        k: v for k, v in minimal_parts().items() if k != "xl/worksheets/sheet1.xml"
    })  # fmt: skip
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            for _ in range(megabytes):
                out.write(block)
    return path


def lying_sizes_bomb(tmp: Path, megabytes: int = 20) -> Path:
    """A sheet part declared as 1 KB that really inflates to `megabytes` of data."""
    real = sheet_xml("").encode() + bytes(megabytes * 1024 * 1024)
    members = [
        (name, deflate(data), zlib.crc32(data), len(data))
        for name, data in minimal_parts().items()
        if name != "xl/worksheets/sheet1.xml"
    ]
    members.append(("xl/worksheets/sheet1.xml", deflate(real), zlib.crc32(real), 1024))
    return write_raw_zip(tmp / "lying_sizes.xlsx", members)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    "&lol9;</t></is></c></row></sheetData></worksheet>"
)


def billion_laughs(tmp: Path, encoding: str = "utf-8") -> Path:
    """The classic entity bomb as the sheet part; encoding='utf-16' hides it from a byte scan."""
    parts = minimal_parts()
    text = BILLION_LAUGHS
    if encoding != "utf-8":
        text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    parts["xl/worksheets/sheet1.xml"] = text.encode(encoding)
    return write_zip(tmp / f"billion_laughs_{encoding}.xlsx", parts)


def xlsm_with_macros(tmp: Path) -> Path:
    parts = minimal_parts(main_type=XLSM_MAIN)
    parts["xl/vbaProject.bin"] = OLE2_MAGIC + bytes(512)
    return write_zip(tmp / "macros.xlsx", parts)


def macro_content_type_only(tmp: Path) -> Path:
    return write_zip(tmp / "macro_type.xlsx", minimal_parts(main_type=XLSM_MAIN))


def external_link(tmp: Path) -> Path:
    parts = minimal_parts()
    parts["xl/externalLinks/externalLink1.xml"] = (
        f'{XML}<externalLink xmlns="{MAIN}"><externalBook xmlns:r="{REL}" r:id="rId1"/>'
        "</externalLink>"
    ).encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        f'{XML}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
        'externalLinkPath" Target="file:///C:\\Finance\\budget%202024.xlsx" '
        'TargetMode="External"/></Relationships>'
    ).encode()
    return write_zip(tmp / "external_link.xlsx", parts)


def embedded_object(tmp: Path) -> Path:
    parts = minimal_parts()
    parts["xl/embeddings/oleObject1.bin"] = OLE2_MAGIC + bytes(512)
    return write_zip(tmp / "embedded.xlsx", parts)


def duplicate_parts(tmp: Path) -> Path:
    members = [
        (name, deflate(data), zlib.crc32(data), len(data)) for name, data in minimal_parts().items()
    ]
    return write_raw_zip(tmp / "duplicate_parts.xlsx", members + members[-1:])


# --- real returns with one hostile edit ------------------------------------------------------


def edited_return(source: Path, path: Path, change: Callable[[str], str]) -> Path:
    """A copy of a real return whose Return sheet's XML is passed through change."""
    with zipfile.ZipFile(source) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = next(
        name for name, data in parts.items() if name.startswith("xl/worksheets/") and b"H9" in data
    )
    parts[sheet] = change(parts[sheet].decode("utf-8")).encode("utf-8")
    return write_zip(path, parts)


def cell_beyond_excel_rows(source: Path, tmp: Path) -> Path:
    """One cell at row 200,000,000: a loop over the sheet's rows would never end."""
    return edited_return(
        source,
        tmp / "cell_beyond_excel_rows.xlsx",
        lambda xml: xml.replace(
            "</sheetData>", '<row r="200000000"><c r="A200000000"><v>1</v></c></row></sheetData>'
        ),
    )


def merged_beyond_excel_rows(source: Path, tmp: Path, last: int = 100_000_000) -> Path:
    """A merged range H11:H100000000 over the figure column: 9 GB if expanded cell by cell."""
    merge = f'<mergeCells count="1"><mergeCell ref="H11:H{last}"/></mergeCells>'

    def change(xml: str) -> str:
        if "<mergeCells" in xml:
            return xml.replace("</mergeCells>", f'<mergeCell ref="H11:H{last}"/></mergeCells>')
        return xml.replace("</sheetData>", f"</sheetData>{merge}")

    return edited_return(source, tmp / f"merged_to_row_{last}.xlsx", change)


def cell_at_the_last_row(source: Path, tmp: Path) -> Path:
    """One cell at Excel's last row, 1,048,576: allowed, but loops must not walk every row."""
    return edited_return(
        source,
        tmp / "cell_at_the_last_row.xlsx",
        lambda xml: xml.replace(
            "</sheetData>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
        ),
    )


def column_beyond_excel(source: Path, tmp: Path) -> Path:
    return edited_return(
        source,
        tmp / "column_beyond_excel.xlsx",
        lambda xml: xml.replace('<c r="H9"', '<c r="XFE9"', 1),
    )


def many_merged_ranges(source: Path, tmp: Path, count: int = 400_000) -> Path:
    """400,000 merged ranges over the figure column in 2 MB: each would be a problem."""
    merges = "".join(f'<mergeCell ref="H{11 + i}:I{11 + i}"/>' for i in range(count))

    def change(xml: str) -> str:
        xml = re.sub(r"<mergeCells.*?</mergeCells>", "", xml)
        return xml.replace(
            "</sheetData>", f'</sheetData><mergeCells count="{count}">{merges}</mergeCells>'
        )

    return edited_return(source, tmp / "many_merged_ranges.xlsx", change)


def many_rows_of_unknown_ids(source: Path, tmp: Path, count: int = 500_000) -> Path:
    """500,000 rows, each with an id no register has, in 4 MB: each would be a problem."""
    rows = "".join(
        f'<row r="{100 + i}"><c r="A{100 + i}" t="inlineStr"><is><t>Z{i}</t></is></c></row>'
        for i in range(count)
    )
    return edited_return(
        source,
        tmp / "many_rows_of_unknown_ids.xlsx",
        lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"),
    )
