"""The demo programme: its people, curriculum, cohorts and three months of records.

Everything here is idempotent: running it again updates the people and leaves the curriculum and
the records as they are (`seed_demo --refresh` rebuilds the records, dated from today).
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from accounts.services import user_set_roles
from curriculum.models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    Qualification,
)
from curriculum.services import revision_publish

from .demo_curriculum import MODULES, QUALIFICATIONS
from .models import (
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    SessionLogDraft,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)
from .services import (
    assessment_record,
    drill_renewals_grant,
    medical_certificate_record,
    medical_hold_close,
    medical_hold_open,
    module_qualifications_grant,
    trainee_enrol,
    trainee_status_change,
)

DEMO_PASSWORD = "tiangong-demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    native_name: str
    role: Role
    language: str
    time_zone: str
    description: str
    superuser: bool = False


DEMO_PEOPLE = [
    DemoPerson(
        "admin",
        "Chen Jing",
        "陈静",
        Role.PROGRAMME_ADMIN,
        "en",
        "Asia/Shanghai",
        "programme admin: curriculum, cohorts and people",
    ),
    DemoPerson(
        "trainer",
        "Li Hao",
        "李浩",
        Role.TRAINER,
        "en",
        "Asia/Shanghai",
        "trainer of the payload specialist cohort",
    ),
    DemoPerson(
        "trainer2",
        "Zhou Min",
        "周敏",
        Role.TRAINER,
        "zh-hans",
        "Asia/Shanghai",
        "trainer of the second cohort (reads Chinese)",
    ),
    DemoPerson(
        "trainee",
        "Ayesha Khan",
        "عائشہ خان",
        Role.TRAINEE,
        "ur",
        "Asia/Shanghai",
        "Pakistani payload specialist (reads Urdu)",
    ),
    DemoPerson(
        "trainee2",
        "Zhao Lei",
        "赵磊",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "Chinese astronaut (reads Chinese)",
    ),
    DemoPerson(
        "medic",
        "Sun Li",
        "孙丽",
        Role.MEDICAL_OFFICER,
        "en",
        "Asia/Shanghai",
        "medical officer: holds and certificates",
    ),
    DemoPerson(
        "hamza",
        "Hamza Qureshi",
        "حمزہ قریشی",
        Role.TRAINEE,
        "ur",
        "Asia/Shanghai",
        "Pakistani payload specialist, behind plan",
    ),
    DemoPerson(
        "wangfang",
        "Wang Fang",
        "王芳",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "flight engineer, payload specialist cohort",
    ),
    DemoPerson(
        "liuchen",
        "Liu Chen",
        "刘晨",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "flight engineer, payload specialist cohort",
    ),
    DemoPerson(
        "gaoyan",
        "Gao Yan",
        "高岩",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "commander, on medical hold",
    ),
    DemoPerson(
        "yangbo",
        "Yang Bo",
        "杨波",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "second cohort, ready for flight assignment",
    ),
    DemoPerson(
        "xuning",
        "Xu Ning",
        "徐宁",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "second cohort, an emergency drill currency expired",
    ),
    DemoPerson(
        "tanghui",
        "Tang Hui",
        "唐慧",
        Role.TRAINEE,
        "zh-hans",
        "Asia/Shanghai",
        "second cohort, assigned to a flight",
    ),
    DemoPerson(
        "operator",
        "Site Operator",
        "",
        Role.PROGRAMME_ADMIN,
        "en",
        "UTC",
        "superuser for the Django admin at /admin/",
        superuser=True,
    ),
]


@transaction.atomic
def demo_people_ensure() -> list[User]:
    """Create or refresh every demo person, with their role and the demo password.

    Saves only what differs, so that a second run adds nothing to anyone's history.
    """
    people = []
    for person in DEMO_PEOPLE:
        wanted = {
            "display_name": person.display_name,
            "native_name": person.native_name,
            "email": f"{person.username}@tracker.invalid",
            "preferred_language": person.language,
            "time_zone": person.time_zone,
            "is_active": True,
            "is_staff": person.superuser,
            "is_superuser": person.superuser,
        }
        user, created = User.objects.get_or_create(username=person.username, defaults=wanted)
        current = {field: getattr(user, field) for field in wanted}
        current["time_zone"] = str(current["time_zone"])  # a ZoneInfo
        changed = [field for field, value in wanted.items() if current[field] != value]
        if changed:
            for field in changed:
                setattr(user, field, wanted[field])
            user.save(update_fields=changed)
        if created or not user.check_password(DEMO_PASSWORD):
            # The password is not part of a person's history (accounts.User.history).
            User.objects.filter(pk=user.pk).update(password=make_password(DEMO_PASSWORD))
        user_set_roles(user=user, roles=[person.role])
        people.append(user)
    return people


# Curriculum ------------------------------------------------------------------------------------

PROGRAMME_CODE = "tiangong-crew"


@transaction.atomic
def demo_curriculum_ensure(*, people: list[User]) -> ProgrammeRevision:
    """The programme and its first revision, published, and who may assess what.

    The revision's content is left alone once published; the authorised assessors, which may
    change on a published revision, are set on every run.
    """
    by_name = {p.username: p for p in people}
    revision = _demo_revision_ensure(admin=by_name["admin"])
    trainers = [by_name["trainer"], by_name["trainer2"]]
    for definition in AssessmentDefinition.objects.filter(module__revision=revision):
        board = definition.kind == AssessmentDefinition.Kind.QUALIFICATION_BOARD
        definition.assessors.set([*trainers, by_name["admin"]] if board else trainers)
    return revision


def _demo_revision_ensure(*, admin: User) -> ProgrammeRevision:
    programme, _ = Programme.objects.get_or_create(
        code=PROGRAMME_CODE,
        defaults={
            "name": "Tiangong crew training",
            "description": "Training of Chinese astronauts and payload specialists of partner "
            "agencies for flights to the Tiangong station.",
        },
    )
    revision, _ = ProgrammeRevision.objects.get_or_create(
        programme=programme,
        number=1,
        defaults={"summary": "First curriculum of the joint programme."},
    )
    if revision.is_published:
        return revision
    revision.modules.all().delete()
    modules = {}
    for order, spec in enumerate(MODULES, start=1):
        module = Module.objects.create(
            revision=revision,
            code=spec.code,
            title=spec.title,
            category=spec.category,
            description=spec.description,
            required_hours=Decimal(spec.hours),
            order=order,
        )
        modules[spec.code] = module
        competencies = {
            code: Competency.objects.create(
                module=module, code=code, title=title, behaviours=behaviours, order=index
            )
            for index, (code, title, behaviours) in enumerate(spec.competencies, start=1)
        }
        if spec.assessment:
            a = spec.assessment
            definition = AssessmentDefinition.objects.create(
                module=module,
                code=a.code,
                title=a.title,
                kind=a.kind,
                max_score=a.max_score,
                pass_score=a.pass_score,
                max_attempts=a.max_attempts,
            )
            for code, minimum in a.minimum_grades.items():
                AssessmentCriterion.objects.create(
                    definition=definition, competency=competencies[code], minimum_grade=minimum
                )
    for spec in MODULES:
        for required in spec.prerequisites:
            Prerequisite.objects.create(
                module=modules[spec.code], required_module=modules[required]
            )
    for q in QUALIFICATIONS:
        module = modules[q.module]
        definition = module.assessments.first() if q.by_assessment else None
        Qualification.objects.create(
            revision=revision,
            code=q.code,
            title=q.title,
            conferred_by_module=None if definition else module,
            conferred_by_assessment=definition,
            validity_days=q.validity_days,
            grace_days=q.grace_days,
            renewed_by_assessment=definition if q.validity_days and definition else None,
            renewed_by_module=module if q.renewed_by_drill else None,
        )
    return revision_publish(revision=revision, by=admin)


# Cohorts and records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTrainee:
    username: str
    agency: str
    nationality: str
    crew_role: str


@dataclass(frozen=True)
class DemoCohort:
    name: str
    trainer: str
    weeks_ago: int
    trainees: list[DemoTrainee]


PAYLOAD_COHORT = DemoCohort(
    "Payload specialist cohort 2026",
    "trainer",
    13,
    [
        DemoTrainee("trainee", "suparco", "PK", "payload_specialist"),
        DemoTrainee("hamza", "suparco", "PK", "payload_specialist"),
        DemoTrainee("trainee2", "cmsa", "CN", "commander"),
        DemoTrainee("wangfang", "cmsa", "CN", "flight_engineer"),
        DemoTrainee("liuchen", "cmsa", "CN", "flight_engineer"),
        DemoTrainee("gaoyan", "cmsa", "CN", "commander"),
    ],
)
CREW_COHORT = DemoCohort(
    "Shenzhou crew cohort 2025",
    "trainer2",
    40,
    [
        DemoTrainee("yangbo", "cmsa", "CN", "commander"),
        DemoTrainee("xuning", "cmsa", "CN", "flight_engineer"),
        DemoTrainee("tanghui", "cmsa", "CN", "flight_engineer"),
    ],
)
DEMO_COHORTS = [PAYLOAD_COHORT, CREW_COHORT]
SESSION_HOURS = 4
LOCATIONS = {
    "physical": "Physical training centre",
    "spacecraft": "Simulator hall",
    "emergency": "Survival training ground",
    "science": "Payload laboratory",
}


def demo_records_present() -> bool:
    return Cohort.objects.filter(name__in=[c.name for c in DEMO_COHORTS]).exists()


@transaction.atomic
def demo_records_remove() -> None:
    """Delete the demo cohorts and every record made in them (for `seed_demo --refresh`)."""
    cohorts = Cohort.objects.filter(name__in=[c.name for c in DEMO_COHORTS])
    trainees = Trainee.objects.filter(cohort__in=cohorts)
    attendances = SessionAttendance.objects.filter(trainee__in=trainees)
    results = AssessmentResult.objects.filter(trainee__in=trainees)
    CompetencyGrade.objects.filter(attendance__in=attendances).delete()
    CompetencyGrade.objects.filter(result__in=results).delete()
    Measurement.objects.filter(trainee__in=trainees).delete()
    QualificationGrant.objects.filter(trainee__in=trainees).delete()
    results.delete()
    attendances.delete()
    SessionLogDraft.objects.filter(session__cohort__in=cohorts).delete()
    TrainingSession.objects.filter(cohort__in=cohorts).delete()
    TraineeStatusChange.objects.filter(trainee__in=trainees).delete()
    MedicalHold.objects.filter(trainee__in=trainees).delete()
    MedicalCertificate.objects.filter(trainee__in=trainees).delete()
    trainees.delete()
    cohorts.delete()


class _Builder:
    """Three months of a cohort's training, generated from its plan, the same on every run."""

    def __init__(self, *, revision: ProgrammeRevision, people: dict[str, User], today: dt.date):
        self.revision = revision
        self.people = people
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_default_timezone()
        self.random = random.Random(2026)  # noqa: S311 -- demo data, not secrets
        self.modules = {
            m.code: m
            for m in revision.modules.prefetch_related(
                "competencies", "assessments__criteria", "qualifications_renewed"
            )
        }

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)

    def cohort(self, spec: DemoCohort) -> Cohort:
        starts_on = self.today - dt.timedelta(weeks=spec.weeks_ago)
        # Start on a Monday, as training weeks do.
        starts_on -= dt.timedelta(days=starts_on.weekday())
        cohort = Cohort.objects.create(
            name=spec.name,
            revision=self.revision,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(weeks=26),
        )
        cohort.trainers.set([self.people[spec.trainer]])
        bulk_create_with_history(
            [
                CohortPlanEntry(
                    cohort=cohort,
                    module=self.modules[m.code],
                    start_week=m.plan_weeks[0],
                    end_week=m.plan_weeks[1],
                )
                for m in MODULES
            ],
            CohortPlanEntry,
        )
        trainees = [
            trainee_enrol(
                user=self.people[t.username],
                cohort=cohort,
                agency=t.agency,
                nationality=t.nationality,
                crew_role=t.crew_role,
                by=self.people["admin"],
                on=starts_on,
            )
            for t in spec.trainees
        ]
        return cohort, trainees

    def session_days(self, cohort: Cohort, start_week: int, end_week: int, count: int):
        """`count` weekdays spread evenly over the planned weeks."""
        first = cohort.week_start(start_week)
        weekdays = [
            first + dt.timedelta(days=d)
            for d in range((end_week - start_week + 1) * 7)
            if (first + dt.timedelta(days=d)).weekday() < 5
        ]
        step = len(weekdays) / count
        return [weekdays[int(i * step)] for i in range(count)]

    def attendance_for(self, username: str, day: dt.date) -> str:
        """Who missed what: the behind-plan trainee missed weeks, the held one is excused."""
        if username == "hamza" and self.today - dt.timedelta(weeks=9) <= day < self.today - (
            dt.timedelta(weeks=4)
        ):
            return SessionAttendance.Attendance.EXCUSED
        if username == "gaoyan" and day >= self.today - dt.timedelta(days=10):
            return SessionAttendance.Attendance.EXCUSED
        if username == "hamza" and day == self.today - dt.timedelta(weeks=4) + dt.timedelta(
            days=(7 - (self.today - dt.timedelta(weeks=4)).weekday()) % 7
        ):
            return SessionAttendance.Attendance.LATE
        return SessionAttendance.Attendance.PRESENT

    def grade(self) -> int | None:
        roll = self.random.random()
        if roll < 0.08:
            return None  # not observed
        return self.random.choice([3, 3, 4, 4, 4, 5, 2])

    def train(self, cohort: Cohort, trainees: list[Trainee], trainer: User) -> None:
        for spec in MODULES:
            module = self.modules[spec.code]
            days = self.session_days(cohort, *spec.plan_weeks, spec.hours // SESSION_HOURS)
            held = []
            for day in days:
                starts_at = self.at(day, 9 if len(held) % 2 == 0 else 14)
                if starts_at > self.now + dt.timedelta(weeks=2):
                    break
                done = starts_at + dt.timedelta(hours=SESSION_HOURS) < self.now
                session = self.session(cohort, module, trainer, starts_at, done=done)
                if done:
                    held.append(self.log(session, trainees, trainer))
            if len(held) == len(days):
                self.assess(module, held, trainer)

    def session(self, cohort, module, trainer, starts_at, *, done: bool, notes: str = ""):
        session = TrainingSession.objects.create(
            cohort=cohort,
            module=module,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=SESSION_HOURS),
            location=LOCATIONS[module.category],
            status=TrainingSession.Status.COMPLETED if done else TrainingSession.Status.SCHEDULED,
            notes=notes,
        )
        session.trainees.set(cohort.trainees.filter(status=Trainee.Status.IN_TRAINING))
        return session

    def log(self, session: TrainingSession, trainees: list[Trainee], trainer: User):
        """Attendance, grades and (for fitness work) measurements of one completed session."""
        attendances = []
        for trainee in trainees:
            kind = self.attendance_for(trainee.user.username, session.starts_at.date())
            hours = {"present": Decimal(SESSION_HOURS), "late": Decimal("3.5")}.get(kind, 0)
            attendance = SessionAttendance(
                session=session,
                trainee=trainee,
                attendance=kind,
                hours_credited=hours,
                remarks=""
                if kind == "present"
                else "Arrived after the briefing."
                if kind == "late"
                else "Excused by the programme office.",
            )
            attendance.clean()
            attendances.append(attendance)
        attendances = bulk_create_with_history(
            attendances, SessionAttendance, default_user=trainer, default_date=session.ends_at
        )
        present = [a for a in attendances if a.hours_credited > 0]
        grades = [
            CompetencyGrade(attendance=a, competency=c, grade=self.grade())
            for a in present
            for c in session.module.competencies.all()
        ]
        bulk_create_with_history(
            grades, CompetencyGrade, default_user=trainer, default_date=session.ends_at
        )
        if session.module.code == "PC-101":
            self.measure(present, session, trainer)
        return session, attendances

    def measure(self, attendances, session, trainer) -> None:
        week = (session.starts_at.date() - session.cohort.starts_on).days / 7
        rows = []
        for a in attendances:
            base = 40 + (a.trainee.pk % 7)  # each trainee's own level
            values = {
                Measurement.Metric.VO2MAX: base + Decimal(week) / 3,
                Measurement.Metric.RESTING_HEART_RATE: 64 - (a.trainee.pk % 5) - Decimal(week) / 4,
                Measurement.Metric.BODY_MASS: 62 + (a.trainee.pk % 11),
                Measurement.Metric.GRIP_STRENGTH: 38 + (a.trainee.pk % 9) + Decimal(week) / 5,
            }
            for metric, value in values.items():
                rows.append(
                    Measurement(
                        trainee=a.trainee,
                        metric=metric,
                        value=Decimal(value).quantize(Decimal("0.1")),
                        unit=Measurement.SPECS[metric][0],
                        taken_at=session.ends_at,
                        attendance=a,
                        recorded_by=trainer,
                    )
                )
        bulk_create_with_history(
            rows, Measurement, default_user=trainer, default_date=session.ends_at
        )

    def assess(self, module: Module, held, trainer: User) -> None:
        """Each trainee with the hours takes the module's assessment after its last session."""
        definition = next(iter(module.assessments.all()), None)
        last_session, _attendances = held[-1]
        credited = {}
        for _session, attendances in held:
            for a in attendances:
                credited[a.trainee] = credited.get(a.trainee, 0) + a.hours_credited
        for trainee, hours in credited.items():
            if hours < module.required_hours:
                continue
            taken_at = last_session.ends_at + dt.timedelta(hours=1)
            if definition is None:
                module_qualifications_grant(
                    trainee=trainee, module=module, on=taken_at.date(), by=trainer
                )
                continue
            if taken_at > self.now:
                continue
            failing = trainee.user.username == "trainee" and module.code == "SO-201"
            self.attempt(definition, trainee, taken_at, trainer, fail=failing)
            retake = taken_at + dt.timedelta(days=7)
            if failing and retake < self.now:
                self.attempt(definition, trainee, retake, trainer, fail=False)

    def attempt(self, definition, trainee, taken_at, trainer, *, fail: bool) -> None:
        criteria = list(definition.criteria.all())
        score = None
        if definition.pass_score is not None:
            score = (
                definition.pass_score - 11
                if fail
                else min(definition.max_score, definition.pass_score + self.random.randint(2, 20))
            )
        grades = {
            c.competency: max(c.minimum_grade, self.random.choice([3, 4, 4, 5])) for c in criteria
        }
        assessment_record(
            trainee=trainee,
            definition=definition,
            assessor=trainer,
            taken_at=taken_at,
            score=score,
            grades=grades,
            # Signed by the trainer, an authorised assessor, as they debriefed it.
            sign=True,
            signed_at=min(taken_at + dt.timedelta(minutes=30), self.now),
            remarks="Debriefed; retake after a week of revision." if fail else "",
        )

    def recurrent_drills(self, cohort, trainees, trainer, *, days_ago: int, absent: set[str]):
        """Renewal drills: attending one renews the currency it keeps, from that day."""
        for code in ("ER-301", "ER-302"):
            session = self.session(
                cohort,
                self.modules[code],
                trainer,
                self.at(self.today - dt.timedelta(days=days_ago), 9),
                done=True,
                notes="Recurrent drill.",
            )
            for trainee in trainees:
                kind = "excused" if trainee.user.username in absent else "present"
                attendance = SessionAttendance.objects.create(
                    session=session,
                    trainee=trainee,
                    attendance=kind,
                    hours_credited=SESSION_HOURS if kind == "present" else 0,
                    remarks="" if kind == "present" else "On leave; drill to be rescheduled.",
                )
                drill_renewals_grant(attendance=attendance, by=trainer)


@transaction.atomic
def demo_records_ensure(*, revision: ProgrammeRevision, people: list[User]) -> bool:
    """Create the demo cohorts and their records unless they exist. True if it created them."""
    if demo_records_present():
        return False
    by_name = {p.username: p for p in people}
    medic, admin = by_name["medic"], by_name["admin"]
    builder = _Builder(revision=revision, people=by_name, today=timezone.localdate())
    for spec in DEMO_COHORTS:
        cohort, trainees = builder.cohort(spec)
        builder.train(cohort, trainees, by_name[spec.trainer])
        if spec is PAYLOAD_COHORT:
            # Held yesterday afternoon and not logged yet: the first thing on trainer's floor.
            latest = cohort.sessions.filter(status=TrainingSession.Status.COMPLETED).latest(
                "starts_at"
            )
            builder.session(
                cohort,
                latest.module,
                by_name[spec.trainer],
                builder.at(builder.today - dt.timedelta(days=1), 15),
                done=False,
                notes="Extra practice run requested by the crew.",
            )
        if spec is CREW_COHORT:
            builder.recurrent_drills(
                cohort, trainees, by_name[spec.trainer], days_ago=40, absent={"xuning"}
            )
            # The drill Xu Ning missed, rescheduled: something on trainer2's floor this week.
            builder.session(
                cohort,
                builder.modules["ER-301"],
                by_name[spec.trainer],
                builder.at(builder.today + dt.timedelta(days=5), 9),
                done=False,
                notes="Make-up recurrent drill.",
            )
            tang = next(t for t in trainees if t.user.username == "tanghui")
            trainee_status_change(
                trainee=tang,
                status=Trainee.Status.FLIGHT_ASSIGNED,
                effective_on=builder.today - dt.timedelta(days=14),
                reason="Assigned as flight engineer of the next Shenzhou crew.",
                by=admin,
            )
    # The demo cohorts' trainees only: seed_demo --scale adds thousands of others.
    trainees = {
        t.user.username: t
        for t in Trainee.objects.filter(
            cohort__name__in=[c.name for c in DEMO_COHORTS]
        ).select_related("user")
    }
    medical_hold_open(
        trainee=trainees["gaoyan"],
        opened_on=builder.today - dt.timedelta(days=10),
        reason="Vestibular symptoms after a centrifuge run; ENT review pending.",
        by=medic,
    )
    hold = medical_hold_open(
        trainee=trainees["trainee2"],
        opened_on=builder.today - dt.timedelta(days=60),
        reason="Upper respiratory infection.",
        by=medic,
    )
    medical_hold_close(
        hold=hold,
        closed_on=builder.today - dt.timedelta(days=52),
        note="Recovered; cleared for centrifuge and pool work.",
        by=medic,
    )
    demo_certificates_record(trainees=trainees, medic=medic, today=builder.today)
    return True


# Days before today each trainee's certificates were issued: a year's validity from then. Wang
# Fang's fitness certificate expires within the month, for the medical officer's list.
CERTIFICATES_ISSUED_DAYS_AGO = {"wangfang": {MedicalCertificate.Kind.FITNESS: 345}}


def demo_certificates_record(*, trainees: dict[str, Trainee], medic: User, today: dt.date) -> None:
    """A current medical and fitness certificate for every demo trainee, from their selection."""
    for username, trainee in sorted(trainees.items()):
        for kind in MedicalCertificate.Kind.values:
            days_ago = CERTIFICATES_ISSUED_DAYS_AGO.get(username, {}).get(kind, 90)
            issued_on = today - dt.timedelta(days=days_ago)
            medical_certificate_record(
                trainee=trainee,
                kind=kind,
                issued_on=issued_on,
                expires_on=issued_on + dt.timedelta(days=365),
                examiner="Astronaut Center of China, aeromedical board",
                restrictions="Corrective lenses in flight."
                if (username, kind) == ("trainee2", MedicalCertificate.Kind.MEDICAL)
                else "",
                by=medic,
            )
