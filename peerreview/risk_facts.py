"""C9 facts for the risk engine (registered in ``PeerreviewConfig.ready``; risk imports nothing of peer review).

Facts only, never findings, estimates or report text: the date of each school's last review agreed by its
head, and how many of its review actions are overdue, as known on the run's ``today``. Partnerships that hold
no peer review yet get no rows, so C9 stays on officers' intelligence there.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Count, Max, Q

from peerreview.models import Action, Review
from schools.models import School

KIND = "peer_review_facts"


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    return dt.date(year, month + 1, day)


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def peer_review_facts(partnership, today: dt.date, ruleset) -> pd.DataFrame:
    """One row per school of ``partnership`` (``school_id, kind, rating, recorded_on, summary``), dated ``today``."""
    columns = ["school_id", "kind", "rating", "recorded_on", "summary"]
    reviews = Review.objects.filter(partnership=partnership, visit_starts_on__lte=today)
    if not reviews.exists():
        return pd.DataFrame(columns=columns)
    rule = ruleset.intelligence
    months = int(getattr(rule, "c9_no_review_months", 24))
    overdue_limit = int(getattr(rule, "c9_overdue_actions", 3))
    last = dict(
        reviews.filter(report_agreed_on__isnull=False, report_agreed_on__lte=today)
        .values_list("host_id")
        .annotate(last=Max("report_agreed_on"))
    )
    overdue = dict(
        Action.objects.filter(review__partnership=partnership, due_on__lt=today, created_at__date__lte=today)
        .exclude(status=Action.Status.DROPPED)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=today))
        .exclude(review__state=Review.State.CANCELLED)
        .values_list("review__host_id")
        .annotate(n=Count("pk"))
    )
    since = _months_ago(today, months)
    rows = []
    for school_id in School.objects.filter(partnership=partnership).values_list("pk", flat=True):
        agreed = last.get(school_id)
        late = overdue.get(school_id, 0)
        parts, amber = [], False
        if months and (agreed is None or agreed < since):
            amber = True
            seen = f"last agreed {_long(agreed)}" if agreed else "none recorded"
            parts.append(f"no peer review agreed by the school in the last {months} months ({seen})")
        elif agreed is not None:
            parts.append(f"last peer review agreed {_long(agreed)}")
        if overdue_limit and late >= overdue_limit:
            amber = True
        if late:
            parts.append(f"{late} peer-review action{'s' if late != 1 else ''} overdue")
        elif agreed is not None:
            parts.append("no peer-review actions overdue")
        summary = "; ".join(parts) or "no peer review agreed yet"
        rows.append(
            (school_id, KIND, "amber" if amber else "green", pd.Timestamp(today), summary[0].upper() + summary[1:])
        )
    return pd.DataFrame(rows, columns=columns)
