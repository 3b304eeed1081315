"""Physiological measurements, medical holds and certificates."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trainees.models.cohorts import Trainee
from trainees.models.common import _can
from trainees.models.sessions import SessionAttendance

# Refusals of unique constraints, also given when a concurrent write wins the race (the services).
ONE_OPEN_HOLD = _("This trainee already has an open medical hold.")
CERTIFICATE_RECORDED = _("A certificate of this kind issued on this day is already recorded.")


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(trainee__in=Trainee.objects.physiology_visible_to(user).values("pk"))


class Metric(models.TextChoices):
    VO2MAX = "vo2max", _("VO2max")
    RESTING_HEART_RATE = "resting_heart_rate", _("Resting heart rate")
    BODY_MASS = "body_mass", _("Body mass")
    GRIP_STRENGTH = "grip_strength", _("Grip strength")
    AGILITY_TIME = "agility_time", _("Agility run time")
    G_TOLERANCE = "g_tolerance", _("G-tolerance")
    SWIM_TIME = "swim_time", _("Swim time, 3 x 25 m")


# Unit and physiological range of each metric; a value outside it is a typing error.
METRIC_SPECS: dict[str, tuple[str, Decimal, Decimal]] = {
    Metric.VO2MAX: ("ml/kg/min", Decimal(15), Decimal(90)),
    Metric.RESTING_HEART_RATE: ("bpm", Decimal(30), Decimal(120)),
    Metric.BODY_MASS: ("kg", Decimal(35), Decimal(150)),
    Metric.GRIP_STRENGTH: ("kg", Decimal(10), Decimal(100)),
    Metric.AGILITY_TIME: ("s", Decimal(5), Decimal(60)),
    Metric.G_TOLERANCE: ("g", Decimal(1), Decimal(12)),
    Metric.SWIM_TIME: ("s", Decimal(30), Decimal(600)),
}


class Measurement(models.Model):
    """A physiological or fitness measurement, in the metric's fixed unit."""

    Metric = Metric

    SPECS = METRIC_SPECS

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("trainee")
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, editable=False)
    taken_at = models.DateTimeField(_("taken at"))
    attendance = models.ForeignKey(
        SessionAttendance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("taken at session"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = MeasurementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["trainee", "metric", "taken_at"], name="measurement_idx")]
        constraints = [
            models.CheckConstraint(
                # One branch per metric: its unit and its physiological range.
                condition=reduce(
                    or_,
                    (
                        Q(metric=metric, unit=unit, value__gte=low, value__lte=high)
                        for metric, (unit, low, high) in METRIC_SPECS.items()
                    ),
                ),
                name="measurement_unit_and_range",
                violation_error_message=_("This value is outside the metric's possible range."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_metric_display()} {self.value} {self.unit}"

    def save(self, *args, **kwargs):
        # The unit follows from the metric; it is stored so that exports need no lookup table.
        self.unit = self.SPECS[self.metric][0]
        super().save(*args, **kwargs)

    def clean(self):
        if self.metric in self.SPECS and self.value is not None:
            unit, low, high = self.SPECS[self.metric]
            if not low <= self.value <= high:
                raise ValidationError(
                    {
                        "value": _("Expected between %(low)s and %(high)s %(unit)s.")
                        % {"low": low, "high": high, "unit": unit}
                    }
                )


class MedicalHoldQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The full record, reason included: medical officers only."""
        return self.all() if _can(user, "manage_medical") else self.none()

    def status_visible_to(self, user):
        """That a hold exists and its dates, for whoever sees the trainee; never the reason."""
        return self.filter(trainee__in=Trainee.objects.visible_to(user).values("pk")).values(
            "pk", "trainee_id", "opened_on", "closed_on"
        )

    def open(self):
        return self.filter(closed_on__isnull=True)


class MedicalHold(models.Model):
    """A period in which a trainee may not be assigned to a flight, for a medical reason.

    A record rather than a status, so that the opening, the closing and who did each are kept.
    Only medical officers read the reason; everyone else sees "medical hold" and the dates.
    """

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="medical_holds", verbose_name=_("trainee")
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    reason = models.TextField(_("reason"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    objects = MedicalHoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medical hold")
        verbose_name_plural = _("medical holds")
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee"],
                condition=Q(closed_on__isnull=True),
                name="medical_hold_one_open",
                violation_error_message=ONE_OPEN_HOLD,
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="medical_hold_closed_after_opened",
                violation_error_message=_("A hold cannot close before it opened."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closed_by__isnull=True)
                | Q(closed_on__isnull=False, closed_by__isnull=False),
                name="medical_hold_closed_by_whom",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="medical_hold_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CertificateKind(models.TextChoices):
    """The certificates a trainee must hold, current, to be ready for flight assignment."""

    MEDICAL = "medical", _("Medical certificate")
    FITNESS = "fitness", _("Fitness certificate")


@dataclass(frozen=True)
class CertificateLack:
    """A certificate that does not count on a given day: never issued, or expired on a day."""

    kind: str
    expired_on: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return CertificateKind(self.kind).label


class MedicalCertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The full record (examiner, restrictions): medical officers only."""
        return self.all() if _can(user, "manage_medical") else self.none()

    def latest_expiries(self, *, trainees, on: dt.date) -> dict[int, dict[str, dt.date]]:
        """trainee id -> certificate kind -> the latest expiry of those issued by `on`. One
        query for any number of trainees."""
        latest: dict[int, dict[str, dt.date]] = {}
        for trainee_id, kind, expires_on in self.filter(
            trainee__in=trainees, issued_on__lte=on
        ).values_list("trainee_id", "kind", "expires_on"):
            by_kind = latest.setdefault(trainee_id, {})
            by_kind[kind] = max(expires_on, by_kind.get(kind, expires_on))
        return latest

    def lacking(self, *, trainee, on: dt.date) -> list[CertificateLack]:
        """The certificate kinds `trainee` holds no current certificate of on day `on`."""
        latest = self.latest_expiries(trainees=[trainee], on=on)
        return certificates_lacking(latest.get(trainee.pk, {}), on)


def certificates_lacking(latest: dict[str, dt.date], on: dt.date) -> list[CertificateLack]:
    """The rule: a kind is lacking when none was issued, or the latest expired by `on` (a
    certificate is current from its issue up to the day before its expiry)."""
    lacking = []
    for kind in CertificateKind.values:
        if kind not in latest:
            lacking.append(CertificateLack(kind))
        elif latest[kind] <= on:
            lacking.append(CertificateLack(kind, latest[kind]))
    return lacking


class MedicalCertificate(models.Model):
    """A medical or fitness certificate of a trainee, valid from its issue to its expiry day.

    The examiner and any restrictions are medical information: only medical officers read them
    (`visible_to`). Everyone who sees the trainee's readiness learns only whether a current
    certificate of each kind is held.
    """

    Kind = CertificateKind

    trainee = models.ForeignKey(
        Trainee,
        on_delete=models.PROTECT,
        related_name="medical_certificates",
        verbose_name=_("trainee"),
    )
    kind = models.CharField(_("certificate"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"), help_text=_("The first day on which the certificate no longer counts.")
    )
    examiner = models.CharField(
        _("examiner"),
        max_length=200,
        help_text=_("Who examined the trainee and issued the certificate."),
    )
    restrictions = models.TextField(
        _("restrictions and notes"),
        blank=True,
        help_text=_("Limitations the certificate carries, if any. Medical officers only."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = MedicalCertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medical certificate")
        verbose_name_plural = _("medical certificates")
        ordering = ["trainee", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CertificateKind.values), name="certificate_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
                violation_error_message=_("A certificate must expire after the day it is issued."),
            ),
            # Also what makes a double submission of the form record nothing twice.
            models.UniqueConstraint(
                fields=["trainee", "kind", "issued_on"],
                name="certificate_once_a_day",
                violation_error_message=CERTIFICATE_RECORDED,
            ),
            models.CheckConstraint(condition=~Q(examiner=""), name="certificate_has_examiner"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_kind_display()} ({self.issued_on})"

    def is_current(self, on: dt.date) -> bool:
        return self.issued_on <= on < self.expires_on
