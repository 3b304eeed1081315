"""Revisions never rewrite history: pinning, carry-over by code, and moving a cohort."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from curriculum import services as curriculum
from curriculum.models import Module
from tests.factories import (
    AssessmentDefinitionFactory,
    AssessmentResultFactory,
    CohortFactory,
    ModuleFactory,
    RevisionFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    revision_publish,
)
from trainees.cohorts.selectors import cohort_move_preview
from trainees.cohorts.services import cohort_revision_move
from trainees.models import CohortPlanEntry, CohortRevisionMove, TrainingSession
from trainees.progress.selectors import ModuleStatus, trainee_progress


def _hours(cohort, trainee, module, hours):
    starts = timezone.now() - dt.timedelta(days=2)
    session = TrainingSessionFactory(
        cohort=cohort, module=module, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours)
    )
    return SessionAttendanceFactory(session=session, trainee=trainee)


@pytest.fixture
def pinned(programme_admin):
    """Revision 1 (A-1 8 h with an exam, B-1 4 h, C-1 4 h), a cohort on it, and a trainee who
    completed all three."""
    revision = RevisionFactory()
    a = ModuleFactory(revision=revision, code="A-1", required_hours=Decimal(8), order=1)
    exam = AssessmentDefinitionFactory(module=a, code="A-1-X")
    b = ModuleFactory(revision=revision, code="B-1", required_hours=Decimal(4), order=2)
    c = ModuleFactory(revision=revision, code="C-1", required_hours=Decimal(4), order=3)
    revision_publish(revision, by=programme_admin)
    cohort = CohortFactory(revision=revision)
    trainee = TraineeFactory(cohort=cohort)
    for module, hours in ((a, 8), (b, 4), (c, 4)):
        _hours(cohort, trainee, module, hours)
    AssessmentResultFactory(trainee=trainee, definition=exam, score=Decimal(80), passed=True)
    return cohort, trainee


@pytest.fixture
def revision_2(pinned, programme_admin):
    """Revision 2: B-1 needs 6 h, C-1 is archived, D-1 (2 h) is new; published."""
    cohort, _trainee = pinned
    draft = curriculum.revision_start(programme=cohort.revision.programme)
    b = draft.modules.get(code="B-1")
    b.required_hours = Decimal(6)
    curriculum.module_save(module=b, prerequisites=[])
    curriculum.module_archive(module=draft.modules.get(code="C-1"))
    curriculum.module_save(
        module=Module(
            revision=draft, code="D-1", title="New", category="science", required_hours=2
        ),
        prerequisites=[],
    )
    return curriculum.revision_publish(revision=draft, by=programme_admin)


def _summary(progress):
    return (
        [(p.module.pk, p.hours, p.status, len(p.passed)) for p in progress.modules],
        progress.percent_complete,
        progress.readiness.ready,
        [m.pk for m in progress.readiness.missing_modules],
    )


def test_publishing_a_new_revision_leaves_progress_on_the_old_one_unchanged(
    pinned, programme_admin
):
    cohort, trainee = pinned
    before = _summary(trainee_progress(trainee=trainee))
    assert before[1] == 100

    draft = curriculum.revision_start(programme=cohort.revision.programme)
    for module in draft.modules.all():
        module.required_hours = Decimal(40)
        curriculum.module_save(module=module, prerequisites=[])
    AssessmentDefinitionFactory(module=draft.modules.get(code="B-1"), code="B-1-X")
    curriculum.revision_publish(revision=draft, by=programme_admin)

    trainee.refresh_from_db()
    assert trainee.cohort.revision_id == cohort.revision_id
    assert _summary(trainee_progress(trainee=trainee)) == before


def test_work_done_under_the_old_revision_carries_over_by_code(pinned, revision_2, programme_admin):
    cohort, trainee = pinned
    cohort_revision_move(
        cohort=cohort,
        from_revision=cohort.revision,
        to_revision=revision_2,
        reason="Revision 2 adds the new science module.",
        by=programme_admin,
    )
    trainee.refresh_from_db()
    progress = {p.module.code: p for p in trainee_progress(trainee=trainee).modules}

    assert list(progress) == ["A-1", "B-1", "D-1"]  # C-1 is archived: no longer required
    assert all(p.module.revision == revision_2 for p in progress.values())
    assert progress["A-1"].hours == 8
    assert [a.code for a in progress["A-1"].passed] == ["A-1-X"]  # the exam, by code
    assert progress["A-1"].attempts == 1
    assert progress["A-1"].status == ModuleStatus.COMPLETE
    assert progress["B-1"].hours == 4
    assert progress["B-1"].status == ModuleStatus.IN_PROGRESS  # 4 of the 6 hours now required
    assert progress["D-1"].status == ModuleStatus.NOT_STARTED


def test_a_module_renamed_to_another_code_carries_nothing(pinned, programme_admin):
    cohort, trainee = pinned
    draft = curriculum.revision_start(programme=cohort.revision.programme)
    b = draft.modules.get(code="B-1")
    b.code = "B-2"
    curriculum.module_save(module=b, prerequisites=[])
    revision = curriculum.revision_publish(revision=draft, by=programme_admin)
    cohort_revision_move(
        cohort=cohort,
        from_revision=cohort.revision,
        to_revision=revision,
        reason="Renumbered.",
        by=programme_admin,
    )
    trainee.refresh_from_db()
    progress = {p.module.code: p for p in trainee_progress(trainee=trainee).modules}
    assert progress["B-2"].hours == 0


def test_the_preview_says_what_changes_for_each_trainee(pinned, revision_2):
    cohort, trainee = pinned
    (effect,) = cohort_move_preview(cohort=cohort, revision=revision_2)
    assert effect.trainee == trainee
    assert [p.module.code for p in effect.carried_over] == ["A-1", "B-1"]
    assert [p.module.code for p in effect.left_behind] == ["C-1"]
    assert [p.module.code for p in effect.no_longer_complete] == ["B-1"]
    assert effect.before.percent_complete == 100
    assert effect.after.percent_complete < 100
    # A preview changes nothing.
    cohort.refresh_from_db()
    assert cohort.revision != revision_2


def test_the_move_is_recorded_and_the_plan_follows_by_code(pinned, revision_2, programme_admin):
    cohort, _trainee = pinned
    old = cohort.revision
    modules = {m.code: m for m in old.modules.all()}
    CohortPlanEntry.objects.create(cohort=cohort, module=modules["A-1"], start_week=1, end_week=2)
    CohortPlanEntry.objects.create(cohort=cohort, module=modules["C-1"], start_week=3, end_week=4)
    later = timezone.now() + dt.timedelta(days=3)
    upcoming_b = TrainingSessionFactory(
        cohort=cohort, module=modules["B-1"], starts_at=later, status="scheduled"
    )
    upcoming_c = TrainingSessionFactory(
        cohort=cohort, module=modules["C-1"], starts_at=later, status="scheduled"
    )
    held = TrainingSession.objects.filter(cohort=cohort, status="completed").first()
    held_module = held.module_id

    move = cohort_revision_move(
        cohort=cohort,
        from_revision=old,
        to_revision=revision_2,
        reason="Revision 2 adds the new science module.",
        by=programme_admin,
    )

    cohort.refresh_from_db()
    assert cohort.revision == revision_2
    assert (move.from_revision, move.to_revision, move.moved_by) == (
        old,
        revision_2,
        programme_admin,
    )
    assert move.history.count() == 1
    assert cohort.history.first().revision_id == revision_2.pk
    (entry,) = CohortPlanEntry.objects.filter(cohort=cohort)
    assert entry.module == revision_2.modules.get(code="A-1")
    upcoming_b.refresh_from_db()
    upcoming_c.refresh_from_db()
    held.refresh_from_db()
    assert upcoming_b.module == revision_2.modules.get(code="B-1")
    assert upcoming_c.status == "cancelled"
    assert held.module_id == held_module  # what happened stays as it happened


def test_a_second_move_on_the_same_preview_is_refused(pinned, revision_2, programme_admin):
    cohort, _trainee = pinned
    old = cohort.revision
    kwargs = {"from_revision": old, "to_revision": revision_2, "reason": "R2"}
    kwargs["by"] = programme_admin
    cohort_revision_move(cohort=cohort, **kwargs)
    with pytest.raises(ValidationError, match="moved meanwhile"):
        cohort_revision_move(cohort=cohort, **kwargs)
    assert CohortRevisionMove.objects.count() == 1


def test_a_move_backwards_or_without_a_reason_is_refused(pinned, revision_2, programme_admin):
    cohort, _trainee = pinned
    old = cohort.revision
    with pytest.raises(ValidationError, match="reason"):
        cohort_revision_move(
            cohort=cohort, from_revision=old, to_revision=revision_2, reason=" ", by=programme_admin
        )
    cohort_revision_move(
        cohort=cohort, from_revision=old, to_revision=revision_2, reason="R2", by=programme_admin
    )
    cohort.refresh_from_db()
    with pytest.raises(ValidationError, match="newer published revision"):
        cohort_revision_move(
            cohort=cohort,
            from_revision=revision_2,
            to_revision=old,
            reason="Back",
            by=programme_admin,
        )


# The page --------------------------------------------------------------------------------------


def test_the_admin_previews_then_moves_the_cohort(client, pinned, revision_2, programme_admin):
    cohort, trainee = pinned
    client.force_login(programme_admin)
    url = reverse("trainees:cohort_revision", kwargs={"pk": cohort.pk})

    page = client.get(url, {"revision": revision_2.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert trainee.user.display_name in html
    assert "Added: D-1" in html
    assert "No longer required: C-1" in html
    assert "hours 4 → 6" in html
    cohort.refresh_from_db()
    assert cohort.revision != revision_2

    data = {"revision": revision_2.pk, "from_revision": cohort.revision_id, "reason": "R2 out."}
    response = client.post(url, data)
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.revision == revision_2
    # The same form again (a double submission) moves nothing twice and says why.
    again = client.post(url, data)
    assert again.status_code == 200
    assert "moved meanwhile" in again.content.decode()
    assert CohortRevisionMove.objects.filter(cohort=cohort).count() == 1
    assert "R2 out." in client.get(url).content.decode()


def test_a_reason_is_asked_for_beside_the_field(client, pinned, revision_2, programme_admin):
    cohort, _trainee = pinned
    client.force_login(programme_admin)
    url = reverse("trainees:cohort_revision", kwargs={"pk": cohort.pk})
    data = {"revision": revision_2.pk, "from_revision": cohort.revision_id, "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    cohort.refresh_from_db()
    assert cohort.revision != revision_2


@pytest.mark.parametrize("persona", ["trainer", "trainee", "medic"])
def test_only_programme_admins_may_move_a_cohort(client, personas, pinned, revision_2, persona):
    cohort, _trainee = pinned
    cohort.trainers.add(personas["trainer"])
    client.force_login(personas[persona])
    url = reverse("trainees:cohort_revision", kwargs={"pk": cohort.pk})
    data = {"revision": revision_2.pk, "from_revision": cohort.revision_id, "reason": "Mine."}
    assert client.post(url, data).status_code == 403
    cohort.refresh_from_db()
    assert cohort.revision != revision_2
