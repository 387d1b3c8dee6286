"""The board's pages as each role sees them, and the meeting pack built end to end."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from partnership.board import services
from partnership.board.models import MeetingPack
from partnership.models import Role
from schools.risk.categorisation import services as rounds
from tests.board.helpers import board_world
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.risk.helpers import succeeded_run

pytestmark = pytest.mark.django_db


def _agreed_round(world, name="Agreed round"):
    officer = UserFactory(email=f"pages-{name.replace(' ', '-').lower()}@example.test")
    r = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name=name, user=officer
    )
    return rounds.categorisation_round_agree(round_=r, agreed_on=dt.date.today(), minute="SB/9", user=officer)


def test_the_board_sees_suppressed_aggregates_and_no_map(world):
    _agreed_round(world)
    page = client_for(make_member(world, Role.BOARD_MEMBER).user).get(reverse("board:dashboard")).content.decode()
    assert "fewer than 3" in page  # the world has four schools: every non-zero cell is small
    assert "chart-categories-district" in page and "chart-school-map" not in page
    assert "Own Primary School" not in page


def test_officers_see_the_map_with_schools(world):
    for school in (world.own_school, world.cluster_school):
        school.easting, school.northing = 510000, 160000
        school.save()
    _agreed_round(world)
    page = client_for(make_member(world, Role.OFFICER).user).get(reverse("board:dashboard")).content.decode()
    assert "chart-school-map" in page and "Own Primary School" in page
    assert "fewer than 3" not in page.split("chart-school-map")[0].split("chart-categories-district")[1]


def test_a_head_sees_the_own_school_against_the_partnership(world):
    page = client_for(make_member(world, Role.HEADTEACHER).user).get(reverse("board:dashboard")).content.decode()
    assert "Your school, Own Primary School" in page


def test_the_round_in_aggregate_counts_by_district_with_small_cells_suppressed(world):
    SchoolFactory.create_batch(6, partnership=world.home, district="Elmbridge", phase="Primary")
    b = board_world(world)
    board_page = (
        client_for(make_member(world, Role.BOARD_MEMBER).user)
        .get(reverse("board:round", args=[b.round.pk]))
        .content.decode()
    )
    officer_page = (
        client_for(make_member(world, Role.OFFICER).user)
        .get(reverse("board:round", args=[b.round.pk]))
        .content.decode()
    )
    assert "fewer than 3" in board_page
    assert "Counts of 1 or 2 schools are not shown" in board_page
    assert "fewer than 3" not in officer_page
    assert "Elmbridge" in board_page


def test_a_head_sees_the_meeting_without_its_confidential_items(world):
    b = board_world(world)
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    page = head.get(reverse("board:meeting", args=[b.meeting.pk])).content.decode()
    assert "Public paper" in page and "Welcome" in page
    assert "Confidential paper" not in page and "Schools causing concern" not in page
    assert head.get(reverse("board:paper", args=[b.paper.pk])).status_code == 404
    assert head.get(reverse("board:paper", args=[b.public_paper.pk])).status_code == 200
    board = client_for(make_member(world, Role.BOARD_MEMBER).user)
    assert b"secret" in b"".join(board.get(reverse("board:paper", args=[b.paper.pk])).streaming_content)


def test_a_fourth_priority_is_refused_on_the_page(world):
    b = board_world(world)
    client = client_for(make_member(world, Role.OFFICER).user)
    for i in range(2):
        client.post(reverse("board:priority_add"), {"title": f"Extra {i}", "rationale": "Because", "lead": "Lead"})
    response = client.post(reverse("board:priority_add"), {"title": "Fourth", "rationale": "Because", "lead": "Lead"})
    assert response.status_code == 200
    assert "the most it may have: retire one before adding another" in response.content.decode()
    assert b.strategy.priorities.filter(retired_at__isnull=True).count() == 3


def test_an_empty_form_says_what_to_enter(world):
    client = client_for(make_member(world, Role.OFFICER).user)
    page = client.post(reverse("board:meeting_add"), {}).content.decode()
    assert "Enter the title of the meeting" in page and "Enter the date of the meeting" in page


def test_agreeing_a_round_from_a_meeting_page(world):
    b = board_world(world)
    client = client_for(make_member(world, Role.OFFICER).user)
    response = client.post(
        reverse("board:decision_add", args=[b.meeting.pk]),
        {"text": "The board agreed the round.", "categorisation_round": b.round.pk},
    )
    assert response.status_code == 302
    b.round.refresh_from_db()
    assert b.round.state == "agreed" and b.round.board_decision.meeting == b.meeting


def test_the_pack_is_built_frozen_with_a_pdf_and_a_workbook(world):
    from openpyxl import load_workbook

    b = board_world(world)  # its draft round is the one the pack summarises
    pack = services.meeting_pack_request(meeting=b.meeting, user=None)
    services.meeting_pack_build(pack=pack)
    pack = MeetingPack.objects.get(pk=pack.pk)
    assert pack.state == "succeeded" and pack.progress == 100
    assert bytes(pack.pdf).startswith(b"%PDF") and pack.page_count >= 4
    workbook = load_workbook(io.BytesIO(bytes(pack.xlsx)))
    assert {"Plan", "Scorecard", "Exceptions", "Categorisation", "Declarations"} <= set(workbook.sheetnames)
    assert pack.content["categorisation"]["round"] == b.round.name
    assert [e["title"] for e in pack.content["exceptions"]] == ["Attendance at network meetings", "Reading network"]
    services.kpi_value_record(kpi=b.kpi, period=2025, value=99.0, note="Later", user=None)
    pack.refresh_from_db()
    assert pack.content["scorecard"][0]["value"] == "70.0%"  # frozen as on the day
    client = client_for(make_member(world, Role.BOARD_MEMBER).user)
    assert client.get(reverse("board:pack_pdf", args=[pack.pk]))["Content-Type"] == "application/pdf"
    assert "pages, built in" in client.get(reverse("board:pack", args=[pack.pk])).content.decode()


def test_the_officers_home_is_a_work_queue(world):
    from schools.models import ImportJob

    b = board_world(world)  # a draft round, an action due today (not yet overdue)
    ImportJob.objects.create(
        partnership=world.home, kind="gias", original_filename="bad.csv", stored_path="x", state="failed"
    )
    services.action_create(
        meeting=b.meeting, description="Late", owner="O", due_on=dt.date.today() - dt.timedelta(days=1), user=None
    )
    page = client_for(make_member(world, Role.OFFICER).user).get(reverse("partnership:home")).content.decode()
    assert "Waiting for you" in page
    assert "Categorisation rounds in draft: 1" in page
    assert "Imports that failed in the last 14 days: 1" in page
    assert "Board actions overdue: 1" in page
    head_page = client_for(make_member(world, Role.HEADTEACHER).user).get(reverse("partnership:home")).content.decode()
    assert "Waiting for you" not in head_page


def test_text_people_type_stays_text_in_the_pack(world):
    """Markup in a title must not break the PDF (reportlab reads <b>) and a formula must not run in the workbook."""
    from openpyxl import load_workbook

    b = board_world(world)
    b.deliverable.title = '=HYPERLINK("http://example.invalid","KS2 <b>gap")'
    b.deliverable.save(update_fields=["title"])
    pack = services.meeting_pack_request(meeting=b.meeting, user=None)
    services.meeting_pack_build(pack=pack)
    pack = MeetingPack.objects.get(pk=pack.pk)
    assert pack.state == "succeeded", pack.message if hasattr(pack, "message") else pack.state
    workbook = load_workbook(io.BytesIO(bytes(pack.xlsx)))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    typed = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert typed and all(c.data_type == "s" for c in typed)
    assert not any(c.data_type == "f" for c in cells)
