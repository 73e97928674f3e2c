"""The data contract between the stages: register, returns, rules, report.

Pydantic models at the boundaries; closed sets are Enums. Every numeric value is held in the
indicator's own unit: a percentage is held as percentage points (83.0 means 83%).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
)

from .periods import Period


@lru_cache(maxsize=1024)
def _period_from_text(text: str) -> Period:
    return Period.parse(text)


def _as_period(value: object) -> Period:
    # Cached: a store of 40,000 indicators gives hundreds of thousands of figures over a few
    # dozen periods; each is parsed once, and the figures share its Period.
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return _period_from_text(value)
    return Period.parse(str(value))  # refused, naming it


# A Period in a model: text such as "2017/18 Q1" is parsed once, at the boundary, and the
# JSON writes it back as that text.
PeriodValue = Annotated[Period, BeforeValidator(_as_period), PlainSerializer(str, return_type=str)]


class Model(BaseModel):
    """BaseModel that does not keep, per instance, the set of fields given to it.

    Pydantic records which fields each instance was given (for exclude_unset), in a set of
    its own: 2.2 KB on an Indicator, more than the rest of it. kpi-excel never asks, so every
    instance of a class shares one set naming all its fields: a board of 40,000 indicators
    holds hundreds of thousands of models. Adding a name that is already in it (as assigning
    a field does) changes nothing, and model_copy copies the set before changing it.
    """

    _all_fields: ClassVar[set[str]] = set()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._all_fields = set(cls.model_fields)

    def model_post_init(self, context: Any, /) -> None:
        object.__setattr__(self, "__pydantic_fields_set__", self._all_fields)


class Polarity(StrEnum):
    BIGGER = "bigger"  # bigger is better
    SMALLER = "smaller"  # smaller is better
    RANGE = "range"  # inside the target range is best
    NONE = "none"  # contextual / data only: reported, never rated


class Unit(StrEnum):
    PERCENT = "percent"
    NUMBER = "number"
    MONEY = "money"


class Basis(StrEnum):
    SNAPSHOT = "snapshot"  # a level at a point in time: annual target applies every quarter
    CUMULATIVE = "cumulative"  # year to date: target profiled from the annual target
    ROLLING = "rolling"  # rolling 12 months
    ANNUAL = "annual"  # one figure a year


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TERMLY = "termly"
    BIANNUAL = "biannual"
    ANNUAL = "annual"


# Which quarters an indicator is due in when the register does not say.
DEFAULT_DUE_QUARTERS: dict[Frequency, tuple[int, ...]] = {
    Frequency.MONTHLY: (1, 2, 3, 4),
    Frequency.QUARTERLY: (1, 2, 3, 4),
    Frequency.TERMLY: (2, 3, 4),
    Frequency.BIANNUAL: (2, 4),
    Frequency.ANNUAL: (4,),
}


class TargetKind(StrEnum):
    VALUE = "value"  # a number
    RANGE = "range"  # low to high, for range polarity
    COMPARATOR = "comparator"  # "better than England (184)"
    TBC = "tbc"  # to be confirmed: not rated
    NONE = "none"  # N/A: no target, not rated
    DERIVE = "derive"  # blank period target: derived from the annual target


class Target(Model):
    model_config = ConfigDict(frozen=True)

    kind: TargetKind
    value: float | None = None
    high: float | None = None  # upper end of a RANGE target; value is the lower end
    label: str | None = None  # comparator wording, e.g. "Better than England"


class ToleranceKind(StrEnum):
    NONE = "none"  # RED or GREEN only
    RELATIVE = "relative"  # amount is a % of the target
    ABSOLUTE = "absolute"  # amount in the indicator's unit (percentage points for %)
    LIMIT = "limit"  # amount is the amber limit value itself


class Tolerance(Model):
    model_config = ConfigDict(frozen=True)

    kind: ToleranceKind = ToleranceKind.NONE
    amount: float | None = None


class Indicator(Model):
    """One row of the indicator register."""

    model_config = ConfigDict(frozen=True)

    id: str
    section: str  # board sub-committee / theme
    service_area: str
    name: str
    description: str = ""
    polarity: Polarity
    unit: Unit = Unit.NUMBER
    decimals: int = Field(default=0, ge=0, le=6)
    # False when the register leaves Decimals blank: figures then show and compare at the
    # precision they were recorded with (decimals is only the templates' and cells' default)
    decimals_given: bool = True
    suffix: str = ""  # printed after the value: "days", "kg per head", "per 100,000"
    basis: Basis = Basis.SNAPSHOT
    frequency: Frequency = Frequency.QUARTERLY
    due_quarters: tuple[int, ...] = ()  # empty: the frequency's default
    annual_target: Target = Target(kind=TargetKind.NONE)
    quarter_targets: tuple[Target, Target, Target, Target] = (
        Target(kind=TargetKind.DERIVE),
        Target(kind=TargetKind.DERIVE),
        Target(kind=TargetKind.DERIVE),
        Target(kind=TargetKind.DERIVE),
    )
    profile: tuple[float, float, float, float] | None = None  # seasonal weights for cumulative
    tolerance: Tolerance | None = None  # None: the settings' default
    uses_fraction: bool = False  # officers give a numerator and a denominator
    min_value: float | None = None  # plausible range; outside it is a warning
    max_value: float | None = None
    definition_changed: str | None = None  # period from which the definition changed
    # a known change to the process: SPC limits are worked out afresh from this period
    process_change: str | None = None
    rag_key: str = ""  # a named key from the Settings sheet; "": the register's key
    target_review: str = ""  # "carried from 2017/18: review", until the team clears it
    row: int | None = None  # register row, for messages

    def due_in(self, quarter: int) -> bool:
        quarters = self.due_quarters or DEFAULT_DUE_QUARTERS[self.frequency]
        return quarter in quarters

    def due_for(self, period: Any) -> bool:
        """Whether a figure is due for the period (a core.periods.Period): every period for a
        year's report; a month only for monthly indicators, or the last month of a quarter
        the indicator is due in (a quarterly figure in a monthly report comes at M03, M06 ...)."""
        if period.quarter is None:
            return True
        if period.month is not None and self.frequency is not Frequency.MONTHLY:
            return period.ends_a_quarter and self.due_in(period.quarter)
        return self.due_in(period.quarter)


class RAG(StrEnum):
    """The states the board colours by; a council's own names for them are a key's band names."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"
    BLUE = "BLUE"  # exceeding target by a margin, or no target, in keys that say so


class BandEdge(StrEnum):
    """How far from the target a band reaches (the shortfall is measured with polarity)."""

    ON_TARGET = "on target"  # shortfall at or below zero
    RELATIVE = "relative"  # shortfall at or below amount % of the target
    ABSOLUTE = "absolute"  # shortfall at or below amount, in the indicator's unit
    AHEAD_RELATIVE = "ahead relative"  # better than target by amount % of it, or more
    AHEAD_ABSOLUTE = "ahead absolute"  # better than target by amount, or more
    TOLERANCE = "tolerance"  # the indicator's own tolerance: relative, absolute or a second target
    OTHERWISE = "otherwise"  # every figure that reaches it
    NO_TARGET = "no target"  # no target, N/A or TBC: rated with this band instead of not rated
    DATA_ONLY = "data only"  # no polarity: rated with this band instead of not rated


class BandCondition(StrEnum):
    """A composite key's second test: the long-term direction of travel (against last year)."""

    ANY = "any"
    IMPROVED = "improved"
    NOT_IMPROVED = "not improved"


class Band(Model):
    """One line of a council's key: its state, its own name for it, its colour and its edge."""

    model_config = ConfigDict(frozen=True)

    state: RAG
    name: str  # the council's words: "On target", "Slightly missed", "Monitor"
    edge: BandEdge
    amount: float | None = None  # for relative, absolute and ahead edges
    when: BandCondition = BandCondition.ANY
    colour: str | None = None  # hex; None: the Settings colour for the state


class RagKey(Model):
    """A council's RAG key: an ordered list of bands, the first that fits a figure wins."""

    model_config = ConfigDict(frozen=True)

    name: str = ""  # "" for the register's default key
    bands: tuple[Band, ...]
    text: str = ""  # as written on the Settings sheet


# The key kpi-excel uses when the register states none: GREEN on or better than target, AMBER
# within the indicator's tolerance (or the Settings default), RED beyond.
TOLERANCE_KEY = RagKey(
    bands=(
        Band(state=RAG.GREEN, name="GREEN", edge=BandEdge.ON_TARGET),
        Band(state=RAG.AMBER, name="AMBER", edge=BandEdge.TOLERANCE),
        Band(state=RAG.RED, name="RED", edge=BandEdge.OTHERWISE),
    ),
    text="GREEN: on target; AMBER: within tolerance; RED: otherwise",
)


class ArrowStyle(StrEnum):
    PERFORMANCE = "performance"  # up = better, whatever the polarity (the example's key)
    MOVEMENT = "movement"  # points the way the value moved, coloured by better/worse


class Direction(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    INCREASE = "increase"  # for indicators with no polarity
    DECREASE = "decrease"


class Standing(StrEnum):
    """How a rating counts in a council's summary: "4 of 6 targetable KPIs achieved target"."""

    TARGETABLE = "targetable"  # rated against a target
    NO_TARGET = "no target"  # data only, no target, TBC, no comparator value
    NOT_DUE = "not due"
    NO_DATA = "no data"  # no return, not available, or a figure with errors


DIRECTION_CODES = tuple(direction.value for direction in Direction)


class Settings(Model):
    """The reporting year's rules, from the register's Settings sheet."""

    model_config = ConfigDict(frozen=True)

    reporting_year: str = "2017/18"
    organisation: str = "Example Council"
    report_title: str = "Corporate Performance Report"
    default_tolerance: Tolerance = Tolerance()
    same_threshold: float = 0.0  # differences at or below this (after rounding) count as same
    cumulative_short_term: bool = True  # compare year-to-date with the previous period anyway
    arrow_style: ArrowStyle = ArrowStyle.PERFORMANCE
    exceptions_include_amber: bool = False
    # When returns are due (core/deadlines.py): a rule relative to the period's end, or a date
    # per period; None is deadlines.DEFAULT_RULE, 15 working days after the period ends.
    return_deadline: str | None = None
    green_label: str = "On or better than target"
    amber_label: str = "Off track but within tolerance"
    red_label: str = "Worse than target"
    green_colour: str = "#C6EFCE"
    amber_colour: str = "#FFEB9C"
    red_colour: str = "#FFC7CE"
    header_colour: str = "#1F4E79"
    logo: str | None = None
    # the council's words for each direction, by its stable code (Direction's values)
    direction_words: dict[str, str] = {code: code for code in DIRECTION_CODES}
    # count a data-only indicator's increase as better and its decrease as worse in summaries
    # ("up / no change / down" councils); else they count as "no arrow"
    count_data_only_moves: bool = False
    # SPC: points in a row on one side of the mean that make a shift (NHS England's v2.6: 6)
    spc_shift_length: int = Field(default=6, ge=6, le=8)
    rag_key: RagKey = TOLERANCE_KEY
    # named keys an indicator may choose instead, in its 'RAG key' column
    rag_keys: dict[str, RagKey] = {}

    def key_for(self, indicator: Indicator) -> RagKey:
        """The indicator's own key when it names one, else the register's."""
        return (
            self.rag_keys.get(indicator.rag_key, self.rag_key)
            if indicator.rag_key
            else self.rag_key
        )

    def word_for(self, direction: Direction | None) -> str:
        """The council's word for a direction ("Getting better"); "" for no arrow."""
        if direction is None:
            return ""
        return self.direction_words.get(direction.value, direction.value)


class Register(Model):
    indicators: list[Indicator]
    settings: Settings = Settings()
    source: str = ""
    fingerprint: str = ""  # sha256 of the register's content, stamped into templates

    # Indicators by service area, built once: the reader asks for every return it reads.
    _areas: tuple[int, int, dict[str, list[Indicator]], list[str]] | None = PrivateAttr(None)

    def by_id(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators}

    def _area_index(self) -> tuple[dict[str, list[Indicator]], list[str]]:
        key = (id(self.indicators), len(self.indicators))
        if self._areas is None or self._areas[:2] != key:
            index: dict[str, list[Indicator]] = {}
            for indicator in self.indicators:
                index.setdefault(indicator.service_area, []).append(indicator)
            self._areas = (*key, index, sorted(index))
        return self._areas[2], self._areas[3]

    def indicators_for(self, service_area: str) -> list[Indicator]:
        """The service area's indicators, in register order."""
        return list(self._area_index()[0].get(service_area, ()))

    def service_areas(self) -> list[str]:
        return list(self._area_index()[1])

    def sections(self) -> list[str]:
        """Board sections in register order."""
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            seen.setdefault(indicator.section, None)
        return list(seen)


class Status(StrEnum):
    AVAILABLE = "available"
    NOT_AVAILABLE = "not available"
    NOT_DUE = "not due"


class Source(Model):
    """Where a figure came from."""

    file: str
    sha256: str = ""
    sheet: str = ""
    cell: str = ""
    template_version: str = ""
    read_at: str = ""

    def as_row(self) -> tuple[str, str, str, str, str, str]:
        """The fields in the order every table of figures gives them (the Data sheet, the
        history store, the history export): file, sha256, sheet, cell, template_version,
        read_at."""
        return (self.file, self.sha256, self.sheet, self.cell, self.template_version, self.read_at)


class ReturnRecord(Model):
    """One indicator's figure for one period, as read from a return and validated."""

    indicator_id: str
    period: PeriodValue
    status: Status
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    provisional: bool = False
    average: bool = False  # an average over the period, printed "(avg.)"
    comment: str = ""
    corrective_action: str = ""
    source: Source | None = None


class Rating(Model):
    rag: RAG | None
    reason: (
        str  # plain English, e.g. "83% against a 95% target, bigger is better, no amber band: RED"
    )
    not_rated: str | None = None  # short label when rag is None: "Target TBC", "Not due"
    standing: Standing = Standing.TARGETABLE  # how it counts in a summary
    # set when the figure as recorded would fall in another band than as shown
    precision_note: str = ""
    band: str = ""  # the council's name for the band the figure fell in: "Slightly missed"
    colour: str | None = None  # the band's own colour when the key gives one


class HistoryPoint(Model):
    """A past figure: value None with a label means a token such as "N/A" or "NEW"."""

    indicator_id: str
    period: PeriodValue
    value: float | None = None
    label: str = ""  # printed beside the value: "(16-17)", "(AY 15-16)"
    token: str | None = None  # "NEW", "N/A" when there is no value
    source: Source | None = None


class Trend(Model):
    direction: Direction | None
    compared_with: HistoryPoint | None = None
    reason: str
    # False when a year-to-date figure is compared with a different length of year
    like_for_like: bool = True
    # set when the figures as recorded would give another arrow than as shown
    precision_note: str = ""


class ResolvedTarget(Model):
    """The period target in force, and how it was arrived at."""

    target: Target
    how: str  # "explicit", "annual target (snapshot)", "profiled 1/4 of annual"


class ReportRow(Model):
    indicator: Indicator
    period_target: ResolvedTarget
    record: ReturnRecord | None
    rating: Rating
    short_term: Trend
    long_term: Trend
    history: list[HistoryPoint] = []  # up to eight recent values, oldest first, for sparklines
    # what an off-target figure lacks for the board: "comment", "corrective action"
    missing_commentary: list[str] = []
    # the XmR chart over the whole history (core.spc.SpcResult), None for year-to-date
    # figures; typed loosely so that models need not import spc, which imports models
    spc: Any = None


class ReturnOutcome(StrEnum):
    RECEIVED = "received"  # read with no errors
    FAILED = "failed"  # read, but errors remain (figures with errors are not used)
    REJECTED = "rejected"  # could not be read at all
    SUPERSEDED = "superseded"  # a newer return for the same service area was used
    MISSING = "missing"  # expected, not received


class ReturnLogEntry(Model):
    """One line of the return log: a file received, or a service area with none."""

    service_area: str
    outcome: ReturnOutcome
    expected: bool = True  # the register has indicators for this service area
    file: str | None = None
    sha256: str = ""
    template_version: str = ""
    errors: int = 0
    warnings: int = 0
    saved: date | None = None  # when the file was last saved (returns/log.saved_on)
    late: bool | None = None  # None: no deadline, or no file


class Report(Model):
    """Everything the board workbook and the JSON output are written from."""

    period: PeriodValue  # a Period; "2017/18 Q1" is read as one, and written as that text
    settings: Settings
    rows: list[ReportRow]  # register order
    problems: list = []  # list[Problem]; typed loosely to keep models free of problems.py
    return_log: list[ReturnLogEntry] = []
    register_fingerprint: str = ""
