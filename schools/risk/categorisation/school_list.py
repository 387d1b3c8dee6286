"""The schools list's "Category" column and filter (#14.9): each school's current agreed category, added to the
register's list through ``schools.selectors.school_list_column_register`` (connected in ``RiskConfig.ready()``),
so the register never imports risk. Officers only (``VIEW_RISK``): a school's category is not for every role."""

from __future__ import annotations

from django.db.models import QuerySet

from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.models import School
from schools.risk.categorisation.selectors import current_category_subquery
from schools.risk.engine.compute import INSUFFICIENT
from schools.risk.presenters import category_labels, category_tag_html, category_text
from schools.risk.selectors import ruleset_version_current
from schools.selectors import ListColumn

KEY = "category"
NONE = "none"
_NONE_AGREED = '<span class="govuk-body-s">None agreed</span>'  # as risk/includes/school_list_category.html


def _visible(membership: Membership) -> bool:
    return membership_can(membership, Permission.VIEW_RISK)


def _annotate(schools: QuerySet[School], membership: Membership) -> QuerySet[School]:
    """Each school's current agreed category (agreed or published; whichever round set it), or None."""
    return schools.annotate(
        **{KEY: current_category_subquery(partnership_id=membership.partnership_id, school_ref="pk")}
    )


def _choices(membership: Membership) -> list[tuple[str, str]]:
    labels = category_labels(ruleset_version_current(membership=membership))
    numbers = sorted(n for n in labels if n != INSUFFICIENT) or [1, 2, 3, 4]
    return [*((str(n), category_text(n, labels.get(n))) for n in numbers), (NONE, "No agreed category")]


def _apply(schools: QuerySet[School], value: str, membership: Membership) -> QuerySet[School]:
    annotated = _annotate(schools, membership)
    if value == NONE:
        return annotated.filter(**{f"{KEY}__isnull": True})
    return annotated.filter(**{KEY: int(value)}) if value.isdigit() else annotated


CATEGORY_COLUMN = ListColumn(
    key=KEY,
    label="Category",
    filter_label="Agreed risk category",
    visible=_visible,
    annotate=_annotate,
    choices=_choices,
    apply=_apply,
    cell_template="risk/includes/school_list_category.html",
    cell_context=lambda membership: {"labels": category_labels(ruleset_version_current(membership=membership))},
    cell_html=lambda value, cell: (
        category_tag_html(value, cell["labels"].get(value)) if value is not None else _NONE_AGREED  # type: ignore[arg-type]
    ),
)
