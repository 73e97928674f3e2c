"""The report: each indicator's figure, rating and arrows for a period, and its JSON form."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.models import (
    Basis,
    HistoryPoint,
    Indicator,
    Rating,
    Register,
    Report,
    ReportRow,
    ResolvedTarget,
    ReturnRecord,
    Standing,
    TargetKind,
    Trend,
)
from ..core.periods import Period
from ..core.problems import Problem, problem
from ..core.rules import rate, trend
from ..core.spc import SpcResult, xmr
from ..core.targets import previous_due_period, resolve_target
from ..history.files import History
from ..register.loader import settings_fingerprint
from ..returns.collect import Collected
from ..returns.log import return_log
from ..xlsx.atomic import write_bytes
from .commentary import commentary_problems, missing_commentary
from .summary import summarise

_NOT_USED = Rating(
    rag=None,
    not_rated="Figure not accepted",
    reason="The return's figure has errors to fix: see the Data quality sheet.",
    standing=Standing.NO_DATA,
)


def build_report(
    register: Register,
    period: Period,
    collected: Collected,
    history: History,
) -> Report:
    """Rate every indicator in register order, once; the rules decide, nothing is copied.

    The missing comments and actions the ratings call for are added to the collected
    returns' problems (and so to their return log counts and feedback copies).
    """
    settings = register.settings
    rows: list[ReportRow] = []
    found: list[Problem] = []  # on the rated figures, added to their returns' problems below
    earlier_figures = _earlier_figures(history, period)
    for indicator in register.indicators:
        record = collected.records.get(indicator.id)
        target = resolve_target(indicator, period)
        previous = history.get(indicator.id, previous_due_period(indicator, period))
        last_year = history.get(indicator.id, period.same_period_last_year())
        short_term = trend(
            indicator, record, previous, settings, term="short", period=period, target=target.target
        )
        long_term = trend(
            indicator, record, last_year, settings, term="long", period=period, target=target.target
        )
        if indicator.id in collected.rejected_ids:
            rating = _NOT_USED
        else:
            # composite keys rate by the direction against last year too
            rating = rate(
                indicator, target, record, settings, period, long_term=long_term.direction
            )
        found += _precision_warnings(indicator, rating, short_term, long_term)
        rows.append(
            ReportRow(
                indicator=indicator,
                period_target=target,
                record=record,
                rating=rating,
                short_term=short_term,
                long_term=long_term,
                history=_series(indicator, record, history, period),
                spc=_spc(
                    indicator,
                    record,
                    earlier_figures.get(indicator.id, []),
                    period,
                    target,
                    settings.spc_shift_length,
                ),
            )
        )
    rows = [row.model_copy(update={"missing_commentary": missing_commentary(row)}) for row in rows]
    found += _retired(register, history, period)
    collected.add_problems([*found, *commentary_problems(rows, collected)])
    return Report(
        period=period,
        settings=settings,
        rows=rows,
        problems=list(collected.problems),
        return_log=return_log(collected, register, period),  # with saved and late
        register_fingerprint=register.fingerprint,
    )


def _retired(register: Register, history: History, period: Period) -> list[Problem]:
    """Indicators with a figure for the period before or a year before that the register no
    longer has: retired, or renamed (which loses their history)."""
    known = {indicator.id for indicator in register.indicators}
    compared = {period.previous(), period.same_period_last_year()}
    gone: dict[str, Period] = {}
    for point in history.points():
        if point.indicator_id not in known and point.period in compared:
            gone.setdefault(point.indicator_id, point.period)
    return [
        problem(
            "indicator-retired", indicator_id=indicator_id, value=indicator_id, detail=str(when)
        )
        for indicator_id, when in gone.items()
    ]


def _precision_warnings(
    indicator: Indicator, rating: Rating, short_term: Trend, long_term: Trend
) -> list[Problem]:
    """A warning wherever the places the register hides decide a rating or an arrow."""
    notes = (
        ("Rating", rating.precision_note),
        ("Short-term arrow", short_term.precision_note),
        ("Long-term arrow", long_term.precision_note),
    )
    return [
        problem("figure-precision-decides", indicator_id=indicator.id, detail=f"{what}: {note}.")
        for what, note in notes
        if note
    ]


def _series(
    indicator: Indicator, record: ReturnRecord | None, history: History, period: Period
) -> list[HistoryPoint]:
    points = [p for p in history.series(indicator.id, period.previous(), 7) if p.value is not None]
    if record is not None and record.value is not None:
        points.append(HistoryPoint(indicator_id=indicator.id, period=period, value=record.value))
    return points


def _earlier_figures(history: History, period: Period) -> dict[str, list[HistoryPoint]]:
    """Every earlier figure of the same kind as period (months for a month, quarters for a
    quarter), by indicator, oldest first: SPC uses the whole history, not the sparkline's 8."""
    found: dict[str, list[HistoryPoint]] = {}
    for point in history.points():  # sorted by indicator, then period
        then = point.period
        same_kind = then.is_month == period.is_month and then.is_year == period.is_year
        if same_kind and then < period and point.value is not None:
            found.setdefault(point.indicator_id, []).append(point)
    return found


def _spc(
    indicator: Indicator,
    record: ReturnRecord | None,
    earlier: list[HistoryPoint],
    period: Period,
    target: ResolvedTarget,
    shift_length: int,
) -> SpcResult | None:
    """The XmR chart of the history and this period's figure. Year-to-date figures restart
    every April, a saw-tooth no chart of one process can read, so they get none."""
    if indicator.basis is Basis.CUMULATIVE:
        return None
    periods = [p.period for p in earlier]
    values = [p.value for p in earlier if p.value is not None]
    if record is not None and record.value is not None:
        periods.append(period)
        values.append(record.value)
    goal = target.target.value if target.target.kind is TargetKind.VALUE else None
    # a changed definition and a process change named in the register are known changes:
    # the limits start again from them, and never on their own
    named = (indicator.definition_changed, indicator.process_change)
    changes = [Period.parse(text) for text in named if text]
    return xmr(
        periods,
        values,
        polarity=indicator.polarity,
        target=goal,
        recalculate_from=changes,
        shift_length=shift_length,
    )


def report_json(report: Report) -> dict:
    """The machine-readable result: one entry per indicator, the problems and the return log."""
    indicators = []
    settings = report.settings
    for row in report.rows:
        record = row.record
        indicators.append(
            {
                "id": row.indicator.id,
                "name": row.indicator.name,
                "section": row.indicator.section,
                "service_area": row.indicator.service_area,
                "unit": row.indicator.unit.value,
                "polarity": row.indicator.polarity.value,
                "period_target": row.period_target.target.model_dump(mode="json"),
                "status": record.status.value if record else None,
                "value": record.value if record else None,
                "provisional": record.provisional if record else False,
                "rag": row.rating.rag.value if row.rating.rag else None,
                "rag_band": row.rating.band or None,  # the council's name for the band
                "standing": row.rating.standing.value,
                "not_rated": row.rating.not_rated,
                "reason": row.rating.reason,
                "short_term": row.short_term.direction.value if row.short_term.direction else None,
                "short_term_words": settings.word_for(row.short_term.direction) or None,
                "short_term_like_for_like": row.short_term.like_for_like,
                "long_term_words": settings.word_for(row.long_term.direction) or None,
                "long_term_like_for_like": row.long_term.like_for_like,
                "short_term_compared_with": _point(row.short_term.compared_with),
                "short_term_reason": row.short_term.reason,
                "long_term": row.long_term.direction.value if row.long_term.direction else None,
                "long_term_compared_with": _point(row.long_term.compared_with),
                "long_term_reason": row.long_term.reason,
                "comment": record.comment if record else "",
                "corrective_action": record.corrective_action if record else "",
                "source": record.source.model_dump(mode="json")
                if record and record.source
                else None,
                "spc": row.spc.model_dump(mode="json") if row.spc is not None else None,
            }
        )
    return {
        "period": str(report.period),
        "register_fingerprint": report.register_fingerprint,
        "settings_fingerprint": settings_fingerprint(report.settings),
        "indicators": indicators,
        "direction_words": settings.direction_words,
        "summary": summarise(report.rows, settings).model_dump(mode="json"),
        "problems": [p.model_dump(mode="json") for p in report.problems],
        "return_log": [entry.model_dump(mode="json") for entry in report.return_log],
    }


def _point(point: HistoryPoint | None) -> dict | None:
    if point is None:
        return None
    return {
        "period": str(point.period),
        "value": point.value,
        "token": point.token,
        "label": point.label,
    }


def write_json(report: Report, path: Path, *, extra: dict | None = None) -> Path:
    """The report as JSON; extra (such as where the history came from) is added at the top."""
    payload = {**report_json(report), **(extra or {})}
    return write_bytes(Path(path), json.dumps(payload, indent=2).encode("utf-8"))
