"""Tenancy (partnerships), people (users, memberships, invitations) and the strategic board."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class TrackedModel(models.Model):
    """Who created and last changed a mutable row, and when."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class DatedMembership(TrackedModel):
    """Membership of a group over a period: ``joined_on``, and ``left_on`` empty while current. History is kept:
    a membership is ended (``partnership.services.dated_membership_end``), never deleted. Used by cluster,
    alliance and network memberships; each adds its two foreign keys and ``dated_membership_constraints``."""

    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-joined_on"]

    @property
    def is_current(self) -> bool:
        return self.left_on is None


def dated_membership_constraints(group: str, member: str, *, name: str) -> list[models.BaseConstraint]:
    """At most one current membership of ``member`` in ``group``, and no leaving before joining (``name`` keeps
    the constraint names the tables already have: ``one_current_<name>_membership``, ``<name>_left_after_joined``)."""
    return [
        models.UniqueConstraint(
            fields=[group, member], condition=models.Q(left_on__isnull=True), name=f"one_current_{name}_membership"
        ),
        models.CheckConstraint(
            condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
            name=f"{name}_left_after_joined",
        ),
    ]


class Role(models.TextChoices):
    """The roles a user can hold within one partnership (a membership may hold several)."""

    ADMIN = "admin", "Partnership admin"
    OFFICER = "officer", "LA officer"
    HEADTEACHER = "headteacher", "Headteacher"
    CLUSTER_LEAD = "cluster_lead", "Cluster lead"
    ALLIANCE_LEAD = "alliance_lead", "Alliance lead"
    BOARD_MEMBER = "board_member", "Board member"
    SYSTEM_LEADER = "system_leader", "System leader"
    CHAIR_OF_GOVERNORS = "chair_of_governors", "Chair of governors"


SCHOOL_ROLES = frozenset({Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS})
"""Roles tied to one school: the membership names it, and the role sees that school's own pages."""


class UserManager(BaseUserManager["User"]):
    """Users are identified by email address; there is no username."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        """Create a user with a normalised, lower-cased email."""
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        """Create a Django superuser (operations staff; not a partnership role)."""
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may see is decided by their memberships, never by this row."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Partnership(TrackedModel):
    """The tenant: one local authority's school-improvement partnership."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    la_codes = ArrayField(
        models.CharField(max_length=3),
        default=list,
        blank=True,
        help_text="Three-digit DfE LA codes whose establishments belong to this partnership; empty = all.",
    )
    vision = models.TextField(blank=True)
    choices_version = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Raised in the same transaction as any change to the partnership's schools, clusters or alliances: "
        "the key of the filter forms' option lists each web process keeps (schools.choices).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save, never writing ``choices_version`` back: only ``schools.choices.choices_changed`` raises it, and a
        partnership read before a change and saved after it (its settings edited) must not lower it again, or
        lists kept under the lower number would be served as current."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields if not f.primary_key and f.name != "choices_version"
            ]
        super().save(*args, **kwargs)


class Membership(TrackedModel):
    """A user's place in one partnership: roles, and the school/clusters/alliances the roles attach to."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_memberships"
    )
    clusters = models.ManyToManyField("clusters.Cluster", blank=True, related_name="lead_memberships")
    alliances = models.ManyToManyField("clusters.Alliance", blank=True, related_name="lead_memberships")
    job_title = models.CharField(max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="one_membership_per_partnership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.partnership}"

    def has_role(self, *roles: str) -> bool:
        """True when this membership holds any of ``roles``."""
        return any(r in self.roles for r in roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]


class MembershipEvent(models.Model):
    """One change to a membership: who made it, when, and the membership before and after (names, as shown)."""

    class Action(models.TextChoices):
        JOINED = "joined", "Joined (accepted an invitation)"
        REJOINED = "rejoined", "Rejoined (accepted an invitation)"
        ROLES = "roles", "Roles changed"
        SCHOOL = "school", "School changed"
        LEADS = "leads", "Clusters and alliances led changed"
        ARCHIVED = "archived", "Archived"
        RESTORED = "restored", "Restored"
        MFA_RESET = "mfa_reset", "Two-factor authentication reset"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.membership_id})"


class JobStart(models.Model):
    """How many times a worker has started one job (any kind): a job that keeps killing its worker is failed."""

    job_model = models.CharField(max_length=100)  # "schools.importjob", "risk.riskrun"
    job_id = models.BigIntegerField()
    starts = models.PositiveIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job_model", "job_id"], name="one_start_count_per_job")]

    def __str__(self) -> str:
        return f"{self.job_model} {self.job_id}: {self.starts}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(TrackedModel):
    """A one-time invitation to join a partnership with given roles. Only the token's hash is stored."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices))
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    accepted_at = models.DateTimeField(null=True, blank=True)
    delivery_error: str | None = None  # set by the service when its email could not be sent (not stored)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh random token and its hash (the token goes in the email, the hash in the database)."""
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return _hash_token(token)

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]

    @property
    def is_usable(self) -> bool:
        return self.state == self.State.PENDING and self.expires_at > timezone.now()


class BoardMember(TrackedModel):
    """A seat on the strategic partnership board, held by a named person for a term."""

    class Seat(models.TextChoices):
        CHAIR = "chair", "Chair"
        PRIMARY_HEAD = "primary_head", "Primary headteacher representative"
        SECONDARY_HEAD = "secondary_head", "Secondary headteacher representative"
        SPECIAL_HEAD = "special_head", "Special school / AP representative"
        GOVERNOR = "governor", "Governor representative"
        TRUST = "trust", "Multi-academy trust representative"
        DIOCESE = "diocese", "Diocesan representative"
        LA = "la", "Local authority"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="board_members")
    name = models.CharField(max_length=200)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seat = models.CharField(max_length=20, choices=Seat.choices)
    organisation = models.CharField(max_length=200, blank=True)
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["seat", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
                name="board_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_seat_display()})"

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.term_start <= on and (self.term_end is None or self.term_end >= on)


class Job(models.Model):
    """Base for long-running work done by a Celery worker: one row per run, the UI reads its state."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    TRANSITIONS = {
        State.QUEUED: {State.RUNNING, State.FAILED},
        State.RUNNING: {State.SUCCEEDED, State.FAILED, State.RUNNING},
        State.SUCCEEDED: set(),
        State.FAILED: set(),
    }

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class SchoolHoliday(TrackedModel):
    """Days the partnership's schools are closed (holidays, INSET days): not school days (``partnership.calendar``).

    The local authority's published term dates, entered by officers; England's bank holidays and weekends are
    never school days anyway. Moved here from the risk app (migration 0005 moves the state only: the table keeps
    its name and its rows).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80, help_text="For example “Christmas holiday” or “INSET day”.")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        db_table = "risk_schoolholiday"
        ordering = ["starts_on", "ends_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="holiday_ends_after"),
            models.UniqueConstraint(fields=["partnership", "starts_on", "ends_on"], name="one_holiday_per_dates"),
        ]
        indexes = [models.Index(fields=["partnership", "ends_on"], name="risk_school_partner_c069ed_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"
