"""Pages of notes of visit. No ORM here: rows come from ``selectors``, changes go through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership.access import PartnershipViewMixin
from partnership.permissions import Permission, membership_can
from partnership.views import apply_validation_error
from schools.visits import selectors, services
from schools.visits.forms import (
    ActionForm,
    AdviserForm,
    PromoteForm,
    ResponseForm,
    SettingsForm,
    VisitCreateForm,
    VisitForm,
)

PAGE_SIZE = 50
SHOW_CHOICES = [
    ("overdue", "Overdue"),
    ("soon", "Overdue or due in the next 30 days"),
    ("all", "Every scheduled school"),
]


class VisitReaderMixin(PartnershipViewMixin):
    """Pages for whoever may see some notes of visit (officers, heads and chairs): 403 for anyone else; the
    selectors then answer 404 for what is outside the member's scope."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        membership = getattr(request, "membership", None)
        if membership is not None and not (
            membership_can(membership, Permission.RECORD_VISITS)
            or membership_can(membership, Permission.RESPOND_TO_VISITS)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class VisitListView(PartnershipViewMixin, TemplateView):
    """Every note of visit in the partnership, newest first (officers)."""

    permission = Permission.RECORD_VISITS
    template_name = "visits/visit_list.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "")
        visits = selectors.visit_list_page(membership=self.membership, state=state)
        page = Paginator(visits, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, state=state, states=selectors.S.choices, **kwargs)


class VisitDueView(PartnershipViewMixin, TemplateView):
    """The visit schedule: schools whose routine visit is overdue or due soon, by their agreed category."""

    permission = Permission.RECORD_VISITS
    template_name = "visits/due.html"

    def get_context_data(self, **kwargs):
        show = self.request.GET.get("show", "overdue")
        if show not in dict(SHOW_CHOICES):
            show = "overdue"
        mine = self.request.GET.get("mine") == "1"
        rows = selectors.visit_schedule(membership=self.membership, show=show, mine=mine)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            show=show,
            show_choices=SHOW_CHOICES,
            mine=mine,
            settings=selectors.visit_settings_for(partnership_id=self.partnership.pk),
            names=selectors.category_names(membership=self.membership),
            can_set=self.can(Permission.SET_VISIT_FREQUENCY),
            **kwargs,
        )


class SchoolVisitsView(VisitReaderMixin, TemplateView):
    """One school's notes of visit: every one for officers; the shared ones for the school's head and chair."""

    template_name = "visits/school.html"

    def get_context_data(self, **kwargs):
        school = selectors.access_visit_school(membership=self.membership, urn=self.kwargs["urn"])
        schedule = selectors.school_schedule(membership=self.membership, school=school)
        return super().get_context_data(
            school=school,
            visits=selectors.school_visit_list(membership=self.membership, school=school),
            schedule=schedule,
            officer=selectors.is_officer(self.membership),
            adviser_form=AdviserForm(
                initial={"adviser": schedule.adviser_id if schedule else None},
                choices=selectors.adviser_choices(membership=self.membership),
            )
            if selectors.is_officer(self.membership)
            else None,
            **kwargs,
        )


class AdviserSetView(PartnershipViewMixin, View):
    """Set or clear a school's link adviser (from the school's notes of visit page)."""

    permission = Permission.RECORD_VISITS

    def post(self, request: HttpRequest, urn: int) -> HttpResponse:
        school = selectors.access_visit_school(membership=self.membership, urn=urn)
        form = AdviserForm(request.POST, choices=selectors.adviser_choices(membership=self.membership))
        if not form.is_valid():
            messages.error(request, "Choose an LA officer of this partnership")
            return redirect("visits:school", urn=school.urn)
        try:
            services.link_adviser_set(school=school, adviser_id=form.cleaned_data["adviser"], by=self.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Link adviser saved")
        return redirect("visits:school", urn=school.urn)


class VisitFormPage(VisitReaderMixin, FormView):
    """The shared shape of the form pages: a title, a caption, a back link."""

    template_name = "visits/form_page.html"
    title = ""
    submit = "Save"

    def form_page(self) -> dict[str, Any]:
        return {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{"title": self.title, "submit": self.submit, **self.form_page(), **kwargs})


class VisitCreateView(VisitFormPage):
    """Record a visit to a school (a draft until it is shared)."""

    permission = Permission.RECORD_VISITS
    form_class = VisitCreateForm
    title = "Record a visit"
    submit = "Save as a draft"

    def get_school(self):
        if not hasattr(self, "_school"):
            self._school = selectors.access_visit_school(membership=self.membership, urn=self.kwargs["urn"])
        return self._school

    def form_page(self) -> dict[str, Any]:
        school = self.get_school()
        return {"caption": school.name, "back_url": reverse("visits:school", args=[school.urn]), "action_rows": True}

    def form_valid(self, form):
        try:
            visit = services.visit_create(
                school=self.get_school(), by=self.membership, actions=form.actions(), **form.note()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Note of visit saved as a draft: only the LA sees it until you share it")
        return redirect("visits:detail", pk=visit.pk)


class VisitDetailView(VisitReaderMixin, TemplateView):
    """A note of visit: the note, its actions, the school's responses and the points promoted to intelligence."""

    template_name = "visits/visit_detail.html"

    def get_context_data(self, **kwargs):
        visit = selectors.access_visit(membership=self.membership, pk=self.kwargs["pk"])
        responses = list(visit.responses.all())
        school_person = selectors.is_school_of(self.membership, visit.school_id)
        return super().get_context_data(
            visit=visit,
            actions=list(visit.actions.all()),
            responses=responses,
            points=list(visit.points.all()),
            officer=selectors.is_officer(self.membership),
            removable=selectors.is_officer(self.membership) and visit.is_draft,
            can_respond=school_person
            and not visit.is_draft
            and all(r.user_id != self.membership.user_id for r in responses),
            can_promote=selectors.is_officer(self.membership) and self.can(Permission.RECORD_INTELLIGENCE),
            **kwargs,
        )


class VisitMixin:
    """The visit of the URL (404 outside the scope); ``refuse_unless_draft`` sends a shared one back to its page."""

    membership: Any
    kwargs: dict

    def get_visit(self):
        if not hasattr(self, "_visit"):
            self._visit = selectors.access_visit(membership=self.membership, pk=self.kwargs["pk"])
        return self._visit

    def refuse_unless_draft(self, request: HttpRequest) -> HttpResponse | None:
        visit = self.get_visit()
        if visit.is_draft:
            return None
        messages.error(request, "This note has been shared with the school and can no longer be changed")
        return redirect("visits:detail", pk=visit.pk)


class VisitEditView(VisitMixin, VisitFormPage):
    """Change a draft note of visit."""

    permission = Permission.RECORD_VISITS
    form_class = VisitForm
    title = "Change the note of visit"

    def form_page(self) -> dict[str, Any]:
        visit = self.get_visit()
        return {"caption": visit.school.name, "back_url": reverse("visits:detail", args=[visit.pk])}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_unless_draft(request) or super().get(request, *args, **kwargs)

    def get_initial(self):
        v = self.get_visit()
        return {
            "visited_on": v.visited_on,
            "purpose": v.purpose,
            "focus": v.focus,
            "attendees": v.attendees,
            "notes": v.notes,
        }

    def form_valid(self, form):
        try:
            services.visit_update(visit=self.get_visit(), by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Note of visit saved")
        return redirect("visits:detail", pk=self.get_visit().pk)


class ActionAddView(VisitMixin, VisitFormPage):
    """Add an agreed action to a draft note."""

    permission = Permission.RECORD_VISITS
    form_class = ActionForm
    title = "Add an agreed action"
    submit = "Add the action"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.refuse_unless_draft(request) or super().get(request, *args, **kwargs)

    def form_page(self) -> dict[str, Any]:
        visit = self.get_visit()
        return {
            "caption": f"{visit.school.name}, visit of {visit.visited_on:%-d %B %Y}",
            "back_url": reverse("visits:detail", args=[visit.pk]),
        }

    def form_valid(self, form):
        try:
            services.visit_action_add(visit=self.get_visit(), by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Action added")
        return redirect("visits:detail", pk=self.get_visit().pk)


class ActionRemoveView(PartnershipViewMixin, View):
    """Remove an action from a draft note."""

    permission = Permission.RECORD_VISITS

    def post(self, request: HttpRequest, pk: int, action: int) -> HttpResponse:
        visit = selectors.access_visit(membership=self.membership, pk=pk)
        found = next((a for a in visit.actions.all() if a.pk == action), None)
        if found is None:
            messages.error(request, "That action is not on this note")
            return redirect("visits:detail", pk=visit.pk)
        try:
            services.visit_action_remove(action=found, by=self.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Action removed")
        return redirect("visits:detail", pk=visit.pk)


class VisitShareView(PartnershipViewMixin, View):
    """Share a draft note with the school's head and chair (emailed)."""

    permission = Permission.RECORD_VISITS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = selectors.access_visit(membership=self.membership, pk=pk)
        try:
            services.visit_transition(
                obj=visit, to=selectors.S.SHARED, by=self.membership, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Note of visit shared: the headteacher and chair of governors are emailed")
        return redirect("visits:detail", pk=visit.pk)


class VisitRespondView(VisitFormPage):
    """The head or the chair says whether the note is accurate, and replies."""

    form_class = ResponseForm
    template_name = "visits/respond.html"
    title = "Respond to the note of visit"
    submit = "Send your response"

    def get_visit(self):
        if not hasattr(self, "_visit"):
            self._visit = selectors.access_visit(membership=self.membership, pk=self.kwargs["pk"])
            if not selectors.is_school_of(self.membership, self._visit.school_id):
                raise PermissionDenied
        return self._visit

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        visit = self.get_visit()
        if any(r.user_id == self.membership.user_id for r in visit.responses.all()):
            messages.info(request, "You have already responded to this note of visit")
            return redirect("visits:detail", pk=visit.pk)
        return super().get(request, *args, **kwargs)

    def form_page(self) -> dict[str, Any]:
        visit = self.get_visit()
        return {
            "visit": visit,
            "actions": list(visit.actions.all()),
            "caption": f"{visit.school.name}, visit of {visit.visited_on:%-d %B %Y}",
            "back_url": reverse("visits:detail", args=[visit.pk]),
        }

    def form_valid(self, form):
        visit = self.get_visit()
        try:
            services.visit_transition(
                obj=visit,
                to=selectors.S.RESPONDED,
                by=self.membership,
                base_url=self.request.build_absolute_uri("/"),
                accurate=form.cleaned_data["accurate"] == "yes",
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Response sent: the LA officer is emailed")
        return redirect("visits:detail", pk=visit.pk)


class PromoteView(VisitMixin, VisitFormPage):
    """Record a point of the visit as soft intelligence (linked both ways)."""

    permission = Permission.RECORD_VISITS
    form_class = PromoteForm
    title = "Record a point as soft intelligence"
    submit = "Record the intelligence"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        membership = getattr(request, "membership", None)
        if membership is not None and not membership_can(membership, Permission.RECORD_INTELLIGENCE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_page(self) -> dict[str, Any]:
        visit = self.get_visit()
        return {
            "caption": f"{visit.school.name}, visit of {visit.visited_on:%-d %B %Y}",
            "back_url": reverse("visits:detail", args=[visit.pk]),
            "hint": "It is dated the day of the visit, names the visit in its evidence, and is read by the risk "
            "categorisation like any other entry.",
        }

    def form_valid(self, form):
        visit = self.get_visit()
        try:
            services.visit_point_promote(visit=visit, by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Recorded as soft intelligence")
        return redirect("visits:detail", pk=visit.pk)


class SettingsView(VisitFormPage):
    """How often each category of school is visited."""

    permission = Permission.SET_VISIT_FREQUENCY
    form_class = SettingsForm
    title = "Visit frequency"
    submit = "Save the visit frequency"

    def form_page(self) -> dict[str, Any]:
        return {
            "back_url": reverse("visits:due"),
            "hint": "The next visit is due this long after the last one, or after the category was agreed if the "
            "school has not been visited since. Categories are the latest agreed by the board.",
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "names": selectors.category_names(membership=self.membership)}

    def get_initial(self):
        s = selectors.visit_settings_for(partnership_id=self.partnership.pk)
        return {f: getattr(s, f) for f in ("category_1", "category_2", "category_3", "category_4", "uncategorised")}

    def form_valid(self, form):
        services.visit_settings_update(partnership=self.partnership, by=self.membership, **form.cleaned_data)
        messages.success(self.request, "Visit frequency saved")
        return redirect("visits:due")
