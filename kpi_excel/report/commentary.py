"""Words the board needs on a rated figure: a comment when it is off target, an action when RED.

Runs on the rated report, so each figure is rated once, by the rules, and this check reads
the rating rather than working it out again.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.models import RAG, ReportRow, Status
from ..core.problems import Problem, problem
from ..returns.collect import Collected

COMMENT = "comment"
CORRECTIVE_ACTION = "corrective action"


def missing_commentary(row: ReportRow) -> list[str]:
    """What an off-target figure lacks: a comment (AMBER or RED), a corrective action (RED)."""
    record, rag = row.record, row.rating.rag
    if record is None or record.status is not Status.AVAILABLE or rag not in (RAG.RED, RAG.AMBER):
        return []
    missing = [] if record.comment else [COMMENT]
    if rag is RAG.RED and not record.corrective_action:
        missing.append(CORRECTIVE_ACTION)
    return missing


def commentary_problems(rows: list[ReportRow], collected: Collected) -> Iterator[Problem]:
    """A problem for each missing comment or action, at the cell the officer fills in."""
    for row in rows:
        if not row.missing_commentary:
            continue
        owner = collected.file_for(row.indicator.id)
        refs = owner.cells.get(row.indicator.id, {}) if owner else {}
        where = {
            "file": owner.path.name if owner else None,
            "sheet": owner.sheet if owner else None,
            "indicator_id": row.indicator.id,
        }
        if COMMENT in row.missing_commentary:
            rag = row.rating.rag.value if row.rating.rag else ""
            yield problem("comment-missing", cell=refs.get("comment"), detail=rag, **where)
        if CORRECTIVE_ACTION in row.missing_commentary:
            yield problem("action-missing", cell=refs.get("corrective_action"), **where)
