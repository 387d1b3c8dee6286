"""Pages of the brokerage app. Views reach data only through selectors and change it only through services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from brokerage import presenters, selectors, services
from brokerage.filters import ProviderFilter
from brokerage.forms import (
    ChooseForm,
    DeploymentForm,
    EvaluationForm,
    FundForm,
    InterestForm,
    NoteForm,
    ProviderForm,
    ReasonForm,
    RequestForm,
    ResponseForm,
    SettingsForm,
    TradedItemForm,
    TransitionForm,
    VariationForm,
    VisitForm,
)
from partnership.access import PartnershipViewMixin
from partnership.permissions import Permission
from partnership.views import apply_validation_error

if TYPE_CHECKING:
    from brokerage.models import Deployment, Provider, SupportRequest
    from partnership.models import User

DS = services.DS
RS = services.RS
DEFAULT_WEIGHTS = services.DEFAULT_WEIGHTS
DEFAULT_DAY_RATES = services.DEFAULT_DAY_RATES
TAGS = {
    "request_tags": presenters.REQUEST_TAGS,
    "deployment_tags": presenters.DEPLOYMENT_TAGS,
    "urgency_tags": presenters.URGENCY_TAGS,
}


class BrokerageMixin(PartnershipViewMixin):
    """Shared helpers: the user, the broker flag and tag colours in every context."""

    @property
    def user(self) -> User:
        return cast("User", self.request.user)

    @property
    def broker(self) -> bool:
        return services.is_broker(self.membership)

    def form_page(self) -> dict[str, Any]:
        """Title, caption, back link and button of a page using ``brokerage/form_page.html``."""
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(  # type: ignore[misc]
            is_broker=self.broker, **TAGS, **self.form_page(), **kwargs
        )


class ActionView(BrokerageMixin, View):
    """A POST that calls one service; its refusal comes back as a message on the page it redirects to."""

    http_method_names = ["post"]

    def act(self) -> str:  # returns the success message
        raise NotImplementedError

    def target(self) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            messages.success(request, self.act())
        except services.NotAllowed as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.target())


# ---------------------------------------------------------------------------------------------- queue, mine


class QueueView(BrokerageMixin, TemplateView):
    """The broker's queue: open requests by state and urgency, overdue visit records, evaluations due."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/queue.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "")
        if state and state not in RS.values:
            state = ""
        queue = selectors.broker_queue(membership=self.membership, state=state)
        states = [(s.value, s.label, queue.counts.get(s.value, 0)) for s in RS]
        return super().get_context_data(queue=queue, state=state, states=states, **kwargs)


class MineView(BrokerageMixin, TemplateView):
    """Your support: a head's school's requests, deployments and invitation; a system leader's own entry and
    deployments (with visits to record)."""

    template_name = "brokerage/mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            requests=list(selectors.request_list(membership=self.membership).order_by("-created_at")[:50])
            if not self.broker
            else [],
            deployments=list(selectors.deployment_list(membership=self.membership).order_by("-start_on")[:50])
            if not self.broker
            else [],
            entries=list(selectors.own_provider_entries(membership=self.membership)),
            invitations=list(selectors.invitations_for_school(membership=self.membership)),
            can_request=self.can(Permission.REQUEST_SUPPORT) and self.membership.school_id is not None,
            **kwargs,
        )


# ---------------------------------------------------------------------------------------------- directory


class ProviderListView(BrokerageMixin, TemplateView):
    """The provider directory with filters: designation, specialisms, phases, days left, track record."""

    permission = Permission.VIEW_PROVIDERS
    template_name = "brokerage/provider_list.html"

    def get_context_data(self, **kwargs):
        providers = selectors.provider_list(membership=self.membership)
        filterset = ProviderFilter(self.request.GET or None, queryset=providers, partnership_id=self.partnership.pk)
        page = Paginator(filterset.qs, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            filter=filterset, page_obj=page, year=presenters.year_label(selectors.current_year()), **kwargs
        )


class ProviderDetailView(BrokerageMixin, TemplateView):
    """A provider: designation, specialisms, days committed and left, past deployments and evaluation scores."""

    permission = Permission.VIEW_PROVIDERS
    template_name = "brokerage/provider_detail.html"

    def get_context_data(self, **kwargs):
        page = selectors.provider_page(membership=self.membership, pk=self.kwargs["pk"])
        return super().get_context_data(
            page=page,
            provider=page.provider,
            excellence=selectors.areas_of_excellence(
                partnership_id=self.partnership.pk, school_id=page.provider.school_id
            ),
            year=presenters.year_label(selectors.current_year()),
            **kwargs,
        )


class ProviderFormView(BrokerageMixin, FormView):
    """Add a provider (brokers) or change one (brokers; a system leader their own availability and profile)."""

    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        provider = getattr(self, "provider", None)
        if provider is None:
            return {"title": "Add a provider", "back_url": reverse("brokerage:provider_list"), "submit": "Save"}
        return {
            "title": f"Change {provider.name}",
            "caption": "Directory entry",
            "back_url": reverse("brokerage:provider_detail", args=[provider.pk]),
            "submit": "Save",
        }

    form_class = ProviderForm

    def get_provider(self) -> Provider | None:
        if "pk" not in self.kwargs:
            if not self.broker:
                raise PermissionDenied
            return None
        return selectors.access_provider_for_edit(membership=self.membership, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.provider = self.get_provider()
        kwargs["specialisms"] = selectors.specialism_list(partnership_id=self.partnership.pk)
        kwargs["own_only"] = not self.broker
        if self.provider is not None and self.request.method == "GET":
            p = self.provider
            kwargs["initial"] = {
                "kind": p.kind,
                "name": p.name,
                "school_urn": p.school.urn if p.school else None,
                "email": p.user.email if p.user else "",
                "designation": p.designation,
                "designated_on": p.designated_on,
                "review_on": p.review_on,
                "specialisms": list(p.specialisms.all()),
                "phases": p.phases,
                "cross_phase": p.cross_phase,
                "days_offered": p.days_offered,
                "release_head_on": p.release_head_on,
                "release_chair_on": p.release_chair_on,
                "summary": p.summary,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(provider=getattr(self, "provider", None), **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        specialisms = data.pop("specialisms", None)
        try:
            if "school_urn" in data:
                urn = data.pop("school_urn")
                data["school"] = selectors.school_by_urn(partnership_id=self.partnership.pk, urn=urn) if urn else None
                if urn and data["school"] is None:
                    raise ValidationError({"school_urn": "Enter the URN of a school in this partnership"})
            if "email" in data:
                email = data.pop("email")
                data["user"] = selectors.member_user(partnership_id=self.partnership.pk, email=email) if email else None
                if email and data["user"] is None:
                    raise ValidationError({"email": "Enter the email of a member of this partnership"})
            if "designation" in data and data["designation"] is None:
                data["designation"] = ""
            if self.provider is None:
                provider = services.provider_create(
                    partnership=self.partnership, by=self.user, specialisms=specialisms or [], **data
                )
            else:
                provider = services.provider_update(
                    provider=self.provider, by=self.user, specialisms=specialisms, **data
                )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "school" in error.error_dict:
                error = ValidationError({"school_urn": error.error_dict["school"]})
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{provider.name} saved")
        return redirect("brokerage:provider_detail", pk=provider.pk)


class InterestCreateView(BrokerageMixin, FormView):
    """Declare a provider's interest in a school (brokers, or the system leader for their own entry)."""

    template_name = "brokerage/form_page.html"
    form_class = InterestForm

    def get_provider(self) -> Provider:
        if not hasattr(self, "_provider"):
            self._provider = selectors.access_provider_for_edit(membership=self.membership, pk=self.kwargs["pk"])
        return self._provider

    def form_page(self) -> dict[str, Any]:
        provider = self.get_provider()
        return {
            "title": "Declare an interest",
            "caption": provider.name,
            "submit": "Save the interest",
            "back_url": reverse("brokerage:provider_detail", args=[provider.pk]),
        }

    def form_valid(self, form):
        provider = self.get_provider()
        school = selectors.school_by_urn(partnership_id=self.partnership.pk, urn=form.cleaned_data["school_urn"])
        if school is None:
            form.add_error("school_urn", "Enter the URN of a school in this partnership")
            return self.form_invalid(form)
        try:
            services.declared_interest_create(
                provider=provider, school=school, note=form.cleaned_data["note"], by=self.user
            )
        except ValidationError as error:
            apply_validation_error(
                form,
                ValidationError({"school_urn": "This interest is already declared"})
                if "__all__" in getattr(error, "error_dict", {})
                else error,
            )
            return self.form_invalid(form)
        messages.success(self.request, f"Interest in {school.name} declared: {provider.name} will not be matched to it")
        return redirect("brokerage:provider_detail", pk=provider.pk)


class InviteLeadingView(ActionView):
    """Invite every Leading-tagged school not yet in the directory (they opt in)."""

    permission = Permission.BROKER_SUPPORT

    def act(self) -> str:
        schools = selectors.leading_schools_not_invited(partnership_id=self.partnership.pk)
        made = services.support_schools_invite(partnership=self.partnership, schools=schools, by=self.user)
        return f"{made} Leading school{'s' if made != 1 else ''} invited to join the directory"

    def target(self) -> str:
        return "brokerage:provider_list"


class InvitationAnswerView(ActionView):
    """The invited school's head joins the directory or declines."""

    permission = Permission.REQUEST_SUPPORT

    def act(self) -> str:
        provider = selectors.access_invitation(membership=self.membership, pk=self.kwargs["pk"])
        join = self.request.POST.get("answer") == "join"
        services.support_school_answer(provider=provider, by=self.membership, join=join)
        return "Your school joined the directory" if join else "Invitation declined"

    def target(self) -> str:
        return "brokerage:mine"


class PeerReviewSyncView(ActionView):
    """Bring in peer-review actions marked support needed (as requests) and held reviews' team days (ledger)."""

    permission = Permission.BROKER_SUPPORT

    def act(self) -> str:
        counts = services.peer_review_sync(partnership=self.partnership)
        return (
            f"{counts['requests']} new request{'s' if counts['requests'] != 1 else ''} from peer-review actions; "
            f"{counts['days']} peer-review team day{'s' if counts['days'] != 1 else ''} in the ledger"
        )

    def target(self) -> str:
        return "brokerage:queue"


class CatalogueView(BrokerageMixin, FormView):
    """The LA's traded-service catalogue; brokers add items."""

    permission = Permission.VIEW_PROVIDERS
    template_name = "brokerage/catalogue.html"
    form_class = TradedItemForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=list(selectors.traded_item_list(membership=self.membership)), **kwargs)

    def form_valid(self, form):
        if not self.broker:
            raise PermissionDenied
        try:
            services.traded_item_create(partnership=self.partnership, by=self.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Catalogue item added")
        return redirect("brokerage:catalogue")


# ---------------------------------------------------------------------------------------------- requests


class RequestCreateView(BrokerageMixin, FormView):
    """Ask for support: a head for their own school; a broker for any school (origin officer or board)."""

    permission = Permission.REQUEST_SUPPORT
    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        back = reverse("brokerage:queue" if self.broker else "brokerage:mine")
        title = "Record a support request" if self.broker else "Ask for support"
        caption = "" if self.broker or self.membership.school is None else self.membership.school.name
        return {"title": title, "caption": caption, "back_url": back, "submit": "Send the request"}

    form_class = RequestForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not self.broker and self.membership.school_id is None:
            raise PermissionDenied
        kwargs.update(
            specialisms=selectors.specialism_list(partnership_id=self.partnership.pk),
            providers=selectors.provider_choices(partnership_id=self.partnership.pk),
            for_own_school=not self.broker,
        )
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            if self.broker:
                school = selectors.school_by_urn(partnership_id=self.partnership.pk, urn=data.pop("school_urn"))
                if school is None:
                    raise ValidationError({"school_urn": "Enter the URN of a school in this partnership"})
                origin = data.pop("origin")
            else:
                school, origin = self.membership.school, "school"
            request = services.support_request_create(
                partnership=self.partnership, school=school, origin=origin, by=self.user, **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Request sent to the broker")
        return redirect("brokerage:request_detail", pk=request.pk)


class RequestDetailView(BrokerageMixin, TemplateView):
    """A request: need, history, and its shortlist with reasons and exclusions; the actions open to the user."""

    template_name = "brokerage/request_detail.html"

    def get_context_data(self, **kwargs):
        req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        shortlist = selectors.shortlist_for(request=req)
        head = services.is_head_of(self.membership, req.school_id)
        home_head = req.chosen_provider is not None and services.is_head_of(
            self.membership, req.chosen_provider.school_id
        )
        eligible = [e for e in shortlist if not e.exclusions]
        moves = [
            (to, RS(to).label)
            for to, actor in services.REQUEST_TRANSITIONS.get(req.state, {}).items()
            if to not in (RS.SHORTLISTED, RS.CHOSEN, RS.AGREED)
            and (self.broker or (actor == "broker_or_head" and head))
        ]
        return super().get_context_data(
            req=req,
            shortlist=shortlist,
            events=selectors.request_events(request=req),
            deployments=selectors.request_deployments(request=req),
            choose_form=ChooseForm(providers=selectors.providers_in(entries=eligible))
            if req.state == RS.SHORTLISTED and (head or self.broker) and eligible
            else None,
            reason_form=ReasonForm(),
            moves=moves,
            can_shortlist=self.broker and req.state in (RS.TRIAGED, RS.SHORTLISTED),
            can_release=req.state == RS.CHOSEN and req.release_confirmed_on is None and (home_head or self.broker),
            can_draft=self.broker and req.state == RS.CHOSEN,
            **kwargs,
        )


class RequestTransitionView(ActionView):
    """Move a request (confirm a draft, triage, decline, withdraw); declining or withdrawing needs a reason."""

    def act(self) -> str:
        req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        to = self.request.POST.get("to", "")
        if to not in RS.values:
            raise ValidationError("Choose what to do with the request")
        services.support_request_transition(
            request=req, to=to, by=self.membership, note=self.request.POST.get("note", "")
        )
        return f"Request {RS(to).label.lower()}"

    def target(self) -> str:
        return reverse("brokerage:request_detail", args=[self.kwargs["pk"]])


class RequestShortlistView(ActionView):
    """Compute (or recompute) the shortlist."""

    permission = Permission.BROKER_SUPPORT

    def act(self) -> str:
        req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        services.support_request_shortlist(request=req, by=self.membership)
        return "Shortlist ready: the school's head has been asked to choose"

    def target(self) -> str:
        return reverse("brokerage:request_detail", args=[self.kwargs["pk"]])


class RequestChooseView(ActionView):
    """The receiving head (or the broker) chooses an eligible provider from the shortlist."""

    def act(self) -> str:
        req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        entries = [e for e in selectors.shortlist_for(request=req) if not e.exclusions]
        form = ChooseForm(self.request.POST, providers=selectors.providers_in(entries=entries))
        if not form.is_valid():
            raise ValidationError("Select a provider from the shortlist")
        services.support_request_choose(request=req, provider=form.cleaned_data["provider"], by=self.membership)
        return f"You chose {form.cleaned_data['provider'].name}"

    def target(self) -> str:
        return reverse("brokerage:request_detail", args=[self.kwargs["pk"]])


class RequestReleaseView(ActionView):
    """The chosen system leader's home head confirms release."""

    def act(self) -> str:
        req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        services.support_request_confirm_release(request=req, by=self.membership)
        return "Release confirmed"

    def target(self) -> str:
        return reverse("brokerage:request_detail", args=[self.kwargs["pk"]])


# ---------------------------------------------------------------------------------------------- agreements


class DeploymentCreateView(BrokerageMixin, FormView):
    """The agreement builder for a request whose provider was chosen: needs and baseline pre-filled."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        req = self.get_request()
        provider = req.chosen_provider.name if req.chosen_provider else "no provider chosen"
        return {
            "title": "Draft the deployment agreement",
            "caption": f"{provider} with {req.school.name}",
            "back_url": reverse("brokerage:request_detail", args=[req.pk]),
            "submit": "Save the draft",
        }

    form_class = DeploymentForm

    def get_request(self) -> SupportRequest:
        if not hasattr(self, "_req"):
            self._req = selectors.access_request(membership=self.membership, pk=self.kwargs["pk"])
        return self._req

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["funds"] = selectors.fund_choices(partnership_id=self.partnership.pk)
        req = self.get_request()
        if self.request.method == "GET":
            config = services.settings_for(partnership_id=self.partnership.pk)
            provider = req.chosen_provider
            today = timezone.localdate()
            kwargs["initial"] = {
                "needs_analysis": req.need,
                "baseline": selectors.school_baseline(school=req.school),
                "days": req.days_wanted,
                "day_rate": config.rate_for(provider.designation if provider else ""),
                "fee_percent": config.fee_percent,
                "start_on": today,
                "end_on": today.replace(year=today.year + 1) if today.month >= 9 else today.replace(month=8, day=31),
            }
        return kwargs

    def get_context_data(self, **kwargs):
        req = self.get_request()
        return super().get_context_data(req=req, **kwargs)

    def form_valid(self, form):
        req = self.get_request()
        d = form.cleaned_data
        objectives = [
            services.ObjectiveInput(d[f"objective_{i}"], d[f"measure_{i}"], d[f"criteria_{i}"], d[f"code_{i}"])
            for i in (1, 2)
            if d.get(f"objective_{i}")
        ]
        if req.chosen_provider is None:
            form.add_error(None, "The school has not chosen a provider yet")
            return self.form_invalid(form)
        try:
            deployment = services.deployment_create(
                partnership=self.partnership,
                provider=req.chosen_provider,
                school=req.school,
                by=self.user,
                request=req,
                needs_analysis=d["needs_analysis"],
                baseline=d["baseline"],
                approach=d["approach"],
                pattern=d["pattern"],
                start_on=d["start_on"],
                end_on=d["end_on"],
                days=d["days"],
                day_rate=d["day_rate"],
                fee_percent=d["fee_percent"],
                fund=d["fund"],
                objectives=objectives,
                milestones=[(d["milestone_on"], d["milestone"])] if d.get("milestone") else [],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Agreement drafted: the four signatories have been asked to sign")
        return redirect("brokerage:deployment_detail", pk=deployment.pk)


class DeploymentListView(BrokerageMixin, TemplateView):
    """Deployments the user may see, newest first, by state."""

    template_name = "brokerage/deployment_list.html"

    def get_context_data(self, **kwargs):
        deployments = selectors.deployment_list(membership=self.membership)
        state = self.request.GET.get("state", "")
        if state in DS.values:
            deployments = deployments.filter(state=state)
        page = Paginator(deployments.order_by("-start_on", "-pk"), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, state=state, states=DS.choices, **kwargs)


class DeploymentDetailView(BrokerageMixin, TemplateView):
    """A deployment's timeline: agreement, signatures, objectives, milestones, visits, variations, evaluation."""

    template_name = "brokerage/deployment_detail.html"

    def get_context_data(self, **kwargs):
        deployment = selectors.access_deployment(membership=self.membership, pk=self.kwargs["pk"])
        timeline = selectors.deployment_timeline(deployment=deployment)
        m = self.membership
        provider = services.is_provider_user(m, deployment.provider)
        receiving = services.is_head_of(m, deployment.school_id)
        signable = [
            (party, label, getattr(deployment, f"{party}_signed_at")) for party, label in services.SIGNATURES.items()
        ]
        can_sign = [
            party
            for party, _, at in signable
            if at is None and deployment.state == DS.DRAFT and services._signatory(party, deployment, m)
        ]
        moves = [
            (to, DS(to).label)
            for to, actor in services.DEPLOYMENT_TRANSITIONS.get(deployment.state, {}).items()
            if actor != "system" and (self.broker or (actor == "broker_or_provider" and provider))
        ]
        return super().get_context_data(
            deployment=deployment,
            t=timeline,
            signable=signable,
            can_sign=can_sign,
            moves=moves,
            transition_form=TransitionForm(),
            can_visit=(provider or self.broker) and deployment.state in (DS.SIGNED, DS.ACTIVE),
            can_respond=receiving,
            can_evaluate=(receiving or self.broker) and deployment.state == DS.COMPLETED,
            can_reflect=(provider or self.broker) and deployment.state in (DS.COMPLETED, DS.EVALUATED, DS.CLOSED),
            can_vary=self.broker and deployment.state not in (DS.EVALUATED, DS.CLOSED, DS.TERMINATED),
            today=timezone.localdate(),
            **kwargs,
        )


class DeploymentSignView(ActionView):
    """Sign the agreement as one of the four parties."""

    def act(self) -> str:
        deployment = selectors.access_deployment(membership=self.membership, pk=self.kwargs["pk"])
        party = self.request.POST.get("party", "")
        signed = services.deployment_sign(deployment=deployment, party=party, by=self.membership)
        if signed.state == DS.SIGNED:
            return "Signed by all four parties: the days are reserved and the cost committed"
        return "Your signature is recorded"

    def target(self) -> str:
        return reverse("brokerage:deployment_detail", args=[self.kwargs["pk"]])


class DeploymentTransitionView(ActionView):
    """Start, pause, resume, complete, terminate or close a deployment."""

    def act(self) -> str:
        deployment = selectors.access_deployment(membership=self.membership, pk=self.kwargs["pk"])
        to = self.request.POST.get("to", "")
        if to not in DS.values:
            raise ValidationError("Choose what to do with the deployment")
        services.deployment_transition(
            deployment=deployment, to=to, by=self.membership, reason=self.request.POST.get("reason", "")
        )
        return f"Deployment {DS(to).label.lower()}"

    def target(self) -> str:
        return reverse("brokerage:deployment_detail", args=[self.kwargs["pk"]])


def _deployment_page(deployment: Deployment, title: str, submit: str) -> dict[str, Any]:
    return {
        "title": title,
        "caption": f"{deployment.provider.name} with {deployment.school.name}",
        "back_url": reverse("brokerage:deployment_detail", args=[deployment.pk]),
        "submit": submit,
    }


class DeploymentFormMixin(BrokerageMixin):
    """A form page about one deployment the user may see."""

    kwargs: dict[str, Any]

    def get_deployment(self) -> Deployment:
        if not hasattr(self, "_deployment"):
            self._deployment = selectors.access_deployment(membership=self.membership, pk=self.kwargs["pk"])
        return self._deployment

    def get_context_data(self, **kwargs):
        return super().get_context_data(deployment=self.get_deployment(), **kwargs)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)  # type: ignore[attr-defined]
        return redirect("brokerage:deployment_detail", pk=self.get_deployment().pk)


class VariationView(DeploymentFormMixin, FormView):
    """Log a variation (days, end date, why)."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        return _deployment_page(self.get_deployment(), "Log a variation", "Save the variation")

    form_class = VariationForm

    def get_initial(self):
        d = self.get_deployment()
        return {"days": d.days, "end_on": d.end_on}

    def form_valid(self, form):
        try:
            services.deployment_vary(deployment=self.get_deployment(), by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return self.done("Variation logged")


class VisitCreateView(DeploymentFormMixin, FormView):
    """The provider records a visit (due within 5 working days of it)."""

    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        return _deployment_page(self.get_deployment(), "Record a visit", "Save the record of visit")

    form_class = VisitForm

    def get_initial(self):
        return {"visit_on": timezone.localdate(), "hours": 5}

    def get_form_kwargs(self):
        deployment = self.get_deployment()
        if not (self.broker or services.is_provider_user(self.membership, deployment.provider)):
            raise PermissionDenied
        return super().get_form_kwargs()

    def form_valid(self, form):
        try:
            visit = services.visit_record(deployment=self.get_deployment(), by=self.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return self.done("Visit recorded" + (" (after its due date)" if visit.late else ""))


class VisitRespondView(BrokerageMixin, FormView):
    """The receiving head responds to a record of visit."""

    template_name = "brokerage/visit_respond.html"

    def form_page(self) -> dict[str, Any]:
        visit = self.get_visit()
        page = _deployment_page(visit.deployment, f"Respond to the visit of {visit.visit_on:%-d %B %Y}", "Save")
        return page

    form_class = ResponseForm

    def get_visit(self):
        if not hasattr(self, "_visit"):
            self._visit = selectors.access_visit(membership=self.membership, pk=self.kwargs["pk"])
            if not services.is_head_of(self.membership, self._visit.deployment.school_id):
                raise PermissionDenied
        return self._visit

    def get_context_data(self, **kwargs):
        return super().get_context_data(visit=self.get_visit(), **kwargs)

    def form_valid(self, form):
        visit = self.get_visit()
        try:
            services.visit_respond(visit=visit, by=self.membership, response=form.cleaned_data["response"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Response recorded")
        return redirect("brokerage:deployment_detail", pk=visit.deployment_id)


class EvaluationView(DeploymentFormMixin, FormView):
    """The receiving head's end evaluation: per objective, the provider's effectiveness, overall."""

    template_name = "brokerage/evaluation_form.html"

    def form_page(self) -> dict[str, Any]:
        return _deployment_page(self.get_deployment(), "Evaluate the support", "Save the evaluation")

    form_class = EvaluationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        deployment = self.get_deployment()
        if not (services.is_head_of(self.membership, deployment.school_id) or self.broker):
            raise PermissionDenied
        kwargs["objectives"] = selectors.deployment_objectives(deployment=deployment)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(figures=selectors.objective_figures(deployment=self.get_deployment()), **kwargs)

    def form_valid(self, form):
        try:
            services.evaluation_record(
                deployment=self.get_deployment(),
                by=self.membership,
                overall=form.cleaned_data["overall"],
                provider_effectiveness=form.cleaned_data["provider_effectiveness"],
                summary=form.cleaned_data["summary"],
                judgements=form.judgements(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return self.done("Evaluation recorded: thank you")


class NoteView(DeploymentFormMixin, FormView):
    """The provider's reflection or the broker's QA note."""

    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        kind = self.kwargs["kind"]
        title = "Provider's reflection" if kind == "reflection" else "Broker's quality assurance note"
        return _deployment_page(self.get_deployment(), title, "Save the note")

    form_class = NoteForm

    def get_form_kwargs(self):
        kind = self.kwargs["kind"]
        if kind not in ("reflection", "qa"):
            raise Http404("No such note")
        provider = services.is_provider_user(self.membership, self.get_deployment().provider)
        if not (self.broker or (kind == "reflection" and provider)):
            raise PermissionDenied
        return super().get_form_kwargs()

    def form_valid(self, form):
        try:
            services.deployment_note(
                deployment=self.get_deployment(),
                by=self.membership,
                kind=self.kwargs["kind"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return self.done("Note saved")


# ---------------------------------------------------------------------------------------------- funds, ledger


class FundListView(BrokerageMixin, TemplateView):
    """The fund dashboard: allocation, committed, spent, remaining; value-for-money figures."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/fund_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            funds=selectors.fund_dashboard(membership=self.membership),
            vfm=selectors.value_for_money(partnership_id=self.partnership.pk),
            **kwargs,
        )


class FundCreateView(BrokerageMixin, FormView):
    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        return {"title": "Add a fund", "back_url": reverse("brokerage:fund_list"), "submit": "Save the fund"}

    form_class = FundForm

    def get_initial(self):
        return {"year": selectors.current_year()}

    def form_valid(self, form):
        try:
            services.fund_create(partnership=self.partnership, by=self.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "__all__" in error.error_dict:
                error = ValidationError({"name": "A fund with this name already exists for that year"})
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Fund added")
        return redirect("brokerage:fund_list")


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return selectors.current_year()
    return year if 2000 <= year <= 2100 else selectors.current_year()


class LedgerView(BrokerageMixin, TemplateView):
    """The reciprocity ledger per school, cluster and alliance: who gives and who only takes."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/ledger.html"

    def get_context_data(self, **kwargs):
        year = _year(self.request)
        pid = self.partnership.pk
        return super().get_context_data(
            year=year,
            year_text=presenters.year_label(year),
            years=[(y, presenters.year_label(y)) for y in selectors.ledger_years(partnership_id=pid)],
            schools=selectors.ledger_by_school(partnership_id=pid, year=year),
            clusters=selectors.ledger_by_cluster(partnership_id=pid, year=year),
            alliances=selectors.ledger_by_alliance(partnership_id=pid, year=year),
            **kwargs,
        )


class SummaryView(BrokerageMixin, TemplateView):
    """For the board: support needed against delivered, value for money, the ledger by cluster and alliance."""

    template_name = "brokerage/summary.html"

    def get_context_data(self, **kwargs):
        if not (self.can(Permission.VIEW_SUPPORT_SUMMARY) or self.broker):
            raise PermissionDenied
        year = _year(self.request)
        return super().get_context_data(
            summary=selectors.support_summary(membership=self.membership, year=year),
            year_text=presenters.year_label(year),
            **kwargs,
        )


class ExportView(BrokerageMixin, View):
    """CSV or XLSX of requests, deployments or the ledger (every cell formula-safe)."""

    permission = Permission.BROKER_SUPPORT

    def get(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404("No such format")
        if kind == "requests":
            header, rows = presenters.request_rows(selectors.request_list(membership=self.membership).order_by("pk"))
        elif kind == "deployments":
            header, rows = presenters.deployment_rows(
                selectors.deployment_list(membership=self.membership).order_by("pk")
            )
        elif kind == "ledger":
            year = _year(request)
            header, rows = presenters.ledger_rows(
                selectors.ledger_by_school(partnership_id=self.partnership.pk, year=year), "School"
            )
        else:
            raise Http404("No such export")
        name = f"brokerage-{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(presenters.as_csv(header, rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                presenters.as_xlsx(header, rows, kind),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SettingsView(BrokerageMixin, FormView):
    """Matching weights, day rates per designation, fee and working day of the partnership."""

    permission = Permission.BROKER_SUPPORT
    template_name = "brokerage/form_page.html"

    def form_page(self) -> dict[str, Any]:
        return {
            "title": "Brokerage settings",
            "caption": "Matching weights, day rates, fee",
            "back_url": reverse("brokerage:queue"),
            "submit": "Save the settings",
        }

    form_class = SettingsForm

    def get_initial(self):
        config = services.settings_for(partnership_id=self.partnership.pk)
        initial = {
            "fee_percent": config.fee_percent,
            "hours_per_day": config.hours_per_day,
            "max_distance_km": config.max_distance_km,
        }
        initial.update({f"weight_{k}": v for k, v in config.weight_map().items()})
        initial.update({f"rate_{k}": config.rate_for(k) for k in DEFAULT_DAY_RATES if k})
        return initial

    def form_valid(self, form):
        d = form.cleaned_data
        if d.get("new_specialism"):
            try:
                services.specialism_create(partnership=self.partnership, name=d["new_specialism"])
            except ValidationError:
                form.add_error("new_specialism", "This specialism is already on the list")
                return self.form_invalid(form)
        services.brokerage_settings_update(
            partnership=self.partnership,
            by=self.user,
            weights={k: d[f"weight_{k}"] for k in DEFAULT_WEIGHTS},
            day_rates={k: str(d[f"rate_{k}"]) for k in DEFAULT_DAY_RATES if k},
            fee_percent=d["fee_percent"],
            hours_per_day=d["hours_per_day"],
            max_distance_km=d["max_distance_km"],
        )
        messages.success(self.request, "Brokerage settings saved")
        return redirect("brokerage:settings")
