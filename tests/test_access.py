"""The access gate of every record model, for every role, the medical split included."""

import pytest

from curriculum.models import Module, ProgrammeRevision
from tests.factories import signed
from trainees.models import (
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    Measurement,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)

pytestmark = pytest.mark.django_db

# Which of the world's two sides (cohort A, cohort B) each persona sees in the training records.
TRAINING_SIDES = {
    "trainee": {"a"},
    "other_trainee": {"b"},
    "trainer": {"a"},
    "other_trainer": {"b"},
    "medic": {"a", "b"},
    "programme_admin": {"a", "b"},
}
# Physiological measurements: never the programme admin (DOMAIN.md), never another trainee.
PHYSIOLOGY_SIDES = {**TRAINING_SIDES, "programme_admin": set()}
# Medical holds in full: the medical officer only.
MEDICAL_SIDES = {persona: set() for persona in TRAINING_SIDES} | {"medic": {"a", "b"}}


def sides(world, queryset, prefix):
    """Which of world[prefix_a], world[prefix_b] are in `queryset`."""
    pks = set(queryset.values_list("pk", flat=True))
    return {side for side in "ab" if world[f"{prefix}_{side}"].pk in pks}


@pytest.mark.parametrize("persona", TRAINING_SIDES)
def test_each_role_sees_exactly_its_training_records(world, personas, persona):
    user = personas[persona]
    expected = TRAINING_SIDES[persona]
    assert sides(world, Trainee.objects.visible_to(user), "trainee") == expected
    assert sides(world, Cohort.objects.visible_to(user), "cohort") == expected
    assert sides(world, TrainingSession.objects.visible_to(user), "session") == expected
    assert sides(world, SessionAttendance.objects.visible_to(user), "attendance") == expected
    assert sides(world, AssessmentResult.objects.visible_to(user), "result") == expected


@pytest.mark.parametrize("persona", TRAINING_SIDES)
def test_grades_grants_and_status_history_follow_their_trainee(world, personas, persona):
    user = personas[persona]
    expected = {world[f"trainee_{side}"].pk for side in TRAINING_SIDES[persona]}
    grades = CompetencyGrade.objects.visible_to(user)
    world_grades = CompetencyGrade.objects.filter(
        attendance__in=[world["attendance_a"], world["attendance_b"]]
    )
    for grade in world_grades:
        assert (grade in grades) == (grade.attendance.trainee_id in expected)
    from trainees.assessments.services import assessment_record

    world["result_a"].definition.assessors.add(personas["trainer"])
    result = assessment_record(
        trainee=world["trainee_a"],
        definition=world["result_a"].definition,
        assessor=personas["trainer"],
        taken_at=world["result_a"].taken_at,
        score=90,
        signature=signed(personas["trainer"]),
    )
    assert QualificationGrant.objects.filter(result=result).exists()
    visible = set(QualificationGrant.objects.visible_to(user).values_list("trainee_id", flat=True))
    assert visible == ({world["trainee_a"].pk} & expected)
    statuses = TraineeStatusChange.objects.visible_to(user)
    assert all(change.trainee_id in expected for change in statuses)


@pytest.mark.parametrize("persona", PHYSIOLOGY_SIDES)
def test_measurements_are_for_the_trainee_their_trainers_and_the_medic(world, personas, persona):
    visible = Measurement.objects.visible_to(personas[persona])
    assert sides(world, visible, "measurement") == PHYSIOLOGY_SIDES[persona]


@pytest.mark.parametrize("persona", MEDICAL_SIDES)
def test_only_the_medical_officer_reads_medical_holds(world, personas, persona):
    visible = MedicalHold.objects.visible_to(personas[persona])
    assert sides(world, visible, "hold") == MEDICAL_SIDES[persona]


@pytest.mark.parametrize("persona", TRAINING_SIDES)
def test_everyone_who_sees_a_trainee_sees_that_a_hold_exists_but_never_why(
    world, personas, persona
):
    rows = list(MedicalHold.objects.status_visible_to(personas[persona]))
    assert {row["pk"] for row in rows} == {
        world[f"hold_{side}"].pk for side in TRAINING_SIDES[persona]
    }
    for row in rows:
        assert set(row) == {"pk", "trainee_id", "opened_on", "closed_on"}


def test_people_without_a_role_or_signed_out_see_nothing(world, rf, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    nobody = django_user_model.objects.create_user("nobody", display_name="Nobody")
    for user in (nobody, AnonymousUser()):
        assert not Trainee.objects.visible_to(user).exists()
        assert not TrainingSession.objects.visible_to(user).exists()
        assert not Measurement.objects.visible_to(user).exists()
        assert not MedicalHold.objects.status_visible_to(user).exists()
        assert not Module.objects.visible_to(user).exists()


def test_a_deactivated_trainer_sees_nothing(world, personas):
    trainer = personas["trainer"]
    trainer.is_active = False
    trainer.save()
    assert not Trainee.objects.visible_to(trainer).exists()


def test_a_trainer_moved_off_a_cohort_loses_its_trainees(world, personas):
    trainer = personas["trainer"]
    world["cohort_a"].trainers.remove(trainer)
    assert not Trainee.objects.visible_to(trainer).exists()


def test_a_trainer_sees_a_session_they_lead_in_another_cohort(world, personas):
    from tests.factories import TrainingSessionFactory

    guest = TrainingSessionFactory(cohort=world["cohort_b"], trainer=personas["trainer"])
    assert TrainingSession.objects.visible_to(personas["trainer"]).filter(pk=guest.pk).exists()
    # ... but not the attendance of that cohort's trainees, who are not theirs.
    assert (
        not SessionAttendance.objects.visible_to(personas["trainer"])
        .filter(trainee=world["trainee_b"])
        .exists()
    )


@pytest.mark.parametrize(
    "persona", ["trainee", "other_trainee", "trainer", "other_trainer", "medic"]
)
def test_only_programme_admins_see_draft_revisions(world, personas, persona):
    user = personas[persona]
    assert not Module.objects.visible_to(user).filter(pk=world["draft_module"].pk).exists()
    assert Module.objects.visible_to(user).filter(pk=world["module"].pk).exists()
    admin = personas["programme_admin"]
    assert Module.objects.visible_to(admin).filter(pk=world["draft_module"].pk).exists()
    assert ProgrammeRevision.objects.visible_to(admin).count() == 2
