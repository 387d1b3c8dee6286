"""Display values for peer-review pages, so templates hold no logic."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from peerreview.models import Finding, ProtocolClause, Review, ShareGrant, TeamMember
from peerreview.transitions import ACTIVE

S = Review.State

TAG_COLOURS: dict[str, str] = {
    S.PLANNED: "grey",
    S.FOCUS_AGREED: "light-blue",
    S.PRE_REVIEW: "light-blue",
    S.VISIT: "blue",
    S.FINDINGS_AGREED: "blue",
    S.REPORT_DRAFT: "purple",
    S.REPORT_AGREED: "turquoise",
    S.WORKSHOP_HELD: "turquoise",
    S.ACTIONS_LIVE: "green",
    S.IMPACT_REVIEWED: "green",
    S.CLOSED: "grey",
    S.POSTPONED: "yellow",
    S.CANCELLED: "red",
}


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str

    @property
    def css(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}"


def state_tag(state: str) -> Tag:
    return Tag(Review.State(state).label, TAG_COLOURS.get(state, "grey"))


@dataclass(frozen=True)
class Task:
    label: str
    status: str  # "Completed" / "In progress" / "Not yet started"
    anchor: str

    @property
    def css(self) -> str:
        return {"Completed": "", "In progress": "govuk-tag--light-blue"}.get(self.status, "govuk-tag--grey")


_TASKS = [
    (S.FOCUS_AGREED, "Agree the focus areas", "#focus"),
    (S.PRE_REVIEW, "Share the self-evaluation and data", "#pre-review"),
    (S.VISIT, "Visit and log evidence", "#evidence"),
    (S.FINDINGS_AGREED, "Agree the findings", "#findings"),
    (S.REPORT_DRAFT, "Draft the report", "#report"),
    (S.REPORT_AGREED, "Check and agree the report", "#report"),
    (S.WORKSHOP_HELD, "Hold the improvement workshop", "#workshop"),
    (S.ACTIONS_LIVE, "Agree the actions", "#actions"),
    (S.IMPACT_REVIEWED, "Check back on impact", "#actions"),
    (S.CLOSED, "Close the review", "#move"),
]


def cycle_tasks(review: Review) -> list[Task]:
    """The cycle as a GOV.UK task list: done up to the review's state (or the state it was postponed from)."""
    order: list[str] = [*ACTIVE, S.CLOSED]
    current = review.resume_state if review.state == S.POSTPONED else review.state
    position = order.index(current) if current in order else -1
    tasks = []
    for target, label, anchor in _TASKS:
        target_position = order.index(target)
        if review.state == S.CANCELLED:
            status = "Cancelled" if target_position > position else "Completed"
        elif target_position <= position:
            status = "Completed"
        elif target_position == position + 1:
            status = "In progress"
        else:
            status = "Not yet started"
        tasks.append(Task(label, status, anchor))
    return tasks


@dataclass(frozen=True)
class TimetableRow:
    review: Review
    tag: Tag
    lead: str
    champion: str
    reviewers: str


def timetable_rows(reviews: list[Review]) -> list[TimetableRow]:
    """One row per review of a programme (from the prefetched ``current_team``)."""
    rows = []
    for review in reviews:
        team = getattr(review, "current_team", [])
        by_role: dict[str, list[str]] = {}
        for member in team:
            by_role.setdefault(member.role, []).append(str(member.user))
        rows.append(
            TimetableRow(
                review=review,
                tag=state_tag(review.state),
                lead=", ".join(by_role.get(TeamMember.Role.LEAD_REVIEWER, [])),
                champion=", ".join(by_role.get(TeamMember.Role.IMPROVEMENT_CHAMPION, [])),
                reviewers=", ".join(by_role.get(TeamMember.Role.PEER_REVIEWER, [])),
            )
        )
    return rows


@dataclass(frozen=True)
class TeamRow:
    member: TeamMember
    released: str
    cleared: str


def team_rows(review: Review) -> list[TeamRow]:
    members = review.team.filter(removed_at__isnull=True).select_related("user", "home_school")
    return [
        TeamRow(
            member=m,
            released=(
                f"Released {timezone.localtime(m.released_at):%d %b %Y}"
                if m.released_at
                else ("Not needed" if m.home_school_id is None else "Waiting for their head")
            ),
            cleared=(
                f"Declared and accepted {timezone.localtime(m.confidentiality_accepted_at):%d %b %Y}"
                if m.is_cleared
                else "Not yet: sees nothing of the review"
            ),
        )
        for m in members
    ]


def confidentiality_clause(review: Review) -> str:
    """The text team members accept: the programme protocol's confidentiality clause, or the default."""
    if review.programme.protocol_id:
        clause = ProtocolClause.objects.filter(
            protocol_id=review.programme.protocol_id, kind=ProtocolClause.Kind.CONFIDENTIALITY
        ).first()
        if clause:
            return clause.text
    from peerreview.frameworks_default import DEFAULT_CLAUSES

    return dict(DEFAULT_CLAUSES)["confidentiality"]


@dataclass(frozen=True)
class GrantRow:
    grant: ShareGrant
    audience: str
    status: str
    active: bool


def grant_rows(review: Review) -> list[GrantRow]:
    rows = []
    today = timezone.localdate()
    for g in review.grants.select_related("person", "created_by", "revoked_by"):
        audience = f"{g.person} ({g.person.email})" if g.person else g.get_audience_display()
        if g.revoked_at:
            status = f"Revoked {timezone.localtime(g.revoked_at):%d %b %Y}"
        elif g.expires_on and g.expires_on < today:
            status = f"Expired {g.expires_on:%d %b %Y}"
        elif g.expires_on:
            status = f"Active until {g.expires_on:%d %b %Y}"
        else:
            status = "Active"
        rows.append(GrantRow(g, audience, status, g.is_active(today)))
    return rows


def report_outline(review: Review) -> str:
    """A starting draft for the lead reviewer: the focus areas and agreed findings, to edit."""
    lines = [f"Peer review of {review.host.name}", ""]
    for focus in review.focus_areas.select_related("theme"):
        lines += [f"Focus: {focus.title} ({focus.theme.title})", ""]
        for finding in review.findings.filter(focus_area=focus, agreed=True):
            lines.append(f"- {finding.get_kind_display()}: {finding.text}")
        lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class WorkspaceAbilities:
    """Which forms the workspace shows this person now (the services check again when they submit)."""

    set_focus: bool
    pre_review: bool
    log_evidence: bool
    add_finding: bool
    answer_findings: bool
    estimate: bool
    edit_report: bool
    workshop: bool
    add_action: bool
    update_actions: bool
    check_impact: bool
    raise_concern: bool
    share: bool


def workspace_abilities(review: Review, standing) -> WorkspaceAbilities:
    state, host, insider = review.state, standing.host, standing.insider
    return WorkspaceAbilities(
        set_focus=host and state in (S.PLANNED, S.FOCUS_AGREED),
        pre_review=host and state in (S.FOCUS_AGREED, S.PRE_REVIEW),
        log_evidence=insider and state in (S.PRE_REVIEW, S.VISIT),
        add_finding=insider and state in (S.VISIT, S.FINDINGS_AGREED),
        answer_findings=host and state in (S.VISIT, S.FINDINGS_AGREED),
        estimate=insider
        and bool(review.framework.estimate_scale)
        and state in (S.VISIT, S.FINDINGS_AGREED, S.REPORT_DRAFT),
        edit_report=standing.lead
        and state in (S.FINDINGS_AGREED, S.REPORT_DRAFT, S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE),
        workshop=insider and state in (S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE),
        add_action=insider and state in (S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE, S.IMPACT_REVIEWED),
        update_actions=host,
        check_impact=insider and state in (S.ACTIONS_LIVE, S.IMPACT_REVIEWED),
        raise_concern=standing.cleared and state not in (S.CLOSED, S.CANCELLED),
        share=host,
    )


PERSON_AUDIENCE = ShareGrant.Audience.PERSON


def findings_columns(by_kind: dict) -> list[tuple[str, list]]:
    """The findings board's columns, in the framework's order: what went well, even better if, excellence."""
    return [(label, by_kind.get(kind, [])) for kind, label in Finding.Kind.choices]
