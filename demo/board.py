"""The strategic board in the demo: terms of reference, the members' standing, declared interests, a strategy
with three priorities and KPIs computed from the real Surrey data, two held meetings with decisions (the second
agrees the demo's categorisation round), a meeting next term, and a meeting pack built in process.

Everything invented is marked "(demo)" or "Invented for the demo"; the schools are the real DfE ones. Idempotent:
each part is found by its natural key (board, strategy title, meeting title, priority title, library code).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.context import DemoContext, DemoStep
from partnership.board import selectors, services
from partnership.board.models import Decision, Declaration, Deliverable, Kpi, Meeting, MeetingPack, Priority, Strategy
from partnership.models import BoardMember, Partnership, Role

DEMO = "Invented for the demo."
TERMS = (
    "Invented for the demo. Purpose: to set the partnership's strategy for school improvement, agree the annual "
    "categorisation of schools, hold the partnership to account for its priorities and commission support.\n\n"
    "Membership: one seat for each constituency (primary, secondary and special headteachers, governors, trusts, "
    "the dioceses and the local authority), elected or nominated for up to three years; an independent chair; "
    "co-opted members without a vote. Quorum: five voting members.\n\n"
    "Members declare any interest in an item before it is discussed and leave for items about a school they have "
    "an interest in. Papers marked confidential are for members only."
)
STRATEGY = "Surrey school improvement strategy 2025 to 2028 (demo)"
VISION = (
    "Invented for the demo. Every child in Surrey learns in a good school that works with others, so that where a "
    "child lives or their family's income does not decide how well they do."
)
PRIORITIES = [
    (
        "Reading, writing and maths at the end of primary",
        "Invented for the demo. KS2 results are close to England's but the gap for disadvantaged pupils is wide.",
        "Primary headteachers' sub-group (demo)",
        [
            ("Reading fluency network in every alliance", "green", ""),
            ("Moderation of writing across clusters", "amber", "Two alliances have not yet set dates (demo)."),
        ],
        [("ks2_rwm_la", 68.0), ("ks2_disadvantage_gap", 18.0), ("ks4_att8_la", 50.0)],
    ),
    (
        "Attendance and inclusion",
        "Invented for the demo. Persistent absence rose after the pandemic; suspensions are rising in secondary.",
        "Inclusion sub-group (demo)",
        [
            ("Attendance lead trained in every school", "amber", "Training capacity limited this term (demo)."),
            ("Shared inclusion protocol agreed", "white", ""),
        ],
        [("persistent_absence", 9.0)],
    ),
    (
        "No school left behind",
        "Invented for the demo. Schools in categories 3 and 4 and schools working alone get help first.",
        "Local authority school improvement (demo)",
        [
            ("Every category 3-4 school has a support plan", "green", ""),
            ("Every isolated school offered a cluster", "red", "Three schools declined so far (demo)."),
        ],
        [
            ("categories_3_4_share", 10.0),
            ("isolated_schools", 0.0),
            ("inspection_legacy_good_share", 92.0),
            ("peer_reviewed_share", 30.0),
        ],
    ),
]


def _days(ctx: DemoContext, n: int) -> dt.date:
    return ctx.today + dt.timedelta(days=n)


def _meeting(ctx: DemoContext, title: str, on: dt.date, held: bool) -> tuple[Meeting, bool]:
    officer = ctx.user(Role.OFFICER)
    found = Meeting.objects.filter(partnership=ctx.partnership, title=title).first()
    if found:
        return found, False
    meeting = services.meeting_create(
        partnership=ctx.partnership, title=title, meets_on=on, location="County Hall, Woking (demo)", user=officer
    )
    if held:
        services.meeting_transition(meeting=meeting, to="held", by=officer)
    return meeting, True


def _strategy(ctx: DemoContext) -> Strategy:
    officer = ctx.user(Role.OFFICER)
    strategy = Strategy.objects.filter(partnership=ctx.partnership, title=STRATEGY).first()
    if strategy is None:
        strategy = services.strategy_save(
            partnership=ctx.partnership,
            title=STRATEGY,
            starts_on=dt.date(2025, 9, 1),
            ends_on=dt.date(2028, 8, 31),
            vision=VISION,
            user=officer,
        )
    target_on = dt.date(2028, 7, 31)
    for title, rationale, lead, deliverables, kpis in PRIORITIES:
        priority = Priority.objects.filter(strategy=strategy, title=title).first() or services.priority_create(
            strategy=strategy, title=title, rationale=rationale, lead=lead, user=officer
        )
        for i, (d_title, status, reason) in enumerate(deliverables):
            if not Deliverable.objects.filter(priority=priority, title=d_title).exists():
                services.deliverable_save(
                    priority=priority,
                    title=d_title,
                    owner=lead,
                    due_on=_days(ctx, 60 * (i + 1)),
                    status=status,
                    status_reason=reason,
                    user=officer,
                )
        for code, target in kpis:
            if not Kpi.objects.filter(
                partnership=ctx.partnership, library_code=code, archived_at__isnull=True
            ).exists():
                services.kpi_create_from_library(
                    partnership=ctx.partnership,
                    code=code,
                    target=target,
                    target_on=target_on,
                    priority=priority,
                    user=officer,
                )
        if (
            title == "Attendance and inclusion"
            and not Kpi.objects.filter(partnership=ctx.partnership, library_code="", priority=priority).exists()
        ):
            manual = services.kpi_save(
                partnership=ctx.partnership,
                user=officer,
                title="Schools with a trained attendance lead (demo)",
                definition="Invented for the demo. Percentage of schools whose attendance lead completed the "
                "partnership's training.",
                polarity="higher",
                unit="percent",
                source="Training registers (demo)",
                comparator="target",
                priority=priority,
                baseline=20.0,
                baseline_period="2024/25",
                target=100.0,
                target_on=target_on,
                green_within=5.0,
                amber_within=25.0,
            )
            services.kpi_value_record(
                kpi=manual, period=2025, value=20.0, note="Training registers, July 2025 (demo)", user=officer
            )
            services.kpi_value_record(
                kpi=manual, period=2026, value=55.0, note="Training registers, July 2026 (demo)", user=officer
            )
    return strategy


def _board_and_people(ctx: DemoContext) -> None:
    officer = ctx.user(Role.OFFICER)
    services.board_save(
        partnership=ctx.partnership,
        name="Surrey Strategic School Improvement Board (demo)",
        kind="strategic",
        terms_of_reference=TERMS,
        quorum=5,
        user=officer,
    )
    members = {m.seat: m for m in BoardMember.objects.filter(partnership=ctx.partnership)}
    if BoardMember.Seat.CHAIR in members:
        services.member_standing_set(member=members[BoardMember.Seat.CHAIR], is_chair=True, voting=True, user=officer)
    if BoardMember.Seat.LA in members:
        services.member_standing_set(member=members[BoardMember.Seat.LA], is_chair=False, voting=False, user=officer)
    schools = ctx.plan.sort_values("name").head(2)
    declared = [
        (
            BoardMember.Seat.PRIMARY_HEAD,
            "employment",
            "Headteacher of the school (demo)",
            int(schools.iloc[0]["id"]),
            "",
        ),
        (
            BoardMember.Seat.GOVERNOR,
            "governance",
            "Governor of the school since 2023 (demo)",
            int(schools.iloc[1]["id"]),
            "",
        ),
        (
            BoardMember.Seat.TRUST,
            "employment",
            "Chief executive of a multi-academy trust (demo)",
            None,
            "Example trust (demo)",
        ),
    ]
    for seat, kind, interest, school_id, organisation in declared:
        member = members.get(seat)
        if member and not Declaration.objects.filter(member=member, interest=interest).exists():
            school = ctx.partnership.schools.get(pk=school_id) if school_id else None
            services.declaration_create(
                member=member,
                kind=kind,
                interest=interest,
                declared_on=dt.date(2025, 9, 1),
                school=school,
                organisation=organisation,
                user=officer,
            )


def _meetings(ctx: DemoContext) -> tuple[Meeting, Meeting]:
    officer = ctx.user(Role.OFFICER)
    autumn, new = _meeting(ctx, "Strategic board: autumn term (demo)", _days(ctx, -70), held=True)
    if new:
        for title, presenter, confidential in [
            ("Welcome and declarations of interest", "Chair", False),
            ("The strategy 2025 to 2028 and its three priorities", "LA school improvement lead", False),
            ("Schools causing concern", "LA school improvement lead", True),
            ("Any other business", "Chair", False),
        ]:
            services.agenda_item_add(meeting=autumn, title=title, presenter=presenter, confidential=confidential)
        services.paper_upload(
            meeting=autumn,
            title="Draft strategy 2025 to 2028 (demo)",
            confidential=False,
            upload=SimpleUploadedFile("draft-strategy-demo.txt", f"{DEMO}\n\n{VISION}\n".encode()),
            user=officer,
        )
        services.paper_upload(
            meeting=autumn,
            title="Schools causing concern: briefing (demo)",
            confidential=True,
            upload=SimpleUploadedFile("concern-briefing-demo.txt", f"{DEMO} Confidential to board members.\n".encode()),
            user=officer,
        )
        services.minutes_save(
            meeting=autumn,
            approved=True,
            user=officer,
            minutes=f"{DEMO} The board discussed the draft strategy and agreed three priorities. Board Member B (demo) "
            "declared an interest as headteacher of a school named in the confidential briefing and left for that "
            "item.",
        )
        services.decision_record(
            meeting=autumn,
            text="The board approved the strategy 2025 to 2028 and its three priorities. (demo)",
            user=officer,
        )
        done = services.action_create(
            meeting=autumn,
            description="Publish the plan on a page to all schools (demo)",
            owner="LA officer (demo)",
            due_on=_days(ctx, -50),
            user=officer,
        )
        services.action_transition(action=done, to="done", by=officer)
        services.action_create(
            meeting=autumn,
            description="Report attendance-lead training numbers (demo)",
            owner="Inclusion sub-group (demo)",
            due_on=_days(ctx, -10),
            user=officer,
        )
    spring, new = _meeting(ctx, "Strategic board: categorisation (demo)", ctx.today, held=True)
    if new:
        for title, presenter, confidential in [
            ("Welcome and declarations of interest", "Chair", False),
            ("Categorisation round: the list in aggregate", "LA school improvement lead", False),
            ("Scorecard and exceptions", "LA performance analyst (demo)", False),
        ]:
            services.agenda_item_add(meeting=spring, title=title, presenter=presenter, confidential=confidential)
        latest = selectors.rounds_for_agreement(partnership_id=ctx.partnership.pk).first()
        from partnership.board.sources import latest_agreed_round

        agreed = latest_agreed_round(partnership_id=ctx.partnership.pk)
        chosen = latest or (
            agreed
            if agreed
            and not Decision.objects.filter(categorisation_round=agreed).exists()
            and agreed.agreed_on == ctx.today
            else None
        )
        services.decision_record(
            meeting=spring,
            user=officer,
            categorisation_round=chosen,
            text="The board agreed the categorisation round's list, seen in aggregate, with small counts "
            "suppressed. (demo)",
        )
        services.action_create(
            meeting=spring,
            description="Bring the support plans for category 4 schools to the next meeting (demo)",
            owner="LA officer (demo)",
            due_on=_days(ctx, 60),
            user=officer,
        )
    _meeting(ctx, "Strategic board: summer term (demo)", _days(ctx, 90), held=False)
    return autumn, spring


def build(ctx: DemoContext) -> list[str]:
    """Write the board's demo content; summary lines for ``load_demo``."""
    _board_and_people(ctx)
    ctx.step("Board: strategy, priorities and KPIs from the Surrey data")
    strategy = _strategy(ctx)
    services.kpis_recompute(partnership=ctx.partnership, user=ctx.user(Role.OFFICER))  # after the other features
    ctx.step("Board: meetings, decisions and actions")
    _autumn, spring = _meetings(ctx)
    pack = MeetingPack.objects.filter(meeting=spring, state=MeetingPack.State.SUCCEEDED).first()
    if pack is None:
        ctx.step("Board: building the meeting pack")
        pack = services.meeting_pack_request(meeting=spring, user=ctx.user(Role.OFFICER))
        services.meeting_pack_build(pack=pack)
        pack.refresh_from_db()
    kpis = selectors.scorecard(partnership_id=ctx.partnership.pk)
    with_data = sum(1 for r in kpis if r.values)
    return [
        f"Board: {strategy.title}, {strategy.priorities.filter(retired_at__isnull=True).count()} priorities, "
        f"{len(kpis)} KPIs ({with_data} with values from the data or entered)",
        f"Board: {Meeting.objects.filter(partnership=ctx.partnership).count()} meetings, "
        f"{Decision.objects.filter(meeting__partnership=ctx.partnership).count()} decisions; meeting pack "
        f"{pack.page_count} pages built in {pack.build_seconds} s",
    ]


def delete(partnership: Partnership) -> int:
    """Decisions RESTRICT their categorisation round: remove them before the partnership goes."""
    return Decision.objects.filter(meeting__partnership=partnership).delete()[0]


BOARD_STEP = DemoStep(label="Strategic board", build=build, delete=delete)
