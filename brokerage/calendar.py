"""Working days for visit records: the partnership's calendar (weekdays, bank holidays, school holidays)."""

from __future__ import annotations

import datetime as dt

from partnership import calendar

VISIT_RECORD_WORKING_DAYS = 5


def working_days_after(*, partnership_id: int, start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` in the partnership's calendar."""
    return calendar.working_days_after(partnership_id=partnership_id, start=start, days=days)
