"""Computed indicators for a cluster as at a date: what the cluster saw, frozen on the check at consensus.

Every indicator is a JSON-ready dict; one with no data has ``{"none": "<why>"}`` instead of figures. Sources:
the imported DfE performance data (``schools.PerformanceValue`` and England averages in ``AreaAverage``), the
agreed risk categorisation rounds, peer review and the brokerage ledger (through their selectors), and the
cluster's meeting attendance record. A fixed number of queries whatever the cluster's size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q

from clusters.health.models import ClusterMeeting
from clusters.models import Cluster, ClusterMembership
from schools.models import AreaAverage, PerformanceValue

# (indicator key, label, measure code, weight code, better when higher)
OUTCOMES = [
    ("ks2_rwm", "KS2 reading, writing and maths: % at the expected standard", "ks2_rwm_exp", "ks2_cohort", True),
    ("ks4_att8", "KS4 Attainment 8 (average score)", "ks4_att8", "ks4_cohort", True),
    ("ks4_p8", "KS4 Progress 8", "ks4_p8", "ks4_cohort", True),
    ("abs_persistent", "Persistent absence: % of pupils", "abs_persistent", "census_roll", False),
]
ENGAGEMENT_MONTHS = 12


def academic_year_end(day: dt.date) -> int:
    """The academic year containing ``day`` by its ending calendar year (1 Sept – 31 Aug)."""
    return day.year + 1 if day.month >= 9 else day.year


def cluster_indicators(*, cluster: Cluster, as_at: dt.date) -> dict[str, Any]:
    """Every indicator for the cluster's members on ``as_at`` (members: current on that date)."""
    members = list(
        ClusterMembership.objects.filter(cluster=cluster, joined_on__lte=as_at)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_at))
        .select_related("school")
        .order_by("school__name")
        .values_list("school_id", "school__urn", "school__name", "school__number_of_pupils")
    )
    school_ids = [m[0] for m in members]
    meetings = engagement(cluster=cluster, school_ids=school_ids, as_at=as_at)
    support = support_days(school_ids=school_ids, as_at=as_at)
    return {
        "as_at": as_at.isoformat(),
        "members": [{"urn": m[1], "name": m[2]} for m in members],
        "outcomes": outcomes(cluster=cluster, members=members, as_at=as_at),
        "risk": risk_categories(school_ids=school_ids, partnership_id=cluster.partnership_id, as_at=as_at),
        "peer_review": peer_review(school_ids=school_ids, as_at=as_at),
        "support": support,
        "engagement": meetings,
        "isolated": isolated(members=members, engagement=meetings, support=support),
    }


def outcomes(*, cluster: Cluster, members: list[tuple], as_at: dt.date) -> dict[str, Any]:
    """Pupil-weighted cluster figures against England for each measure, in the latest year with data."""
    if not members:
        return {key: {"label": label, "none": "The cluster had no members."} for key, label, *_ in OUTCOMES}
    latest_year = academic_year_end(as_at) - 1  # results of the year in progress are not published yet
    urns = [m[1] for m in members]
    codes = {c for _, _, c, w, _ in OUTCOMES} | {w for _, _, _, w, _ in OUTCOMES}
    values: dict[tuple[int, str, int], float] = {}
    for urn, code, year, value in PerformanceValue.objects.filter(
        partnership_id=cluster.partnership_id, urn__in=urns, code__in=codes, year__lte=latest_year, value__isnull=False
    ).values_list("urn", "code", "year", "value"):
        if value is not None:  # filtered out above; for the type checker
            values[(urn, code, year)] = value
    national = {
        (code, year): value
        for code, year, value in AreaAverage.objects.filter(
            partnership_id=cluster.partnership_id, area="england", code__in=codes, year__lte=latest_year
        ).values_list("code", "year", "value")
    }
    pupils = {m[1]: m[3] for m in members}
    result: dict[str, dict[str, Any]] = {}
    for key, label, code, weight_code, higher_better in OUTCOMES:
        years = sorted({y for (u, c, y) in values if c == code}, reverse=True)
        if not years:
            result[key] = {"label": label, "none": "No member has a published figure in the imported data."}
            continue
        year = years[0]
        num = den = 0.0
        schools = 0
        for urn in urns:
            value = values.get((urn, code, year))
            if value is None:
                continue
            weight = values.get((urn, weight_code, year)) or pupils.get(urn) or 0
            if weight <= 0:
                continue
            num += value * weight
            den += weight
            schools += 1
        if den == 0:
            result[key] = {
                "label": label,
                "none": f"No pupil numbers to weight the {year - 1}/{year % 100:02d} figures.",
            }
            continue
        cluster_value = round(num / den, 2)
        england = national.get((code, year))
        result[key] = {
            "label": label,
            "year": f"{year - 1}/{year % 100:02d}",
            "cluster": cluster_value,
            "england": round(england, 2) if england is not None else None,
            "schools": schools,
            "pupils": int(den),
            "higher_is_better": higher_better,
            "note": "" if england is not None else "England's figure for that year is not imported.",
        }
    return result


def risk_categories(*, school_ids: list[int], partnership_id: int, as_at: dt.date) -> dict[str, Any]:
    """Members' current agreed categories as at ``as_at`` and movement since each one's category before.

    #14.11: read per school (its latest round agreed by then, whether the annual round, a termly review of
    categories 3–4 or an in-year review of that school), so members' categories may come from different rounds.
    """
    from schools.risk.models import CategorisationRound, SchoolCategory

    agreed = [CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED]
    rounds = list(
        CategorisationRound.objects.filter(
            partnership_id=partnership_id, state__in=agreed, agreed_on__lte=as_at, kind=CategorisationRound.Kind.ANNUAL
        ).order_by("-agreed_on", "-pk")[:2]
    )
    rows = (
        SchoolCategory.objects.filter(
            round__partnership_id=partnership_id,
            round__state__in=agreed,
            round__agreed_on__lte=as_at,
            school_id__in=school_ids,
        )
        .order_by("school_id", "-round__agreed_on", "-round__created_at", "-round__pk")
        .values_list("school_id", "school__name", "category")
    )
    now: dict[int, tuple[str, int]] = {}
    before: dict[int, int] = {}
    for school_id, name, category in rows:
        if school_id not in now:
            now[school_id] = (name, category)
        elif school_id not in before:
            before[school_id] = category
    if not rounds and not now:
        return {"none": "No categorisation round had been agreed by then."}
    if not school_ids:
        return {"none": "The cluster had no members."}
    counts: dict[str, int] = {}
    for _, category in now.values():
        counts[str(category)] = counts.get(str(category), 0) + 1
    up = sum(1 for s, (_, c) in now.items() if s in before and c < before[s])  # a lower number is less concern
    down = sum(1 for s, (_, c) in now.items() if s in before and c > before[s])
    compared = sum(1 for s in now if s in before)
    return {
        "round": rounds[0].name if rounds else "",
        "previous_round": rounds[1].name if len(rounds) > 1 else "",
        "counts": dict(sorted(counts.items())),
        "categorised": len(now),
        "improved": up,
        "declined": down,
        "same": compared - up - down,
        "schools": [
            {"name": name, "category": c, "previous": before.get(s)}
            for s, (name, c) in sorted(now.items(), key=lambda i: i[1][0])
        ],
    }


def peer_review(*, school_ids: list[int], as_at: dt.date) -> dict[str, Any]:
    """Share of members peer-reviewed this academic year, and their review actions due so far completed on time.

    Read from peer review's models with its own year and minimum-cell rules (``peerreview.selectors``): reviews
    counted as in its roll-up (not planned, postponed or cancelled); action counts under the minimum cell are
    suppressed, as the roll-up does. No school is named.
    """
    if not school_ids:
        return {"none": "The cluster had no members."}
    try:
        from peerreview.models import Action, Review
        from peerreview.selectors import academic_year_bounds, academic_year_of, min_cell
    except ImportError:  # pragma: no cover - peer review not installed
        return {"none": "Peer review is not installed."}
    year = academic_year_of(as_at)
    start, end = academic_year_bounds(year)
    reviewed = (
        Review.objects.filter(host_id__in=school_ids, visit_starts_on__range=(start, min(end, as_at)))
        .exclude(state__in=[Review.State.CANCELLED, Review.State.PLANNED, Review.State.POSTPONED])
        .values("host_id")
        .distinct()
        .count()
    )
    due = Action.objects.filter(review__host_id__in=school_ids, due_on__range=(start, min(end, as_at))).exclude(
        status=Action.Status.DROPPED
    )
    due_n = due.count()
    on_time = due.filter(status=Action.Status.COMPLETED, completed_on__lte=F("due_on")).count()
    label = f"{year - 1}/{year % 100:02d}"
    if due_n == 0:
        actions_value, actions_note = "None due", "No peer-review actions of members were due yet this year."
    elif due_n < min_cell():
        actions_value, actions_note = (
            "Suppressed",
            f"Fewer than {min_cell()} actions due: not shown, as in the roll-up.",
        )
    else:
        actions_value = f"{round(100 * on_time / due_n)}%"
        actions_note = f"{on_time} of {due_n} actions due by the check were completed by their date."
    return {
        "year": label,
        "rows": [
            {
                "label": "Members peer-reviewed this academic year",
                "value": f"{reviewed} of {len(school_ids)}",
                "comparison": "",
                "note": f"Reviews with a visit in {label} up to the check (peer review).",
            },
            {
                "label": "Peer-review actions completed on time",
                "value": actions_value,
                "comparison": "",
                "note": actions_note,
            },
        ],
    }


def support_days(*, school_ids: list[int], as_at: dt.date) -> dict[str, Any]:
    """Support days given and received by members this academic year, from the brokerage ledger."""
    if not school_ids:
        return {"none": "The cluster had no members."}
    try:
        from brokerage.selectors import current_year, ledger_by_school
    except ImportError:  # pragma: no cover - brokerage not installed
        return {"none": "Brokerage is not installed."}
    from schools.models import School

    partnership_ids = set(School.objects.filter(pk__in=school_ids).values_list("partnership_id", flat=True))
    year = current_year(as_at)
    rows = [
        r for pid in partnership_ids for r in ledger_by_school(partnership_id=pid, year=year) if r.key in school_ids
    ]
    given = sum((r.given for r in rows), start=0)
    received = sum((r.received for r in rows), start=0)
    active = {r.key for r in rows if r.given or r.received}
    label = f"{year - 1}/{year % 100:02d}"
    return {
        "year": label,
        "schools_without_support": sorted(set(school_ids) - active),
        "rows": [
            {
                "label": "Support days given by members",
                "value": f"{float(given):g}",
                "comparison": f"Received: {float(received):g} day{'' if received == 1 else 's'}",
                "note": f"The brokerage ledger for {label} (days between members count on both sides).",
            },
            {
                "label": "Members giving or receiving support",
                "value": f"{len(active)} of {len(school_ids)}",
                "comparison": "",
                "note": "Members with any ledger entry this academic year.",
            },
        ],
    }


def engagement(*, cluster: Cluster, school_ids: list[int], as_at: dt.date) -> dict[str, Any]:
    """Meetings in the 12 months to ``as_at`` and the share of member places filled; who attended none."""
    since = as_at - dt.timedelta(days=365)
    meetings = list(
        ClusterMeeting.objects.filter(cluster=cluster, held_on__gt=since, held_on__lte=as_at).prefetch_related(
            "attended"
        )
    )
    if not meetings:
        return {"none": "No cluster meetings were recorded in the 12 months before the check."}
    members = set(school_ids)
    attended_any: set[int] = set()
    places = filled = 0
    for meeting in meetings:
        present = {s.pk for s in meeting.attended.all()} & members
        attended_any |= present
        places += len(members)
        filled += len(present)
    return {
        "meetings": len(meetings),
        "attendance_pct": round(100 * filled / places, 1) if places else None,
        "attended_none": sorted(members - attended_any),
    }


def isolated(*, members: list[tuple], engagement: dict[str, Any], support: dict[str, Any]) -> dict[str, Any]:
    """Members at no cluster meeting in the year (and, when the ledger reports it, giving and getting no support)."""
    if "none" in engagement:
        return {"none": "Needs the meeting attendance record: " + engagement["none"]}
    names = {m[0]: m[2] for m in members}
    ids = set(engagement["attended_none"])
    if "none" not in support and "schools_without_support" in support:
        ids &= set(support["schools_without_support"])
    return {"count": len(ids), "schools": sorted(names[i] for i in ids if i in names)}
