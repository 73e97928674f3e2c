"""Reading many returns on every core: read_returns_parallel(paths, register, period).

Each worker process gets the register once (through the pool's initializer) and reads chunks
of files with reader.read_return, exactly as a serial loop would; results come back in the
order the paths were given, problems and all. Below SERIAL_BELOW files, or with one worker,
the files are read in this process: starting workers costs more than it saves.

Paths are drawn from the iterable only as workers have room for them, so a progress bar
wrapped around the paths (tqdm) moves as files are read, and memory stays flat.
"""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from pathlib import Path

from ..core.gcpause import collector_paused
from ..core.models import Register
from ..core.periods import Period
from ..core.problems import problem
from .reader import ReturnFile, read_return

SERIAL_BELOW = 20  # files; a worker takes about 0.1 s to start, a return about 10 ms to read
MAX_CHUNK = 16  # files per task: enough to make the task's overhead small, few enough to share
IN_FLIGHT_PER_WORKER = 3  # chunks queued per worker: keeps workers busy, paths drawn lazily

_job: tuple[Register, Period, Mapping[str, str] | None] | None = None  # set in each worker


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_returns_parallel(
    paths: Iterable[Path],
    register: Register,
    period: Period,
    workers: int | None = None,
    *,
    previous_comments: Mapping[str, str] | None = None,
) -> list[ReturnFile]:
    """read_return for every path, in order, on up to `workers` processes (default: all cores).

    Gives exactly the list `[read_return(p, register, period, previous_comments=...) for p in
    paths]` gives.
    """
    job = (register, period, previous_comments)
    workers = default_workers() if workers is None else workers
    with collector_paused(promote_survivors=True):
        return _read_returns(paths, job, workers)


def _read_returns(
    paths: Iterable[Path], job: tuple[Register, Period, Mapping[str, str] | None], workers: int
) -> list[ReturnFile]:
    total = len(paths) if hasattr(paths, "__len__") else None  # a list, or tqdm over one
    remaining = iter(paths)
    head = list(islice(remaining, SERIAL_BELOW))
    if workers <= 1 or len(head) < SERIAL_BELOW:
        return _read_all(chain(head, remaining), job)
    chunk = _chunk_size(total, workers)
    chunks = _chunks(chain(head, remaining), chunk)
    results: list[ReturnFile] = []
    pending: deque[tuple[list[Path], Future[list[ReturnFile]] | None]] = deque()
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(job,))
    try:
        for batch in chunks:
            try:
                pending.append((batch, pool.submit(_read_chunk, batch)))
            except BrokenProcessPool:
                pending.append((batch, None))  # read here, in order, when its turn comes
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                results.extend(_collect(*pending.popleft(), job))
        while pending:
            results.extend(_collect(*pending.popleft(), job))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _chunk_size(total: int | None, workers: int) -> int:
    if total is None:
        return MAX_CHUNK // 2
    # About eight chunks per worker, so the last ones finish close together.
    return max(1, min(MAX_CHUNK, total // (workers * 8)))


def _chunks(paths: Iterator[Path], size: int) -> Iterator[list[Path]]:
    while batch := [Path(path) for path in islice(paths, size)]:
        yield batch


def _collect(
    batch: list[Path],
    future: Future[list[ReturnFile]] | None,
    job: tuple[Register, Period, Mapping[str, str] | None],
) -> list[ReturnFile]:
    """A chunk's results; a chunk whose worker died (killed, out of memory) is read here."""
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    return _read_all(batch, job)


def _read_all(
    paths: Iterable[Path], job: tuple[Register, Period, Mapping[str, str] | None]
) -> list[ReturnFile]:
    register, period, previous_comments = job
    return [_read_one(Path(path), register, period, previous_comments) for path in paths]


def _read_one(
    path: Path, register: Register, period: Period, previous: Mapping[str, str] | None
) -> ReturnFile:
    """One return; a fault no one foresaw in reading it is that file's problem, not the run's."""
    try:
        return read_return(path, register, period, previous_comments=previous)
    except Exception as error:  # noqa: BLE001 - the other returns must still be read
        found = problem("file-fault", file=path.name, detail=f"{type(error).__name__}: {error}")
        return ReturnFile(path=path, problems=[found])


def _start_worker(job: tuple[Register, Period, Mapping[str, str] | None]) -> None:
    global _job
    # A forked worker shares the parent's objects page by page until it writes to them; the
    # collector's passes over them would write to every one. Leave them to the parent.
    gc.freeze()
    # Ctrl-C is the parent's to handle (one line, exit 130); a worker that took it too would
    # print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _job = job


def _read_chunk(batch: list[Path]) -> list[ReturnFile]:
    assert _job is not None, "worker started without its register"
    return _read_all(batch, _job)
