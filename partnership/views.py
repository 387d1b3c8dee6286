"""Partnership pages (home, board, people, invitations) and view helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.views import EmailView as AllauthEmailView
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, TemplateView

from partnership import selectors, services
from partnership.access import PartnershipViewMixin
from partnership.forms import AcceptInvitationForm, BoardMemberForm, EndMembershipForm, InvitationForm
from partnership.middleware import SESSION_PARTNERSHIP
from partnership.models import BoardMember
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
        return super().get_context_data(overview=overview, **kwargs)


class SwitchPartnershipView(View):
    """Choose which of the user's partnerships is current (POST)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            partnership_id = int(request.POST.get("partnership", ""))
        except ValueError:
            raise Http404 from None
        partnership = services.partnership_for_user(user=request.user, partnership_id=partnership_id)
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
    """Members of the partnership and pending invitations."""

    permission = Permission.INVITE_USERS
    template_name = "partnership/people.html"

    def get_context_data(self, **kwargs):
        members, invitations = selectors.people(membership=self.membership)
        return super().get_context_data(members=members, invitations=invitations, **kwargs)


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


class InvitationRevokeView(PartnershipViewMixin, View):
    """Revoke a pending invitation (POST)."""

    permission = Permission.INVITE_USERS

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

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        self.invitation = services.invitation_from_token(token=kwargs["token"])
        if self.invitation is None:
            return render(request, "partnership/invitation_invalid.html", status=404)
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
            services.dated_membership_end(membership=member, left_on=form.cleaned_data["left_on"], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{getattr(member, self.member_field)} removed from {parent}")
        return redirect(self.redirect_name, pk=parent.pk)
