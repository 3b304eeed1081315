"""Run by bench/run with the benchmark's settings: finds the pages' ids and makes the pool of
held, unlogged sessions that the session-log POST logs one each. Prints JSON."""

import datetime as dt
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.services import access_token_create  # noqa: E402
from demo.scale import BIG_COHORT, SCALE_TRAINER  # noqa: E402
from trainees.models import Cohort, TrainingSession  # noqa: E402

FORMAT = "%Y-%m-%dT%H:%M"


def _api_token(trainer) -> str:
    """A read token of the scale trainer's, for the API's listing."""
    _token, secret = access_token_create(
        user=trainer,
        name="bench/run",
        scope="read",
        expires_on=timezone.localdate(timezone.now(), trainer.time_zone) + dt.timedelta(days=2),
    )
    return secret


def main(pool_size: int) -> None:
    cohort = Cohort.objects.get(name=BIG_COHORT)
    trainee = cohort.trainees.select_related("user").order_by("pk").first()
    first = cohort.sessions.order_by("starts_at").first()
    trainees = list(cohort.trainees.values_list("pk", flat=True))
    tz = first.trainer.time_zone
    start = timezone.now().astimezone(tz).replace(minute=0, second=0, microsecond=0)
    start -= dt.timedelta(days=2)
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            cohort=cohort,
            module=first.module,
            trainer=first.trainer,
            # An hour each, every ten minutes back from two days ago: held, not yet logged.
            starts_at=start - dt.timedelta(minutes=10 * i),
            ends_at=start - dt.timedelta(minutes=10 * i) + dt.timedelta(hours=1),
            location="Benchmark hall",
            notes="bench/run session-log pool",
        )
        for i in range(pool_size + 1)
    )
    through = TrainingSession.trainees.through
    through.objects.bulk_create(
        through(trainingsession_id=s.pk, trainee_id=t) for s in sessions for t in trainees
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, after the bulk inserts
    print(
        json.dumps(
            {
                "trainee_username": trainee.user.username,
                "trainee_pk": trainee.pk,
                "trainer_username": SCALE_TRAINER,
                "cohort_pk": cohort.pk,
                "cohort_trainees": len(trainees),
                "modules": cohort.revision.modules.count(),
                "trainee_attendances": trainee.attendances.count(),
                "form_session": sessions[0].pk,
                "api_token": _api_token(first.trainer),
                "pool": [
                    [
                        s.pk,
                        s.starts_at.astimezone(tz).strftime(FORMAT),
                        s.ends_at.astimezone(tz).strftime(FORMAT),
                    ]
                    for s in sessions[1:]
                ],
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
