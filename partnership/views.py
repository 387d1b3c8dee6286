"""Partnership pages (home, board, people, invitations) and view helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from allauth.account.views import EmailView as AllauthEmailView
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership import jobs, presenters, selectors, services
from partnership.access import PartnershipViewMixin, request_user
from partnership.forms import (
    AcceptInvitationForm,
    BoardMemberForm,
    EndMembershipForm,
    InvitationForm,
    PersonLeadsForm,
    PersonRolesForm,
)
from partnership.middleware import SESSION_PARTNERSHIP
from partnership.models import BoardMember, Invitation, User
from partnership.permissions import Permission


def apply_validation_error(form: Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its fields when they exist, else to the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class HomeView(PartnershipViewMixin, TemplateView):
    """The partnership overview: counts, structure health, and the user's own school and clusters."""

    template_name = "partnership/home.html"

    def get_context_data(self, **kwargs):
        overview = selectors.partnership_overview(membership=self.membership)
        work = selectors.home_work_queue(membership=self.membership)
        return super().get_context_data(overview=overview, work=work, **kwargs)


class SwitchPartnershipView(View):
    """Choose which of the user's partnerships is current (POST)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            partnership_id = int(request.POST.get("partnership", ""))
        except ValueError:
            raise Http404 from None
        partnership = services.partnership_for_user(user=cast(User, request.user), partnership_id=partnership_id)
        if partnership is None:
            raise Http404
        request.session[SESSION_PARTNERSHIP] = partnership.pk
        messages.success(request, f"You are now working in {partnership.name}")
        return redirect("partnership:home")


class BoardView(PartnershipViewMixin, TemplateView):
    """The strategic board: current members by seat, and past members."""

    permission = Permission.VIEW_BOARD
    template_name = "partnership/board.html"

    def get_context_data(self, **kwargs):
        current, past = selectors.board_members(membership=self.membership)
        return super().get_context_data(
            current=current, past=past, can_manage=self.can(Permission.MANAGE_BOARD), **kwargs
        )


class BoardMemberFormView(PartnershipViewMixin, FormView):
    """Add a board member, or edit one when ``pk`` is given."""

    permission = Permission.MANAGE_BOARD
    template_name = "partnership/board_member_form.html"

    form_class = BoardMemberForm

    def get_member(self) -> BoardMember:
        pk = self.kwargs.get("pk")
        if pk is None:
            return BoardMember(partnership=self.partnership)
        return selectors.access_board_member(membership=self.membership, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_member()}

    def form_valid(self, form):
        try:
            member = services.board_member_save(member=form.save(commit=False), user=self.request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{member.name} saved")
        return redirect("partnership:board")


class PeopleView(PartnershipViewMixin, TemplateView):
    """Members of the partnership (last sign-in, two-factor), archived members and pending invitations."""

    permission = Permission.INVITE_USERS
    template_name = "partnership/people.html"

    def get_context_data(self, **kwargs):
        members, invitations = selectors.people(membership=self.membership)
        rows = [(m, presenters.last_sign_in(m), presenters.two_factor(m)) for m in members]
        invitation_rows = [
            (i, services.invitation_may_manage(actor=self.membership, invitation=i)) for i in invitations
        ]
        return super().get_context_data(
            members=members,
            rows=rows,
            invitations=invitations,
            invitation_rows=invitation_rows,
            archived=selectors.archived_people(membership=self.membership),
            can_manage=self.can(Permission.MANAGE_PEOPLE),
            **kwargs,
        )


class PersonMixin(PartnershipViewMixin):
    """A member of the current partnership by ``pk`` (404 otherwise); changes need the right to manage them."""

    permission = Permission.MANAGE_PEOPLE
    manage = True
    kwargs: dict

    @cached_property
    def person(self):
        person = selectors.access_person(membership=self.membership, pk=self.kwargs["pk"])
        if self.manage and not services.membership_may_manage(actor=self.membership, target=person):
            raise PermissionDenied
        return person


class PersonView(PersonMixin, TemplateView):
    """One person: their roles, school, what they lead, account facts, the actions allowed, and the change log."""

    permission = Permission.INVITE_USERS
    manage = False
    template_name = "partnership/person.html"

    def get_context_data(self, **kwargs):
        person = self.person
        return super().get_context_data(
            person=person,
            last_sign_in=presenters.last_sign_in(person),
            two_factor=presenters.two_factor(person),
            clusters=list(person.clusters.all()),
            alliances=list(person.alliances.all()),
            events=presenters.event_rows(selectors.person_events(person=person)),
            can_manage=services.membership_may_manage(actor=self.membership, target=person),
            is_self=person.pk == self.membership.pk,
            **kwargs,
        )


class PersonFormView(PersonMixin, FormView):
    """Shared: show a form about a person, apply its service, go back to their page with a message."""

    success_message = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def apply(self, form) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.apply(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message.format(person=self.person.user))
        return redirect("partnership:person", pk=self.person.pk)


class PersonRolesView(PersonFormView):
    """Change a member's roles and school (only to roles the actor may grant)."""

    template_name = "partnership/person_roles.html"
    form_class = PersonRolesForm
    success_message = "Roles of {person} changed"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.membership, "person": self.person}

    def apply(self, form) -> None:
        services.membership_roles_change(
            membership=self.person,
            roles=form.cleaned_data["roles"],
            school=form.cleaned_data["school"],
            by=self.membership,
        )


class PersonLeadsView(PersonFormView):
    """Make a member the lead of clusters and alliances (the lead roles follow)."""

    template_name = "partnership/person_leads.html"
    form_class = PersonLeadsForm
    success_message = "What {person} leads has been changed"

    def get_form_kwargs(self):
        clusters, alliances = selectors.lead_choices(membership=self.membership)
        return {**super().get_form_kwargs(), "clusters": clusters, "alliances": alliances, "person": self.person}

    def apply(self, form) -> None:
        services.membership_leads_change(
            membership=self.person,
            clusters=list(form.cleaned_data["clusters"]),
            alliances=list(form.cleaned_data["alliances"]),
            by=self.membership,
        )


class PersonActionView(PersonMixin, View):
    """Shared: a POST button on the person's page that calls one service and says what happened."""

    done = ""

    def act(self) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            self.act()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.done.format(person=self.person.user))
        return redirect("partnership:person", pk=self.person.pk)


class PersonArchiveView(PersonActionView):
    """Archive a member: no access from now on, their history kept (POST)."""

    done = "{person} archived: they can no longer see anything in this partnership"

    def act(self) -> None:
        services.membership_transition(membership=self.person, to=services.MembershipState.ARCHIVED, by=self.membership)


class PersonRestoreView(PersonActionView):
    """Restore an archived member with the roles they had (POST)."""

    done = "{person} restored"

    def act(self) -> None:
        services.membership_transition(membership=self.person, to=services.MembershipState.ACTIVE, by=self.membership)


class PersonMFAResetView(PersonActionView):
    """Remove a member's authenticators, so they set up a new one at their next sign-in (POST)."""

    done = "Two-factor authentication of {person} reset: they set it up again when they next sign in"

    def act(self) -> None:
        services.membership_mfa_reset(membership=self.person, by=self.membership)


class InviteView(PartnershipViewMixin, FormView):
    """Invite someone by email with one or more roles."""

    permission = Permission.INVITE_USERS
    template_name = "partnership/invite.html"

    form_class = InvitationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "inviter": self.membership}

    def form_valid(self, form):
        school = form.cleaned_data.get("school")
        try:
            invitation = services.invitation_create(
                inviter=self.membership,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                school=school,
                base_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        if getattr(invitation, "delivery_error", None):
            messages.error(
                self.request,
                f"The invitation to {invitation.email} is saved, but the email could not be sent. "
                "Invite them again once email is working: a new invitation replaces this one.",
            )
        else:
            messages.success(self.request, f"Invitation sent to {invitation.email}")
        return redirect("partnership:people")


class InvitationResendView(PartnershipViewMixin, View):
    """Send a pending invitation again with a new link (POST); officers cannot resend an admin's."""

    permission = Permission.MANAGE_PEOPLE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = selectors.access_pending_invitation(membership=self.membership, pk=pk)
        try:
            fresh = services.invitation_resend(
                invitation=invitation, by=self.membership, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if getattr(fresh, "delivery_error", None):
                messages.error(request, f"The email to {fresh.email} could not be sent. Try again later.")
            else:
                messages.success(request, f"Invitation sent again to {fresh.email}: the earlier link no longer works")
        return redirect("partnership:people")


class InvitationRevokeView(PartnershipViewMixin, View):
    """Revoke a pending invitation (POST); officers cannot revoke an admin's."""

    permission = Permission.MANAGE_PEOPLE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = selectors.access_pending_invitation(membership=self.membership, pk=pk)
        try:
            services.invitation_revoke(invitation=invitation, by=self.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Invitation to {invitation.email} revoked")
        return redirect("partnership:people")


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(FormView):
    """Public page behind an invitation link.

    No account holds the address: choose a password, which creates the account (the link proves the address).
    An account holds it: sign in as usual (password and two-factor), then accept with one button; signed in as
    anyone else, or with the address not verified, the page says what to do and nothing is accepted.
    """

    template_name = "partnership/accept_invitation.html"
    form_class = AcceptInvitationForm
    invitation: Invitation

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        invitation = services.invitation_from_token(token=kwargs["token"])
        if invitation is None:
            return render(request, "partnership/invitation_invalid.html", status=404)
        self.invitation = invitation
        self.account = services.invitation_account(invitation=self.invitation)
        user = request.user if request.user.is_authenticated else None
        if user is not None and (self.account is None or user.pk != self.account.pk):
            return self.situation("someone_else", status=403)
        if self.account is not None:
            return self.existing_account(request, user)
        return super().dispatch(request, *args, **kwargs)

    def situation(self, name: str, *, status: int = 200, error: str = "") -> HttpResponse:
        """The page for an invitation whose address belongs to an account (or that someone else opened)."""
        context = {"invitation": self.invitation, "situation": name, "error": error}
        return render(self.request, "partnership/accept_invitation_existing.html", context, status=status)

    def existing_account(self, request: HttpRequest, user) -> HttpResponse:
        if user is None:
            return self.situation("sign_in")
        if not services.invitation_binds_to(invitation=self.invitation, user=user):
            return self.situation("verify")
        if request.method != "POST":
            return self.situation("confirm")
        try:
            services.invitation_accept(invitation=self.invitation, user=user)
        except ValidationError as error:
            return self.situation("confirm", error=" ".join(error.messages))
        return self.joined()

    def joined(self) -> HttpResponse:
        self.request.session[SESSION_PARTNERSHIP] = self.invitation.partnership_id
        messages.success(self.request, f"Welcome to {self.invitation.partnership.name}")
        return redirect("partnership:home")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invitation": self.invitation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, **kwargs)

    def form_valid(self, form):
        try:
            user = services.invitation_account_create(
                invitation=self.invitation,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        login(self.request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return self.joined()


class EmailAddressView(AllauthEmailView):
    """allauth's address page, except that only a verified address can become the account's address.

    allauth lets an unverified address become primary while the account has no verified one (ADR 0015);
    here it never does, so the account's address is always one its owner proved they receive mail at.
    """

    def _action_primary(self, request: HttpRequest, *args: Any, **kwargs: Any):
        address = self._get_email_address(request)
        if address is not None and not address.verified:
            messages.error(request, "Verify this email address before making it your main address")
            return redirect("account_email")
        return super()._action_primary(request, *args, **kwargs)


class DatedMembershipEndView(PartnershipViewMixin, View):
    """End a dated membership (school in cluster, cluster in alliance) from a POSTed ``left_on`` date."""

    permission = Permission.MANAGE_STRUCTURES
    access: Callable[..., models.Model]
    membership_model: type[models.Model]
    parent_field: str
    member_field: str
    redirect_name: str
    refusal = "Enter a real date it left"

    def may_end(self, parent: models.Model) -> bool:
        """Whether memberships of ``parent`` may be ended here (overridden for GIAS networks)."""
        return True

    def post(self, request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
        parent = self.access(membership=self.membership, pk=pk)
        member = selectors.access_current_dated_membership(
            model=self.membership_model, parent_field=self.parent_field, parent=parent, pk=membership_pk
        )
        form = EndMembershipForm(request.POST)
        if not form.is_valid() or not self.may_end(parent):
            messages.error(request, self.refusal)
            return redirect(self.redirect_name, pk=parent.pk)
        try:
            services.dated_membership_end(
                membership=member, left_on=form.cleaned_data["left_on"], user=cast(User, request.user)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{getattr(member, self.member_field)} removed from {parent}")
        return redirect(self.redirect_name, pk=parent.pk)


class JobsView(PartnershipViewMixin, TemplateView):
    """The partnership's background jobs by kind: waiting and running now, failed in the last 7 days with the
    latest failure's message, and a button to queue the failed ones again where the kind allows it."""

    permission = Permission.VIEW_JOBS
    template_name = "partnership/jobs.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=jobs.jobs_overview(partnership_id=self.partnership.pk), days=jobs.JOBS_WINDOW_DAYS, **kwargs
        )


class JobsRetryView(PartnershipViewMixin, View):
    """Queue again the failed jobs of one kind (POST)."""

    permission = Permission.VIEW_JOBS

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        try:
            retried = jobs.jobs_retry(partnership_id=self.partnership.pk, key=kind, user=request_user(request))
        except LookupError:
            raise Http404 from None
        found = jobs.job_kind(kind)
        label = found.label if found else kind
        if retried:
            messages.success(request, f"{label}: {retried} queued again")
        else:
            messages.info(request, f"{label}: nothing to queue again")
        return redirect("partnership:jobs")
