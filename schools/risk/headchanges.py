"""Changes of headteacher from the GIAS change history, judged as people, not strings (#14.5).

GIAS writes a ``SchoolChange`` row per field (title, first and last name) at each import that saw an edit, dated by
GIAS's change date: the date the register recorded it, not the day the head started. One change of head usually
writes two or three rows on one date, so a change is the set of rows of one school and date. The names before and
after are rebuilt from the school's current name, walking back through its changes. Each change is then judged with
``schools.risk.engine.people.same_person`` unless an officer has given their word (``HeadChangeJudgement``), which
wins. Read by the risk loader (C1), the school's risk page and any other app that needs "did the head change?".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from partnership.models import Partnership
from schools.importers.columns import FIELD_HEAD_FIRST_NAME, FIELD_HEAD_LAST_NAME, FIELD_HEAD_TITLE, HEAD_FIELDS
from schools.models import School, SchoolChange
from schools.risk.engine.people import DEFAULT_SIMILARITY, HeadName, same_person
from schools.risk.models import HeadChangeJudgement

PART = {FIELD_HEAD_TITLE: "title", FIELD_HEAD_FIRST_NAME: "first", FIELD_HEAD_LAST_NAME: "last"}


@dataclass(frozen=True)
class HeadChange:
    """One change of the head's name in GIAS: the names before and after, the rule's answer and the officer's."""

    school_id: int
    changed_on: dt.date
    old: HeadName
    new: HeadName
    matched_same_person: bool  # the name rule's answer
    judgement: bool | None  # the officer's word: True "same person", False "a new head", None not given

    @property
    def same_person(self) -> bool:
        return self.matched_same_person if self.judgement is None else self.judgement

    @property
    def new_head(self) -> bool:
        """A change of head (what C1 counts): not the same person."""
        return not self.same_person


def head_changes_list(
    *,
    partnership: Partnership,
    school_ids: Iterable[int] | None = None,
    until: dt.date | None = None,
    similarity: float = DEFAULT_SIMILARITY,
) -> list[HeadChange]:
    """Every change of the head's name of the partnership's schools (or ``school_ids``), newest first per school,
    recorded on or before ``until`` (all when empty). Three queries whatever the number of schools."""
    schools = School.objects.filter(partnership=partnership)
    changes = SchoolChange.objects.filter(school__partnership=partnership, field__in=HEAD_FIELDS)
    judgements = HeadChangeJudgement.objects.filter(partnership=partnership)
    if school_ids is not None:
        ids = list(school_ids)
        schools, changes, judgements = (
            schools.filter(pk__in=ids),
            changes.filter(school_id__in=ids),
            judgements.filter(school_id__in=ids),
        )
    rows = list(
        changes.order_by("school_id", "-changed_on", "-recorded_at", "-pk").values_list(
            "school_id", "field", "old_value", "new_value", "changed_on"
        )
    )
    current = {  # always queried, so the number of queries never depends on the data
        pk: HeadName(title=t or "", first=f or "", last=last or "")
        for pk, t, f, last in schools.filter(pk__in=list({r[0] for r in rows}) or [0]).values_list(
            "pk", "head_title", "head_first_name", "head_last_name"
        )
    }
    words = {(s, d): same for s, d, same in judgements.values_list("school_id", "changed_on", "same_person")}
    out: list[HeadChange] = []
    state = HeadName()
    for (school_id, changed_on), group in groupby(rows, key=lambda r: (r[0], r[4])):
        if not out or out[-1].school_id != school_id:  # a new school: walk back from its name today
            state = current.get(school_id, HeadName())
        new: dict[str, str] = {}
        old: dict[str, str] = {}
        for _school, field, old_value, new_value, _on in group:  # newest import first
            new.setdefault(PART[field], new_value or "")
            old[PART[field]] = old_value or ""  # the oldest import's value is kept
        after = replace(state, **new)  # fields not changed that day: as they were, walking back from today
        state = replace(after, **old)
        out.append(_judge((school_id, changed_on), state, after, words, similarity))
    if until is not None:
        out = [c for c in out if c.changed_on <= until]
    return out


def _judge(
    key: tuple[int, dt.date],
    old: HeadName,
    new: HeadName,
    words: dict[tuple[int, dt.date], bool],
    similarity: float,
) -> HeadChange:
    return HeadChange(
        school_id=key[0],
        changed_on=key[1],
        old=old,
        new=new,
        matched_same_person=same_person(old, new, similarity=similarity),
        judgement=words.get(key),
    )
