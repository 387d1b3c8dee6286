"""The whole journey over HTTP, one role at a time: a head asks, the broker shortlists, the head chooses, the
home head releases, the broker drafts, four people sign, the provider visits, the head responds and evaluates,
the provider reflects, the broker closes; exports are formula-safe."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from brokerage import selectors
from brokerage.models import Deployment, Provider, SupportRequest
from partnership.models import Membership, Role
from schools.models import PerformanceValue
from tests.brokerage.helpers import brokerage_world
from tests.conftest import client_for, make_member


def _ok(response, contains: str | None = None):
    assert response.status_code in (200, 302), response.status_code
    if contains is not None:
        if response.status_code == 302:
            raise AssertionError(f"expected a page with {contains!r}, got a redirect to {response.url}")
        assert contains in response.content.decode(), contains
    return response


def test_the_whole_journey_for_every_role(world, mailoutbox):
    b = brokerage_world(world)
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    officer = client_for(b.officer.user)
    leader_membership = make_member(world, Role.SYSTEM_LEADER)
    leader = client_for(leader_membership.user)
    home_head = client_for(b.home_head.user)
    PerformanceValue.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        year=2025,
        code="ks2_rwm_exp",
        value=48.0,
    )

    # the head asks for support for their school
    response = _ok(
        head.post(
            reverse("brokerage:request_create"),
            {
                "need": "Writing in upper key stage 2 has fallen behind.",
                "focus": b.reading.pk,
                "urgency": "high",
                "days_wanted": "3",
                "preferred_funding": "la_intervention",
                "preferred_provider": b.provider.pk,
            },
        )
    )
    req = SupportRequest.objects.get(need="Writing in upper key stage 2 has fallen behind.")
    assert response.url == reverse("brokerage:request_detail", args=[req.pk])
    _ok(officer.get(reverse("brokerage:queue")), "Writing in upper key stage 2")
    # the broker triages and shortlists
    _ok(officer.post(reverse("brokerage:request_transition", args=[req.pk]), {"to": "triaged"}))
    _ok(officer.post(reverse("brokerage:request_shortlist", args=[req.pk])))
    page = _ok(head.get(reverse("brokerage:request_detail", args=[req.pk])), "Choose this provider")
    assert "Own Primary School asked for this provider." in page.content.decode()
    # the head chooses; the home head confirms release
    _ok(head.post(reverse("brokerage:request_choose", args=[req.pk]), {"provider": b.provider.pk}))
    _ok(home_head.post(reverse("brokerage:request_release", args=[req.pk])))
    req.refresh_from_db()
    assert (req.state, req.chosen_provider, req.release_confirmed_on) == ("chosen", b.provider, dt.date.today())
    # the broker drafts the agreement: needs and baseline pre-filled
    builder = _ok(officer.get(reverse("brokerage:deployment_create", args=[req.pk])), "ks2_rwm_exp 2024/25: 48")
    assert "Writing in upper key stage 2" in builder.content.decode()
    today = dt.date.today()
    _ok(
        officer.post(
            reverse("brokerage:deployment_create", args=[req.pk]),
            {
                "needs_analysis": "Writing below national.",
                "baseline": "48% RWM",
                "start_on": today.isoformat(),
                "end_on": (today + dt.timedelta(days=90)).isoformat(),
                "days": "3",
                "day_rate": "380",
                "fee_percent": "15",
                "fund": b.fund.pk,
                "objective_1": "Raise attainment in writing",
                "measure_1": "KS2 RWM expected",
                "criteria_1": "55% or more",
                "code_1": "ks2_rwm_exp",
            },
        )
    )
    d = Deployment.objects.get(request=req)
    # four signatures, each by its party
    _ok(leader.post(reverse("brokerage:deployment_sign", args=[d.pk]), {"party": "provider"}))
    _ok(home_head.post(reverse("brokerage:deployment_sign", args=[d.pk]), {"party": "home_head"}))
    _ok(head.post(reverse("brokerage:deployment_sign", args=[d.pk]), {"party": "receiving_head"}))
    _ok(officer.post(reverse("brokerage:deployment_sign", args=[d.pk]), {"party": "officer"}))
    d.refresh_from_db()
    req.refresh_from_db()
    assert (d.state, req.state) == ("signed", "agreed")
    provider = selectors.provider_list(membership=b.officer).get(pk=b.provider.pk)
    assert provider.days_committed == Decimal("7")  # 4 from the world's agreement + these 3
    # the provider records a visit; the head responds
    _ok(
        leader.post(
            reverse("brokerage:visit_create", args=[d.pk]),
            {
                "visit_on": today.isoformat(),
                "hours": "5",
                "activities": "Book scrutiny",
                "progress": "Baseline agreed",
            },
        )
    )
    d.refresh_from_db()
    assert d.state == "active"
    visit = d.visits.get()
    _ok(head.post(reverse("brokerage:visit_respond", args=[visit.pk]), {"response": "Thank you, very useful."}))
    _ok(head.get(reverse("brokerage:deployment_detail", args=[d.pk])), "Thank you, very useful.")
    # completed by the provider, evaluated by the head with the data beside the judgement
    _ok(leader.post(reverse("brokerage:deployment_transition", args=[d.pk]), {"to": "completed"}))
    PerformanceValue.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        year=d.year,
        code="ks2_rwm_exp",
        value=57.0,
    )
    objective = d.objectives.get()
    _ok(head.get(reverse("brokerage:evaluation", args=[d.pk])), "48.0 before, 57.0 after")
    _ok(
        head.post(
            reverse("brokerage:evaluation", args=[d.pk]),
            {
                "overall": "3",
                "provider_effectiveness": "4",
                "summary": "Writing is much stronger.",
                f"outcome_{objective.pk}": "met",
                f"evidence_{objective.pk}": "57% met the expected standard",
            },
        )
    )
    d.refresh_from_db()
    assert d.state == "evaluated"
    assert (d.evaluation.objectives.get().before_value, d.evaluation.objectives.get().after_value) == (48.0, 57.0)
    _ok(leader.post(reverse("brokerage:deployment_note", args=[d.pk, "reflection"]), {"text": "A receptive team."}))
    _ok(officer.post(reverse("brokerage:deployment_note", args=[d.pk, "qa"]), {"text": "Impact evidenced."}))
    _ok(officer.post(reverse("brokerage:deployment_transition", args=[d.pk]), {"to": "closed"}))
    d.refresh_from_db()
    assert d.state == "closed"
    # the directory and the board's summary now show the track record
    _ok(head.get(reverse("brokerage:provider_detail", args=[b.provider.pk])), "1 of 1 evaluations rated good")
    board = client_for(make_member(world, Role.BOARD_MEMBER).user)
    _ok(board.get(reverse("brokerage:summary")), "Aggregates only")
    _ok(officer.get(reverse("brokerage:fund_list")), "£3,059.00")  # £1,748 (the world) + 3 × £380 × 1.15


def test_a_bad_agreement_form_keeps_what_was_typed(world):
    b = brokerage_world(world)
    officer = client_for(b.officer.user)
    response = officer.post(
        reverse("brokerage:deployment_create", args=[b.request.pk]),
        {
            "needs_analysis": "Kept text",
            "days": "abc",
            "start_on": "2026-13-40",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kept text" in body
    assert "Days contracted must be a number, like 2 or 2.5" in body
    assert "Start date must be a real date" in body
    assert "Enter at least one objective" in body


def test_exports_are_formula_safe(world):
    b = brokerage_world(world)
    SupportRequest.objects.filter(pk=b.request.pk).update(need='=HYPERLINK("http://evil")')
    Provider.objects.filter(pk=b.provider.pk).update(name="=cmd|' /C calc'!A0")
    officer = client_for(b.officer.user)
    csv_text = b"".join(
        officer.get(reverse("brokerage:export", args=["deployments", "csv"])).streaming_content
        if False
        else [officer.get(reverse("brokerage:export", args=["deployments", "csv"])).content]
    )
    assert "'=cmd|" in csv_text.decode("utf-8-sig")
    response = officer.get(reverse("brokerage:export", args=["deployments", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in names
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in sheet.iter_rows(values_only=True) for v in row)
    ledger = officer.get(reverse("brokerage:export", args=["ledger", "csv"]))
    assert ledger.content.decode("utf-8-sig").splitlines()[0] == "School,Days given,Days received,Balance,Only takes"


def test_school_page_and_risk_page_show_active_support(world):
    b = brokerage_world(world)
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    _ok(head.get(reverse("schools:detail", args=[world.own_school.urn])), "Active support")
    officer = client_for(b.officer.user)
    page = officer.get(reverse("schools:detail", args=[world.own_school.urn])).content.decode()
    assert "Sam Leader (demo)" in page
    cluster_lead = client_for(make_member(world, Role.CLUSTER_LEAD).user)
    assert (
        "Active support"
        not in cluster_lead.get(reverse("schools:detail", args=[world.own_school.urn])).content.decode()
    )
    assert Membership.objects.filter(user=b.officer.user).exists()


def test_declaring_an_interest_excludes_the_provider_and_the_settings_add_a_specialism(world):
    b = brokerage_world(world)
    leader = client_for(make_member(world, Role.SYSTEM_LEADER).user)
    response = leader.post(reverse("brokerage:interest_add", args=[b.provider.pk]), {"school_urn": "1", "note": "x"})
    assert "Enter the URN of a school in this partnership" in response.content.decode()
    _ok(
        leader.post(
            reverse("brokerage:interest_add", args=[b.provider.pk]),
            {"school_urn": world.own_school.urn, "note": "Governor at the school (test)"},
        )
    )
    officer = client_for(b.officer.user)
    _ok(officer.post(reverse("brokerage:request_transition", args=[b.request.pk]), {"to": "triaged"}))
    _ok(officer.post(reverse("brokerage:request_shortlist", args=[b.request.pk])))
    _ok(
        officer.get(reverse("brokerage:request_detail", args=[b.request.pk])),
        "Has declared an interest in this school.",
    )
    settings_page = officer.get(reverse("brokerage:settings"))
    data = {k: v for k, v in settings_page.context["form"].initial.items()}
    data["new_specialism"] = "Oracy"
    _ok(officer.post(reverse("brokerage:settings"), data))
    assert "Oracy" in [s.name for s in selectors.specialism_list(partnership_id=world.home.pk)]
