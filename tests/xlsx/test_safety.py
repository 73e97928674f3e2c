"""Hostile and broken files: each is refused with its catalogued code, quickly.

The timing bound is a guard against a check that decompresses or expands a bomb, not a
benchmark: it is loose on purpose.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import fixtures_hostile as hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_excel.core.problems import ReturnFileError, Severity
from kpi_excel.xlsx.read import open_xlsx
from kpi_excel.xlsx.safety import (
    _ENTITY_MARKERS,
    CHUNK,
    DEFAULT_LIMITS,
    Limits,
    _has_entity_marker,
    check_package,
    describe_bytes,
    open_package,
)

FAST = 1.0  # seconds


def rejected(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The code and message check_package refuses `path` with, asserting it was quick."""
    start = time.perf_counter()
    with pytest.raises(ReturnFileError) as caught:
        check_package(path, limits)
    elapsed = time.perf_counter() - start
    assert elapsed < FAST, f"took {elapsed:.2f} s"
    [found] = caught.value.problems
    assert found.severity is Severity.ERROR
    assert found.file == str(path)
    assert caught.value.message == found.message
    return found.code, found.message


CASES: list[tuple[Callable[[Path], Path], str, str]] = [
    (hostile.empty_file, "file-empty", "empty"),
    (hostile.csv_renamed, "file-not-xlsx", "a CSV or text file"),
    (hostile.pdf_renamed, "file-not-xlsx", "a PDF document"),
    (hostile.html_renamed, "file-not-xlsx", "a web page (HTML)"),
    (hostile.ods_renamed, "file-not-xlsx", "OpenDocument"),
    (hostile.fake_xls, "file-xls", "97-2003"),
    (hostile.fake_encrypted, "file-encrypted", "password"),
    (hostile.truncated_zip, "file-corrupt", "zip structure"),
    (hostile.bad_crc_zip, "file-corrupt", "CRC"),
    (hostile.missing_workbook, "file-corrupt", "xl/workbook.xml is missing"),
    (hostile.duplicate_parts, "file-corrupt", "same name"),
    (hostile.lying_sizes_bomb, "file-corrupt", "CRC"),
    (hostile.billion_laughs, "file-xml-entities", "entity"),
    (lambda tmp: hostile.billion_laughs(tmp, "utf-16"), "file-xml-entities", "entity"),
    (hostile.xlsm_with_macros, "file-macro", "macro"),
    (hostile.macro_content_type_only, "file-macro", "macro"),
]


@pytest.mark.parametrize(
    ("build", "code", "words"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)]
)
def test_hostile_file_is_refused(
    tmp_path: Path, build: Callable[[Path], Path], code: str, words: str
) -> None:
    path = build(tmp_path)
    found_code, message = rejected(path)
    assert found_code == code
    assert words in message


def test_missing_file(tmp_path: Path) -> None:
    assert rejected(tmp_path / "nowhere.xlsx")[0] == "file-missing"


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert rejected(folder)[0] == "file-not-regular"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_reading_it(tmp_path: Path) -> None:
    """Opening a pipe nobody writes to blocks for ever: it is refused from its kind alone."""
    pipe = tmp_path / "return.xlsx"
    os.mkfifo(pipe)
    code, message = rejected(pipe)
    assert code == "file-not-regular" and "named pipe" in message


def test_a_device_is_refused_without_reading_it() -> None:
    code, message = rejected(Path("/dev/zero"))
    assert code == "file-not-regular" and "device" in message


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = hostile.zip_bomb(tmp_path, megabytes=200)
    assert path.stat().st_size < 2 * 1024 * 1024  # the point of a bomb: small on disk
    code, message = rejected(path)
    assert code == "file-too-large"
    assert "200.0 MB" in message


def test_member_ratio_over_limit_is_refused(tmp_path: Path) -> None:
    path = hostile.zip_bomb(tmp_path, megabytes=3)  # under the total, far over the ratio
    code, message = rejected(path)
    assert code == "file-too-large"
    assert "xl/worksheets/sheet1.xml" in message


def test_declared_size_is_enforced_while_reading(tmp_path: Path) -> None:
    """Even with the ratio check off, a part cannot expand past what the directory says."""
    path = hostile.lying_sizes_bomb(tmp_path)
    code, _ = rejected(path, Limits(max_ratio=1e9))
    assert code in ("file-corrupt", "file-too-large")


def test_total_is_enforced_while_reading(tmp_path: Path) -> None:
    parts = hostile.minimal_parts()
    parts["xl/media/padding.bin"] = bytes(300_000)
    path = hostile.write_zip(tmp_path / "padded.xlsx", parts)
    code, _ = rejected(path, Limits(max_uncompressed=200_000))
    assert code == "file-too-large"


def test_too_many_parts(tmp_path: Path) -> None:
    parts = hostile.minimal_parts()
    parts.update({f"xl/media/image{i}.png": b"x" for i in range(50)})
    path = hostile.write_zip(tmp_path / "many_parts.xlsx", parts)
    code, message = rejected(path, Limits(max_members=20))
    assert code == "file-too-large"
    assert "55 parts" in message


def test_file_on_disk_over_limit(tmp_path: Path) -> None:
    parts = hostile.minimal_parts()
    parts["xl/media/noise.bin"] = bytes(range(256)) * 400
    path = hostile.write_zip(tmp_path / "big.xlsx", parts, compression=0)
    assert rejected(path, Limits(max_file_size=50_000))[0] == "file-too-large"


def test_xlsm_extension_is_refused(tmp_path: Path) -> None:
    path = hostile.write_zip(tmp_path / "return.xlsm", hostile.minimal_parts())
    assert rejected(path)[0] == "file-macro"


def test_zip_encrypted_entry(tmp_path: Path) -> None:
    path = hostile.write_zip(tmp_path / "zip_encrypted.xlsx", hostile.minimal_parts())
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # set "encrypted" in the first directory entry's flags
    data[at + 8] |= 1
    path.write_bytes(bytes(data))
    assert rejected(path)[0] == "file-encrypted"


def test_external_link_is_a_warning(tmp_path: Path) -> None:
    [warning] = check_package(hostile.external_link(tmp_path))
    assert warning.code == "file-external-link"
    assert warning.severity is Severity.WARNING
    assert "budget%202024.xlsx" in warning.message


def test_embedded_object_is_a_warning(tmp_path: Path) -> None:
    [warning] = check_package(hostile.embedded_object(tmp_path))
    assert warning.code == "file-embedded-object"
    assert "embedded files" in warning.message


def test_plain_workbook_has_no_warnings(tmp_path: Path) -> None:
    assert check_package(hostile.write_zip(tmp_path / "ok.xlsx", hostile.minimal_parts())) == []


def test_open_xlsx_refuses_hostile_file_and_keeps_warnings(tmp_path: Path) -> None:
    with pytest.raises(ReturnFileError) as caught:
        open_xlsx(hostile.billion_laughs(tmp_path))
    assert caught.value.problems[0].code == "file-xml-entities"
    with open_xlsx(hostile.external_link(tmp_path)) as book:
        assert [w.code for w in book.warnings] == ["file-external-link"]
        assert book.read_sheet("Return").get(1, 1).value == 1.0


@pytest.mark.parametrize(
    ("head", "words"),
    [
        (b"\xef\xbb\xbfid;value\r\n1;2\r\n", "CSV"),
        (b"just some notes", "a text file"),
        (b"\xff\xfei\x00d\x00", "Unicode text"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "Excel 2003 XML",
        ),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (bytes(range(256)), "unrecognised"),
    ],
)
def test_describe_bytes(head: bytes, words: str) -> None:
    assert words in describe_bytes(head)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_parts_give_only_catalogued_errors(tmp_path: Path, data: st.DataObject) -> None:
    """Mangle one XML part of a valid workbook (keeping the zip itself sound): the reader either
    reads it or refuses it with a ReturnFileError, never another exception."""
    parts = hostile.minimal_parts(
        hostile.sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="b"><v>1</v>'
            '</c><c r="C1"><f>A1</f><v>2</v></c></row></sheetData><mergeCells><mergeCell '
            'ref="A2:B3"/></mergeCells><sheetData>'
        )
    )
    name = data.draw(st.sampled_from(sorted(parts)))
    text = bytearray(parts[name])
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text) - 1))
        text[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=6))
    parts[name] = bytes(text)
    path = hostile.write_zip(tmp_path / "mangled.xlsx", parts)
    try:
        with open_xlsx(path) as book:
            for sheet in book.sheet_names():
                book.read_sheet(sheet)
    except ReturnFileError as exc:
        assert exc.problems and exc.problems[0].code.startswith(("file-", "sheet-"))


# --- the quick scan for entity markers gives what six plain searches give --------------------


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [b"<", b"!", b"\0", b"a", b"<!", b"<\0!", b"\0<\0!\0", b"DOCTYPE", b"ENTITY", b"-->"]
            + list(_ENTITY_MARKERS)
            + [m[:-1] for m in _ENTITY_MARKERS]
        ),
        max_size=60,
    )
)
def test_entity_marker_scan_matches_plain_search(pieces: list[bytes]) -> None:
    window = b"".join(pieces)
    assert _has_entity_marker(window) == any(m in window for m in _ENTITY_MARKERS)


def test_entity_marker_scan_with_many_exclamation_marks() -> None:
    noisy = b"Well done!<c/>" * 100
    assert not _has_entity_marker(noisy)
    assert _has_entity_marker(noisy + b"<!ENTITY x 'y'>")
    assert _has_entity_marker(b"<!DOCTYPE x>" + noisy)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_entity_marker_across_two_chunks_is_found(tmp_path: Path, encoding: str) -> None:
    """A declaration that starts in one 64 KB chunk and ends in the next is still refused."""
    marker = "<!DOCTYPE".encode(encoding)
    parts = hostile.minimal_parts()
    padding = b" " * (CHUNK - len(marker) // 2)
    parts["xl/media/notes.xml"] = padding + marker + b" " * 100
    path = hostile.write_zip(tmp_path / f"split-{encoding}.xlsx", parts)
    with pytest.raises(ReturnFileError) as caught:
        check_package(path)
    [found] = caught.value.problems
    assert (found.code, found.value) == ("file-xml-entities", "xl/media/notes.xml")


def test_open_package_keeps_checked_small_parts_for_the_reader(tmp_path: Path) -> None:
    parts = hostile.minimal_parts()
    path = hostile.write_zip(tmp_path / "ok.xlsx", parts)
    with open_package(path) as package:
        assert package.warnings == []
        assert package.checked == parts
        assert package.data == path.read_bytes()
    with open_package(path, Limits(whole_parse_max=0)) as package:
        assert package.checked == {}  # nothing small enough to parse whole: streamed again


def test_reader_parses_checked_bytes_without_decompressing_again(tmp_path: Path) -> None:
    path = hostile.write_zip(tmp_path / "ok.xlsx", hostile.minimal_parts())
    with open_xlsx(path) as book:

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a checked part was decompressed a second time")

        book._zip.open = refuse  # type: ignore[method-assign]
        assert book.read_sheet("Return").get(1, 1).value == 1.0
