"""A partnership's filter-form option lists (phases, types, statuses, districts, trusts, Ofsted ratings, clusters,
alliances), kept by each web process and keyed by the partnership's ``choices_version`` (#15, ADR 0028).

The schools list and the risk register list a region's districts, trusts and clusters in their filter forms on every
page view: read afresh, that was eight queries and a tenth of those pages' time. The lists change only when the
partnership's schools (a GIAS import), clusters or alliances change, and every such change raises
``Partnership.choices_version`` in its own transaction: the GIAS import calls ``choices_changed`` itself; any save or
delete of a School, Cluster or Alliance through the ORM calls it by signal (``schools.apps``).

Why the lists are never older than the data a page shows: a request reads the version with its partnership (the
middleware's query) before it reads anything else, and lists are only computed after that, so lists kept under a
version were read after that version was committed. A change commits a higher version, and the next request asks
for lists under it, which no process has yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F

from clusters.models import Alliance, Cluster
from partnership.models import Partnership
from schools.models import School

Choices = tuple[tuple[str, str], ...]

# Partnerships (at one version each) a web process keeps lists for: a region's deployment has a handful.
KEPT_PARTNERSHIPS = 64


@dataclass(frozen=True)
class RegisterChoices:
    """Option lists (value, label) from a partnership's own data, in order; clusters and alliances by id."""

    phase: Choices
    type_name: Choices
    status: Choices
    district: Choices
    trust_name: Choices
    ofsted_rating: Choices
    clusters: Choices
    alliances: Choices


def register_choices(partnership: Partnership) -> RegisterChoices:
    """The option lists for ``partnership`` at the version it was read with (computed once per version per process)."""
    return _register_choices(partnership.pk, partnership.choices_version)


def choices_changed(*, partnership_id: int) -> None:
    """Raise the partnership's ``choices_version``: call inside the transaction that changes what the lists show."""
    Partnership.objects.filter(pk=partnership_id).update(choices_version=F("choices_version") + 1)


def choices_forget() -> None:
    """Drop every kept list (tests start each case with none)."""
    _register_choices.cache_clear()


@lru_cache(maxsize=KEPT_PARTNERSHIPS)
def _register_choices(partnership_id: int, version: int) -> RegisterChoices:
    schools = School.objects.filter(partnership_id=partnership_id)

    def distinct(field: str) -> Choices:
        values = schools.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct()
        return tuple((v, v) for v in values)

    def named(model: type[Cluster] | type[Alliance]) -> Choices:
        rows = model.objects.filter(partnership_id=partnership_id, archived_at__isnull=True).order_by("name", "pk")
        return tuple((str(pk), name) for pk, name in rows.values_list("pk", "name"))

    return RegisterChoices(
        phase=distinct("phase"),
        type_name=distinct("type_name"),
        status=distinct("status"),
        district=distinct("district"),
        trust_name=distinct("trust_name"),
        ofsted_rating=distinct("ofsted_rating"),
        clusters=named(Cluster),
        alliances=named(Alliance),
    )


def choices_saved_or_deleted(sender, instance: School | Cluster | Alliance, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of School, Cluster, Alliance): the lists may have changed."""
    choices_changed(partnership_id=instance.partnership_id)
