"""Auditing a published report: where its printed arrows and ratings disagree with the figures.

A council moving to kpi-excel can check last quarter's hand-made report: a CSV of what it
printed (indicator_id, short_term, long_term, and optionally rag) is compared with what the
rules compute. Arrows may be written in the council's words or symbols (up, "Getting better",
▲, "no change", the register's own words); ratings as GREEN / Green / G or the key's band
names. The example report that started this project printed a sideways arrow for 33.3%
against 48.9% on a bigger-is-better indicator.

A second check needs no key at all: a key of bands rates a bigger shortfall no better than a
smaller one, so two published ratings the other way round (in per cent of target) cannot both
come from one key, unless the key also looks at the direction of travel.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..core.display import round_display
from ..core.models import RAG, Polarity, Report, ReportRow, Settings, TargetKind
from ..core.problems import HistoryError, Problem, problem
from ..core.rules import check_published_arrow, published_arrow_words

PUBLISHED_COLUMNS = ("indicator_id", "short_term", "long_term")
RAG_COLUMN = "rag"  # optional: the rating the report printed


class Published(NamedTuple):
    """What a report printed for one indicator; blank where it printed nothing."""

    short_term: str
    long_term: str
    rag: str = ""


def load_published(path: Path) -> dict[str, Published]:
    """Printed arrows (and ratings, when the file has a rag column) by indicator id."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise HistoryError(
            f"The published report file {Path(path).name} cannot be read: "
            f"{getattr(error, 'strerror', None) or error}."
        ) from None
    if rows and not set(PUBLISHED_COLUMNS) <= {key.strip().lower() for key in rows[0] if key}:
        raise HistoryError(
            f"The published report file {Path(path).name} needs the columns "
            f"{', '.join(PUBLISHED_COLUMNS)} (and {RAG_COLUMN}, if it printed ratings)."
        )
    found = {}
    for row in rows:
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if cells.get("indicator_id"):
            found[cells["indicator_id"]] = Published(
                cells["short_term"], cells["long_term"], cells.get(RAG_COLUMN, "")
            )
    return found


def _rag_words(settings: Settings) -> dict[str, RAG]:
    """GREEN, Green, G, and every band name of the register's keys, to a state."""
    words = {state.value.lower(): state for state in RAG}
    words |= {state.value[0].lower(): state for state in RAG}
    for key in (settings.rag_key, *settings.rag_keys.values()):
        for band in key.bands:
            words.setdefault(band.name.strip().lower(), band.state)
    return words


def _rag_disagreement(row: ReportRow, printed: str, words: dict[str, RAG]) -> str | None:
    meant = words.get(" ".join(printed.lower().split()))
    given = row.rating.rag.value if row.rating.rag else f"not rated ({row.rating.not_rated})"
    if meant is None:
        return f"The published rating '{printed}' is not a state or band kpi-excel knows; " + (
            f"the figures give {given}: {row.rating.reason}"
        )
    if meant is row.rating.rag:
        return None
    return f"The published rating is '{printed}' but the figures give {given}: {row.rating.reason}"


def check_published(report: Report, published: dict[str, Published], source: str) -> list[Problem]:
    """A warning for every printed arrow or rating the figures contradict, and for published
    ratings no single key can explain."""
    found = []
    arrow_words = published_arrow_words(report.settings)
    rag_words = _rag_words(report.settings)
    for row in report.rows:
        printed = published.get(row.indicator.id)
        if printed is None:
            continue
        for term, trend, arrow in (
            ("short-term", row.short_term, printed[0]),
            ("long-term", row.long_term, printed[1]),
        ):
            disagreement = check_published_arrow(trend, arrow, arrow_words)
            if disagreement:
                found.append(
                    _problem("published-arrow-disagrees", source, row, arrow, term, disagreement)
                )
        rag = printed[2] if len(printed) > 2 else ""
        if rag and (disagreement := _rag_disagreement(row, rag, rag_words)):
            found.append(
                _problem("published-rag-disagrees", source, row, rag, "rating", disagreement)
            )
    found += check_consistency(report, published, source)
    return found


def _problem(code: str, source: str, row: ReportRow, value: str, what: str, detail: str) -> Problem:
    return problem(
        code,
        file=source,
        indicator_id=row.indicator.id,
        value=value,
        detail=f"{what[:1].upper()}{what[1:]}: {detail}.",
    )


_ORDER = {RAG.GREEN: 0, RAG.AMBER: 1, RAG.RED: 2}  # BLUE may mean ahead or no target: left out


def shortfall_share(row: ReportRow) -> Decimal | None:
    """How far worse than target the figure is, as a share of the target (at the precision
    shown); None when there is no figure, no single target, or a target of zero."""
    record, target, indicator = row.record, row.period_target.target, row.indicator
    if record is None or record.value is None or target.value is None:
        return None
    if target.kind not in (TargetKind.VALUE, TargetKind.COMPARATOR) or target.value == 0:
        return None
    if indicator.polarity not in (Polarity.BIGGER, Polarity.SMALLER):
        return None
    actual = Decimal(repr(round_display(indicator, record.value)))
    goal = Decimal(repr(round_display(indicator, target.value)))
    gap = goal - actual if indicator.polarity is Polarity.BIGGER else actual - goal
    return max(gap, Decimal(0)) / abs(goal) if goal else None


def check_consistency(
    report: Report, published: dict[str, Published], source: str
) -> list[Problem]:
    """Pairs of published ratings where the bigger shortfall got the better rating."""
    words = _rag_words(report.settings)
    rated = []
    for row in report.rows:
        printed = published.get(row.indicator.id)
        state = (
            words.get(" ".join(printed[2].lower().split()))
            if printed and len(printed) > 2
            else None
        )
        share = shortfall_share(row)
        if state in _ORDER and share is not None:
            rated.append((share, _ORDER[state], row, printed[2]))  # type: ignore[index]
    # equal shortfalls: the worse rating first, so a better one beside it is caught
    rated.sort(key=lambda item: (item[0], -item[1]))
    found = []
    worst_so_far = None  # the worst-rated figure with a smaller or equal shortfall
    for share, order, row, word in rated:
        if worst_so_far is not None and order < worst_so_far[1] and share >= worst_so_far[0]:
            other_share, _, other, other_word = worst_so_far
            found.append(
                problem(
                    "published-rag-inconsistent",
                    file=source,
                    indicator_id=row.indicator.id,
                    value=word,
                    detail=(
                        f"{row.indicator.id} is {_percent(share)} worse than target and printed "
                        f"'{word}', but {other.indicator.id} is {_percent(other_share)} worse "
                        f"and printed '{other_word}': no single key of bands rates both."
                    ),
                )
            )
        if worst_so_far is None or order > worst_so_far[1]:
            worst_so_far = (share, order, row, word)
    return found


def _percent(share: Decimal) -> str:
    return f"{float(share) * 100:.1f}%"
