"""What an officer and a head see on day one (issue #14 item 9), in the demo.

The demo head replies to their school's category in the annual round (an invented reply) and the moderation
panel (the demo admin) answers it, so the head and chair are emailed the answer and, once the in-year review of
their school is published after it (``demo/reviews.py``), still see that earlier round's reply and the panel's
answer on *Your school's category*. The rest of item 9 (the school page's category, results by year, trend chart,
inspections, active support and peer reviews; the schools list's category column and filter) reads what the
other steps built and needs no data of its own. Found again by the reply's text, so a rebuild writes nothing twice.
"""

from __future__ import annotations

from demo.context import DemoContext, DemoStep
from partnership.models import Role
from schools.risk.categorisation import services as rounds
from schools.risk.models import CategorisationRound, CategoryReply, SchoolCategory

INVENTED = "Invented for the demo partnership."
REPLY = (
    "Our own tracking shows reading at the expected standard rising this year after the new phonics scheme; "
    f"we ask the panel to take it into account. {INVENTED}"
)
ANSWER = (
    "The panel read the school's tracking. Published results are what the category rests on, so it stands; the "
    f"link adviser will look at the reading evidence at the next visit. {INVENTED}"
)


def build(ctx: DemoContext) -> list[str]:
    """The head's reply to the annual round's category, answered by the panel."""
    school = ctx.head_school
    annual = CategorisationRound.objects.filter(partnership=ctx.partnership, kind="annual").first()
    if school is None or annual is None or annual.state != CategorisationRound.State.PUBLISHED:
        return ["Day one: no published annual round to reply to"]
    sc = SchoolCategory.objects.select_related("round").get(round=annual, school=school)
    reply = CategoryReply.objects.filter(school_category=sc, text=REPLY).first()
    if reply is None:
        ctx.step("The head replies to the annual round's category; the panel answers")
        reply = rounds.category_reply_create(
            school_category=sc, membership=ctx.accounts[Role.HEADTEACHER], text=REPLY, today=ctx.today
        )
    if reply.answered_at is None:
        rounds.category_reply_answer(
            reply=reply,
            outcome=CategoryReply.Outcome.CONFIRMED,
            category=None,
            answer=ANSWER,
            meeting_on=ctx.today,
            user=ctx.user(Role.ADMIN),
            base_url="http://127.0.0.1:8000/",
        )
    return [f"Day one:  the head's reply to {annual.name} answered by the panel (category confirmed)"]


DAY_ONE_STEP = DemoStep(label="Day one: a reply and the panel's answer", build=build)
