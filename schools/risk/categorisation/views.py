"""Pages for people deciding categories: rounds, a school's decision, the panel, the board and schools' replies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from partnership import calendar
from partnership.access import PartnershipViewMixin, request_user
from partnership.permissions import Permission
from partnership.views import apply_validation_error
from schools.risk.categorisation import notices, selectors, services, triggers
from schools.risk.categorisation.forms import (
    AdjustForm,
    AgreeForm,
    AnswerForm,
    DismissForm,
    HolidayForm,
    InYearReviewForm,
    ModerateForm,
    ReplyForm,
    RoundForm,
    TermlyReviewForm,
)
from schools.risk.categorisation.presenters import (
    academy_threshold,
    category_text,
    decision_rows,
    officer_trace,
    school_trace,
)
from schools.risk.models import CategorisationRound, CategoryReply, SchoolCategory
from schools.risk.presenters import category_labels

PAGE_SIZE = 50
UNSENT_SHOWN = 100


class RoundListView(PartnershipViewMixin, TemplateView):
    """Every categorisation round, newest first, and the way to open the next one."""

    permission = Permission.VIEW_RISK
    template_name = "risk/rounds/list.html"

    def get_context_data(self, **kwargs):
        rounds = list(selectors.categorisation_round_list(membership=self.membership)[:50])
        return super().get_context_data(
            rounds=rounds,
            open_round=next((r for r in rounds if r.state != CategorisationRound.State.PUBLISHED), None),
            can_open=self.can(Permission.CATEGORISE),
            can_moderate=self.can(Permission.MODERATE),
            **kwargs,
        )


class RoundCreateView(PartnershipViewMixin, FormView):
    """Open a round from a finished risk run (the latest by default)."""

    permission = Permission.CATEGORISE
    template_name = "risk/rounds/create.html"
    form_class = RoundForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "runs": selectors.finished_runs(membership=self.membership)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            open_round=selectors.categorisation_round_open(membership=self.membership), **kwargs
        )

    def form_valid(self, form):
        try:
            round_ = services.categorisation_round_create(
                partnership=self.partnership,
                run=form.cleaned_data["run"],
                name=form.cleaned_data["name"],
                user=request_user(self.request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{round_.name} opened: every school starts at its proposed category")
        return redirect("risk:round_detail", pk=round_.pk)


class TermlyReviewCreateView(RoundCreateView):
    """Open a termly review: a smaller round of the schools whose current published category is 3 or 4."""

    template_name = "risk/rounds/termly.html"
    form_class = TermlyReviewForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            in_scope=selectors.termly_scope_count(membership=self.membership),
            min_category=services.TERMLY_MIN_CATEGORY,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            round_ = services.termly_review_create(
                partnership=self.partnership,
                run=form.cleaned_data["run"],
                name=form.cleaned_data["name"],
                user=request_user(self.request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{round_.name} opened for {round_.schools.count()} school(s)")
        return redirect("risk:round_detail", pk=round_.pk)


class ReviewSuggestionListView(PartnershipViewMixin, TemplateView):
    """Schools with an event since their last round (a new inspection, the head leaving, a safeguarding incident,
    a complaint rated amber or red): an officer opens the in-year review with one click."""

    permission = Permission.VIEW_RISK
    template_name = "risk/rounds/suggestions.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            suggestions=triggers.review_suggestion_list(membership=self.membership),
            can_open=self.can(Permission.CATEGORISE),
            **kwargs,
        )


class InYearReviewOpenView(PartnershipViewMixin, FormView):
    """Confirm and open an in-year review of one school (the suggested event is filled in)."""

    permission = Permission.CATEGORISE
    template_name = "risk/rounds/in_year.html"
    form_class = InYearReviewForm

    def get_school(self):
        if not hasattr(self, "_school"):
            self._school = selectors.access_reviewable_school(membership=self.membership, urn=self.kwargs["urn"])
        return self._school

    def get_suggestion(self) -> triggers.ReviewSuggestion | None:
        if not hasattr(self, "_suggestion"):
            self._suggestion = triggers.review_suggestion_for(membership=self.membership, school=self.get_school())
        return self._suggestion

    def get_initial(self):
        suggestion = self.get_suggestion()
        if suggestion is None:
            return {}
        return {"trigger": suggestion.latest.trigger, "trigger_on": suggestion.latest.on}

    def get_context_data(self, **kwargs):
        school = self.get_school()
        return super().get_context_data(
            school=school,
            suggestion=self.get_suggestion(),
            current=selectors.current_category_of(partnership_id=self.partnership.pk, school_id=school.pk),
            open_round=selectors.schools_in_open_rounds(partnership_id=self.partnership.pk, school_id=school.pk).get(
                school.pk
            ),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            round_ = services.in_year_review_open(
                partnership=self.partnership,
                school=self.get_school(),
                user=request_user(self.request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{round_.name} opened: adjust, refer, agree and publish it as in any round")
        return redirect("risk:round_detail", pk=round_.pk)


class ReviewSuggestionDismissView(PartnershipViewMixin, View):
    """An officer decides an event needs no in-year review, with the reason (POST only)."""

    permission = Permission.CATEGORISE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, urn: int) -> HttpResponse:
        school = selectors.access_reviewable_school(membership=self.membership, urn=urn)
        form = DismissForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("risk:in_year_open", urn=urn)
        try:
            services.review_suggestion_dismiss(
                partnership=self.partnership, school=school, user=request_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("risk:in_year_open", urn=urn)
        messages.success(request, f"No review needed for {school.name}: the suggestion is dismissed, with your reason")
        return redirect("risk:review_suggestions")


class RoundMixin(PartnershipViewMixin):
    kwargs: dict[str, Any]

    def get_round(self) -> CategorisationRound:
        if not hasattr(self, "_round"):
            self._round = selectors.access_categorisation_round(membership=self.membership, pk=self.kwargs["pk"])
        return self._round

    def labels(self):
        return category_labels(self.get_round().run.ruleset_version)


class RoundDetailView(RoundMixin, TemplateView):
    """A round's schools with their proposed and current categories, what waits for the panel, and its state."""

    permission = Permission.VIEW_RISK
    template_name = "risk/rounds/detail.html"

    def get_context_data(self, **kwargs):
        round_ = self.get_round()
        status = self.request.GET.get("status", "")
        status = status if status in (*SchoolCategory.Status.values, selectors.INSUFFICIENT_STATUS) else ""
        rows = selectors.round_school_list(round_=round_, status=status)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        counts = selectors.round_counts(round_=round_)
        return super().get_context_data(
            round=round_,
            page_obj=page,
            status=status,
            statuses=[(value, label, counts["status"].get(value, 0)) for value, label in SchoolCategory.Status.choices]
            + [
                (
                    selectors.INSUFFICIENT_STATUS,
                    "Insufficient evidence: officer to categorise",
                    counts["status"][selectors.INSUFFICIENT_STATUS],
                )
            ],
            moves=sorted(counts["moves"].items()),
            categories=self.labels(),
            can_moderate=self.can(Permission.MODERATE),
            notices=notices.publication_notice_counts(round_=round_),
            unreached=notices.publication_unreached_count(round_=round_)
            if round_.state == CategorisationRound.State.PUBLISHED
            else 0,
            unsent=selectors.round_unsent_notices(round_=round_)[:UNSENT_SHOWN],
            unsent_shown=UNSENT_SHOWN,
            **kwargs,
        )


class RoundNoticesRetryView(RoundMixin, View):
    """Send again the publication emails that could not be sent (POST only)."""

    permission = Permission.MODERATE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        retried = notices.publication_notices_retry(round_=self.get_round())
        if retried:
            messages.success(request, f"{retried} email(s) will be sent again")
        else:
            messages.info(request, "No emails were waiting to be sent again")
        return redirect("risk:round_detail", pk=pk)


class RoundAgreeView(RoundMixin, FormView):
    """Record the board's agreement of the round's list."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/agree.html"
    form_class = AgreeForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(round=self.get_round(), **kwargs)

    def form_valid(self, form):
        try:
            round_ = services.categorisation_round_agree(
                round_=self.get_round(),
                agreed_on=form.cleaned_data["agreed_on"],
                minute=form.cleaned_data["minute"],
                user=request_user(self.request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{round_.name}: the board's agreement is recorded. Publish it to schools next.")
        return redirect("risk:round_detail", pk=round_.pk)


class RoundPublishView(RoundMixin, TemplateView):
    """Confirm, then publish an agreed round: heads and chairs see their category and may reply for 10 school days."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/publish.html"

    def get_context_data(self, **kwargs):
        round_ = self.get_round()
        return super().get_context_data(
            round=round_,
            schools=selectors.round_school_list(round_=round_).count(),
            deadline=services.reply_deadline_if_published_today(partnership_id=self.partnership.pk),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            round_ = services.categorisation_round_publish(
                round_=self.get_round(), user=request_user(request), base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            unreached = notices.publication_unreached_count(round_=round_)
            nobody = (
                f". {unreached} school{pluralize(unreached)} had nobody to notify (no current head or chair with an"
                " email address): see the round page"
                if unreached
                else ""
            )
            messages.success(
                request, f"{round_.name} published: replies close on {round_.reply_deadline:%-d %B %Y}{nobody}"
            )
        return redirect("risk:round_detail", pk=pk)


class RoundSchoolMixin(RoundMixin):
    def get_school_category(self) -> SchoolCategory:
        if not hasattr(self, "_sc"):
            self._sc = selectors.access_round_school(
                membership=self.membership, round_pk=self.kwargs["pk"], urn=self.kwargs["urn"]
            )
        return self._sc

    def labels(self):
        return category_labels(self.get_school_category().round.run.ruleset_version)

    def get_context_data(self, **kwargs):
        sc = self.get_school_category()
        return super().get_context_data(sc=sc, round=sc.round, school=sc.school, categories=self.labels(), **kwargs)


class RoundSchoolView(RoundSchoolMixin, TemplateView):
    """One school's category in the round: the proposal's trace, every decision, replies and the actions."""

    permission = Permission.VIEW_RISK
    template_name = "risk/rounds/school.html"

    def get_context_data(self, **kwargs):
        sc = self.get_school_category()
        return super().get_context_data(
            assessment=sc.assessment,
            trace=officer_trace(sc.assessment, school=sc.school),
            decisions=decision_rows(sc.decisions.all()),
            can_adjust=self.can(Permission.CATEGORISE),
            can_moderate=self.can(Permission.MODERATE),
            **kwargs,
        )


class RoundSchoolFormView(RoundSchoolMixin, FormView):
    success_message: str

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "labels": self.labels()}

    def done(self) -> HttpResponse:
        sc = self.get_school_category()
        return redirect("risk:round_school", pk=sc.round_id, urn=sc.school.urn)

    def save(self, form, call) -> HttpResponse:
        try:
            call(school_category=self.get_school_category(), user=request_user(self.request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return self.done()


class RoundSchoolAdjustView(RoundSchoolFormView):
    """An officer's move: one step now; more goes to the moderation panel."""

    permission = Permission.CATEGORISE
    template_name = "risk/rounds/adjust.html"
    form_class = AdjustForm
    success_message = "Decision recorded"

    def get_initial(self):
        return {"category": self.get_school_category().category}

    def form_valid(self, form):
        return self.save(form, services.school_category_adjust)


class RoundSchoolModerateView(RoundSchoolFormView):
    """The moderation panel's decision on one school."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/moderate.html"
    form_class = ModerateForm
    success_message = "The panel's decision is recorded"

    def get_initial(self):
        sc = self.get_school_category()
        return {**super().get_initial(), "category": sc.requested_category or sc.category}

    def form_valid(self, form):
        return self.save(form, services.school_category_moderate)


class ReplyAnswerView(PartnershipViewMixin, FormView):
    """The panel's final answer to a head's or chair's reply."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/answer.html"
    form_class = AnswerForm

    def get_reply(self) -> CategoryReply:
        if not hasattr(self, "_reply"):
            self._reply = selectors.access_reply(membership=self.membership, pk=self.kwargs["pk"])
        return self._reply

    def get_form_kwargs(self):
        run = self.get_reply().school_category.round.run
        return {**super().get_form_kwargs(), "labels": category_labels(run.ruleset_version)}

    def get_context_data(self, **kwargs):
        reply = self.get_reply()
        return super().get_context_data(reply=reply, sc=reply.school_category, **kwargs)

    def form_valid(self, form):
        reply = self.get_reply()
        try:
            services.category_reply_answer(
                reply=reply,
                user=request_user(self.request),
                base_url=self.request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The panel's answer is recorded; the school sees it and is emailed")
        sc = reply.school_category
        return redirect("risk:round_school", pk=sc.round_id, urn=sc.school.urn)


class OwnCategoryView(PartnershipViewMixin, FormView):
    """A head's or chair's view of their school's published category, its trace and decisions; and their reply."""

    permission = Permission.VIEW_OWN_CATEGORY
    template_name = "risk/rounds/own.html"
    form_class = ReplyForm

    def get_own(self) -> selectors.OwnCategory:
        if not hasattr(self, "_own"):
            self._own = selectors.own_category(membership=self.membership)
        return self._own

    def get_context_data(self, **kwargs):
        own = self.get_own()
        current = own.current
        if current is None:
            return super().get_context_data(school=own.school, current=None, **kwargs)
        threshold = academy_threshold(current)
        return super().get_context_data(
            school=own.school,
            current=current,
            threshold=threshold,
            agreed_text=category_text(current.category, threshold),
            decisions=decision_rows(current.decisions.all(), threshold),
            trace=school_trace(current),
            earlier=[
                (sc.round.name, sc.round.published_at, category_text(sc.category, academy_threshold(sc)))
                for sc in own.categories[1:]
            ],
            earlier_replies=[(sc.round, list(sc.replies.all())) for sc in own.categories[1:] if sc.replies.all()],
            labels=category_labels(current.round.run.ruleset_version),
            reply_open=services.reply_window_open(current.round),
            **kwargs,
        )

    def form_valid(self, form):
        current = self.get_own().current
        if current is None:
            form.add_error(None, "Your school has no published category to reply to")
            return self.form_invalid(form)
        try:
            services.category_reply_create(school_category=current, membership=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, "Reply sent: the moderation panel will answer it, and you will see the answer here"
        )
        return redirect("risk:own_category")


class HolidayListView(PartnershipViewMixin, FormView):
    """The days the partnership's schools are closed, which reply windows skip; officers add and remove them."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/holidays.html"
    form_class = HolidayForm

    def get_context_data(self, **kwargs):
        since = timezone.localdate() - dt.timedelta(days=365)
        return super().get_context_data(
            holidays=selectors.school_holiday_list(membership=self.membership, since=since),
            deadline=services.reply_deadline_if_published_today(partnership_id=self.partnership.pk),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            holiday = calendar.school_holiday_create(
                partnership=self.partnership, user=request_user(self.request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{holiday.name} added: reply windows skip it")
        return redirect("risk:holidays")


class HolidayDeleteView(PartnershipViewMixin, TemplateView):
    """Confirm, then remove a holiday entered by mistake; deadlines already set stay as they are."""

    permission = Permission.MODERATE
    template_name = "risk/rounds/holiday_delete.html"

    def get_holiday(self):
        if not hasattr(self, "_holiday"):
            self._holiday = selectors.access_school_holiday(membership=self.membership, pk=self.kwargs["pk"])
        return self._holiday

    def get_context_data(self, **kwargs):
        return super().get_context_data(holiday=self.get_holiday(), **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        holiday = self.get_holiday()
        calendar.school_holiday_delete(holiday=holiday)
        messages.success(request, f"{holiday.name} removed")
        return redirect("risk:holidays")
