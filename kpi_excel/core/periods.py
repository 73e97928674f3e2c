"""UK financial-year periods: one spelling everywhere, "2017/18 Q1" or "2017/18" for a year.

Q1 is April to June, Q4 is January to March of the following calendar year.
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
    """A financial year (quarter=None) or one quarter of it.

    year is the calendar year the financial year starts in: 2017 for 2017/18.
    """

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        if quarter_first := _QUARTER_FIRST_RE.match(str(text)):
            quarter_text = quarter_first.group(1) or quarter_first.group(2)
            text = f"{quarter_first.group(3)} Q{quarter_text}"
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise PeriodError(
                f"'{text}' is not a period: write the financial year and quarter like "
                "'2017/18 Q1', or the year alone like '2017/18'"
            )
        start = int(match.group(1))
        end = match.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year != start + 1:
            raise PeriodError(
                f"'{text}' is not a financial year: the second year must follow the first, "
                f"as in '{start}/{(start + 1) % 100:02d}'"
            )
        quarter = match.group(3) or match.group(4)
        return cls(start, int(quarter) if quarter else None)

    def sort_key(self, *, year_at_end: bool = True) -> tuple[int, int]:
        """Quarters and years on one scale: a year sorts after its Q4 (its outturn), or before
        its Q1 when it marks where something starts."""
        if self.quarter is not None:
            return self.year, self.quarter
        return self.year, 5 if year_at_end else 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def short_year_label(self) -> str:
        """The form councils print beside comparison values: "16-17"."""
        return f"{self.year % 100:02d}-{(self.year + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.year_label if self.quarter is None else f"{self.year_label} Q{self.quarter}"

    def previous(self) -> Period:
        """The period before: Q1 follows the previous year's Q4; a year follows the year before."""
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.quarter)

    def start_date(self) -> date:
        if self.quarter is None:
            return date(self.year, 4, 1)
        month = 4 + 3 * (self.quarter - 1)
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
