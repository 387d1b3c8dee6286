"""The partnership's calendar: which days are school days, and the school holidays officers enter.

A school day is Monday to Friday, not one of England's bank holidays (the ``holidays`` package, pinned) and not
in one of the partnership's ``SchoolHoliday`` closures (the LA's term breaks and INSET days). Categorisation
rounds count reply windows with it (docs/adr/0012); brokerage counts visit-record deadlines with it.

Reads: ``is_school_day``, ``school_days_after`` (pure: dates and closures in, a date out), ``school_closures``
and ``working_days_after`` (the partnership's own closures). Writes: ``school_holiday_create``,
``school_holiday_delete``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnership.models import Partnership, SchoolHoliday, User

Closure = tuple[dt.date, dt.date]  # first and last day closed, inclusive
HOLIDAY_MAX_DAYS = 70  # longer than any school holiday (the summer is about six weeks)


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


def school_closures(*, partnership_id: int, after: dt.date | None = None) -> list[Closure]:
    """The partnership's school holidays ending on or after ``after`` (today), as (first, last) day pairs."""
    after = after or timezone.localdate()
    return list(
        SchoolHoliday.objects.filter(partnership_id=partnership_id, ends_on__gte=after)
        .order_by("starts_on")
        .values_list("starts_on", "ends_on")
    )


def working_days_after(*, partnership_id: int, start: dt.date, days: int) -> dt.date:
    """The date ``days`` school days after ``start`` in the partnership's calendar (one query)."""
    return school_days_after(start, days, school_closures(partnership_id=partnership_id, after=start))


@transaction.atomic
def school_holiday_create(
    *, partnership: Partnership, name: str, starts_on: dt.date, ends_on: dt.date, user: User
) -> SchoolHoliday:
    """Record days the partnership's schools are closed; refused with a message when the dates are wrong."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name, like “Christmas holiday”"})
    if any(not ch.isprintable() for ch in name):
        raise ValidationError({"name": "Name must contain only letters, numbers, spaces and punctuation"})
    if len(name) > 80:
        raise ValidationError({"name": "Name must be 80 characters or fewer"})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day must be the same as or after the first day"})
    if (ends_on - starts_on).days + 1 > HOLIDAY_MAX_DAYS:
        raise ValidationError({"ends_on": f"A holiday must be {HOLIDAY_MAX_DAYS} days or shorter"})
    today = timezone.localdate()
    if not (today.replace(year=today.year - 2, day=1) <= starts_on <= today.replace(year=today.year + 3, day=1)):
        raise ValidationError({"starts_on": "The first day must be within two years before or three years after today"})
    Partnership.objects.select_for_update(no_key=True).filter(pk=partnership.pk).first()  # one writer at a time
    clash = (
        SchoolHoliday.objects.filter(partnership=partnership, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash:
        dates = f"{clash.starts_on:%-d %B %Y} to {clash.ends_on:%-d %B %Y}"
        raise ValidationError({"starts_on": f"These dates overlap {clash.name} ({dates})"})
    return SchoolHoliday.objects.create(
        partnership=partnership, name=name, starts_on=starts_on, ends_on=ends_on, created_by=user, modified_by=user
    )


def school_holiday_delete(*, holiday: SchoolHoliday) -> None:
    """Remove a holiday entered by mistake (reply deadlines already set are kept)."""
    holiday.delete()
