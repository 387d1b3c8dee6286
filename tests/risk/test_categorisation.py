"""People decide: rounds from a run's proposals, officers' one-step moves, the panel, the board, publication,
replies within 10 school days, and what each person sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnership.calendar import school_days_after
from partnership.models import Membership, Role
from schools.risk.categorisation import services as rounds
from schools.risk.models import CategorisationRound, CategoryDecision, CategoryReply, SchoolCategory
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.risk.helpers import entry, succeeded_run

Step, Status = CategoryDecision.Step, SchoolCategory.Status
RATIONALE = "Unvalidated 2026 results show a marked improvement in reading."


@pytest.fixture
def officer(world):
    return UserFactory(email="moderating-officer@example.test")


@pytest.fixture
def opened(world, officer):
    SchoolFactory.create_batch(6, partnership=world.home)
    return rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn 2026", user=officer
    )


def own(round_, school) -> SchoolCategory:
    return SchoolCategory.objects.select_related("round__run__ruleset_version").get(round=round_, school=school)


def at(round_, school, category: int) -> SchoolCategory:
    """The school's row with its proposal set to ``category`` (the fake run's proposal depends on the pk)."""
    SchoolCategory.objects.filter(round=round_, school=school).update(proposed_category=category, category=category)
    return own(round_, school)


def agree(round_, officer, day=None):
    return rounds.categorisation_round_agree(
        round_=round_, agreed_on=day or dt.date.today(), minute="SB/7", user=officer
    )


def head_of(world, school, role=Role.HEADTEACHER, email="head@x.example.test") -> Membership:
    return Membership.objects.create(user=UserFactory(email=email), partnership=world.home, roles=[role], school=school)


# ---------------------------------------------------------------------------------------------- opening


def test_a_round_starts_every_school_at_its_proposal_with_a_decision_each(world, opened, officer):
    rows = SchoolCategory.objects.filter(round=opened)
    assert rows.count() == opened.run.assessments.count() > 6
    assert all(r.category == r.proposed_category == r.assessment.proposed_category for r in rows)
    assert set(rows.values_list("status", flat=True)) == {Status.PROPOSED}
    decisions = CategoryDecision.objects.filter(school_category__round=opened)
    assert decisions.count() == rows.count() and set(decisions.values_list("step", flat=True)) == {Step.PROPOSED}
    assert decisions.first().rationale.startswith(f"Proposed by risk run {opened.run_id}")


def test_only_one_round_is_open_and_only_from_a_finished_run_of_the_partnership(world, opened, officer):
    with pytest.raises(ValidationError, match="already open"):
        rounds.categorisation_round_create(
            partnership=world.home, run=succeeded_run(world.home), name="x", user=officer
        )
    run = succeeded_run(world.other)
    with pytest.raises(ValidationError, match="finished risk run of this partnership"):
        rounds.categorisation_round_create(partnership=world.other, run=opened.run, name="x", user=officer)
    with pytest.raises(ValidationError, match="finished risk run of this partnership"):
        rounds.categorisation_round_create(partnership=world.home, run=run, name="x", user=officer)
    for hostile in ("Autumn\x00", "\u202eAutumn", "Autumn\x1b[2J"):
        with pytest.raises(ValidationError, match="only letters, numbers, spaces and punctuation"):
            rounds.categorisation_round_create(partnership=world.other, run=run, name=hostile, user=officer)
    folded = rounds.categorisation_round_create(
        partnership=world.other, run=run, name="Autumn\r\nBcc: everyone@example.test", user=officer
    )
    assert folded.name == "Autumn Bcc: everyone@example.test"  # no line break can reach an email header
    with pytest.raises(ValidationError, match="Enter a name"):
        rounds.categorisation_round_create(partnership=world.other, run=run, name="  ", user=officer)
    assert CategorisationRound.objects.filter(partnership=world.home).count() == 1


# ---------------------------------------------------------------------------------------------- officers and panel


def test_one_step_is_made_at_once_with_reason_and_rationale(world, opened, officer):
    sc = at(opened, world.own_school, 2)
    sc = rounds.school_category_adjust(
        school_category=sc, category=3, reason="recent_decline", rationale=RATIONALE, user=officer
    )
    assert (sc.status, sc.category, sc.requested_category) == (Status.ADJUSTED, 3, None)
    last = sc.decisions.order_by("-pk").first()
    assert (last.step, last.from_category, last.to_category, last.reason) == (Step.ADJUSTED, 2, 3, "recent_decline")
    assert last.rationale == RATIONALE and last.decided_by == officer
    back = rounds.school_category_adjust(
        school_category=sc, category=2, reason="other", rationale=RATIONALE, user=officer
    )
    assert (back.status, back.category) == (Status.PROPOSED, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "Select a reason"),
        ({"reason": "because"}, "Select a reason"),
        ({"rationale": "too short"}, "at least 20 characters"),
        ({"rationale": "   " + "x" * 10 + "   "}, "at least 20 characters"),
        ({"rationale": "x" * 10_001}, "10,000 characters or fewer"),
        ({"category": 5}, "rule set's categories"),
        ({"category": 0}, "rule set's categories"),
    ],
)
def test_a_bad_adjustment_is_refused_and_changes_nothing(world, opened, officer, changes, message):
    sc = at(opened, world.own_school, 2)
    values = {"category": 3, "reason": "other", "rationale": RATIONALE, **changes}
    with pytest.raises(ValidationError, match=message):
        rounds.school_category_adjust(school_category=sc, user=officer, **values)
    sc.refresh_from_db()
    assert (sc.status, sc.category) == (Status.PROPOSED, 2) and sc.decisions.count() == 1


def test_a_bigger_move_waits_for_the_panel_which_decides_finally(world, opened, officer):
    sc = at(opened, world.own_school, 1)
    sc = rounds.school_category_adjust(
        school_category=sc, category=3, reason="other", rationale=RATIONALE, user=officer
    )
    assert (sc.status, sc.category, sc.requested_category) == (Status.REFERRED, 1, 3)
    with pytest.raises(
        ValidationError, match=r"1 referral\(s\) still wait for the moderation panel: " + world.own_school.name
    ):
        agree(opened, officer)
    panel_clerk = UserFactory(email="panel-clerk@example.test")
    with pytest.raises(ValidationError, match="panel meeting must be today or in the past"):
        rounds.school_category_moderate(
            school_category=sc,
            category=3,
            rationale=RATIONALE,
            meeting_on=dt.date.today() + dt.timedelta(1),
            user=panel_clerk,
        )
    with pytest.raises(ValidationError, match="on or after"):
        rounds.school_category_moderate(
            school_category=sc, category=4, rationale=RATIONALE, meeting_on=dt.date(2001, 1, 1), user=panel_clerk
        )
    with pytest.raises(ValidationError, match="who referred the move cannot also record the panel"):
        rounds.school_category_moderate(  # #14: the referring officer cannot record the panel's decision on it
            school_category=sc, category=4, rationale=RATIONALE, meeting_on=dt.date.today(), user=officer
        )
    sc = rounds.school_category_moderate(
        school_category=sc, category=4, rationale=RATIONALE, meeting_on=dt.date.today(), user=panel_clerk
    )
    assert (sc.status, sc.category, sc.requested_category) == (Status.MODERATED, 4, None)
    assert sc.decisions.order_by("-pk").first().meeting_on == dt.date.today()
    with pytest.raises(ValidationError, match="moderation panel has decided"):
        rounds.school_category_adjust(school_category=sc, category=3, reason="other", rationale=RATIONALE, user=officer)
    assert agree(opened, officer).state == CategorisationRound.State.AGREED


def test_the_board_agreement_freezes_the_round_and_is_logged_per_school(world, opened, officer):
    with pytest.raises(ValidationError, match="on or after"):
        agree(opened, officer, dt.date(1, 1, 1))
    agreed = agree(opened, officer, dt.date.today())
    assert (agreed.agreed_on, agreed.agreed_minute, agreed.agreed_by) == (dt.date.today(), "SB/7", officer)
    n = SchoolCategory.objects.filter(round=opened).count()
    assert CategoryDecision.objects.filter(school_category__round=opened, step=Step.AGREED).count() == n
    sc = own(opened, world.own_school)
    with pytest.raises(ValidationError, match="board has agreed"):
        rounds.school_category_adjust(
            school_category=sc, category=sc.category, reason="other", rationale=RATIONALE, user=officer
        )
    with pytest.raises(ValidationError, match="board has agreed"):
        rounds.school_category_moderate(
            school_category=sc, category=1, rationale=RATIONALE, meeting_on=dt.date.today(), user=officer
        )
    with pytest.raises(ValidationError, match="board has agreed"):
        agree(opened, officer)


# ---------------------------------------------------------------------------------------------- publication, replies


def test_school_days_skip_weekends_and_englands_bank_holidays():
    # Friday 18 December 2026: Christmas, Boxing Day (observed Monday 28th) and New Year's Day are not school days
    assert school_days_after(dt.date(2026, 12, 18), 10) == dt.date(2027, 1, 6)
    assert school_days_after(dt.date(2026, 11, 23), 10) == dt.date(2026, 12, 7)


def _published(opened, officer, day=dt.date(2026, 11, 23)):
    agree(opened, officer)
    return rounds.categorisation_round_publish(round_=opened, user=officer, base_url="http://t/", today=day)


def test_head_and_chair_reply_within_the_window_and_nobody_else(world, opened, officer):
    published = _published(opened, officer)
    sc = own(published, world.own_school)
    head, chair = (
        head_of(world, world.own_school),
        head_of(world, world.own_school, Role.CHAIR_OF_GOVERNORS, "c@x.test"),
    )
    other_head = head_of(world, SchoolFactory(partnership=world.home), email="oh@x.test")
    officer_membership = make_member(world, Role.OFFICER)
    text = "Our own validated data shows reading at 78% this summer."
    reply = rounds.category_reply_create(school_category=sc, membership=head, text=text, today=dt.date(2026, 12, 7))
    assert (reply.author_role, reply.text) == (Role.HEADTEACHER, text)
    rounds.category_reply_create(school_category=sc, membership=chair, text=text, today=dt.date(2026, 11, 24))
    for who in (other_head, officer_membership):
        with pytest.raises(ValidationError, match="Only the school's headteacher or chair"):
            rounds.category_reply_create(school_category=sc, membership=who, text=text, today=dt.date(2026, 11, 24))
    with pytest.raises(ValidationError, match="Replies closed on 7 December 2026"):
        rounds.category_reply_create(school_category=sc, membership=head, text=text, today=dt.date(2026, 12, 8))
    with pytest.raises(ValidationError, match="at least 20"):
        rounds.category_reply_create(school_category=sc, membership=head, text="no", today=dt.date(2026, 11, 24))
    assert CategoryReply.objects.filter(school_category=sc).count() == 2
    assert sc.decisions.filter(step=Step.REPLY).count() == 2


def test_a_reply_to_an_unpublished_category_is_refused(world, opened, officer):
    head = head_of(world, world.own_school)
    with pytest.raises(ValidationError, match="not been published"):
        rounds.category_reply_create(school_category=own(opened, world.own_school), membership=head, text=RATIONALE)


def test_the_panels_answer_confirms_or_changes_the_agreed_category_once(world, opened, officer):
    published = _published(opened, officer, dt.date.today())
    sc = at(published, world.own_school, 3)
    head = head_of(world, world.own_school)
    first = rounds.category_reply_create(school_category=sc, membership=head, text=RATIONALE)
    second = rounds.category_reply_create(school_category=sc, membership=head, text=RATIONALE + " More evidence.")
    answer = {
        "answer": "The panel accepts the school's validated evidence.",
        "meeting_on": dt.date.today(),
        "user": officer,
    }
    with pytest.raises(ValidationError, match="Choose the new category"):
        rounds.category_reply_answer(reply=first, outcome="changed", category=3, **answer)
    rounds.category_reply_answer(reply=first, outcome="changed", category=2, **answer)
    sc.refresh_from_db()
    assert sc.category == 2
    last = sc.decisions.order_by("-pk").first()
    assert (last.step, last.from_category, last.to_category, last.reason) == (
        Step.REPLY_ANSWERED,
        3,
        2,
        "reply_evidence",
    )
    with pytest.raises(ValidationError, match="already been answered"):
        rounds.category_reply_answer(reply=first, outcome="confirmed", category=None, **answer)
    rounds.category_reply_answer(reply=second, outcome="confirmed", category=None, **answer)
    sc.refresh_from_db()
    assert sc.category == 2


# ---------------------------------------------------------------------------------------------- what people see


def test_the_register_shows_the_agreed_category_and_movement_since_it(world, opened, officer):
    sc = at(opened, world.own_school, 2)
    rounds.school_category_adjust(school_category=sc, category=3, reason="other", rationale=RATIONALE, user=officer)
    agree(opened, officer)
    latest = succeeded_run(world.home)  # proposes 1 + pk % 4 for every school
    client = client_for(make_member(world, Role.OFFICER).user)
    page = client.get(reverse("risk:register"))
    row = next(a for a in page.context["page_obj"] if a.school_id == world.own_school.pk)
    assert row.agreed_category == 3 and row.previous_category == 3
    expected = "up" if row.proposed_category > 3 else "down" if row.proposed_category < 3 else "same"
    assert row.movement == expected
    assert "Movement is against the last agreed categorisation" in page.content.decode()
    csv_text = client.get(reverse("risk:register_export")).content.decode("utf-8-sig")
    line = next(line for line in csv_text.splitlines() if line.startswith(f"{world.own_school.urn},"))
    assert line.split(",")[2:4] == [str(latest.assessments.get(school=world.own_school).proposed_category), "3"]


def test_the_head_sees_the_published_trace_and_decisions_but_no_confidential_detail(world, opened, officer):
    entry(world.own_school, kind="complaints", rating="red", summary="Named parent complaint", confidential=True)
    sc = at(opened, world.own_school, 2)
    sc.assessment.reasons = ["C7 red: Complaints intelligence recorded 1 March 2025 (red): details are confidential"]
    sc.assessment.save(update_fields=["reasons"])
    rounds.school_category_adjust(
        school_category=sc, category=3, reason="local_intelligence", rationale=RATIONALE, user=officer
    )
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    before = head.get(reverse("risk:own_category")).content.decode()
    assert "has not been published yet" in before and "Autumn 2026" not in before
    _published(opened, officer, dt.date.today())
    page = head.get(reverse("risk:own_category")).content.decode()
    assert "Autumn 2026" in page and RATIONALE in page and "Local intelligence the indicators do not capture" in page
    assert "details are confidential" in page and "Named parent complaint" not in page
    assert officer.full_name and officer.full_name not in page  # the school sees decisions, not officers' names
    response = head.post(reverse("risk:own_category"), {"text": RATIONALE})
    assert response.status_code == 302 and CategoryReply.objects.filter(school_category=sc).count() == 1
    officer_page = client_for(make_member(world, Role.OFFICER).user).get(
        reverse("risk:round_school", args=[opened.pk, world.own_school.urn])
    )
    officer_text = officer_page.content.decode()
    assert RATIONALE in officer_text, officer_text
    assert "Record the panel" in officer_text


def test_an_officer_adjusts_through_the_page_and_sees_errors_in_place(world, opened):
    client = client_for(make_member(world, Role.OFFICER).user)
    sc = at(opened, world.own_school, 2)
    url = reverse("risk:round_adjust", args=[opened.pk, world.own_school.urn])
    bad = client.post(url, {"category": "3", "reason": "", "rationale": "<script>alert(1)</script>"})
    assert bad.status_code == 200 and "Select a reason" in bad.content.decode()
    assert "<script>alert(1)</script>" not in bad.content.decode()
    sc.refresh_from_db()
    assert sc.category == 2
    good = client.post(url, {"category": "3", "reason": "recent_decline", "rationale": RATIONALE})
    assert good.status_code == 302
    sc.refresh_from_db()
    assert (sc.category, sc.status) == (3, Status.ADJUSTED)


def test_a_partnership_deletes_with_its_runs_and_rounds_but_a_run_in_a_round_cannot_go_alone(world):
    from django.db.models import RestrictedError

    from schools.risk.models import RiskRun, RuleSetVersion
    from tests.risk.helpers import rounds_world

    made = rounds_world(world)
    with pytest.raises(RestrictedError):
        made.open.run.delete()  # the round keeps the proposals it started from
    with pytest.raises(RestrictedError):
        RuleSetVersion.objects.filter(partnership=world.home).delete()  # runs name the rules they used
    Membership.objects.filter(partnership=world.other).delete()  # members' schools are protected on purpose
    other = world.other.pk
    world.other.delete()
    assert not CategorisationRound.objects.filter(partnership_id=other).exists()
    assert not RiskRun.objects.filter(partnership_id=other).exists()
    assert CategorisationRound.objects.filter(partnership=world.home).count() == 2


def test_only_a_referral_goes_to_the_panel(world, opened, officer):
    sc = at(opened, world.own_school, 1)
    with pytest.raises(ValidationError, match="Only a school referred"):
        rounds.school_category_moderate(
            school_category=sc, category=4, rationale=RATIONALE, meeting_on=dt.date.today(), user=officer
        )
    sc.refresh_from_db()
    assert (sc.category, sc.status) == (1, Status.PROPOSED)


def test_the_same_reply_twice_is_refused_and_a_changed_category_says_so(world, opened, officer):
    published = _published(opened, officer, dt.date.today())
    sc = at(published, world.own_school, 3)
    head = head_of(world, world.own_school)
    reply = rounds.category_reply_create(school_category=sc, membership=head, text=RATIONALE)
    with pytest.raises(ValidationError, match="already sent this reply"):
        rounds.category_reply_create(school_category=sc, membership=head, text=f"  {RATIONALE} ")
    archived = head_of(world, world.own_school, email="gone@x.test")
    archived.archived_at = dt.datetime.now(dt.UTC)
    archived.save()
    with pytest.raises(ValidationError, match="Only the school's headteacher"):
        rounds.category_reply_create(school_category=sc, membership=archived, text=RATIONALE + " again")
    rounds.category_reply_answer(
        reply=reply, outcome="changed", category=2, answer=RATIONALE, meeting_on=dt.date.today(), user=officer
    )
    sc.refresh_from_db()
    assert (sc.category, sc.status) == (2, Status.REPLY_CHANGED)


def test_an_academy_reads_concern_or_no_concern_never_a_number(world, opened, officer):
    sc = at(opened, world.own_school, 4)
    sc.assessment.academy_view = "concern"
    sc.assessment.save(update_fields=["academy_view"])
    _published(opened, officer, dt.date.today())
    page = client_for(make_member(world, Role.HEADTEACHER).user).get(reverse("risk:own_category")).content.decode()
    assert "Concern" in page and "academies are shown as concern or no concern" in page
    assert "Intensive" not in page and "4 Intensive" not in page


def test_confidential_intelligence_reaches_the_school_without_its_date_or_details(
    world, officer, django_capture_on_commit_callbacks
):
    from schools.risk.services import risk_run_create, risk_run_execute

    for day in (dt.date.today() - dt.timedelta(days=d) for d in (40, 20, 5)):
        entry(world.own_school, kind="complaints", rating="red", recorded_on=day, summary="Parent X", confidential=True)
    run = risk_run_execute(run=risk_run_create(partnership=world.home, trigger="button", enqueue=False))
    opened = rounds.categorisation_round_create(partnership=world.home, run=run, name="Autumn 2026", user=officer)
    officer_page = client_for(make_member(world, Role.OFFICER).user).get(
        reverse("risk:round_school", args=[opened.pk, world.own_school.urn])
    )
    assert "details are confidential to the local authority" in officer_page.content.decode()
    for sc in SchoolCategory.objects.filter(round=opened, category=0):  # no evidence: the officer categorises
        rounds.school_category_adjust(school_category=sc, category=1, reason="other", rationale=RATIONALE, user=officer)
    _published(opened, officer, dt.date.today())
    page = client_for(make_member(world, Role.HEADTEACHER).user).get(reverse("risk:own_category")).content.decode()
    assert "recorded in confidence by the local authority" in page
    assert "a concern held in confidence" in page
    assert "Parent X" not in page and "details are confidential" not in page
    for day in (dt.date.today() - dt.timedelta(days=d) for d in (40, 20, 5)):
        assert not re.search(rf"\b{day.day} {day:%B %Y}", page), "no date of a confidential entry"


def test_the_pages_walk_a_round_from_opening_to_an_answered_reply(world, django_capture_on_commit_callbacks):
    SchoolFactory.create_batch(3, partnership=world.home)
    run = succeeded_run(world.home)
    officer = client_for(make_member(world, Role.OFFICER).user)
    assert officer.post(reverse("risk:round_create"), {"name": "", "run": run.pk}).status_code == 200
    response = officer.post(reverse("risk:round_create"), {"name": "Autumn 2026", "run": run.pk})
    opened = CategorisationRound.objects.get(partnership=world.home)
    assert response.url == reverse("risk:round_detail", args=[opened.pk])
    agree_url = reverse("risk:round_agree", args=[opened.pk])
    assert "Enter the minute reference" in officer.post(agree_url, {"agreed_on": dt.date.today()}).content.decode()
    assert officer.post(agree_url, {"agreed_on": dt.date.today(), "minute": "SB/1"}).status_code == 302
    publish_url = reverse("risk:round_publish", args=[opened.pk])
    assert "Publication cannot be undone" in officer.get(publish_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(publish_url).status_code == 302
    opened.refresh_from_db()
    assert opened.state == CategorisationRound.State.PUBLISHED
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert head.post(reverse("risk:own_category"), {"text": RATIONALE}).status_code == 302
    reply = CategoryReply.objects.get(school_category__round=opened)
    answer_url = reverse("risk:reply_answer", args=[reply.pk])
    bad = officer.post(answer_url, {"outcome": "changed", "meeting_on": dt.date.today(), "answer": RATIONALE})
    assert "Select the new category" in bad.content.decode()
    good = {"outcome": "confirmed", "meeting_on": dt.date.today(), "answer": RATIONALE}
    assert officer.post(answer_url, good).status_code == 302
    reply.refresh_from_db()
    assert reply.outcome == "confirmed" and RATIONALE in head.get(reverse("risk:own_category")).content.decode()


def test_after_the_window_closes_the_head_is_told_and_nothing_is_saved(world, opened, officer):
    published = _published(opened, officer, dt.date.today() - dt.timedelta(days=40))
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    page = head.get(reverse("risk:own_category")).content.decode()
    assert f"Closed on {published.reply_deadline.day}" in page and "Send the reply" not in page
    response = head.post(reverse("risk:own_category"), {"text": RATIONALE})
    assert response.status_code == 200 and "Replies closed on" in response.content.decode()
    assert not CategoryReply.objects.exists()


# ------------------------------------------------------------------------------ insufficient evidence (#14.1)


def test_insufficient_evidence_is_listed_apart_and_must_be_categorised_by_an_officer_before_agreement(
    world, opened, officer
):
    from schools.risk.categorisation import selectors as round_selectors

    sc = at(opened, world.own_school, 0)
    counts = round_selectors.round_counts(round_=opened)
    assert counts["status"]["insufficient"] == 1
    listed = round_selectors.round_school_list(round_=opened, status="insufficient")
    assert [row.school_id for row in listed] == [world.own_school.pk]
    with pytest.raises(ValidationError, match="insufficient evidence and wait for an officer"):
        agree(opened, officer)
    # nothing was proposed, so the officer's category (even two steps "from 0") is made at once
    sc = rounds.school_category_adjust(
        school_category=sc, category=3, reason="other", rationale=RATIONALE, user=officer
    )
    assert (sc.status, sc.category) == (Status.ADJUSTED, 3)
    assert round_selectors.round_counts(round_=opened)["status"]["insufficient"] == 0
    assert agree(opened, officer).state == CategorisationRound.State.AGREED


def test_the_round_page_lists_insufficient_evidence_separately(world, opened, officer):
    at(opened, world.own_school, 0)
    client = client_for(make_member(world, Role.OFFICER).user)
    page = client.get(reverse("risk:round_detail", args=[opened.pk]) + "?status=insufficient")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Insufficient evidence: officer to categorise" in text
    assert world.own_school.name in text
