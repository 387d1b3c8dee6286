"""Working days for visit records: the partnership's calendar (weekdays, bank holidays, school holidays)."""

from __future__ import annotations

import datetime as dt

VISIT_RECORD_WORKING_DAYS = 5


def working_days_after(*, partnership_id: int, start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` in the partnership's calendar."""
    # The calendar is moving from the risk app to the partnership (issue #8); read it where it lives.
    try:
        from partnership.calendar import school_closures, school_days_after  # type: ignore[import-not-found]
    except ImportError:
        from schools.risk.categorisation.school_days import school_days_after
        from schools.risk.categorisation.services import school_closures
    return school_days_after(start, days, school_closures(partnership_id=partnership_id, after=start))
