"""Outputs never touch inputs: every command checks its output paths here before any work.

An output is refused when it is the same file as an input (the same resolved path, or the same
device and inode, so hard and symbolic links are caught), when it would be written into a
folder returns are read from (it would be read as a return next time), or when two outputs
are one file. Nothing is read or written before the check, so a refused command changes nothing.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.problems import UsageError, problem
from ..core.return_spec import META_SHEET
from .safety import MAX_CSV_BYTES, MB, not_a_file

# Written into every workbook kpi-excel makes (a custom document property), so the reader
# knows its own outputs and never reads a feedback copy, a log or a board as a return.
OUTPUT_MARK = "kpi-excel output"
OUTPUT_AUTHOR = "kpi-excel"  # lastModifiedBy: the next save (Excel's) names its user instead


# What kpi-excel's inputs look like, so an output never replaces one even when this command
# was not given it: the register's sheet and the history file's columns (named in
# register.loader and history.files, stages above this one; a test keeps them equal).
REGISTER_SHEET = "Indicators"
HISTORY_HEADER = ("indicator_id", "period", "value")
PUBLISHED_HEADER = ("indicator_id", "short_term", "long_term")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SHEET_NAME = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')
_WORKBOOK_PART_MAX = 1024 * 1024


@dataclass(frozen=True)
class Place:
    """One path a command names: what it is (an option or argument) and where."""

    label: str
    path: Path
    folder: bool = False  # an output folder (feedback, templates), or a folder of returns
    sniff: bool = True  # an output: refuse to replace an existing file that reads as an input
    may_be: str = ""  # ... unless it is this kind: a store is added to, not replaced

    @property
    def resolved(self) -> Path:
        return _resolve(self.path)


def _resolve(path: Path) -> Path:
    try:
        return Path(path).expanduser().resolve(strict=False)
    except (OSError, RuntimeError):  # a symbolic link loop: compare the path as given
        return Path(os.path.abspath(path))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


def _same(first: Place, second: Place) -> bool:
    if first.resolved == second.resolved:
        return True
    one, other = _identity(first.path), _identity(second.path)
    return one is not None and one == other


def _in_folder(output: Place, folder: Place) -> bool:
    """Whether output would be a file in the folder returns are read from (or is it)."""
    target = output.resolved
    if target == folder.resolved or target.parent == folder.resolved:
        return True
    home = _identity(target.parent)
    return home is not None and home == _identity(folder.path)


def places(label: str, paths: Iterable[Path | str | None], *, folder: bool = False) -> list[Place]:
    """Places for the paths given (None and empty ones left out)."""
    return [Place(label, Path(path), folder) for path in paths if path is not None and path != ""]


def place(label: str, path: Path | str | None, *, folder: bool = False) -> list[Place]:
    return places(label, [path], folder=folder)


def returns_places(returns: Iterable[Path | str]) -> list[Place]:
    """Return files and folders of returns, as inputs."""
    found = []
    for path in returns:
        path = Path(path)
        kind = "folder" if path.is_dir() else "file"
        found.append(Place(f"the returns {kind}", path, path.is_dir()))
    return found


def check_outputs(inputs: Sequence[Place], outputs: Sequence[Place]) -> None:
    """Refuse, before any work, every output that would write over an input or another output.

    Raises UsageError naming both paths; returns quietly when every output is safe.
    """
    for source in inputs:
        _check_input(source)
    for index, output in enumerate(outputs):
        _check_output(output)
        for source in inputs:
            if source.folder and _in_folder(output, source):
                _refuse(
                    output,
                    f"is in {source.label} {source.path}, where returns are read: it would "
                    "be read as a return next time",
                )
            if _same(output, source):
                _refuse(output, f"is the same file as {source.label} ({source.path})")
        for other in outputs[:index]:
            if _same(output, other):
                _refuse(output, f"is the same file as {other.label} ({other.path})")
        if output.sniff and (kind := reads_as_input(output.path)) not in (None, output.may_be):
            _refuse(output, f"already exists and is {kind}, which kpi-excel reads")


def _check_input(source: Place) -> None:
    """An input must be a file, or a folder where one is asked for: reading a named pipe or
    a device would block or never end."""
    try:
        mode = os.stat(source.path).st_mode
    except (OSError, ValueError):
        return  # missing inputs are reported where they are read (a store may be new)
    what = not_a_file(mode)
    if what is None and source.path.suffix.lower() == ".csv":
        _check_csv_size(source)
    if what is None or (what == "a folder" and source.folder):
        return
    found = problem("file-not-regular", file=str(source.path), detail=what)
    raise UsageError(f"{source.label}: {found.message} {found.fix}", [found])


def _check_csv_size(source: Place) -> None:
    """A CSV input (history, published arrows) is read whole: past MAX_CSV_BYTES it is not
    one, and reading it would take the machine's memory."""
    size = os.stat(source.path).st_size
    if size > MAX_CSV_BYTES:
        found = problem(
            "file-too-big-to-read",
            file=str(source.path),
            detail=f"{size / MB:,.0f} MB",
            expected=f"CSV input ({MAX_CSV_BYTES // MB} MB)",
        )
        raise UsageError(f"{source.label}: {found.message} {found.fix}", [found])


def _check_output(output: Place) -> None:
    """An existing output must be a file (or a folder, for a folder output): renaming over a
    device such as /dev/null would replace it, and a named pipe would block the store."""
    try:
        mode = os.stat(output.path).st_mode
    except (OSError, ValueError):
        return
    what = not_a_file(mode)
    if what is not None and not (what == "a folder" and output.folder):
        _refuse(output, f"is {what}, not a file")


def reads_as_input(path: Path) -> str | None:
    """What kind of kpi-excel input an existing file is (a history store, a return, a
    register, a history or published arrows file), or None."""
    try:
        if not Path(path).is_file():  # also not a pipe: refused before this is asked
            return None
        with Path(path).open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return None
    if head.startswith(_SQLITE_MAGIC):
        return "a history store"
    if head.startswith(b"PK"):
        return _workbook_kind(Path(path))
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace").lower()
    columns = tuple(part.strip().strip('"') for part in first.split(","))[:3]
    if columns == HISTORY_HEADER:
        return "a history file"
    return "a published arrows file" if columns == PUBLISHED_HEADER else None


def _workbook_kind(path: Path) -> str | None:
    """A return or a register, by its sheets' names. Only the small workbook part is read,
    and by a pattern, not a parser: a board of 40,000 indicators is not unpacked to learn
    that it is a board, and a hostile file has nothing to expand."""
    try:
        with zipfile.ZipFile(path) as package, package.open("xl/workbook.xml") as part:
            text = part.read(_WORKBOOK_PART_MAX).decode("utf-8", "replace")  # at most 1 MB
        names = set(_SHEET_NAME.findall(text))
    except (OSError, KeyError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError):
        return None  # not a workbook kpi-excel could read: nothing of ours to lose
    if META_SHEET in names:
        return "a return"
    return "a register" if REGISTER_SHEET in names else None


def store_place(label: str, path: Path) -> list[Place]:
    """A history store as an output: it may already be one (it is added to), nothing else."""
    return [Place(label, Path(path), may_be="a history store")]


def _refuse(output: Place, why: str) -> None:
    instead = "a folder of its own" if output.folder else "another name"
    raise UsageError(
        f"{output.label} {output.path} {why}. Nothing was written: give {output.label} {instead}."
    )


def pdf_beside(workbook: Path) -> Path:
    """Where the PDF of a board workbook goes: beside it, under its own name."""
    workbook = Path(workbook)
    if workbook.suffix.lower() == ".pdf":
        return workbook.with_name(f"{workbook.name}.pdf")
    return workbook.with_suffix(".pdf")
