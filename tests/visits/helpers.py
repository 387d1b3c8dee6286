"""A small notes-of-visit world on top of the shared ``world`` fixture (made once per test, on demand)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from partnership.models import Membership, Role
from schools.risk.models import CategorisationRound, RiskAssessment, SchoolCategory
from schools.visits import services
from schools.visits.models import Visit
from tests import factories as f
from tests.risk.helpers import succeeded_run


def officer_of(partnership, *, email: str | None = None) -> Membership:
    """An officer membership (a fresh user) of ``partnership``."""
    user = f.UserFactory(email=email or f"visit-officer-{partnership.slug}@example.test")
    membership, _ = Membership.objects.get_or_create(
        user=user, partnership=partnership, defaults={"roles": [Role.OFFICER]}
    )
    return membership


def school_person(school, role: str = Role.HEADTEACHER, *, email: str | None = None) -> Membership:
    """A head (or chair) of ``school``."""
    user = f.UserFactory(email=email or f"{role}-{school.urn}@example.test")
    membership, _ = Membership.objects.get_or_create(
        user=user, partnership=school.partnership, defaults={"roles": [role], "school": school}
    )
    return membership


def record(school, by: Membership, *, days_ago: int = 3, actions=(), **changes) -> Visit:
    """A draft note of visit to ``school`` by ``by``."""
    fields = {
        "visited_on": timezone.localdate() - dt.timedelta(days=days_ago),
        "purpose": Visit.Purpose.LINK,
        "focus": "Reading in key stage 1",
        "attendees": "Headteacher\nChair of governors\nLA link adviser",
        "notes": "Phonics teaching is consistent in Reception; Year 1 groups are too large.",
        **changes,
    }
    return services.visit_create(school=school, by=by, actions=list(actions), **fields)


def action(text: str = "Review Year 1 phonics groupings", owner: str = "Headteacher", days: int = 30):
    return services.ActionData(text, owner, timezone.localdate() + dt.timedelta(days=days))


def share(visit: Visit, by: Membership) -> Visit:
    return services.visit_transition(obj=visit, to=Visit.State.SHARED, by=by, base_url="http://testserver/")


def agree_categories(
    partnership, categories: dict[int, int], *, agreed_on: dt.date | None = None
) -> CategorisationRound:
    """An agreed (published) round of ``partnership`` placing each school id in its category (written directly:
    the rounds' workflow is tested in tests/risk)."""
    run = succeeded_run(partnership)
    round_ = CategorisationRound.objects.create(
        partnership=partnership,
        name="Test round",
        run=run,
        state=CategorisationRound.State.PUBLISHED,  # published: any number of them may exist
        agreed_on=agreed_on or timezone.localdate(),
        published_at=timezone.now(),
    )
    assessments = {a.school_id: a for a in RiskAssessment.objects.filter(run=run)}
    SchoolCategory.objects.bulk_create(
        SchoolCategory(round=round_, school_id=sid, assessment=assessments[sid], proposed_category=cat, category=cat)
        for sid, cat in categories.items()
    )
    return round_


def visits_world(w) -> SimpleNamespace:
    """In ``home``: a shared note and a draft note of the own school, a shared note of another school; in
    ``other``: a shared note. The officer is a fresh user (not the matrix's)."""
    if hasattr(w, "visits"):
        return w.visits
    officer = officer_of(w.home)
    other_officer = officer_of(w.other)
    shared = share(record(w.own_school, officer, actions=[action()]), officer)
    draft = record(w.own_school, officer, days_ago=1, actions=[action("Share the reading plan", "LA officer")])
    elsewhere = share(record(w.cluster_school, officer), officer)
    other = share(record(w.other_school, other_officer), other_officer)
    other_draft = record(w.other_school, other_officer, actions=[action()])
    w.visits = SimpleNamespace(
        officer=officer,
        shared=shared,
        draft=draft,
        elsewhere=elsewhere,
        other=other,
        other_draft=other_draft,
        draft_action=draft.actions.get(),
        other_action=other_draft.actions.get(),
    )
    return w.visits
