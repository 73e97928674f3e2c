"""The history store: versions never overwritten, all-or-nothing writes, safe side by side."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from kpi_excel.api.history import close_period, correct_figure, import_history
from kpi_excel.core.models import (
    Indicator,
    Polarity,
    ReturnRecord,
    Settings,
    Source,
    Status,
    Target,
    TargetKind,
    Unit,
)
from kpi_excel.core.periods import Period
from kpi_excel.core.problems import HistoryError
from kpi_excel.core.rules import trend
from kpi_excel.history import store as store_module
from kpi_excel.history.files import load_history
from kpi_excel.history.store import Figure, Run, Store, TargetInForce

Q4, Q1, Q2 = "2016/17 Q4", "2017/18 Q1", "2017/18 Q2"


def figure(indicator_id: str = "A1", period: str = Q1, value: float | None = 50.0, **more):
    status = Status.AVAILABLE if value is not None else Status.NOT_AVAILABLE
    return Figure(indicator_id, period, status, value=value, **more)


def state(path: Path, *, runs: bool = True) -> list[str]:
    """Every row of every table, as SQL; without the run log when runs is False."""
    with Store(path) as opened:
        rows = opened.dump()
    return [row for row in rows if runs or not row.startswith('INSERT INTO "runs"')]


@pytest.fixture
def path(tmp_path) -> Path:
    target = tmp_path / "history.sqlite"
    with Store(target, create=True) as opened:
        opened.record(
            [figure("A1", Q4, 40.0), figure("A2", Q4, None, token="NEW")],
            kind="import",
            why="seed",
            close=[Q4],
        )
    return target


# --- opening -------------------------------------------------------------------------------


def test_a_missing_store_is_not_created_unless_asked(tmp_path):
    with pytest.raises(HistoryError, match="does not exist"):
        Store(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.sqlite").write_text("shopping list", encoding="utf-8")
    with pytest.raises(HistoryError, match="not a kpi-excel history store"):
        Store(tmp_path / "notes.sqlite", create=True)
    other = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(HistoryError, match="not a kpi-excel history store"):
        Store(other, create=True)


def test_a_store_from_a_newer_kpi_excel_is_refused(path):
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError, match="newer kpi-excel"):
        Store(path)


def test_the_store_uses_a_rollback_journal_and_is_marked_as_ours(path):
    """Not WAL: its shared memory does not work on the network shares councils use."""
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID


# --- versions ------------------------------------------------------------------------------


def test_writing_the_same_figures_again_changes_nothing(path):
    before = state(path, runs=False)
    with Store(path) as opened:
        change = opened.record(
            [figure("A1", Q4, 40.0), figure("A2", Q4, None, token="NEW")],
            kind="import",
            why="again",
            close=[Q4],
            run=Run(command="import-history", outcome="imported"),
        )
        assert change.version is None and change.unchanged == 2 and not change.added
        assert opened.runs()[-1].outcome == "no change"
    assert state(path, runs=False) == before


def test_a_differing_figure_is_a_conflict_and_nothing_is_written(path):
    before = state(path)
    with Store(path) as opened:
        change = opened.record(
            [figure("A1", Q1, 10.0), figure("A1", Q4, 41.0)],
            kind="import",
            why="clash",
            close=[Q1, Q4],
            run=Run(command="import-history", outcome="imported"),
        )
    assert change.version is None
    assert [(new.value, held.value) for new, held in change.conflicts] == [(41.0, 40.0)]
    assert state(path) == before  # not even the run, nor the other, good, figure


def test_a_correction_is_a_new_version_and_as_at_gives_either(path):
    with Store(path) as opened:
        change = opened.record(
            [figure("A1", Q4, 42.0)],
            kind="correct",
            why="keyed wrongly",
            by="A. Analyst",
            replace_existing=True,
        )
        assert change.version == 2
        versions = opened.figures(indicator_id="A1", all_versions=True)
        assert [(f.version, f.value, f.kind) for f in versions] == [
            (1, 40.0, "import"),
            (2, 42.0, "correct"),
        ]
        assert versions[1].recorded_by == "A. Analyst" and versions[1].why == "keyed wrongly"
        assert opened.history(as_at=1).get("A1", Period.parse(Q4)).value == 40.0
        assert opened.history(as_at=2).get("A1", Period.parse(Q4)).value == 42.0
        assert opened.history().get("A1", Period.parse(Q4)).value == 42.0
        with pytest.raises(HistoryError, match="no version 3"):
            opened.check_version(3)


def test_a_new_figure_for_a_closed_period_needs_a_correction(path):
    with Store(path) as opened:
        change = opened.record([figure("A3", Q4, 1.0)], kind="close", why="late")
        assert change.conflicts and change.conflicts[0][1] is None
        assert (
            opened.record(
                [figure("A3", Q4, 1.0)], kind="correct", why="late figure", new_in_closed=True
            ).version
            == 2
        )


def test_targets_keep_the_period_they_took_effect(path):
    ninety = Target(kind=TargetKind.VALUE, value=90.0)
    with Store(path) as opened:
        for period, target in ((Q1, ninety), (Q2, ninety), ("2017/18 Q3", Target(kind="tbc"))):
            opened.record(
                [figure("A1", period, 50.0)],
                kind="close",
                why="close",
                close=[period],
                targets=[TargetInForce("A1", period, target, "annual target")],
            )
        found = {t.period: t.effective_period for t in opened.targets(indicator_id="A1")}
    assert found == {Q1: Q1, Q2: Q1, "2017/18 Q3": "2017/18 Q3"}


def test_a_figure_goes_in_and_comes_out_as_the_same_record():
    record = ReturnRecord(
        indicator_id="A1", period=Q1, status=Status.AVAILABLE, value=60.9, numerator=14,
        denominator=23, provisional=True, average=True,
        comment="Up.", corrective_action="More.",
        source=Source(file="r.xlsx", sha256="ab" * 32, sheet="Return", cell="H9",
                      template_version="1.0", read_at="2017-07-20T10:00:00"),
    )  # fmt: skip
    assert Figure.from_record(record).to_record("history.sqlite") == record


def test_history_from_the_store_matches_the_history_file(tmp_path, register):
    store = tmp_path / "history.sqlite"
    import_history(SAMPLES / "history.csv", SAMPLES / "register.xlsx", store=store)
    from_file, _ = load_history(SAMPLES / "history.csv", register.by_id())
    with Store(store) as opened:
        from_store = opened.history()

    def plain(history):
        return [(p.indicator_id, p.period, p.value, p.token, p.label) for p in history.points()]

    assert plain(from_store) == plain(from_file)
    assert len(from_store) == 65


def test_a_definition_change_stops_the_arrow_across_it():
    indicator = Indicator(
        id="A1", section="S", service_area="X", name="N", polarity=Polarity.BIGGER,
        unit=Unit.PERCENT, definition_changed=Q2,
    )  # fmt: skip
    now = ReturnRecord(indicator_id="A1", period=Q2, status=Status.AVAILABLE, value=70.0)
    before = figure("A1", Q1, 60.0).to_point()
    result = trend(indicator, now, before, Settings(), term="short", period=Period.parse(Q2))
    assert result.direction is None and "Definition changed in 2017/18 Q2" in result.reason


# --- interrupted and concurrent writes -----------------------------------------------------


def test_a_write_that_fails_part_way_leaves_the_store_exactly_as_it_was(path, monkeypatch):
    before_rows, before_bytes = state(path), path.read_bytes()
    written = []
    real = store_module._figure_row

    def failing(stored):
        written.append(stored.indicator_id)
        if len(written) == 3:
            raise RuntimeError("disk pulled out")
        return real(stored)

    monkeypatch.setattr(store_module, "_figure_row", failing)
    with Store(path) as opened, pytest.raises(RuntimeError, match="disk pulled out"):
        opened.record(
            [figure(f"B{i}", Q1, float(i)) for i in range(5)],
            kind="close",
            why="close",
            close=[Q1],
            run=Run(command="close", outcome="closed"),
        )
    assert written == ["B0", "B1", "B2"]  # two figures, the version, period and run were in
    assert state(path) == before_rows
    assert path.read_bytes() == before_bytes


KILLED = textwrap.dedent(
    """
    import sys, time
    from kpi_excel.core.models import Status
    from kpi_excel.history.store import Figure, Run, Store

    store = Store(sys.argv[1])
    inserts = []

    def watch(statement):
        if statement.startswith("INSERT INTO figures"):
            inserts.append(statement)
            if len(inserts) == 50:
                print("half written", flush=True)
                time.sleep(120)  # killed here, in the middle of the transaction

    store._db.set_trace_callback(watch)
    figures = [Figure(f"K{i}", "2017/18 Q1", Status.AVAILABLE, value=float(i)) for i in range(99)]
    store.record(figures, kind="close", why="close", close=["2017/18 Q1"],
                 run=Run(command="close", outcome="closed"))
    print("finished", flush=True)
    """
)


def test_a_run_killed_mid_write_leaves_the_store_exactly_as_it_was(path):
    before_rows, before_bytes = state(path), path.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "half written"
        assert Path(f"{path}-journal").exists()  # the write is under way
    finally:
        process.kill()
        process.wait(timeout=30)
    assert state(path) == before_rows
    assert path.read_bytes() == before_bytes
    with Store(path) as opened:
        assert opened._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert opened.version == 1


WRITER = textwrap.dedent(
    """
    import sys
    from kpi_excel.core.models import Status
    from kpi_excel.history.store import Figure, Run, Store

    path, name = sys.argv[1], sys.argv[2]
    for n in range(15):
        with Store(path, create=True) as store:
            change = store.record(
                [Figure(f"{name}{n}", "2017/18 Q1", Status.AVAILABLE, value=float(n))],
                kind="correct", why=name, new_in_closed=True,
                run=Run(command="correct", outcome="corrected"),
            )
            assert change.version is not None
    """
)


def test_writers_at_the_same_time_queue_and_leave_the_store_consistent(tmp_path):
    path = tmp_path / "new.sqlite"  # none of them finds it made: all race to create it
    names = ["P", "Q", "R", "S"]
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=ROOT,
                         stderr=subprocess.PIPE, text=True)
        for name in names
    ]  # fmt: skip
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    with Store(path) as opened:
        assert opened._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        versions = opened.versions()
        assert [v.version for v in versions] == list(range(1, 61))
        assert sorted(f.indicator_id for f in opened.figures()) == sorted(
            f"{name}{n}" for name in names for n in range(15)
        )
        runs = opened.runs()
        assert sorted(r.version for r in runs) == list(range(1, 61))
        by_version = {v.version: v.run_id for v in versions}
        assert all(by_version[r.version] == r.run_id for r in runs)


def test_two_closes_of_one_period_at_once_record_it_once(tmp_path):
    store = tmp_path / "history.sqlite"
    command = [sys.executable, "-m", "kpi_excel.cli", "close", str(SAMPLES / "register.xlsx"),
               str(SAMPLES / "returns"), "--period", Q1, "--store", str(store), "-q"]  # fmt: skip
    processes = [
        subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = []
    for process in processes:
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors
        outputs.append(errors)
    assert sum("Closed 2017/18 Q1" in out for out in outputs) == 1
    assert sum("nothing changed" in out for out in outputs) == 1
    with Store(store) as opened:
        assert [v.kind for v in opened.versions()] == ["close"]
        assert len(opened.figures()) == 34
        assert sorted(r.outcome for r in opened.runs()) == ["closed", "no change"]
        assert [p.period for p in opened.closed_periods()] == [Q1]


def test_close_then_correct_through_the_api(tmp_path):
    store = tmp_path / "history.sqlite"
    closing = close_period(SAMPLES / "register.xlsx", [SAMPLES / "returns"], Period.parse(Q1),
                           store=store, by="team")  # fmt: skip
    assert closing.version == 1 and closing.recorded == 34
    fixed = correct_figure(Period.parse(Q1), "CL02", "61.9%", "keyed wrongly", store=store,
                           register=SAMPLES / "register.xlsx", by="A. Analyst")  # fmt: skip
    assert fixed.version == 2 and fixed.previous.value == 60.9 and fixed.figure.value == 61.9
    again = correct_figure(Period.parse(Q1), "CL02", "61.9", "again", store=store)
    assert again.version is None
    with Store(store) as opened:
        [target] = [t for t in opened.targets(indicator_id="CL02") if t.period == Q1]
        assert target.target.value == 80.0 and target.effective_period == Q1
        held = opened.figure("CL02", Q1, as_at=1)
        assert held.target.value == 80.0 and held.source.cell == "H10"
        assert len(held.source.sha256) == 64 and held.source.read_at
