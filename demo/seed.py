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
from curriculum.services import revision_publish, translation_save
from trainees.assessments.services import Signature, assessment_record, signature_of
from trainees.cohorts.services import trainee_enrol, trainee_status_change
from trainees.medical.services import (
    medical_certificate_record,
    medical_hold_close,
    medical_hold_open,
)
from trainees.models import (
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    Resource,
    ResourceKind,
    ResourceUnavailability,
    SessionAttendance,
    SessionLogDraft,
    SessionResource,
    SessionTrainee,
    Trainee,
    TraineeStatusChange,
    TrainerAuthorisation,
    TrainingSession,
)
from trainees.progress.services import drill_renewals_grant, module_qualifications_grant

from .curriculum import COHORT_TEXTS, MODULES, PROGRAMME_TEXTS, QUALIFICATIONS, TEXTS
from .plan import (
    COHORTS,
    DemoPlan,
    PlannedAttempt,
    PlannedCohort,
    PlannedSession,
    demo_plan,
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
            user.password = make_password(DEMO_PASSWORD)
            User.objects.filter(pk=user.pk).update(password=user.password)
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
    demo_translations_ensure(revision=revision, by=by_name["admin"])
    return revision


def demo_translations_ensure(*, revision: ProgrammeRevision, by: User) -> None:
    """The curriculum in Chinese and Urdu, as its translators left it (presentation, so written
    on the published revision too); a text already so translated is left alone."""
    objects = {revision.programme.code: revision.programme}
    for module in revision.modules.prefetch_related("competencies", "assessments"):
        objects[module.code] = module
        objects.update({c.code: c for c in module.competencies.all()})
        objects.update({a.code: a for a in module.assessments.all()})
    objects.update({q.code: q for q in revision.qualifications.all()})
    for language, texts in TEXTS.items():
        for code, translated in texts.items():
            obj = objects[code]
            for name, text in zip(obj.translated_fields, translated, strict=False):
                translation_save(obj=obj, name=name, language=language, text=text, by=by)
        for name, text in zip(("name", "description"), PROGRAMME_TEXTS[language], strict=True):
            translation_save(obj=revision.programme, name=name, language=language, text=text, by=by)


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

# The centre's resources: (name, kind, sessions at once, qualification required of trainees).
RESOURCES = [
    ("Physical training centre", ResourceKind.CLASSROOM, 4, ""),
    ("Shenzhou simulator hall", ResourceKind.SIMULATOR, 2, ""),
    ("Survival training ground", ResourceKind.SURVIVAL_SITE, 4, ""),
    ("Payload laboratory", ResourceKind.LABORATORY, 4, ""),
    ("Neutral buoyancy pool", ResourceKind.POOL, 1, "Q-WATER"),
    ("Human centrifuge", ResourceKind.CENTRIFUGE, 1, "Q-FIT"),
    ("Hypoxia chamber", ResourceKind.CHAMBER, 1, ""),
]
# Where each category's sessions are held.
LOCATIONS = {
    "physical": "Physical training centre",
    "spacecraft": "Shenzhou simulator hall",
    "emergency": "Survival training ground",
    "science": "Payload laboratory",
}
# Who is authorised to instruct which module (by code), beyond which no one is.
AUTHORISED = {"ER-303": ("trainer",)}
DEMO_COHORT_NAMES = list(COHORTS)


def demo_records_present() -> bool:
    return Cohort.objects.filter(name__in=DEMO_COHORT_NAMES).exists()


def cohorts_records_remove(cohorts) -> None:
    """Delete `cohorts`, their trainees and every record made in them, each kind in bulk and
    before what it points at (the records protect their trainee, session and cohort)."""
    trainees = Trainee.objects.filter(cohort__in=cohorts)
    sessions = TrainingSession.objects.filter(cohort__in=cohorts)
    attendances = SessionAttendance.objects.filter(session__in=sessions)
    results = AssessmentResult.objects.filter(trainee__in=trainees)
    CompetencyGrade.objects.filter(attendance__in=attendances).delete()
    CompetencyGrade.objects.filter(result__in=results).delete()
    Measurement.objects.filter(trainee__in=trainees).delete()
    QualificationGrant.objects.filter(trainee__in=trainees).delete()
    results.delete()
    attendances.delete()
    SessionLogDraft.objects.filter(session__in=sessions).delete()
    SessionTrainee.objects.filter(session__in=sessions).delete()
    SessionResource.objects.filter(session__in=sessions).delete()
    sessions.delete()
    TraineeStatusChange.objects.filter(trainee__in=trainees).delete()
    MedicalHold.objects.filter(trainee__in=trainees).delete()
    MedicalCertificate.objects.filter(trainee__in=trainees).delete()
    trainees.delete()
    cohorts.delete()


@transaction.atomic
def demo_records_remove() -> None:
    """Delete the demo cohorts and every record made in them (for `seed_demo --refresh`)."""
    cohorts_records_remove(Cohort.objects.filter(name__in=DEMO_COHORT_NAMES))


class _Writer:
    """Writes a `DemoPlan` through the services, in the plan's time order.

    The plan decides what happens when; the writer only adds what no promise depends on (the
    grades observed, the scores above the pass mark, the fitness measurements), from a fixed
    random seed, so two runs on the same day write the same records.
    """

    def __init__(self, *, plan: DemoPlan, revision: ProgrammeRevision, people: dict[str, User]):
        self.plan = plan
        self.revision = revision
        self.people = people
        self.random = random.Random(2026)  # noqa: S311 -- demo data, not secrets
        self.modules = {
            m.code: m
            for m in revision.modules.prefetch_related(
                "competencies", "assessments__criteria", "qualifications_renewed"
            )
        }
        self.cohorts: dict[str, Cohort] = {}
        self.trainees: dict[str, Trainee] = {}
        self.resources = {r.name: r for r in Resource.objects.filter(name__in=LOCATIONS.values())}
        self.signatures: dict[User, Signature] = {}

    def signature(self, trainer: User) -> Signature:
        """The trainer signs with the demo password, checked once (hashing it is slow on
        purpose)."""
        if trainer not in self.signatures:
            self.signatures[trainer] = signature_of(user=trainer, password=DEMO_PASSWORD)
        return self.signatures[trainer]

    def write(self) -> None:
        for spec in self.plan.cohorts:
            self.cohort(spec)
        trainers = {c.name: self.people[c.trainer] for c in self.plan.cohorts}
        for session in self.plan.sessions:
            self.session(session, trainers[session.cohort])
        for attempt in self.plan.attempts:
            self.attempt(attempt, trainers[attempt.cohort])
        for completion in self.plan.completions:
            cohort = self.plan.cohort_of(completion.username)
            module_qualifications_grant(
                trainee=self.trainees[completion.username],
                module=self.modules[completion.module],
                on=completion.on,
                by=self.people[cohort.trainer],
            )
        for change in self.plan.status_changes:
            trainee_status_change(
                trainee=self.trainees[change.username],
                status=change.status,
                effective_on=change.effective_on,
                reason=change.reason,
                by=self.people["admin"],
            )
        self.medical()

    def cohort(self, spec: PlannedCohort) -> None:
        cohort = Cohort.objects.create(
            name=spec.name, revision=self.revision, starts_on=spec.starts_on, ends_on=spec.ends_on
        )
        cohort.trainers.set([self.people[spec.trainer]])
        for language, text in COHORT_TEXTS.get(spec.name, {}).items():
            translation_save(
                obj=cohort, name="name", language=language, text=text, by=self.people["admin"]
            )
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
        for t in spec.trainees:
            self.trainees[t.username] = trainee_enrol(
                user=self.people[t.username],
                cohort=cohort,
                agency=t.agency,
                nationality=t.nationality,
                crew_role=t.crew_role,
                by=self.people["admin"],
                on=spec.starts_on,
            )
        self.cohorts[spec.name] = cohort

    def grade(self) -> int | None:
        roll = self.random.random()
        if roll < 0.08:
            return None  # not observed
        return self.random.choice([3, 3, 4, 4, 4, 5, 2])

    def session(self, planned: PlannedSession, trainer: User) -> None:
        module = self.modules[planned.module]
        session = TrainingSession.objects.create(
            cohort=self.cohorts[planned.cohort],
            module=module,
            trainer=trainer,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            status=TrainingSession.Status.COMPLETED
            if planned.logged
            else TrainingSession.Status.SCHEDULED,
            notes=planned.notes,
        )
        booked = planned.trainees or [
            t.username for t in self.plan.cohort_named(planned.cohort).trainees
        ]
        session.trainees.set([self.trainees[username] for username in booked])
        session.resources.set([self.resources[LOCATIONS[module.category]]])
        if not planned.logged:
            return
        attendances = bulk_create_with_history(
            [
                SessionAttendance(
                    session=session,
                    trainee=self.trainees[a.username],
                    attendance=a.kind,
                    hours_credited=a.hours,
                    remarks=a.remarks,
                )
                for a in planned.attendance
            ],
            SessionAttendance,
            default_user=trainer,
            default_date=session.ends_at,
        )
        present = [a for a in attendances if a.hours_credited > 0]
        if planned.kind == "drill":
            for attendance in present:
                drill_renewals_grant(attendance=attendance, by=trainer)
            return
        bulk_create_with_history(
            [
                CompetencyGrade(attendance=a, competency=c, grade=self.grade())
                for a in present
                for c in module.competencies.all()
            ],
            CompetencyGrade,
            default_user=trainer,
            default_date=session.ends_at,
        )
        if module.code == "PC-101":
            self.measure(present, session, trainer)

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

    def attempt(self, planned: PlannedAttempt, trainer: User) -> None:
        definition = next(iter(self.modules[planned.module].assessments.all()))
        score = None
        if definition.pass_score is not None:
            score = (
                min(definition.max_score, definition.pass_score + self.random.randint(2, 20))
                if planned.passed
                else definition.pass_score - 11
            )
        grades = {
            c.competency: max(c.minimum_grade, self.random.choice([3, 4, 4, 5]))
            for c in definition.criteria.all()
        }
        assessment_record(
            trainee=self.trainees[planned.username],
            definition=definition,
            assessor=trainer,
            taken_at=planned.taken_at,
            score=score,
            grades=grades,
            signature=self.signature(trainer),
            signed_at=planned.signed_at,
            remarks=planned.remarks,
        )

    def medical(self) -> None:
        medic = self.people["medic"]
        for planned in self.plan.holds:
            hold = medical_hold_open(
                trainee=self.trainees[planned.username],
                opened_on=planned.opened_on,
                reason=planned.reason,
                by=medic,
            )
            if planned.closed_on:
                medical_hold_close(
                    hold=hold, closed_on=planned.closed_on, note=planned.note, by=medic
                )
        for c in self.plan.certificates:
            medical_certificate_record(
                trainee=self.trainees[c.username],
                kind=c.kind,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                examiner="Astronaut Center of China, aeromedical board",
                restrictions=c.restrictions,
                by=medic,
            )


def demo_resources_ensure(*, people: dict[str, User], revision, now) -> None:
    """The centre's resources, the centrifuge's maintenance in the coming week, and who may
    instruct water survival; each created unless present (by name, module code)."""
    admin = people["admin"]
    for name, kind, capacity, qualification in RESOURCES:
        Resource.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "capacity": capacity, "required_qualification": qualification},
        )
    centrifuge = Resource.objects.get(name="Human centrifuge")
    local = timezone.localtime(now)
    monday = (local + dt.timedelta(days=7 - local.weekday())).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    if not centrifuge.unavailable_periods.filter(ends_at__gt=now).exists():
        ResourceUnavailability.objects.create(
            resource=centrifuge,
            starts_at=monday,
            ends_at=monday + dt.timedelta(days=2),
            reason="Annual inspection of the arm and gondola",
            recorded_by=admin,
        )
    today = local.date()
    for code, usernames in AUTHORISED.items():
        for username in usernames:
            TrainerAuthorisation.objects.get_or_create(
                trainer=people[username],
                programme=revision.programme,
                module_code=code,
                withdrawn_on=None,
                defaults={
                    "granted_on": today - dt.timedelta(days=400),
                    "expires_on": today + dt.timedelta(days=365),
                    "granted_by": admin,
                },
            )


@transaction.atomic
def demo_records_ensure(*, revision: ProgrammeRevision, people: list[User]) -> bool:
    """Create the demo cohorts and their records unless they exist. True if it created them.

    The records are those of `demo_plan` as of now, in the site's time zone.
    """
    if demo_records_present():
        return False
    now = timezone.now()
    plan = demo_plan(now=now, tz=timezone.get_default_timezone())
    demo_resources_ensure(people={p.username: p for p in people}, revision=revision, now=now)
    _Writer(plan=plan, revision=revision, people={p.username: p for p in people}).write()
    return True
