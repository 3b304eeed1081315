"""What sessions book besides people: simulators, the pool, the centrifuge, laboratories,
survival sites, classrooms; when each is out of service; and who may instruct which module.

A resource of capacity 1 (a device one session uses at a time) is in at most one scheduled
session at a time: on PostgreSQL an exclusion constraint on the booking rows
(`SessionResource`) says so; on SQLite the scheduling service checks it in its write
transaction. A larger resource (a hall) is checked by the service under a lock on the resource.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from curriculum.models import Programme
from trainees.models.common import _can

MAX_CAPACITY = 50  # sessions at once: more than any hall of a training centre holds


class ResourceKind(models.TextChoices):
    SIMULATOR = "simulator", _("Simulator")
    POOL = "pool", _("Pool")
    CENTRIFUGE = "centrifuge", _("Centrifuge")
    CHAMBER = "chamber", _("Altitude or hypoxia chamber")
    LABORATORY = "laboratory", _("Laboratory")
    SURVIVAL_SITE = "survival_site", _("Survival site")
    CLASSROOM = "classroom", _("Classroom or hall")
    OTHER = "other", _("Other")


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Resources are the centre's, not anyone's record: every signed-in role sees them."""
        return self.all() if user.is_authenticated and user.is_active else self.none()

    def bookable(self):
        return self.filter(retired_on__isnull=True)


class Resource(models.Model):
    """A place or device a session books. Never deleted: retired, it keeps its bookings."""

    Kind = ResourceKind

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("How many sessions can use it at once: 1 for a device one session uses."),
    )
    required_qualification = models.CharField(
        _("required qualification"),
        max_length=40,
        blank=True,
        help_text=_(
            "The code of a qualification a trainee must hold, current, to be booked into it "
            "(water survival before the pool)."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    objects = ResourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="resource_name_unique",
                violation_error_message=_("A resource with this name exists already."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="resource_capacity_range",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="resource_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("trainees:resource_detail", args=[self.pk])

    @property
    def exclusive(self) -> bool:
        """Used by one session at a time: the database refuses a second (on PostgreSQL)."""
        return self.capacity == 1


class ResourceUnavailability(models.Model):
    """A period a resource cannot be booked: maintenance, inspection, weather."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="unavailable_periods",
        verbose_name=_("resource"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="unavailable_resource_start")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="unavailable_ends_after_start",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="unavailable_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.starts_at:%Y-%m-%d %H:%M}"


class TrainerAuthorisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may instruct what: the programme admins who grant it, and trainers (their own
        and their colleagues': a schedule is planned with it)."""
        if _can(user, "manage_people") or _can(user, "log_training"):
            return self.all()
        return self.none()


class TrainerAuthorisation(models.Model):
    """A trainer authorised to instruct a module of a programme (by the module's code, so it
    holds across revisions), from a day, until it expires (if it does), unless withdrawn.

    A module for which nobody has ever been authorised is open to the cohort's trainers: the
    centre keeps no authorisations for it. Once one is recorded, scheduling another trainer, or
    one whose authorisation has expired or was withdrawn, shows a warning only an admin may
    override (with a reason, in the session's history).
    """

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("trainer"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    module_code = models.CharField(_("module code"), max_length=20)
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )

    objects = TrainerAuthorisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instructor authorisation")
        verbose_name_plural = _("instructor authorisations")
        ordering = ["module_code", "trainer__display_name"]
        indexes = [
            models.Index(fields=["programme", "module_code"], name="authorisation_module"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("granted_on")),
                name="authorisation_expires_after_granted",
                violation_error_message=_("An authorisation must expire after it is granted."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=models.F("granted_on")),
                name="authorisation_withdrawn_after_granted",
            ),
            models.UniqueConstraint(
                fields=["trainer", "programme", "module_code"],
                condition=Q(withdrawn_on__isnull=True),
                name="authorisation_one_standing",
                violation_error_message=_(
                    "This trainer is already authorised for this module; withdraw it first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} · {self.module_code}"

    def current_on(self, day) -> bool:
        return (
            self.granted_on <= day
            and (self.expires_on is None or day < self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )
