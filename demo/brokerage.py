"""Brokerage in the demo: a directory of invented system leaders on real Surrey schools (the demo system-leader
account among them), the LA's traded services, Leading schools invited (one joined), two funds, requests in every
state (drafts come from the demo round's agreement), two active deployments with visits (one to the demo head's
school; one given by the demo system leader, whose late records the queue flags), one completed and evaluated with
a reflection and a QA note, a draft half signed, and the reciprocity ledger from visits and the peer-review demo's
team days.

Every person is invented and marked "(demo)"; the other schools' heads are invented accounts without a password
(as in the peer-review demo) so that their signatures are theirs. Visits of providers without a sign-in are
recorded by the demo officer. Idempotent: once the demo's directory exists nothing is written again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brokerage import selectors, services
from brokerage.models import (
    Deployment,
    Fund,
    LedgerEntry,
    Notification,
    Provider,
    Specialism,
    SupportRequest,
    TradedServiceItem,
)
from demo.context import DemoContext, DemoStep
from partnership.models import Membership, Partnership, Role, User
from schools.models import School

DEMO = "Invented for the demo."
SPECIALISMS = [
    "Early reading and phonics",
    "Writing",
    "Mathematics",
    "SEND and inclusion",
    "Attendance",
    "Leadership and governance",
    "Curriculum design",
    "Behaviour",
]
CATALOGUE = [
    ("School improvement adviser day (demo)", "day", "550"),
    ("Safeguarding review (demo)", "review", "1350"),
    ("Governance review (demo)", "review", "675"),
    ("Online safety review (demo)", "review", "475"),
]
LEADERS: list[
    tuple[str | None, str, list[str], str, bool, str, bool]
] = [  # name, designation, specialisms, phase, cross-phase, days offered, release agreed
    (None, "sle", ["Early reading and phonics", "Writing"], "Primary", False, "15", True),
    ("Priya Shah (demo)", "nle", ["Leadership and governance", "Curriculum design"], "Primary", True, "20", True),
    ("Tom Hughes (demo)", "lle", ["Mathematics", "Leadership and governance"], "Secondary", False, "10", True),
    ("Grace Okafor (demo)", "sle", ["SEND and inclusion", "Behaviour"], "Primary", True, "12", False),
    ("Daniel Reid (demo)", "nlg", ["Leadership and governance"], "Primary", True, "8", True),
    ("Helen Carter (demo)", "sle", ["Early reading and phonics", "Mathematics"], "Primary", False, "8", True),
]


def _invented_head(ctx: DemoContext, school: School) -> Membership:
    """An invented head (no password) for a school other than the demo head's, so they can sign and release."""
    if ctx.head_school is not None and school.pk == ctx.head_school.pk:
        return ctx.accounts[Role.HEADTEACHER]
    user, _ = User.objects.get_or_create(
        email=f"support-head-{school.urn}@demo.test", defaults={"full_name": f"Headteacher of {school.name} (demo)"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(
        user=user,
        partnership=ctx.partnership,
        defaults={"roles": [Role.HEADTEACHER], "school": school, "job_title": "Headteacher (demo)"},
    )
    return membership


def _home(provider: Provider) -> School:
    """A system leader's home school (every demo leader but the LA adviser has one)."""
    assert provider.school is not None
    return provider.school


def _schools(ctx: DemoContext, phase: str, count: int, exclude: set[int]) -> list[School]:
    """Real open schools of ``phase`` outside the demo head's school, spread across districts."""
    ids = [int(i) for i in ctx.plan.loc[ctx.plan["phase"] == phase, "id"] if int(i) not in exclude]
    schools = list(School.objects.filter(pk__in=ids, status__startswith="Open").order_by("district", "urn"))
    picked, districts = [], set()
    for school in schools:
        if school.district not in districts:
            picked.append(school)
            districts.add(school.district)
        if len(picked) == count:
            break
    return picked + [s for s in schools if s not in picked][: count - len(picked)]


def build(ctx: DemoContext) -> list[str]:
    """Write the brokerage demo content once; summary lines for ``load_demo``."""
    if not Provider.objects.filter(partnership=ctx.partnership, name__endswith="(demo)").exists():
        ctx.step("Brokerage: directory, funds, requests in every state, deployments, visits, an evaluation")
        _build(ctx)
    states = sorted(set(SupportRequest.objects.filter(partnership=ctx.partnership).values_list("state", flat=True)))
    deployments = Deployment.objects.filter(partnership=ctx.partnership)
    return [
        f"Brokerage: {Provider.objects.filter(partnership=ctx.partnership).count()} providers, "
        f"{SupportRequest.objects.filter(partnership=ctx.partnership).count()} requests (states: {', '.join(states)}), "
        f"{deployments.filter(state='active').count()} active deployments, "
        f"{deployments.filter(state='evaluated').count()} evaluated, "
        f"{LedgerEntry.objects.filter(partnership=ctx.partnership).count()} ledger entries"
    ]


def _build(ctx: DemoContext) -> None:  # noqa: C901 - one walk through the whole journey, in order
    p, today = ctx.partnership, ctx.today
    officer = ctx.accounts[Role.OFFICER]
    head = ctx.accounts[Role.HEADTEACHER]
    leader_account = ctx.accounts[Role.SYSTEM_LEADER]
    head_school = ctx.head_school
    taken = {head_school.pk} if head_school else set()
    if head_school is not None:  # no provider from the head's cluster (its peer reviewers) or trust (excluded)
        head_cluster = ctx.plan.loc[ctx.plan["id"] == head_school.pk, "cluster"]
        if len(head_cluster) and head_cluster.iloc[0]:
            taken |= {int(i) for i in ctx.plan.loc[ctx.plan["cluster"] == head_cluster.iloc[0], "id"]}
        if head_school.trust_code:
            taken |= set(School.objects.filter(trust_code=head_school.trust_code).values_list("pk", flat=True))
    specialisms = {}
    for name in SPECIALISMS:
        specialisms[name] = Specialism.objects.get_or_create(partnership=p, name=name)[0]
    for name, unit, price in CATALOGUE:
        if not TradedServiceItem.objects.filter(partnership=p, name=name).exists():
            services.traded_item_create(
                partnership=p, by=officer.user, name=name, unit=unit, unit_price=Decimal(price), description=DEMO
            )
    year = services.academic_year(today)
    la_fund = services.fund_create(
        partnership=p,
        by=officer.user,
        name="LA school improvement intervention budget (demo)",
        kind="la_intervention",
        year=year,
        allocation=Decimal("60000"),
        conditions="Invented for the demo. Schools in categories 3 and 4 first; objectives and milestones agreed "
        "before work starts; at most 15% kept for brokerage and quality assurance.",
    )
    cluster_fund = services.fund_create(
        partnership=p,
        by=officer.user,
        name="Cluster pot (demo)",
        kind="cluster",
        year=year,
        allocation=Decimal("8000"),
        conditions=DEMO,
    )

    # the directory: system leaders on real schools (the demo system leader's home school is a primary)
    homes = _schools(ctx, "Primary", 5, taken) + _schools(ctx, "Secondary", 1, taken)
    homes = [homes[0], homes[1], homes[5], homes[2], homes[3], homes[4]]
    taken |= {s.pk for s in homes}
    providers = []
    for (leader, designation, specs, phase, cross, days, release), home in zip(LEADERS, homes, strict=True):
        providers.append(
            services.provider_create(
                partnership=p,
                by=officer.user,
                kind=Provider.Kind.SYSTEM_LEADER,
                name=leader or f"{leader_account.user.full_name} (demo)",
                user=leader_account.user if leader is None else None,
                school=home,
                designation=designation,
                designated_on=today - dt.timedelta(days=700),
                review_on=today + dt.timedelta(days=400),
                phases=[phase],
                cross_phase=cross,
                days_offered=Decimal(days),
                release_head_on=today - dt.timedelta(days=90) if release else None,
                release_chair_on=today - dt.timedelta(days=85) if release else None,
                specialisms=[specialisms[s] for s in specs],
                summary=DEMO,
            )
        )
    sle, nle, lle = providers[0], providers[1], providers[2]
    services.provider_create(
        partnership=p,
        by=officer.user,
        kind=Provider.Kind.SYSTEM_LEADER,
        name="Fiona Clarke (demo)",
        designation="la_adviser",
        phases=["Primary", "Secondary"],
        cross_phase=True,
        days_offered=Decimal("40"),
        specialisms=[specialisms["Attendance"], specialisms["Leadership and governance"]],
        summary="Invented for the demo. The LA's school improvement adviser.",
    )
    services.provider_create(
        partnership=p,
        by=officer.user,
        kind=Provider.Kind.TRADED,
        name="Surrey school improvement service (demo)",
        phases=["Primary", "Secondary"],
        cross_phase=True,
        days_offered=Decimal("0"),
        specialisms=list(specialisms.values()),
        summary="Invented for the demo. See the traded-service catalogue.",
    )
    services.support_schools_invite(
        partnership=p, schools=list(selectors.leading_schools_not_invited(partnership_id=p.pk)[:6]), by=officer.user
    )
    first_invited = Provider.objects.filter(partnership=p, kind="support_school", status="invited").first()
    if first_invited is not None:  # one Leading school opted in (its head answered)
        services.support_school_answer(provider=first_invited, by=_invented_head(ctx, _home(first_invited)), join=True)

    # requests in every state (drafts already came from the demo round's agreement)
    others = _schools(ctx, "Primary", 12, taken)
    taken |= {s.pk for s in others}

    def ask(school, need, focus, days="4", urgency="medium", by=None):
        return services.support_request_create(
            partnership=p,
            school=school,
            origin="school" if by is not None else "officer",
            need=need,
            focus=specialisms[focus],
            days_wanted=Decimal(days),
            urgency=urgency,
            by=(by or officer).user,
            preferred_funding="la_intervention",
        )

    ask(others[0], "Invented for the demo. Maths at KS2 has declined for two years.", "Mathematics")  # new
    triaged = ask(others[1], "Invented for the demo. Attendance fell this year.", "Attendance", urgency="high")
    services.support_request_transition(request=triaged, to="triaged", by=officer)
    if head_school is not None:  # the demo head has a shortlist to choose from
        mine = ask(
            head_school,
            "Invented for the demo. Writing at the end of KS2 is behind reading.",
            "Writing",
            by=head,
            urgency="high",
        )
        services.support_request_transition(request=mine, to="triaged", by=officer)
        services.support_request_shortlist(request=mine, by=officer)
    chosen = ask(
        others[2], "Invented for the demo. A new head wants a leadership mentor.", "Leadership and governance", days="6"
    )
    services.support_request_transition(request=chosen, to="triaged", by=officer)
    services.support_request_shortlist(request=chosen, by=officer)
    services.support_request_choose(request=chosen, provider=nle, by=_invented_head(ctx, others[2]))
    declined = ask(others[3], "Invented for the demo. Help with a staff restructure.", "Leadership and governance")
    services.support_request_transition(
        request=declined,
        to="declined",
        by=officer,
        note="Invented for the demo. HR support, not school improvement: referred to the LA's HR service.",
    )
    withdrawn = ask(
        others[4], "Invented for the demo. Curriculum review.", "Curriculum design", by=_invented_head(ctx, others[4])
    )
    services.support_request_transition(
        request=withdrawn,
        to="withdrawn",
        by=_invented_head(ctx, others[4]),
        note="Invented for the demo. The trust is providing this.",
    )

    def agree(request, provider, start, days, fund, objectives, code=""):
        """A request taken to a signed agreement by the people who would do each step."""
        services.support_request_transition(request=request, to="triaged", by=officer)
        services.support_request_shortlist(request=request, by=officer)
        receiving = _invented_head(ctx, request.school)
        services.support_request_choose(request=request, provider=provider, by=receiving)
        services.support_request_confirm_release(request=request, by=_invented_head(ctx, _home(provider)))
        request.refresh_from_db()
        deployment = services.deployment_create(
            partnership=p,
            provider=provider,
            school=request.school,
            by=officer.user,
            request=request,
            needs_analysis=request.need,
            baseline=selectors.school_baseline(school=request.school),
            approach="Invented for the demo. Joint observation, coaching of the subject lead, a review of plans.",
            pattern="One day a fortnight",
            start_on=start,
            end_on=start + dt.timedelta(days=120),
            days=Decimal(days),
            fund=fund,
            objectives=[services.ObjectiveInput(t, m, c, code) for t, m, c in objectives],
            milestones=[(start + dt.timedelta(days=42), "Mid-point review with the head (demo)")],
        )
        provider_signer = leader_account if provider.user_id == leader_account.user_id else officer
        services.deployment_sign(deployment=deployment, party="provider", by=provider_signer)
        services.deployment_sign(deployment=deployment, party="home_head", by=_invented_head(ctx, _home(provider)))
        services.deployment_sign(deployment=deployment, party="receiving_head", by=receiving)
        return services.deployment_sign(deployment=deployment, party="officer", by=officer)

    def visit(deployment, on, provider_by, hours="5", text="Coached the subject lead; observed two lessons."):
        return services.visit_record(
            deployment=deployment,
            by=provider_by,
            visit_on=on,
            hours=Decimal(hours),
            activities=f"Invented for the demo. {text}",
            progress="Invented for the demo. Objective 1: on track.",
            next_steps="Invented for the demo. Agree the next focus with the head.",
        )

    # 1. active: an SLE with the demo head's school (the head responds to a visit). Not the demo system leader:
    # they reviewed the head's school in the peer-review demo, so matching excludes them there (shown on the list)
    if head_school is not None:
        req = ask(
            head_school,
            "Invented for the demo. Phonics screening results fell; early reading needs a consistent approach.",
            "Early reading and phonics",
            days="6",
            by=head,
        )
        active = agree(
            req,
            providers[5],
            today - dt.timedelta(days=40),
            "6",
            la_fund,
            [
                (
                    "Every Reception and Year 1 teacher teaches the scheme with fidelity",
                    "Observed phonics sessions",
                    "All sessions observed in the summer are good or better",
                ),
                (
                    "Raise the phonics screening pass rate",
                    "Year 1 phonics check",
                    "At least 80% pass",
                ),
            ],
        )
        first = visit(active, today - dt.timedelta(days=30), officer)
        visit(active, today - dt.timedelta(days=9), officer, hours="3", text="Reviewed assessment data.")
        services.visit_respond(
            visit=first,
            by=head,
            response="Invented for the demo. Very helpful: staff felt supported and the plan is clear.",
        )
    # 2. active elsewhere: the demo system leader, whose records came in late (the broker's queue flags it)
    req = ask(
        others[5],
        "Invented for the demo. Leadership capacity after two senior leaders left.",
        "Leadership and governance",
        days="8",
        urgency="urgent",
    )
    active2 = agree(
        req,
        sle,
        today - dt.timedelta(days=60),
        "8",
        la_fund,
        [
            (
                "Build the senior team's capacity to monitor teaching",
                "Quality of monitoring records",
                "Monitoring cycle in place with written feedback",
            ),
        ],
    )
    visit(active2, today - dt.timedelta(days=50), leader_account)
    visit(active2, today - dt.timedelta(days=21), leader_account, text="Joint learning walk with the deputy head.")
    # 3. completed and evaluated: the LLE with a secondary school
    secondary = _schools(ctx, "Secondary", 1, taken | {_home(lle).pk})[0]
    taken.add(secondary.pk)
    req = ask(secondary, "Invented for the demo. Maths progress at KS4 below national.", "Mathematics", days="5")
    done = agree(
        req,
        lle,
        today - dt.timedelta(days=200),
        "5",
        cluster_fund,
        [
            (
                "Improve progress in maths at KS4",
                "Progress 8 (maths element) and Attainment 8",
                "Above the LA average",
            ),
        ],
        code="ks4_att8",
    )
    for days_ago in (190, 150, 110, 70, 40):
        visit(done, today - dt.timedelta(days=days_ago), officer, text="Department review and coaching.")
    done = services.deployment_transition(deployment=done, to="completed", by=officer)
    receiving = _invented_head(ctx, secondary)
    objective = done.objectives.get()
    services.evaluation_record(
        deployment=done,
        by=receiving,
        overall=3,
        provider_effectiveness=4,
        summary="Invented for the demo. Teaching in maths is more consistent; the department leads its own review.",
        judgements=[
            (objective, "partly", "Invented for the demo. Mock results improved; published results not yet available.")
        ],
    )
    services.deployment_note(
        deployment=done,
        by=officer,
        kind="reflection",
        text="Invented for the demo. A receptive department; more time on Year 10 next time.",
    )
    services.deployment_note(
        deployment=done,
        by=officer,
        kind="qa",
        text="Invented for the demo. Evidence checked against the objectives; good value.",
    )
    # 4. a draft agreement half signed: the chosen request above
    services.support_request_confirm_release(request=chosen, by=_invented_head(ctx, _home(nle)))
    chosen.refresh_from_db()
    draft = services.deployment_create(
        partnership=p,
        provider=nle,
        school=chosen.school,
        by=officer.user,
        request=chosen,
        needs_analysis=chosen.need,
        baseline=selectors.school_baseline(school=chosen.school),
        start_on=today + dt.timedelta(days=14),
        end_on=today + dt.timedelta(days=180),
        days=Decimal("6"),
        fund=la_fund,
        objectives=[
            services.ObjectiveInput(
                "Establish the new head's leadership priorities",
                "Head's termly self-evaluation (demo)",
                "A written plan agreed with governors",
            )
        ],
    )
    services.deployment_sign(deployment=draft, party="home_head", by=_invented_head(ctx, _home(nle)))
    services.deployment_sign(deployment=draft, party="receiving_head", by=_invented_head(ctx, chosen.school))
    # peer review's support-needed actions and team days (the peer-review demo ran before this step)
    services.peer_review_sync(partnership=p)
    # the demo's hand-over emails are records only: nothing is sent by the build
    Notification.objects.filter(partnership=p, state=Notification.State.WAITING).update(
        state=Notification.State.SENT, last_error="Demo build: not sent"
    )


def delete(partnership: Partnership) -> int:
    """Brokerage rows restrict their schools: remove them before the partnership (``load_demo --reset``)."""
    count = Deployment.objects.filter(partnership=partnership).delete()[0]
    count += SupportRequest.objects.filter(partnership=partnership).delete()[0]
    count += Provider.objects.filter(partnership=partnership).delete()[0]
    count += Fund.objects.filter(partnership=partnership).delete()[0]
    count += Membership.objects.filter(partnership=partnership, user__email__startswith="support-head-").delete()[0]
    count += User.objects.filter(email__startswith="support-head-", email__endswith="@demo.test").delete()[0]
    return count


BROKERAGE_STEP = DemoStep(label="Brokerage", build=build, delete=delete)
