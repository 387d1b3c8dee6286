"""Rule-set versions: seeded from the engine's default, changed only by admins through a validated form."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnership.models import Role
from schools.risk import DEFAULT_RULESET, ruleset_to_dict
from schools.risk.models import RiskRun, RuleSetVersion
from schools.risk.services import risk_run_create, ruleset_version_active, ruleset_version_create
from tests.conftest import client_for, make_member


def _matrix(top_left: int) -> dict:
    config = ruleset_to_dict(DEFAULT_RULESET)
    config["matrix"][0][0] = top_left
    return config


def test_a_new_version_is_validated_becomes_active_and_is_used_by_the_next_run(world):
    first = risk_run_create(partnership=world.home, trigger=RiskRun.Trigger.BUTTON)
    version = ruleset_version_create(partnership=world.home, config=_matrix(2), note="Stricter", created_by=None)
    assert version.version == 2 and version.is_active and version.config["matrix"][0][0] == 2
    assert list(RuleSetVersion.objects.filter(partnership=world.home, is_active=True)) == [version]
    assert first.ruleset_version.version == 1  # the earlier run keeps the rules it was queued with
    RiskRun.objects.filter(pk=first.pk).update(state=RiskRun.State.SUCCEEDED)
    assert risk_run_create(partnership=world.home, trigger=RiskRun.Trigger.BUTTON).ruleset_version == version


def test_an_invalid_rule_set_is_refused_with_every_problem(world):
    ruleset_version_active(partnership=world.home)
    with pytest.raises(ValidationError) as error:
        ruleset_version_create(
            partnership=world.home, config={"matrix": [[9]], "bands": {"d_min_reds": -1}}, created_by=None
        )
    problems = error.value.message_dict["config"]
    assert any(p.startswith("matrix:") for p in problems) and any(p.startswith("bands.d_min_reds:") for p in problems)
    assert RuleSetVersion.objects.filter(partnership=world.home).count() == 1


def test_officers_read_the_rule_set_but_only_admins_change_it(world):
    officer = client_for(make_member(world, Role.OFFICER).user)
    page = officer.get(reverse("risk:ruleset"))
    assert b"The default rule set" in page.content and b"Change the rule set" not in page.content
    assert b"&quot;matrix&quot;" in page.content
    assert officer.get(reverse("risk:ruleset_edit")).status_code == 403
    admin = client_for(make_member(world, Role.ADMIN).user)
    assert b"Change the rule set" in admin.get(reverse("risk:ruleset")).content


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("", "Enter the rule set"),
        ("{not json", "Rule set must be valid JSON (line 1"),
        ("[1, 2]", "Rule set must be a JSON object"),
        (json.dumps({"matrix": [[1, 2], [3, 4]]}), "matrix"),
    ],
)
def test_the_form_explains_what_is_wrong(world, config, message):
    admin = client_for(make_member(world, Role.ADMIN).user)
    response = admin.post(reverse("risk:ruleset_edit"), {"config": config, "note": "Try"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert not RuleSetVersion.objects.filter(version__gt=1).exists()


def test_an_admin_saves_a_new_version(world):
    admin = make_member(world, Role.ADMIN)
    client = client_for(admin.user)
    form = client.get(reverse("risk:ruleset_edit"))
    assert b"&quot;matrix&quot;" in form.content  # the form starts from the rules in use
    response = client.post(
        reverse("risk:ruleset_edit"),
        {"config": json.dumps(_matrix(2)), "note": "<b>Stricter</b> top-left"},
        follow=True,
    )
    assert b"Rule set version 1 saved" in response.content  # the first version saved (no run had seeded one)
    version = RuleSetVersion.objects.get(partnership=world.home, is_active=True)
    assert version.created_by == admin.user and version.note == "<b>Stricter</b> top-left"
    assert b"&lt;b&gt;Stricter&lt;/b&gt;" in response.content


def test_a_version_saved_before_the_register_of_concern_keeps_its_meaning(world):
    from schools.risk import DEFAULT_RULESET, ruleset_to_dict
    from schools.risk.models import RuleSetVersion
    from schools.risk.services import ruleset_version_ruleset

    old = ruleset_to_dict(DEFAULT_RULESET)
    del old["concerns"]
    before = RuleSetVersion(partnership=world.home, version=9, config=old)
    assert ruleset_version_ruleset(version=before).concerns.steps == 0
    now = RuleSetVersion(partnership=world.home, version=10, config=ruleset_to_dict(DEFAULT_RULESET))
    assert ruleset_version_ruleset(version=now).concerns.steps == 1


def test_a_version_saved_before_pooling_and_the_evidence_score_keeps_its_meaning(world):
    """#14 items 6-7: version 1 of an existing partnership keeps dropping small KS2 cohorts and scoring by points;
    a new partnership's first version (and any version saved now) pools them and scores by evidence."""
    from schools.risk import DEFAULT_RULESET, ruleset_to_dict
    from schools.risk.models import RuleSetVersion
    from schools.risk.services import ruleset_version_ruleset

    old = ruleset_to_dict(DEFAULT_RULESET)
    del old["pooling"], old["score"]
    old["version"] = "default-1"
    before = ruleset_version_ruleset(version=RuleSetVersion(partnership=world.home, version=9, config=old))
    assert (before.version, before.score.method, before.pooling.ks2_progress) == ("default-1", "points", False)
    now = ruleset_version_ruleset(
        version=RuleSetVersion(partnership=world.home, version=10, config=ruleset_to_dict(DEFAULT_RULESET))
    )
    assert (now.version, now.score.method, now.pooling.ks2_progress) == ("default-2", "evidence", True)
