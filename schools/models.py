"""The school register (from GIAS), its change history and links, and the networks schools belong to."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from partnership.models import DatedMembership, Job, Partnership, TrackedModel, dated_membership_constraints
from schools.querysets import SchoolQuerySet


class School(models.Model):
    """One establishment in a partnership's register, keyed by URN; refreshed from GIAS by the importer."""

    # no index of its own: the unique (partnership, urn) and the (partnership, …) indexes below serve every
    # lookup by partnership, and one fewer index to maintain makes the GIAS import cheaper (issue #15)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="schools", db_index=False)
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
        # No index beyond the unique (partnership, urn): its prefix finds a partnership's schools, a few thousand at
        # most, which are filtered by status, phase or district as they are read; three indexes on those did
        # not earn their cost on every import (#15: 0.14 s of a national GIAS import).

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

    @property
    def field_label(self) -> str:
        """The changed field's name as people read it ("head_last_name" → "Head last name")."""
        try:
            return str(getattr(School._meta.get_field(self.field), "verbose_name", self.field)).capitalize()
        except FieldDoesNotExist:
            return self.field.replace("_", " ").capitalize()


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


class NetworkMembership(DatedMembership):
    """A school's membership of a network over a period (``left_on`` empty while current)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="network_memberships")

    class Meta(DatedMembership.Meta):
        constraints = dated_membership_constraints("network", "school", name="network")

    def __str__(self) -> str:
        return f"{self.school_id} in {self.network_id}"


class ImportJob(Job):
    """One upload of a GIAS or performance file, processed by a worker."""

    class Kind(models.TextChoices):
        GIAS = "gias", "GIAS establishments"
        GIAS_LINKS = "gias_links", "GIAS links"
        KS2 = "ks2", "KS2 results"
        KS4 = "ks4", "KS4 results"
        ABSENCE = "absence", "Pupil absence"
        CENSUS = "census", "School census"
        OFSTED = "ofsted", "Ofsted inspections"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    original_filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.state})"


# --- Performance data (issue #3; docs/design/risk-data-contract.md) --------------------------------------------

# Why a value is missing: the source's own code (``LOW COV`` is stored as ``LOWCOV``), or ``blank`` for an empty cell.
MISSING_CODES: tuple[str, ...] = ("SUPP", "NE", "NP", "NA", "LOWCOV", "NEW", "DNS", "x", "..", "NULL", "blank")
LEGACY_GRADE_FIELDS: tuple[str, ...] = (
    "overall",
    "quality_of_education",
    "behaviour_attitudes",
    "personal_development",
    "leadership_management",
    "early_years",
    "sixth_form",
)
REPORT_CARD_FIELDS: tuple[str, ...] = (
    "rc_inclusion",
    "rc_curriculum_teaching",
    "rc_achievement",
    "rc_attendance_behaviour",
    "rc_personal_development",
    "rc_leadership_governance",
    "rc_early_years",
    "rc_post16",
)
# Every column an Ofsted inspection row carries, in the order the importer writes them: the one list the importer
# (schools.performance.ofsted) and the tests use. The risk engine declares what it reads in its own frame contract
# (schools.risk.engine.frames: INSPECTION_GRADES, INSPECTION_TEXT), a subset of these (tests/test_contracts.py).
INSPECTION_FIELDS: tuple[str, ...] = (
    "inspection_number",
    "framework",
    "inspection_type",
    "start_date",
    "publication_date",
    "relates_to_current_urn",
    "urn_at_inspection",
    *LEGACY_GRADE_FIELDS,
    "safeguarding_effective",
    *REPORT_CARD_FIELDS,
    "rc_safeguarding_met",
    "category_of_concern",
    "ungraded_outcome",
)
REPORT_CARD_GRADES: tuple[str, ...] = ("exceptional", "strong", "expected", "needs_attention", "urgent")
SOURCE_RANKS: tuple[int, ...] = (1, 2, 3)


class PerformanceUpload(models.Model):
    """What an officer chose when uploading a performance file: the academic year it is for (None for Ofsted), and
    whether to import it even if nothing in it matches the partnership (confirmed after a refusal, #14.8)."""

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, primary_key=True, related_name="performance_upload")
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Ending year: 2019 means 2018/19.")
    allow_no_match = models.BooleanField(
        default=False,
        help_text="The officer confirmed importing the file although no row in it is for the partnership's schools.",
    )

    def __str__(self) -> str:
        return f"Import {self.job_id} for {self.year_label or 'no year'}"

    @property
    def year_label(self) -> str:
        """The year as people write it ("2018-2019"), or "" for a file whose rows carry their own dates."""
        return f"{self.year - 1}-{self.year}" if self.year else ""


class PerformanceValue(models.Model):
    """One published figure for a URN, academic year and measure, or the source's reason there is none.

    Long and narrow: one row per (partnership, urn, year, code). ``value`` is null exactly when ``missing`` holds
    the reason (a suppression code as published, or ``blank``). A year's own file (``source_rank`` 3) wins over a
    later file's previous-year columns (2 for one year back, 1 for two).
    """

    class Missing(models.TextChoices):
        SUPPRESSED = "SUPP", "Suppressed (small numbers)"
        NO_ENTRIES = "NE", "No entries or not eligible"
        NOT_PUBLISHED = "NP", "Not published"
        NOT_APPLICABLE = "NA", "Not applicable or not available"
        LOW_COVERAGE = "LOWCOV", "Low coverage"
        NEW_SCHOOL = "NEW", "New school"
        DID_NOT_SUBMIT = "DNS", "Did not submit"
        NOT_AVAILABLE = "x", "Not available"
        NOT_APPLICABLE_DOTS = "..", "Not applicable"
        NULL = "NULL", "No value (NULL)"
        BLANK = "blank", "Blank in the file"

    class Rank(models.IntegerChoices):
        TWO_YEARS_BACK = 1, "A later file's column for two years earlier"
        ONE_YEAR_BACK = 2, "A later file's previous-year column"
        OWN_YEAR = 3, "The year's own file"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="performance_values")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="performance_values"
    )
    urn = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField(help_text="Academic year by its ending calendar year: 2019 = 2018/19.")
    code = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)
    missing = models.CharField(max_length=8, blank=True, choices=Missing.choices)
    raw = models.CharField(max_length=40, blank=True, help_text="The text as published (spaces trimmed).")
    source_rank = models.PositiveSmallIntegerField(choices=Rank.choices, default=Rank.OWN_YEAR)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["urn", "code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "urn", "year", "code"], name="unique_performance_value"),
            models.CheckConstraint(
                condition=(models.Q(value__isnull=False) & models.Q(missing=""))
                | (models.Q(value__isnull=True) & models.Q(missing__in=MISSING_CODES)),
                name="performance_value_or_reason",
            ),
            models.CheckConstraint(condition=models.Q(year__gte=1990, year__lte=2100), name="performance_value_year"),
            models.CheckConstraint(condition=models.Q(source_rank__in=SOURCE_RANKS), name="performance_value_rank"),
        ]
        indexes = [models.Index(fields=["partnership", "year"]), models.Index(fields=["partnership", "code", "year"])]

    def __str__(self) -> str:
        shown = self.raw if self.value is None else self.value
        return f"{self.urn} {self.year} {self.code} = {shown}"


class AreaAverage(models.Model):
    """An England or LA figure for a year and measure, to compare schools with.

    ``basis`` says where it came from: ``published`` (a summary row of the file: KS2/KS4 RECTYPE rows, the
    national rows of absence and census files) or ``school_mean`` (the unweighted mean over the school rows of
    the file, for areas the file has no summary row for). ``area`` is ``england``, ``england/primary`` (and
    ``/secondary``, ``/special``), or a three-digit LA code.
    """

    class Basis(models.TextChoices):
        PUBLISHED = "published", "Published in the file"
        SCHOOL_MEAN = "school_mean", "Mean over the file's school rows"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="area_averages")
    year = models.PositiveSmallIntegerField(help_text="Academic year by its ending calendar year: 2019 = 2018/19.")
    code = models.CharField(max_length=40)
    area = models.CharField(max_length=20)
    value = models.FloatField()
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.PUBLISHED)
    schools_counted = models.PositiveIntegerField(null=True, blank=True, help_text="Rows averaged (school_mean).")
    source_rank = models.PositiveSmallIntegerField(
        choices=PerformanceValue.Rank.choices, default=PerformanceValue.Rank.OWN_YEAR
    )
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["code", "area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year", "code", "area"], name="unique_area_average"),
            models.CheckConstraint(condition=models.Q(year__gte=1990, year__lte=2100), name="area_average_year"),
            models.CheckConstraint(condition=~models.Q(area=""), name="area_average_area"),
        ]
        indexes = [models.Index(fields=["partnership", "year"])]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.code} = {self.value}"


class Inspection(models.Model):
    """One Ofsted inspection of a school as Ofsted's management information publishes it.

    Judgements are kept on the scale they were given in and never converted: the legacy (OEIF) grades 1–4, or
    the report-card grades. ``urn`` is the school the MI row is for; ``urn_at_inspection`` is the URN inspected
    (a predecessor's, when ``relates_to_current_urn`` is false, i.e. the school has converted since).
    """

    class Framework(models.TextChoices):
        REPORT_CARD = "report_card", "Report card (renewed framework)"
        OEIF = "oeif", "Graded inspection (education inspection framework)"
        UNGRADED = "ungraded", "Ungraded inspection"

    class Grade(models.TextChoices):
        EXCEPTIONAL = "exceptional", "Exceptional"
        STRONG = "strong", "Strong standard"
        EXPECTED = "expected", "Expected standard"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        URGENT = "urgent", "Urgent improvement"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="inspections")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections")
    urn = models.PositiveIntegerField()
    inspection_number = models.CharField(max_length=20)
    framework = models.CharField(max_length=12, choices=Framework.choices)
    inspection_type = models.CharField(max_length=100, blank=True)
    start_date = models.DateField()
    publication_date = models.DateField(null=True, blank=True)
    relates_to_current_urn = models.BooleanField(null=True, blank=True)
    urn_at_inspection = models.PositiveIntegerField(null=True, blank=True)
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    quality_of_education = models.PositiveSmallIntegerField(null=True, blank=True)
    behaviour_attitudes = models.PositiveSmallIntegerField(null=True, blank=True)
    personal_development = models.PositiveSmallIntegerField(null=True, blank=True)
    leadership_management = models.PositiveSmallIntegerField(null=True, blank=True)
    early_years = models.PositiveSmallIntegerField(null=True, blank=True)
    sixth_form = models.PositiveSmallIntegerField(null=True, blank=True)
    safeguarding_effective = models.BooleanField(null=True, blank=True)
    rc_inclusion = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_curriculum_teaching = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_achievement = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_attendance_behaviour = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_personal_development = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_leadership_governance = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_early_years = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_post16 = models.CharField(max_length=16, blank=True, choices=Grade.choices)
    rc_safeguarding_met = models.BooleanField(null=True, blank=True)
    category_of_concern = models.CharField(max_length=100, blank=True)
    ungraded_outcome = models.CharField(max_length=200, blank=True)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["urn", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "urn", "inspection_number"], name="unique_inspection_per_school"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True}) | models.Q(**{f"{name}__range": (1, 4)}),
                    name=f"inspection_{name}_1_to_4",
                )
                for name in LEGACY_GRADE_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__in": ("", *REPORT_CARD_GRADES)}),
                    name=f"inspection_{name}_grade",
                )
                for name in REPORT_CARD_FIELDS
            ),
        ]
        indexes = [models.Index(fields=["partnership", "start_date"]), models.Index(fields=["partnership", "urn"])]

    def __str__(self) -> str:
        return f"{self.urn} {self.get_framework_display()} {self.start_date}"
