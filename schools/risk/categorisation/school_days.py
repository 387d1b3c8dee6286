"""School days: Monday to Friday, less England's bank holidays (the ``holidays`` package, pinned).

Term dates differ between local authorities and are not modelled; a reply window that crosses a school holiday
is therefore shorter in school days than it reads. docs/adr/0012-categorisation-rounds.md.
"""

from __future__ import annotations

import datetime as dt

import holidays


def is_school_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays("GB", subdiv="ENG", years=day.year)


def school_days_after(start: dt.date, days: int) -> dt.date:
    """The date ``days`` school days after ``start`` (``start`` itself does not count)."""
    day, counted = start, 0
    while counted < days:  # at most a few weeks of dates: not per-school work
        day += dt.timedelta(days=1)
        counted += is_school_day(day)
    return day
