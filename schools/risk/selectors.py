"""Reads of the risk app, always through a membership's partnership, permissions and scope.

Soft intelligence is part of "everything about a school": officers and admins see every school's entries, a
headteacher only their own school's, and nobody else any; confidential entries need
``VIEW_CONFIDENTIAL_INTELLIGENCE`` (a headteacher never sees one, even about their own school). Risk runs and
rule sets need ``VIEW_RISK``. Anything outside the scope answers 404, like something that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.models import School
from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun, RuleSetVersion
from schools.selectors import access_school, school_has_full_access


def access_intelligence_school(*, membership: Membership, urn: int) -> School:
    """The school with ``urn`` if the membership may see its intelligence (full access to it); else 404."""
    school = access_school(membership=membership, urn=urn)
    if not school_has_full_access(membership=membership, school=school):
        raise Http404("No such school")
    return school


def intelligence_list(*, membership: Membership, school: School) -> QuerySet[IntelligenceEntry]:
    """The school's current (not archived) entries the membership may see, newest first."""
    if school.partnership_id != membership.partnership_id or not school_has_full_access(
        membership=membership, school=school
    ):
        return IntelligenceEntry.objects.none()
    entries = IntelligenceEntry.objects.filter(
        partnership_id=membership.partnership_id, school=school, archived_at__isnull=True
    )
    if not membership_can(membership, Permission.VIEW_CONFIDENTIAL_INTELLIGENCE):
        entries = entries.filter(confidential=False)
    return entries.select_related("recorded_by").order_by("-recorded_on", "-created_at", "-pk")


def access_intelligence_entry(*, membership: Membership, pk: int) -> IntelligenceEntry:
    """An entry the membership may change (RECORD_INTELLIGENCE, same partnership, not archived); else 404."""
    entry = (
        IntelligenceEntry.objects.filter(partnership_id=membership.partnership_id, pk=pk, archived_at__isnull=True)
        .select_related("school", "partnership")
        .first()
        if membership_can(membership, Permission.RECORD_INTELLIGENCE)
        else None
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def risk_run_list(*, membership: Membership) -> QuerySet[RiskRun]:
    """Risk runs of the membership's partnership, newest first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return RiskRun.objects.none()
    return (
        RiskRun.objects.filter(partnership_id=membership.partnership_id)
        .select_related("created_by", "ruleset_version")
        .order_by("-created_at", "-pk")
    )


def access_risk_run(*, membership: Membership, pk: int) -> RiskRun:
    """A risk run of the membership's partnership; else 404."""
    run = risk_run_list(membership=membership).filter(pk=pk).first()
    if run is None:
        raise Http404("No such run")
    return run


def risk_assessment_list(*, membership: Membership, run: RiskRun) -> QuerySet[RiskAssessment]:
    """A run's assessments with their schools, highest category and score first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK) or run.partnership_id != membership.partnership_id:
        return RiskAssessment.objects.none()
    return (
        RiskAssessment.objects.filter(run=run)
        .select_related("school")
        .only(
            "id",
            "run_id",
            "proposed_category",
            "standards_band",
            "capacity_band",
            "score",
            "leading",
            "academy_view",
            "school__id",
            "school__urn",
            "school__name",
            "school__phase",
            "school__district",
        )
        .order_by("-proposed_category", "-score", "school__name", "pk")
    )


def ruleset_version_list(*, membership: Membership) -> QuerySet[RuleSetVersion]:
    """The partnership's rule-set versions, newest first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return RuleSetVersion.objects.none()
    return RuleSetVersion.objects.filter(partnership_id=membership.partnership_id).select_related("created_by")


def ruleset_version_current(*, membership: Membership) -> RuleSetVersion | None:
    """The active rule-set version, or None before the first run (the engine's default will be seeded)."""
    return ruleset_version_list(membership=membership).filter(is_active=True).first()
