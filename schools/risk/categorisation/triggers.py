"""Events that suggest an in-year review of one school (#14.11, docs/adr/0024): a new inspection, the head
leaving (a GIAS change of the head's name judged a new person, #14.5), a safeguarding incident or a complaint
rated amber or red in the soft intelligence, since the school's last round was opened.

Reads only: a suggestion is shown to officers on their work queue, the suggestions page and the school's risk
page; an officer confirms it with one click, which opens the review (nothing opens by itself). A school already
in an open round has no suggestion (it is being reviewed), nor has a school never categorised (the next annual
round covers it); an event an officer dismissed (no review needed, with the reason) has none. Seven queries
whatever the number of schools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from partnership.models import Membership, Partnership
from partnership.permissions import Permission, membership_can
from schools.models import Inspection, School
from schools.risk.headchanges import head_changes_list
from schools.risk.models import CategorisationRound, IntelligenceEntry, ReviewSuggestionDismissal, SchoolCategory

Trigger = CategorisationRound.Trigger
CONCERN_RATINGS = (IntelligenceEntry.Rating.AMBER, IntelligenceEntry.Rating.RED)
INTELLIGENCE_TRIGGERS: dict[str, str] = {
    IntelligenceEntry.Kind.SAFEGUARDING: Trigger.SAFEGUARDING,
    IntelligenceEntry.Kind.COMPLAINTS: Trigger.COMPLAINT,
}


@dataclass(frozen=True)
class ReviewEvent:
    """One event since the school's last round: what, when, and the sentence an officer reads."""

    trigger: str
    on: dt.date
    text: str  # "new inspection on 3 November 2026"


@dataclass(frozen=True)
class ReviewSuggestion:
    """A school an officer may want to review in-year: its events, latest first, and its current category."""

    school_id: int
    urn: int
    name: str
    since: dt.date  # the day its last round was opened
    last_round: str
    current_category: int | None
    events: list[ReviewEvent]

    @property
    def latest(self) -> ReviewEvent:
        return self.events[0]

    @property
    def text(self) -> str:
        """The sentence officers read: "Review suggested: new inspection on 3 November 2026" (and other events)."""
        more = len(self.events) - 1
        tail = f" (and {more} other event{'s' if more > 1 else ''})" if more else ""
        return f"Review suggested: {self.latest.text}{tail}"


def _day(value: dt.date) -> str:
    return f"{value:%-d %B %Y}"


Events = dict[int, list[ReviewEvent]]


def _inspection_events(partnership_id: int, since: dict[int, dt.date], earliest: dt.date, events: Events) -> None:
    schools = list(since)
    inspections = (
        Inspection.objects.filter(partnership_id=partnership_id, school_id__in=schools)
        .exclude(relates_to_current_urn=False)  # a predecessor's inspection is context only (#14.4)
        .annotate(day=Coalesce("publication_date", "start_date"))
        .filter(day__gt=earliest)
        .order_by("school_id", "-day", "-pk")
        .distinct("school_id")
        .values_list("school_id", "day", "start_date")
    )
    for pk, day, start in inspections:
        if day > since[pk]:
            events[pk].append(ReviewEvent(Trigger.INSPECTION, day, f"new inspection on {_day(start)}"))


def _head_events(partnership_id: int, since: dict[int, dt.date], earliest: dt.date, events: Events) -> None:
    """A new head: a GIAS change of the head's name judged a different person (#14.5: the name rule, or an
    officer's "same person" / "a new head", which wins)."""
    changes = head_changes_list(partnership=Partnership(pk=partnership_id), school_ids=list(since))
    latest: dict[int, dt.date] = {}
    for change in changes:
        if change.new_head and change.changed_on > since[change.school_id]:
            latest[change.school_id] = max(latest.get(change.school_id, change.changed_on), change.changed_on)
    for pk, day in latest.items():
        events[pk].append(ReviewEvent(Trigger.HEAD_CHANGE, day, f"new headteacher in GIAS (recorded on {_day(day)})"))


def _intelligence_events(partnership_id: int, since: dict[int, dt.date], earliest: dt.date, events: Events) -> None:
    schools = list(since)
    entries = (
        IntelligenceEntry.objects.filter(
            partnership_id=partnership_id,
            school_id__in=schools,
            kind__in=list(INTELLIGENCE_TRIGGERS),
            rating__in=CONCERN_RATINGS,
            archived_at__isnull=True,
            recorded_on__gt=earliest,
        )
        .order_by("school_id", "kind", "-recorded_on", "-pk")
        .distinct("school_id", "kind")
        .values_list("school_id", "kind", "recorded_on")
    )
    for pk, kind, day in entries:
        if day > since[pk]:
            trigger = INTELLIGENCE_TRIGGERS[kind]
            what = "safeguarding incident" if trigger == Trigger.SAFEGUARDING else "complaint rated amber or red"
            events[pk].append(ReviewEvent(trigger, day, f"{what} recorded on {_day(day)}"))


def review_suggestions(*, partnership_id: int, school_id: int | None = None) -> list[ReviewSuggestion]:
    """The partnership's schools (or one) with an event since their last round was opened, latest event first."""
    rounds = SchoolCategory.objects.filter(round__partnership_id=partnership_id)
    if school_id is not None:
        rounds = rounds.filter(school_id=school_id)
    last = {
        row["school_id"]: row
        for row in rounds.order_by("school_id", "-round__created_at", "-round__pk")
        .distinct("school_id")
        .values(
            "school_id",
            "school__urn",
            "school__name",
            "round__state",
            "round__created_at",
            "round__name",
            "category",
        )
    }
    since: dict[int, dt.date] = {}
    for pk, row in list(last.items()):
        if row["round__state"] != CategorisationRound.State.PUBLISHED:
            del last[pk]  # in an open round now: being reviewed
        else:
            since[pk] = timezone.localdate(row["round__created_at"])
    if not since:
        return []
    earliest = min(since.values())
    events: Events = {pk: [] for pk in since}

    _inspection_events(partnership_id, since, earliest, events)
    _head_events(partnership_id, since, earliest, events)
    _intelligence_events(partnership_id, since, earliest, events)
    dismissed = set(
        ReviewSuggestionDismissal.objects.filter(partnership_id=partnership_id, school_id__in=list(since)).values_list(
            "school_id", "trigger", "event_on"
        )
    )
    result = []
    for pk, all_found in events.items():
        found = [e for e in all_found if (pk, e.trigger, e.on) not in dismissed]
        if not found:
            continue
        row = last[pk]
        result.append(
            ReviewSuggestion(
                school_id=pk,
                urn=row["school__urn"],
                name=row["school__name"],
                since=since[pk],
                last_round=row["round__name"],
                current_category=row["category"],
                events=sorted(found, key=lambda e: (e.on, e.trigger), reverse=True),
            )
        )
    return sorted(result, key=lambda s: (-s.latest.on.toordinal(), s.name, s.urn))


def review_suggestion_list(*, membership: Membership) -> list[ReviewSuggestion]:
    """``review_suggestions`` for officers (VIEW_RISK); anyone else: 404."""
    if not membership_can(membership, Permission.VIEW_RISK):
        raise Http404("No such page")
    return review_suggestions(partnership_id=membership.partnership_id)


def review_suggestion_for(*, membership: Membership, school: School) -> ReviewSuggestion | None:
    """One school's suggestion (officers), or None."""
    if not membership_can(membership, Permission.VIEW_RISK) or school.partnership_id != membership.partnership_id:
        return None
    found = review_suggestions(partnership_id=membership.partnership_id, school_id=school.pk)
    return found[0] if found else None


def review_work_items(*, membership: Membership) -> list:
    """The officers' work queue line (home page): schools with an in-year review suggested (CATEGORISE)."""
    from django.urls import reverse

    from partnership.selectors import WorkItem

    if not membership_can(membership, Permission.CATEGORISE):
        return []
    found = review_suggestions(partnership_id=membership.partnership_id)
    return [
        WorkItem(
            count=len(found), text="Schools with an in-year review suggested", href=reverse("risk:review_suggestions")
        )
    ]
