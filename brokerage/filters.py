"""The provider directory's filters (django-filter), scoped to one partnership."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from brokerage.models import PHASES, Provider, Specialism
from schools.filters import FilterForm


class ProviderFilter(django_filters.FilterSet):
    """Search and filter the directory: kind, designation, specialism, phase, days left."""

    q = django_filters.CharFilter(method="filter_search", label="Name or home school")
    kind = django_filters.ChoiceFilter(label="Kind", choices=Provider.Kind.choices, empty_label="Any kind")
    designation = django_filters.ChoiceFilter(
        label="Designation", choices=Provider.Designation.choices, empty_label="Any designation"
    )
    specialism = django_filters.ModelChoiceFilter(
        label="Specialism", queryset=Specialism.objects.none(), field_name="specialisms", empty_label="Any specialism"
    )
    phase = django_filters.ChoiceFilter(label="Phase", choices=PHASES, method="filter_phase", empty_label="Any phase")
    available = django_filters.BooleanFilter(
        label="Only providers with days left this year", method="filter_available", widget=forms.CheckboxInput
    )

    class Meta:
        model = Provider
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args, partnership_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["specialism"].queryset = Specialism.objects.filter(partnership_id=partnership_id).order_by("name")

    def filter_search(self, queryset: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(school__name__icontains=value))

    def filter_phase(self, queryset: QuerySet[Provider], name: str, value: str) -> QuerySet[Provider]:
        from django.db.models import Q

        return queryset.filter(Q(phases__contains=[value]) | Q(cross_phase=True))

    def filter_available(self, queryset: QuerySet[Provider], name: str, value: bool) -> QuerySet[Provider]:
        return queryset.filter(days_left__gt=0) if value else queryset  # type: ignore[misc]
