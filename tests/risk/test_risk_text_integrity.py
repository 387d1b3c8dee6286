"""A run's dictionary of sentences (``RiskText``) has no foreign-key constraint in the database (ADR 0030): the
writer itself makes sure the run exists and stays until the commit, and deleting a run deletes its texts."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from schools.risk import risk_compute
from schools.risk.models import RiskAssessment, RiskRun, RiskText
from schools.risk.services import risk_assessments_write
from tests.factories import PartnershipFactory, SchoolFactory
from tests.risk.helpers import succeeded_run
from tests.schools.risk.builders import inputs, school, schools

pytestmark = pytest.mark.django_db


def _result(stored):
    return risk_compute(inputs(schools(*(school(s.pk, urn=s.urn, name=s.name) for s in stored)))).schools


def test_texts_are_written_for_the_run_and_deleted_with_it() -> None:
    partnership = PartnershipFactory()
    stored = SchoolFactory.create_batch(3, partnership=partnership)
    run = succeeded_run(partnership, assess=False)
    with transaction.atomic():
        assert risk_assessments_write(run=run, schools=_result(stored)) == 3
    assert RiskText.objects.filter(run=run).count() > 0
    assert RiskAssessment.objects.filter(run=run).count() == 3

    run.delete()  # Django deletes the texts (on_delete), as the database constraint did before
    assert not RiskText.objects.filter(run_id=run.pk).exists()
    assert not RiskAssessment.objects.filter(run_id=run.pk).exists()


def test_a_run_deleted_before_its_assessments_are_written_gets_none() -> None:
    partnership = PartnershipFactory()
    stored = SchoolFactory.create_batch(2, partnership=partnership)
    run = succeeded_run(partnership, assess=False)
    result = _result(stored)
    RiskRun.objects.filter(pk=run.pk).delete()
    with pytest.raises(RiskRun.DoesNotExist), transaction.atomic():
        risk_assessments_write(run=run, schools=result)
    assert not RiskText.objects.filter(run_id=run.pk).exists()
    assert not RiskAssessment.objects.filter(run_id=run.pk).exists()


def test_the_texts_table_has_no_foreign_key_and_the_assessments_keep_theirs() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid IN ('risk_risktext'::regclass, 'risk_riskassessment'::regclass)"
        )
        keys = sorted(cursor.fetchall())
    assert keys == [("risk_riskassessment", "risk_riskrun"), ("risk_riskassessment", "schools_school")]
