"""#14.9, what an officer (and a head) sees on day one, on the risk side: the register's movement label, publishing
that says who could not be told, and a reply's answer that stays visible and is emailed."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from partnership.models import Membership, Role
from schools.risk.categorisation import services as rounds
from schools.risk.models import SchoolCategory
from tests.conftest import client_for, make_member
from tests.factories import UserFactory
from tests.risk.helpers import succeeded_run


def _agreed_round(world, officer, name: str):
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name=name, user=officer
    )
    return rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/1", user=officer)


def _head(world, school, email: str, role: str = Role.HEADTEACHER) -> Membership:
    return Membership.objects.create(user=UserFactory(email=email), partnership=world.home, roles=[role], school=school)


def test_the_register_s_movement_label_says_what_it_is_measured_against(world):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    succeeded_run(world.home)
    succeeded_run(world.home)
    before = client.get(reverse("risk:register")).content.decode()
    assert "Movement since the previous run" in before and "since the last agreed" not in before
    _agreed_round(world, officer.user, "Autumn round")
    succeeded_run(world.home)
    after = client.get(reverse("risk:register")).content.decode()
    assert "Movement since the last agreed category" in after and "since the previous run" not in after


def test_publishing_says_how_many_schools_had_nobody_to_notify(world):
    officer = make_member(world, Role.OFFICER)
    _head(world, world.own_school, "own-head@example.test")
    round_ = _agreed_round(world, officer.user, "Autumn round")
    client = client_for(officer.user)
    response = client.post(reverse("risk:round_publish", args=[round_.pk]))
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    # four schools in the round, one head: three schools had nobody to notify
    assert any("3 schools had nobody to notify" in t for t in texts), texts
    page = client.get(reverse("risk:round_detail", args=[round_.pk])).content.decode()
    assert "3 schools had nobody to notify" in page


def test_after_a_new_round_the_head_still_sees_the_earlier_reply_and_is_emailed_the_answer(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = make_member(world, Role.OFFICER)
    panel = make_member(world, Role.ADMIN)
    head = _head(world, world.own_school, "own-head@example.test")
    chair = _head(world, world.own_school, "own-chair@example.test", Role.CHAIR_OF_GOVERNORS)
    first = rounds.categorisation_round_publish(
        round_=_agreed_round(world, officer.user, "Autumn round"), user=officer.user, base_url="http://testserver/"
    )
    sc = SchoolCategory.objects.get(round=first, school=world.own_school)
    reply = rounds.category_reply_create(
        school_category=sc, membership=head, text="Our reading results rose sharply this year, please look again."
    )
    rounds.categorisation_round_publish(
        round_=_agreed_round(world, officer.user, "Spring round"), user=officer.user, base_url="http://testserver/"
    )
    mail.outbox.clear()
    client = client_for(panel.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("risk:reply_answer", args=[reply.pk]),
            {
                "outcome": "confirmed",
                "answer": "The panel read the new results; the category stands until the next round.",
                "meeting_on": dt.date.today().isoformat(),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    # emailed once the answer is committed, to the author and the school's head and chair
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["own-chair@example.test", "own-head@example.test"]
    assert "category stands until the next round" in message.body
    assert "http://testserver/risk/my-school/" in message.body

    page = client_for(chair.user).get(reverse("risk:own_category")).content.decode()
    assert "Spring round" in page  # the current round
    assert "Replies to Autumn round" in page
    assert "Our reading results rose sharply" in page
    assert "category stands until the next round" in page


def test_a_gias_rating_without_an_ofsted_mi_row_says_so_in_the_trace(world):
    """The school page shows GIAS's "Good"; the trace must not flatly say there is no inspection on record."""
    world.own_school.ofsted_rating = "Good"
    world.own_school.ofsted_last_inspection = dt.date(2019, 5, 3)
    world.own_school.save()
    run = succeeded_run(world.home, assess=False)
    from schools.risk.models import RiskAssessment

    RiskAssessment.objects.create(
        run=run,
        school=world.own_school,
        proposed_category=2,
        standards_band="B",
        capacity_band="B",
        score=3,
        indicators={"S1": {"rating": None, "value": None, "sentence": "No graded inspection on record: S1 not scored"}},
        reasons=[],
        missing_inputs=["No graded inspection on record: S1 not scored"],
    )
    client = client_for(make_member(world, Role.OFFICER).user)
    page = client.get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    assert "No graded inspection on record" not in page
    assert (
        "No graded inspection in the Ofsted management information imported (the register (GIAS) shows Ofsted "
        "rating &quot;Good&quot;, last inspection 3 May 2019, which the engine does not read): S1 not scored"
    ) in page


def test_indicator_values_are_shown_with_their_units():
    """Raw numbers in the risk page's Value column ("2", "-2") become percentage points and ratios to national."""
    from schools.risk.presenters import indicator_rows, value_text

    assert value_text("S2", -2.0) == "-2.0 percentage points"
    assert value_text("S6", 2.0) == "2.00 × national"
    assert value_text("S3", -1.254) == "-1.25"
    assert value_text("S1", 2.0) == "2"
    assert value_text("S2", None) == value_text("S2", float("nan")) == ""
    rows = {r.code: r.value for r in indicator_rows({"S7": {"rating": "R", "value": 3.0, "sentence": "x"}})}
    assert rows["S7"] == "3.00 × national"


def test_the_panels_answer_is_not_emailed_to_an_author_who_has_left_the_school(
    world, django_capture_on_commit_callbacks
):
    """Review finding: the author of a reply who is no longer the school's head or chair is not sent the answer."""
    from django.utils import timezone

    from schools.risk.categorisation import notices

    officer = make_member(world, Role.OFFICER)
    head = _head(world, world.own_school, "left-head@example.test")
    _head(world, world.own_school, "stays-chair@example.test", Role.CHAIR_OF_GOVERNORS)
    published = rounds.categorisation_round_publish(
        round_=_agreed_round(world, officer.user, "Autumn round"), user=officer.user, base_url="http://testserver/"
    )
    sc = SchoolCategory.objects.get(round=published, school=world.own_school)
    reply = rounds.category_reply_create(school_category=sc, membership=head, text="Please look again at reading.")
    head.archived_at = timezone.now()  # the head has left
    head.save(update_fields=["archived_at"])
    with django_capture_on_commit_callbacks(execute=False):
        to = notices.reply_answer_notify(reply=reply, base_url="http://testserver/")
    assert to == ["stays-chair@example.test"]
