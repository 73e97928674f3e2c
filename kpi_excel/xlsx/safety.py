"""Hostile-file checks run on a return before any of its XML is parsed.

Returns arrive by email from many hands, so a file may be a PDF renamed .xlsx, an old .xls, a
password-protected workbook, a damaged download, or something built to hurt the reader (a zip
bomb, an XML entity bomb). `check_package` turns each of these into one catalogued problem,
quickly and in bounded memory: sizes are judged from the zip directory before anything is
decompressed, and every member is then streamed once in chunks with the same limits enforced,
because a zip's declared sizes can lie.

`open_package` does the same checks and keeps the zip open for the reader, with the bytes of
the small parts it has already checked, so a return is opened and decompressed once.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn
from xml.etree import ElementTree as ET

from ..core.problems import Problem, ReturnFileError, problem

MB = 1024 * 1024
CHUNK = 64 * 1024
# A file up to this size is read into memory once: the checks and the reader then seek and
# read there rather than making a system call for each part (a return is tens of kilobytes).
IN_MEMORY_MAX = 16 * MB
# Checked bytes kept for the reader, all parts together; each part is kept only if it is small
# enough to be parsed whole (Limits.whole_parse_max).
KEEP_MAX = 16 * MB


@dataclass(frozen=True)
class Limits:
    """How big a return may be. A real return is tens of kilobytes; these leave wide margins."""

    max_file_size: int = 50 * MB  # bytes on disk
    max_uncompressed: int = 50 * MB  # all members together, unzipped
    max_ratio: float = 200.0  # unzipped / zipped size of any one member
    # Deflate reaches ratios near 1000:1 on any repetitive text, so a small member is never
    # judged by its ratio: it cannot expand far enough to matter.
    ratio_min_size: int = 1 * MB
    max_members: int = 10_000
    # Parts up to this size are parsed whole, at C speed; bigger ones are streamed row by row
    # in bounded memory (an element tree takes about ten times the XML's size).
    whole_parse_max: int = 2 * MB
    # Per sheet read; None for the team's files (a register may hold 40,000 indicators). A
    # return has hundreds of cells and a few merged ranges, and each cell or range can be a
    # problem to report: 500,000 took 12 s and 540 MB.
    max_cells: int | None = None
    max_merged: int | None = None


# A CSV input (history, published arrows) is read whole: ten years of a thousand
# indicators' figures is about 2 MB.
MAX_CSV_BYTES = 50 * MB
RETURN_MAX_CELLS = 20_000  # with values: 1,000 indicators of 20 columns, more than any area has
RETURN_MAX_MERGED = 1_000
DEFAULT_LIMITS = Limits(max_cells=RETURN_MAX_CELLS, max_merged=RETURN_MAX_MERGED)

# Spelled out in both encodings expat accepts: a UTF-16 part would hide the UTF-8 spelling.
_ENTITY_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_MARKER_OVERLAP = max(len(m) for m in _ENTITY_MARKERS) - 1

# A password-protected .xlsx is an OLE2 compound file holding these streams; the directory
# stores stream names in UTF-16LE.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = tuple(
    name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage")
)

_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
_EMBEDDED_FOLDERS = {"xl/embeddings/": "embedded files", "xl/activex/": "ActiveX controls"}
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_PACKAGE_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def check_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Check that `path` is a plain .xlsx that is safe to parse; return warnings.

    Raises ReturnFileError with one catalogued problem for a file that cannot or must not be
    read (missing, empty, not a workbook, .xls, encrypted, damaged, macro-enabled, too large,
    XML entities).
    """
    with open_package(path, limits) as package:
        return package.warnings


@dataclass
class Package:
    """A checked .xlsx, open: its zip, its warnings, and the checked bytes of its small parts
    (zip name -> bytes), which GuardedStream serves without decompressing them again."""

    zip: zipfile.ZipFile
    warnings: list[Problem]
    checked: dict[str, bytes] = field(default_factory=dict)
    data: bytes | None = None  # the whole file, when it was small enough to read at once

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> Package:
    """check_package's checks, keeping the zip open for reading; the caller closes it.

    Raises ReturnFileError as check_package does.
    """
    path = Path(path)
    size = _file_size(path)
    data = None
    with _open_raw(path) as raw:
        head = raw.read(8)
        if head[:2] != b"PK":
            _reject_non_zip(path, raw, head, limits)
        if size > limits.max_file_size:
            _fail("file-too-large", path, detail=f"{_size(size)} on disk")
        if size <= IN_MEMORY_MAX:
            raw.seek(0)
            data = _read_all(path, raw)
            _check_end_record(path, io.BytesIO(data), len(data), limits)
        else:
            _check_end_record(path, raw, size, limits)
    zf = _open_zip(path if data is None else io.BytesIO(data), path)
    try:
        infos = zf.infolist()
        _check_directory(path, infos, limits)
        checked = _check_members(path, zf, infos, limits)
        return Package(zf, _warnings(path, zf, infos, limits, checked), checked, data)
    except BaseException:
        zf.close()
        raise


def _check_members(
    path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> dict[str, bytes]:
    """Stream every member once with the limits enforced; keep the small ones' bytes."""
    content_types = b""
    total = kept = 0
    checked: dict[str, bytes] = {}
    for info in infos:
        keep = info.file_size <= limits.whole_parse_max and kept + info.file_size <= KEEP_MAX
        chunks = []
        for chunk in iter_member(zf, info, limits, path=path, total_so_far=total):
            total += len(chunk)
            if keep:
                chunks.append(chunk)
            if info.filename == "[Content_Types].xml" and len(content_types) < MB:
                content_types += chunk
        if keep:
            checked[info.filename] = b"".join(chunks)
            kept += info.file_size
    if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
        _fail("file-macro", path)
    return checked


def _read_all(path: Path, raw: IO[bytes]) -> bytes:
    try:
        return raw.read()
    except OSError as exc:
        _fail("file-unreadable", path, detail=_reason(exc))


def iter_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: Limits,
    *,
    path: Path,
    total_so_far: int = 0,
) -> Iterator[bytes]:
    """Yield a member's bytes in chunks, enforcing the size limits and the entity ban.

    The declared size is checked again while reading because it comes from the untrusted
    directory; a member that expands past it is refused rather than trusted.
    """
    tail = b""
    count = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(CHUNK):
                count += len(chunk)
                if count > info.file_size:
                    _fail("file-too-large", path, detail=f"more than the {_size(info.file_size)} "
                          f"its zip directory declares for part {info.filename}")  # fmt: skip
                if total_so_far + count > limits.max_uncompressed:
                    _fail("file-too-large", path, detail=f"more than "
                          f"{_size(limits.max_uncompressed)} when unzipped")  # fmt: skip
                window = tail + chunk if tail else chunk
                if _has_entity_marker(window):
                    _fail("file-xml-entities", path, value=info.filename)
                tail = window[-_MARKER_OVERLAP:]
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        # The file opened, so an OSError here is a bad offset in the zip, not the disk.
        _fail("file-corrupt", path, detail=f"part {info.filename} is damaged: {_reason(exc)}")
    except RuntimeError as exc:  # zipfile's way of saying an entry is zip-encrypted
        _fail("file-encrypted", path, detail=_reason(exc))


def _has_entity_marker(window: bytes) -> bool:
    """Whether `window` holds any of _ENTITY_MARKERS.

    Each marker has its "!" just after "<" (UTF-8) or after "<" and a zero byte (UTF-16), and
    XML seldom has a "!" at all: looking for that one byte is many times quicker than six
    searches for words that begin with XML's commonest byte; those run only when a "!" might
    start a marker.
    """
    bangs = window.count(b"!")
    if not bangs:
        return False
    if bangs <= 32:  # many: just search
        at = window.find(b"!")
        while at >= 0:
            if window[at - 1 : at] == b"<" or window[at - 2 : at] == b"<\0":
                break
            at = window.find(b"!", at + 1)
        else:
            return False
    return any(marker in window for marker in _ENTITY_MARKERS)


class GuardedStream:
    """A file-like view of a zip member for the XML parser, with the checks of iter_member.

    checked: a Package's checked bytes; a member among them is served from there.
    """

    def __init__(
        self,
        zf: zipfile.ZipFile,
        name: str,
        limits: Limits,
        *,
        path: Path,
        checked: Mapping[str, bytes] | None = None,
    ) -> None:
        self._buffer = b""
        if checked is not None and name in checked:
            self._chunks: Iterator[bytes] = iter((checked[name],))
            return
        try:
            info = zf.getinfo(name)
        except KeyError:
            _fail("file-corrupt", path, detail=f"part {name} is missing")
        self._chunks = iter_member(zf, info, limits, path=path)

    def chunks(self) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        yield from self._chunks

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self._buffer + b"".join(self._chunks)
        while len(self._buffer) < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


# --- the steps of check_package ----------------------------------------------------------


def not_a_file(mode: int) -> str | None:
    """What a path is when it is not a regular file (a pipe or a device would never end, or
    block, when read), or None when it is one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _file_size(path: Path) -> int:
    try:
        status = path.stat()
    except FileNotFoundError:
        _fail("file-missing", path)
    except OSError as exc:
        _fail("file-unreadable", path, detail=_reason(exc))
    if (what := not_a_file(status.st_mode)) is not None:
        _fail("file-not-regular", path, detail=what)
    if status.st_size == 0:
        _fail("file-empty", path)
    return status.st_size


def _open_raw(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        _fail("file-unreadable", path, detail=_reason(exc))


def _open_zip(source: Path | IO[bytes], path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        EOFError,
        NotImplementedError,
        struct.error,
        OSError,  # the file opened already: a failed seek is a bad offset in the zip
    ) as exc:
        _fail("file-corrupt", path, detail=f"the zip structure is broken: {_reason(exc)}")


def _reject_non_zip(path: Path, raw: IO[bytes], head: bytes, limits: Limits) -> None:
    """Say what a file that is not a zip looks like; always raises."""
    if head.startswith(_OLE2_MAGIC):
        # The directory holding the stream names can sit anywhere in the file: scan it all,
        # in chunks, up to the size limit.
        tail = b""
        overlap = max(len(n) for n in _ENCRYPTION_STREAMS) - 1
        raw.seek(0)
        read = 0
        while (chunk := raw.read(CHUNK)) and read < limits.max_file_size:
            read += len(chunk)
            window = tail + chunk
            if any(name in window for name in _ENCRYPTION_STREAMS):
                _fail("file-encrypted", path)
            tail = window[-overlap:]
        _fail("file-xls", path)
    raw.seek(0)
    _fail("file-not-xlsx", path, detail=describe_bytes(raw.read(4096)))


def describe_bytes(head: bytes) -> str:
    """Guess, for an officer, what kind of file starts with `head`."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = text[:1024].lower()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        return "a web page (HTML), perhaps a download that went wrong"
    if lower.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "an Excel 2003 XML spreadsheet"
        return "an XML file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a Unicode text file, perhaps saved as 'Unicode Text'"
    if b"\x00" not in head and _mostly_printable(head):
        separated = any(sep in head for sep in (b",", b";", b"\t"))
        what = "a CSV or text file" if separated else "a text file"
        first = _first_line(text)
        return f"{what} beginning '{first}'" if first else what
    return "an unrecognised kind of file"


_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def _first_line(text: bytes, limit: int = 40) -> str:
    """The start of a text file's first line, to help the officer recognise what they sent."""
    line = text.decode("utf-8", errors="replace").splitlines()[0] if text.strip() else ""
    line = "".join(ch if ch.isprintable() else " " for ch in line).strip()
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def _mostly_printable(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t"))
    return bad <= len(text) // 20


def _check_end_record(path: Path, raw: IO[bytes], size: int, limits: Limits) -> None:
    """Count the zip's entries from its end record, before zipfile builds an object for each."""
    raw.seek(max(0, size - (65535 + 22)))
    tail = raw.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return  # zipfile will report the broken structure
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at : at + 16])
    locator = tail[at - 20 : at] if at >= 20 else b""
    if (entries == 0xFFFF or directory_size == 0xFFFFFFFF) and locator[:4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", locator[8:16])
        raw.seek(offset)
        record = raw.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries, directory_size = struct.unpack("<QQ", record[32:48])
    # A directory entry is 46 bytes plus its name; a kilobyte each is generous.
    if entries > limits.max_members or directory_size > limits.max_members * 1024:
        _fail("file-too-large", path, detail=f"{entries:,} parts")


def _check_directory(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Judge the zip from its directory alone, before decompressing anything."""
    if len(infos) > limits.max_members:
        _fail("file-too-large", path, detail=f"{len(infos):,} parts")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        _fail("file-corrupt", path, detail="the zip holds two parts with the same name")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed:
        _fail("file-too-large", path, detail=f"{_size(total)} when unzipped")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_min_size and ratio > limits.max_ratio:
            _fail(
                "file-too-large",
                path,
                detail=f"{_size(info.file_size)} from "
                f"{_size(info.compress_size)} in part {info.filename}",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _fail(
                "file-corrupt",
                path,
                detail=f"part {info.filename} uses a compression method Excel does not",
            )
        if info.flag_bits & 0x1:
            _fail("file-encrypted", path)
    missing = [part for part in _REQUIRED_PARTS if part not in names]
    if missing:
        detected = _other_package(names)
        if detected:
            _fail("file-not-xlsx", path, detail=detected)
        _fail("file-corrupt", path, detail=f"part {missing[0]} is missing")
    lowered = [name.lower() for name in names]
    if path.suffix.lower() in _MACRO_SUFFIXES or any(
        posixpath.basename(name) == "vbaproject.bin" for name in lowered
    ):
        _fail("file-macro", path)


def _other_package(names: list[str]) -> str | None:
    """Name the kind of zip a non-workbook is: the usual one is an .ods or a Word document."""
    if "mimetype" in names and any(name == "content.xml" for name in names):
        return "an OpenDocument file (.ods), which must be saved as .xlsx"
    if "xl/workbook.bin" in names:
        return "an Excel binary workbook (.xlsb)"
    if "word/document.xml" in names:
        return "a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "[Content_Types].xml" not in names and "xl/workbook.xml" not in names:
        return "a zip archive, not an Excel workbook"
    return None


def _warnings(
    path: Path,
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    limits: Limits,
    checked: Mapping[str, bytes],
) -> list[Problem]:
    problems: list[Problem] = []
    names = [info.filename for info in infos]
    links = [
        name
        for name in names
        if name.startswith("xl/externalLinks/") and name.endswith(".xml") and "/_rels/" not in name
    ]
    if links:
        targets = _external_targets(path, zf, names, limits, checked)
        detail = ", ".join(targets[:3]) if targets else f"{len(links)} external link(s)"
        problems.append(problem("file-external-link", file=str(path), detail=detail))
    found = [
        what
        for folder, what in _EMBEDDED_FOLDERS.items()
        if any(name.lower().startswith(folder) for name in names)
    ]
    if found:
        problems.append(problem("file-embedded-object", file=str(path), detail=", ".join(found)))
    return problems


def _external_targets(
    path: Path,
    zf: zipfile.ZipFile,
    names: list[str],
    limits: Limits,
    checked: Mapping[str, bytes],
) -> list[str]:
    """The file names an external link points at, from its relationships part."""
    targets = []
    for name in names:
        if not re.fullmatch(r"xl/externalLinks/_rels/[^/]+\.rels", name):
            continue
        stream = GuardedStream(zf, name, limits, path=path, checked=checked)
        try:
            root = ET.parse(stream).getroot()  # type: ignore[arg-type]  # has read()
        except (ET.ParseError, LookupError, ValueError):
            continue  # a link we cannot name is still reported, by count
        for rel in root.iter(f"{_PACKAGE_RELS_NS}Relationship"):
            target = rel.get("Target", "")
            if target:
                targets.append(target.replace("\\", "/").rsplit("/", 1)[-1] or target)
    return targets


def _fail(code: str, path: Path, *, detail: object = "", value: object = None) -> NoReturn:
    found = problem(code, file=str(path), value=value, detail=detail)
    raise ReturnFileError(found.message, problems=[found])


def _size(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB // 10 else f"{n:,} bytes"


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
