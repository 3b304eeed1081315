"""The assessment pages through the client: recording attempts and their refusals, allowances,
signatures, amendments, debriefs, access, and what each page costs in queries.

Fixtures: tests/trainees/conftest.py (`course`, `ayesha` of cohort A trained by `trainer`, `zhao`
of cohort B trained by `other_trainer`, `ready`: Ayesha with the prerequisite complete).
"""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import (
    AssessmentDefinitionFactory,
    CohortFactory,
    CompetencyFactory,
    ModuleFactory,
    RevisionFactory,
    TraineeFactory,
    UserFactory,
    revision_publish,
    signed,
)
from tests.trainees.conftest import hours_ago, prerequisite_complete
from trainees.assessments.services import assessment_record, result_amend, result_sign
from trainees.models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    QualificationGrant,
    SignatureMeaning,
)
from trainees.progress.selectors import trainee_progress

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests/factories.py


def _attempt_url(trainee_record, definition=None):
    url = reverse("trainees:attempt_record", args=[trainee_record.pk])
    return f"{url}?definition={definition.pk}" if definition else url


def _allowance_url(trainee_record, definition=None):
    url = reverse("trainees:allowance_grant", args=[trainee_record.pk])
    return f"{url}?definition={definition.pk}" if definition else url


def _result_url(result, page="result_detail"):
    return reverse(f"trainees:{page}", args=[result.pk])


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _attempt_data(course, *, score="85", suit="4", tether="3", key=None, **extra):
    return {
        "submission_key": str(key or uuid.uuid4()),
        "taken_at": _local(hours_ago(1)),
        "score": score,
        f"grade_{course.suit.pk}": suit,
        f"grade_{course.tether.pk}": tether,
        "remarks": "Steady in the pool; tether swaps a little slow.",
        **extra,
    }


def _record(course, trainee_record, assessor, *, score=85, sign=False):
    return assessment_record(
        trainee=trainee_record,
        definition=course.check,
        assessor=assessor,
        taken_at=hours_ago(2),
        score=Decimal(score),
        grades={course.suit: 4, course.tether: 3},
        signature=signed(assessor) if sign else None,
    )


def _texts(response) -> str:
    return response.content.decode()


# Recording attempts ---------------------------------------------------------------------------


def test_it_offers_the_assessments_of_the_trainees_revision(client, trainer, ready, course):
    other_revision_exam = AssessmentDefinitionFactory(code="OTHER-1")
    client.force_login(trainer)
    response = client.get(_attempt_url(ready))
    assert response.status_code == 200
    choices = list(response.context["chooser"].fields["definition"].queryset)
    assert choices == [course.basic_exam, course.check]
    response = client.get(_attempt_url(ready, other_revision_exam))
    assert response.context["definition"] is None
    assert "definition" in response.context["chooser"].errors


def test_it_records_the_attempt_and_computes_the_outcome(client, trainer, ready, course):
    client.force_login(trainer)
    page = client.get(_attempt_url(ready, course.check))
    assert [name for name in page.context["form"].fields if name.startswith("grade_")] == [
        f"grade_{course.suit.pk}",
        f"grade_{course.tether.pk}",
    ]
    # A posted `passed` is not a field: the score under the pass mark fails whatever it says.
    data = _attempt_data(course, score="65", passed="on")
    response = client.post(_attempt_url(ready, course.check), data)
    result = AssessmentResult.objects.get(definition=course.check)
    assert response.status_code == 302
    assert response["Location"] == _result_url(result)
    assert (result.attempt, result.score, result.passed) == (1, Decimal(65), False)
    assert (result.assessor, result.is_signed) == (trainer, False)
    assert dict(result.grades.values_list("competency__code", "grade")) == {"SUIT": 4, "TETHER": 3}

    data = _attempt_data(course, score="90", suit="not_observed")
    client.post(_attempt_url(ready, course.check), data)
    second = AssessmentResult.objects.get(definition=course.check, attempt=2)
    assert second.passed is False  # SUIT needs at least 3, and "not observed" has not shown it
    assert second.grades.get(competency=course.suit).grade is None


def test_it_shows_the_refusal_for_an_incomplete_prerequisite_before_and_after_submitting(
    client, trainer, ayesha, course
):
    client.force_login(trainer)
    response = client.get(_attempt_url(ayesha, course.check))
    assert "The prerequisite EVA-1 EVA basics is not complete." in _texts(response)
    assert 'name="score"' not in _texts(response)

    response = client.post(_attempt_url(ayesha, course.check), _attempt_data(course))
    assert response.status_code == 200
    assert "The prerequisite EVA-1 EVA basics is not complete." in _texts(response)
    assert not AssessmentResult.objects.exists()


def test_it_shows_the_refusal_once_every_attempt_is_used(client, trainer, ready, course):
    _record(course, ready, trainer, score=30)
    _record(course, ready, trainer, score=40)
    client.force_login(trainer)
    response = client.get(_attempt_url(ready, course.check))
    assert "All 2 attempts at this assessment have been used." in _texts(response)
    assert 'name="score"' not in _texts(response)

    response = client.post(_attempt_url(ready, course.check), _attempt_data(course))
    assert "All 2 attempts at this assessment have been used." in _texts(response)
    assert AssessmentResult.objects.filter(definition=course.check).count() == 2


def test_the_admins_waiver_lifts_the_refusal_and_shows_in_the_record(
    client, trainer, programme_admin, ayesha, course
):
    client.force_login(programme_admin)
    page = client.get(_attempt_url(ayesha, course.check))
    assert _allowance_url(ayesha, course.check) in _texts(page)
    page = client.get(_allowance_url(ayesha, course.check))
    assert list(page.context["form"].fields["prerequisite"].queryset) == [course.basic]
    response = client.post(
        _allowance_url(ayesha, course.check),
        {
            "submission_key": str(uuid.uuid4()),
            "kind": AssessmentAllowance.Kind.PREREQUISITE_WAIVER,
            "prerequisite": course.basic.pk,
            "reason": "EVA theory passed at the European Astronaut Centre.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _attempt_url(ayesha, course.check)
    allowance = AssessmentAllowance.objects.get()
    assert (allowance.granted_by, allowance.prerequisite) == (programme_admin, course.basic)

    client.force_login(trainer)
    page = client.get(_attempt_url(ayesha, course.check))
    assert "not complete" not in _texts(page)
    assert "EVA theory passed at the European Astronaut Centre." in _texts(page)
    client.post(_attempt_url(ayesha, course.check), _attempt_data(course))
    result = AssessmentResult.objects.get(definition=course.check)
    detail = client.get(_result_url(result))
    assert "EVA theory passed at the European Astronaut Centre." in _texts(detail)
    assert "Prerequisite waived" in _texts(detail)


def test_the_admins_extra_attempt_lifts_the_refusal(
    client, trainer, programme_admin, ready, course
):
    _record(course, ready, trainer, score=30)
    _record(course, ready, trainer, score=40)
    client.force_login(programme_admin)
    response = client.post(
        _allowance_url(ready, course.check),
        {
            "submission_key": str(uuid.uuid4()),
            "kind": AssessmentAllowance.Kind.EXTRA_ATTEMPT,
            "reason": "The pool was closed halfway through the second attempt.",
        },
    )
    assert response.status_code == 302
    client.force_login(trainer)
    page = client.get(_attempt_url(ready, course.check))
    assert "have been used" not in _texts(page)
    assert "Attempts used: 2 of 3." in _texts(page)
    assert "The pool was closed halfway through the second attempt." in _texts(page)
    client.post(_attempt_url(ready, course.check), _attempt_data(course))
    assert AssessmentResult.objects.filter(definition=course.check).count() == 3


def test_an_allowance_needs_a_reason_and_a_prerequisite_to_waive(
    client, programme_admin, ayesha, course
):
    client.force_login(programme_admin)
    response = client.post(
        _allowance_url(ayesha, course.check),
        {"submission_key": str(uuid.uuid4()), "kind": "waiver", "reason": " "},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason", "prerequisite"}
    assert not AssessmentAllowance.objects.exists()


@pytest.mark.parametrize("persona", ["trainer", "trainee", "medic"])
def test_only_an_admin_may_grant_an_allowance(request, client, ayesha, course, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_allowance_url(ayesha, course.check)).status_code == 403
    data = {"submission_key": str(uuid.uuid4()), "kind": "extra_attempt", "reason": "Please."}
    assert client.post(_allowance_url(ayesha, course.check), data).status_code == 403
    assert not AssessmentAllowance.objects.exists()


@pytest.mark.parametrize("persona", ["trainee", "medic"])
def test_only_a_trainer_or_admin_records_an_attempt(request, client, ready, course, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_attempt_url(ready, course.check)).status_code == 403
    response = client.post(_attempt_url(ready, course.check), _attempt_data(course))
    assert response.status_code == 403
    assert not AssessmentResult.objects.filter(definition=course.check).exists()


def test_a_trainer_of_another_cohort_finds_nothing_of_a_foreign_trainee(
    client, trainer, other_trainer, ready, course
):
    result = _record(course, ready, trainer)
    client.force_login(other_trainer)
    for url in (
        _attempt_url(ready),
        _attempt_url(ready, course.check),
        _result_url(result),
        _result_url(result, "result_sign"),
        _result_url(result, "result_amend"),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"password": PASSWORD}).status_code == 404, url
    # The allowance page is the admins': a trainer is refused before any record is looked up.
    assert client.get(_allowance_url(ready)).status_code == 403
    assert AssessmentResult.objects.get(definition=course.check).version == 1
    assert not AssessmentAmendment.objects.exists()


def test_a_double_submission_records_one_attempt(client, trainer, ready, course):
    client.force_login(trainer)
    data = _attempt_data(course)
    first = client.post(_attempt_url(ready, course.check), data)
    second = client.post(_attempt_url(ready, course.check), data, follow=True)
    result = AssessmentResult.objects.get(definition=course.check)
    assert first["Location"] == _result_url(result)
    assert second.redirect_chain[0][0] == _result_url(result)
    assert "This was already saved." in _texts(second)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"score": "101"}, "score", "The score is between 0 and 100.0."),
        ({"score": "-1"}, "score", "The score cannot be negative."),
        ({"suit": "6"}, "suit", "A grade is from 1 to 5, or not observed."),
        ({"score": ""}, "score", "This field is required."),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_kept(
    client, trainer, ready, course, changes, field, message
):
    client.force_login(trainer)
    data = _attempt_data(course, **changes)
    response = client.post(_attempt_url(ready, course.check), data)
    assert response.status_code == 200
    form = response.context["form"]
    name = {"score": "score", "suit": f"grade_{course.suit.pk}"}[field]
    assert form.errors[name] == [message]
    html = _texts(response)
    assert f'id="error_1_id_{name}"' in html  # crispy prints it under the field
    assert f'value="{data["score"]}"' in html or not data["score"]
    assert 'value="Steady in the pool; tether swaps a little slow."' not in html
    assert "Steady in the pool; tether swaps a little slow." in html
    assert not AssessmentResult.objects.filter(definition=course.check).exists()


# Signing ---------------------------------------------------------------------------------------


def test_signing_with_a_wrong_password_is_refused_beside_the_field(client, trainer, ready, course):
    result = _record(course, ready, trainer)
    client.force_login(trainer)
    data = {"submission_key": str(uuid.uuid4()), "version": "1", "password": "wrong"}
    response = client.post(_result_url(result, "result_sign"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        "This is not your password; nothing was signed."
    ]
    assert 'id="error_1_id_password"' in _texts(response)
    assert not AssessmentResult.objects.get(pk=result.pk).is_signed


def test_signing_now_while_recording_needs_the_password(client, trainer, ready, course):
    client.force_login(trainer)
    data = _attempt_data(course, sign_now="on", password="wrong")
    response = client.post(_attempt_url(ready, course.check), data)
    assert response.context["form"].errors["password"]
    assert not AssessmentResult.objects.filter(definition=course.check).exists()
    data = _attempt_data(course, sign_now="on", password=PASSWORD)
    client.post(_attempt_url(ready, course.check), data)
    result = AssessmentResult.objects.get(definition=course.check)
    assert (result.signed_by, result.signature_meaning) == (trainer, SignatureMeaning.ASSESSED)
    assert QualificationGrant.objects.filter(result=result).exists()


@pytest.mark.parametrize("persona", ["other_trainer_of_the_cohort", "programme_admin"])
def test_signing_is_refused_to_whoever_is_not_an_authorised_assessor(
    request, client, trainer, ready, course, persona
):
    if persona == "other_trainer_of_the_cohort":
        signer = request.getfixturevalue("other_trainer")
        ready.cohort.trainers.add(signer)
    else:
        signer = request.getfixturevalue(persona)
    result = _record(course, ready, trainer)
    client.force_login(signer)
    page = client.get(_result_url(result, "result_sign"))
    assert "you are not one" in _texts(page)
    assert 'name="password"' not in _texts(page)
    assert _result_url(result, "result_sign") not in _texts(client.get(_result_url(result)))
    data = {"submission_key": str(uuid.uuid4()), "version": "1", "password": PASSWORD}
    response = client.post(_result_url(result, "result_sign"), data)
    assert response.status_code == 200
    assert "you are not one" in _texts(response)
    assert not AssessmentResult.objects.get(pk=result.pk).is_signed


def test_an_authorised_assessor_signs_with_name_time_and_meaning(client, trainer, ready, course):
    result = _record(course, ready, trainer)
    client.force_login(trainer)
    page = client.get(_result_url(result, "result_sign"))
    assert str(SignatureMeaning.ASSESSED.label) in _texts(page)
    data = {"submission_key": str(uuid.uuid4()), "version": "1", "password": PASSWORD}
    before = timezone.now()
    response = client.post(_result_url(result, "result_sign"), data, follow=True)
    result.refresh_from_db()
    assert (result.signed_by, result.signature_meaning) == (trainer, SignatureMeaning.ASSESSED)
    assert before <= result.signed_at <= timezone.now()
    assert "Signed by Li Hao" in _texts(response)
    assert str(SignatureMeaning.ASSESSED.label) in _texts(response)
    assert QualificationGrant.objects.get(result=result).revoked_at is None


def test_a_stale_signature_is_refused_with_a_clear_message(client, trainer, ready, course):
    result = _record(course, ready, trainer)
    client.force_login(trainer)
    page = client.get(_result_url(result, "result_sign"))
    version = page.context["form"].initial["version"]
    result_amend(
        result=result,
        by=trainer,
        reason="Score misread.",
        score=Decimal(87),
        grades={},
        remarks="",
    )
    data = {"submission_key": str(uuid.uuid4()), "version": version, "password": PASSWORD}
    response = client.post(_result_url(result, "result_sign"), data)
    assert response.status_code == 200
    assert "Someone else changed this record meanwhile; reload it." in _texts(response)
    assert not AssessmentResult.objects.get(pk=result.pk).is_signed


# Amending ----------------------------------------------------------------------------------------


def _amend_data(course, result, **changes):
    return {
        "submission_key": str(uuid.uuid4()),
        "version": str(result.version),
        "score": "85",
        f"grade_{course.suit.pk}": "2",
        f"grade_{course.tether.pk}": "4",
        "remarks": "Regraded from the pool camera.",
        "reason": "Suit checks were graded from the wrong video.",
    } | changes


def test_an_amendment_needs_a_reason(client, trainer, ready, course):
    result = _record(course, ready, trainer, sign=True)
    client.force_login(trainer)
    response = client.post(
        _result_url(result, "result_amend"), _amend_data(course, result, reason="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason for the amendment."]
    result.refresh_from_db()
    assert (result.is_signed, result.passed, result.version) == (True, True, 1)
    assert not AssessmentAmendment.objects.exists()


def test_an_amendment_keeps_the_old_values_and_is_signed_again_as_an_amendment(
    client, trainer, ready, course
):
    result = _record(course, ready, trainer, sign=True)
    client.force_login(trainer)
    page = client.get(_result_url(result, "result_amend"))
    assert page.context["form"]["score"].value() == Decimal("85.0")
    assert page.context["form"][f"grade_{course.suit.pk}"].value() == "4"

    response = client.post(
        _result_url(result, "result_amend"), _amend_data(course, result), follow=True
    )
    result.refresh_from_db()
    assert (result.is_signed, result.passed) == (False, False)
    html = _texts(response)
    assert "Suit checks were graded from the wrong video." in html
    assert "Values before this amendment:" in html
    assert "Passed" in html and "SUIT Suit checks" in html
    assert "Signed by Li Hao" in html  # the replaced signature
    assert "Suspended" in html  # the grant from the replaced pass
    assert "Not signed" in html

    page = client.get(_result_url(result, "result_sign"))
    assert str(SignatureMeaning.AMENDMENT.label) in _texts(page)
    data = {"submission_key": str(uuid.uuid4()), "version": result.version, "password": PASSWORD}
    client.post(_result_url(result, "result_sign"), data)
    result.refresh_from_db()
    assert (result.signed_by, result.signature_meaning) == (trainer, SignatureMeaning.AMENDMENT)


def test_grants_are_suspended_by_an_amendment_and_active_again_when_signed(
    client, trainer, ready, course
):
    result = _record(course, ready, trainer, sign=True)
    grant = QualificationGrant.objects.get(result=result)
    client.force_login(trainer)
    data = _amend_data(course, result, **{f"grade_{course.suit.pk}": "5"}, score="95")
    client.post(_result_url(result, "result_amend"), data)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    progress = trainee_progress(trainee=ready)
    assert not any(course.check in m.passed for m in progress.modules)

    result.refresh_from_db()
    sign = {"submission_key": str(uuid.uuid4()), "version": result.version, "password": PASSWORD}
    client.post(_result_url(result, "result_sign"), sign)
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert QualificationGrant.objects.filter(result=result).count() == 1
    progress = trainee_progress(trainee=ready)
    assert any(course.check in m.passed for m in progress.modules)


def test_a_stale_amendment_is_refused_and_the_input_kept(client, trainer, ready, course):
    result = _record(course, ready, trainer)
    client.force_login(trainer)
    data = _amend_data(course, result, score="77", reason="Typo in the score.")
    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    response = client.post(_result_url(result, "result_amend"), data)
    assert response.status_code == 200
    html = _texts(response)
    assert "Someone else changed this record meanwhile; reload it." in html
    assert 'value="77"' in html
    assert "Typo in the score." in html
    result.refresh_from_db()
    assert (result.score, result.is_signed) == (Decimal(85), True)


def test_a_trainee_cannot_amend_or_sign(client, trainer, trainee, ready, course):
    result = _record(course, ready, trainer)
    client.force_login(trainee)
    assert client.get(_result_url(result)).status_code == 200
    assert client.get(_result_url(result, "result_amend")).status_code == 403
    assert client.get(_result_url(result, "result_sign")).status_code == 403


# Debriefs ---------------------------------------------------------------------------------------


def test_the_trainee_acknowledges_only_their_own_signed_result(
    client, trainer, trainee, other_trainee, ready, zhao, course
):
    result = _record(course, ready, trainer)
    url = _result_url(result, "result_acknowledge")
    trainee.preferred_language = "en"  # the page's words are read in English below
    trainee.save()
    client.force_login(trainee)
    assert "I have been debriefed" not in _texts(client.get(_result_url(result)))
    client.post(url, {"version": result.version})
    assert AssessmentResult.objects.get(pk=result.pk).debrief_acknowledged_at is None

    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    client.force_login(other_trainee)
    assert client.post(url, {"version": result.version}).status_code == 404
    client.force_login(trainer)
    assert client.post(url, {"version": result.version}).status_code == 403
    assert AssessmentResult.objects.get(pk=result.pk).debrief_acknowledged_at is None

    client.force_login(trainee)
    assert client.get(url).status_code == 405
    page = client.get(_result_url(result))
    assert "I have been debriefed" in _texts(page)
    response = client.post(url, {"version": result.version}, follow=True)
    assert "Acknowledged by the trainee on" in _texts(response)
    assert AssessmentResult.objects.get(pk=result.pk).debrief_acknowledged_at is not None


def test_the_trainees_record_links_the_new_pages(client, trainer, trainee, programme_admin, ready):
    result = ready.results.get()
    client.force_login(trainer)
    html = _texts(client.get(reverse("trainees:trainee_detail", args=[ready.pk])))
    assert _result_url(result) in html
    assert _attempt_url(ready) in html
    assert _allowance_url(ready) not in html
    client.force_login(programme_admin)
    html = _texts(client.get(reverse("trainees:trainee_detail", args=[ready.pk])))
    assert _allowance_url(ready) in html
    client.force_login(trainee)
    html = _texts(client.get(reverse("trainees:trainee_home")))
    assert _result_url(result) in html
    assert _attempt_url(ready) not in html


# Cost ---------------------------------------------------------------------------------------------


@pytest.fixture
def wide(trainer):
    """Two published assessments without prerequisites: one of a module with 2 competencies,
    one with 6; a trainee of a cohort `trainer` trains."""
    revision = RevisionFactory()
    narrow_module, wide_module = ModuleFactory.create_batch(2, revision=revision)
    CompetencyFactory.create_batch(2, module=narrow_module)
    CompetencyFactory.create_batch(6, module=wide_module)
    narrow = AssessmentDefinitionFactory(module=narrow_module)
    wide = AssessmentDefinitionFactory(module=wide_module, max_attempts=9)
    revision_publish(revision)
    for definition in (narrow, wide):
        definition.assessors.add(trainer)
    trainee_record = TraineeFactory(cohort=CohortFactory(revision=revision, trainers=[trainer]))
    return trainee_record, narrow, wide


def _graded_and_amended(trainee_record, definition, assessor, n):
    competencies = list(definition.module.competencies.all())[:n]
    result = assessment_record(
        trainee=trainee_record,
        definition=definition,
        assessor=assessor,
        taken_at=hours_ago(3),
        score=Decimal(80),
        grades=dict.fromkeys(competencies, 4),
        signature=signed(assessor),
    )
    for i in range(n):
        result_amend(
            result=result,
            by=assessor,
            reason=f"Correction {i}.",
            score=Decimal(81 + i),
            grades={},
            remarks="",
        )
    return result


# Pinned: a change that adds a query must say why here. The layout costs 4 (session, user, the
# person's permissions, the bell; tests/test_page_queries.py).
LAYOUT = 4
# The result, its grades, amendments, allowances and grants, and whether the person may sign.
RESULT_DETAIL_QUERIES = LAYOUT + 7  # + the curriculum texts (curriculum/texts.py)
# The trainee, the chosen assessment, whether the person may sign it, its competencies and
# criteria, then the attempt check (allowances, prerequisites, attempts used) and the allowances.
ATTEMPT_PAGE_QUERIES = LAYOUT + 10  # + the curriculum texts


def test_the_result_page_costs_the_same_with_2_or_6_grades_and_amendments(
    client, trainer, wide, django_assert_num_queries
):
    trainee_record, _narrow, definition = wide
    small = _graded_and_amended(trainee_record, definition, trainer, 2)
    large = _graded_and_amended(trainee_record, definition, trainer, 6)
    client.force_login(trainer)
    for result in (small, large):
        with django_assert_num_queries(RESULT_DETAIL_QUERIES):
            response = client.get(_result_url(result))
        assert response.status_code == 200
    assert len(response.context["amendments"]) == 6


def test_the_attempt_page_costs_the_same_with_2_or_6_competencies(
    client, trainer, wide, django_assert_num_queries
):
    trainee_record, narrow, broad = wide
    client.force_login(trainer)
    for definition, competencies in ((narrow, 2), (broad, 6)):
        with django_assert_num_queries(ATTEMPT_PAGE_QUERIES):
            response = client.get(_attempt_url(trainee_record, definition))
        assert len(response.context["form"].grade_fields) == competencies


def test_a_trainer_who_also_reads_every_record_records_only_for_the_cohorts_they_train(
    client, trainer, ready, zhao, course
):
    medic_trainer = UserFactory(roles=[Role.TRAINER, Role.MEDICAL_OFFICER])
    ready.cohort.trainers.add(medic_trainer)
    prerequisite_complete(course, zhao, trainer)
    result = _record(course, zhao, trainer)
    client.force_login(medic_trainer)
    assert client.get(reverse("trainees:trainee_detail", args=[zhao.pk])).status_code == 200
    assert client.get(_result_url(result)).status_code == 200
    assert client.get(_attempt_url(zhao)).status_code == 404
    assert client.get(_result_url(result, "result_amend")).status_code == 404
    assert client.get(_attempt_url(ready)).status_code == 200
