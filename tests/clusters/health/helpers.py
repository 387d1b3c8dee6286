"""Health-check rows in both partnerships of ``world``, made once (for the permission matrix and page tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from clusters.health import services
from clusters.health.models import (
    ClusterAction,
    ConsensusRating,
    Framework,
    FrameworkVersion,
    HealthCheck,
    IndividualRating,
    Strand,
)
from clusters.health.services import _clone_version


def shipped(slug: str = "three-dimension-check") -> FrameworkVersion:
    """Version 1 of a shipped framework (loaded by migration 0002; reloaded if a transactional test flushed it)."""
    services.shipped_frameworks_ensure()
    return FrameworkVersion.objects.get(framework__partnership__isnull=True, framework__slug=slug, number=1)


def own_framework(partnership, name: str = "Our cluster check") -> Framework:
    """A partnership's copy of the three-dimension framework (version 1)."""
    source = shipped()
    framework = Framework.objects.create(
        partnership=partnership, slug=name.lower().replace(" ", "-"), name=name, source="Copied for tests."
    )
    _clone_version(source, framework=framework, number=1, note="Copied.", by=None)  # type: ignore[arg-type]
    return framework


def make_check(
    cluster, *, state=HealthCheck.State.RATING, term="Summer 2026", held_on=None, version=None
) -> HealthCheck:
    """A check of ``cluster`` in ``state`` (rows only; no transition service)."""
    return HealthCheck.objects.create(
        partnership=cluster.partnership,
        cluster=cluster,
        version=version or shipped(),
        term=term,
        held_on=held_on or timezone.localdate(),
        state=state,
    )


def strands(check: HealthCheck) -> list[Strand]:
    """The check's strands in order."""
    return list(Strand.objects.filter(dimension__version=check.version).order_by("dimension__order", "order"))


def agree_all(check: HealthCheck, *, level: int = 1, user=None) -> None:
    """A consensus row for every strand (as the meeting would record)."""
    now = timezone.now()
    for strand in strands(check):
        ConsensusRating.objects.update_or_create(
            check_obj=check,
            strand=strand,
            defaults=dict(
                level=level,
                evidence="Evidence",
                next_step=f"Next step for {strand.name}",
                owner="Cluster lead",
                due_on=check.held_on + dt.timedelta(days=60),
                agreed_by=user,
                agreed_at=now,
            ),
        )


def health_world(w: SimpleNamespace) -> SimpleNamespace:
    """A check with ratings open on the head's cluster, an action, and an own framework; the same in ``other``."""
    if not hasattr(w, "health"):
        check = make_check(w.cluster)
        strand = strands(check)[0]
        IndividualRating.objects.create(
            check_obj=check, strand=strand, school=w.cluster_school, level=1, evidence="E", rated_at=timezone.now()
        )
        other_check = make_check(w.other_cluster_obj)
        framework = own_framework(w.home)
        other_framework = own_framework(w.other)
        version = framework.versions.get()
        w.health = SimpleNamespace(
            draft=make_check(w.cluster, state=HealthCheck.State.DRAFT, term="Next term"),
            other_draft=make_check(w.other_cluster_obj, state=HealthCheck.State.DRAFT, term="Next term"),
            check=check,
            strand=strand,
            action=ClusterAction.objects.create(check_obj=check, title="Do it", owner="Lead", due_on=check.held_on),
            other_check=other_check,
            other_strand=strands(other_check)[0],
            other_action=ClusterAction.objects.create(
                check_obj=other_check, title="X", owner="Y", due_on=check.held_on
            ),
            framework=framework,
            dimension=version.dimensions.first(),
            framework_strand=Strand.objects.filter(dimension__version=version).first(),
            other_framework=other_framework,
            other_dimension=other_framework.versions.get().dimensions.first(),
            other_framework_strand=Strand.objects.filter(dimension__version__framework=other_framework).first(),
        )
    return w.health
