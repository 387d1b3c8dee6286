"""The board's services and the KPI library, against the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partnership.board import selectors, services
from partnership.board.kpi_library import LIBRARY
from partnership.board.models import Kpi, KpiRefresh
from partnership.models import Role
from schools.models import AreaAverage, School
from schools.risk.categorisation import services as rounds
from schools.risk.models import CategorisationRound
from tests.board.helpers import board_world
from tests.conftest import make_member
from tests.factories import UserFactory
from tests.risk.helpers import succeeded_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(email="svc-officer@example.test")


def _strategy(partnership, user):
    return services.strategy_save(
        partnership=partnership,
        title="Strategy",
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2028, 8, 31),
        vision="All good.",
        user=user,
    )


def test_a_fourth_active_priority_is_refused_and_a_retired_one_frees_a_place(world, officer):
    strategy = _strategy(world.home, officer)
    made = [
        services.priority_create(strategy=strategy, title=f"P{i}", rationale="Why", lead="Lead", user=officer)
        for i in range(3)
    ]
    with pytest.raises(ValidationError, match="at most|the most it may have"):
        services.priority_create(strategy=strategy, title="P4", rationale="Why", lead="Lead", user=officer)
    services.priority_retire(priority=made[0], user=officer)
    fourth = services.priority_create(strategy=strategy, title="P4", rationale="Why", lead="Lead", user=officer)
    plan = selectors.plan_on_a_page(partnership_id=world.home.pk)
    assert [p.priority.title for p in plan.priorities] == ["P1", "P2", "P4"]
    assert [p.title for p in plan.retired] == ["P0"]
    assert fourth.number == 4


def test_a_red_deliverable_needs_a_reason(world, officer):
    priority = services.priority_create(
        strategy=_strategy(world.home, officer), title="P", rationale="R", lead="L", user=officer
    )
    with pytest.raises(ValidationError) as error:
        services.deliverable_save(
            priority=priority,
            title="D",
            owner="O",
            due_on=dt.date(2026, 1, 1),
            status="red",
            status_reason="",
            user=officer,
        )
    assert "status_reason" in error.value.message_dict


def test_a_decision_agrees_a_round_and_the_round_points_to_it(world, officer):
    draft = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn", user=officer
    )
    meeting = services.meeting_create(
        partnership=world.home, title="Board", meets_on=dt.date.today(), location="", user=officer
    )
    with pytest.raises(ValidationError, match="held"):
        services.decision_record(meeting=meeting, text="Agreed", user=officer, categorisation_round=draft)
    services.meeting_transition(meeting=meeting, to="held", by=officer)
    decision = services.decision_record(
        meeting=meeting, text="The board agreed the list.", user=officer, categorisation_round=draft
    )
    draft.refresh_from_db()
    assert draft.state == CategorisationRound.State.AGREED
    assert draft.agreed_on == meeting.meets_on
    assert draft.agreed_minute == decision.reference == f"SB/{meeting.meets_on.year}/1"
    assert draft.board_decision == decision
    assert selectors.round_decision(round_=draft) == decision


def test_another_partnerships_round_cannot_be_agreed(world, officer):
    other_round = rounds.categorisation_round_create(
        partnership=world.other, run=succeeded_run(world.other), name="X", user=officer
    )
    meeting = services.meeting_create(
        partnership=world.home, title="Board", meets_on=dt.date.today(), location="", user=officer
    )
    services.meeting_transition(meeting=meeting, to="held", by=officer)
    with pytest.raises(ValidationError):
        services.decision_record(meeting=meeting, text="Agreed", user=officer, categorisation_round=other_round)
    other_round.refresh_from_db()
    assert other_round.state == CategorisationRound.State.DRAFT


def test_a_meeting_cannot_be_held_before_its_date_nor_cancelled_once_held(world, officer):
    later = services.meeting_create(
        partnership=world.home,
        title="Later",
        meets_on=dt.date.today() + dt.timedelta(days=3),
        location="",
        user=officer,
    )
    with pytest.raises(ValidationError):
        services.meeting_transition(meeting=later, to="held", by=officer)
    today = services.meeting_create(
        partnership=world.home, title="Now", meets_on=dt.date.today(), location="", user=officer
    )
    services.meeting_transition(meeting=today, to="held", by=officer)
    with pytest.raises(ValidationError):
        services.meeting_transition(meeting=today, to="cancelled", by=officer)


def test_papers_are_capped_typed_and_confidential_ones_hidden_from_schools(world, officer, settings):
    settings.BOARD_PAPER_MAX_BYTES = 10
    meeting = services.meeting_create(
        partnership=world.home, title="M", meets_on=dt.date.today(), location="", user=officer
    )
    with pytest.raises(ValidationError, match="smaller than"):
        services.paper_upload(
            meeting=meeting,
            title="Big",
            confidential=False,
            upload=SimpleUploadedFile("a.pdf", b"x" * 11),
            user=officer,
        )
    with pytest.raises(ValidationError, match="PDF, Word"):
        services.paper_upload(
            meeting=meeting, title="Exe", confidential=False, upload=SimpleUploadedFile("a.exe", b"x"), user=officer
        )
    with pytest.raises(ValidationError, match="empty"):
        services.paper_upload(
            meeting=meeting, title="Empty", confidential=False, upload=SimpleUploadedFile("a.pdf", b""), user=officer
        )
    secret = services.paper_upload(
        meeting=meeting, title="S", confidential=True, upload=SimpleUploadedFile("s.pdf", b"x"), user=officer
    )
    head = make_member(world, Role.HEADTEACHER)
    board = make_member(world, Role.BOARD_MEMBER)
    assert selectors.meeting_view(membership=head, meeting=meeting).papers == []
    assert selectors.meeting_view(membership=head, meeting=meeting).hidden_items == 1
    assert selectors.meeting_view(membership=board, meeting=meeting).papers == [secret]


def test_library_kpi_computes_from_area_averages_with_source_rag_and_direction(world, officer):
    world.home.la_codes = ["936"]
    world.home.save()
    for year, la, england in [(2017, 60.0, 61.0), (2018, 63.0, 64.0), (2019, 66.0, 65.0)]:
        AreaAverage.objects.create(partnership=world.home, year=year, code="ks2_rwm_exp", area="936", value=la)
        AreaAverage.objects.create(partnership=world.home, year=year, code="ks2_rwm_exp", area="england", value=england)
    kpi = services.kpi_create_from_library(
        partnership=world.home, code="ks2_rwm_la", target=65.0, target_on=dt.date(2028, 7, 31), user=officer
    )
    values = list(kpi.values.order_by("period"))
    assert [(v.period, v.value, v.comparator_value) for v in values] == [
        (2017, 60.0, 61.0),
        (2018, 63.0, 64.0),
        (2019, 66.0, 65.0),
    ]
    assert [v.rag_auto for v in values] == ["red", "amber", "green"]  # 5 short, 2 short (amber within 3), beyond
    assert [v.direction for v in values] == ["none", "improved", "improved"]
    assert all(v.source == "import" and "KS2 results" in v.source_detail for v in values)
    with pytest.raises(ValidationError):  # one live KPI per library entry
        services.kpi_create_from_library(
            partnership=world.home, code="ks2_rwm_la", target=65.0, target_on=dt.date(2028, 7, 31), user=officer
        )


def test_an_override_needs_a_reason_and_survives_recomputation(world, officer):
    world.home.la_codes = ["936"]
    world.home.save()
    AreaAverage.objects.create(partnership=world.home, year=2019, code="abs_persistent", area="936", value=12.0)
    kpi = services.kpi_create_from_library(
        partnership=world.home, code="persistent_absence", target=10.0, target_on=dt.date(2028, 7, 31), user=officer
    )
    value = kpi.values.get()
    assert value.rag_auto == "amber"
    with pytest.raises(ValidationError):
        services.kpi_value_override(value=value, rag="green", reason=" ", user=officer)
    services.kpi_value_override(value=value, rag="green", reason="New attendance team in post", user=officer)
    services.kpis_recompute(partnership=world.home)
    value.refresh_from_db()
    assert (value.rag, value.rag_auto, value.override_reason) == ("green", "amber", "New attendance team in post")


def test_categories_and_isolated_kpis_read_rounds_and_the_register(world, officer):
    first = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="First", user=officer
    )
    rounds.categorisation_round_agree(round_=first, agreed_on=dt.date.today(), minute="SB/1", user=officer)
    points = LIBRARY["categories_3_4_share"].compute(world.home)
    assert len(points) == 1 and points[0].source == "run" and 0 <= points[0].value <= 100
    assert LIBRARY["categories_moved_up"].compute(world.home) == []  # one round: nothing to compare
    isolated = LIBRARY["isolated_schools"].compute(world.home)
    expected = School.objects.filter(partnership=world.home).isolated().count()
    assert expected >= 1 and isolated[0].value == float(expected) and isolated[0].source == "register"


def test_a_manual_kpi_takes_values_by_hand_and_a_computed_one_refuses(world, officer):
    b = board_world(world)
    assert b.value.source == "manual" and b.value.rag_auto == "red"  # 70 against 80, amber within 5
    computed = services.kpi_create_from_library(
        partnership=world.home, code="isolated_schools", target=0, target_on=dt.date(2028, 7, 31), user=officer
    )
    with pytest.raises(ValidationError, match="computed"):
        services.kpi_value_record(kpi=computed, period=2026, value=1.0, user=officer)


def test_a_refresh_request_joins_one_already_waiting(world, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = services.kpi_refresh_request(partnership_id=world.home.pk, user=officer)
        second = services.kpi_refresh_request(partnership_id=world.home.pk, user=officer)
    assert first.pk == second.pk
    assert KpiRefresh.objects.filter(partnership=world.home).count() == 1


def test_a_finished_import_or_run_asks_for_a_kpi_refresh(world, django_capture_on_commit_callbacks):
    from partnership.jobs import job_transition
    from schools.risk.models import RiskRun
    from schools.risk.services import ruleset_version_active

    run = RiskRun.objects.create(
        partnership=world.home, ruleset_version=ruleset_version_active(partnership=world.home), trigger="button"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_transition(job=run, state=RiskRun.State.RUNNING)
        job_transition(job=run, state=RiskRun.State.SUCCEEDED)
    assert KpiRefresh.objects.filter(partnership=world.home).exists()


def test_declared_interests_feed_conflicts(world, officer):
    services.declaration_create(
        member=world.board_member,
        kind="governance",
        interest="Chair of governors",
        declared_on=dt.date(2025, 1, 1),
        school=world.own_school,
        user=officer,
    )
    ended = services.declaration_create(
        member=world.board_member,
        kind="employment",
        interest="Consultant",
        declared_on=dt.date(2024, 1, 1),
        organisation="Example Learning Trust",
        user=officer,
    )
    services.declaration_end(declaration=ended, ended_on=dt.date(2024, 12, 31), user=officer)
    conflicts = selectors.school_conflicts(partnership_id=world.home.pk, school_id=world.own_school.pk)
    assert [c["member"] for c in conflicts] == ["Chair Person"]
    assert (
        selectors.school_conflicts(
            partnership_id=world.home.pk, school_id=world.outside_school.pk, trust_name="Example Learning Trust"
        )
        == []
    )
    assert selectors.school_conflicts(partnership_id=world.other.pk, school_id=world.own_school.pk) == []
    from partnership.selectors import declared_interests  # what brokerage reads, without importing the board

    assert [d["school_id"] for d in declared_interests(partnership_id=world.home.pk)] == [world.own_school.pk]


def test_kpi_values_keep_manual_entries_out_of_computed_kpis(world, officer):
    kpi = services.kpi_save(
        partnership=world.home,
        user=officer,
        title="T",
        definition="D",
        polarity="lower",
        unit="count",
        source="S",
        comparator="target",
        priority=None,
        baseline=None,
        baseline_period="",
        target=5.0,
        target_on=dt.date(2027, 1, 1),
        green_within=0.0,
        amber_within=2.0,
    )
    services.kpi_value_record(kpi=kpi, period=2025, value=9, user=officer)
    services.kpi_value_record(kpi=kpi, period=2026, value=6, user=officer)
    assert list(kpi.values.order_by("period").values_list("rag_auto", "direction")) == [
        ("red", "none"),
        ("amber", "improved"),
    ]
    assert Kpi.objects.get(pk=kpi.pk).is_manual
