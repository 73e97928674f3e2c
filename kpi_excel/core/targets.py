"""Which target is in force for a period (domain notes section 2)."""

from __future__ import annotations

from .models import Basis, Indicator, ResolvedTarget, Target, TargetKind
from .periods import Period


def resolve_target(indicator: Indicator, period: Period) -> ResolvedTarget:
    """An explicit period target wins; a blank one is derived from the annual target.

    Cumulative indicators are profiled (linear unless the register gives seasonal weights);
    snapshot, rolling and annual indicators keep the annual target every quarter.
    """
    annual = indicator.annual_target
    if period.quarter is None:
        return ResolvedTarget(target=annual, how="annual target")
    explicit = indicator.quarter_targets[period.quarter - 1]
    # a cumulative quarter target is the total by the quarter's end, so its earlier months
    # are profiled from the annual target instead
    mid_quarter = period.is_month and period.month % 3 != 0
    if indicator.basis is Basis.CUMULATIVE and mid_quarter:
        explicit = Target(kind=TargetKind.DERIVE)
    if explicit.kind is not TargetKind.DERIVE:
        return ResolvedTarget(target=explicit, how=f"Q{period.quarter} target from the register")
    if annual.kind is TargetKind.DERIVE:
        return ResolvedTarget(target=Target(kind=TargetKind.NONE), how="no target set")
    if annual.kind is TargetKind.NONE:
        # the annual column's "No annual target" is not the quarter's words
        return ResolvedTarget(target=Target(kind=TargetKind.NONE), how="no annual target")
    if indicator.basis is not Basis.CUMULATIVE or annual.kind is not TargetKind.VALUE:
        return ResolvedTarget(target=annual, how="annual target applies every quarter")
    weights = indicator.profile or (1.0, 1.0, 1.0, 1.0)
    share = sum(weights[: period.quarter]) / sum(weights)
    if period.is_month:  # the quarter's weight spread evenly over its three months
        months_in = period.month - 3 * (period.quarter - 1)
        share -= weights[period.quarter - 1] * (3 - months_in) / 3 / sum(weights)
    assert annual.value is not None
    value = annual.value * share
    by = f"M{period.month:02d}" if period.is_month else f"Q{period.quarter}"
    how = f"profiled: {share:.0%} of the annual target by {by}" + (
        " (seasonal profile)" if indicator.profile else " (linear)"
    )
    return ResolvedTarget(target=Target(kind=TargetKind.VALUE, value=value), how=how)


def previous_due_period(indicator: Indicator, period: Period) -> Period:
    """The short-term comparison: the last period before this one in which the indicator was
    due. For a biannual indicator at Q4 that is Q2, not the Q3 in which nothing was reported.
    In a monthly report it is the month before."""
    if period.is_month:
        return period.previous()
    candidate = period.previous()
    for _ in range(4):
        if indicator.due_for(candidate):
            return candidate
        candidate = candidate.previous()
    return period.previous()
