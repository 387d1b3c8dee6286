"""Notes of visit in the demo (issue #14 item 10): the LA's visits to real Surrey schools, written by invented
people through the visits services.

- the demo head's school: an older note the head marked "not accurate" with a reply and the chair marked accurate,
  and a recent one shared and waiting for their response (it is on their home page);
- a category 3-4 school last visited more than a term ago (termly, so overdue on the officer's list), linked both
  ways to the soft-intelligence entry recorded from that visit;
- a category 3 school with a draft note from yesterday (only the LA sees it);
- a category 1 school visited 100 days ago (yearly: not due yet).

The demo officer is the link adviser of the head's school and of the overdue one, so both count on their home
page. The frequencies are the defaults (yearly for categories 1–2, termly for 3–4). Every note says it was invented;
the attendees are "(demo)" people. Found again by school and focus, so a rebuild writes nothing twice.
"""

from __future__ import annotations

import datetime as dt

from demo.context import DemoContext, DemoStep
from partnership.models import Membership, Role
from schools.models import School
from schools.risk.models import CategorisationRound, IntelligenceEntry, SchoolCategory
from schools.visits import services
from schools.visits.models import FREQUENCY_DAYS, Frequency, Visit

INVENTED = "Invented for the demo partnership: this visit did not happen at the real school."
AGREED = [CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED]


def _note(text: str) -> str:
    return f"{text}\n\n{INVENTED}"


def _categorised(ctx: DemoContext, category: int, exclude: set[int]) -> School | None:
    """A school of the partnership's latest agreed round in ``category`` (the same one on every build)."""
    row = (
        SchoolCategory.objects.filter(
            round__partnership=ctx.partnership,
            round__state__in=AGREED,
            category=category,
            school__status__startswith="Open",
        )
        .exclude(school_id__in=exclude)
        .select_related("school")
        .order_by("-round__agreed_on", "-round__pk", "school__urn")
        .first()
    )
    return row.school if row else None


def _visit(
    ctx: DemoContext,
    school: School,
    *,
    focus: str,
    days_ago: int,
    purpose: str,
    attendees: str,
    notes: str,
    actions: list[tuple[str, str, int]],
) -> tuple[Visit, bool]:
    found = Visit.objects.filter(partnership=ctx.partnership, school=school, focus=focus).first()
    if found is not None:
        return found, False
    visited_on = ctx.today - dt.timedelta(days=days_ago)
    visit = services.visit_create(
        school=school,
        by=ctx.accounts[Role.OFFICER],
        visited_on=visited_on,
        purpose=purpose,
        focus=focus,
        attendees=attendees,
        notes=_note(notes),
        actions=[
            services.ActionData(text, owner, visited_on + dt.timedelta(days=days)) for text, owner, days in actions
        ],
    )
    return visit, True


def _share(ctx: DemoContext, visit: Visit) -> Visit:
    if visit.state == Visit.State.DRAFT:
        visit = services.visit_transition(
            obj=visit, to=Visit.State.SHARED, by=ctx.accounts[Role.OFFICER], base_url="http://127.0.0.1:8000/"
        )
    return visit


def _respond(visit: Visit, member: Membership, *, accurate: bool, reply: str) -> None:
    if visit.responses.filter(user=member.user).exists():
        return
    services.visit_transition(
        obj=visit,
        to=Visit.State.RESPONDED,
        by=member,
        base_url="http://127.0.0.1:8000/",
        accurate=accurate,
        reply=reply,
    )


def _overdue_with_point(ctx: DemoContext, used: set[int]) -> int | None:
    """A category 3-4 school whose last visit was more than a term ago (so overdue), and the soft-intelligence entry
    the officer recorded from that visit. The entry is one the risk part already recorded (and the demo's one run
    read): promoting a new one would queue a second run for a worker, so the demo links the visit to it instead."""
    officer = ctx.accounts[Role.OFFICER]
    termly = dt.timedelta(days=FREQUENCY_DAYS[Frequency.TERMLY])
    entry = (
        IntelligenceEntry.objects.filter(
            partnership=ctx.partnership,
            archived_at__isnull=True,
            confidential=False,
            rating__in=["amber", "red"],
            recorded_on__lt=ctx.today - termly,
            school__categories__round__state__in=AGREED,
            school__categories__category__gte=3,
        )
        .exclude(school_id__in=used)
        .select_related("school")
        .order_by("-recorded_on", "pk")
        .first()
    )
    if entry is None:  # no such entry: an overdue school all the same, without a point
        school = _categorised(ctx, 4, used) or _categorised(ctx, 3, used)
        if school is None:
            return None
        used.add(school.pk)
        visit, new = _visit(
            ctx,
            school,
            focus="Support plan review",
            days_ago=160,
            purpose=Visit.Purpose.SUPPORT_REVIEW,
            attendees="Headteacher\nLA school improvement officer (demo)",
            notes="Review of the support plan with the head. The first milestone of the plan was missed.",
            actions=[],
        )
        _share(ctx, visit)
        return int(new)
    used.add(entry.school_id)
    services.link_adviser_set(school=entry.school, adviser_id=officer.user_id, by=officer)
    visit, new = _visit(
        ctx,
        entry.school,
        focus="Support plan review: leadership and governance",
        days_ago=(ctx.today - entry.recorded_on).days,
        purpose=Visit.Purpose.SUPPORT_REVIEW,
        attendees="Headteacher\nChair of governors\nLA school improvement officer (demo)",
        notes="Review of the support plan with the head and the chair. " + entry.summary + ". The first milestone "
        "of the support plan was missed; the chair will report to the full governing board.",
        actions=[("Report the support plan's progress to the full governing board", "Chair of governors", 21)],
    )
    visit = _share(ctx, visit)
    if not visit.points.exists():
        services.visit_point_link(visit=visit, entry=entry, by=officer)
    return int(new)


def build(ctx: DemoContext) -> list[str]:
    head_school = ctx.head_school
    written = 0
    used: set[int] = set()
    if head_school is not None:
        used.add(head_school.pk)
        officer = ctx.accounts[Role.OFFICER]
        services.link_adviser_set(school=head_school, adviser_id=officer.user_id, by=officer)
        older, new = _visit(
            ctx,
            head_school,
            focus="Reading and phonics in key stage 1",
            days_ago=60,
            purpose=Visit.Purpose.LINK,
            attendees="Headteacher\nChair of governors\nEnglish lead, Sam Reader (demo)\nLA link adviser (demo)",
            notes="Learning walk in Reception and Year 1 with the English lead. Phonics sessions follow the scheme "
            "consistently; Year 1 groups are large and the lowest 20% of readers read to an adult less often than "
            "planned. The school's phonics screening check results fell last summer.",
            actions=[
                ("Re-group Year 1 phonics so the lowest 20% read to an adult daily", "Headteacher", 30),
                ("Share the reading action plan with governors", "Chair of governors", 45),
                ("Broker a visit to a school with strong early reading", "LA link adviser (demo)", 60),
            ],
        )
        written += new
        older = _share(ctx, older)
        head, chair = ctx.accounts.get(Role.HEADTEACHER), ctx.accounts.get(Role.CHAIR_OF_GOVERNORS)
        if head is not None:
            _respond(
                older,
                head,
                accurate=False,
                reply="Year 1 phonics groups are 15 pupils, not 25 as the note says; the lowest 20% already read "
                "daily to a teaching assistant. Invented for the demo.",
            )
        if chair is not None:
            _respond(older, chair, accurate=True, reply="Governors will discuss the reading plan at the next meeting.")
        recent, new = _visit(
            ctx,
            head_school,
            focus="Attendance of disadvantaged pupils",
            days_ago=7,
            purpose=Visit.Purpose.CATEGORY_REVIEW,
            attendees="Headteacher\nAttendance officer, Pat Present (demo)\nLA link adviser (demo)",
            notes="Persistent absence of disadvantaged pupils is above the national figure. The first-day calling "
            "routine started in September; the school's own figures show a fall since.",
            actions=[("Send half-termly attendance figures to the LA", "Headteacher", 42)],
        )
        written += new
        _share(ctx, recent)

    point = _overdue_with_point(ctx, used)
    if point is not None:
        written += point

    draft_school = _categorised(ctx, 3, used)
    if draft_school is not None:
        used.add(draft_school.pk)
        _, new = _visit(
            ctx,
            draft_school,
            focus="Maths mastery in key stage 2",
            days_ago=1,
            purpose=Visit.Purpose.LINK,
            attendees="Headteacher\nMaths lead, Alex Number (demo)\nLA link adviser (demo)",
            notes="Lesson visits in Years 4 and 5. Draft: to check the Year 6 figures with the head before sharing.",
            actions=[("Send the Year 6 assessment figures", "Maths lead, Alex Number (demo)", 14)],
        )
        written += new

    steady_school = _categorised(ctx, 1, used)
    if steady_school is not None:
        visit, new = _visit(
            ctx,
            steady_school,
            focus="Annual conversation",
            days_ago=100,
            purpose=Visit.Purpose.LINK,
            attendees="Headteacher\nLA link adviser (demo)",
            notes="Annual conversation about the school development plan; no concerns. The school offered to host "
            "other schools' early career teachers.",
            actions=[],
        )
        written += new
        _share(ctx, visit)

    total = Visit.objects.filter(partnership=ctx.partnership).count()
    return [f"Notes of visit: {total} (written now: {written}), one overdue, one answered, one point linked"]


VISITS_STEP = DemoStep(label="Notes of visit", build=build)
