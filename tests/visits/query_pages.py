"""Notes-of-visit pages for the query-count test: each call of an ``args`` function grows the visits too (notes with
actions, responses and promoted points across more schools, and an agreed round), so the counts compare small and
larger data."""

from __future__ import annotations

from schools.models import School
from schools.visits import services
from tests.visits.helpers import action, agree_categories, record, school_person, share, visits_world


def grown(w):
    """The visits world plus, on each call, notes of visit to up to 15 more schools (shared, answered, promoted)
    and an agreed round categorising every school."""
    v = visits_world(w)
    batch = getattr(w, "visit_batches", 0)
    w.visit_batches = batch + 1
    schools = list(School.objects.filter(partnership=w.home).order_by("-pk")[:15])
    for i, school in enumerate(schools):
        visit = record(school, v.officer, days_ago=10 + i, actions=[action(), action("Governors review", "Chair")])
        if i % 3:
            share(visit, v.officer)
        if i % 3 == 2:
            head = school_person(school, email=f"grown-head-{batch}-{school.urn}@example.test")
            services.visit_transition(obj=visit, to="responded", by=head, base_url="/", accurate=bool(i % 2), reply="x")
        if i % 5 == 0:
            services.visit_point_promote(
                visit=visit,
                by=v.officer,
                kind="staffing",
                rating="amber",
                summary="s",
                evidence="e",
                confidential=False,
            )
    # the own school's shared note gets more actions and a promoted point each time
    services.visit_point_promote(
        visit=v.shared, by=v.officer, kind="governance", rating="green", summary="g", evidence="e", confidential=False
    )
    agree_categories(w.home, {s.pk: 1 + s.pk % 4 for s in School.objects.filter(partnership=w.home)})
    return v


VISITS_PAGES = [
    ("visits:list", lambda w: grown(w) and []),
    ("visits:list?state=shared", lambda w: grown(w) and []),
    ("visits:due", lambda w: grown(w) and []),
    ("visits:due?show=all", lambda w: grown(w) and []),
    ("visits:settings", lambda w: grown(w) and []),
    ("visits:school", lambda w: grown(w) and [w.own_school.urn]),
    ("visits:create", lambda w: grown(w) and [w.own_school.urn]),
    ("visits:detail", lambda w: [grown(w).shared.pk]),
    ("visits:edit", lambda w: [grown(w).draft.pk]),
    ("visits:respond", lambda w: [grown(w).shared.pk]),
    ("visits:promote", lambda w: [grown(w).draft.pk]),
    ("visits:action_add", lambda w: [grown(w).draft.pk]),
]
VISITS_OFFICER_ONLY = {
    "visits:list",
    "visits:due",
    "visits:settings",
    "visits:create",
    "visits:edit",
    "visits:promote",
    "visits:action_add",
}
VISITS_SCHOOL_ONLY = {"visits:respond"}
