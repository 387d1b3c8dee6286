"""Categories that change between rounds in the demo (issue #14 item 11, docs/adr/0024).

After the annual round (written by the risk part of the builder, published today):

- demo time: the annual round is taken to have been opened four weeks ago, at the start of the half term, so the
  soft intelligence recorded since then counts as new (the builder's entries carry their own dates);
- a **termly review** of the schools whose published category is 3 or 4, opened two weeks ago: the officer moves
  one school a step down (recent improvement), the board agrees it and it is published: only those schools'
  categories change;
- an **in-year review** of the demo head's school after a complaint the governors upheld in part (an entry 10
  days ago): suggested on the officer's work queue, opened by the officer, confirmed, agreed and published, so
  the head and chair see "In-year review of …" above the annual round in their history;
- a **suggestion left open**: a safeguarding incident recorded 5 days ago at another school, waiting on the
  officer's work queue ("Review suggested: safeguarding incident recorded on …").

Found again by kind, so a rebuild writes nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo.context import DemoContext, DemoStep
from partnership.models import Role
from schools.risk.categorisation import services as rounds
from schools.risk.categorisation.triggers import review_suggestions
from schools.risk.models import CategorisationRound, CategoryDecision, SchoolCategory

Kind, Trigger = CategorisationRound.Kind, CategorisationRound.Trigger
ANNUAL_OPENED_DAYS_AGO = 28
TERMLY_OPENED_DAYS_AGO = 14
INVENTED = "Invented for the demo partnership: this did not happen at the real school."


def _opened(round_: CategorisationRound, days_ago: int, today: dt.date) -> None:
    """Demo time only: the round was opened ``days_ago`` (its decisions keep the day they were written)."""
    when = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9)))
    CategorisationRound.objects.filter(pk=round_.pk).update(created_at=when)


def _termly(ctx: DemoContext) -> CategorisationRound | None:
    officer, admin = ctx.user(Role.OFFICER), ctx.user(Role.ADMIN)
    annual = CategorisationRound.objects.filter(partnership=ctx.partnership, kind=Kind.ANNUAL).first()
    if annual is None:
        return None
    term = "Autumn" if ctx.today.month >= 9 else "Spring" if ctx.today.month <= 3 else "Summer"
    termly = rounds.termly_review_create(
        partnership=ctx.partnership,
        run=annual.run,
        name=f"{term} {ctx.today.year} termly review of categories 3 and 4",
        user=officer,
    )
    _opened(termly, TERMLY_OPENED_DAYS_AGO, ctx.today)
    termly.refresh_from_db()
    first = (
        SchoolCategory.objects.filter(round=termly, category__gte=3)
        .select_related("round__run__ruleset_version")
        .order_by("school__name", "school__urn")
        .first()
    )
    if first is not None:
        rounds.school_category_adjust(
            school_category=first,
            category=first.category - 1,
            reason=CategoryDecision.Reason.SUPPORT_IN_PLACE,
            rationale="The support agreed at the annual round is in place and the school's own termly assessments "
            f"show reading recovering: one step down at the termly review. {INVENTED}",
            user=officer,
        )
    rounds.categorisation_round_agree(
        round_=termly, agreed_on=ctx.today, minute=f"Partnership board {ctx.today:%B %Y}, item 5", user=admin
    )
    return rounds.categorisation_round_publish(round_=termly, user=admin, base_url="http://127.0.0.1:8000/")


def _in_year(ctx: DemoContext) -> CategorisationRound | None:
    school = ctx.head_school
    if school is None:
        return None
    officer, admin = ctx.user(Role.OFFICER), ctx.user(Role.ADMIN)
    suggestion = next(iter(review_suggestions(partnership_id=ctx.partnership.pk, school_id=school.pk)), None)
    event = suggestion.latest if suggestion else None
    review = rounds.in_year_review_open(
        partnership=ctx.partnership,
        school=school,
        trigger=event.trigger if event else Trigger.COMPLAINT,
        trigger_on=event.on if event else None,
        note=f"The governors upheld in part a parent's complaint about SEND provision. {INVENTED}",
        user=officer,
    )
    row = SchoolCategory.objects.select_related("round__run__ruleset_version").get(round=review)
    if row.category == 0:  # insufficient evidence: the officer categorises it
        row = rounds.school_category_adjust(
            school_category=row,
            category=2,
            reason=CategoryDecision.Reason.LOCAL_INTELLIGENCE,
            rationale=f"Reviewed after the upheld complaint: monitor until the SEND review reports. {INVENTED}",
            user=officer,
        )
    rounds.categorisation_round_agree(
        round_=review,
        agreed_on=ctx.today,
        minute=f"Moderation panel for the board, {ctx.today:%B %Y}, in-year review",
        user=admin,
    )
    return rounds.categorisation_round_publish(round_=review, user=admin, base_url="http://127.0.0.1:8000/")


def build(ctx: DemoContext) -> list[str]:
    """The termly review, an in-year review of the head's school and a suggestion left for the officer."""
    if CategorisationRound.objects.filter(partnership=ctx.partnership, kind__in=[Kind.TERMLY, Kind.IN_YEAR]).exists():
        return [_summary(ctx)]
    annual = CategorisationRound.objects.filter(partnership=ctx.partnership, kind=Kind.ANNUAL).first()
    if annual is None or annual.state != CategorisationRound.State.PUBLISHED:
        return ["In-year and termly reviews: no published annual round to follow"]
    ctx.step("Termly review of categories 3 and 4, and an in-year review of the head's school")
    _opened(annual, ANNUAL_OPENED_DAYS_AGO, ctx.today)
    _termly(ctx)
    _in_year(ctx)
    return [_summary(ctx)]


def _summary(ctx: DemoContext) -> str:
    found = CategorisationRound.objects.filter(partnership=ctx.partnership)
    termly = found.filter(kind=Kind.TERMLY).count()
    in_year = found.filter(kind=Kind.IN_YEAR).count()
    waiting = len(review_suggestions(partnership_id=ctx.partnership.pk))
    return (
        f"Reviews:   {termly} termly review of categories 3-4, {in_year} in-year review published;"
        f" {waiting} in-year review(s) suggested on the officer's work queue"
    )


REVIEWS_STEP = DemoStep(label="In-year and termly reviews", build=build)
