"""The school register (from GIAS), its change history and links, and the networks schools belong to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from partnership.models import Job, Partnership, TrackedModel
from schools.querysets import SchoolQuerySet


class School(models.Model):
    """One establishment in a partnership's register, keyed by URN; refreshed from GIAS by the importer."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="schools")
    urn = models.PositiveIntegerField()
    la_code = models.CharField(max_length=3, blank=True)
    la_name = models.CharField(max_length=100, blank=True)
    establishment_number = models.CharField(max_length=4, blank=True)
    name = models.CharField(max_length=200)
    type_code = models.CharField(max_length=4, blank=True)
    type_name = models.CharField(max_length=100, blank=True)
    type_group = models.CharField(max_length=100, blank=True)
    phase = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=50, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    religious_character = models.CharField(max_length=100, blank=True)
    diocese_code = models.CharField(max_length=10, blank=True)
    diocese_name = models.CharField(max_length=200, blank=True)
    trust_code = models.CharField(max_length=10, blank=True)
    trust_name = models.CharField(max_length=200, blank=True)
    federation_code = models.CharField(max_length=10, blank=True)
    federation_name = models.CharField(max_length=200, blank=True)
    head_title = models.CharField(max_length=30, blank=True)
    head_first_name = models.CharField(max_length=100, blank=True)
    head_last_name = models.CharField(max_length=100, blank=True)
    head_job_title = models.CharField(max_length=100, blank=True)
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    school_capacity = models.PositiveIntegerField(null=True, blank=True)
    percentage_fsm = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    street = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=200, blank=True)
    address3 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.CharField(max_length=300, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    district = models.CharField(max_length=100, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    constituency = models.CharField(max_length=100, blank=True)
    urban_rural = models.CharField(max_length=100, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ofsted_rating = models.CharField(max_length=50, blank=True)
    ofsted_last_inspection = models.DateField(null=True, blank=True)
    ukprn = models.CharField(max_length=10, blank=True)
    gias_last_changed = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "urn"], name="unique_urn_per_partnership")]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["partnership", "phase"]),
            models.Index(fields=["partnership", "district"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def laestab(self) -> str:
        """The DfE number as Ofsted and the performance tables use it: LA code followed by the 4-digit number."""
        return f"{self.la_code}{self.establishment_number}" if self.la_code and self.establishment_number else ""

    @property
    def head_name(self) -> str:
        return " ".join(p for p in (self.head_title, self.head_first_name, self.head_last_name) if p)

    @property
    def is_open(self) -> bool:
        return self.status.startswith("Open")


class SchoolChange(models.Model):
    """One field of a school that changed between two imports: the history later features read."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=50)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_on = models.DateField(help_text="GIAS's LastChangedDate where present, else the import date.")
    recorded_at = models.DateTimeField(default=timezone.now)
    import_job = models.ForeignKey("ImportJob", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-changed_on", "-recorded_at", "field"]
        indexes = [models.Index(fields=["school", "-changed_on"]), models.Index(fields=["field"])]

    def __str__(self) -> str:
        return f"{self.school_id} {self.field}: {self.old_value!r} → {self.new_value!r}"


class SchoolLink(models.Model):
    """A GIAS link between two URNs (predecessor/successor and the like); linked URNs may be elsewhere."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="school_links")
    urn = models.PositiveIntegerField()
    linked_urn = models.PositiveIntegerField()
    linked_name = models.CharField(max_length=200, blank=True)
    link_type = models.CharField(max_length=100)
    established_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["urn", "link_type", "linked_urn"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "urn", "linked_urn", "link_type"], name="unique_school_link")
        ]
        indexes = [models.Index(fields=["partnership", "urn"]), models.Index(fields=["partnership", "linked_urn"])]

    def __str__(self) -> str:
        return f"{self.urn} {self.link_type} {self.linked_urn}"


class Network(TrackedModel):
    """A group of schools outside the partnership's clusters: a trust, diocese, federation or hub."""

    class Kind(models.TextChoices):
        TRUST = "trust", "Multi-academy trust"
        DIOCESE = "diocese", "Diocese"
        FEDERATION = "federation", "Federation"
        TEACHING_SCHOOL_HUB = "hub", "Teaching school hub"
        OTHER = "other", "Other network"

    class Source(models.TextChoices):
        GIAS = "gias", "GIAS"
        MANUAL = "manual", "Added by hand"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="networks")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text="GIAS code, where the network comes from GIAS.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "code"],
                condition=~models.Q(code=""),
                name="unique_network_code",
            )
        ]

    def __str__(self) -> str:
        return self.name


class NetworkMembership(TrackedModel):
    """A school's membership of a network over a period (``left_on`` empty while current)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="network_memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "school"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_network_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="network_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} in {self.network_id}"


class ImportJob(Job):
    """One upload of a GIAS file (establishments or links), processed by a worker."""

    class Kind(models.TextChoices):
        GIAS = "gias", "GIAS establishments"
        GIAS_LINKS = "gias_links", "GIAS links"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    original_filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.state})"
