"""The score as people read it (#14 item 7, display): under rule set ``default-2`` (score method "evidence") the
stored tenths are shown as a decimal with one place everywhere (register, run, school page, round pages, the
school's own page, the CSV with a header saying what it is); versions that score by points show the integer.
Every page that lists the trace's reasons carries the engine's sentence saying how the score was made."""

from __future__ import annotations

import datetime as dt
import html
import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from partnership.models import Membership, Role
from schools.risk import DEFAULT_RULESET, ruleset_to_dict
from schools.risk.categorisation import services as rounds
from schools.risk.engine.ruleset import LEGACY_SECTIONS
from schools.risk.models import RiskRun, RuleSetVersion
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.risk.helpers import succeeded_run
from tests.risk.test_register import assess, download, officer_client, parse

EVIDENCE_HEADER = "score (standard errors below national + 0.25 × points)"
POINTS_HEADER = "score (indicator points)"
MEANING = (
    "Score: how many standard errors the school's latest results lie below national (the worse of KS2 reading and "
    "maths progress and Progress 8; KS2 reading, writing and maths attainment where no progress is published), plus "
    "0.25 × its indicator points; below 0 is above national. Each school's page says how its score was made."
)
POINTS_MEANING = "Score: the indicator points (amber 1, red 2, and the S9 trend 1)."
SENTENCE = "Score 2.3 = reading progress 1.8 standard errors below national + 0.25 × 2 points (1 red × 2)"


def _numeric_cells(html: str) -> list[str]:
    return re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', html)


def _points_run(world) -> RiskRun:
    config = ruleset_to_dict(DEFAULT_RULESET)
    for key in LEGACY_SECTIONS:
        config.pop(key)
    version = RuleSetVersion.objects.create(partnership=world.home, version=90, config=config, note="old")
    return RiskRun.objects.create(
        partnership=world.home,
        ruleset_version=version,
        trigger=RiskRun.Trigger.BUTTON,
        state=RiskRun.State.SUCCEEDED,
        progress=100,
        counts={"schools": 2},
    )


def _evidence_run(world) -> RiskRun:
    run = succeeded_run(world.home, assess=False)
    assert run.ruleset_version.config["score"]["method"] == "evidence"
    assess(run, world.own_school, 3, score=23, reasons=[SENTENCE])
    assess(run, world.cluster_school, 1, score=-7)
    return run


def test_evidence_scores_read_as_decimals_and_points_as_integers(world):
    older = _points_run(world)
    assess(older, world.own_school, 2, score=4)
    assess(older, world.cluster_school, 1, score=0)
    run = _evidence_run(world)
    client = officer_client(world)

    register = client.get(reverse("risk:register")).content.decode()
    assert "2.3" in _numeric_cells(register) and "-0.7" in _numeric_cells(register)
    assert "23" not in _numeric_cells(register)
    assert MEANING in html.unescape(register)
    detail = client.get(reverse("risk:run_detail", args=[run.pk])).content.decode()
    assert {"2.3", "-0.7"} <= set(_numeric_cells(detail)) and not {"23", "-7"} & set(_numeric_cells(detail))
    points = client.get(reverse("risk:run_detail", args=[older.pk])).content.decode()
    assert "4" in _numeric_cells(points) and "0.4" not in _numeric_cells(points)
    assert MEANING in html.unescape(detail) and POINTS_MEANING in html.unescape(points)

    page = client.get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    assert re.search(r'Score</dt><dd class="govuk-summary-list__value">2\.3\b', page)
    history = page.split("History of proposed categories", 1)[1]
    assert _numeric_cells(history)[:2] == ["2.3", "4"], "the history: each run's score as its own rule set writes it"
    assert SENTENCE in page

    rows = parse(download(client))
    assert EVIDENCE_HEADER in rows[0] and "score" not in rows[0]
    assert {r["urn"]: r[EVIDENCE_HEADER] for r in rows} == {
        str(world.own_school.urn): "2.3",
        str(world.cluster_school.urn): "-0.7",
    }
    assert SENTENCE in next(r for r in rows if r["urn"] == str(world.own_school.urn))["reasons"]


def test_a_points_run_exports_its_integer_under_a_header_saying_so(world):
    older = _points_run(world)
    assess(older, world.own_school, 2, score=4)
    rows = parse(download(officer_client(world)))
    assert POINTS_HEADER in rows[0]
    assert rows[0][POINTS_HEADER] == "4"
    out = StringIO()
    call_command("export_risk", "--partnership", "home", stdout=out)
    assert POINTS_HEADER in out.getvalue().splitlines()[0]


def test_round_pages_and_the_schools_own_page_show_the_decimal_and_the_sentence(world):
    run = _evidence_run(world)
    officer = UserFactory(email="display-officer@example.test")
    opened = rounds.categorisation_round_create(partnership=world.home, run=run, name="Autumn 2026", user=officer)
    client = officer_client(world)
    page = client.get(reverse("risk:round_school", args=[opened.pk, world.own_school.urn])).content.decode()
    assert re.search(r'Score</dt><dd class="govuk-summary-list__value">2\.3\b', page)
    assert SENTENCE in page
    rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/26/1", user=officer)
    rounds.categorisation_round_publish(round_=opened, user=officer, base_url="http://testserver/")
    head = Membership.objects.create(
        user=UserFactory(email="display-head@example.test"),
        partnership=world.home,
        roles=[Role.HEADTEACHER],
        school=world.own_school,
    )
    own = client_for(head.user).get(reverse("risk:own_category")).content.decode()
    assert re.search(r'Score</dt><dd class="govuk-summary-list__value">2\.3\b', own)
    assert SENTENCE in own


def test_a_real_run_explains_every_school_s_score_on_its_page(world):
    call_command("compute_risk", "--partnership", "home", "--wait", stdout=StringIO(), stderr=StringIO())
    page = officer_client(world).get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    assert re.search(r"<li>Score -?\d+\.\d = [^<]+ \+ 0\.25 × \d+ points?", page)
