"""#14.11 Categories change between rounds: in-year reviews of one school after an event, the termly review of
categories 3–4, and "current category" read per school wherever categories are shown (docs/adr/0024)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partnership.models import Membership, Role
from schools.models import Inspection, School, SchoolChange
from schools.risk.categorisation import selectors
from schools.risk.categorisation import services as rounds
from schools.risk.categorisation.triggers import review_suggestions
from schools.risk.models import CategorisationRound, CategoryDecision, SchoolCategory
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.risk.helpers import entry, succeeded_run

Kind, Trigger = CategorisationRound.Kind, CategorisationRound.Trigger
RATIONALE = "The new inspection found leadership much weaker than last year."
TODAY = dt.date.today()


@pytest.fixture
def officer(world):
    return UserFactory(email="in-year-officer@example.test")


@pytest.fixture
def panel(world):
    return UserFactory(email="panel-officer@example.test")


def set_category(round_, school, category: int) -> None:
    SchoolCategory.objects.filter(round=round_, school=school).update(proposed_category=category, category=category)


def publish(round_, user, *, days_ago: int = 0):
    """Agree and publish ``round_``; its opening is moved ``days_ago`` back (events after it are new)."""
    if days_ago:
        opened = timezone.now() - dt.timedelta(days=days_ago)
        CategorisationRound.objects.filter(pk=round_.pk).update(created_at=opened)
        round_.refresh_from_db()
    rounds.categorisation_round_agree(
        round_=round_, agreed_on=timezone.localdate(round_.created_at), minute="SB/1", user=user
    )
    return rounds.categorisation_round_publish(round_=round_, user=user, base_url="http://t/")


@pytest.fixture
def annual(world, officer):
    """A published annual round of every home school: the own school at 2, the cluster school at 3, the
    outside school at 4, the rest at 1; opened 30 days ago."""
    SchoolFactory.create_batch(3, partnership=world.home)
    round_ = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn 2026", user=officer
    )
    SchoolCategory.objects.filter(round=round_).update(proposed_category=1, category=1)
    set_category(round_, world.own_school, 2)
    set_category(round_, world.cluster_school, 3)
    set_category(round_, world.outside_school, 4)
    return publish(round_, officer, days_ago=30)


def current(world, **kwargs) -> dict[int, tuple[int, int]]:
    return {
        sc.school_id: (sc.category, sc.round_id)
        for sc in selectors.current_categories(partnership_id=world.home.pk, **kwargs)
    }


# ---------------------------------------------------------------------------------------------- in-year reviews


def test_an_in_year_review_covers_one_school_through_the_same_steps_and_sets_only_its_category(
    world, annual, officer, panel
):
    review = rounds.in_year_review_open(
        partnership=world.home,
        school=world.own_school,
        trigger=Trigger.INSPECTION,
        trigger_on=TODAY - dt.timedelta(days=3),
        note="",
        user=officer,
    )
    assert review.kind == Kind.IN_YEAR and review.school == world.own_school
    rows = SchoolCategory.objects.filter(round=review)
    assert [r.school_id for r in rows] == [world.own_school.pk]
    row = rows.get()
    assert row.previous_category == 2  # the current published category, kept beside the proposal
    assert "inspection" not in review.name.lower()  # the name reaches the school; the trigger may be confidential
    assert review.kind_text.startswith("In-year review: new inspection on ")
    # the same adjustment, panel and publication steps
    set_category(review, world.own_school, 2)
    row = rounds.school_category_adjust(
        school_category=SchoolCategory.objects.get(pk=row.pk),
        category=4,
        reason="inspection",
        rationale=RATIONALE,
        user=officer,
    )
    assert row.status == SchoolCategory.Status.REFERRED
    rounds.school_category_moderate(school_category=row, category=4, rationale=RATIONALE, meeting_on=TODAY, user=panel)
    before = current(world)
    assert before[world.own_school.pk] == (2, annual.pk)  # not agreed yet: the annual round's category stands
    rounds.categorisation_round_agree(round_=review, agreed_on=TODAY, minute="Panel/9", user=panel)
    rounds.categorisation_round_publish(round_=review, user=panel, base_url="http://t/")
    after = current(world)
    assert after[world.own_school.pk] == (4, review.pk)
    assert after[world.cluster_school.pk] == (3, annual.pk) and after[world.outside_school.pk] == (4, annual.pk)
    assert {k: v for k, v in after.items() if k != world.own_school.pk} == {
        k: v for k, v in before.items() if k != world.own_school.pk
    }
    published = current(world, published_only=True)
    assert published[world.own_school.pk] == (4, review.pk)
    steps = list(row.decisions.values_list("step", flat=True))
    assert steps == ["proposed", "referred", "moderated", "agreed", "published"]


def test_never_two_open_reviews_cover_one_school(world, annual, officer):
    review = rounds.in_year_review_open(
        partnership=world.home,
        school=world.own_school,
        trigger=Trigger.HEAD_CHANGE,
        trigger_on=None,
        note="",
        user=officer,
    )
    with pytest.raises(ValidationError, match="already in In-year review of Own Primary School"):
        rounds.in_year_review_open(
            partnership=world.home,
            school=world.own_school,
            trigger=Trigger.SAFEGUARDING,
            trigger_on=None,
            note="",
            user=officer,
        )
    # another school's in-year review may run alongside
    rounds.in_year_review_open(
        partnership=world.home,
        school=world.cluster_school,
        trigger=Trigger.COMPLAINT,
        trigger_on=None,
        note="",
        user=officer,
    )
    # an annual round opened meanwhile leaves out the schools under review
    autumn = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Spring 2027", user=officer
    )
    covered = set(SchoolCategory.objects.filter(round=autumn).values_list("school_id", flat=True))
    assert world.own_school.pk not in covered and world.cluster_school.pk not in covered
    assert world.outside_school.pk in covered
    # ... and a school in it cannot be reviewed in-year until it is published
    with pytest.raises(ValidationError, match="already in Spring 2027"):
        rounds.in_year_review_open(
            partnership=world.home,
            school=world.outside_school,
            trigger=Trigger.INSPECTION,
            trigger_on=None,
            note="",
            user=officer,
        )
    # one open annual or termly round at a time, even past the service
    with pytest.raises(ValidationError, match=r"already open \(Spring 2027\)"):
        rounds.termly_review_create(partnership=world.home, run=autumn.run, name="Termly", user=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategorisationRound.objects.create(partnership=world.home, name="x", run=autumn.run, kind=Kind.TERMLY)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategorisationRound.objects.create(
            partnership=world.home, name="y", run=autumn.run, kind=Kind.IN_YEAR, school=world.own_school
        )
    assert review.state == CategorisationRound.State.DRAFT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"trigger": "rumour"}, "Select what happened"),
        ({"trigger": "other", "note": "short"}, "at least 20 characters"),
        ({"note": "x" * 301}, "300 characters or fewer"),
        ({"trigger_on": TODAY + dt.timedelta(days=1)}, "today or in the past"),
    ],
)
def test_a_bad_in_year_review_is_refused_and_opens_nothing(world, annual, officer, changes, message):
    values = {"trigger": Trigger.INSPECTION, "trigger_on": None, "note": ""} | changes
    with pytest.raises(ValidationError, match=message):
        rounds.in_year_review_open(partnership=world.home, school=world.own_school, user=officer, **values)
    with pytest.raises(ValidationError, match="school in this partnership"):
        rounds.in_year_review_open(
            partnership=world.home,
            school=world.other_school,
            trigger=Trigger.INSPECTION,
            trigger_on=None,
            note="",
            user=officer,
        )
    assert not CategorisationRound.objects.filter(kind=Kind.IN_YEAR).exists()


# ---------------------------------------------------------------------------------------------- termly review


def test_the_termly_review_covers_only_schools_whose_published_category_is_3_or_4(world, annual, officer):
    # a school moved to 3 by a published in-year review is in scope; one only agreed (not published) is not
    review = rounds.in_year_review_open(
        partnership=world.home,
        school=world.own_school,
        trigger=Trigger.INSPECTION,
        trigger_on=None,
        note="",
        user=officer,
    )
    set_category(review, world.own_school, 3)
    publish(review, officer)
    termly = rounds.termly_review_create(
        partnership=world.home, run=succeeded_run(world.home), name="Spring term review", user=officer
    )
    covered = dict(SchoolCategory.objects.filter(round=termly).values_list("school_id", "previous_category"))
    assert covered == {world.own_school.pk: 3, world.cluster_school.pk: 3, world.outside_school.pk: 4}
    assert termly.kind == Kind.TERMLY
    SchoolCategory.objects.filter(round=termly).update(category=2, proposed_category=2)
    publish(termly, officer)
    now = current(world, published_only=True)
    assert {pk for pk, (c, r) in now.items() if r == termly.pk} == set(covered)
    assert all(c == 1 for pk, (c, r) in now.items() if pk not in covered)  # the annual round's, untouched
    # nothing at 3 or 4 now: a termly review has nothing to review
    assert not [v for v in now.values() if v[0] >= 3], (now, termly.pk, annual.pk, review.pk)
    with pytest.raises(ValidationError, match="nothing to review"):
        rounds.termly_review_create(partnership=world.home, run=termly.run, name="Summer", user=officer)


# ---------------------------------------------------------------------------------------------- suggestions


def test_an_event_after_the_last_round_suggests_a_review_until_one_is_opened(world, annual, officer):
    assert review_suggestions(partnership_id=world.home.pk) == []
    day = TODAY - dt.timedelta(days=5)
    Inspection.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        inspection_number="10001",
        framework=Inspection.Framework.OEIF,
        start_date=day - dt.timedelta(days=20),
        publication_date=day,
        overall=3,
    )
    Inspection.objects.create(  # a predecessor's inspection filed under this URN is context only
        partnership=world.home,
        school=world.cluster_school,
        urn=world.cluster_school.urn,
        inspection_number="10002",
        framework=Inspection.Framework.OEIF,
        start_date=day,
        publication_date=day,
        overall=4,
        relates_to_current_urn=False,
    )
    Inspection.objects.create(  # before the round was opened: already known
        partnership=world.home,
        school=world.outside_school,
        urn=world.outside_school.urn,
        inspection_number="1",
        framework=Inspection.Framework.OEIF,
        start_date=TODAY - dt.timedelta(days=90),
        publication_date=TODAY - dt.timedelta(days=60),
        overall=4,
    )
    entry(world.outside_school, kind="safeguarding", rating="red", recorded_on=TODAY - dt.timedelta(days=2))
    entry(world.isolated_school, kind="complaints", rating="green", recorded_on=TODAY - dt.timedelta(days=2))
    recorded = TODAY - dt.timedelta(days=1)
    School.objects.filter(pk=world.isolated_school.pk).update(head_first_name="Bob", head_last_name="Jones")
    School.objects.filter(pk=world.cluster_school.pk).update(head_first_name="Jo", head_last_name="Blogs")
    SchoolChange.objects.bulk_create(
        [  # a new head at the isolated school; a spelling fix at the cluster school (the same person: #14.5)
            SchoolChange(
                school=world.isolated_school,
                field="head_first_name",
                old_value="Amy",
                new_value="Bob",
                changed_on=recorded,
            ),
            SchoolChange(
                school=world.isolated_school,
                field="head_last_name",
                old_value="Smith",
                new_value="Jones",
                changed_on=recorded,
            ),
            SchoolChange(
                school=world.cluster_school,
                field="head_last_name",
                old_value="Bloggs",
                new_value="Blogs",
                changed_on=recorded,
            ),
        ]
    )
    found = {s.school_id: s for s in review_suggestions(partnership_id=world.home.pk)}
    assert set(found) == {world.own_school.pk, world.outside_school.pk, world.isolated_school.pk}
    start = day - dt.timedelta(days=20)
    assert found[world.own_school.pk].text == f"Review suggested: new inspection on {start:%-d %B %Y}"
    assert found[world.own_school.pk].latest.trigger == Trigger.INSPECTION
    assert found[world.outside_school.pk].latest.text.startswith("safeguarding incident recorded on")
    assert found[world.isolated_school.pk].latest.text == f"new headteacher in GIAS (recorded on {recorded:%-d %B %Y})"
    # the officer confirms: the review opens, and the suggestion goes
    rounds.in_year_review_open(
        partnership=world.home,
        school=world.own_school,
        trigger=Trigger.INSPECTION,
        trigger_on=day,
        note="",
        user=officer,
    )
    assert world.own_school.pk not in {s.school_id for s in review_suggestions(partnership_id=world.home.pk)}


# ---------------------------------------------------------------------------------------------- pages


def test_the_officer_opens_an_in_year_review_with_one_click_from_the_suggestion(world, annual):
    day = TODAY - dt.timedelta(days=4)
    Inspection.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        inspection_number="20001",
        framework=Inspection.Framework.OEIF,
        start_date=day,
        publication_date=day,
        overall=4,
    )
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    text = f"Review suggested: new inspection on {day:%-d %B %Y}"
    assert text in client.get(reverse("risk:review_suggestions")).content.decode()
    assert text in client.get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    home = client.get(reverse("partnership:home")).content.decode()
    assert "Schools with an in-year review suggested" in home
    response = client.post(
        reverse("risk:in_year_open", args=[world.own_school.urn]),
        {"trigger": Trigger.INSPECTION, "trigger_on": day.isoformat(), "note": ""},
    )
    review = CategorisationRound.objects.get(kind=Kind.IN_YEAR)
    assert response.status_code == 302 and response.url == reverse("risk:round_detail", args=[review.pk])
    assert review.trigger_on == day and review.created_by == officer.user
    page = client.get(reverse("risk:round_detail", args=[review.pk])).content.decode()
    assert "In-year review: new inspection on" in page
    school_page = client.get(reverse("risk:round_school", args=[review.pk, world.own_school.urn])).content.decode()
    assert "Published category before this review" in school_page
    # the school's risk page says which review set each category
    publish(review, officer.user)
    risk_page = client.get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    assert "In-year review: new inspection on" in risk_page and "Annual round" in risk_page


def test_the_officer_starts_a_termly_review_through_its_page(world, annual):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    page = client.get(reverse("risk:termly_open")).content.decode()
    assert "2 schools" in page  # the cluster school (3) and the outside school (4)
    run = succeeded_run(world.home)
    response = client.post(reverse("risk:termly_open"), {"name": "Spring term review", "run": run.pk})
    termly = CategorisationRound.objects.get(kind=Kind.TERMLY)
    assert response.status_code == 302 and termly.schools.count() == 2


def test_the_head_sees_which_review_set_the_category_and_the_register_reads_it_per_school(world, annual, officer):
    review = rounds.in_year_review_open(
        partnership=world.home,
        school=world.own_school,
        trigger=Trigger.SAFEGUARDING,
        trigger_on=None,
        note="Confidential detail about the incident",
        user=officer,
    )
    set_category(review, world.own_school, 3)
    publish(review, officer)
    head = Membership.objects.create(
        user=UserFactory(email="head-inyear@example.test"),
        partnership=world.home,
        roles=[Role.HEADTEACHER],
        school=world.own_school,
    )
    page = client_for(head.user).get(reverse("risk:own_category")).content.decode()
    assert "In-year review of Own Primary School" in page and "Autumn 2026" in page
    assert "safeguarding" not in page.lower() and "Confidential detail" not in page
    succeeded_run(world.home)
    register = client_for(make_member(world, Role.OFFICER).user).get(reverse("risk:register"))
    agreed = {a.school_id: a.agreed_category for a in register.context["page_obj"]}
    assert agreed[world.own_school.pk] == 3 and agreed[world.cluster_school.pk] == 3
    assert agreed[world.outside_school.pk] == 4
    decision = CategoryDecision.objects.filter(school_category__round=review, step="proposed").get()
    assert "safeguarding" not in decision.rationale.lower()


def test_an_officer_dismisses_a_suggestion_with_a_reason_and_a_later_event_suggests_again(world, annual, officer):
    day = TODAY - dt.timedelta(days=6)
    entry(world.own_school, kind="complaints", rating="red", recorded_on=day)
    with pytest.raises(ValidationError, match="at least 20 characters"):
        rounds.review_suggestion_dismiss(
            partnership=world.home,
            school=world.own_school,
            trigger=Trigger.COMPLAINT,
            event_on=day,
            reason="no",
            user=officer,
        )
    with pytest.raises(ValidationError, match="no longer open"):
        rounds.review_suggestion_dismiss(
            partnership=world.home,
            school=world.own_school,
            trigger=Trigger.INSPECTION,
            event_on=day,
            reason="The inspection confirmed the category.",
            user=officer,
        )
    client = client_for(make_member(world, Role.OFFICER).user)
    response = client.post(
        reverse("risk:review_dismiss", args=[world.own_school.urn]),
        {"trigger": Trigger.COMPLAINT, "event_on": day.isoformat(), "reason": "Resolved by the governors; no change."},
    )
    assert response.status_code == 302 and response.url == reverse("risk:review_suggestions")
    assert review_suggestions(partnership_id=world.home.pk) == []
    entry(world.own_school, kind="safeguarding", rating="amber", recorded_on=TODAY - dt.timedelta(days=2))
    again = review_suggestions(partnership_id=world.home.pk)
    assert [e.trigger for s in again for e in s.events] == [Trigger.SAFEGUARDING]
