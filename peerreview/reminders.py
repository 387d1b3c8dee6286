"""Daily reminders (Celery beat): milestones coming up, actions overdue, a report waiting for the host.

Each reminder is keyed (kind, object, date) in ``ReminderSent``, claimed in the transaction that sends it, so a
rerun the same day, or a retry after a crash, sends nothing twice and loses nothing. Emails carry no review
content: they say what is due and where to sign in.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnership.models import Membership, Role
from peerreview.models import Action, ReminderSent, Review

log = logging.getLogger(__name__)
S = Review.State
MILESTONE_DAYS = 7
REPORT_WAITING_DAYS = 5
MILESTONES = [
    ("data_sharing_on", "data sharing", (S.PLANNED, S.FOCUS_AGREED)),
    ("pre_review_on", "pre-review meeting", (S.PLANNED, S.FOCUS_AGREED, S.PRE_REVIEW)),
    ("visit_starts_on", "review visit", (S.PLANNED, S.FOCUS_AGREED, S.PRE_REVIEW)),
    ("report_due_on", "report", (S.VISIT, S.FINDINGS_AGREED, S.REPORT_DRAFT)),
    ("workshop_on", "improvement workshop", (S.REPORT_AGREED,)),
    ("impact_review_on", "impact review", (S.ACTIONS_LIVE,)),
]


def _heads(review: Review) -> list[str]:
    return list(
        Membership.objects.filter(
            partnership_id=review.partnership_id,
            school_id=review.host_id,
            roles__contains=[Role.HEADTEACHER],
            archived_at__isnull=True,
        ).values_list("user__email", flat=True)
    )


def _send(key: str, subject: str, body: str, to: list[str]) -> int:
    """Send one reminder unless its key is already claimed: the claim and the sending share one transaction, so a
    failure (or a worker killed while it sends) leaves it unclaimed for the next run, and a second run at the same
    moment waits on the key's unique index and then finds it taken."""
    to = sorted(set(filter(None, to)))
    if not to:
        return 0
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key[:120])
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except IntegrityError:
        return 0  # sent already
    except Exception:  # noqa: BLE001 - not claimed, so the next run tries again
        log.exception("peer review reminder not sent: %s", key)
        return 0
    return 1


def review_reminders_send(*, on: dt.date | None = None) -> int:
    """Send today's reminders for every partnership; returns how many emails went."""
    on = on or timezone.localdate()
    sent = 0
    soon = on + dt.timedelta(days=MILESTONE_DAYS)
    reviews = Review.objects.exclude(state__in=[S.CLOSED, S.CANCELLED, S.POSTPONED]).select_related("host")
    for field, label, states in MILESTONES:
        for review in reviews.filter(**{f"{field}__range": (on, soon), "state__in": states}):
            day = getattr(review, field)
            team = list(review.team.filter(removed_at__isnull=True).values_list("user__email", flat=True))
            sent += _send(
                f"milestone:{field}:{review.pk}:{day}",
                f"Peer review of {review.host.name}: {label} on {day:%d %B}",
                f"The {label} for the peer review of {review.host.name} is due on {day:%A %d %B %Y}. "
                "Sign in to the partnership's site to see what is needed.",
                [*_heads(review), *team],
            )
    for review in reviews.filter(
        state=S.REPORT_DRAFT, state_changed_at__date__lte=on - dt.timedelta(days=REPORT_WAITING_DAYS)
    ):
        sent += _send(
            f"report-waiting:{review.pk}:{review.state_changed_at:%Y%m%d}",
            f"Peer review of {review.host.name}: the report is waiting for you",
            "The draft report of your school's peer review is waiting for your factual-accuracy check and "
            "agreement. Sign in to read and agree it.",
            _heads(review),
        )
    overdue = (
        Action.objects.filter(due_on__lt=on)
        .exclude(status__in=[Action.Status.COMPLETED, Action.Status.DROPPED])
        .exclude(review__state=S.CANCELLED)
        .select_related("review__host")
    )
    by_review: dict[int, list[Action]] = {}
    for action in overdue:
        by_review.setdefault(action.review_id, []).append(action)
    week = on.isocalendar()
    for actions in by_review.values():
        review = actions[0].review
        sent += _send(
            f"overdue:{review.pk}:{week.year}-{week.week}",
            f"Peer review of {review.host.name}: {len(actions)} action(s) overdue",
            f"{len(actions)} action(s) from your school's peer review are past their due date. "
            "Sign in to update their status.",
            _heads(review),
        )
    return sent
