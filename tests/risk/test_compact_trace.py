"""Issue #15, item 2: compact risk traces (ADR 0025) show exactly what traces stored in full showed.

On the demo (the Surrey schools, its run and its published round, built in the test database), every school's
risk page, every school's round page, the register and its CSV, the run's page, the head's and the chair's own
category pages and every school's school-facing trace are rendered twice: from the run as it is stored now
(compact: numbers into the run's dictionary of sentences) and after the same assessments are rewritten in the
older, full form (sentences per school in JSON) straight from the engine's answer. The two renderings must be
identical, so old runs still display and new runs display what the engine wrote.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.builder import DEMO_SLUG, demo_delete
from partnership.models import Membership, Partnership
from schools.models import School
from schools.risk import risk_compute as engine_compute
from schools.risk import services as risk_services
from schools.risk.categorisation.presenters import school_trace
from schools.risk.engine.indicators import CODES
from schools.risk.models import CategorisationRound, RiskAssessment, RiskRun, RiskText, SchoolCategory
from schools.risk.presenters import risk_register_csv, risk_register_csv_text
from schools.risk.selectors import assessments_expand, risk_register_csv_rows, risk_register_frame
from tests.conftest import client_for
from tests.paths import SHARED_DATA

AGREED = [CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, with the engine's answer for its run as the run computed it (the frame the writer was given)."""
    answers = []

    def computing(*args, **kwargs):
        answers.append(engine_compute(*args, **kwargs))
        return answers[-1]

    with django_db_blocker.unblock():
        with mock.patch.object(risk_services, "risk_compute", computing):
            call_command("load_demo", data_dir=SHARED_DATA, stdout=StringIO())
        yield SimpleNamespace(partnership=Partnership.objects.get(slug=DEMO_SLUG), answers=answers)
        demo_delete()


def _answer(demo, run: RiskRun) -> pd.DataFrame:
    """The engine's frame that ``run``'s assessments were written from (its schools and categories match)."""
    stored = dict(RiskAssessment.objects.filter(run=run).values_list("school_id", "proposed_category"))
    for answer in reversed(demo.answers):
        schools = answer.schools
        if {k: int(v) for k, v in schools["proposed_category"].items()} == stored:
            return schools
    raise AssertionError("no computation of the demo gave the run's categories")


def _member(partnership: Partnership, email: str) -> Membership:
    return Membership.objects.select_related("user", "school").get(partnership=partnership, user__email=email)


def _rendered(partnership: Partnership) -> dict[str, str]:
    """Every page, export and school-facing trace that shows the demo run's traces, by name."""
    run = RiskRun.objects.get(partnership=partnership)
    officer = client_for(_member(partnership, "officer@demo.test").user)
    pages: dict[str, str] = {}

    def get(client, url: str) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.getvalue()

    for name, url in (
        ("register", reverse("risk:register")),
        ("register.csv", reverse("risk:register_export")),
        ("run", reverse("risk:run_detail", args=[run.pk])),
    ):
        pages[name] = _stable(get(officer, url).decode())
    categories = list(
        SchoolCategory.objects.filter(round__run=run)
        .select_related("school", "round", "round__run", "round__run__ruleset_version", "assessment", "assessment__run")
        .order_by("round_id", "school_id")  # a school may be in several rounds of one run (annual, termly, in-year)
    )
    assessments_expand([sc.assessment for sc in categories])
    for sc in categories:
        urn = sc.school.urn
        pages[f"school {urn}"] = _stable(get(officer, reverse("risk:school", args=[urn])).decode())
        round_url = reverse("risk:round_school", args=[sc.round_id, urn])
        pages[f"round {sc.round_id} {urn}"] = _stable(get(officer, round_url).decode())
        pages[f"school-facing {sc.round_id} {urn}"] = repr(school_trace(sc))
    for email in ("head@demo.test", "chair@demo.test"):
        pages[email] = _stable(get(client_for(_member(partnership, email).user), reverse("risk:own_category")).decode())
    return pages


_PER_RESPONSE = (
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),  # the CSP nonce, new on every response
    (re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]*"'), r'\1""'),  # a masked token, new every time
    (re.compile(r'(<meta name="csrf-token" content=)"[^"]*"'), r'\1""'),
)


def _stable(page: str) -> str:
    """A page without what changes from one response to the next whatever the data (nonces, CSRF tokens)."""
    for pattern, replacement in _PER_RESPONSE:
        page = pattern.sub(replacement, page)
    return page


def _full(value) -> object:
    """A value as the older JSON trace held it (no NaN: null)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _store_in_full(run: RiskRun, schools: pd.DataFrame) -> int:
    """Rewrite the run's assessments in the older full form from the engine's frame (what the writer before
    ADR 0025 stored), and drop the run's dictionary of sentences, which full rows never need."""
    rows = list(RiskAssessment.objects.filter(run=run))
    for a in rows:
        s = schools.loc[a.school_id]
        a.indicators = {
            code: {
                "rating": s[code] if s[code] in ("G", "A", "R") else None,
                "value": _full(s[f"{code}_value"]),
                "sentence": "" if pd.isna(s[f"{code}_sentence"]) else str(s[f"{code}_sentence"]),
            }
            for code in CODES
        }
        a.reasons, a.missing_inputs, a.overrides = list(s["reasons"]), list(s["missing_inputs"]), list(s["overrides"])
        a.trace_ratings, a.trace_values, a.trace_sentences = "", [], []
        a.trace_reasons, a.trace_missing, a.trace_overrides = [], [], []
    fields = ["indicators", "reasons", "missing_inputs", "overrides", "trace_ratings", "trace_values"]
    fields += ["trace_sentences", "trace_reasons", "trace_missing", "trace_overrides"]
    RiskAssessment.objects.bulk_update(rows, fields, batch_size=200)
    RiskText.objects.filter(run=run).delete()
    return len(rows)


def test_every_page_csv_and_school_facing_trace_reads_the_same_from_compact_and_full_traces(demo, db):
    run = RiskRun.objects.select_related("ruleset_version", "partnership").get(partnership=demo.partnership)
    assert run.trace_codes == list(CODES)
    stored = RiskAssessment.objects.filter(run=run)
    assert stored.exclude(trace_ratings="").count() == stored.count() > 300, "the demo run is stored compact"
    assert not stored.exclude(indicators={}).exists(), "compact rows carry no sentences of their own"
    texts = RiskText.objects.filter(run=run).count()
    assert 0 < texts < stored.count() * len(CODES), "each sentence once per run, not once per school"

    schools = _answer(demo, run)
    by_school = dict(stored.values_list("school_id", "proposed_category"))

    compact = _rendered(demo.partnership)
    assert len(compact) > 3 * 300
    assert _store_in_full(run, schools) == len(by_school)
    assert not RiskAssessment.objects.filter(run=run).exclude(trace_ratings="").exists()
    full = _rendered(demo.partnership)

    assert compact.keys() == full.keys()
    differing = [name for name in compact if compact[name] != full[name]]
    first = differing[0] if differing else ""
    changed = list(difflib.unified_diff(compact.get(first, "").splitlines(), full.get(first, "").splitlines(), n=0))
    assert not differing, f"{len(differing)} renderings differ, e.g. {differing[:5]}; {first}:\n" + "\n".join(
        changed[:20]
    )
    # and the traces are really on the pages compared (not two empty pages)
    plain = re.compile(r"^[A-Za-z0-9 ,.:;()%-]+$")
    urns = dict(zip(schools.index, schools["urn"].astype(int), strict=True))
    shown = [
        (urns[school_id], reason)
        for school_id, reasons in schools["reasons"].items()
        for reason in reasons
        if plain.match(reason)
    ]
    assert shown and all(reason in compact[f"school {urn}"] for urn, reason in shown[:50])
    assert all(reason in compact["register.csv"] for _, reason in shown[:50])


def test_a_compact_assessment_expands_to_the_engine_s_sentences(demo, db):
    run = RiskRun.objects.get(partnership=demo.partnership)
    assessments = list(RiskAssessment.objects.filter(run=run).select_related("run"))
    assessments_expand(assessments)
    schools = _answer(demo, run)
    for a in assessments:
        s = schools.loc[a.school_id]
        assert a.reasons == list(s["reasons"]) and a.missing_inputs == list(s["missing_inputs"])
        assert a.overrides == list(s["overrides"])
        for code in CODES:
            assert a.indicators[code]["sentence"] == ("" if pd.isna(s[f"{code}_sentence"]) else s[f"{code}_sentence"])
            assert a.indicators[code]["rating"] == (s[code] if s[code] in ("G", "A", "R") else None)
            value, expected = a.indicators[code]["value"], _full(s[f"{code}_value"])
            assert value == expected or (value is not None and value == pytest.approx(expected, rel=1e-9))


def _both_csvs(run: RiskRun, agreed) -> tuple[str, str]:
    """The register download as the view writes it (rows read in SQL) and as the frame writes it."""
    version = run.ruleset_version
    rows = risk_register_csv_rows(run=run, agreed=agreed)
    return (
        risk_register_csv_text(rows, version=version),
        risk_register_csv(risk_register_frame(run=run, agreed=agreed), version=version),
    )


def test_the_register_download_is_the_frames_csv_byte_for_byte_compact_full_and_hostile(demo, db):
    """The download reads its rows in one query and writes each line itself (#15); it must be exactly the CSV
    the register frame gives, for compact and full traces, an agreed round or none, and names a spreadsheet or a
    CSV reader could trip on."""
    run = RiskRun.objects.select_related("ruleset_version").get(partnership=demo.partnership)
    agreed = CategorisationRound.objects.filter(run=run, state__in=AGREED).order_by("-agreed_on").first()
    assert agreed is not None, "the demo has a published round"
    hostile = ['=HYPERLINK("http://x.test","click")', 'St Mary\'s, "the" school', "Two\r\nlines\ttab", "@SUM(A1)"]
    targets = list(RiskAssessment.objects.filter(run=run).order_by("pk").values_list("school_id", flat=True)[:4])
    for school_id, name in zip(targets, hostile, strict=True):
        School.objects.filter(pk=school_id).update(name=name)

    for _form in ("compact", "full"):
        for round_ in (agreed, None):
            text, expected = _both_csvs(run, round_)
            assert text.count("\r\n") > 300, "the demo's schools are in the download"
            assert text == expected, next(
                (
                    f"line {n}: {a!r} != {b!r}"
                    for n, (a, b) in enumerate(zip(text.splitlines(), expected.splitlines(), strict=False))
                    if a != b
                ),
                "lengths differ",
            )
        if _form == "compact":
            assert _store_in_full(run, _answer(demo, run)) > 300

    assert '"\'=HYPERLINK(""http://x.test"",""click"")"' in text  # formula-safe, then quoted
    assert '"Two\r\nlines\ttab"' in text and "'@SUM(A1)" in text
    parsed = list(csv.reader(StringIO(text.lstrip("\ufeff"), newline="")))
    assert {row[1] for row in parsed[1:]} >= {'St Mary\'s, "the" school', "Two\r\nlines\ttab"}
    assert all(len(row) == len(parsed[0]) for row in parsed)
    assert risk_register_csv_text([], version=None) == risk_register_csv(risk_register_frame(run=None))
