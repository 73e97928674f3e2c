"""The history commands end to end: two sample quarters, closing, correcting, repeatable runs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import warnings

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from openpyxl import load_workbook

from kpi_excel.cli.app import main
from kpi_excel.history.store import Store

REGISTER = str(SAMPLES / "register.xlsx")
Q1, Q2 = "2017/18 Q1", "2017/18 Q2"


def run(*args: object, code: int | None = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if code is not None:
        assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def cells(path) -> dict[str, list[list[object]]]:
    """Every sheet's cell values, as openpyxl reads them back."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines
        workbook = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook}


def data_rows(path) -> dict[str, dict[str, object]]:
    rows = cells(path)["Data"]
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def figures_only(path) -> list[str]:
    with Store(path) as opened:
        return [row for row in opened.dump() if not row.startswith('INSERT INTO "runs"')]


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    """The samples as two quarters: 2016/17 imported, Q1 closed, a Q2 draft."""
    out = tmp_path_factory.mktemp("quarters")
    store = out / "history.sqlite"
    run("import-history", SAMPLES / "history.csv", "--register", REGISTER, "--store", store)
    run("consolidate", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store,
        "--out", out / "q1-draft.xlsx", "--json", out / "q1-draft.json")  # fmt: skip
    run("close", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store, "--by", "team")
    run("consolidate", REGISTER, SAMPLES / "returns-q2", "-p", Q2, "--store", store,
        "--out", out / "q2.xlsx", "--json", out / "q2.json")  # fmt: skip
    return out


def test_q2_arrows_come_from_the_q1_figures_in_the_store(quarters):
    q1 = data_rows(quarters / "q1-draft.xlsx")
    q2 = data_rows(quarters / "q2.xlsx")
    compared = [r for r in q2.values() if r["short_term_compared_period"] == Q1]
    # CL01 (termly) and CL14 (biannual) were not due in Q1: they compare with 2016/17 Q4
    assert sorted(set(q2) - {r["id"] for r in compared}) == ["CL01", "CL14"]
    assert {q2[i]["short_term_compared_period"] for i in ("CL01", "CL14")} == {"2016/17 Q4"}
    for row in compared:
        assert row["short_term_compared_value"] == q1[row["id"]]["value"], row["id"]
    assert q2["TC02"]["short_term_direction"] == "better"  # 88% against 83%
    assert q2["TC05"]["short_term_direction"] == "worse"  # 98.6% against 99.0%
    assert q2["CD01"]["short_term_reason"].startswith("63% now against 51% in 2017/18 Q1")
    arrows = [r for r in compared if r["short_term_direction"]]
    assert len(arrows) >= 20


def test_q2_sparklines_have_the_imported_and_closed_points(quarters):
    trend = {row[0]: row for row in cells(quarters / "q2.xlsx")["Trend data"][1:]}
    assert trend["TC05"][1] == 4  # 2016/17 Q1 and Q4 imported, Q1 closed, Q2
    assert trend["TC05"][2:6] == [89.42, 90.6, 99, 98.6]
    assert trend["CD01"][1] == 3


def test_every_data_row_with_a_figure_names_its_source(quarters):
    for row in data_rows(quarters / "q2.xlsx").values():
        if row["value"] is None:
            continue
        assert row["source_file"].startswith("2017-18-Q2-") and row["source_sheet"] == "Return"
        assert len(row["source_sha256"]) == 64 and row["source_cell"] and row["source_read_at"]


def test_json_carries_read_at_the_settings_fingerprint_and_the_store_version(quarters):
    data = json.loads((quarters / "q2.json").read_text(encoding="utf-8"))
    assert len(data["settings_fingerprint"]) == 16
    assert data["history"] == {
        "store": "history.sqlite",
        "as_at_version": 2,
        "period_closed_at_version": None,
    }
    assert all(i["source"]["read_at"] for i in data["indicators"] if i["value"] is not None)


def test_the_run_log_has_every_run_with_its_fingerprints_and_inputs(quarters):
    log = json.loads(run("runs", "--store", quarters / "history.sqlite", "--json"))
    assert [r["command"] for r in log[:4]] == ["import-history", "consolidate", "close",
                                               "consolidate"]  # fmt: skip
    assert [r["outcome"] for r in log[:4]] == ["imported", "draft", "closed", "draft"]
    assert [r["version"] for r in log[:4]] == [1, None, 2, None]
    close = log[2]
    assert close["period"] == Q1 and close["run_by"] == "team"
    assert len(close["settings_fingerprint"]) == 16 and close["register_fingerprint"]
    assert len(close["inputs"]) == 6
    assert all(len(i["sha256"]) == 64 and i["read_at"] for i in close["inputs"])
    table = run("runs", "--store", quarters / "history.sqlite", "--last", "1")
    assert len(table.strip().splitlines()) == 2


def test_show_history_lists_each_version_with_its_source(quarters):
    shown = run("show-history", "TC05", "--store", quarters / "history.sqlite")
    assert "2016/17 Q1" in shown and "89.42" in shown and "history.csv, row" in shown
    assert "2017-18-Q1-housing-and-customer-services.xlsx, Return" in shown
    data = json.loads(run("show-history", "TC05", "--store", quarters / "history.sqlite",
                          "--json"))  # fmt: skip
    assert [(p["period"], p["version"], p["in_force"]) for p in data] == [
        ("2016/17 Q1", 1, True), ("2016/17 Q4", 1, True), (Q1, 2, True)]  # fmt: skip
    assert data[2]["target"] == {"kind": "value", "value": 96.0, "high": None, "label": None}
    run("show-history", "ZZ99", "--store", quarters / "history.sqlite", code=1)


# --- closing, re-running and correcting ----------------------------------------------------


@pytest.fixture
def copied(tmp_path):
    """The Q1 returns copied, so their modification times can change."""
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    return folder


def test_drafts_change_no_figures(tmp_path, copied):
    store = tmp_path / "history.sqlite"
    run("import-history", SAMPLES / "history.csv", "--register", REGISTER, "--store", store)
    before = figures_only(store)
    for _ in range(2):
        run("consolidate", REGISTER, copied, "-p", Q1, "--store", store, "--out",
            tmp_path / "draft.xlsx", "-q")  # fmt: skip
    assert figures_only(store) == before


def test_a_re_run_of_a_closed_quarter_reproduces_the_board_copy(tmp_path, copied):
    store = tmp_path / "history.sqlite"
    run("import-history", SAMPLES / "history.csv", "--register", REGISTER, "--store", store)
    board = tmp_path / "board.xlsx"
    run("consolidate", REGISTER, copied, "-p", Q1, "--store", store, "--out", board,
        "--json", tmp_path / "board.json", "-q")  # fmt: skip
    run("close", REGISTER, copied, "-p", Q1, "--store", store, "-q")
    # A fresh checkout: git does not keep modification times, which read_at comes from.
    for path in copied.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    again = tmp_path / "again.xlsx"
    run("consolidate", REGISTER, copied, "-p", Q1, "--store", store, "--out", again,
        "--json", tmp_path / "again.json", "-q")  # fmt: skip
    assert cells(again) == cells(board)
    first = json.loads((tmp_path / "board.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert second.pop("history")["period_closed_at_version"] == 2
    first.pop("history")
    assert second == first
    # while a draft, by contrast, takes read_at from the file as it now is
    draft = tmp_path / "draft.xlsx"
    run("consolidate", REGISTER, copied, "-p", Q1, "--history", SAMPLES / "history.csv",
        "--out", draft, "-q")  # fmt: skip
    assert data_rows(draft)["TC02"]["source_read_at"] != data_rows(again)["TC02"]["source_read_at"]


def test_two_runs_on_the_same_inputs_give_the_same_workbook_and_json(tmp_path, quarters):
    store = tmp_path / "history.sqlite"
    shutil.copy(quarters / "history.sqlite", store)
    outputs = []
    for name in ("one", "two"):
        run("consolidate", REGISTER, SAMPLES / "returns-q2", "-p", Q2, "--store", store,
            "--out", tmp_path / f"{name}.xlsx", "--json", tmp_path / f"{name}.json", "-q")  # fmt: skip
        outputs.append(((tmp_path / f"{name}.xlsx").read_bytes(),
                        (tmp_path / f"{name}.json").read_bytes()))  # fmt: skip
    assert outputs[0] == outputs[1]  # byte for byte: no clock, no random order


def test_a_correction_keeps_both_versions_and_as_at_reproduces_either(tmp_path, quarters):
    store = tmp_path / "history.sqlite"
    shutil.copy(quarters / "history.sqlite", store)
    said = run("correct", "--store", store, "--period", Q1, "--id", "CL02", "--value", "61.9",
               "--why", "Return keyed 60.9; the case file says 61.9", "--by", "A. Analyst")  # fmt: skip
    assert "version 3" in said and "was 60.9, version 2" in said
    boards = {}
    for version in (2, 3):
        boards[version] = tmp_path / f"q2-v{version}.xlsx"
        run("consolidate", REGISTER, SAMPLES / "returns-q2", "-p", Q2, "--store", store,
            "--as-at", version, "--out", boards[version], "-q")  # fmt: skip
    assert cells(boards[2]) == cells(quarters / "q2.xlsx")  # as the board first saw it
    assert data_rows(boards[2])["CL02"]["short_term_compared_value"] == 60.9
    assert data_rows(boards[3])["CL02"]["short_term_compared_value"] == 61.9
    q1 = tmp_path / "q1-v3.xlsx"
    run("consolidate", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store,
        "--out", q1, "-q")  # fmt: skip
    corrected = data_rows(q1)["CL02"]
    assert corrected["value"] == 61.9 and corrected["source_file"] == "history.sqlite"
    assert corrected["source_cell"] == "CL02 2017/18 Q1 version 3"
    assert len(corrected["source_sha256"]) == 64
    shown = run("show-history", "CL02", "--store", store)
    assert "A. Analyst" in shown and "the case file says 61.9" in shown
    run("consolidate", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store,
        "--as-at", 9, "--out", q1, "-q", code=1)  # fmt: skip


def test_correct_is_only_for_closed_periods(quarters):
    said = run("correct", "--store", quarters / "history.sqlite", "--period", Q2, "--id",
               "CL02", "--value", "1", "--why", "x", code=1)  # fmt: skip
    assert "2017/18 Q2 is not closed" in said
    said = run("correct", "--register", REGISTER, "--store", quarters / "history.sqlite",
               "--period", Q1, "--id", "NOPE", "--value", "1", "--why", "x", code=2)  # fmt: skip
    assert "no indicator 'NOPE'" in said
    said = run("correct", "--register", REGISTER, "--store", quarters / "history.sqlite",
               "--period", Q1, "--id", "TC01", "--value", "5%", "--why", "x", code=2)  # fmt: skip
    assert "not measured in %" in said


def test_close_refuses_returns_with_errors_and_changes_nothing(tmp_path, fill):
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    bad = fill("Children's Services", {"CL02": {"value": "sixty"}})
    shutil.copy(bad, folder / bad.name)
    store = tmp_path / "history.sqlite"
    said = run("close", REGISTER, folder, "-p", Q1, "--store", store, code=1)
    assert "was not closed" in said and "'sixty'" in said
    assert not store.exists()
    said = run("close", REGISTER, folder, "-p", Q1, "--store", store, "--force", code=1)
    assert "Closed 2017/18 Q1" in said and "33 figures" in said
    with Store(store) as opened:
        assert opened.figure("CL02", Q1) is None and opened.figure("CL03", Q1).value == 60


def test_closing_again_with_a_changed_return_is_refused(tmp_path, fill):
    store = tmp_path / "history.sqlite"
    run("close", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store, "-q")
    before = Store(store).dump()
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns", folder)
    changed = fill("Children's Services", {"CL03": {"value": 61}})
    shutil.copy(changed, folder / changed.name)
    said = run("close", REGISTER, folder, "-p", Q1, "--store", store, code=1)
    assert "closed-period-differs" in said and "2017/18 Q1 is closed with 60 (version 1)" in said
    assert "this gives 61" in said and "kpi-excel correct" in said
    assert Store(store).dump() == before
    out = tmp_path / "board.xlsx"
    said = run("consolidate", REGISTER, folder, "-p", Q1, "--store", store, "--out", out)
    assert "closed-period-differs" in said  # the closed figure is reported, not the return's
    assert data_rows(out)["CL03"]["value"] == 60


# --- import and export ---------------------------------------------------------------------


def test_import_rejects_bad_rows_by_row_number_and_changes_nothing(tmp_path):
    store = tmp_path / "history.sqlite"
    run("import-history", SAMPLES / "history.csv", "--register", REGISTER, "--store", store)
    before = Store(store).dump()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator_id,period,value,label\n"
        "TC02,2015/16 Q4,80,\n"
        "TC02,2015/16 Q3,eighty,\n"
        "TC01,2015/16 Q4,12%,\n"
        "TC02,Q3 2015,80,\n"
        "TC05,2016/17 Q4,91,\n",
        encoding="utf-8",
    )
    said = run("import-history", bad, "--register", REGISTER, "--store", store, code=1)
    assert "has 3 rows to fix" in said
    for row, words in ((3, "'eighty' is not a figure"), (4, "not measured in %"),
                       (5, "'Q3 2015' is not a period")):  # fmt: skip
        assert f"bad.csv, row {row} " in said and words in said
    assert Store(store).dump() == before
    clash = tmp_path / "clash.csv"
    clash.write_text("indicator_id,period,value,label\nTC05,2016/17 Q4,91,\n", encoding="utf-8")
    said = run("import-history", clash, "--register", REGISTER, "--store", store, code=1)
    assert "clash.csv, row 2" in said and "already in the store as 90.6 (version 1)" in said
    assert Store(store).dump() == before


def test_import_of_a_repeated_row_with_another_figure_is_refused(tmp_path):
    twice = tmp_path / "twice.csv"
    twice.write_text("indicator_id,period,value,label\nTC05,2016/17 Q4,91,\nTC05,2016/17 Q4,92,\n",
                     encoding="utf-8")  # fmt: skip
    said = run("import-history", twice, "--register", REGISTER, "--store",
               tmp_path / "h.sqlite", code=1)  # fmt: skip
    assert "twice.csv, row 3" in said and "already on row 2" in said
    assert not (tmp_path / "h.sqlite").exists()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_round_trips_through_import(tmp_path, quarters, suffix):
    exported = tmp_path / f"history.{suffix}"
    said = run("export-history", exported, "--store", quarters / "history.sqlite")
    assert "Wrote 99 figures (as at version 2)" in said
    fresh = tmp_path / "fresh.sqlite"
    run("import-history", exported, "--register", REGISTER, "--store", fresh)
    again = tmp_path / f"again.{suffix}"
    run("export-history", again, "--store", fresh)

    def history_columns(path):
        if suffix == "csv":
            with path.open(encoding="utf-8") as handle:
                return [row[:5] for row in csv.reader(handle)]
        rows = load_workbook(path, read_only=True)["History"].iter_rows(values_only=True)
        return [list(row[:5]) for row in rows]

    first = history_columns(exported)
    assert first == history_columns(again)
    assert first[0] == ["indicator_id", "period", "value", "label", "status"]
    with Store(quarters / "history.sqlite") as one, Store(fresh) as two:
        assert one.history().points() != []
        plain = [
            (p.indicator_id, p.period, p.value, p.token, p.label) for p in one.history().points()
        ]
        assert plain == [
            (p.indicator_id, p.period, p.value, p.token, p.label) for p in two.history().points()
        ]


def test_export_a_range_of_periods(tmp_path, quarters):
    out = tmp_path / "q1.csv"
    run("export-history", out, "--store", quarters / "history.sqlite", "--from", Q1, "--to", Q1)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 34 and {r["period"] for r in rows} == {Q1}
    tc02 = next(r for r in rows if r["indicator_id"] == "TC02")
    assert tc02["value"] == "83" and tc02["target"] == "95" and tc02["recorded_by"] == "team"
    assert tc02["source_file"] == "2017-18-Q1-housing-and-customer-services.xlsx"
    run("export-history", tmp_path / "x.txt", "--store", quarters / "history.sqlite", code=2)


# --- usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["consolidate", REGISTER, str(SAMPLES / "returns"), "-p", Q1, "--history",
         str(SAMPLES / "history.csv"), "--store", str(SAMPLES / "history.csv")],
        ["consolidate", REGISTER, str(SAMPLES / "returns"), "-p", Q1, "--as-at", "1"],
        ["correct", "--period", Q1, "--id", "TC01", "--value", "1"],
        ["runs"],
        ["show-history", "TC01"],
    ],
)  # fmt: skip
def test_usage_mistakes_exit_2(args):
    run(*args, code=2)


def test_a_missing_store_is_not_made_by_a_read(tmp_path):
    said = run("runs", "--store", tmp_path / "nope.sqlite", code=1)
    assert "does not exist" in said and not (tmp_path / "nope.sqlite").exists()


@pytest.mark.parametrize(
    "command", ["close", "correct", "import-history", "export-history", "show-history", "runs"]
)
def test_every_history_command_has_an_example(command):
    text = run(command, "--help")
    assert "Example:" in text and "kpi-excel " + command in text


def test_a_damaged_store_is_a_message_not_an_internal_error(tmp_path):
    """A store whose tables are damaged after it was opened: sqlite's error is reported as a
    history store problem (exit 1), not as a fault in kpi-excel."""
    import sqlite3

    from click.testing import CliRunner

    from kpi_excel.cli.app import main

    store = tmp_path / "history.sqlite"
    result = CliRunner().invoke(
        main,
        [
            "import-history",
            str(SAMPLES / "history.csv"),
            "--register",
            str(SAMPLES / "register.xlsx"),
            "--store",
            str(store),
        ],
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        db.execute("DROP TABLE figures")
    result = CliRunner().invoke(main, ["show-history", "CL02", "--store", str(store)])
    assert result.exit_code == 1, result.output
    assert "history store could not be read" in result.output and "Traceback" not in result.output


def test_templates_take_last_periods_figures_from_the_store(tmp_path):
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from kpi_excel.cli.app import main

    store = tmp_path / "history.sqlite"
    runner = CliRunner()
    assert (
        runner.invoke(
            main,
            [
                "import-history",
                str(SAMPLES / "history.csv"),
                "--register",
                str(SAMPLES / "register.xlsx"),
                "--store",
                str(store),
            ],
        ).exit_code
        == 0
    )
    result = runner.invoke(
        main,
        [
            "templates",
            str(SAMPLES / "register.xlsx"),
            "--period",
            "2017/18 Q1",
            "--store",
            str(store),
            "--out",
            str(tmp_path / "t"),
        ],
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "t" / "2017-18-Q1-adult-social-care.xlsx")["Return"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=9, max_row=10)]
    assert values[0][0] == "IN01" and values[0][5] == 33.3 and values[0][6] == 33.8


def test_a_closed_period_run_with_another_register_says_so(quarters, tmp_path):
    """Each year's rules stay with its register: re-running a closed quarter under a register
    whose targets have changed warns that the ratings follow the register given."""
    store = quarters / "history.sqlite"
    same = run("consolidate", REGISTER, SAMPLES / "returns", "-p", Q1, "--store", store,
               "--out", tmp_path / "same.xlsx", "--quiet", code=None)  # fmt: skip
    assert "closed-under-another-register" not in same
    book = load_workbook(REGISTER)
    sheet = book["Indicators"]
    column = next(c.column for c in sheet[1] if c.value == "Annual target")
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if isinstance(sheet.cell(r, column).value, int | float)
    )
    sheet.cell(row, column).value += 1  # one target changed since the quarter was closed
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    said = run("consolidate", changed, SAMPLES / "returns", "-p", Q1, "--store", store,
               "--out", tmp_path / "changed-board.xlsx", code=None)  # fmt: skip
    assert "closed-under-another-register" in said and "2017/18 Q1 was closed with" in said
