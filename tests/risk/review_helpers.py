"""A review suggestion in the ``world`` fixture (#14.11), for the URL matrix's dismissal case."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from schools.risk.categorisation import services as rounds
from schools.risk.models import CategorisationRound
from tests.factories import UserFactory
from tests.risk.helpers import entry, succeeded_run


def suggested_review(w) -> dict[str, str]:
    """A published annual round of ``home`` opened 30 days ago and a red complaint at the own school 3 days ago:
    the POST data that dismisses that suggestion (made once per world)."""
    day = timezone.localdate() - dt.timedelta(days=3)
    if not hasattr(w, "suggested_review"):
        officer = UserFactory(email="suggestion-officer@example.test")
        annual = rounds.categorisation_round_create(
            partnership=w.home, run=succeeded_run(w.home), name="Suggesting round", user=officer
        )
        CategorisationRound.objects.filter(pk=annual.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
        annual.refresh_from_db()
        rounds.categorisation_round_agree(
            round_=annual, agreed_on=timezone.localdate(annual.created_at), minute="SB/1", user=officer
        )
        rounds.categorisation_round_publish(round_=annual, user=officer, base_url="http://t/")
        entry(w.own_school, kind="complaints", rating="red", recorded_on=day)
        w.suggested_review = True
    return {"trigger": "complaint", "event_on": day.isoformat(), "reason": "Resolved by the governors: no change."}
