"""Peer-review pages. Views fetch through selectors (which apply the confidentiality rules) and write through
services; a service's ``ValidationError`` is shown on the form, its ``PermissionDenied`` answers 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from clusters.selectors import cluster_list
from partnership.access import PartnershipViewMixin
from partnership.permissions import Permission
from partnership.views import apply_validation_error
from peerreview import forms as f
from peerreview import presenters, selectors, services
from peerreview.access import ReviewAccess
from peerreview.transitions import moves_from
from schools.selectors import school_list

if TYPE_CHECKING:
    from peerreview.models import Review

# ------------------------------------------------------------------------------------------------- home


class HomeView(PartnershipViewMixin, TemplateView):
    """The "Peer review" home: reviews hosted, reviews I am on, staff to release, actions, grants, concerns."""

    template_name = "peerreview/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        home = selectors.peer_review_home(membership=self.membership)
        return super().get_context_data(
            home=home,
            can_manage=self.can(Permission.MANAGE_REVIEW_PROGRAMMES),
            can_rollup=self.can(Permission.VIEW_REVIEW_ROLLUP),
            can_host=self.can(Permission.HOST_PEER_REVIEWS),
            **kwargs,
        )


# ------------------------------------------------------------------------------------------------ protocols


class ProtocolListView(PartnershipViewMixin, TemplateView):
    template_name = "peerreview/protocol_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            protocols=selectors.protocol_list(membership=self.membership),
            can_manage=self.can(Permission.MANAGE_REVIEW_PROGRAMMES),
            **kwargs,
        )


class ProtocolCreateView(PartnershipViewMixin, FormView):
    permission = Permission.MANAGE_REVIEW_PROGRAMMES
    template_name = "peerreview/protocol_form.html"
    form_class = f.ProtocolForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "clusters": cluster_list(membership=self.membership)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            protocol = services.protocol_create(
                partnership=self.partnership,
                cluster=data["cluster"],
                name=data["name"],
                adopted_on=data["adopted_on"],
                review_on=data["review_on"],
                clauses=data["clauses"],
                by=self.membership,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{protocol} adopted")
        return redirect("peerreview:protocol_detail", pk=protocol.pk)


class ProtocolDetailView(PartnershipViewMixin, TemplateView):
    template_name = "peerreview/protocol_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        protocol = selectors.access_protocol(membership=self.membership, pk=self.kwargs["pk"])
        own = [s for s in protocol.signatures.all() if s.school_id == self.membership.school_id]
        return super().get_context_data(
            protocol=protocol,
            own_signatures=own,
            can_sign=self.membership.school_id is not None
            and self.membership.has_role("headteacher", "chair_of_governors"),
            **kwargs,
        )


class ProtocolSignView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        protocol = selectors.access_protocol(membership=self.membership, pk=pk)
        try:
            services.protocol_sign(protocol=protocol, by=self.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Your school has signed {protocol}")
        return redirect("peerreview:protocol_detail", pk=pk)


# ----------------------------------------------------------------------------------------------- programmes


class ProgrammeListView(PartnershipViewMixin, TemplateView):
    template_name = "peerreview/programme_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            programmes=selectors.programme_list(membership=self.membership),
            can_manage=self.can(Permission.MANAGE_REVIEW_PROGRAMMES),
            **kwargs,
        )


class ProgrammeCreateView(PartnershipViewMixin, FormView):
    permission = Permission.MANAGE_REVIEW_PROGRAMMES
    template_name = "peerreview/programme_form.html"
    form_class = f.ProgrammeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        clusters = cluster_list(membership=self.membership)
        if not self.can(Permission.VIEW_ALL_SCHOOLS):
            clusters = clusters.filter(lead_memberships=self.membership)
        return {
            **super().get_form_kwargs(),
            "clusters": clusters,
            "protocols": selectors.protocol_list(membership=self.membership),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            programme = services.programme_create(
                partnership=self.partnership,
                name=data["name"],
                academic_year=data["academic_year"],
                scope=data["scope"],
                cluster=data["cluster"],
                protocol=data["protocol"],
                by=self.membership,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{programme.name} created")
        return redirect("peerreview:programme_detail", pk=programme.pk)


class ProgrammeDetailView(PartnershipViewMixin, TemplateView):
    """The programme's timetable: host, milestone dates, state and team of each review (not their content)."""

    template_name = "peerreview/programme_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programme = selectors.access_programme(membership=self.membership, pk=self.kwargs["pk"])
        return super().get_context_data(
            programme=programme,
            rows=presenters.timetable_rows(programme.timetable),  # type: ignore[attr-defined]
            can_manage=selectors.managed_programmes(membership=self.membership).filter(pk=programme.pk).exists(),
            **kwargs,
        )


class ReviewCreateView(PartnershipViewMixin, FormView):
    permission = Permission.MANAGE_REVIEW_PROGRAMMES
    template_name = "peerreview/review_form.html"
    form_class = f.ReviewForm

    def programme(self):
        return selectors.access_managed_programme(membership=self.membership, pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "frameworks": selectors.framework_list(partnership=self.partnership)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.programme(), **kwargs)

    def form_valid(self, form):
        programme = self.programme()
        data = dict(form.cleaned_data)
        host = school_list(membership=self.membership).filter(urn=data.pop("host_urn")).first()
        if host is None:
            form.add_error("host_urn", "Enter the URN of a school in this partnership")
            return self.form_invalid(form)
        try:
            review = services.review_create(programme=programme, host=host, by=self.membership, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Review of {host.name} scheduled")
        return redirect("peerreview:review_team", pk=review.pk)


# --------------------------------------------------------------------------------------------------- team


class ReviewTeamView(PartnershipViewMixin, FormView):
    """A review's team: who, in what role, released, declared and cleared; the host or manager adds people."""

    template_name = "peerreview/review_team.html"
    form_class = f.TeamAddForm

    def setup_review(self) -> tuple[Review, ReviewAccess]:
        if not hasattr(self, "_review"):
            self._review = selectors.access_review_setup(membership=self.membership, pk=self.kwargs["pk"])
        return self._review

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        review, standing = self.setup_review()
        team = presenters.team_rows(review)
        return super().get_context_data(
            review=review, standing=standing, team=team, can_add=standing.host or standing.manager, **kwargs
        )

    def post(self, request, *args, **kwargs):
        review, standing = self.setup_review()
        if not (standing.host or standing.manager):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        review, _ = self.setup_review()
        person = (
            selectors.partnership_members_for_team(membership=self.membership)
            .filter(user__email__iexact=form.cleaned_data["email"])
            .first()
        )
        if person is None:
            form.add_error("email", "Enter the email address of a member of this partnership")
            return self.form_invalid(form)
        try:
            member = services.team_member_add(
                review=review, user=person.user, role=form.cleaned_data["role"], by=self.membership
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "user" in error.error_dict:
                form.add_error("email", error.error_dict["user"])
            else:
                apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{member.user} invited as {member.get_role_display().lower()}")
        return redirect("peerreview:review_team", pk=review.pk)


class TeamDeclareView(PartnershipViewMixin, FormView):
    """The gate: a team member declares conflicts and accepts confidentiality before seeing anything."""

    template_name = "peerreview/team_declare.html"
    form_class = f.DeclarationForm

    def member(self):
        member = selectors.access_team_member(membership=self.membership, pk=self.kwargs["pk"])
        if member.user_id != self.membership.user_id:
            raise PermissionDenied
        return member

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        member = self.member()
        return super().get_context_data(
            member=member,
            review=member.review,
            suggestions=services.suggested_conflicts(home_school=member.home_school, host=member.review.host),
            clause=presenters.confidentiality_clause(member.review),
            **kwargs,
        )

    def form_valid(self, form):
        member = self.member()
        try:
            services.team_member_clear(
                member=member,
                by=self.membership,
                no_conflicts=form.cleaned_data["no_conflicts"],
                declaration=form.cleaned_data["declaration"],
                accept_confidentiality=form.cleaned_data["accept_confidentiality"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Declaration recorded: you can now see the review")
        return redirect("peerreview:review_detail", pk=member.review_id)


class TeamReleaseView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = selectors.access_team_member(membership=self.membership, pk=pk)
        services.team_member_release(member=member, by=self.membership)
        messages.success(request, f"{member.user} released to the review of {member.review.host.name}")
        return redirect("peerreview:home")


# ----------------------------------------------------------------------------------------------- workspace


FORM_PREFIXES = ("focus", "prereview", "evidence", "finding", "move", "workshop", "action", "concern")


def workspace_forms(review: Review, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every form the workspace may show, unbound except the one that just failed."""
    bound = bound or {}
    made = {
        "focus": f.FocusForm(prefix="focus", review=review),
        "prereview": f.PreReviewForm(
            prefix="prereview",
            initial={
                "self_evaluation_summary": review.self_evaluation_summary,
                "data_shared_note": review.data_shared_note,
            },
        ),
        "evidence": f.EvidenceForm(prefix="evidence", review=review),
        "finding": f.FindingForm(prefix="finding", review=review),
        "move": f.TransitionForm(prefix="move"),
        "workshop": f.WorkshopForm(prefix="workshop"),
        "action": f.ActionForm(prefix="action"),
        "concern": f.ConcernForm(prefix="concern"),
    }
    made.update(bound)
    return made


class ReviewDetailView(PartnershipViewMixin, TemplateView):
    """The review workspace: task list of the cycle, focus → evidence log → findings board, actions."""

    template_name = "peerreview/review_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        review, standing = selectors.access_review(membership=self.membership, pk=kwargs["pk"])
        if not standing.can_read_workspace:  # an uncleared team member: declare first
            return redirect("peerreview:team_declare", pk=standing.member.pk)  # type: ignore[union-attr]
        return self.render_to_response(self.get_context_data(review=review, standing=standing))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        review: Review = kwargs.pop("review")
        standing: ReviewAccess = kwargs.pop("standing")
        bound = kwargs.pop("bound", None)
        ws = selectors.review_workspace(review=review, standing=standing, membership=self.membership)
        actors = standing.actors()
        moves = [(to, m) for to, m in moves_from(review) if actors & m.actors]
        return super().get_context_data(
            ws=ws,
            review=review,
            standing=standing,
            tasks=presenters.cycle_tasks(review),
            moves=moves,
            forms=workspace_forms(review, bound),
            estimate_scale=review.framework.estimate_scale,
            state_tag=presenters.state_tag(review.state),
            able=presenters.workspace_abilities(review, standing),
            findings_columns=presenters.findings_columns(ws.findings_by_kind),
            action_forms=[
                (
                    a,
                    f.ActionStatusForm(prefix=f"a{a.pk}", initial={"status": a.status, "completed_on": a.completed_on}),
                    f.ImpactForm(prefix=f"i{a.pk}"),
                )
                for a in ws.actions
            ],
            estimate_forms=[
                (
                    fa,
                    f.EstimateForm(
                        prefix=f"e{fa.pk}", scale=review.framework.estimate_scale, initial={"estimate": fa.estimate}
                    ),
                )
                for fa in ws.focus_areas
            ],
            **kwargs,
        )


class WorkspacePostView(PartnershipViewMixin, View):
    """Base for the workspace's POST endpoints: fetch the review (404 if not readable), bind the form, call the
    service; errors re-render the workspace with the form's input kept."""

    form_key: str
    anchor: str = ""

    def make_form(self, review: Review):
        forms = workspace_forms(review)
        form = forms[self.form_key]
        return type(form)(self.request.POST, prefix=form.prefix, **self.form_extra(review))

    def form_extra(self, review: Review) -> dict[str, Any]:
        return {"review": review} if self.form_key in ("focus", "evidence", "finding") else {}

    def perform(self, review: Review, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, standing = selectors.access_review(membership=self.membership, pk=pk)
        if not standing.insider:
            raise PermissionDenied
        form = self.make_form(review)
        if form.is_valid():
            try:
                message = self.perform(review, form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, message)
                return redirect(reverse("peerreview:review_detail", args=[pk]) + self.anchor)
        view = ReviewDetailView(request=request, kwargs={"pk": pk})
        view.setup(request, pk=pk)
        context = view.get_context_data(review=review, standing=standing, bound={self.form_key: form})
        context["failed"] = form
        return view.render_to_response(context)


class FocusAddView(WorkspacePostView):
    form_key = "focus"
    anchor = "#focus"

    def perform(self, review, data):
        services.focus_area_add(
            review=review,
            theme=data["theme"],
            question=data["question"],
            title=data["title"],
            self_evaluation_link=data["self_evaluation_link"],
            by=self.membership,
        )
        return "Focus area added"


class PreReviewView(WorkspacePostView):
    form_key = "prereview"
    anchor = "#pre-review"

    def perform(self, review, data):
        services.review_pre_review_update(review=review, by=self.membership, **data)
        return "Self-evaluation saved"


class EvidenceAddView(WorkspacePostView):
    form_key = "evidence"
    anchor = "#evidence"

    def perform(self, review, data):
        services.evidence_add(
            review=review,
            activity=data["activity"],
            joint=data["joint"] == "yes",
            notes=data["notes"],
            focus_area=data["focus_area"],
            by=self.membership,
        )
        return "Evidence logged"


class FindingAddView(WorkspacePostView):
    form_key = "finding"
    anchor = "#findings"

    def perform(self, review, data):
        services.finding_add(
            review=review, kind=data["kind"], text=data["text"], focus_area=data["focus_area"], by=self.membership
        )
        return "Finding recorded"


class TransitionView(WorkspacePostView):
    """Move the review. The programme's manager (who may postpone or cancel) works from the team page."""

    form_key = "move"

    def perform(self, review, data):
        review = services.review_transition(review=review, to=data["to"], reason=data["reason"], by=self.membership)
        return f"The review is now: {review.get_state_display().lower()}"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, standing = selectors.access_review_setup(membership=self.membership, pk=pk)
        if standing.insider:
            return super().post(request, pk)
        if not standing.manager:
            raise PermissionDenied
        form = f.TransitionForm(request.POST, prefix="move")
        if not form.is_valid():
            messages.error(request, "Choose a move")
        else:
            try:
                message = self.perform(review, form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, message)
        return redirect("peerreview:review_team", pk=pk)


class WorkshopView(WorkspacePostView):
    form_key = "workshop"
    anchor = "#workshop"

    def perform(self, review, data):
        services.workshop_record(review=review, by=self.membership, **data)
        return "Workshop recorded"


class ActionAddView(WorkspacePostView):
    form_key = "action"
    anchor = "#actions"

    def perform(self, review, data):
        services.action_add(review=review, by=self.membership, **data)
        return "Action added"


class ConcernAddView(WorkspacePostView):
    form_key = "concern"
    anchor = "#safeguarding"

    def perform(self, review, data):
        concern = services.safeguarding_concern_raise(
            review=review, summary=data["summary"], concerns_head=data["concerns_head"] == "yes", by=self.membership
        )
        return f"Safeguarding concern recorded and sent to the {concern.route_label}"


class FindingAnswerView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = selectors.access_finding(membership=self.membership, pk=pk)
        answer = request.POST.get("agreed")
        if answer not in ("yes", "no"):
            messages.error(request, "Select whether you agree the finding")
        else:
            try:
                services.finding_answer(finding=finding, agreed=answer == "yes", by=self.membership)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Finding agreed" if answer == "yes" else "Finding recorded as not agreed")
        return redirect(reverse("peerreview:review_detail", args=[finding.review_id]) + "#findings")


class FocusEstimateView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        focus = selectors.access_focus_area(membership=self.membership, pk=pk)
        form = f.EstimateForm(request.POST, prefix=f"e{pk}", scale=focus.review.framework.estimate_scale)
        if form.is_valid():
            try:
                services.focus_area_estimate(
                    focus_area=focus, estimate=form.cleaned_data["estimate"], by=self.membership
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Estimate saved")
        else:
            messages.error(request, "Choose an estimate from the framework's scale")
        return redirect(reverse("peerreview:review_detail", args=[focus.review_id]) + "#focus")


class ActionUpdateView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = selectors.access_action(membership=self.membership, pk=pk)
        form = f.ActionStatusForm(request.POST, prefix=f"a{pk}")
        if form.is_valid():
            try:
                services.action_update(action=action, by=self.membership, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Action updated")
        else:
            messages.error(request, "Select a status and, for a completed action, a real completion date")
        return redirect(reverse("peerreview:review_detail", args=[action.review_id]) + "#actions")


class ImpactAddView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = selectors.access_action(membership=self.membership, pk=pk)
        form = f.ImpactForm(request.POST, prefix=f"i{pk}")
        if form.is_valid():
            services.impact_check_add(action=action, by=self.membership, **form.cleaned_data)
            messages.success(request, "Impact check-back recorded")
        else:
            messages.error(request, "Enter the date, the progress and the evidence of impact")
        return redirect(reverse("peerreview:review_detail", args=[action.review_id]) + "#actions")


# ------------------------------------------------------------------------------------------------- report


class ReportView(PartnershipViewMixin, TemplateView):
    """The report (printable). Reads by anyone but the host and the team are logged, and shown to the host."""

    template_name = "peerreview/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version = self.request.GET.get("version")
        page = selectors.access_report(
            membership=self.membership,
            pk=self.kwargs["pk"],
            version=int(version) if version and version.isdigit() else None,
        )
        if not page.insider and page.shown is not None:
            services.report_read_record(
                review=page.review, version=page.shown, user=self.membership.user, grant=page.grant
            )
        return super().get_context_data(
            page=page,
            agree_form=kwargs.pop("agree_form", None) or f.ReportAgreeForm(),
            can_agree=page.host and page.shown is not None and not page.shown.is_locked,
            **kwargs,
        )


class ReportEditView(PartnershipViewMixin, FormView):
    """The lead reviewer drafts the report (a new version after an agreed one)."""

    template_name = "peerreview/report_form.html"
    form_class = f.ReportForm

    def review(self):
        review, standing = selectors.access_review(membership=self.membership, pk=self.kwargs["pk"])
        if not standing.lead:
            raise PermissionDenied
        return review

    def get_initial(self):
        latest = self.review().report_versions.order_by("-number").first()
        if latest:
            return {"summary": latest.summary, "body": latest.body}
        return {"body": presenters.report_outline(self.review())}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(review=self.review(), **kwargs)

    def form_valid(self, form):
        review = self.review()
        try:
            version = services.report_save(review=review, by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Report version {version.number} saved")
        return redirect("peerreview:report", pk=review.pk)


class ReportAgreeView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, standing = selectors.access_review(membership=self.membership, pk=pk)
        if not standing.host:
            raise PermissionDenied
        form = f.ReportAgreeForm(request.POST)
        if form.is_valid():
            try:
                services.report_agree(
                    review=review, by=self.membership, right_of_reply=form.cleaned_data["right_of_reply"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, "Report agreed and locked")
                return redirect("peerreview:report", pk=pk)
        view = ReportView(request=request, kwargs={"pk": pk})
        view.setup(request, pk=pk)
        return view.render_to_response(view.get_context_data(agree_form=form))


# ------------------------------------------------------------------------------------------------ sharing


class SharingView(PartnershipViewMixin, FormView):
    """The host's sharing page: grant, see and revoke grants, and the log of who read the report."""

    template_name = "peerreview/sharing.html"
    form_class = f.GrantForm

    def review(self) -> Review:
        review, standing = selectors.access_review(membership=self.membership, pk=self.kwargs["pk"])
        if not standing.host:
            raise PermissionDenied
        return review

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        review = self.review()
        return super().get_context_data(
            review=review,
            grants=presenters.grant_rows(review),
            reads=review.reads.select_related("user", "version")[:100],
            **kwargs,
        )

    def form_valid(self, form):
        review = self.review()
        data = form.cleaned_data
        person = None
        if data["audience"] == presenters.PERSON_AUDIENCE:
            found = (
                selectors.partnership_members_for_team(membership=self.membership)
                .filter(user__email__iexact=data["person_email"])
                .first()
            )
            if found is None:
                form.add_error("person_email", "Enter the email address of a member of this partnership")
                return self.form_invalid(form)
            person = found.user
        try:
            services.share_grant_create(
                review=review,
                artefact=data["artefact"],
                audience=data["audience"],
                person=person,
                expires_on=data["expires_on"],
                by=self.membership,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Shared")
        return redirect("peerreview:sharing", pk=review.pk)


class GrantRevokeView(PartnershipViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grant = selectors.access_grant(membership=self.membership, pk=pk)
        services.share_grant_revoke(grant=grant, by=self.membership)
        messages.success(request, "Sharing revoked")
        return redirect("peerreview:sharing", pk=grant.review_id)


class ConcernDetailView(PartnershipViewMixin, TemplateView):
    template_name = "peerreview/concern_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            concern=selectors.access_concern(membership=self.membership, pk=self.kwargs["pk"]), **kwargs
        )


# ---------------------------------------------------------------------------------------- roll-up, directory


class RollupView(PartnershipViewMixin, TemplateView):
    permission = Permission.VIEW_REVIEW_ROLLUP
    template_name = "peerreview/rollup.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(rollup=selectors.review_rollup(membership=self.membership), **kwargs)


class ExcellenceView(PartnershipViewMixin, TemplateView):
    template_name = "peerreview/excellence.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = f.DirectorySearchForm(self.request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        return super().get_context_data(
            form=form,
            query=query,
            entries=selectors.excellence_directory(partnership=self.partnership, query=query),
            can_add=self.can(Permission.HOST_PEER_REVIEWS) and self.membership.school_id is not None,
            **kwargs,
        )


class ExcellenceAddView(PartnershipViewMixin, FormView):
    permission = Permission.HOST_PEER_REVIEWS
    template_name = "peerreview/excellence_form.html"
    form_class = f.ExcellenceForm

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None and membership.school_id is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "findings": selectors.excellence_candidates(membership=self.membership)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.excellence_entry_create(
                school=self.membership.school,
                finding=data["finding"],
                title=data["title"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                by=self.membership,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Added to the directory of excellence")
        return redirect("peerreview:excellence")
