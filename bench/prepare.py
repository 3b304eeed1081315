"""Run by bench/run with the benchmark's settings: finds the pages' ids and makes the pools of
held, unlogged sessions that the session-log POST logs one each: one in the cohort of 100, one in
another cohort for the writes mixed into the reads. Prints JSON."""

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
from demo.scale import BIG_COHORT, SCALE_CENTRE, SCALE_TRAINER  # noqa: E402
from trainees.models import (  # noqa: E402
    Cohort,
    MedicalHold,
    Resource,
    SessionTrainee,
    TrainingSession,
)

FORMAT = "%Y-%m-%dT%H:%M"
POOL_NOTE = "bench/run session-log pool"
# The demo's programme admin (demo/seed.py), whose landing page is the programme page.
ADMIN_USERNAME = "admin"


def _api_token(trainer) -> str:
    """A read token of the scale trainer's, for the API's listing."""
    _token, secret = access_token_create(
        user=trainer,
        name="bench/run",
        scope="read",
        expires_on=timezone.localdate(timezone.now(), trainer.time_zone) + dt.timedelta(days=2),
    )
    return secret


def _pools_clear() -> None:
    """An earlier run's pools, what of them was not logged: cancelled, so the new pools' times
    are free (a trainer is in one scheduled session at a time), both before either is made: a
    run with longer pools reaches back over where the other cohort's pool was."""
    for left in TrainingSession.objects.filter(status="scheduled", notes=POOL_NOTE):
        left.status, left.cancellation_reason = "cancelled", "bench/run: a new pool"
        left.save()


def _pool(cohort: Cohort, size: int, *, skip: int = 0) -> list[TrainingSession]:
    """`size` + 1 held, unlogged sessions of `cohort`, every trainee expected: the first is the
    form's model, the others are logged one each. `skip` hours further back: clear of another
    pool of the same trainer."""
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
            # An hour each, one after another back from two days ago: held, not yet logged
            # (scheduled, so no two may overlap for the trainer or a trainee).
            starts_at=start - dt.timedelta(hours=skip + i),
            ends_at=start - dt.timedelta(hours=skip + i - 1),
            notes=POOL_NOTE,
        )
        for i in range(size + 1)
    )
    SessionTrainee.objects.bulk_create(
        SessionTrainee(session=s, trainee_id=t, starts_at=s.starts_at, ends_at=s.ends_at)
        for s in sessions
        for t in trainees
    )
    return sessions


def _schedule_slots(cohort: Cohort, size: int) -> tuple[list, Resource]:
    """`size` two-hour slots, one after another from a year ahead (clear of every session of
    the scale data and of each other), for the scheduling POSTs; and the simulator they book."""
    trainer = cohort.sessions.order_by("starts_at").first().trainer
    tz = trainer.time_zone
    start = timezone.now().astimezone(tz).replace(minute=0, second=0, microsecond=0)
    start += dt.timedelta(days=366)
    # After whatever an earlier run booked there.
    booked = TrainingSession.objects.filter(
        trainer=trainer, status="scheduled", starts_at__gte=start
    )
    if (last := booked.order_by("-ends_at").values_list("ends_at", flat=True).first()) is not None:
        start = last.astimezone(tz).replace(minute=0, second=0, microsecond=0) + dt.timedelta(
            hours=1
        )
    simulator, _created = Resource.objects.get_or_create(
        name="Benchmark simulator", defaults={"kind": "simulator", "capacity": 1}
    )
    slots = [
        [
            0,
            (start + dt.timedelta(hours=2 * i)).strftime(FORMAT),
            (start + dt.timedelta(hours=2 * i + 2)).strftime(FORMAT),
        ]
        for i in range(size)
    ]
    return slots, simulator


def _listed(sessions: list[TrainingSession]) -> list:
    tz = sessions[0].trainer.time_zone
    return [
        [
            s.pk,
            s.starts_at.astimezone(tz).strftime(FORMAT),
            s.ends_at.astimezone(tz).strftime(FORMAT),
        ]
        for s in sessions
    ]


def main(pool_size: int, other_pool_size: int) -> None:
    cohort = Cohort.objects.get(name=BIG_COHORT)
    trainee = cohort.trainees.select_related("user").order_by("pk").first()
    _pools_clear()
    sessions = _pool(cohort, pool_size)
    # The writes mixed into the reads of the big cohort go to another cohort of the scale data.
    other = (
        Cohort.objects.filter(revision=cohort.revision, trainers__username=SCALE_TRAINER)
        .exclude(pk=cohort.pk)
        .order_by("name")
        .first()
    )
    others = _pool(other, other_pool_size, skip=pool_size + 1) if other is not None else []
    slots, simulator = _schedule_slots(cohort, pool_size)
    # The timetables' week: of the last session of the cohort of 100 in the scale centre (which
    # every scale cohort's sessions book) a week before the pools, which put a session an hour
    # into the weeks they cover: a week as the scale year lays it out.
    centre = Resource.objects.get(name=SCALE_CENTRE)
    pooled_from = min(s.starts_at for s in [*sessions, *others])
    booked = TrainingSession.objects.filter(cohort=cohort, resources=centre).order_by("starts_at")
    last = booked.filter(starts_at__lt=pooled_from - dt.timedelta(days=7)).last() or booked.first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, after the bulk inserts
    print(
        json.dumps(
            {
                "trainee_username": trainee.user.username,
                "trainee_pk": trainee.pk,
                "trainer_username": SCALE_TRAINER,
                "admin_username": ADMIN_USERNAME,
                "cohort_pk": cohort.pk,
                "cohort_trainees": cohort.trainees.count(),
                "modules": cohort.revision.modules.count(),
                "trainee_attendances": trainee.attendances.count(),
                "form_session": sessions[0].pk,
                "api_token": _api_token(sessions[0].trainer),
                "pool": _listed(sessions[1:]),
                "other_cohort_pk": other.pk if other is not None else None,
                "other_form_session": others[0].pk if others else None,
                "other_pool": _listed(others[1:]) if others else [],
                "schedule_module": cohort.revision.modules.order_by("order").first().pk,
                "schedule_trainer": sessions[0].trainer_id,
                "schedule_resource": simulator.pk,
                "schedule_trainees": sorted(
                    cohort.trainees.filter(status="in_training")
                    .exclude(pk__in=MedicalHold.objects.open().values("trainee"))
                    .values_list("pk", flat=True)
                ),
                "schedule_slots": slots,
                "timetable_resource": centre.pk,
                "timetable_on": timezone.localdate(
                    last.starts_at, last.trainer.time_zone
                ).isoformat(),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
