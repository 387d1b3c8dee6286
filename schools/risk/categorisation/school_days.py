"""School days: Monday to Friday, less England's bank holidays (the ``holidays`` package, pinned) and the days
the partnership's schools are closed (``SchoolHoliday``: the LA's term dates, entered by officers).

docs/adr/0012-categorisation-rounds.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays

Closure = tuple[dt.date, dt.date]  # first and last day closed, inclusive


def is_school_day(day: dt.date, closures: Iterable[Closure] = ()) -> bool:
    if day.weekday() >= 5 or day in holidays.country_holidays("GB", subdiv="ENG", years=day.year):
        return False
    return not any(first <= day <= last for first, last in closures)


def school_days_after(start: dt.date, days: int, closures: Iterable[Closure] = ()) -> dt.date:
    """The date ``days`` school days after ``start`` (``start`` itself does not count)."""
    closures = list(closures)
    day, counted = start, 0
    while counted < days:  # a few weeks of dates, a few dozen closures: not per-school work
        day += dt.timedelta(days=1)
        counted += is_school_day(day, closures)
    return day
