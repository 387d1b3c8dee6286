"""Health checks against the database: shipped frameworks, versioning, the cycle and who may move it, indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clusters.health import services
from clusters.health.indicators import cluster_indicators
from clusters.health.models import (
    ClusterAction,
    Framework,
    HealthCheck,
    IndividualRating,
    LevelDescriptor,
    Strand,
)
from partnership.models import Role
from schools.models import AreaAverage, PerformanceValue
from tests.clusters.health.helpers import agree_all, shipped, strands
from tests.conftest import make_member

State = HealthCheck.State


def test_three_frameworks_ship_with_sources_and_a_descriptor_per_level(db):
    services.shipped_frameworks_ensure()  # migration 0002 loads them; a transactional test before may have flushed
    assert services.shipped_frameworks_ensure() == 0  # and loading again adds nothing
    shipped_frameworks = {fw.slug: fw for fw in Framework.objects.filter(partnership__isnull=True)}
    assert set(shipped_frameworks) == {"nine-conditions", "four-stages-support", "three-dimension-check"}
    nine = shipped("nine-conditions")
    assert nine.levels == ["Beginning", "Developing", "Embedding", "Leading"]
    assert Strand.objects.filter(dimension__version=nine).count() == 9
    assert "000_b98d27a1462bcef8" in nine.framework.source and "our wording" in nine.framework.source
    stages = shipped("four-stages-support")
    assert stages.levels[0].startswith("Stage 1") and stages.levels[3] == "Stage 4: challenge embedded"
    assert "001_3f39b5c54da9e85e" in stages.framework.source
    three = shipped("three-dimension-check")
    assert [d.name for d in three.dimensions.all()] == [
        "Pupil performance",
        "Quality of challenge",
        "Quality of support",
    ]
    for version in (nine, stages, three):
        for strand in Strand.objects.filter(dimension__version=version):
            assert sorted(strand.descriptors.values_list("level", flat=True)) == [0, 1, 2, 3]


def _cycle_people(world):
    lead = make_member(world, Role.CLUSTER_LEAD)
    head = make_member(world, Role.HEADTEACHER)
    alliance_lead = make_member(world, Role.ALLIANCE_LEAD)
    return lead, head, alliance_lead


def test_the_whole_cycle_each_move_by_its_owner_dated_and_attributed(world):
    lead, head, alliance_lead = _cycle_people(world)
    check = services.health_check_create(
        membership=lead,
        cluster=world.cluster,
        version=shipped(),
        term="Summer 2026",
        held_on=timezone.localdate(),
        show_names=False,
    )
    with pytest.raises(PermissionDenied):
        services.health_check_transition(check=check, to=State.RATING, by=head)
    check = services.health_check_transition(check=check, to=State.RATING, by=lead)
    all_strands = strands(check)
    count = services.individual_ratings_save(
        check=check, by=head, ratings={s.pk: (2, f"Our evidence on {s.name}") for s in all_strands}
    )
    assert count == len(all_strands)
    rating = IndividualRating.objects.get(check_obj=check, strand=all_strands[0])
    assert rating.school == world.own_school and rating.rated_by == head.user and rating.rated_at is not None

    with pytest.raises(ValidationError, match="every strand"):
        services.health_check_transition(check=check, to=State.CONSENSUS, by=lead)
    for s in all_strands:
        services.consensus_save(
            check=check,
            strand=s,
            by=lead,
            level=1,
            evidence="Agreed at the meeting",
            next_step=f"Do {s.name}",
            owner="Head of Own Primary",
            due_on=check.held_on + dt.timedelta(days=90),
        )
    with pytest.raises(PermissionDenied):  # the alliance moderates, it does not agree the consensus
        services.health_check_transition(check=check, to=State.CONSENSUS, by=alliance_lead)
    check = services.health_check_transition(check=check, to=State.CONSENSUS, by=lead)
    assert check.indicators is not None and check.indicators_at is not None
    assert ClusterAction.objects.filter(check_obj=check).count() == len(all_strands)
    with pytest.raises(ValidationError, match="Ratings are not open"):
        services.individual_ratings_save(check=check, by=head, ratings={all_strands[0].pk: (0, "late")})

    with pytest.raises(ValidationError, match="every strand"):
        services.health_check_transition(check=check, to=State.MODERATED, by=alliance_lead)
    with pytest.raises(ValidationError, match="why you challenge"):
        services.consensus_moderate(
            check=check, strand=all_strands[0], by=alliance_lead, decision="challenged", note=""
        )
    services.consensus_moderate(
        check=check, strand=all_strands[0], by=alliance_lead, decision="challenged", note="Evidence thin"
    )
    for s in all_strands[1:]:
        services.consensus_moderate(check=check, strand=s, by=alliance_lead, decision="confirmed", note="")
    with pytest.raises(ValidationError, match="Moderation has started"):
        services.health_check_transition(check=check, to=State.RATING, by=lead)
    check = services.health_check_transition(check=check, to=State.MODERATED, by=alliance_lead)
    with pytest.raises(ValidationError):  # no skipping: moderated → actions is not in the table
        services.health_check_transition(check=check, to=State.ACTIONS, by=lead)
    check = services.health_check_transition(check=check, to=State.PUBLISHED, by=lead, note="Shared with the LA")
    check = services.health_check_transition(check=check, to=State.ACTIONS, by=lead)

    events = list(check.events.order_by("at", "pk").values_list("from_state", "to_state", "by_id"))
    assert [e[1] for e in events] == ["draft", "rating", "consensus", "moderated", "published", "actions"]
    assert [e[2] for e in events] == [
        lead.user_id,
        lead.user_id,
        lead.user_id,
        alliance_lead.user_id,
        lead.user_id,
        lead.user_id,
    ]

    action = ClusterAction.objects.filter(check_obj=check).first()
    done = services.cluster_action_complete(action=action, by=lead, completed_on=timezone.localdate())
    assert done.status == "done"
    with pytest.raises(PermissionDenied):
        services.cluster_action_complete(
            action=ClusterAction.objects.exclude(pk=action.pk).first(), by=head, completed_on=timezone.localdate()
        )


def test_reopening_the_consensus_unfreezes_and_removes_generated_actions(world):
    lead, _, _ = _cycle_people(world)
    check = HealthCheck.objects.create(
        partnership=world.home,
        cluster=world.cluster,
        version=shipped(),
        term="T",
        held_on=timezone.localdate(),
        state=State.RATING,
    )
    agree_all(check)
    check = services.health_check_transition(check=check, to=State.CONSENSUS, by=lead)
    assert check.actions.count() == len(strands(check))
    check = services.health_check_transition(check=check, to=State.RATING, by=lead, note="We got one wrong")
    assert check.indicators is None and check.actions.count() == 0


def test_scope_a_lead_runs_only_their_cluster_and_an_alliance_lead_moderates_only_theirs(world):
    lead, head, alliance_lead = _cycle_people(world)
    with pytest.raises(PermissionDenied):
        services.health_check_create(
            membership=lead,
            cluster=world.other_cluster,
            version=shipped(),
            term="T",
            held_on=timezone.localdate(),
            show_names=False,
        )
    officer = make_member(world, Role.OFFICER)
    check = services.health_check_create(
        membership=officer,
        cluster=world.other_cluster,
        version=shipped(),
        term="T",
        held_on=timezone.localdate(),
        show_names=False,
    )
    check.state = State.RATING
    check.save()
    agree_all(check)
    check = services.health_check_transition(check=check, to=State.CONSENSUS, by=officer)
    with pytest.raises(PermissionDenied):  # Oxted Cluster is not in the alliance lead's alliance
        services.consensus_moderate(
            check=check, strand=strands(check)[0], by=alliance_lead, decision="confirmed", note=""
        )
    with pytest.raises(PermissionDenied):  # the head's school is not in Oxted Cluster
        check.state = State.RATING
        check.save()
        services.individual_ratings_save(check=check, by=head, ratings={strands(check)[0].pk: (1, "x")})


def test_copy_edit_versions_and_a_check_keeps_its_version(world):
    admin = make_member(world, Role.ADMIN)
    lead = make_member(world, Role.CLUSTER_LEAD)
    source = Framework.objects.get(slug="three-dimension-check", partnership__isnull=True)
    copy = services.framework_copy(framework=source, partnership=world.home, name="Our check", by=admin.user)
    v1 = copy.versions.get()
    strand = Strand.objects.filter(dimension__version=v1).first()
    old_text = strand.descriptors.get(level=0).text

    # Not yet used: edits change version 1 in place.
    services.strand_save(
        framework=copy,
        strand=strand,
        dimension=None,
        name="Outcomes",
        description="",
        note="",
        descriptors=["a", "b", "c", "d"],
        by=admin.user,
    )
    assert copy.versions.count() == 1 and LevelDescriptor.objects.get(strand=strand, level=0).text == "a"

    check = services.health_check_create(
        membership=lead, cluster=world.cluster, version=v1, term="T", held_on=timezone.localdate(), show_names=True
    )
    services.strand_save(
        framework=copy,
        strand=strand,
        dimension=None,
        name="Outcomes against national",
        description="",
        note="Renamed",
        descriptors=["w", "x", "y", "z"],
        by=admin.user,
    )
    assert copy.versions.count() == 2
    check.refresh_from_db()
    assert check.version == v1
    assert Strand.objects.get(pk=strand.pk).name == "Outcomes"  # the check's text is unchanged
    latest = copy.versions.order_by("-number").first()
    assert latest.number == 2 and latest.note == "Renamed"
    assert Strand.objects.filter(dimension__version=latest, name="Outcomes against national").exists()
    assert old_text != "a"

    with pytest.raises(ValidationError):
        services.framework_update(
            framework=copy, name="Our check", description="", source="x", levels=["Only one"], note="", by=admin.user
        )
    services.framework_update(
        framework=copy,
        name="Our check",
        description="",
        source="Ours",
        note="Five levels",
        levels=["Beginning", "Developing", "Embedding", "Leading", "Exemplary"],
        by=admin.user,
    )
    assert copy.versions.order_by("-number").first().levels[-1] == "Exemplary"
    with pytest.raises(PermissionDenied):
        services.strand_save(
            framework=source,
            strand=None,
            dimension=source.versions.get().dimensions.first(),
            name="x",
            description="",
            descriptors=["a"] * 4,
            note="",
            by=admin.user,
        )


def test_indicators_are_pupil_weighted_against_england_and_say_why_when_missing(world):
    own, peer = world.own_school, world.cluster_school
    for school, rwm, cohort in ((own, 50.0, 10), (peer, 80.0, 30)):
        PerformanceValue.objects.create(
            partnership=world.home, school=school, urn=school.urn, year=2024, code="ks2_rwm_exp", value=rwm
        )
        PerformanceValue.objects.create(
            partnership=world.home, school=school, urn=school.urn, year=2024, code="ks2_cohort", value=cohort
        )
    AreaAverage.objects.create(partnership=world.home, year=2024, code="ks2_rwm_exp", area="england", value=61.0)
    from clusters.health.models import ClusterMeeting

    meeting = ClusterMeeting.objects.create(cluster=world.cluster, held_on=dt.date(2025, 3, 1), title="Spring")
    meeting.attended.set([own])
    result = cluster_indicators(cluster=world.cluster, as_at=dt.date(2025, 6, 30))
    ks2 = result["outcomes"]["ks2_rwm"]
    assert ks2["cluster"] == pytest.approx((50 * 10 + 80 * 30) / 40, abs=0.01)  # 72.5, not the plain mean 65
    assert ks2["england"] == 61.0 and ks2["year"] == "2023/24" and ks2["pupils"] == 40
    assert "none" in result["outcomes"]["ks4_att8"]
    assert result["risk"] == {"none": "No categorisation round had been agreed by then."}
    assert "none" in result["peer_review"] or "rows" in result["peer_review"]
    assert result["engagement"]["attendance_pct"] == 50.0
    assert result["isolated"]["schools"] == [peer.name]


def test_moves_email_the_people_they_concern_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    lead, head, alliance_lead = _cycle_people(world)
    check = HealthCheck.objects.create(
        partnership=world.home, cluster=world.cluster, version=shipped(), term="T", held_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.health_check_transition(check=check, to=State.RATING, by=lead)
    assert [m.to for m in mailoutbox] == [[head.user.email]]
    assert "Rate your cluster's health check" in mailoutbox[0].subject
    agree_all(check)
    with django_capture_on_commit_callbacks(execute=True):
        services.health_check_transition(check=check, to=State.CONSENSUS, by=lead)
    assert mailoutbox[1].to == [alliance_lead.user.email] and "moderate" in mailoutbox[1].subject


def test_support_days_come_from_the_ledger_and_a_member_with_support_is_not_isolated(world):
    from decimal import Decimal

    from brokerage.models import LedgerEntry
    from clusters.health.models import ClusterMeeting

    as_at = dt.date(2026, 3, 31)  # academic year 2025/26 (2026)
    source = LedgerEntry.Source.values[0]
    LedgerEntry.objects.create(
        partnership=world.home,
        year=2026,
        giver=world.own_school,
        receiver=world.outside_school,
        days=Decimal("2.5"),
        source=source,
        source_key="a",
        on=as_at,
    )
    LedgerEntry.objects.create(
        partnership=world.home,
        year=2026,
        giver=world.outside_school,
        receiver=world.own_school,
        days=Decimal("1"),
        source=source,
        source_key="b",
        on=as_at,
    )
    ClusterMeeting.objects.create(cluster=world.cluster, held_on=dt.date(2026, 1, 10), title="Spring")  # nobody came
    result = cluster_indicators(cluster=world.cluster, as_at=as_at)
    rows = {r["label"]: r for r in result["support"]["rows"]}
    assert rows["Support days given by members"]["value"] == "2.5"
    assert rows["Support days given by members"]["comparison"] == "Received: 1 day"
    assert rows["Members giving or receiving support"]["value"] == "1 of 2"
    # Both missed the meeting, but the own school gives and gets support: only the peer is isolated.
    assert result["isolated"] == {"count": 1, "schools": [world.cluster_school.name]}
    assert result["peer_review"]["rows"][0]["value"] == "0 of 2"
