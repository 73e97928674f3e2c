"""Writing outputs safely: beside the target, then renamed over it.

A reader of the folder never sees half a file, a failed run leaves the earlier file as it was,
and every failure is an OutputError with a message for whoever runs kpi-excel.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from ..core.problems import OutputError


def os_message(path: Path, error: OSError) -> str:
    """What went wrong writing path, in words a user can act on."""
    folder = path.parent
    if isinstance(error, IsADirectoryError) or path.is_dir():
        return f"Could not write {path}: it is a folder. Give a file name."
    if isinstance(error, PermissionError):
        return (
            f"Could not write {path}: permission denied. If the file is open in Excel, close it "
            f"and run again; otherwise check you can save files in {folder}."
        )
    if isinstance(error, FileNotFoundError):
        return f"Could not write {path}: the folder {folder} does not exist."
    if isinstance(error, NotADirectoryError):
        return f"Could not write {path}: part of the path is a file, not a folder."
    if error.errno == errno.ENOSPC:
        return f"Could not write {path}: the disk is full."
    return f"Could not write {path}: {error.strerror or error}."


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"Could not write into {folder}: the folder cannot be made ({error.strerror or error})."
        ) from None


def replace_file(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(temporary path) and rename the result over path.

    The temporary file is named here rather than by tempfile.mkstemp, whose private 0600 mode
    would stick to the output; this one gets the user's usual permissions.
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    except OSError as error:
        raise OutputError(os_message(path, error)) from None
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_bytes(path: Path, content: bytes) -> Path:
    def write(temp: Path) -> None:
        with temp.open("wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())

    return replace_file(path, write)
