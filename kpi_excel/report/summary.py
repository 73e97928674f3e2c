"""The counts a council's summary quotes: "4 of 6 targetable KPIs achieved target", "3 of 7
improved". Worked out once here, the way the register's Settings say to count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..core.models import Direction, Model, ReportRow, Settings, Standing, Trend
from ..core.rules import NO_ARROW, arrow_code


class ArrowCounts(Model):
    """Arrows by stable code: better, same, worse, and no arrow (which takes data-only rises
    and falls unless the Settings count them with better and worse)."""

    better: int = 0
    same: int = 0
    worse: int = 0
    no_arrow: int = 0


class SummaryCounts(Model):
    indicators: int = 0
    targetable: int = 0  # rated against a target: due, with a figure, and with a target
    achieved: int = 0  # targetable and GREEN, as the council's key defines GREEN (a green band
    # counts a small shortfall as achieved, as councils who use one count it)
    states: dict[str, int] = {}  # targetable ratings by state: GREEN, AMBER, RED, BLUE
    bands: dict[str, int] = {}  # every rating by the council's band name
    no_target: int = 0  # data only, no target, TBC (including those a key rates BLUE)
    not_due: int = 0
    no_data: int = 0
    short_term: ArrowCounts = ArrowCounts()
    long_term: ArrowCounts = ArrowCounts()


def _arrows(trends: Iterable[Trend], settings: Settings) -> ArrowCounts:
    counted = Counter(arrow_code(trend, settings) for trend in trends)
    return ArrowCounts(
        better=counted["better"],
        same=counted["same"],
        worse=counted["worse"],
        no_arrow=counted[NO_ARROW],
    )


def summarise(rows: list[ReportRow], settings: Settings) -> SummaryCounts:
    """Count the rows the way the Settings say: the board's Summary and the JSON use this."""
    standings = Counter(row.rating.standing for row in rows)
    targetable = [
        row for row in rows if row.rating.standing is Standing.TARGETABLE and row.rating.rag
    ]
    states = Counter(row.rating.rag.value for row in targetable if row.rating.rag is not None)
    bands = Counter(row.rating.band or row.rating.rag.value for row in rows if row.rating.rag)
    return SummaryCounts(
        indicators=len(rows),
        targetable=len(targetable),
        achieved=states["GREEN"],
        states=dict(states),
        bands=dict(bands),
        no_target=standings[Standing.NO_TARGET],
        not_due=standings[Standing.NOT_DUE],
        no_data=standings[Standing.NO_DATA],
        short_term=_arrows((row.short_term for row in rows), settings),
        long_term=_arrows((row.long_term for row in rows), settings),
    )


def summary_sentence(counts: SummaryCounts, settings: Settings) -> str:
    """'4 of 6 targetable indicators achieved target; 3 of 7 compared with last year got
    better (not due: 1, no data: 0, no target: 2).' in the council's word for better."""
    compared = counts.long_term.better + counts.long_term.same + counts.long_term.worse
    better = settings.word_for(Direction.BETTER)
    return (
        f"{counts.achieved} of {counts.targetable} targetable indicators achieved target; "
        f"{counts.long_term.better} of {compared} compared with last year: {better} "
        f"(no target: {counts.no_target}, not due: {counts.not_due}, no data: {counts.no_data})."
    )
