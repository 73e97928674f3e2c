"""Reports for the web edition's tests: the samples, and the samples with hostile text (import the
fixtures into a test module to use them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_excel.api import consolidate_returns
from kpi_excel.core.models import Report
from kpi_excel.core.periods import Period

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SCRIPT = "<script>alert(1)</script>"
MARKUP = '<b>bold</b><img src=x onerror="alert(2)"><a href="javascript:alert(3)">link</a>'
HOSTILE_NAME = f"Hostile {SCRIPT} name {MARKUP}"
HOSTILE_COMMENT = f"Hostile comment {SCRIPT} & {MARKUP} \" ' </td></tr></table>"
HOSTILE_SECTION = f"Section {SCRIPT} </svg><a href=x>"


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    out = tmp_path_factory.mktemp("web-samples")
    outcome = consolidate_returns(
        SAMPLES / "register.xlsx",
        [SAMPLES / "returns"],
        Period.parse("2017/18 Q1"),
        out / "board.xlsx",
        history=SAMPLES / "history.csv",
    )
    return outcome.report


def with_hostile_text(report: Report) -> Report:
    """The report with markup and script in its first rated row's indicator name, comment and
    sub-committee (which reaches the contents, the summary, the chart and a caption)."""
    rows = list(report.rows)
    at = next(i for i, row in enumerate(rows) if row.record is not None and row.rating.rag)
    row = rows[at]
    assert row.record is not None
    rows[at] = row.model_copy(
        update={
            "indicator": row.indicator.model_copy(
                update={"name": HOSTILE_NAME, "section": HOSTILE_SECTION}
            ),
            "record": row.record.model_copy(update={"comment": HOSTILE_COMMENT}),
        }
    )
    return report.model_copy(update={"rows": rows})


@pytest.fixture(scope="session")
def hostile_report(sample_report: Report) -> Report:
    return with_hostile_text(sample_report)
