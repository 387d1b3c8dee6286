"""The brokerage services: state machines, who may move what, funds, visits and the calendar, the ledger,
requests raised by an agreed categorisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from brokerage import selectors, services
from brokerage.models import AcademyReferral, Deployment, LedgerEntry, Notification, SupportRequest
from partnership.models import SchoolHoliday
from tests import factories as f
from tests.brokerage.helpers import brokerage_world, head_of, objectives

DS, RS = Deployment.State, SupportRequest.State


def test_a_request_moves_only_along_its_table_and_by_the_right_person(world):
    b = brokerage_world(world)
    with pytest.raises(ValidationError, match="cannot become agreed"):
        services.support_request_transition(request=b.request, to=RS.AGREED, by=b.officer)
    with pytest.raises(ValidationError, match="cannot make this change"):
        services.support_request_transition(request=b.request, to=RS.TRIAGED, by=b.receiving_head)
    with pytest.raises(ValidationError) as error:
        services.support_request_transition(request=b.request, to=RS.WITHDRAWN, by=b.receiving_head)
    assert error.value.message_dict == {"note": ["Enter the reason"]}
    triaged = services.support_request_transition(request=b.request, to=RS.TRIAGED, by=b.officer)
    assert triaged.state == RS.TRIAGED
    assert [e.to_state for e in triaged.events.all()] == ["new", "triaged"]


def test_shortlist_then_choice_then_release(world):
    b = brokerage_world(world)
    services.support_request_transition(request=b.request, to=RS.TRIAGED, by=b.officer)
    shortlisted = services.support_request_shortlist(request=b.request, by=b.officer)
    entries = selectors.shortlist_for(request=shortlisted)
    assert entries[0].provider == b.provider and not entries[0].exclusions
    assert "Has early reading as a specialism." in entries[0].reasons
    assert Notification.objects.filter(subject="Your support shortlist is ready").exists()
    chosen = services.support_request_choose(request=shortlisted, provider=b.provider, by=b.receiving_head)
    assert chosen.state == RS.CHOSEN
    with pytest.raises(ValidationError, match="home head"):
        services.support_request_confirm_release(request=chosen, by=b.receiving_head)
    released = services.support_request_confirm_release(request=chosen, by=b.home_head)
    assert released.release_confirmed_on is not None


def test_an_excluded_provider_cannot_be_chosen(world):
    b = brokerage_world(world)
    services.declared_interest_create(provider=b.provider, school=world.own_school, note="Governor there", by=None)
    services.support_request_transition(request=b.request, to=RS.TRIAGED, by=b.officer)
    services.support_request_shortlist(request=b.request, by=b.officer)
    entry = selectors.shortlist_for(request=b.request)[-1]
    assert entry.exclusions == ["Has declared an interest in this school."]
    with pytest.raises(ValidationError, match="cannot be chosen"):
        services.support_request_choose(request=b.request, provider=b.provider, by=b.receiving_head)


def test_an_interest_declared_on_the_boards_register_excludes_the_provider_too(world):
    """Issue #13: the board's register of declared interests feeds brokerage conflicts (review finding)."""
    from partnership.board.models import Declaration

    b = brokerage_world(world)
    world.board_member.user = b.provider.user
    world.board_member.save(update_fields=["user"])
    Declaration.objects.create(
        member=world.board_member,
        kind=Declaration.Kind.choices[0][0],
        interest="Governor of the school",
        school=world.own_school,
        declared_on=dt.date(2025, 1, 1),
    )
    services.support_request_transition(request=b.request, to=RS.TRIAGED, by=b.officer)
    services.support_request_shortlist(request=b.request, by=b.officer)
    entry = next(e for e in selectors.shortlist_for(request=b.request) if e.provider_id == b.provider.pk)
    assert "Has declared an interest in this school." in entry.exclusions


def test_deployment_state_machine_walk(world):
    b = brokerage_world(world)
    d = b.deployment  # signed then made active by its first visit
    assert d.state == DS.ACTIVE
    with pytest.raises(ValidationError, match="cannot become evaluated"):
        services.deployment_transition(deployment=d, to=DS.EVALUATED, by=b.officer)
    with pytest.raises(ValidationError, match="cannot make this change"):
        services.deployment_transition(deployment=d, to=DS.PAUSED, by=b.receiving_head)
    d = services.deployment_transition(deployment=d, to=DS.PAUSED, by=b.officer)
    d = services.deployment_transition(deployment=d, to=DS.ACTIVE, by=b.officer)
    d = services.deployment_transition(deployment=d, to=DS.COMPLETED, by=b.provider_member)
    objective = d.objectives.get()
    services.evaluation_record(
        deployment=d,
        by=b.receiving_head,
        overall=3,
        provider_effectiveness=4,
        summary="Phonics much improved.",
        judgements=[(objective, "met", "82% passed the check")],
    )
    d.refresh_from_db()
    assert d.state == DS.EVALUATED
    services.deployment_note(deployment=d, by=b.provider_member, kind="reflection", text="Strong English lead.")
    services.deployment_note(deployment=d, by=b.officer, kind="qa", text="Evidence checked.")
    with pytest.raises(ValidationError):
        services.deployment_note(deployment=d, by=b.provider_member, kind="qa", text="x")
    d = services.deployment_transition(deployment=d, to=DS.CLOSED, by=b.officer)
    states = [e.to_state for e in d.events.exclude(to_state="")]
    assert states == ["draft", "signed", "active", "paused", "active", "completed", "evaluated", "closed"]
    provider = selectors.provider_list(membership=b.officer).get(pk=b.provider.pk)
    assert (provider.evaluations, provider.rated_good) == (1, 1)


def test_terminating_needs_a_reason(world):
    b = brokerage_world(world)
    with pytest.raises(ValidationError) as error:
        services.deployment_transition(deployment=b.deployment, to=DS.TERMINATED, by=b.officer)
    assert "reason" in error.value.message_dict


def test_signing_refuses_an_agreement_that_would_overcommit_the_fund(world):
    b = brokerage_world(world)
    big = services.deployment_create(
        partnership=world.home,
        provider=b.provider,
        school=world.own_school,
        by=b.officer.user,
        needs_analysis="x",
        start_on=dt.date.today(),
        end_on=dt.date.today(),
        days=Decimal("15"),
        objectives=objectives(),
        day_rate=Decimal("1200"),
        fee_percent=Decimal("15"),
        fund=b.fund,
    )
    for party, who in [
        ("provider", b.provider_member),
        ("home_head", b.home_head),
        ("receiving_head", b.receiving_head),
    ]:
        services.deployment_sign(deployment=big, party=party, by=who)
    with pytest.raises(ValidationError) as error:
        services.deployment_sign(deployment=big, party="officer", by=b.officer)
    # the fund has £20,000; the first agreement committed 4 × £380 × 1.15 = £1,748
    assert error.value.messages == [
        f"{b.fund} has £18,252.00 left uncommitted; this agreement costs £20,700.00. "
        "Choose another fund, reduce the days, or raise the allocation"
    ]
    big.refresh_from_db()
    assert big.state == DS.DRAFT and big.officer_signed_at is None
    assert selectors.fund_committed(fund_id=b.fund.pk) == Decimal("1748.00")


def test_only_the_named_party_signs(world):
    b = brokerage_world(world)
    with pytest.raises(ValidationError, match="Only the receiving head can sign"):
        services.deployment_sign(deployment=b.draft, party="receiving_head", by=b.home_head)
    services.deployment_sign(deployment=b.draft, party="receiving_head", by=b.receiving_head)
    with pytest.raises(ValidationError, match="already signed"):
        services.deployment_sign(deployment=b.draft, party="receiving_head", by=b.receiving_head)


def test_visit_due_in_five_working_days_of_the_partnership_calendar_and_ledger_entry(world):
    b = brokerage_world(world)
    monday = dt.date(2025, 11, 3)  # no bank holidays that week; the LA closes Wednesday for INSET
    SchoolHoliday.objects.create(
        partnership=world.home,
        name="INSET day",
        starts_on=monday + dt.timedelta(days=2),
        ends_on=monday + dt.timedelta(days=2),
    )
    services.deployment_vary(
        deployment=b.deployment,
        by=b.officer,
        days=b.deployment.days,
        end_on=b.deployment.end_on,
        description="Start moved earlier",
    )
    Deployment.objects.filter(pk=b.deployment.pk).update(start_on=dt.date(2025, 9, 1))
    visit = services.visit_record(
        deployment=b.deployment,
        by=b.provider_member,
        visit_on=monday,
        hours=Decimal("2.5"),
        activities="x",
        progress="y",
    )
    assert visit.due_on == dt.date(2025, 11, 11)  # Tue, Thu, Fri, Mon, Tue
    entry = LedgerEntry.objects.get(source_key=f"visit:{visit.pk}")
    assert (entry.giver, entry.receiver, entry.days, entry.year) == (
        world.cluster_school,
        world.own_school,
        Decimal("0.50"),
        2026,
    )
    assert visit.late  # recorded today, long after 11 November 2025


def test_overdue_visit_records_reach_the_brokers_queue(world):
    b = brokerage_world(world)
    queue = selectors.broker_queue(membership=b.officer)
    assert b.deployment not in queue.overdue
    Deployment.objects.filter(pk=b.deployment.pk).update(start_on=dt.date(2025, 9, 1))
    services.visit_record(
        deployment=b.deployment,
        by=b.provider_member,
        visit_on=dt.date(2025, 10, 1),
        hours=Decimal("5"),
        activities="x",
        progress="y",
    )
    queue = selectors.broker_queue(membership=b.officer)
    assert [d.pk for d in queue.overdue] == [b.deployment.pk]


def test_an_agreed_round_drafts_requests_for_maintained_schools_and_refers_academies(world):
    b = brokerage_world(world)
    academy = f.SchoolFactory(partnership=world.home, name="Concern Academy")
    calm = f.SchoolFactory(partnership=world.home, name="Calm Primary")
    schools = [
        (world.cluster_school.pk, 4, False),
        (academy.pk, 3, True),
        (calm.pk, 2, False),
        (world.own_school.pk, 4, False),
    ]  # own school already has active support
    counts = services.requests_from_categorisation(partnership_id=world.home.pk, round_key="round:9", schools=schools)
    assert counts == {"requests": 1, "referrals": 1}
    draft = SupportRequest.objects.get(origin_key=f"round:9:{world.cluster_school.pk}")
    assert (draft.state, draft.origin, draft.urgency) == (RS.DRAFT, "categorisation", "high")
    assert AcademyReferral.objects.get(school=academy).category == 3
    assert services.requests_from_categorisation(
        partnership_id=world.home.pk, round_key="round:9", schools=schools
    ) == {"requests": 0, "referrals": 0}
    head = head_of(world.cluster_school)
    assert draft not in selectors.request_list(membership=head)  # the school sees it once the officer confirms
    services.support_request_transition(request=draft, to=RS.NEW, by=b.officer)
    assert draft in selectors.request_list(membership=head)


def test_the_risk_apps_signal_reaches_brokerage(world):
    from schools.risk.models import CategorisationRound
    from schools.risk.signals import categorisation_round_agreed

    categorisation_round_agreed.send(
        sender=CategorisationRound,
        partnership_id=world.home.pk,
        round_id=77,
        schools=[(world.isolated_school.pk, 3, False)],
    )
    assert SupportRequest.objects.filter(origin_key=f"round:77:{world.isolated_school.pk}", state=RS.DRAFT).exists()


def test_hand_over_emails_are_recorded_and_sent_once(world, mailoutbox):
    b = brokerage_world(world)
    waiting = Notification.objects.filter(state=Notification.State.WAITING).count()
    assert waiting > 0
    counts = services.notifications_send()
    assert counts == {"sent": waiting, "failed": 0}
    assert len(mailoutbox) == waiting
    assert services.notifications_send() == {"sent": 0, "failed": 0}
    assert b.provider.user.email in {m.to[0] for m in mailoutbox}


def test_ledger_by_cluster_and_alliance(world):
    b = brokerage_world(world)
    year = services.academic_year(b.visit.visit_on)
    clusters = {r.name: r for r in selectors.ledger_by_cluster(partnership_id=world.home.pk, year=year)}
    # the visit: Peer Primary (giver) and Own Primary (receiver) are both in Esher Cluster
    assert (clusters["Esher Cluster"].given, clusters["Esher Cluster"].received) == (Decimal("1.00"), Decimal("1.00"))
    schools = {r.name: r for r in selectors.ledger_by_school(partnership_id=world.home.pk, year=year)}
    assert schools["Own Primary School"].only_takes and not schools["Peer Primary School"].only_takes
    alliances = selectors.ledger_by_alliance(partnership_id=world.home.pk, year=year)
    assert [(r.name, r.given) for r in alliances] == [("North Alliance", Decimal("1.00"))]


def test_the_boards_summary_leaves_out_groups_of_fewer_than_three_schools(world):
    from tests.conftest import make_member

    b = brokerage_world(world)
    board = make_member(world, "board_member")
    summary = selectors.support_summary(membership=board, year=services.academic_year(b.visit.visit_on))
    assert summary.clusters == [] and summary.alliances == [] and summary.suppressed == 2  # 2 schools each
    officers = selectors.support_summary(membership=b.officer, year=services.academic_year(b.visit.visit_on))
    assert [r.name for r in officers.clusters] == ["Esher Cluster"] and officers.suppressed == 0


def test_a_refused_email_is_kept_counted_and_sent_on_the_retry(world, mailoutbox, monkeypatch):
    import smtplib

    from brokerage.tasks import notifications_send_task

    brokerage_world(world)
    Notification.objects.exclude(pk=Notification.objects.order_by("pk").first().pk).update(state="sent")
    calls = {"n": 0}
    real = __import__("django.core.mail", fromlist=["send_mail"]).send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return real(*args, **kwargs)

    monkeypatch.setattr("django.core.mail.send_mail", flaky)
    notifications_send_task.apply(args=[None])  # eager: the task's retry runs again at once
    row = Notification.objects.get(last_error="connection dropped")
    assert calls["n"] == 2  # refused once, then sent on the retry
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1


def test_visits_never_record_more_than_was_contracted(world):
    """Review finding: unlimited hours inflated the ledger, the fund's spend and value for money."""
    from django.core.exceptions import ValidationError

    b = brokerage_world(world)
    Deployment.objects.filter(pk=b.deployment.pk).update(start_on=dt.date(2025, 9, 1))
    deployment = Deployment.objects.get(pk=b.deployment.pk)
    hours_per_day = services.settings_for(partnership_id=world.home.pk).hours_per_day
    contracted = deployment.days * hours_per_day
    recorded = sum(v.hours for v in deployment.visits.all()) if hasattr(deployment, "visits") else Decimal(0)
    ledger_before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError, match="at most a day"):
        services.visit_record(
            deployment=deployment, by=b.provider_member, visit_on=dt.date(2025, 10, 1), hours=Decimal("12"),
            activities="x", progress="y",
        )  # fmt: skip
    left = contracted - recorded
    whole_days = int(left // hours_per_day)
    for n in range(whole_days):
        services.visit_record(
            deployment=deployment, by=b.provider_member, visit_on=dt.date(2025, 10, 6) + dt.timedelta(days=n),
            hours=hours_per_day, activities="x", progress="y",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="hours are left"):
        services.visit_record(
            deployment=deployment, by=b.provider_member, visit_on=dt.date(2025, 11, 3), hours=hours_per_day,
            activities="x", progress="y",
        )  # fmt: skip
    assert LedgerEntry.objects.count() == ledger_before + whole_days
