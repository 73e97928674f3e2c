"""Auditing a published report: where its printed arrows disagree with the figures.

A council moving to kpi-excel can check last quarter's hand-made report: a CSV of the arrows
it printed (indicator_id, short_term, long_term; up / down / same / sideways) is compared
with the arrows the rules compute. The example report that started this project printed a
sideways arrow for 33.3% against 48.9% on a bigger-is-better indicator.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..core.models import Report
from ..core.problems import HistoryError, Problem, problem
from ..core.rules import check_published_arrow

PUBLISHED_COLUMNS = ("indicator_id", "short_term", "long_term")


def load_published(path: Path) -> dict[str, tuple[str, str]]:
    """Printed arrows by indicator id: (short term, long term), blank where none was printed."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise HistoryError(
            f"The published arrows file {Path(path).name} cannot be read: "
            f"{getattr(error, 'strerror', None) or error}."
        ) from None
    if rows and not set(PUBLISHED_COLUMNS) <= set(rows[0]):
        raise HistoryError(
            f"The published arrows file {Path(path).name} needs the columns "
            f"{', '.join(PUBLISHED_COLUMNS)}."
        )
    return {
        row["indicator_id"].strip(): (row["short_term"] or "", row["long_term"] or "")
        for row in rows
        if (row.get("indicator_id") or "").strip()
    }


def check_published(
    report: Report, published: dict[str, tuple[str, str]], source: str
) -> list[Problem]:
    """A warning for every printed arrow the figures contradict."""
    found = []
    for row in report.rows:
        printed = published.get(row.indicator.id)
        if printed is None:
            continue
        for term, trend, arrow in (
            ("short-term", row.short_term, printed[0]),
            ("long-term", row.long_term, printed[1]),
        ):
            disagreement = check_published_arrow(trend, arrow)
            if disagreement:
                found.append(
                    problem(
                        "published-arrow-disagrees",
                        file=source,
                        indicator_id=row.indicator.id,
                        value=arrow,
                        detail=f"{term.capitalize()}: {disagreement}.",
                    )
                )
    return found
