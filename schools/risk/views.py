"""Pages of the risk app: a school's soft intelligence, risk runs (with progress) and the rule set."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership.access import PartnershipViewMixin, request_user
from partnership.permissions import Permission
from partnership.presenters import pk_url
from partnership.views import apply_validation_error
from schools.risk import DEFAULT_RULESET, ruleset_to_dict, selectors, services
from schools.risk.categorisation.presenters import decision_rows, officer_trace
from schools.risk.categorisation.selectors import (
    current_category_of,
    last_agreed_round_for,
    school_category_history,
    schools_in_open_rounds,
)
from schools.risk.categorisation.triggers import review_suggestion_for
from schools.risk.filters import RiskRegisterFilter
from schools.risk.forms import HeadChangeJudgementForm, IntelligenceEntryForm, RulesetForm
from schools.risk.models import RiskRun
from schools.risk.presenters import (
    RATING_TAGS,
    category_labels,
    count_table,
    history_rows,
    register_rows_html,
    risk_register_csv_text,
    ruleset_json,
    run_count_rows,
    sentences_text,
)

PAGE_SIZE = 50


class IntelligenceListView(PartnershipViewMixin, TemplateView):
    """A school's soft intelligence: officers see every entry, the school's head the non-confidential ones."""

    template_name = "risk/intelligence_list.html"

    def get_context_data(self, **kwargs):
        school = selectors.access_intelligence_school(membership=self.membership, urn=self.kwargs["urn"])
        entries = selectors.intelligence_list(membership=self.membership, school=school)
        page = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            school=school,
            page_obj=page,
            rating_tags=RATING_TAGS,
            can_record=self.can(Permission.RECORD_INTELLIGENCE),
            **kwargs,
        )


class IntelligenceCreateView(PartnershipViewMixin, FormView):
    """Record a new entry for a school; categories are recomputed."""

    permission = Permission.RECORD_INTELLIGENCE
    template_name = "risk/intelligence_form.html"
    form_class = IntelligenceEntryForm

    def get_school(self):
        return selectors.access_intelligence_school(membership=self.membership, urn=self.kwargs["urn"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(school=self.get_school(), **kwargs)

    def get_form_kwargs(self):
        threads = selectors.intelligence_threads(membership=self.membership, school=self.get_school())
        return {**super().get_form_kwargs(), "threads": threads}

    def form_valid(self, form):
        school = self.get_school()
        try:
            services.intelligence_entry_create(
                partnership=self.partnership, school=school, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Entry recorded: categories will be recomputed")
        return redirect("risk:intelligence_list", urn=school.urn)


class IntelligenceArchiveView(PartnershipViewMixin, View):
    """Archive an entry (POST only): it is kept but no longer counts; categories are recomputed."""

    permission = Permission.RECORD_INTELLIGENCE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = selectors.access_intelligence_entry(membership=self.membership, pk=pk)
        services.intelligence_entry_archive(entry=entry, user=request_user(request))
        messages.success(request, "Entry archived: categories will be recomputed")
        return redirect("risk:intelligence_list", urn=entry.school.urn)


class RiskRunListView(PartnershipViewMixin, TemplateView):
    """Risk runs, newest first, with the button that recomputes every school's category."""

    permission = Permission.VIEW_RISK
    template_name = "risk/run_list.html"

    def get_context_data(self, **kwargs):
        runs = selectors.risk_run_list(membership=self.membership)
        page = Paginator(runs, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            ruleset=selectors.ruleset_version_current(membership=self.membership),
            can_run=self.can(Permission.RUN_RISK),
            **kwargs,
        )


class RiskRunCreateView(PartnershipViewMixin, View):
    """Recompute categories (POST only): queue a run, or show the one already waiting or running."""

    permission = Permission.RUN_RISK
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        run = services.risk_run_create(
            partnership=self.partnership, trigger=RiskRun.Trigger.BUTTON, requested_by=request_user(request)
        )
        if not run.is_new:
            messages.info(request, "A recomputation was already under way: this is its progress")
        return redirect("risk:run_detail", pk=run.pk)


class RiskRunDetailView(PartnershipViewMixin, TemplateView):
    """One run: its progress while it runs, then its counts by category and the schools it placed."""

    permission = Permission.VIEW_RISK
    template_name = "risk/run_detail.html"

    def get_context_data(self, **kwargs):
        run = selectors.access_risk_run(membership=self.membership, pk=self.kwargs["pk"])
        assessments = selectors.risk_assessment_list(membership=self.membership, run=run)
        page = Paginator(assessments, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            run=run,
            job=run,
            count_rows=run_count_rows(run),
            categories=category_labels(run.ruleset_version),
            page_obj=page,
            errors=run.errors[:50],
            **kwargs,
        )


class RiskRunStatusView(PartnershipViewMixin, View):
    """The run's state as JSON, polled by the progress bar."""

    permission = Permission.VIEW_RISK

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        run = selectors.access_risk_run(membership=self.membership, pk=pk)
        return JsonResponse(
            {
                "state": run.state,
                "state_label": run.get_state_display(),
                "progress": run.progress,
                "message": run.message,
                "finished": run.is_finished,
            }
        )


class RulesetView(PartnershipViewMixin, TemplateView):
    """The rule set in use (or the default, before the first run) and its earlier versions."""

    permission = Permission.VIEW_RISK
    template_name = "risk/ruleset.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.ruleset_version_list(membership=self.membership)[:50])
        current = next((v for v in versions if v.is_active), None)
        return super().get_context_data(
            current=current,
            versions=versions,
            config_json=ruleset_json(current, ruleset_to_dict(DEFAULT_RULESET)),
            can_edit=self.can(Permission.MANAGE_RULESET),
            **kwargs,
        )


class RulesetEditView(PartnershipViewMixin, FormView):
    """Save a new version of the rule set (admins); the next run uses it."""

    permission = Permission.MANAGE_RULESET
    template_name = "risk/ruleset_form.html"
    form_class = RulesetForm

    def get_initial(self):
        current = selectors.ruleset_version_current(membership=self.membership)
        return {"config": ruleset_json(current, ruleset_to_dict(DEFAULT_RULESET))}

    def form_valid(self, form):
        try:
            version = services.ruleset_version_create(
                partnership=self.partnership,
                config=form.cleaned_data["config"],
                note=form.cleaned_data["note"],
                created_by=self.request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Rule set version {version.version} saved: the next run uses it")
        return redirect("risk:ruleset")


class RiskRegisterView(PartnershipViewMixin, TemplateView):
    """The officers' risk register: the latest run's schools by category, filtered, counted and paged."""

    permission = Permission.VIEW_RISK
    template_name = "risk/register.html"

    def get_context_data(self, **kwargs):
        run, previous = selectors.risk_register_runs(membership=self.membership)
        agreed = last_agreed_round_for(membership=self.membership)
        categories = category_labels(run.ruleset_version if run else None)
        assessments = selectors.risk_register_list(
            membership=self.membership, run=run, previous=previous, agreed=agreed
        )
        register_filter = RiskRegisterFilter(
            self.request.GET or None,
            queryset=assessments,
            partnership=self.partnership,
            categories=categories,
            against_agreed=agreed is not None,
        )
        rows = register_filter.qs if register_filter.is_bound else assessments
        tabled = (
            ("district", "District", "Schools by proposed category and district"),
            ("phase", "Phase", "Schools by proposed category and phase"),
        )
        facets = selectors.risk_register_facets(assessments=rows, by=tuple(field for field, _, _ in tabled))
        paginator = Paginator(rows, PAGE_SIZE)
        paginator.count = facets.total  # type: ignore[misc]  # counted with the tables: no COUNT query of its own
        page = paginator.get_page(self.request.GET.get("page"))
        tables = [
            count_table(facets.counts[field], caption=caption, row_label=label, labels=categories)
            for field, label, caption in tabled
        ]
        movements = dict(selectors.Movement.choices)
        return super().get_context_data(
            run=run,
            previous=previous,
            agreed=agreed,
            filter=register_filter,
            page_obj=page,
            rows_html=register_rows_html(
                page.object_list,
                categories=categories,
                movements=movements,
                version=run.ruleset_version if run else None,
                school_url=pk_url("risk:school"),
            ),
            categories=categories,
            movements=movements,
            movement_label=register_filter.filters["movement"].label,
            tables=tables,
            **kwargs,
        )


class RiskRegisterExportView(PartnershipViewMixin, View):
    """The whole register (latest finished run) as a formula-safe CSV: the same file as ``export_risk``."""

    permission = Permission.VIEW_RISK

    def get(self, request: HttpRequest) -> HttpResponse:
        run, _previous = selectors.risk_register_runs(membership=self.membership)
        agreed = last_agreed_round_for(membership=self.membership) if run else None
        response = HttpResponse(
            risk_register_csv_text(
                selectors.risk_register_csv_rows(run=run, agreed=agreed), version=run.ruleset_version if run else None
            ),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="risk-register-{self.partnership.slug}-{stamp}.csv"'
        return response


class RiskSchoolView(PartnershipViewMixin, TemplateView):
    """A school's risk page: category, bands, score, overrides, every indicator, missing inputs and history."""

    permission = Permission.VIEW_RISK
    template_name = "risk/school.html"

    def get_context_data(self, **kwargs):
        page = selectors.risk_school_page(membership=self.membership, urn=self.kwargs["urn"])
        assessment = page.assessment
        return super().get_context_data(
            school=page.school,
            assessment=assessment,
            label=category_labels(assessment.run.ruleset_version).get(assessment.proposed_category)
            if assessment
            else None,
            trace=officer_trace(assessment, school=page.school) if assessment else None,
            overrides=sentences_text(assessment.overrides) if assessment else [],
            history=history_rows(page.history),
            categorisations=[
                (sc, decision_rows(sc.decisions.all()))
                for sc in school_category_history(membership=self.membership, school=page.school)
            ],
            current=current_category_of(partnership_id=self.partnership.pk, school_id=page.school.pk),
            suggestion=review_suggestion_for(membership=self.membership, school=page.school),
            open_review=schools_in_open_rounds(partnership_id=self.partnership.pk, school_id=page.school.pk).get(
                page.school.pk
            ),
            can_review=self.can(Permission.CATEGORISE),
            head_changes=selectors.head_changes_for_school(membership=self.membership, school=page.school),
            can_judge_head_changes=self.can(Permission.RECORD_INTELLIGENCE),
            **kwargs,
        )


class HeadChangeJudgeView(PartnershipViewMixin, View):
    """The officer's word on a change of headteacher in GIAS (POST only, #14.5): the same person or a new head.

    The form sits on the school's risk page; a problem is said there as an error message, and nothing is lost (the
    form has only the answer)."""

    permission = Permission.RECORD_INTELLIGENCE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, urn: int) -> HttpResponse:
        school = selectors.access_intelligence_school(membership=self.membership, urn=urn)
        form = HeadChangeJudgementForm(request.POST)
        if form.is_valid():
            try:
                services.head_change_judge(
                    partnership=self.partnership,
                    school=school,
                    changed_on=form.cleaned_data["changed_on"],
                    same_person=form.cleaned_data["same_person"] == "yes",
                    user=request_user(request),
                )
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            else:
                word = "the same person" if form.cleaned_data["same_person"] == "yes" else "a new head"
                messages.success(request, f"Recorded: {word}. Categories will be recomputed")
        else:
            for problem in form.errors.values():
                for message in problem:
                    messages.error(request, str(message))
        return redirect("risk:school", urn=school.urn)
