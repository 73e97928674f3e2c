"""Reading returns on several processes gives exactly what reading them one by one gives."""

from __future__ import annotations

import gc
import shutil
from collections import Counter

import pytest
from conftest import Q1, SAMPLES
from fixtures_bad import CASES, bad_inputs_register

from kpi_excel.returns.parallel import SERIAL_BELOW, read_returns_parallel
from kpi_excel.returns.reader import read_return

CHILDREN = "Children's Services"


def serial(paths, register, **options):
    return [read_return(path, register, Q1, **options) for path in paths]


@pytest.fixture
def many_returns(tmp_path, fill):
    """The samples four times over, under other names, with bad files among them."""
    folder = tmp_path / "returns"
    folder.mkdir()
    paths = []
    for copy in range(4):
        for sample in sorted((SAMPLES / "returns").glob("*.xlsx")):
            target = folder / f"{copy}-{sample.name}"
            shutil.copy(sample, target)
            paths.append(target)
    bad_cell = fill(CHILDREN, {"CL02": {"value": "about 60"}}, name="bad-cell.xlsx")
    not_a_workbook = folder / "notes.xlsx"
    not_a_workbook.write_text("figures to follow, sorry\n", encoding="utf-8")
    truncated = folder / "truncated.xlsx"
    truncated.write_bytes(paths[0].read_bytes()[:3000])
    missing = folder / "never-sent.xlsx"
    paths[3:3] = [bad_cell, not_a_workbook]
    paths[12:12] = [truncated, missing]
    assert len(paths) >= SERIAL_BELOW
    return paths


def test_parallel_reading_matches_serial_reading_problems_and_order(register, many_returns):
    expected = serial(many_returns, register)
    found = read_returns_parallel(many_returns, register, Q1, workers=2)
    assert found == expected
    assert [result.path for result in found] == many_returns
    codes = {p.code for result in found for p in result.problems}
    assert {"value-not-number", "file-not-xlsx", "file-corrupt", "file-missing"} <= codes


def test_a_few_returns_are_read_here_and_match(register):
    paths = sorted((SAMPLES / "returns").glob("*.xlsx"))
    assert len(paths) < SERIAL_BELOW
    assert read_returns_parallel(paths, register, Q1, workers=2) == serial(paths, register)


def test_paths_may_come_from_a_generator_such_as_a_progress_bar(register, many_returns):
    drawn = []

    def progress(paths):
        for path in paths:
            drawn.append(path)
            yield path

    found = read_returns_parallel(progress(many_returns), register, Q1, workers=2)
    assert drawn == many_returns
    assert found == serial(many_returns, register)


def test_last_periods_comments_reach_the_workers(register, many_returns):
    first = serial(many_returns[:1], register)[0]
    indicator_id, record = next((i, r) for i, r in first.records.items() if r.comment)
    previous = {indicator_id: record.comment}
    found = read_returns_parallel(many_returns, register, Q1, workers=2, previous_comments=previous)
    assert found == serial(many_returns, register, previous_comments=previous)
    assert "comment-repeated" in {p.code for p in found[0].problems}


def test_one_worker_reads_in_this_process(register, many_returns):
    found = read_returns_parallel(many_returns, register, Q1, workers=1)
    assert found == serial(many_returns, register)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_cyclic_collector_is_paused_while_reading_and_restored_after(
    register, many_returns, monkeypatch, workers
):
    import kpi_excel.returns.parallel as parallel

    seen = []
    read = parallel._read_all

    def spy(paths, job):
        seen.append(gc.isenabled())
        return read(paths, job)

    monkeypatch.setattr(parallel, "_read_all", spy)
    assert gc.isenabled()
    found = read_returns_parallel(many_returns, register, Q1, workers=workers)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the results were moved on, not left frozen
    assert found == serial(many_returns, register)
    if workers == 1:
        assert seen == [False]  # the parallel path's calls happen in the workers
    gc.disable()
    try:
        read_returns_parallel(many_returns[:2], register, Q1, workers=workers)
        assert not gc.isenabled()  # a caller's own choice is left as it was
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        read_returns_parallel(many_returns[:2], register, Q1, workers=workers)
        assert gc.get_freeze_count() == frozen  # a caller's frozen objects stay frozen
    finally:
        gc.unfreeze()


def test_results_read_with_the_collector_paused_reach_the_oldest_generation(register):
    """Read returns are long-lived: they go straight to the oldest generation, so the next
    collections of the young ones do not walk them all again."""
    paths = sorted((SAMPLES / "returns").glob("*.xlsx"))
    gc.collect()
    found = read_returns_parallel(paths, register, Q1, workers=1)
    young = {id(item) for generation in (0, 1) for item in gc.get_objects(generation)}
    assert id(found[0].records) not in young
    assert id(found[0].records) in {id(item) for item in gc.get_objects(2)}


def test_the_bad_input_catalogue_gives_the_same_problems_read_in_parallel(bad_input_files):
    """Every case of the catalogue read on several processes: each file's problems are the
    catalogue's, exactly as reading it alone gives them."""
    register = bad_inputs_register()
    built = [(case, bad_input_files[case.name]) for case in CASES]
    paths = [path for _, path in built]
    assert len(paths) >= SERIAL_BELOW
    found = read_returns_parallel(paths, register, Q1, workers=2)
    assert found == serial(paths, register)
    for (case, path), result in zip(built, found, strict=True):
        if case.previous_comments:
            continue  # its expected list needs last period's comments, given per file
        assert result.path == path
        # a missing comment or action is found on the rated report, not by the reader
        read = [e for e in case.expected if e[0] not in ("comment-missing", "action-missing")]
        assert Counter((p.code, p.sheet, p.cell) for p in result.problems) == Counter(read), (
            case.name
        )
