"""Builders for the risk app's rows in the ``world`` fixture (used by the URL matrix and the query-count tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from partnership.models import Partnership, SchoolHoliday
from schools.models import School
from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun
from schools.risk.services import ruleset_version_active
from tests.factories import UserFactory


def entry(school: School, **fields) -> IntelligenceEntry:
    """An intelligence entry about ``school`` (defaults: amber governance, not confidential), entered on the day
    it is dated (so a categorisation as at a past date knows it) unless ``created_at`` is given."""
    values = {
        "partnership": school.partnership,
        "school": school,
        "kind": IntelligenceEntry.Kind.GOVERNANCE,
        "rating": IntelligenceEntry.Rating.AMBER,
        "recorded_on": dt.date(2025, 3, 1),
        "summary": "Governors have not met since the autumn",
        "evidence": "Clerk's minutes",
        "confidential": False,
    }
    values.update(fields)
    values.setdefault("created_at", timezone.make_aware(dt.datetime.combine(values["recorded_on"], dt.time(12))))
    return IntelligenceEntry.objects.create(**values)


def succeeded_run(partnership: Partnership, *, assess: bool = True) -> RiskRun:
    """A finished run of ``partnership``, with an assessment for every school of it when ``assess``."""
    run = RiskRun.objects.create(
        partnership=partnership,
        ruleset_version=ruleset_version_active(partnership=partnership),
        trigger=RiskRun.Trigger.BUTTON,
        state=RiskRun.State.SUCCEEDED,
        progress=100,
        counts={"schools": 0},
    )
    if assess:
        schools = list(School.objects.filter(partnership=partnership))
        RiskAssessment.objects.bulk_create(
            RiskAssessment(
                run=run,
                school=school,
                proposed_category=1 + school.pk % 4,
                standards_band="ABCD"[school.pk % 4],
                capacity_band="A",
                score=school.pk % 9,
                leading=school.pk % 4 == 0,
                academy_view="",
                indicators={"S1": {"rating": "G", "value": None, "sentence": "fine"}},
                reasons=["a reason"],
            )
            for school in schools
        )
        run.counts = {"schools": len(schools), "category_1": len(schools)}
        run.save(update_fields=["counts"])
    return run


def risk_world(w: SimpleNamespace) -> SimpleNamespace:
    """Risk rows in both partnerships of ``world``, made once: an entry each, and a finished run each."""
    if not hasattr(w, "risk"):
        w.risk = SimpleNamespace(
            entry=entry(w.own_school),
            other_entry=entry(w.other_school),
            run=succeeded_run(w.home, assess=False),
            other_run=succeeded_run(w.other, assess=False),
            holiday=_holiday(w.home),
            other_holiday=_holiday(w.other),
        )
    return w.risk


def _holiday(partnership: Partnership):
    return SchoolHoliday.objects.create(
        partnership=partnership, name="Christmas holiday", starts_on=dt.date(2026, 12, 21), ends_on=dt.date(2027, 1, 1)
    )


def grown_entries(w: SimpleNamespace) -> School:
    """Add one entry about ``w.own_school`` per school in the partnership (up to 60), by several officers."""
    count = min(School.objects.filter(partnership=w.home).count(), 60)
    users = [UserFactory(email=f"recorder{i}@example.test") for i in range(5)]
    IntelligenceEntry.objects.bulk_create(
        IntelligenceEntry(
            partnership=w.home,
            school=w.own_school,
            kind=IntelligenceEntry.Kind.STAFFING,
            rating=IntelligenceEntry.Rating.GREEN,
            recorded_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            summary=f"Staffing note {i}",
            evidence="Visit",
            recorded_by=users[i % len(users)],
        )
        for i in range(count)
    )
    return w.own_school


def grown_runs(w: SimpleNamespace) -> list:
    """Add finished runs requested by different people (the run list has no URL arguments: returns [])."""
    for i in range(3):
        run = succeeded_run(w.home, assess=False)
        run.created_by = UserFactory(email=f"requester{run.pk}-{i}@example.test")
        run.save(update_fields=["created_by"])
    return []


def rounds_world(w: SimpleNamespace) -> SimpleNamespace:
    """Categorisation rounds in both partnerships, made once: a published round (with a reply from the home
    school's head) and an open draft round each, both from finished, assessed runs."""
    if hasattr(w, "rounds"):
        return w.rounds
    from partnership.models import Membership, Role
    from schools.risk.categorisation import services as rounds
    from schools.risk.models import PublicationNotice, SchoolCategory

    officer = UserFactory(email="rounds-officer@example.test")

    def published(partnership: Partnership):
        opened = rounds.categorisation_round_create(
            partnership=partnership, run=succeeded_run(partnership), name="Autumn 2025 categorisation", user=officer
        )
        rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/25/7", user=officer)
        return rounds.categorisation_round_publish(round_=opened, user=officer, base_url="http://testserver/")

    def replied(partnership: Partnership, school: School, round_):
        head = Membership.objects.create(
            user=UserFactory(email=f"replying-head@{partnership.slug}.example.test"),
            partnership=partnership,
            roles=[Role.HEADTEACHER],
            school=school,
        )
        sc = SchoolCategory.objects.get(round=round_, school=school)
        return rounds.category_reply_create(
            school_category=sc, membership=head, text="Our latest self-evaluation shows rapid improvement in reading."
        )

    home_published, other_published = published(w.home), published(w.other)
    PublicationNotice.objects.create(  # an email the mail server refused, so the round page lists it
        round=home_published,
        school=w.own_school,
        email="refused-head@example.test",
        roles="headteacher",
        link="http://testserver/risk/my-school/",
        state=PublicationNotice.State.FAILED,
        attempts=3,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    w.rounds = SimpleNamespace(
        published=home_published,
        other_published=other_published,
        reply=replied(w.home, w.own_school, home_published),
        other_reply=replied(w.other, w.other_school, other_published),
        open=rounds.categorisation_round_create(
            partnership=w.home, run=succeeded_run(w.home), name="Spring 2026 review", user=officer
        ),
        other_open=rounds.categorisation_round_create(
            partnership=w.other, run=succeeded_run(w.other), name="Spring 2026 review", user=officer
        ),
    )
    return w.rounds
