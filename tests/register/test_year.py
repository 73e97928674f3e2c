"""The year turning over: new-year writes next year's register from this one, every command
keeps to its register's reporting year, and Q1 compares with last year's Q4."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.core.models import HistoryPoint, ReturnRecord, Status
from kpi_excel.core.periods import Period
from kpi_excel.history.files import History
from kpi_excel.register.book import write_register
from kpi_excel.register.loader import load_register
from kpi_excel.register.year import new_year
from kpi_excel.report.build import build_report
from kpi_excel.returns.collect import Collected

REGISTER = SAMPLES / "register.xlsx"


def test_next_years_register_carries_everything_but_the_year(tmp_path) -> None:
    made = new_year(REGISTER, tmp_path / "register-2018-19.xlsx")
    old = load_register(REGISTER)
    assert made.settings.reporting_year == "2018/19"
    assert made.settings.return_deadline is None
    skip = {"reporting_year", "return_deadline", "logo"}
    assert made.settings.model_dump(exclude=skip) == old.settings.model_dump(exclude=skip)
    assert [i.id for i in made.indicators] == [i.id for i in old.indicators]
    for before, after in zip(old.indicators, made.indicators, strict=True):
        assert after.model_dump(exclude={"target_review", "row"}) == before.model_dump(
            exclude={"target_review", "row"}
        )
        assert after.target_review == "carried from 2017/18: review"


def test_keys_words_and_named_keys_are_carried(tmp_path) -> None:
    settings = {
        "rag_key": 'GREEN "Target met": on target; AMBER: within 10%; RED: otherwise',
        "RAG key lenient": "GREEN: within 5%; RED: otherwise",
        "direction_word_better": "Getting better",
        "default_tolerance": "relative 5",
    }
    row = {"id": "A1", "section": "S", "service_area": "X", "name": "N", "polarity": "bigger",
           "unit": "percent", "annual_target": "40 to 60", "rag_key": "lenient",
           "tolerance": "absolute", "tolerance_amount": 2.5, "q2_target": "TBC"}  # fmt: skip
    this = write_register(tmp_path / "this.xlsx", [{**row, "polarity": "range"}], settings)
    made = new_year(this, tmp_path / "next.xlsx")
    old = load_register(this)
    assert made.settings.rag_key == old.settings.rag_key
    assert made.settings.rag_keys == old.settings.rag_keys
    assert made.settings.direction_words["better"] == "Getting better"
    assert made.settings.default_tolerance == old.settings.default_tolerance
    exclude = {"target_review", "row"}
    assert made.indicators[0].model_dump(exclude=exclude) == old.indicators[0].model_dump(
        exclude=exclude
    )


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_every_command_keeps_to_the_registers_year(tmp_path) -> None:
    returns = SAMPLES / "returns"
    for command in (
        ["templates", REGISTER, "--period", "2018/19 Q1", "--out", tmp_path / "t"],
        ["validate", REGISTER, returns, "--period", "Q1 2018/19"],
        ["consolidate", REGISTER, returns, "--period", "2018/19 Q1", "--out", tmp_path / "b.xlsx"],
        ["close", REGISTER, returns, "--period", "2016/17 Q4", "--store", tmp_path / "s.sqlite"],
    ):
        code, said = run(*command)
        assert code == 1, said
        assert "is for 2017/18" in said, said
    code, said = run("templates", REGISTER, "--period", "2018/19 Q1", "--out", tmp_path / "t")
    assert "kpi-excel new-year" in said


def test_new_year_command_names_next_years_register(tmp_path) -> None:
    this = tmp_path / "register.xlsx"
    this.write_bytes(REGISTER.read_bytes())
    code, said = run("new-year", this)
    assert code == 0, said
    assert (tmp_path / "register-2018-19.xlsx").exists()
    assert "34 indicators, 34 with targets to review" in said
    code, said = run("new-year", this)
    assert code == 2 and "already exists" in said


def test_q1_compares_with_last_years_q4_across_registers(tmp_path) -> None:
    made = new_year(REGISTER, tmp_path / "next.xlsx")
    q1 = Period.parse("2018/19 Q1")
    history = History(
        [HistoryPoint(indicator_id="TC02", period="2017/18 Q4", value=90),
         HistoryPoint(indicator_id="TC02", period="2017/18 Q1", value=99)]
    )  # fmt: skip
    record = ReturnRecord(indicator_id="TC02", period=str(q1), status=Status.AVAILABLE, value=93)
    collected = Collected(
        files=[], records={"TC02": record}, rejected_ids=set(), problems=[], log=[]
    )
    row = next(
        r for r in build_report(made, q1, collected, history).rows if r.indicator.id == "TC02"
    )
    assert row.short_term.compared_with is not None
    assert str(row.short_term.compared_with.period) == "2017/18 Q4"
    assert row.short_term.direction.value == "better"
    assert str(row.long_term.compared_with.period) == "2017/18 Q1"
    assert row.long_term.direction.value == "worse"


def test_templates_warn_while_targets_are_marked_for_review(tmp_path) -> None:
    """Templates made from next year's register before its targets are reviewed would send
    officers last year's targets: the team is told which indicators, and how to clear them."""
    from kpi_excel.api import make_templates

    next_year = tmp_path / "register-2018-19.xlsx"
    new_year(REGISTER, next_year)
    heard: list[str] = []
    made = make_templates(
        next_year, Period.parse("2018/19 Q1"), tmp_path / "to-send", on_warning=heard.append
    )
    assert len(made) == 6
    [warning] = [text for text in heard if "target review" in text]
    assert warning.startswith("34 indicators still marked for target review")
    heard.clear()
    make_templates(REGISTER, Period.parse("2017/18 Q1"), tmp_path / "q1", on_warning=heard.append)
    assert not [text for text in heard if "target review" in text]
