"""Checking a published report: arrows in a council's words and symbols, a RAG column, and
published ratings no single key explains. Run over the samples' Q1 report."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from kpi_excel.api.run import consolidate_returns
from kpi_excel.core.periods import Period
from kpi_excel.report.published import Published, check_published, load_published


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("published") / "board.xlsx"
    outcome = consolidate_returns(
        SAMPLES / "register.xlsx",
        [SAMPLES / "returns"],
        Period.parse("2017/18 Q1"),
        out,
        history=SAMPLES / "history.csv",
    )
    return outcome.report


def found(report, published, settings=None):
    if settings is not None:
        report = report.model_copy(update={"settings": settings})
    return sorted(
        (p.code, p.indicator_id, p.value) for p in check_published(report, published, "p.csv")
    )


# CL16 short term: 33.3% against 48.9%, bigger is better: worse
@pytest.mark.parametrize(
    ("printed", "agrees"),
    [("down", True), ("▼", True), ("Getting worse", True), ("declined", True),
     ("sideways", False), ("No change", False), ("▲", False), ("improved", False)],
)  # fmt: skip
def test_arrows_in_councils_words_and_symbols(report, printed, agrees):
    problems = found(report, {"CL16": Published(printed, "")})
    assert (problems == []) is agrees, problems


def test_the_registers_own_words_are_read(report):
    words = report.settings.direction_words | {"worse": "Gone backwards"}
    settings = report.settings.model_copy(update={"direction_words": words})
    assert found(report, {"CL16": Published("gone backwards", "")}, settings) == []


# TC02: 83% against 95%, RED
@pytest.mark.parametrize(
    ("printed", "agrees"), [("RED", True), ("Red", True), ("r", True), ("GREEN", False)]
)
def test_a_published_rating_the_figures_contradict_is_reported(report, printed, agrees):
    problems = found(report, {"TC02": Published("", "", printed)})
    assert (problems == []) is agrees, problems
    if not agrees:
        assert problems == [("published-rag-disagrees", "TC02", printed)]


def test_an_unknown_rating_word_is_reported_with_the_computed_one(report):
    problems = check_published(report, {"TC02": Published("", "", "Off Track")}, "p.csv")
    assert "not a state or band kpi-excel knows" in problems[0].message
    assert "RED" in problems[0].message


def test_ratings_no_single_key_explains(report):
    # TC02 is 12.6% short of its target and TC04 1.1%: GREEN for the first and RED for the
    # second cannot come from one key of bands
    published = {"TC02": Published("", "", "GREEN"), "TC04": Published("", "", "RED")}
    codes = found(report, published)
    assert ("published-rag-inconsistent", "TC02", "GREEN") in codes
    detail = [
        p.message for p in check_published(report, published, "p.csv")
        if p.code == "published-rag-inconsistent"
    ]  # fmt: skip
    assert "TC02 is 12.6% worse than target" in detail[0] and "TC04 is 1.1% worse" in detail[0]


def test_the_samples_published_ratings_all_agree_and_are_consistent(report):
    published = load_published(SAMPLES / "published-arrows-2017-18-q1.csv")
    assert sum(1 for p in published.values() if p.rag) == 22
    codes = {code for code, _, _ in found(report, published)}
    assert codes == {"published-arrow-disagrees"}
