"""When a period's returns are due: the register's deadline rule, applied to one period.

The Settings sheet's "Return deadline" may be
- a rule relative to the end of the period: "15 working days after the period ends" (Monday to
  Friday; bank holidays are not known, so give dates where they matter), "20 days after ...";
- a date per period: "Q1: 2017-07-21; Q2: 2017-10-20" (or "2017/18 Q1: 2017-07-21; ..."),
  with the rule for any period not named given as an entry "other: 15 working days after the
  period ends";
- one date (the older form), which is that quarter's deadline only;
- blank: DEFAULT_RULE.
A deadline must fall after the period ends: one that does not is never used (the default rule
is, with a note saying why), so no return is "late" before its period is over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .periods import Period, PeriodError

DEFAULT_RULE = "15 working days after the period ends"
_RELATIVE = re.compile(
    r"^(?P<count>\d{1,3})\s+(?P<working>working\s+)?days?\s+after\s+(?:the\s+)?"
    r"(?:period|quarter|year)\s+(?:ends?|end date)$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OTHER = "other"


@dataclass(frozen=True)
class Deadline:
    due: date
    how: str  # "15 working days after the period ends", "the date given for Q2"
    note: str = ""  # why the register's own deadline was not used, for the performance team


def check_deadline_rule(text: str) -> str:
    """The rule as given, when it can be read; raises ValueError saying what is wrong."""
    _entries(text)
    return text.strip()


def deadline_for(rule: str | None, period: Period) -> Deadline:
    """The period's deadline under the register's rule (None or blank: DEFAULT_RULE)."""
    entries = _entries(rule or DEFAULT_RULE)
    chosen = _choose(entries, period)
    if chosen is None:
        return _relative(DEFAULT_RULE, period)
    key, value = chosen
    if not _DATE.match(value):
        return _relative(value, period)
    due = date.fromisoformat(value)
    if due > period.end_date():
        how = "the date given" + (f" for {key}" if key else "")
        return Deadline(due, how)
    fallback = _relative(DEFAULT_RULE, period)
    note = (
        f"The return deadline {value} in the register's Settings is not after {period} ends "
        f"({_day(period.end_date())}), so the templates use {DEFAULT_RULE} "
        f"({_day(fallback.due)}). Give a rule such as '{DEFAULT_RULE}', or a date per "
        "period ('Q1: 2017-07-21; Q2: 2017-10-20')."
    )
    return Deadline(fallback.due, fallback.how, note)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _entries(text: str) -> list[tuple[str, str]]:
    """(period key, date or relative rule) pairs; the key is "" for a rule for every period."""
    parts = [part.strip() for part in re.split(r"[;\n]", str(text)) if part.strip()]
    if not parts:
        raise ValueError("the return deadline is empty")
    entries = []
    for part in parts:
        key, _, value = part.rpartition(":") if ":" in part else ("", "", part)
        key, value = key.strip(), value.strip()
        if key and key.lower() != OTHER:
            _period_key(key)
        if not (_DATE.match(value) or _RELATIVE.match(value)):
            raise ValueError(
                f"'{value}' is not a date like 2017-07-21 or a rule like '{DEFAULT_RULE}'"
            )
        if _DATE.match(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a real date") from None
        entries.append((OTHER if key.lower() == OTHER else key, value))
    return entries


def _period_key(key: str) -> Period | int:
    """'Q2' (any year) as its quarter number, or a full period such as '2017/18 Q2'."""
    match = re.fullmatch(r"[Qq]([1-4])", key)
    if match:
        return int(match.group(1))
    try:
        return Period.parse(key)
    except PeriodError:
        raise ValueError(f"'{key}' is not a quarter like Q2 or a period like 2017/18 Q2") from None


def _choose(entries: list[tuple[str, str]], period: Period) -> tuple[str, str] | None:
    for key, value in entries:
        if key and key != OTHER:
            meant = _period_key(key)
            if meant == period or (isinstance(meant, int) and meant == period.quarter):
                return key, value
    for key, value in entries:
        if not key:
            return "", value
    for key, value in entries:
        if key == OTHER:
            return "", value
    return None


def _relative(rule: str, period: Period) -> Deadline:
    match = _RELATIVE.match(rule.strip())
    assert match, rule
    count = int(match.group("count"))
    day = period.end_date()
    if match.group("working"):
        left = count
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
    else:
        day += timedelta(days=count)
    return Deadline(day, rule.strip())
