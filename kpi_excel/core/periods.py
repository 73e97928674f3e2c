"""UK financial-year periods: one spelling everywhere, "2017/18 Q1" or "2017/18" for a year,
"2017/18 M01" for a month.

Q1 is April to June, Q4 is January to March of the following calendar year. M01 is April,
M12 is March of the following calendar year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

_PERIOD_RE = re.compile(
    r"^\s*(?:FY\s*)?(\d{4})\s*[/\-]\s*(\d{2}|\d{4})"
    r"\s*(?:[, ]\s*(?:Q\s*([1-4])|Quarter\s*([1-4])))?\s*$",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(
    r"^\s*(?:FY\s*)?(\d{4})\s*[/\-]\s*(\d{2}|\d{4})\s*[, ]\s*(?:M|Month\s*)(\d{1,2})\s*$",
    re.IGNORECASE,
)
_MONTH_NAME_RE = re.compile(r"^\s*([A-Za-z]{3,9})\.?[\s\-/]*(\d{2}|\d{4})\s*$")
_ISO_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()

# "Q3 2024/25", "Quarter 3 2024-25": the quarter first, as many reports write it
_QUARTER_FIRST_RE = re.compile(
    r"^\s*(?:Q\s*([1-4])|Quarter\s*([1-4]))\s*,?\s*((?:FY\s*)?\d{4}\s*[/\-]\s*\d{2,4})\s*$",
    re.IGNORECASE,
)


class PeriodError(ValueError):
    """A period was spelled in a way kpi-excel does not understand."""


@total_ordering
@dataclass(frozen=True)
class Period:
    """A financial year (quarter=None), one quarter of it, or one month of it.

    year is the calendar year the financial year starts in: 2017 for 2017/18. month counts
    from April (1) to March (12); a month also carries its quarter, so rules that ask which
    quarter a period falls in work for months too.
    """

    year: int
    quarter: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if self.month is not None:
            if not 1 <= self.month <= 12:
                raise PeriodError(f"month {self.month} is not a month: use M01 (April) to M12")
            object.__setattr__(self, "quarter", (self.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        month = _parse_month(str(text))
        if month is not None:
            return month
        if quarter_first := _QUARTER_FIRST_RE.match(str(text)):
            quarter_text = quarter_first.group(1) or quarter_first.group(2)
            text = f"{quarter_first.group(3)} Q{quarter_text}"
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise PeriodError(
                f"'{text}' is not a period: write the financial year and quarter like "
                "'2017/18 Q1', a month like '2017/18 M01' or 'April 2017', "
                "or the year alone like '2017/18'"
            )
        start = _financial_year(text, match.group(1), match.group(2))
        quarter = match.group(3) or match.group(4)
        return cls(start, int(quarter) if quarter else None)

    @classmethod
    def from_calendar_month(cls, year: int, month: int) -> Period:
        """The financial month holding a calendar month: April 2017 is 2017/18 M01."""
        if month >= 4:
            return cls(year, month=month - 3)
        return cls(year - 1, month=month + 9)

    def sort_key(self, *, year_at_end: bool = True) -> tuple[int, int]:
        """Months, quarters and years on one scale: a quarter sorts after its last month, a
        year after its Q4 (its outturn), or before its first month when it marks where
        something starts."""
        if self.month is not None:
            return self.year, 10 * self.month
        if self.quarter is not None:
            return self.year, 30 * self.quarter + 5
        return self.year, 130 if year_at_end else 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def ends_a_quarter(self) -> bool:
        """A quarter, a year, or a month that is the last of its quarter (M03, M06 ...)."""
        return self.month is None or self.month % 3 == 0

    def last_month(self) -> Period:
        """The month a quarter or year ends with (Q1: M03, the year: M12); a month itself."""
        if self.month is not None:
            return self
        return Period(self.year, month=3 * (self.quarter or 4))

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def short_year_label(self) -> str:
        """The form councils print beside comparison values: "16-17"."""
        return f"{self.year % 100:02d}-{(self.year + 1) % 100:02d}"

    @property
    def month_label(self) -> str:
        """The calendar month in words, "Apr 2017", for chart axes; "" for other periods."""
        if self.month is None:
            return ""
        start = self.start_date()
        return f"{MONTH_NAMES[start.month - 1][:3].title()} {start.year}"

    def __str__(self) -> str:
        if self.month is not None:
            return f"{self.year_label} M{self.month:02d}"
        return self.year_label if self.quarter is None else f"{self.year_label} Q{self.quarter}"

    def previous(self) -> Period:
        """The period before: Q1 follows the previous year's Q4, M01 the previous year's M12;
        a year follows the year before."""
        if self.month is not None:
            if self.month == 1:
                return Period(self.year - 1, month=12)
            return Period(self.year, month=self.month - 1)
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        if self.month is not None:
            if self.month == 12:
                return Period(self.year + 1, month=1)
            return Period(self.year, month=self.month + 1)
        if self.quarter is None:
            return Period(self.year + 1)
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def same_period_last_year(self) -> Period:
        if self.month is not None:
            return Period(self.year - 1, month=self.month)
        return Period(self.year - 1, self.quarter)

    def start_date(self) -> date:
        if self.month is not None:
            month = 3 + self.month
        elif self.quarter is not None:
            month = 4 + 3 * (self.quarter - 1)
        else:
            return date(self.year, 4, 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    def end_date(self) -> date:
        following = self.next()
        start = following.start_date()
        return date.fromordinal(start.toordinal() - 1)

    def recent(self, count: int) -> list[Period]:
        """This period and the ones before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return list(reversed(periods))


def _financial_year(text: object, first: str, second: str) -> int:
    start = int(first)
    end_year = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end_year != start + 1:
        raise PeriodError(
            f"'{text}' is not a financial year: the second year must follow the first, "
            f"as in '{start}/{(start + 1) % 100:02d}'"
        )
    return start


def _parse_month(text: str) -> Period | None:
    """A month in any of the spellings people use, or None when text is not a month.

    "2017-04" is April 2017; "2011-12" stays the financial year 2011/12, as it always was.
    """
    match = _MONTH_RE.match(text)
    if match:
        start = _financial_year(text, match.group(1), match.group(2))
        number = int(match.group(3))
        if not 1 <= number <= 12:
            raise PeriodError(
                f"'{text}' is not a month: months run from M01 (April) to M12 (March), "
                f"as in '{start}/{(start + 1) % 100:02d} M01'"
            )
        return Period(start, month=number)
    match = _ISO_MONTH_RE.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and month != (year + 1) % 100:
            return Period.from_calendar_month(year, month)
        return None
    match = _MONTH_NAME_RE.match(text)
    if match:
        name = match.group(1).lower()
        found = [i for i, full in enumerate(MONTH_NAMES, 1) if full.startswith(name)]
        if len(found) == 1:
            digits = match.group(2)
            year = int(digits) if len(digits) == 4 else 2000 + int(digits)
            return Period.from_calendar_month(year, found[0])
    return None
