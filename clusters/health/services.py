"""The only writers of health-check frameworks, checks, ratings, actions and meetings.

A check's state moves only through ``health_check_transition`` and its table ``TRANSITIONS``: it locks the row,
checks the move, its conditions and the actor's right for this cluster, writes the state with who and when and
records an event. Ratings and decisions are dated and attributed on their rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clusters.health import selectors
from clusters.health.frameworks_default import LEVELS
from clusters.health.indicators import cluster_indicators
from clusters.health.models import (
    ClusterAction,
    ClusterMeeting,
    ConsensusRating,
    Dimension,
    Framework,
    FrameworkVersion,
    HealthCheck,
    HealthCheckEvent,
    IndividualRating,
    LevelDescriptor,
    Strand,
)
from clusters.models import Cluster
from partnership.models import Membership, Partnership, Role, User
from schools.models import School

State = HealthCheck.State
log = logging.getLogger(__name__)

# --- frameworks ---------------------------------------------------------------------------------------------


def _unique_slug(partnership: Partnership, name: str) -> str:
    from django.utils.text import slugify

    base = (slugify(name) or "framework")[:50]
    slug, n = base, 1
    while Framework.objects.filter(partnership=partnership, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clone_version(
    version: FrameworkVersion, *, framework: Framework, number: int, note: str, by: User
) -> FrameworkVersion:
    new = FrameworkVersion.objects.create(
        framework=framework, number=number, levels=list(version.levels), note=note, created_by=by, modified_by=by
    )
    for dimension in selectors.version_tree(version_id=version.pk):
        new_dim = Dimension.objects.create(
            version=new, order=dimension.order, name=dimension.name, description=dimension.description
        )
        for strand in dimension.strands.all():
            new_strand = Strand.objects.create(
                dimension=new_dim, order=strand.order, name=strand.name, description=strand.description
            )
            LevelDescriptor.objects.bulk_create(
                LevelDescriptor(strand=new_strand, level=d.level, text=d.text) for d in strand.descriptors.all()
            )
    return new


@transaction.atomic
def framework_copy(*, framework: Framework, partnership: Partnership, name: str, by: User) -> Framework:
    """Copy a framework's latest version into the partnership as a new framework (version 1), to edit."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the copy"})
    if Framework.objects.filter(partnership=partnership, name=name, archived_at__isnull=True).exists():
        raise ValidationError({"name": "The partnership already has a framework with that name"})
    copy = Framework(
        partnership=partnership,
        slug=_unique_slug(partnership, name),
        name=name,
        description=framework.description,
        source=f"Copied from “{framework.name}”. {framework.source}",
        copied_from=framework,
        created_by=by,
        modified_by=by,
    )
    copy.full_clean()
    copy.save()
    latest = selectors.latest_version(framework=framework)
    _clone_version(latest, framework=copy, number=1, note=f"Copied from {framework.name} v{latest.number}.", by=by)
    return copy


def _editable_version(
    framework: Framework, *, by: User, note: str
) -> tuple[FrameworkVersion, dict[int, Strand], dict[int, Dimension]]:
    """The latest version if no check uses it; else a new version copied from it (checks keep theirs).

    Also maps the old version's strand and dimension ids to the editable version's rows.
    """
    if framework.partnership_id is None:
        raise PermissionDenied("Shipped frameworks are read-only: copy one to edit it")
    latest = FrameworkVersion.objects.select_for_update().filter(framework=framework).order_by("-number").first()
    assert latest is not None
    if not HealthCheck.objects.filter(version=latest).exists():
        strands = {s.pk: s for s in Strand.objects.filter(dimension__version=latest)}
        dims = {d.pk: d for d in Dimension.objects.filter(version=latest)}
        return latest, strands, dims
    new = _clone_version(latest, framework=framework, number=latest.number + 1, note=note, by=by)
    old_strands = {
        (s.dimension.order, s.order): s.pk
        for s in Strand.objects.filter(dimension__version=latest).select_related("dimension")
    }
    new_strands = {
        (s.dimension.order, s.order): s
        for s in Strand.objects.filter(dimension__version=new).select_related("dimension")
    }
    old_dims = {d.order: d.pk for d in Dimension.objects.filter(version=latest)}
    new_dims = {d.order: d for d in Dimension.objects.filter(version=new)}
    return (
        new,
        {old_strands[k]: new_strands[k] for k in old_strands},
        {old_dims[k]: new_dims[k] for k in old_dims},
    )


def _clean_levels(levels: Sequence[str]) -> list[str]:
    cleaned = [level.strip() for level in levels if level.strip()]
    if len(cleaned) < 2:
        raise ValidationError({"levels": "Enter at least 2 levels, one a line, lowest first"})
    if len(cleaned) > 6:
        raise ValidationError({"levels": "Enter at most 6 levels"})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"levels": "Each level must have a different name"})
    return cleaned


@transaction.atomic
def framework_update(
    *, framework: Framework, name: str, description: str, source: str, levels: Sequence[str], note: str, by: User
) -> Framework:
    """Change a partnership framework's name, description, source and scale (the scale is versioned)."""
    cleaned = _clean_levels(levels)
    if not source.strip():
        raise ValidationError({"source": "Enter where the framework's text comes from"})
    framework.name, framework.description, framework.source = name.strip(), description.strip(), source.strip()
    framework.modified_by = by
    framework.full_clean(exclude=["slug"])
    framework.save()
    latest = selectors.latest_version(framework=framework)
    if cleaned != list(latest.levels):
        version, strands, _ = _editable_version(framework, by=by, note=note or "Scale changed.")
        version.levels = cleaned
        version.save(update_fields=["levels"])
        # Levels beyond the new scale lose their descriptors; new levels start empty for the admin to write.
        LevelDescriptor.objects.filter(strand__dimension__version=version, level__gte=len(cleaned)).delete()
    return framework


@transaction.atomic
def strand_save(
    *,
    framework: Framework,
    strand: Strand | None,
    dimension: Dimension | None,
    name: str,
    description: str,
    descriptors: Sequence[str],
    note: str,
    by: User,
) -> Strand:
    """Edit a strand (or add one to ``dimension``) with one descriptor per level, in a version no check uses."""
    if not name.strip():
        raise ValidationError({"name": "Enter the strand's name"})
    version, strands, dims = _editable_version(framework, by=by, note=note or f"Strand “{name.strip()}” changed.")
    levels = list(version.levels)
    if len(descriptors) != len(levels) or any(not d.strip() for d in descriptors):
        raise ValidationError({"descriptors": "Enter a descriptor for every level"})
    if strand is not None:
        target = strands[strand.pk]
    else:
        assert dimension is not None
        target_dim = dims[dimension.pk]
        order = (Strand.objects.filter(dimension=target_dim).aggregate(m=Max("order"))["m"] or 0) + 1
        target = Strand(dimension=target_dim, order=order)
    target.name, target.description = name.strip(), description.strip()
    target.full_clean(exclude=["dimension"])
    target.save()
    LevelDescriptor.objects.filter(strand=target).delete()
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(strand=target, level=i, text=text.strip()) for i, text in enumerate(descriptors)
    )
    version.note = note or version.note
    version.save(update_fields=["note"])
    return target


@transaction.atomic
def dimension_add(*, framework: Framework, name: str, description: str, by: User) -> Dimension:
    """Add a dimension (strands are added to it next) in a version no check uses."""
    if not name.strip():
        raise ValidationError({"name": "Enter the dimension's name"})
    version, _, _ = _editable_version(framework, by=by, note=f"Dimension “{name.strip()}” added.")
    order = (Dimension.objects.filter(version=version).aggregate(m=Max("order"))["m"] or 0) + 1
    dimension = Dimension(version=version, order=order, name=name.strip(), description=description.strip())
    dimension.full_clean()
    dimension.save()
    return dimension


# --- checks and the cycle -----------------------------------------------------------------------------------


@transaction.atomic
def health_check_create(
    *,
    membership: Membership,
    cluster: Cluster,
    version: FrameworkVersion,
    term: str,
    held_on: dt.date,
    show_names: bool,
) -> HealthCheck:
    """Open a draft check for a cluster the membership runs, with a framework version it keeps for good."""
    if not selectors.can_run(membership, cluster.pk):
        raise PermissionDenied("You do not run this cluster's health checks")
    if version.framework.partnership_id not in (None, membership.partnership_id):
        raise ValidationError({"version": "Select a framework"})
    if not Strand.objects.filter(dimension__version=version).exists():
        raise ValidationError({"version": "That framework has no strands to rate"})
    if not term.strip():
        raise ValidationError({"term": "Enter the term, for example Summer 2026"})
    check = HealthCheck(
        partnership_id=membership.partnership_id,
        cluster=cluster,
        version=version,
        term=term.strip(),
        held_on=held_on,
        show_names=show_names,
        created_by=membership.user,
        modified_by=membership.user,
        state_changed_at=timezone.now(),
        state_changed_by=membership.user,
    )
    check.full_clean()
    check.save()
    HealthCheckEvent.objects.create(
        check_obj=check,
        from_state=State.DRAFT,
        to_state=State.DRAFT,
        by=membership.user,
        at=timezone.now(),
        note="Check opened as a draft.",
    )
    return check


@dataclass(frozen=True)
class Move:
    """One allowed move: who may make it ("run" or "moderate" for this cluster) and what it needs."""

    actor: str
    label: str


TRANSITIONS: dict[tuple[str, str], Move] = {
    (State.DRAFT, State.RATING): Move("run", "Open individual ratings"),
    (State.RATING, State.DRAFT): Move("run", "Return to draft"),
    (State.RATING, State.CONSENSUS): Move("run", "Record the consensus as agreed"),
    (State.CONSENSUS, State.RATING): Move("run", "Reopen ratings and consensus"),
    (State.CONSENSUS, State.MODERATED): Move("moderate", "Finish moderation"),
    (State.MODERATED, State.PUBLISHED): Move("run", "Publish"),
    (State.PUBLISHED, State.ACTIONS): Move("run", "Start tracking actions"),
}


def allowed_moves(*, check: HealthCheck, membership: Membership) -> list[tuple[str, str]]:
    """The (state, label) moves this membership may make from the check's state now."""
    moves = []
    for (from_state, to_state), move in TRANSITIONS.items():
        if from_state == check.state and _actor_ok(move.actor, membership, check):
            moves.append((to_state, move.label))
    return moves


def _actor_ok(actor: str, membership: Membership, check: HealthCheck) -> bool:
    if actor == "run":
        return selectors.can_run(membership, check.cluster_id)
    return selectors.can_moderate(membership, check.cluster_id)


def _strand_ids(check: HealthCheck) -> set[int]:
    return set(Strand.objects.filter(dimension__version_id=check.version_id).values_list("pk", flat=True))


def _conditions(check: HealthCheck, to: str) -> None:
    if (check.state, to) == (State.RATING, State.DRAFT) and IndividualRating.objects.filter(check_obj=check).exists():
        raise ValidationError("Ratings have been given: the check cannot go back to draft")
    if to == State.CONSENSUS:
        missing = _strand_ids(check) - set(
            ConsensusRating.objects.filter(check_obj=check).values_list("strand_id", flat=True)
        )
        if missing:
            raise ValidationError(f"Record the consensus for every strand first ({len(missing)} still to record)")
    if (check.state, to) == (State.CONSENSUS, State.RATING) and ConsensusRating.objects.filter(check_obj=check).exclude(
        moderation=""
    ).exists():
        raise ValidationError("Moderation has started: the consensus cannot be reopened")
    if to == State.MODERATED and ConsensusRating.objects.filter(check_obj=check, moderation="").exists():
        raise ValidationError("Confirm or challenge every strand first")


@transaction.atomic
def health_check_transition(*, check: HealthCheck, to: str, by: Membership, note: str = "") -> HealthCheck:
    """Move the check to ``to`` if the table allows it, its conditions hold and ``by`` may make the move.

    At consensus the indicators are computed and frozen and each strand's next step becomes a cluster action;
    reopening clears both.
    """
    locked = HealthCheck.objects.select_for_update().get(pk=check.pk)
    move = TRANSITIONS.get((locked.state, to))
    if move is None:
        raise ValidationError(f"A check that is {locked.get_state_display().lower()} cannot move to {to}")
    if not _actor_ok(move.actor, by, locked):
        raise PermissionDenied("You may not make this move for this cluster")
    _conditions(locked, to)
    now = timezone.now()
    if to == State.CONSENSUS:
        # As at the meeting (what the cluster saw then), or today if the meeting is recorded ahead of its date.
        locked.indicators = cluster_indicators(
            cluster=locked.cluster, as_at=min(locked.held_on, timezone.localdate(now))
        )
        locked.indicators_at = now
        ClusterAction.objects.bulk_create(
            ClusterAction(
                check_obj=locked,
                strand_id=c.strand_id,
                title=c.next_step,
                owner=c.owner,
                due_on=c.due_on,
                created_by=by.user,
                modified_by=by.user,
            )
            for c in ConsensusRating.objects.filter(check_obj=locked)
        )
    if (locked.state, to) == (State.CONSENSUS, State.RATING):
        locked.indicators, locked.indicators_at = None, None
        ClusterAction.objects.filter(check_obj=locked).delete()
    HealthCheckEvent.objects.create(
        check_obj=locked, from_state=locked.state, to_state=to, by=by.user, at=now, note=note.strip()
    )
    locked.state = to
    locked.state_changed_at, locked.state_changed_by, locked.modified_by = now, by.user, by.user
    locked.save()
    _notify(locked, to)
    return locked


def _member_heads(check: HealthCheck) -> list[str]:
    return list(
        Membership.objects.filter(
            partnership_id=check.partnership_id,
            archived_at__isnull=True,
            roles__contains=[Role.HEADTEACHER],
            school__cluster_memberships__cluster_id=check.cluster_id,
            school__cluster_memberships__left_on__isnull=True,
        ).values_list("user__email", flat=True)
    )


def _alliance_leads(check: HealthCheck) -> list[str]:
    return list(
        Membership.objects.filter(
            partnership_id=check.partnership_id,
            archived_at__isnull=True,
            alliances__memberships__cluster_id=check.cluster_id,
            alliances__memberships__left_on__isnull=True,
        ).values_list("user__email", flat=True)
    )


_MESSAGES: dict[str, tuple[str, Callable[[HealthCheck], list[str]], str]] = {
    State.RATING: (
        "Rate your cluster's health check",
        _member_heads,
        "Ratings are open: rate each strand for your school, with your evidence.",
    ),
    State.CONSENSUS: (
        "A cluster health check to moderate",
        _alliance_leads,
        "The cluster has agreed its consensus: confirm or challenge each strand.",
    ),
    State.PUBLISHED: (
        "Your cluster's health check is published",
        _member_heads,
        "The moderated consensus and its actions are published.",
    ),
}


def _notify(check: HealthCheck, to: str) -> None:
    """Email the people the move concerns once the transaction commits; a mail failure never undoes the move."""
    if to not in _MESSAGES:
        return
    subject, recipients, line = _MESSAGES[to]
    addresses = sorted({a for a in recipients(check) if a})
    if not addresses:
        return
    body = f"{check.cluster.name}, {check.term}: {line}\n\nSign in to the school improvement partnership to see it."

    def send() -> None:
        try:
            send_mail(f"{subject}: {check.cluster.name}", body, settings.DEFAULT_FROM_EMAIL, addresses)
        except Exception:  # noqa: BLE001 - the move is saved; the email is a courtesy
            log.exception("health check email not sent: %s", subject)

    transaction.on_commit(send)


def _level(check: HealthCheck, level: int | None, field: str = "level") -> int:
    if level is None or not 0 <= level < len(check.version.levels):
        raise ValidationError({field: "Select a level"})
    return level


@transaction.atomic
def individual_ratings_save(*, check: HealthCheck, by: Membership, ratings: dict[int, tuple[int, str]]) -> int:
    """Save the membership's school's ratings (strand id → level, evidence) while ratings are open."""
    locked = HealthCheck.objects.select_for_update().get(pk=check.pk)
    if locked.state != State.RATING:
        raise ValidationError("Ratings are not open for this check")
    if not selectors.can_rate(by, locked):
        raise PermissionDenied("Only the head of a member school rates")
    assert by.school_id is not None  # can_rate holds only for a membership with a school
    strands = _strand_ids(locked)
    now = timezone.now()
    saved = 0
    for strand_id, (level, evidence) in ratings.items():
        if strand_id not in strands:
            raise ValidationError("That strand is not in this check's framework")
        if not evidence.strip():
            raise ValidationError({f"evidence_{strand_id}": "Enter the evidence for your rating"})
        IndividualRating.objects.update_or_create(
            check_obj=locked,
            strand_id=strand_id,
            school_id=by.school_id,
            defaults={
                "level": _level(locked, level, f"level_{strand_id}"),
                "evidence": evidence.strip(),
                "rated_by": by.user,
                "rated_at": now,
            },
        )
        saved += 1
    return saved


@transaction.atomic
def consensus_save(
    *,
    check: HealthCheck,
    strand: Strand,
    by: Membership,
    level: int | None,
    evidence: str,
    next_step: str,
    owner: str,
    due_on: dt.date | None,
) -> ConsensusRating:
    """Record (or change) the cluster meeting's consensus on a strand while ratings are open."""
    locked = HealthCheck.objects.select_for_update().get(pk=check.pk)
    if locked.state != State.RATING:
        raise ValidationError("The consensus is recorded while ratings are open")
    if not selectors.can_run(by, locked.cluster_id):
        raise PermissionDenied("You do not run this cluster's health checks")
    errors = {}
    if not evidence.strip():
        errors["evidence"] = "Enter the evidence for the consensus"
    if not next_step.strip():
        errors["next_step"] = "Enter the next step"
    if not owner.strip():
        errors["owner"] = "Enter who owns the next step"
    if due_on is None:
        errors["due_on"] = "Enter the date the next step is due"
    elif due_on < locked.held_on:
        errors["due_on"] = "The next step must be due after the meeting"
    if level is None or not 0 <= level < len(locked.version.levels):
        errors["level"] = "Select the agreed level"
    if errors:
        raise ValidationError(errors)
    assert level is not None and due_on is not None
    consensus, _ = ConsensusRating.objects.update_or_create(
        check_obj=locked,
        strand=strand,
        defaults={
            "level": level,
            "evidence": evidence.strip(),
            "next_step": next_step.strip(),
            "owner": owner.strip(),
            "due_on": due_on,
            "agreed_by": by.user,
            "agreed_at": timezone.now(),
        },
    )
    return consensus


@transaction.atomic
def consensus_moderate(
    *, check: HealthCheck, strand: Strand, by: Membership, decision: str, note: str
) -> ConsensusRating:
    """The alliance confirms or challenges a strand's consensus, with a note (required to challenge)."""
    locked = HealthCheck.objects.select_for_update().get(pk=check.pk)
    if locked.state != State.CONSENSUS:
        raise ValidationError("Only an agreed consensus is moderated")
    if not selectors.can_moderate(by, locked.cluster_id):
        raise PermissionDenied("You do not moderate this cluster")
    if decision not in ConsensusRating.Moderation.values:
        raise ValidationError({"decision": "Select confirm or challenge"})
    if decision == ConsensusRating.Moderation.CHALLENGED and not note.strip():
        raise ValidationError({"note": "Enter why you challenge the consensus"})
    consensus = ConsensusRating.objects.select_for_update().get(check_obj=locked, strand=strand)
    consensus.moderation, consensus.moderation_note = decision, note.strip()
    consensus.moderated_by, consensus.moderated_at = by.user, timezone.now()
    consensus.save()
    return consensus


_ACTION_STATES = {State.CONSENSUS, State.MODERATED, State.PUBLISHED, State.ACTIONS}


@transaction.atomic
def cluster_action_add(
    *, check: HealthCheck, by: Membership, title: str, owner: str, due_on: dt.date | None, strand: Strand | None
) -> ClusterAction:
    """Add a cluster action to an agreed check."""
    if check.state not in _ACTION_STATES:
        raise ValidationError("Actions are added once the consensus is agreed")
    if not selectors.can_run(by, check.cluster_id):
        raise PermissionDenied("You do not run this cluster's health checks")
    errors = {}
    if not title.strip():
        errors["title"] = "Enter the action"
    if not owner.strip():
        errors["owner"] = "Enter who owns the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    return ClusterAction.objects.create(
        check_obj=check,
        strand=strand,
        title=title.strip(),
        owner=owner.strip(),
        due_on=due_on,
        created_by=by.user,
        modified_by=by.user,
    )


@transaction.atomic
def cluster_action_complete(*, action: ClusterAction, by: Membership, completed_on: dt.date) -> ClusterAction:
    """Mark a cluster action done on ``completed_on`` (not in the future)."""
    locked = ClusterAction.objects.select_for_update().select_related("check_obj").get(pk=action.pk)
    if not selectors.can_run(by, locked.check_obj.cluster_id):
        raise PermissionDenied("You do not run this cluster's health checks")
    if locked.status == ClusterAction.Status.DONE:
        raise ValidationError("The action is already done")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The completion date must be today or in the past"})
    locked.status, locked.completed_on, locked.modified_by = ClusterAction.Status.DONE, completed_on, by.user
    locked.save()
    return locked


@transaction.atomic
def cluster_meeting_record(
    *, cluster: Cluster, by: Membership, held_on: dt.date, title: str, attended: Sequence[School]
) -> ClusterMeeting:
    """Record a cluster meeting and which member schools attended (the engagement indicator)."""
    if not selectors.can_run(by, cluster.pk):
        raise PermissionDenied("You do not run this cluster's health checks")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The meeting date must be today or in the past"})
    if not title.strip():
        raise ValidationError({"title": "Enter what the meeting was"})
    members = set(selectors.current_member_schools(cluster_id=cluster.pk).values_list("pk", flat=True))
    if any(s.pk not in members for s in attended):
        raise ValidationError({"attended": "Select only member schools"})
    meeting = ClusterMeeting.objects.create(
        cluster=cluster, held_on=held_on, title=title.strip(), created_by=by.user, modified_by=by.user
    )
    meeting.attended.set(attended)
    return meeting


def default_levels() -> list[str]:
    """The default ordinal scale."""
    return list(LEVELS)


@transaction.atomic
def shipped_frameworks_ensure() -> int:
    """Load any missing shipped framework (migration 0002 loads them; a flushed database may lack them)."""
    from clusters.health.frameworks_default import load_shipped

    return load_shipped(Framework, FrameworkVersion, Dimension, Strand, LevelDescriptor)
