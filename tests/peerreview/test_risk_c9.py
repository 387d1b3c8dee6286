"""C9 from peer-review facts: the inputs loader asks peer review (registered in ready()), the engine rates C9
amber with its sentence for no agreed review in 24 months or too many overdue actions, and the register of
concern never counts these facts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from django.utils import timezone

from peerreview.models import Action
from peerreview.risk_facts import peer_review_facts
from schools.risk.engine.compute import risk_compute
from schools.risk.engine.ruleset import DEFAULT_RULESET
from schools.risk.inputs import INTELLIGENCE_FACT_PROVIDERS, risk_inputs_load
from tests.peerreview.helpers import pr_world


def _c9(result, school_id):
    rows = result.indicators
    return rows[(rows["school_id"] == school_id) & (rows["code"] == "C9")].iloc[0]


def test_facts_reach_c9_and_never_the_concern_register(world):
    w = pr_world(world)
    assert peer_review_facts in INTELLIGENCE_FACT_PROVIDERS  # connected in PeerreviewConfig.ready()
    today = timezone.localdate()
    result = risk_compute(risk_inputs_load(partnership=w.home, today=today), DEFAULT_RULESET)
    own, peer = _c9(result, w.own_school.pk), _c9(result, w.cluster_school.pk)
    assert own["rating"] == "G" and "last peer review agreed" in own["sentence"].lower()
    assert peer["rating"] == "A"
    assert "no peer review agreed by the school in the last 24 months (none recorded)" in peer["sentence"].lower()
    assert result.schools.loc[w.cluster_school.pk, "concerns"] == 0  # an amber fact is not a concern raised

    for i in range(3):  # three overdue actions: amber even with a recent agreed review
        Action.objects.create(
            review=w.pr_review,
            description=f"late {i}",
            owner="o",
            success_criteria="s",
            due_on=today - dt.timedelta(days=5),
        )
    Action.objects.filter(review=w.pr_review, description__startswith="late").update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    result = risk_compute(risk_inputs_load(partnership=w.home, today=today), DEFAULT_RULESET)
    own = _c9(result, w.own_school.pk)
    assert own["rating"] == "A" and "3 peer-review actions overdue" in own["sentence"]

    # the months are the rule set's
    longer = dataclasses.replace(
        DEFAULT_RULESET, intelligence=dataclasses.replace(DEFAULT_RULESET.intelligence, c9_no_review_months=0)
    )
    facts = peer_review_facts(w.home, today, longer)
    peer_row = facts[facts["school_id"] == w.cluster_school.pk].iloc[0]
    assert peer_row["rating"] == "green"


def test_no_rows_where_peer_review_is_not_in_use(world):
    facts = peer_review_facts(world.home, timezone.localdate(), DEFAULT_RULESET)
    assert isinstance(facts, pd.DataFrame) and facts.empty
