"""The board's pages: the body, meetings, the strategy, KPIs, dashboards and meeting packs. No ORM here: reads
through ``partnership.board.selectors``, writes through ``partnership.board.services``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership.access import PartnershipViewMixin
from partnership.board import forms, presenters, selectors, services
from partnership.board.kpi_library import LIBRARY
from partnership.permissions import Permission
from partnership.views import apply_validation_error

if TYPE_CHECKING:
    from partnership.models import User


class BoardMixin(PartnershipViewMixin):
    """Board pages: the user as a ``User`` and a helper for success messages."""

    @property
    def user(self) -> User:
        return cast("User", self.request.user)  # type: ignore[attr-defined]


class ServiceFormView(BoardMixin, FormView):
    """A form whose valid data goes to a service; a service's ValidationError goes back onto the form."""

    permission = Permission.MANAGE_BOARD
    success_message = ""

    def save(self, form) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def success_url_for(self, result: Any) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.save(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.success_url_for(result))


# ------------------------------------------------------------------------------------------ the board as a body


class BoardHomeView(BoardMixin, TemplateView):
    """The board: terms of reference, members with chair and voting, meetings, rounds waiting, declarations."""

    permission = Permission.VIEW_BOARD
    template_name = "board/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            overview=selectors.board_overview(membership=self.membership),
            can_manage=self.can(Permission.MANAGE_BOARD),
            **kwargs,
        )


class BoardEditView(ServiceFormView):
    """Edit the board's name, kind, terms of reference and quorum."""

    template_name = "board/form.html"
    form_class = forms.BoardForm
    success_message = "The board's terms of reference are saved"

    def get_initial(self):
        board = selectors.board_overview(membership=self.membership).board
        if board is None:
            return {"name": f"{self.partnership.name} board", "kind": "strategic", "quorum": 3}
        return {
            "name": board.name,
            "kind": board.kind,
            "terms_of_reference": board.terms_of_reference,
            "quorum": board.quorum,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Terms of reference", back=reverse("board:home"), **kwargs)

    def save(self, form):
        return services.board_save(partnership=self.partnership, user=self.user, **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:home")


class StandingView(ServiceFormView):
    """Set a member's standing: chair, voting or co-opted."""

    template_name = "board/form.html"
    form_class = forms.StandingForm
    success_message = "The member's standing is saved"

    def get_member(self):
        return selectors.access_board_member(membership=self.membership, pk=self.kwargs["pk"])

    def get_initial(self):
        standing = getattr(self.get_member(), "standing", None)
        return {
            "is_chair": bool(standing and standing.is_chair),
            "voting": "coopted" if standing and not standing.voting else "voting",
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Standing of {self.get_member().name}", back=reverse("board:home"), **kwargs
        )

    def save(self, form):
        return services.member_standing_set(
            member=self.get_member(),
            is_chair=form.cleaned_data["is_chair"],
            voting=form.cleaned_data["voting"] == "voting",
            user=self.user,
        )

    def success_url_for(self, result):
        return reverse("board:home")


class DeclarationListView(BoardMixin, TemplateView):
    """The register of declared interests."""

    permission = Permission.VIEW_BOARD
    template_name = "board/declarations.html"

    def get_context_data(self, **kwargs):
        current, ended = selectors.declaration_register(membership=self.membership)
        return super().get_context_data(
            current=current, ended=ended, can_manage=self.can(Permission.MANAGE_BOARD), **kwargs
        )


class DeclarationAddView(ServiceFormView):
    """Record a declared interest."""

    template_name = "board/form.html"
    form_class = forms.DeclarationForm
    success_message = "The declaration is recorded"

    def get_form_kwargs(self):
        from schools.selectors import school_list

        pid = self.partnership.pk
        return {
            **super().get_form_kwargs(),
            "members": selectors.board_member_choices(partnership_id=pid),
            "schools": school_list(membership=self.membership).order_by("name"),
            "meetings": selectors.meeting_list(membership=self.membership),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Record a declaration of interest", back=reverse("board:declarations"), **kwargs
        )

    def save(self, form):
        return services.declaration_create(user=self.user, **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:declarations")


# ------------------------------------------------------------------------------------------------------ meetings


class MeetingListView(BoardMixin, TemplateView):
    """Board meetings: everyone in the partnership sees them; confidential items only the board."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/meeting_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            meetings=list(selectors.meeting_list(membership=self.membership)),
            can_manage=self.can(Permission.MANAGE_BOARD),
            **kwargs,
        )


class MeetingAddView(ServiceFormView):
    """Schedule a meeting."""

    template_name = "board/form.html"
    form_class = forms.MeetingForm
    success_message = "The meeting is scheduled"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Schedule a board meeting", back=reverse("board:meeting_list"), **kwargs)

    def save(self, form):
        return services.meeting_create(partnership=self.partnership, user=self.user, **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:meeting", args=[result.pk])


class MeetingMixin(BoardMixin):
    def get_meeting(self):
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.access_meeting(membership=self.membership, pk=self.kwargs["pk"])
        return self._meeting


class MeetingView(MeetingMixin, TemplateView):
    """A meeting: agenda, papers, minutes, decisions, actions, declarations and packs."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/meeting.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            view=selectors.meeting_view(membership=self.membership, meeting=self.get_meeting()),
            can_manage=self.can(Permission.MANAGE_BOARD),
            sees_board=self.can(Permission.VIEW_BOARD),
            state_form=forms.MeetingStateForm(),
            action_status_form=forms.ActionStatusForm(),
            **kwargs,
        )


class MeetingFormBase(MeetingMixin, ServiceFormView):
    template_name = "board/form.html"
    heading = ""

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        return super().get_context_data(
            title=self.heading, caption=str(meeting), back=reverse("board:meeting", args=[meeting.pk]), **kwargs
        )

    def success_url_for(self, result):
        return reverse("board:meeting", args=[self.get_meeting().pk])


class MeetingStateView(MeetingFormBase):
    """Mark a meeting held or cancelled."""

    form_class = forms.MeetingStateForm
    heading = "Change the meeting's state"
    success_message = "The meeting's state is changed"

    def save(self, form):
        return services.meeting_transition(meeting=self.get_meeting(), to=form.cleaned_data["to"], by=self.user)


class AgendaItemAddView(MeetingFormBase):
    """Add an agenda item."""

    form_class = forms.AgendaItemForm
    heading = "Add an agenda item"
    success_message = "The agenda item is added"

    def save(self, form):
        return services.agenda_item_add(meeting=self.get_meeting(), **form.cleaned_data)


class PaperAddView(MeetingFormBase):
    """Upload a paper."""

    form_class = forms.PaperForm
    heading = "Upload a paper"
    success_message = "The paper is uploaded"
    # Refused before the body is read past the paper cap (partnership.middleware.UploadCapMiddleware), not 100 MB.
    upload_max_bytes = staticmethod(services.paper_max_bytes)

    def get_context_data(self, **kwargs):
        return super().get_context_data(multipart=True, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.paper_upload(
            meeting=self.get_meeting(),
            title=data["title"],
            confidential=data["confidential"],
            upload=data["file"],
            user=self.user,
        )


class MinutesView(MeetingFormBase):
    """Write or approve the minutes."""

    form_class = forms.MinutesForm
    heading = "Minutes"
    success_message = "The minutes are saved"

    def get_initial(self):
        meeting = self.get_meeting()
        return {"minutes": meeting.minutes, "approved": meeting.minutes_approved}

    def save(self, form):
        return services.minutes_save(meeting=self.get_meeting(), user=self.user, **form.cleaned_data)


class DecisionAddView(MeetingFormBase):
    """Record a decision; one may agree a categorisation round (officers with the right to moderate)."""

    form_class = forms.DecisionForm
    heading = "Record a decision"
    success_message = "The decision is recorded"

    def get_form_kwargs(self):
        rounds = selectors.rounds_for_agreement(partnership_id=self.partnership.pk)
        if not self.can(Permission.MODERATE):
            rounds = rounds.none()
        return {**super().get_form_kwargs(), "rounds": rounds}

    def save(self, form):
        return services.decision_record(
            meeting=self.get_meeting(),
            text=form.cleaned_data["text"],
            user=self.user,
            categorisation_round=form.cleaned_data.get("categorisation_round"),
        )


class ActionAddView(MeetingFormBase):
    """Give an action."""

    form_class = forms.ActionForm
    heading = "Add an action"
    success_message = "The action is added"

    def save(self, form):
        return services.action_create(meeting=self.get_meeting(), user=self.user, **form.cleaned_data)


class ActionStatusView(BoardMixin, View):
    """Change an action's status (POST)."""

    permission = Permission.MANAGE_BOARD

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = selectors.access_action(membership=self.membership, pk=pk)
        form = forms.ActionStatusForm(request.POST)
        if form.is_valid():
            try:
                services.action_transition(action=action, to=form.cleaned_data["to"], by=self.user)
                messages.success(request, f"The action is now {form.cleaned_data['to']}")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, "Choose the status")
        return redirect("board:meeting", pk=action.meeting_id)


class PaperDownloadView(BoardMixin, View):
    """Download a paper (a confidential one only for the board and officers)."""

    permission = Permission.VIEW_DASHBOARD

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        paper = selectors.access_paper(membership=self.membership, pk=pk)
        path = Path(paper.stored_path)
        if not path.is_file():
            raise Http404
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=paper.original_filename, content_type=paper.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RoundSummaryView(BoardMixin, TemplateView):
    """A categorisation round in aggregate, as the board is asked to agree it (small cells suppressed)."""

    permission = Permission.VIEW_BOARD
    template_name = "board/round.html"

    def get_context_data(self, **kwargs):
        round_ = selectors.access_round(membership=self.membership, pk=self.kwargs["pk"])
        aggregate = selectors.round_aggregate(membership=self.membership, round_=round_)
        charts = presenters.dashboard_charts(aggregate=aggregate, kpi_rows=[], points=None, health=None, support=None)
        return super().get_context_data(
            round=round_,
            aggregate=aggregate,
            charts=charts,
            decision=selectors.round_decision(round_=round_),
            held=selectors.held_meetings(partnership_id=self.partnership.pk) if self.can(Permission.MODERATE) else [],
            **kwargs,
        )


# -------------------------------------------------------------------------------------------------------- strategy


class StrategyView(BoardMixin, TemplateView):
    """The plan on a page: vision → priorities → deliverables → KPIs."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/strategy.html"

    def get_context_data(self, **kwargs):
        plan = selectors.plan_on_a_page(partnership_id=self.partnership.pk)
        lines = {
            line.kpi.pk: line
            for line in presenters.scorecard_lines([*[r for p in plan.priorities for r in p.kpis], *plan.other_kpis])
        }
        return super().get_context_data(plan=plan, lines=lines, can_manage=self.can(Permission.MANAGE_BOARD), **kwargs)


class StrategyEditView(ServiceFormView):
    """Enter the strategy (or a new one for a new period), or edit the current one."""

    template_name = "board/form.html"
    form_class = forms.StrategyForm
    success_message = "The strategy is saved"

    def current(self):
        return selectors.current_strategy(partnership_id=self.partnership.pk)

    def get_initial(self):
        s = self.current()
        return {"title": s.title, "starts_on": s.starts_on, "ends_on": s.ends_on, "vision": s.vision} if s else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="The strategy and vision", back=reverse("board:strategy"), **kwargs)

    def save(self, form):
        return services.strategy_save(
            partnership=self.partnership, user=self.user, strategy=self.current(), **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("board:strategy")


class PriorityAddView(ServiceFormView):
    """Add a priority (refused beyond three active)."""

    template_name = "board/form.html"
    form_class = forms.PriorityForm
    success_message = "The priority is added"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add a priority", back=reverse("board:strategy"), **kwargs)

    def save(self, form):
        strategy = selectors.current_strategy(partnership_id=self.partnership.pk)
        if strategy is None:
            raise ValidationError("Enter the strategy and its vision before adding priorities")
        return services.priority_create(strategy=strategy, user=self.user, **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:strategy")


class PriorityEditView(ServiceFormView):
    """Edit a priority."""

    template_name = "board/form.html"
    form_class = forms.PriorityForm
    success_message = "The priority is saved"

    def get_priority(self):
        return selectors.access_priority(membership=self.membership, pk=self.kwargs["pk"])

    def get_initial(self):
        p = self.get_priority()
        return {"title": p.title, "rationale": p.rationale, "lead": p.lead}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Edit the priority", back=reverse("board:strategy"), **kwargs)

    def save(self, form):
        return services.priority_update(priority=self.get_priority(), user=self.user, **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:strategy")


class PriorityRetireView(BoardMixin, View):
    """Retire a priority (POST): kept, no longer active."""

    permission = Permission.MANAGE_BOARD

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        priority = selectors.access_priority(membership=self.membership, pk=pk)
        try:
            services.priority_retire(priority=priority, user=self.user)
            messages.success(request, f"“{priority.title}” is retired")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("board:strategy")


class DeliverableFormView(ServiceFormView):
    """Add a deliverable to a priority, or edit one."""

    template_name = "board/form.html"
    form_class = forms.DeliverableForm
    success_message = "The deliverable is saved"

    def get_deliverable(self):
        if "deliverable" in self.kwargs:
            return selectors.access_deliverable(membership=self.membership, pk=self.kwargs["deliverable"])
        return None

    def get_priority(self):
        d = self.get_deliverable()
        return d.priority if d else selectors.access_priority(membership=self.membership, pk=self.kwargs["pk"])

    def get_initial(self):
        d = self.get_deliverable()
        if d is None:
            return {"status": "white"}
        return {
            "title": d.title,
            "owner": d.owner,
            "due_on": d.due_on,
            "status": d.status,
            "status_reason": d.status_reason,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Deliverable", caption=self.get_priority().title, back=reverse("board:strategy"), **kwargs
        )

    def save(self, form):
        return services.deliverable_save(
            priority=self.get_priority(), deliverable=self.get_deliverable(), user=self.user, **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("board:strategy")


# ------------------------------------------------------------------------------------------------------------ KPIs


class ScorecardView(BoardMixin, TemplateView):
    """The KPI scorecard: value, target, comparator, RAG, direction of travel and source."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/scorecard.html"

    def get_context_data(self, **kwargs):
        rows = selectors.scorecard(partnership_id=self.partnership.pk)
        return super().get_context_data(
            lines=presenters.scorecard_lines(rows),
            refresh=selectors.latest_refresh(partnership_id=self.partnership.pk),
            can_manage=self.can(Permission.MANAGE_BOARD),
            library_left=len(LIBRARY) - len(selectors.tracked_library_codes(partnership_id=self.partnership.pk)),
            **kwargs,
        )


class LibraryKpiAddView(ServiceFormView):
    """Track a KPI computed from the data."""

    template_name = "board/form.html"
    form_class = forms.LibraryKpiForm
    success_message = "The KPI is tracked and computed from the data"

    def get_form_kwargs(self):
        pid = self.partnership.pk
        return {
            **super().get_form_kwargs(),
            "tracked": selectors.tracked_library_codes(partnership_id=pid),
            "priorities": selectors.priority_choices(partnership_id=pid),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Track a KPI from the library", back=reverse("board:scorecard"), **kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.kpi_create_from_library(
            partnership=self.partnership,
            code=data["library_code"],
            target=data["target"],
            target_on=data["target_on"],
            priority=data["priority"],
            user=self.user,
        )

    def success_url_for(self, result):
        return reverse("board:kpi", args=[result.pk])


class KpiFormView(ServiceFormView):
    """Add a manual KPI, or edit a KPI's target, thresholds and baseline."""

    template_name = "board/form.html"
    form_class = forms.KpiForm
    success_message = "The KPI is saved"

    def get_kpi(self):
        return selectors.access_kpi(membership=self.membership, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_form_kwargs(self):
        kpi = self.get_kpi()
        return {
            **super().get_form_kwargs(),
            "priorities": selectors.priority_choices(partnership_id=self.partnership.pk),
            "computed": bool(kpi and kpi.library_code),
        }

    def get_initial(self):
        kpi = self.get_kpi()
        if kpi is None:
            return {"comparator": "target", "green_within": 0, "amber_within": 2}
        names = [
            "title",
            "definition",
            "polarity",
            "unit",
            "source",
            "comparator",
            "priority",
            "baseline",
            "baseline_period",
            "target",
            "target_on",
            "green_within",
            "amber_within",
        ]
        return {n: getattr(kpi, n) for n in names}

    def get_context_data(self, **kwargs):
        kpi = self.get_kpi()
        return super().get_context_data(
            title=f"Edit {kpi.title}" if kpi else "Add a manual KPI", back=reverse("board:scorecard"), **kwargs
        )

    def save(self, form):
        return services.kpi_save(partnership=self.partnership, user=self.user, kpi=self.get_kpi(), **form.cleaned_data)

    def success_url_for(self, result):
        return reverse("board:kpi", args=[result.pk])


class KpiView(BoardMixin, TemplateView):
    """A KPI: its definition, trend against target, and every value with its source and RAG."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/kpi.html"

    def get_context_data(self, **kwargs):
        kpi = selectors.access_kpi(membership=self.membership, pk=self.kwargs["pk"])
        values = selectors.kpi_values(kpi=kpi)
        row = selectors.KpiRow(kpi=kpi, values=values)
        return super().get_context_data(
            kpi=kpi,
            values=[
                (
                    v,
                    presenters.kpi_value_text(kpi, v.value),
                    presenters.rag_tag(v.rag),
                    presenters.RAG_WORDS.get(v.rag, v.rag),
                    presenters.kpi_value_text(kpi, v.comparator_value) if v.comparator_value is not None else "",
                )
                for v in values
            ],
            chart=presenters.kpi_chart(row, "kpi-trend") if values else None,
            line=presenters.scorecard_lines([row])[0],
            can_manage=self.can(Permission.MANAGE_BOARD),
            **kwargs,
        )


class KpiValueAddView(ServiceFormView):
    """Enter a manual KPI's value for a year."""

    template_name = "board/form.html"
    form_class = forms.KpiValueForm
    success_message = "The value is recorded"

    def get_kpi(self):
        return selectors.access_kpi(membership=self.membership, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kpi = self.get_kpi()
        return super().get_context_data(
            title="Enter a value", caption=kpi.title, back=reverse("board:kpi", args=[kpi.pk]), **kwargs
        )

    def save(self, form):
        d = form.cleaned_data
        return services.kpi_value_record(
            kpi=self.get_kpi(),
            period=d["period"],
            value=d["value"],
            comparator=d["comparator"],
            note=d["note"],
            user=self.user,
        )

    def success_url_for(self, result):
        return reverse("board:kpi", args=[self.kwargs["pk"]])


class OverrideView(ServiceFormView):
    """Override a value's automatic RAG with a reason."""

    template_name = "board/form.html"
    form_class = forms.OverrideForm
    success_message = "The RAG rating is saved"

    def get_value(self):
        return selectors.access_kpi_value(membership=self.membership, pk=self.kwargs["pk"])

    def get_initial(self):
        v = self.get_value()
        return {"rag": v.rag_override, "reason": v.override_reason}

    def get_context_data(self, **kwargs):
        v = self.get_value()
        return super().get_context_data(
            title=f"RAG for {v.period_label}",
            caption=v.kpi.title,
            back=reverse("board:kpi", args=[v.kpi_id]),
            intro=f"Automatic rating: {presenters.RAG_WORDS.get(v.rag_auto, v.rag_auto)}.",
            **kwargs,
        )

    def save(self, form):
        return services.kpi_value_override(
            value=self.get_value(), rag=form.cleaned_data["rag"], reason=form.cleaned_data["reason"], user=self.user
        )

    def success_url_for(self, result):
        return reverse("board:kpi", args=[result.kpi_id])


class KpiRefreshView(BoardMixin, View):
    """Recompute every computed KPI now (POST): a Celery job."""

    permission = Permission.MANAGE_BOARD

    def post(self, request: HttpRequest) -> HttpResponse:
        services.kpi_refresh_request(partnership_id=self.partnership.pk, user=self.user)
        messages.success(request, "The KPIs will be recomputed from the data in a moment")
        return redirect("board:scorecard")


# ------------------------------------------------------------------------------------------------------ dashboard


class DashboardView(BoardMixin, TemplateView):
    """Charts, each with its table and a one-line summary; the board sees suppressed aggregates, officers see
    schools (and the map), heads see their own school against the partnership."""

    permission = Permission.VIEW_DASHBOARD
    template_name = "board/dashboard.html"

    def get_context_data(self, **kwargs):
        data = selectors.dashboard(membership=self.membership)
        charts = presenters.dashboard_charts(
            aggregate=data.aggregate,
            kpi_rows=data.kpi_rows,
            points=data.points,
            health=data.health,
            support=data.support,
        )
        return super().get_context_data(
            data=data, charts=charts, lines=presenters.scorecard_lines(data.kpi_rows), **kwargs
        )


# ----------------------------------------------------------------------------------------------------------- packs


class PackBuildView(MeetingMixin, View):
    """Build a frozen pack for the meeting (POST): a Celery job with progress."""

    permission = Permission.MANAGE_BOARD

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pack = services.meeting_pack_request(meeting=self.get_meeting(), user=self.user)
        return redirect("board:pack", pk=pack.pk)


class PackView(BoardMixin, TemplateView):
    """A pack's progress, then its downloads."""

    permission = Permission.VIEW_BOARD
    template_name = "board/pack.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pack=selectors.access_pack(membership=self.membership, pk=self.kwargs["pk"]), **kwargs
        )


class PackFileView(BoardMixin, View):
    """Download a built pack as PDF or XLSX."""

    permission = Permission.VIEW_BOARD
    kind = "pdf"
    types = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        pack = selectors.access_pack(membership=self.membership, pk=pk)
        data = selectors.pack_file(pack=pack, kind=self.kind)
        if not data:
            raise Http404
        response = HttpResponse(data, content_type=self.types[self.kind])
        response["Content-Disposition"] = (
            f'attachment; filename="board-pack-{pack.meeting.meets_on:%Y-%m-%d}.{self.kind}"'
        )
        return response
