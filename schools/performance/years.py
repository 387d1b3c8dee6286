"""Academic years as people write them ("2018-2019") and as the data stores them (the ending year, 2019)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

FIRST_YEAR = 1990
LAST_YEAR = 2100
_LABEL = re.compile(r"(\d{4})-(\d{4})")
YEAR_MESSAGE = "Enter the academic year as two consecutive years, like 2018-2019"


def academic_year_parse(label: str) -> int:
    """``"2018-2019"`` → 2019 (the ending year); ValidationError unless two consecutive years in range."""
    match = _LABEL.fullmatch((label or "").strip())
    if not match:
        raise ValidationError(YEAR_MESSAGE)
    start, end = int(match.group(1)), int(match.group(2))
    if end != start + 1 or not FIRST_YEAR < end <= LAST_YEAR:
        raise ValidationError(YEAR_MESSAGE)
    return end


def academic_year_label(year: int) -> str:
    """2019 → ``"2018-2019"``."""
    return f"{year - 1}-{year}"
