"""A council's own words for the arrows and its way of counting, from the register's Settings,
read back from the board workbook and the JSON."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

from conftest import SAMPLES
from openpyxl import load_workbook

from kpi_excel.api.run import consolidate_returns
from kpi_excel.core.periods import Period

WORDS = {
    "Word for better": "Getting better",
    "Word for same": "No change",
    "Word for worse": "Getting worse",
    "Word for increase": "up",
    "Word for decrease": "down",
}


def _register_with(tmp_path: Path, extra: dict[str, str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    register = tmp_path / "register.xlsx"
    shutil.copy(SAMPLES / "register.xlsx", register)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(register)
    sheet = book["Settings"]
    rows = {str(sheet.cell(r, 1).value).lower(): r for r in range(1, sheet.max_row + 1)}
    for label, value in extra.items():
        row = rows.get(label.lower(), sheet.max_row + 1)
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, value)
    book.save(register)
    return register


def _run(tmp_path: Path, extra: dict[str, str]) -> tuple[dict, Path]:
    register = _register_with(tmp_path, extra)
    out, json_path = tmp_path / "board.xlsx", tmp_path / "board.json"
    consolidate_returns(
        register,
        [SAMPLES / "returns"],
        Period.parse("2017/18 Q1"),
        out,
        history=SAMPLES / "history.csv",
        json_path=json_path,
    )
    return json.loads(json_path.read_text()), out


def test_the_councils_words_reach_the_json_beside_the_codes_and_the_tables(tmp_path) -> None:
    data, out = _run(tmp_path, WORDS)
    assert data["direction_words"]["better"] == "Getting better"
    pairs = {(row["short_term"], row["short_term_words"]) for row in data["indicators"]}
    assert ("worse", "Getting worse") in pairs and ("better", "Getting better") in pairs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(out)
    shown = {c.value for ws in book for row in ws.iter_rows() for c in row}
    assert "Getting worse" in shown and "Getting better" in shown
    rules = [
        formula
        for ws in book
        for rule_range in ws.conditional_formatting
        for rule in rule_range.rules
        for formula in rule.formula or []
    ]
    assert any('"Getting better"' in formula for formula in rules)
    assert not any('="better"' in formula for formula in rules)
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert any("Getting better" in row and "No change" in row for row in summary)
    key_words = {c.value for row in book["Key"].iter_rows() for c in row}
    assert "▲ Getting better" in key_words and "▼ Getting worse" in key_words


def test_summary_counts_separate_targetable_not_due_and_no_data(tmp_path) -> None:
    data, _ = _run(tmp_path, {})
    summary = data["summary"]
    rows = data["indicators"]
    assert summary["indicators"] == len(rows) == 34
    assert summary["targetable"] == sum(1 for r in rows if r["standing"] == "targetable")
    assert summary["targetable"] == sum(summary["states"].values())
    assert summary["achieved"] == summary["states"].get("GREEN", 0)
    standings = summary["targetable"] + summary["no_target"]
    assert standings + summary["not_due"] + summary["no_data"] == 34
    assert summary["not_due"] == sum(
        1 for r in rows if (r["not_rated"] or "").startswith("Not due")
    )


def test_a_four_state_key_with_blue_reaches_the_board_and_the_json(tmp_path) -> None:
    key = (
        'GREEN "Above target": on target; AMBER "Within tolerance": within 5%; '
        'RED "Below tolerance": otherwise; BLUE "No target": no target'
    )
    data, out = _run(tmp_path, {"RAG key": key})
    by_id = {row["id"]: row for row in data["indicators"]}
    assert (by_id["TC01"]["rag"], by_id["TC01"]["rag_band"]) == ("BLUE", "No target")
    assert by_id["TC01"]["standing"] == "no target"
    assert (by_id["TC04"]["rag"], by_id["TC04"]["rag_band"]) == ("AMBER", "Within tolerance")
    assert "band 'Within tolerance'" in by_id["TC04"]["reason"]
    assert data["summary"]["states"].get("BLUE", 0) == 0  # BLUE here is never targetable
    assert out.exists()
