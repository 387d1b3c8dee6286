"""Issue #9, item 7: what schools read never leaks a number or a confidential rating. An academy's trace says
"concern / no concern" in its sentences too; an indicator rated by a confidential entry shows the school no
rating; heads do not see which officer recorded an entry."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from partnership.models import Role
from schools.risk.categorisation import services as rounds
from schools.risk.categorisation.presenters import school_trace
from schools.risk.models import SchoolCategory
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.risk.helpers import entry, succeeded_run

CONFIDENTIAL = "details are confidential to the local authority"
REASONS = [
    "Warning notice recorded 5 March 2025: Trust notified: at least category 3",
    "Standards band B (1 red, 2 amber) and capacity band C (0 red, 1 amber) give category 2; overrides raise it to 3"
    "; the register of concern raises it to 4",
    f"Safeguarding concern recorded 2 May 2025 (red): {CONFIDENTIAL}: category 4",
    "Leading: category 1, standards band A, capacity band A, no red indicators, strong report card of 3 May 2024",
    "Insufficient evidence (fewer than 3 standards indicators could be rated, and no override applies; with what"
    " there is, the bands would give category 2)",
]
INDICATORS = {
    "C1": {"rating": "R", "value": 0, "sentence": f"Headship intelligence recorded 4 May 2025 (red): {CONFIDENTIAL}"},
    "C2": {
        "rating": "A",
        "value": None,
        "sentence": f"Leadership judged good (legacy, 3 May 2024); Leadership intelligence recorded 4 May 2025"
        f" (amber): {CONFIDENTIAL}",
    },
    "C3": {
        "rating": "R",
        "value": None,
        "sentence": f"Governance intelligence recorded 4 May 2025 (green): {CONFIDENTIAL}"
        "; Governance judged inadequate (legacy, 3 May 2024)",
    },
    "S1": {"rating": "G", "value": 70.0, "sentence": "70% reached the expected standard"},
    "C4": {  # a red finance entry kept red past its window (#14.5): the clause must not tell the school it is red
        "rating": "R",
        "value": None,
        "sentence": f"Finance intelligence recorded 4 May 2024 (red): {CONFIDENTIAL}; review due: recorded more than"
        " 12 months ago, it stays red until an officer archives it or records a newer finance entry",
    },
}


def _row(world, *, academy: bool):
    officer = UserFactory(email="facing-officer@example.test")
    SchoolFactory.create_batch(2, partnership=world.home)
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn 2026", user=officer
    )
    sc = SchoolCategory.objects.select_related("assessment", "round__run__ruleset_version").get(
        round=opened, school=world.own_school
    )
    sc.assessment.reasons = REASONS
    sc.assessment.indicators = INDICATORS
    sc.assessment.academy_view = "concern" if academy else ""
    sc.assessment.save(update_fields=["reasons", "indicators", "academy_view"])
    return sc


def test_an_academys_sentences_say_concern_never_a_category_number(world):
    trace = school_trace(_row(world, academy=True))
    text = " ".join(trace.reasons + [r.sentence for r in trace.indicators])
    assert not re.search(r"category \d", text), text  # before: "give category 2", "at least category 3", ...
    assert not re.search(r"raises? it to \d", text), text
    assert "concern" in text
    assert "give no concern; overrides raise it to concern; the register of concern raises it to concern" in text
    assert "Leading: no concern" in text


def test_a_maintained_school_still_reads_its_numbers(world):
    trace = school_trace(_row(world, academy=False))
    assert "give category 2" in " ".join(trace.reasons)


def test_an_indicator_rated_by_a_confidential_entry_shows_the_school_no_rating(world):
    rows = {r.code: r for r in school_trace(_row(world, academy=False)).indicators}
    assert rows["C1"].rating == "Not shown" and rows["C1"].tag == ""  # only a confidential entry: before "Red"
    assert rows["C2"].rating == "Not shown"  # amber from the confidential entry, the inspection was good
    assert rows["C3"].rating == "Red"  # the inspection made it red, not the (green) confidential entry
    assert rows["S1"].rating == "Green"
    assert all(CONFIDENTIAL not in r.sentence for r in rows.values())
    assert rows["C4"].rating == "Not shown"
    assert "stays red" not in rows["C4"].sentence and "review due" not in rows["C4"].sentence  # review finding
    assert rows["C4"].sentence == "Finance intelligence recorded in confidence by the local authority"


def test_heads_do_not_see_which_officer_recorded_an_entry(world):
    recorder = make_member(world, Role.OFFICER).user
    recorder.full_name = "Olivia Officer-Name"
    recorder.save()
    intel = entry(world.own_school, kind="finance", rating="amber", recorded_on=dt.date.today(), summary="Deficit")
    intel.recorded_by = recorder
    intel.save()
    url = reverse("risk:intelligence_list", args=[world.own_school.urn])
    head_page = client_for(make_member(world, Role.HEADTEACHER).user).get(url).content.decode()
    assert "Deficit" in head_page and "Olivia Officer-Name" not in head_page and "Recorded by" not in head_page
    officer_page = client_for(make_member(world, Role.ADMIN).user).get(url).content.decode()
    assert "Olivia Officer-Name" in officer_page
