"""Cluster health checks in the demo, walked through the real services as the people who make each move.

- The demo cluster (the cluster lead's, holding the demo head's school): two checks a year apart on the shipped
  three-dimension framework, each rated by every member school's head, agreed, moderated by the alliance lead,
  published and with actions tracked (some done on time, one late, one open), so the heat map and the trend
  show movement; meeting attendance over two years, one school never attending (the "isolated" indicator).
- Another cluster in the alliance: a check in progress (ratings open, half the members rated) on the
  partnership's own copy of the framework, which the admin then edits, so the copy has a second version and the
  check keeps the first.
- A third cluster in the alliance: a check of the nine conditions moderated by the alliance lead, awaiting
  publication.

Heads of member schools other than the demo head are the invented accounts the peer-review demo also uses
("Headteacher of <school> (demo)", ``peer-head-<urn>@demo.test``, no password); every free text says "Invented
for the demo". Idempotent: checks are found by cluster and term, the
framework copy by name, meetings by cluster and title.
"""

from __future__ import annotations

import datetime as dt

from clusters.health import selectors, services
from clusters.health.models import ClusterAction, ClusterMeeting, Framework, FrameworkVersion, HealthCheck, Strand
from clusters.models import AllianceMembership, Cluster
from demo.context import DemoContext, DemoStep
from partnership.models import Membership, Partnership, Role, User
from schools.models import School

DEMO = "Invented for the demo."
S = HealthCheck.State
COPY_NAME = "Surrey cluster check (demo)"


def _rater(ctx: DemoContext, school: School) -> Membership:
    """The head who rates for ``school``: the demo head for their school, else the invented head the peer-review
    demo uses for that school (same account, ``peer-head-<urn>@demo.test``, no password), made if missing."""
    head = ctx.accounts[Role.HEADTEACHER]
    if head.school_id == school.pk:
        return head
    user, _ = User.objects.get_or_create(
        email=f"peer-head-{school.urn}@demo.test", defaults={"full_name": f"Headteacher of {school.name} (demo)"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(
        user=user,
        partnership=ctx.partnership,
        defaults={"roles": [Role.HEADTEACHER], "school": school, "job_title": "Headteacher (demo)"},
    )
    return membership


def _shipped(slug: str) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__partnership__isnull=True, framework__slug=slug, number=1)


def _levels(pattern: list[int], strands: list[Strand], shift: int) -> dict[int, int]:
    return {s.pk: max(0, min(3, pattern[i % len(pattern)] + shift)) for i, s in enumerate(strands)}


def _rate(ctx: DemoContext, check: HealthCheck, schools: list[School], base: list[int]) -> None:
    strands = selectors.version_strands(version_id=check.version_id)
    for n, school in enumerate(schools):
        levels = _levels(base, strands, (n % 3) - 1)
        services.individual_ratings_save(
            check=check,
            by=_rater(ctx, school),
            ratings={
                pk: (level, f"{DEMO} {school.name}'s view: see our self-evaluation and the cluster's minutes.")
                for pk, level in levels.items()
            },
        )


def _agree(check: HealthCheck, lead: Membership, base: list[int], due_days: int) -> None:
    strands = selectors.version_strands(version_id=check.version_id)
    for strand, level in zip(strands, _levels(base, strands, 0).values(), strict=True):
        services.consensus_save(
            check=check,
            strand=strand,
            by=lead,
            level=level,
            evidence=f"{DEMO} Agreed at the meeting after hearing each head's rating and evidence.",
            next_step=f"{DEMO} {strand.name}: agree one shared improvement and review it next term.",
            owner="Cluster lead (demo)",
            due_on=check.held_on + dt.timedelta(days=due_days),
        )


def _moderate(check: HealthCheck, alliance_lead: Membership, challenge_first: bool) -> HealthCheck:
    for i, strand in enumerate(selectors.version_strands(version_id=check.version_id)):
        challenged = challenge_first and i == 0
        services.consensus_moderate(
            check=check,
            strand=strand,
            by=alliance_lead,
            decision="challenged" if challenged else "confirmed",
            note=f"{DEMO} The indicators do not yet support this level; look again next time." if challenged else "",
        )
    return services.health_check_transition(check=check, to=S.MODERATED, by=alliance_lead)


def _check(ctx, cluster, version, term, held_on, runner, show_names=False) -> tuple[HealthCheck, bool]:
    existing = HealthCheck.objects.filter(cluster=cluster, term=term).first()
    if existing:
        return existing, False
    check = services.health_check_create(
        membership=runner, cluster=cluster, version=version, term=term, held_on=held_on, show_names=show_names
    )
    return services.health_check_transition(check=check, to=S.RATING, by=runner), True


def _meetings(ctx: DemoContext, cluster: Cluster, lead: Membership, schools: list[School]) -> None:
    absent = schools[-1:] if len(schools) > 2 else []
    for days, title in (
        (520, "Spring cluster meeting 2025"),
        (420, "Summer cluster meeting 2025"),
        (250, "Spring cluster meeting 2026"),
        (120, "Summer cluster meeting 2026"),
        (30, "Autumn cluster meeting 2026"),
    ):
        if ClusterMeeting.objects.filter(cluster=cluster, title=f"{title} (demo)").exists():
            continue
        present = [s for i, s in enumerate(schools) if s not in absent and (i + days) % 4 != 0]
        services.cluster_meeting_record(
            cluster=cluster,
            by=lead,
            held_on=ctx.today - dt.timedelta(days=days),
            title=f"{title} (demo)",
            attended=present,
        )


def _demo_cluster_checks(ctx: DemoContext, cluster: Cluster, lead: Membership, alliance_lead: Membership) -> list[str]:
    schools = list(selectors.current_member_schools(cluster_id=cluster.pk))
    _meetings(ctx, cluster, lead, schools)
    version = _shipped("three-dimension-check")
    lines = []
    for term, days_ago, base, show_names in (
        ("Autumn 2025", 365, [0, 1, 0, 1, 1, 0], False),
        ("Autumn 2026", 14, [1, 2, 2, 1, 2, 3], True),
    ):
        check, new = _check(ctx, cluster, version, term, ctx.today - dt.timedelta(days=days_ago), lead, show_names)
        if new:
            _rate(ctx, check, schools, base)
            _agree(check, lead, base, due_days=120)
            check = services.health_check_transition(check=check, to=S.CONSENSUS, by=lead)
            check = _moderate(check, alliance_lead, challenge_first=days_ago > 100)
            check = services.health_check_transition(
                check=check, to=S.PUBLISHED, by=lead, note=f"{DEMO} Published to the alliance and the LA."
            )
            check = services.health_check_transition(check=check, to=S.ACTIONS, by=lead)
            if days_ago > 100:
                actions = list(ClusterAction.objects.filter(check_obj=check).order_by("pk"))
                for i, action in enumerate(actions[:-1]):
                    late = i == 1
                    services.cluster_action_complete(
                        action=action,
                        by=lead,
                        completed_on=action.due_on + dt.timedelta(days=21 if late else -10),
                    )
        lines.append(f"{cluster.name}, {term}: {check.get_state_display().lower()}")
    return lines


def _framework_copy(ctx: DemoContext) -> Framework:
    admin = ctx.user(Role.ADMIN)
    copy = Framework.objects.filter(partnership=ctx.partnership, name=COPY_NAME).first()
    if copy is None:
        source = Framework.objects.get(partnership__isnull=True, slug="three-dimension-check")
        copy = services.framework_copy(framework=source, partnership=ctx.partnership, name=COPY_NAME, by=admin)
    return copy


def _edit_copy(ctx: DemoContext, copy: Framework) -> None:
    if copy.versions.count() > 1:
        return
    strand = Strand.objects.filter(
        dimension__version__framework=copy, name="Disadvantaged pupils and attendance"
    ).first()
    if strand is None:
        return
    texts = [d.text for d in strand.descriptors.order_by("level")]
    texts[3] = (
        f"{DEMO} Gaps and persistent absence are below England's and the cluster's approach is shared county-wide."
    )
    services.strand_save(
        framework=copy,
        strand=strand,
        dimension=None,
        name=strand.name,
        description=strand.description,
        descriptors=texts,
        note=f"{DEMO} Leading descriptor for disadvantaged pupils sharpened.",
        by=ctx.user(Role.ADMIN),
    )


def build(ctx: DemoContext) -> list[str]:
    """Write the demo's health checks (idempotent) and return summary lines."""
    lead = ctx.accounts[Role.CLUSTER_LEAD]
    alliance_lead = ctx.accounts[Role.ALLIANCE_LEAD]
    officer = ctx.accounts[Role.OFFICER]
    services.shipped_frameworks_ensure()
    cluster = lead.clusters.first()
    alliance = alliance_lead.alliances.first()
    if cluster is None or alliance is None:
        return ["Cluster health checks: skipped (the demo cluster lead or alliance lead has no cluster)"]
    lines = _demo_cluster_checks(ctx, cluster, lead, alliance_lead)
    others = list(
        Cluster.objects.filter(
            pk__in=AllianceMembership.objects.filter(alliance=alliance, left_on__isnull=True).values("cluster_id")
        )
        .exclude(pk=cluster.pk)
        .order_by("name")[:2]
    )
    copy = _framework_copy(ctx)
    if others:
        in_progress, new = _check(
            ctx, others[0], copy.versions.get(number=1), "Autumn 2026", ctx.today + dt.timedelta(days=14), officer
        )
        if new:
            schools = list(selectors.current_member_schools(cluster_id=others[0].pk))
            _rate(ctx, in_progress, schools[: max(1, len(schools) // 2)], [1, 1, 2, 1, 0, 1])
        lines.append(f"{others[0].name}, Autumn 2026: {in_progress.get_state_display().lower()} (on {COPY_NAME} v1)")
    _edit_copy(ctx, copy)
    if len(others) > 1:
        moderated, new = _check(
            ctx, others[1], _shipped("nine-conditions"), "Autumn 2026", ctx.today - dt.timedelta(days=21), officer
        )
        if new:
            base = [1, 2, 1, 2, 1, 1, 0, 1, 2]
            _rate(ctx, moderated, list(selectors.current_member_schools(cluster_id=others[1].pk)), base)
            _agree(moderated, officer, base, due_days=90)
            moderated = services.health_check_transition(check=moderated, to=S.CONSENSUS, by=officer)
            moderated = _moderate(moderated, alliance_lead, challenge_first=True)
        lines.append(f"{others[1].name}, Autumn 2026: {moderated.get_state_display().lower()} (nine conditions)")
    return ["Cluster health checks: " + "; ".join(lines)]


def delete(partnership: Partnership) -> int:
    """Checks restrict their framework versions: remove them before the partnership goes."""
    deleted, _ = HealthCheck.objects.filter(partnership=partnership).delete()
    return deleted


HEALTH_STEP = DemoStep(label="Cluster health checks", build=build, delete=delete)
