"""Scale data for benchmarks (`seed_demo --scale N`): a decade-sized training centre in miniature.

A programme of 60 modules, N cohorts of 20 trainees plus one cohort of 100, and a year of
training per trainee (one four-hour session every weekday but the holidays: about 250
attendances), with the session grades, the assessment results and their grades, and the fitness
measurements. Everything is written with bulk inserts (with history where the model keeps one)
in batches, from a fixed random seed and dates counted back from today, so two runs on the same
day build the same records.

It lives beside `demo.seed` and never touches the demo cohorts: the demo logins keep working.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from curriculum.models import AssessmentDefinition, Competency, Module, Programme, ProgrammeRevision
from curriculum.services import revision_publish
from trainees.models import (
    MAX_CAPACITY,
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    Resource,
    ResourceKind,
    SessionAttendance,
    SessionResource,
    SessionTrainee,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)

from . import plan as demo_plan
from .plan import scale_calendar
from .seed import cohorts_records_remove

SCALE_PROGRAMME_CODE = "scale-bench"
SCALE_PREFIX = "scale-"
SCALE_TRAINER = "scale-trainer"
BIG_COHORT = "Scale cohort of 100"
SCALE_CENTRE = "Scale training centre"  # the resource every scale session books
MODULE_COUNT = 60
COHORT_SIZE = 20
BIG_COHORT_SIZE = 100
SESSION_HOURS = 4
SESSIONS_PER_MODULE = 4  # 60 modules x 4 = 240 sessions; the year's other weekdays repeat drills
BATCH = 2000
CATEGORIES = ["physical", "spacecraft", "emergency", "science"]


def scale_cohort_names(scale: int) -> list[str]:
    return [f"Scale cohort {i:02d}" for i in range(1, scale + 1)] + [BIG_COHORT]


def scale_present() -> bool:
    return Cohort.objects.filter(revision__programme__code=SCALE_PROGRAMME_CODE).exists()


@transaction.atomic
def scale_remove() -> None:
    """Delete every scale cohort, its records and its people (for `--refresh`)."""
    cohorts = Cohort.objects.filter(revision__programme__code=SCALE_PROGRAMME_CODE)
    user_ids = list(Trainee.objects.filter(cohort__in=cohorts).values_list("user", flat=True))
    cohorts_records_remove(cohorts)
    User.objects.filter(pk__in=user_ids).delete()


def _bulk(model, rows, **history) -> list:
    """Insert in batches, with a history row each where the model keeps a history."""
    if hasattr(model, "history"):
        return bulk_create_with_history(rows, model, batch_size=BATCH, **history)
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _scale_revision(*, admin: User) -> ProgrammeRevision:
    programme, _ = Programme.objects.get_or_create(
        code=SCALE_PROGRAMME_CODE,
        defaults={
            "name": "Scale benchmark programme",
            "description": "Sixty modules, for measuring the pages with a year of records.",
        },
    )
    revision, _ = ProgrammeRevision.objects.get_or_create(
        programme=programme, number=1, defaults={"summary": "Benchmark curriculum."}
    )
    if revision.is_published:
        return revision
    revision.modules.all().delete()
    modules = Module.objects.bulk_create(
        Module(
            revision=revision,
            code=f"SB-{i:03d}",
            title=f"Benchmark module {i}",
            category=CATEGORIES[i % len(CATEGORIES)],
            required_hours=Decimal(SESSIONS_PER_MODULE * SESSION_HOURS),
            order=i,
        )
        for i in range(1, MODULE_COUNT + 1)
    )
    Competency.objects.bulk_create(
        Competency(
            module=m, code=f"{m.code}-{c}", title=f"Competency {c}", behaviours="Observed", order=c
        )
        for m in modules
        for c in (1, 2)
    )
    # Every third module ends with a written examination judged by its pass mark.
    AssessmentDefinition.objects.bulk_create(
        AssessmentDefinition(
            module=m,
            code=f"{m.code}-X",
            title=f"Examination {m.order}",
            kind=AssessmentDefinition.Kind.WRITTEN_EXAM,
            max_score=100,
            pass_score=70,
            max_attempts=3,
        )
        for m in modules
        if m.order % 3 == 0
    )
    return revision_publish(revision=revision, by=admin)


class _ScaleBuilder:
    def __init__(self, *, revision, admin, trainer, medic, today: dt.date):
        self.revision = revision
        self.admin, self.trainer, self.medic = admin, trainer, medic
        self.today = today
        self.tz = timezone.get_default_timezone()
        self.random = random.Random(1012)  # noqa: S311 -- benchmark data, not secrets
        self.modules = list(
            revision.modules.order_by("order").prefetch_related("competencies", "assessments")
        )
        self.password = make_password("tiangong-demo")
        self.trainee_group = Group.objects.get(name=Role.TRAINEE)
        # The year ends before this week, whatever today is (`demo.plan.scale_calendar`).
        self.starts_on, self.days = scale_calendar(today=today)
        self.centre, _created = Resource.objects.get_or_create(
            name=SCALE_CENTRE,
            defaults={"kind": ResourceKind.CLASSROOM, "capacity": MAX_CAPACITY},
        )

    def week(self, day: dt.date) -> int:
        return (day - self.starts_on).days // 7 + 1

    def schedule(self) -> list[tuple[dt.date, Module]]:
        """Each module's four sessions in order, then drills of the first modules again."""
        plan = []
        for index, day in enumerate(self.days):
            position = index // SESSIONS_PER_MODULE
            plan.append((day, self.modules[position % len(self.modules)]))
        return plan

    def cohort(self, name: str, size: int, number: int) -> None:
        cohort = Cohort.objects.create(
            name=name,
            revision=self.revision,
            starts_on=self.starts_on,
            ends_on=self.starts_on + dt.timedelta(weeks=demo_plan.SCALE_WEEKS + 4),
        )
        cohort.trainers.set([self.trainer])
        plan = self.schedule()
        weeks = {}
        for day, module in plan:
            first, last = weeks.get(module.pk, (self.week(day), self.week(day)))
            weeks[module.pk] = (min(first, self.week(day)), max(last, self.week(day)))
        CohortPlanEntry.objects.bulk_create(
            CohortPlanEntry(
                cohort=cohort, module=m, start_week=weeks[m.pk][0], end_week=weeks[m.pk][1]
            )
            for m in self.modules
        )
        trainees = self.people(cohort, size, number)
        self.train(cohort, trainees, plan)

    def people(self, cohort: Cohort, size: int, number: int) -> list[Trainee]:
        users = _bulk(
            User,
            [
                User(
                    username=f"{SCALE_PREFIX}{number:02d}-{i:03d}",
                    display_name=f"Scale trainee {number}.{i}",
                    email=f"{SCALE_PREFIX}{number:02d}-{i:03d}@tracker.invalid",
                    password=self.password,
                    preferred_language="en",
                    time_zone="Asia/Shanghai",
                )
                for i in range(1, size + 1)
            ],
            default_user=self.admin,
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=u.pk, group_id=self.trainee_group.pk) for u in users
        )
        trainees = _bulk(
            Trainee,
            [
                Trainee(
                    user=u,
                    cohort=cohort,
                    agency="cmsa",
                    nationality="CN",
                    crew_role=["commander", "flight_engineer", "payload_specialist"][i % 3],
                    status=Trainee.Status.IN_TRAINING,
                    status_since=self.starts_on,
                )
                for i, u in enumerate(users)
            ],
            default_user=self.admin,
        )
        _bulk(
            TraineeStatusChange,
            [
                TraineeStatusChange(
                    trainee=t,
                    status=Trainee.Status.IN_TRAINING,
                    effective_on=self.starts_on,
                    reason=f"Enrolled in {cohort.name}.",
                    recorded_by=self.admin,
                )
                for t in trainees
            ],
            default_user=self.admin,
        )
        issued = self.today - dt.timedelta(days=90)
        _bulk(
            MedicalCertificate,
            [
                MedicalCertificate(
                    trainee=t,
                    kind=kind,
                    issued_on=issued,
                    expires_on=issued + dt.timedelta(days=365),
                    examiner="Aeromedical board",
                    recorded_by=self.medic,
                )
                for t in trainees
                for kind in MedicalCertificate.Kind.values
            ],
            default_user=self.medic,
        )
        return trainees

    def attendance(self) -> tuple[str, Decimal]:
        roll = self.random.random()
        if roll < 0.03:
            return SessionAttendance.Attendance.ABSENT, Decimal(0)
        if roll < 0.06:
            return SessionAttendance.Attendance.EXCUSED, Decimal(0)
        if roll < 0.09:
            return SessionAttendance.Attendance.LATE, Decimal("3.5")
        return SessionAttendance.Attendance.PRESENT, Decimal(SESSION_HOURS)

    def grade(self) -> int | None:
        return None if self.random.random() < 0.08 else self.random.choice([2, 3, 3, 4, 4, 4, 5])

    def train(self, cohort: Cohort, trainees: list[Trainee], plan) -> None:
        sessions = []
        for day, module in plan:
            starts_at = dt.datetime.combine(day, dt.time(9), tzinfo=self.tz)
            sessions.append(
                TrainingSession(
                    cohort=cohort,
                    module=module,
                    trainer=self.trainer,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(hours=SESSION_HOURS),
                    status=TrainingSession.Status.COMPLETED,
                )
            )
        sessions = _bulk(TrainingSession, sessions, default_user=self.trainer)
        held = {"scheduled": False}  # completed: the booking rows hold no time any more
        SessionTrainee.objects.bulk_create(
            (
                SessionTrainee(
                    session=s, trainee=t, starts_at=s.starts_at, ends_at=s.ends_at, **held
                )
                for s in sessions
                for t in trainees
            ),
            batch_size=BATCH,
        )
        SessionResource.objects.bulk_create(
            SessionResource(
                session=s,
                resource=self.centre,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                exclusive=False,
                **held,
            )
            for s in sessions
        )
        attendances = []
        for session in sessions:
            for trainee in trainees:
                kind, hours = self.attendance()
                attendances.append(
                    SessionAttendance(
                        session=session, trainee=trainee, attendance=kind, hours_credited=hours
                    )
                )
        attendances = _bulk(SessionAttendance, attendances, default_user=self.trainer)
        grades, measurements = [], []
        for a in attendances:
            if a.hours_credited == 0:
                continue
            module = a.session.module
            grades += [
                CompetencyGrade(attendance=a, competency=c, grade=self.grade())
                for c in module.competencies.all()
            ]
            if module.category == "physical":
                measurements += self.measure(a)
        _bulk(CompetencyGrade, grades, default_user=self.trainer)
        _bulk(Measurement, measurements, default_user=self.trainer)
        self.assess(sessions, attendances)

    def measure(self, a: SessionAttendance) -> list[Measurement]:
        week = Decimal(self.week(a.session.starts_at.date()))
        level = a.trainee.pk % 7
        values = {
            Measurement.Metric.VO2MAX: 40 + level + week / 10,
            Measurement.Metric.RESTING_HEART_RATE: 64 - level - week / 20,
            Measurement.Metric.BODY_MASS: 62 + a.trainee.pk % 11,
            Measurement.Metric.GRIP_STRENGTH: 38 + level + week / 15,
        }
        return [
            Measurement(
                trainee=a.trainee,
                metric=metric,
                value=Decimal(value).quantize(Decimal("0.1")),
                unit=Measurement.SPECS[metric][0],
                taken_at=a.session.ends_at,
                attendance=a,
                recorded_by=self.trainer,
            )
            for metric, value in values.items()
        ]

    def assess(self, sessions, attendances) -> None:
        """After a module's last session, each trainee with its hours sits its examination."""
        hours, last = {}, {}
        for a in attendances:
            key = (a.trainee, a.session.module)
            hours[key] = hours.get(key, 0) + a.hours_credited
            last[a.session.module] = max(
                last.get(a.session.module, a.session.ends_at), a.session.ends_at
            )
        results = []
        for (trainee, module), credited in hours.items():
            definition = next(iter(module.assessments.all()), None)
            if definition is None or credited < module.required_hours:
                continue
            score = self.random.randint(60, 98)
            taken_at = last[module] + dt.timedelta(hours=1)
            results.append(
                AssessmentResult(
                    definition=definition,
                    trainee=trainee,
                    attempt=1,
                    taken_at=taken_at,
                    score=score,
                    passed=score >= definition.pass_score,
                    assessor=self.trainer,
                    signed_by=self.trainer,
                    signed_at=taken_at + dt.timedelta(minutes=30),
                    signature_meaning="assessed",
                    signature_method="password",
                )
            )
        results = _bulk(AssessmentResult, results, default_user=self.trainer)
        _bulk(
            CompetencyGrade,
            [
                CompetencyGrade(result=r, competency=c, grade=self.random.choice([3, 4, 4, 5]))
                for r in results
                for c in r.definition.module.competencies.all()
            ],
            default_user=self.trainer,
        )


@transaction.atomic
def scale_records_ensure(*, scale: int, people: list[User]) -> bool:
    """Build the scale programme, cohorts and records unless present. True if it built them."""
    if scale_present():
        return False
    by_name = {p.username: p for p in people}
    admin, medic = by_name["admin"], by_name["medic"]
    trainer, _ = User.objects.get_or_create(
        username=SCALE_TRAINER,
        defaults={
            "display_name": "Scale Trainer",
            "email": f"{SCALE_TRAINER}@tracker.invalid",
            "password": make_password("tiangong-demo"),
            "time_zone": "Asia/Shanghai",
        },
    )
    trainer.groups.add(Group.objects.get(name=Role.TRAINER))
    revision = _scale_revision(admin=admin)
    builder = _ScaleBuilder(
        revision=revision, admin=admin, trainer=trainer, medic=medic, today=timezone.localdate()
    )
    for number, name in enumerate(scale_cohort_names(scale), start=1):
        size = BIG_COHORT_SIZE if name == BIG_COHORT else COHORT_SIZE
        builder.cohort(name, size, number)
    # Fresh planner statistics: without them PostgreSQL takes the new tables for empty and
    # picks nested loops over 25,000 rows (the board's hours query: 240 ms instead of 20 ms).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
