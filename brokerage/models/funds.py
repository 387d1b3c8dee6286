"""Funds that pay for support: allocations by year, with conditions."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from partnership.models import Partnership, TrackedModel

from .requests import FundKind


class Fund(TrackedModel):
    """A fund line for one academic year (``year`` is its ending year: 2027 = 2026/27).

    Committed, spent and remaining are computed from the deployments charged to it, never typed.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=FundKind.choices)
    year = models.PositiveSmallIntegerField()
    allocation = models.DecimalField(max_digits=11, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    conditions = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name", "year"], name="unique_fund_per_year")]

    def __str__(self) -> str:
        return f"{self.name} {self.year - 1}/{str(self.year)[-2:]}"
