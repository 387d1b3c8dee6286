"""People management in the demo (issue #9): invented members managed through the People pages' services.

The demo officer makes an invented deputy the lead of a second cluster (the cluster lead role follows, and the
cluster's page names its lead), the demo admin archives an invented former officer, and the officer invites an
invented new headteacher (pending, so the People page shows "Send again" and "Revoke"). Each change is logged and
shown on the person's page (who, when, before and after). Every name ends "(demo)"; the schools are real.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress

from demo.context import DemoContext, DemoStep
from partnership.models import Invitation, Membership, MembershipEvent, Role, User
from partnership.services import (
    MembershipState,
    invitation_create,
    membership_leads_change,
    membership_transition,
    tracked_save,
)

DEPUTY_EMAIL = "deputy-lead@demo.test"
FORMER_EMAIL = "former-officer@demo.test"
INVITED_EMAIL = "new-head@demo.test"
INVENTED_MEMBERS = (DEPUTY_EMAIL, FORMER_EMAIL)  # members besides the one demo account per role


def _member(ctx: DemoContext, email: str, name: str, roles: list[str], job_title: str) -> Membership:
    """An invented member with a verified address and no password (never signs in)."""
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=name)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    membership = Membership.objects.filter(user=user, partnership=ctx.partnership).first()
    if membership is None:
        membership = tracked_save(
            Membership(user=user, partnership=ctx.partnership, roles=roles, job_title=job_title),
            user=ctx.user(Role.ADMIN),
            creating=True,
        )
    return membership


def build(ctx: DemoContext) -> list[str]:
    """The deputy made a cluster lead by the officer, the former officer archived by the admin, an invitation."""
    officer, admin = ctx.accounts[Role.OFFICER], ctx.accounts[Role.ADMIN]
    lead_cluster = next(iter(ctx.accounts[Role.CLUSTER_LEAD].clusters.all()), None)
    second = next((c for name, c in sorted(ctx.clusters.items()) if c != lead_cluster), None)

    deputy = _member(ctx, DEPUTY_EMAIL, "Deputy Lead (demo)", [Role.SYSTEM_LEADER], "Deputy headteacher (demo)")
    if second is not None and not deputy.events.filter(action=MembershipEvent.Action.LEADS).exists():
        membership_leads_change(membership=deputy, clusters=[second], alliances=[], by=officer)

    former = _member(ctx, FORMER_EMAIL, "Former Officer (demo)", [Role.SYSTEM_LEADER], "School improvement adviser")
    if former.archived_at is None and not former.events.filter(action=MembershipEvent.Action.ARCHIVED).exists():
        membership_transition(membership=former, to=MembershipState.ARCHIVED, by=admin, note="Left the council (demo)")

    pending = Invitation.objects.filter(
        partnership=ctx.partnership, email=INVITED_EMAIL, state=Invitation.State.PENDING
    )
    school = ctx.head_school
    if not pending.exists() and school is not None:
        invitation_create(
            inviter=officer,
            email=INVITED_EMAIL,
            full_name="New Head (demo)",
            roles=[Role.CHAIR_OF_GOVERNORS],
            school=school,
            base_url="http://127.0.0.1:8000/",
        )
    led = f"{second.name}" if second is not None else "no second cluster"
    return [
        f"People: Deputy Lead (demo) made lead of {led} by the officer; Former Officer (demo) archived by the admin;"
        f" {INVITED_EMAIL} invited (pending). Each change is on the person's page under People."
    ]


def delete(partnership) -> int:
    """The invented people's accounts (the memberships go with the partnership)."""
    deleted, _ = User.objects.filter(email__in=[DEPUTY_EMAIL, FORMER_EMAIL]).delete()
    return deleted


PEOPLE_STEP = DemoStep(label="People management", build=build, delete=delete)
