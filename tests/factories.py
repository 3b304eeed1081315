import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from accounts.services import user_set_roles
from curriculum.models import AssessmentDefinition

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            user_set_roles(user=self, roles=extracted)


# Curriculum ------------------------------------------------------------------------------------


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = "curriculum.Programme"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")


class RevisionFactory(DjangoModelFactory):
    """A draft revision; `published=True` publishes it once its content is made (see below)."""

    class Meta:
        model = "curriculum.ProgrammeRevision"

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = "curriculum.Module"

    revision = factory.SubFactory(RevisionFactory)
    code = factory.Sequence(lambda n: f"M-{n:03d}")
    title = factory.Sequence(lambda n: f"Module {n}")
    category = "spacecraft"
    required_hours = Decimal("8.0")


class CompetencyFactory(DjangoModelFactory):
    class Meta:
        model = "curriculum.Competency"

    module = factory.SubFactory(ModuleFactory)
    code = factory.Sequence(lambda n: f"C-{n:03d}")
    title = factory.Sequence(lambda n: f"Competency {n}")
    behaviours = "Follows the checklist\nCalls out deviations"


class AssessmentDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = "curriculum.AssessmentDefinition"

    module = factory.SubFactory(ModuleFactory)
    code = factory.Sequence(lambda n: f"A-{n:03d}")
    title = factory.Sequence(lambda n: f"Assessment {n}")
    kind = "written_exam"
    max_score = Decimal(100)
    pass_score = Decimal(70)
    max_attempts = 3


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = "curriculum.Qualification"

    revision = factory.SelfAttribute("conferred_by_assessment.module.revision")
    code = factory.Sequence(lambda n: f"Q-{n:03d}")
    title = factory.Sequence(lambda n: f"Qualification {n}")
    conferred_by_assessment = factory.SubFactory(AssessmentDefinitionFactory)
    validity_days = 90
    grace_days = 14


def revision_publish(revision, by=None):
    """Publish a revision made by the factories (the curriculum pages do this with a service)."""
    revision.published_at = timezone.now()
    revision.published_by = by or UserFactory(roles=[Role.PROGRAMME_ADMIN])
    revision.save()
    return revision


def revision_ready(*, modules=1, by=None):
    """A published revision whose modules each have two competencies, a written exam with a pass
    mark of 70 out of 100, and a qualification conferred by the exam, valid 90 days."""
    revision = RevisionFactory()
    for _ in range(modules):
        module = ModuleFactory(revision=revision)
        CompetencyFactory.create_batch(2, module=module)
        exam = AssessmentDefinitionFactory(module=module)
        QualificationFactory(conferred_by_assessment=exam)
    return revision_publish(revision, by=by)


# Records ---------------------------------------------------------------------------------------


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.Cohort"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cohort {n}")
    revision = factory.LazyFunction(revision_ready)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(weeks=8))
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + dt.timedelta(weeks=26))

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.Trainee"

    user = factory.SubFactory(UserFactory, roles=[Role.TRAINEE])
    cohort = factory.SubFactory(CohortFactory)
    agency = "cmsa"
    nationality = "CN"
    crew_role = "flight_engineer"


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.TrainingSession"

    cohort = factory.SubFactory(CohortFactory)
    module = factory.LazyAttribute(lambda s: s.cohort.revision.modules.first())
    trainer = factory.SubFactory(UserFactory, roles=[Role.TRAINER])
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(hours=4))
    status = "completed"


class SessionSeriesFactory(DjangoModelFactory):
    """A series' pattern alone; `series_schedule` writes occurrences, a test may attach some."""

    class Meta:
        model = "trainees.SessionSeries"

    cohort = factory.SubFactory(CohortFactory)
    module = factory.LazyAttribute(lambda s: s.cohort.revision.modules.first())
    trainer = factory.SubFactory(UserFactory, roles=[Role.TRAINER])
    first_day = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    weeks = 1
    weekdays = 127
    starts_at_time = dt.time(9)
    ends_at_time = dt.time(13)
    time_zone = factory.LazyFunction(timezone.get_current_timezone_name)
    created_by = factory.SelfAttribute("trainer")


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.Resource"

    name = factory.Sequence(lambda n: f"Simulator {n}")
    kind = "simulator"
    capacity = 1


class SessionAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.SessionAttendance"

    session = factory.SubFactory(TrainingSessionFactory)
    trainee = factory.SubFactory(TraineeFactory, cohort=factory.SelfAttribute("..session.cohort"))
    attendance = "present"
    hours_credited = factory.LazyAttribute(lambda a: a.session.length_hours)


class AssessmentResultFactory(DjangoModelFactory):
    """A passed attempt, signed by its assessor when taken; `signed=False` leaves it unsigned
    (an unsigned pass counts for nothing in progress)."""

    class Meta:
        model = "trainees.AssessmentResult"

    class Params:
        signed = True

    trainee = factory.SubFactory(TraineeFactory)
    definition = factory.LazyAttribute(
        lambda r: AssessmentDefinition.objects.filter(
            module__revision=r.trainee.cohort.revision_id
        ).first()
    )
    attempt = 1
    taken_at = factory.LazyFunction(timezone.now)
    score = Decimal(80)
    passed = True
    assessor = factory.SubFactory(UserFactory, roles=[Role.TRAINER])
    signed_by = factory.Maybe("signed", factory.SelfAttribute("assessor"), None)
    signed_at = factory.Maybe("signed", factory.SelfAttribute("taken_at"), None)
    signature_meaning = factory.Maybe("signed", "assessed", "")
    signature_method = factory.Maybe("signed", "password", "")


class MedicalHoldFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.MedicalHold"

    trainee = factory.SubFactory(TraineeFactory)
    opened_on = factory.LazyFunction(timezone.localdate)
    opened_by = factory.SubFactory(UserFactory, roles=[Role.MEDICAL_OFFICER])
    reason = "Vestibular symptoms after centrifuge run; ENT review pending."


class MedicalCertificateFactory(DjangoModelFactory):
    class Meta:
        model = "trainees.MedicalCertificate"

    trainee = factory.SubFactory(TraineeFactory)
    kind = "medical"
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    expires_on = factory.LazyAttribute(lambda c: c.issued_on + dt.timedelta(days=365))
    examiner = "Aeromedical board"
    restrictions = "Corrective lenses in flight."
    recorded_by = factory.SubFactory(UserFactory, roles=[Role.MEDICAL_OFFICER])


def certified(trainee, *, issued_on, days=730):
    """Give `trainee` a current medical and fitness certificate from `issued_on`."""
    for kind in ("medical", "fitness"):
        MedicalCertificateFactory(
            trainee=trainee,
            kind=kind,
            issued_on=issued_on,
            expires_on=issued_on + dt.timedelta(days=days),
        )
    return trainee


def signed(user):
    """The user's signature, made as a form makes it: with their password (PASSWORD)."""
    from trainees.assessments.services import signature_of

    return signature_of(user=user, password=PASSWORD)
