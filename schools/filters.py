"""The schools list's filters, search and sort (django-filter), scoped to one partnership."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from partnership.forms import GovFilterForm, SharedChoiceFilter
from partnership.models import Membership, Partnership
from schools.choices import register_choices
from schools.models import School
from schools.selectors import ListColumn, school_list_columns

OFSTED_NONE = "__none__"


FilterForm = GovFilterForm  # the name used before #8; new filters use partnership.forms.GovFilterForm


class SchoolFilter(django_filters.FilterSet):
    """Filters on the register; choice lists come from the partnership's own data (kept per version: schools.choices).
    Clusters and alliances are chosen by id among the partnership's current ones."""

    q = django_filters.CharFilter(method="filter_search", label="Name, URN, town or postcode")
    phase = SharedChoiceFilter(label="Phase", empty_label="Any phase")
    type_name = SharedChoiceFilter(label="Type", empty_label="Any type")
    status = SharedChoiceFilter(label="Status", empty_label="Any status")
    district = SharedChoiceFilter(label="District", empty_label="Any district")
    trust_name = SharedChoiceFilter(label="Trust", empty_label="Any trust")
    ofsted_rating = SharedChoiceFilter(label="Ofsted rating", empty_label="Any rating", method="filter_ofsted")
    cluster = SharedChoiceFilter(label="Cluster", empty_label="Any cluster", method="filter_cluster")
    alliance = SharedChoiceFilter(label="Alliance", empty_label="Any alliance", method="filter_alliance")
    isolated = django_filters.BooleanFilter(
        label="Only schools in no cluster (open, state-funded)",
        method="filter_isolated",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(
            ("name", "name"),
            ("urn", "urn"),
            ("phase", "phase"),
            ("district", "district"),
            ("status", "status"),
            ("number_of_pupils", "pupils"),
        ),
        field_labels={"name": "Name", "urn": "URN", "pupils": "Pupils"},
    )

    class Meta:
        model = School
        fields: list[str] = []
        form = GovFilterForm

    def __init__(self, *args, partnership: Partnership, membership: Membership | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if membership is not None:
            self._add_columns(membership)
        choices = register_choices(partnership)
        for name in ("phase", "type_name", "status", "district", "trust_name"):
            self.filters[name].extra["choices"] = list(getattr(choices, name))
        self.filters["ofsted_rating"].extra["choices"] = [*choices.ofsted_rating, (OFSTED_NONE, "Not inspected")]
        self.filters["cluster"].extra["choices"] = list(choices.clusters)
        self.filters["alliance"].extra["choices"] = list(choices.alliances)

    def _add_columns(self, membership: Membership) -> None:
        """A filter for each column another app added to the list (``selectors.school_list_columns``), before
        the sort."""
        sort = self.filters.pop("sort")
        for column in school_list_columns(membership=membership):

            def apply(queryset: QuerySet[School], name: str, value: str, column: ListColumn = column) -> QuerySet:
                return column.apply(queryset, value, membership)

            self.filters[column.key] = SharedChoiceFilter(
                label=column.filter_label,
                empty_label=f"Any {column.label.lower()}",
                choices=column.choices(membership),
                method=apply,
            )
        self.filters["sort"] = sort

    def filter_search(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        return queryset.search(value)  # type: ignore[attr-defined]

    def filter_ofsted(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        return queryset.filter(ofsted_rating="" if value == OFSTED_NONE else value)

    def filter_cluster(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        return queryset.filter(cluster_memberships__cluster_id=value, cluster_memberships__left_on__isnull=True)

    def filter_alliance(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        return queryset.filter(
            cluster_memberships__left_on__isnull=True,
            cluster_memberships__cluster__alliance_memberships__alliance_id=value,
            cluster_memberships__cluster__alliance_memberships__left_on__isnull=True,
        ).distinct()

    def filter_isolated(self, queryset: QuerySet[School], name: str, value: bool) -> QuerySet[School]:
        return queryset.isolated() if value else queryset  # type: ignore[attr-defined]
