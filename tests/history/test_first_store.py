"""The first quarter: a --store that does not exist yet is said plainly, and the run goes on."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main


def test_a_draft_with_a_store_not_made_yet_runs_with_no_history(tmp_path) -> None:
    store = tmp_path / "history.sqlite"
    out = tmp_path / "board.xlsx"
    args = [str(SAMPLES / "register.xlsx"), str(SAMPLES / "returns"), "--period", "2017/18 Q1"]
    args += ["--store", str(store), "--out", str(out), "--json", str(tmp_path / "board.json")]
    result = CliRunner().invoke(main, ["consolidate", *args])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    assert f"the history store {store} does not exist yet" in result.output
    assert "creates it" in result.output
    assert out.exists() and not store.exists()
    rows = json.loads((tmp_path / "board.json").read_text())["indicators"]
    assert all(row["short_term"] is None for row in rows)


def test_templates_with_a_store_not_made_yet(tmp_path) -> None:
    store = tmp_path / "history.sqlite"
    args = [str(SAMPLES / "register.xlsx"), "--period", "2017/18 Q1", "--store", str(store)]
    result = CliRunner().invoke(main, ["templates", *args, "--out", str(tmp_path / "to-send")])
    assert result.exit_code == 0, result.output
    assert "does not exist yet" in result.output
