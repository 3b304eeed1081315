"""The medical officer's reads: which certificates need renewing."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from trainees.models import CertificateKind, MedicalCertificate, Trainee

# Trainees who no longer need certificates: they have left training.
DONE = (Trainee.Status.WITHDRAWN, Trainee.Status.GRADUATED)


@dataclass
class CertificateDue:
    trainee: Trainee
    kind: str
    expires_on: dt.date | None  # None: never issued

    @property
    def kind_label(self) -> str:
        return CertificateKind(self.kind).label

    def expired(self, on: dt.date) -> bool:
        return self.expires_on is None or self.expires_on <= on


def certificates_due(*, user, on: dt.date) -> list[CertificateDue]:
    """Certificates of trainees still training that are missing, expired, or expire within the
    longest warning window; soonest first. Two queries whatever the number of trainees."""
    window = dt.timedelta(days=max(settings.QUALIFICATION_WARNING_DAYS))
    trainees = list(
        Trainee.objects.visible_to(user)
        .exclude(status__in=DONE)
        .select_related("user", "cohort")
        .order_by("user__display_name")
    )
    latest = {
        (row["trainee_id"], row["kind"]): row["latest"]
        for row in MedicalCertificate.objects.visible_to(user)
        .filter(trainee__in=[t.pk for t in trainees], issued_on__lte=on)
        .values("trainee_id", "kind")
        .annotate(latest=Max("expires_on"))
    }
    due = []
    for trainee in trainees:
        for kind in CertificateKind.values:
            expires_on = latest.get((trainee.pk, kind))
            if expires_on is None or expires_on - on <= window:
                due.append(CertificateDue(trainee, kind, expires_on))
    return sorted(due, key=lambda d: (d.expires_on or dt.date.min, d.trainee.user.display_name))
