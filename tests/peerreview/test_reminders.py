"""Daily reminders: milestones within a week, overdue actions, a report waiting; each sent once."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from partnership.models import Role
from peerreview.models import Review
from peerreview.reminders import review_reminders_send
from peerreview.tasks import review_reminders_task
from tests.conftest import make_member
from tests.peerreview.helpers import pr_world

S = Review.State


def test_reminders_go_once_to_the_right_people(world, settings):
    w = pr_world(world)
    head = make_member(w, Role.HEADTEACHER)
    today = timezone.localdate()
    w.pr_visit.state = S.PLANNED
    w.pr_visit.visit_starts_on = w.pr_visit.visit_ends_on = today + dt.timedelta(days=3)
    w.pr_visit.save()
    w.pr_action.due_on = today - dt.timedelta(days=1)
    w.pr_action.save()
    waiting = w.pr_review
    waiting.state = S.REPORT_DRAFT
    waiting.state_changed_at = timezone.now() - dt.timedelta(days=6)
    waiting.save()
    mail.outbox.clear()

    sent = review_reminders_send(on=today)
    subjects = sorted(m.subject for m in mail.outbox)
    assert sent == 3, subjects
    assert any("review visit on" in s for s in subjects)
    assert any("report is waiting" in s for s in subjects)
    assert any("1 action(s) overdue" in s for s in subjects)
    visit = next(m for m in mail.outbox if "review visit" in m.subject)
    assert set(visit.to) == {head.user.email, w.lead.user.email}
    overdue = next(m for m in mail.outbox if "overdue" in m.subject)
    assert overdue.to == [head.user.email]
    assert "Daily reading" not in overdue.body  # no review content in email

    assert review_reminders_send(on=today) == 0  # each reminder once
    assert review_reminders_task.apply().get() == 0
    assert settings.CELERY_BEAT_SCHEDULE["peer-review-reminders"]["task"] == review_reminders_task.name
