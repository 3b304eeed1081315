"""The assessment services: attempts and their refusals, allowances, signatures, amendments,
debriefs, and what progress and qualifications make of them (fixtures: tests/trainees/conftest)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import signed
from tests.trainees.conftest import hours_ago
from trainees.assessments.services import (
    Signature,
    allowance_grant,
    assessment_attempt_check,
    assessment_record,
    result_amend,
    result_debrief_acknowledge,
    result_sign,
    signature_of,
)
from trainees.cohorts.services import trainee_status_change
from trainees.models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    QualificationGrant,
    SignatureMeaning,
    Trainee,
)
from trainees.progress.selectors import trainee_progress

pytestmark = pytest.mark.django_db


def _soon() -> dt.datetime:
    """A moment just ahead, to the second, to travel to and find again in the record."""
    return timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)


def _attempt(course, trainee_record, assessor, *, score=85, suit=4, tether=3, sign=False):
    return assessment_record(
        trainee=trainee_record,
        definition=course.check,
        assessor=assessor,
        taken_at=hours_ago(2),
        score=Decimal(score),
        grades={course.suit: suit, course.tether: tether},
        signature=signed(assessor) if sign else None,
    )


def _passed(progress, definition) -> bool:
    return any(definition in m.passed for m in progress.modules)


def _grant(course, trainee_record):
    return QualificationGrant.objects.filter(
        trainee=trainee_record, qualification=course.qualification
    )


# Attempts and their refusals ----------------------------------------------------------------------


def test_it_counts_the_attempts_and_computes_the_outcome(course, ready, trainer):
    failed = _attempt(course, ready, trainer, score=85, suit=None)
    passed = _attempt(course, ready, trainer, score=85, suit=3)
    assert (failed.attempt, failed.passed) == (1, False)  # the minimum grade was not observed
    assert (passed.attempt, passed.passed) == (2, True)
    assert not failed.is_signed and not passed.is_signed


def test_it_refuses_an_attempt_while_a_prerequisite_is_incomplete(course, ayesha, trainer):
    check = assessment_attempt_check(trainee=ayesha, definition=course.check)
    assert check.refusals == ["The prerequisite EVA-1 EVA basics is not complete."]
    with pytest.raises(ValidationError, match="prerequisite EVA-1 EVA basics is not complete"):
        _attempt(course, ayesha, trainer)
    assert not AssessmentResult.objects.exists()


def test_a_prerequisite_passed_but_unsigned_is_not_complete(course, ayesha, trainer):
    from tests.trainees.conftest import prerequisite_complete

    exam_result = prerequisite_complete(course, ayesha, trainer)
    assert assessment_attempt_check(trainee=ayesha, definition=course.check).permitted
    result_amend(
        result=exam_result,
        by=trainer,
        reason="Marked twice.",
        score=Decimal(91),
        grades={},
        remarks="",
    )
    assert not assessment_attempt_check(trainee=ayesha, definition=course.check).permitted


def test_a_waiver_lifts_the_prerequisite_refusal(course, ayesha, trainer, programme_admin):
    allowance = allowance_grant(
        trainee=ayesha,
        definition=course.check,
        kind=AssessmentAllowance.Kind.PREREQUISITE_WAIVER,
        prerequisite=course.basic,
        reason="EVA theory passed with ESA in 2024.",
        by=programme_admin,
    )
    assert (allowance.granted_by, allowance.reason) == (
        programme_admin,
        "EVA theory passed with ESA in 2024.",
    )
    assert assessment_attempt_check(trainee=ayesha, definition=course.check).permitted
    assert _attempt(course, ayesha, trainer).attempt == 1


def test_it_refuses_once_every_attempt_is_used_until_an_extra_one_is_allowed(
    course, ready, trainer, programme_admin
):
    _attempt(course, ready, trainer, score=40)
    _attempt(course, ready, trainer, score=50)
    check = assessment_attempt_check(trainee=ready, definition=course.check)
    assert (check.used, check.allowed) == (2, 2)
    assert check.refusals == ["All 2 attempts at this assessment have been used."]
    with pytest.raises(ValidationError, match="All 2 attempts"):
        _attempt(course, ready, trainer)

    allowance_grant(
        trainee=ready,
        definition=course.check,
        kind=AssessmentAllowance.Kind.EXTRA_ATTEMPT,
        reason="Pool closed halfway through the second attempt.",
        by=programme_admin,
    )
    check = assessment_attempt_check(trainee=ready, definition=course.check)
    assert (check.permitted, check.next_attempt, check.allowed) == (True, 3, 3)
    assert _attempt(course, ready, trainer).attempt == 3
    assert not assessment_attempt_check(trainee=ready, definition=course.check).permitted


def test_it_refuses_a_withdrawn_trainee(course, ready, trainer, programme_admin):
    trainee_status_change(
        trainee=ready,
        status=Trainee.Status.WITHDRAWN,
        effective_on=timezone.localdate(),
        reason="Left the programme.",
        by=programme_admin,
    )
    assert assessment_attempt_check(trainee=ready, definition=course.check).refusals == [
        "The trainee has withdrawn from training."
    ]


@pytest.mark.parametrize(
    ("score", "grades", "field"),
    [(-1, {}, "score"), (101, {}, "score"), (80, {"suit": 6}, "grades"), (None, {}, "score")],
)
def test_it_refuses_values_out_of_range(course, ready, trainer, score, grades, field):
    with pytest.raises(ValidationError) as raised:
        assessment_record(
            trainee=ready,
            definition=course.check,
            assessor=trainer,
            taken_at=hours_ago(1),
            score=None if score is None else Decimal(score),
            grades={getattr(course, name): grade for name, grade in grades.items()},
        )
    assert field in raised.value.message_dict
    assert not AssessmentResult.objects.filter(definition=course.check).exists()


def test_it_refuses_an_attempt_in_the_future(course, ready, trainer):
    with pytest.raises(ValidationError) as raised:
        assessment_record(
            trainee=ready,
            definition=course.check,
            assessor=trainer,
            taken_at=timezone.now() + dt.timedelta(hours=1),
            score=Decimal(80),
        )
    assert "taken_at" in raised.value.message_dict


# Allowances ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "prerequisite", "reason", "field"),
    [
        ("extra_attempt", None, "  ", "reason"),
        ("waiver", None, "Credited elsewhere.", "prerequisite"),
        ("waiver", "advanced", "Not a prerequisite of itself.", "prerequisite"),
        ("extra_attempt", "basic", "An extra attempt names no module.", "prerequisite"),
    ],
)
def test_an_allowance_is_refused_when_it_does_not_hold_together(
    course, ayesha, programme_admin, kind, prerequisite, reason, field
):
    with pytest.raises(ValidationError) as raised:
        allowance_grant(
            trainee=ayesha,
            definition=course.check,
            kind=kind,
            prerequisite=getattr(course, prerequisite) if prerequisite else None,
            reason=reason,
            by=programme_admin,
        )
    assert field in raised.value.message_dict
    assert not AssessmentAllowance.objects.exists()


def test_a_prerequisite_is_waived_once(course, ayesha, programme_admin):
    kwargs = {
        "trainee": ayesha,
        "definition": course.check,
        "kind": AssessmentAllowance.Kind.PREREQUISITE_WAIVER,
        "prerequisite": course.basic,
        "reason": "Credited elsewhere.",
        "by": programme_admin,
    }
    allowance_grant(**kwargs)
    with pytest.raises(ValidationError, match="already waived"):
        allowance_grant(**kwargs)
    assert AssessmentAllowance.objects.count() == 1


# Signatures ---------------------------------------------------------------------------------------


def test_a_pass_counts_and_grants_only_once_signed(course, ready, trainer):
    result = _attempt(course, ready, trainer)
    assert result.passed
    assert not _grant(course, ready).exists()
    assert not _passed(trainee_progress(trainee=ready), course.check)

    signed_at = _soon()
    with time_machine.travel(signed_at, tick=False):
        result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    result.refresh_from_db()
    assert (result.signed_by, result.signed_at, result.signature_meaning) == (
        trainer,
        signed_at,
        SignatureMeaning.ASSESSED,
    )
    grant = _grant(course, ready).get()
    assert (grant.result, grant.granted_by, grant.granted_on) == (
        result,
        trainer,
        timezone.localdate(result.taken_at),
    )
    assert _passed(trainee_progress(trainee=ready), course.check)


@pytest.mark.parametrize("signer", ["other_trainer", "programme_admin", "operator"])
def test_only_an_authorised_assessor_signs(request, course, ready, trainer, signer):
    result = _attempt(course, ready, trainer)
    with pytest.raises(ValidationError, match="Only an authorised assessor"):
        result_sign(
            result=result,
            signature=signed(request.getfixturevalue(signer)),
            meaning=SignatureMeaning.ASSESSED,
        )
    result.refresh_from_db()
    assert (result.is_signed, result.version) == (False, 1)
    assert not _grant(course, ready).exists()


def test_an_admin_who_is_an_authorised_assessor_signs(course, ready, trainer, programme_admin):
    course.check.assessors.add(programme_admin)
    result = _attempt(course, ready, trainer)
    result_sign(result=result, signature=signed(programme_admin), meaning=SignatureMeaning.ASSESSED)
    assert AssessmentResult.objects.get(pk=result.pk).signed_by == programme_admin


def test_signing_at_recording_needs_an_authorised_assessor(course, ready, trainer, other_trainer):
    with pytest.raises(ValidationError, match="Only an authorised assessor"):
        _attempt(course, ready, other_trainer, sign=True)
    assert not AssessmentResult.objects.filter(definition=course.check).exists()
    result = _attempt(course, ready, trainer, sign=True)
    assert (result.signed_by, result.signature_meaning) == (trainer, SignatureMeaning.ASSESSED)
    assert _grant(course, ready).exists()


def test_no_service_signs_without_the_signers_password(course, ready, trainer, other_trainer):
    with pytest.raises(ValidationError, match="This is not your password"):
        signature_of(user=trainer, password="guessed")
    # The only other way to a signature is to build one, which is refused outright.
    with pytest.raises(TypeError, match="signature_of"):
        Signature(signer=trainer, method="password", proof=object())
    # And a signature is its signer's own: another's does not sign for the assessor.
    course.check.assessors.add(other_trainer)
    with pytest.raises(ValidationError, match="Only an authorised assessor"):
        assessment_record(
            trainee=ready,
            definition=course.check,
            assessor=trainer,
            taken_at=hours_ago(2),
            score=Decimal(85),
            grades={course.suit: 4, course.tether: 3},
            signature=signed(other_trainer),
        )
    assert not AssessmentResult.objects.filter(definition=course.check).exists()


def test_a_signed_result_is_not_signed_again(course, ready, trainer):
    result = _attempt(course, ready, trainer, sign=True)
    with pytest.raises(ValidationError, match="already signed"):
        result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)


def test_a_signature_on_a_stale_version_is_refused(course, ready, trainer):
    result = _attempt(course, ready, trainer)
    loaded = AssessmentResult.objects.get(pk=result.pk)
    result_amend(
        result=result,
        by=trainer,
        reason="Typo in the score.",
        score=Decimal(88),
        grades={},
        remarks="",
    )
    with pytest.raises(ValidationError, match="Someone else changed this record meanwhile"):
        result_sign(
            result=loaded,
            signature=signed(trainer),
            meaning=SignatureMeaning.AMENDMENT,
            version=loaded.version,
        )
    assert not AssessmentResult.objects.get(pk=result.pk).is_signed


# Amendments ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  \n"])
def test_an_amendment_needs_a_reason(course, ready, trainer, reason):
    result = _attempt(course, ready, trainer, sign=True)
    with pytest.raises(ValidationError) as raised:
        result_amend(
            result=result, by=trainer, reason=reason, score=Decimal(20), grades={}, remarks=""
        )
    assert "reason" in raised.value.message_dict
    result.refresh_from_db()
    assert (result.score, result.is_signed, result.version) == (Decimal(85), True, 1)
    assert not AssessmentAmendment.objects.exists()


def test_an_amendment_keeps_the_previous_values_and_asks_for_a_new_signature(
    course, ready, trainer, other_trainer
):
    result = _attempt(course, ready, trainer, score=85, suit=4, tether=None, sign=True)
    signed_at = result.signed_at
    result_debrief_acknowledge(result=result, by=ready.user)
    result.refresh_from_db()
    version = result.version

    amendment = result_amend(
        result=result,
        by=other_trainer,
        reason="Suit checks were graded from the wrong video.",
        score=Decimal(85),
        grades={course.suit: 2, course.tether: 4},
        remarks="Regraded from the pool camera.",
        version=version,
    )
    assert amendment.previous == {
        "score": "85.0",
        "passed": True,
        "remarks": "",
        "grades": {"SUIT": 4, "TETHER": None},
        "signed_by": "Li Hao",
        "signed_at": signed_at.isoformat(),
        "signature_meaning": "assessed",
        "signature_method": "password",
    }
    assert (amendment.amended_by, amendment.reason) == (
        other_trainer,
        "Suit checks were graded from the wrong video.",
    )
    result.refresh_from_db()
    assert result.passed is False  # the minimum grade in SUIT is 3
    assert (result.signed_by, result.signed_at, result.signature_meaning) == (None, None, "")
    assert result.debrief_acknowledged_at is None
    assert result.version == version + 1
    assert dict(result.grades.values_list("competency__code", "grade")) == {
        "SUIT": 2,
        "TETHER": 4,
    }


def test_an_amendment_on_a_stale_version_is_refused(course, ready, trainer):
    result = _attempt(course, ready, trainer)
    loaded = AssessmentResult.objects.get(pk=result.pk)
    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    with pytest.raises(ValidationError, match="Someone else changed this record meanwhile"):
        result_amend(
            result=loaded,
            by=trainer,
            reason="Late correction.",
            score=Decimal(10),
            grades={},
            remarks="",
            version=loaded.version,
        )
    assert AssessmentResult.objects.get(pk=result.pk).score == Decimal(85)
    assert not AssessmentAmendment.objects.exists()


def test_an_amendment_suspends_the_grants_and_a_new_signature_reactivates_them(
    course, ready, trainer
):
    result = _attempt(course, ready, trainer, sign=True)
    grant = _grant(course, ready).get()
    assert trainee_progress(trainee=ready).qualifications[0].grant == grant

    result_amend(
        result=result,
        by=trainer,
        reason="Score misread.",
        score=Decimal(86),
        grades={course.suit: 4},
        remarks="",
    )
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert "Score misread." in grant.revoked_reason
    progress = trainee_progress(trainee=ready)
    assert not _passed(progress, course.check)
    assert progress.qualifications[0].grant is None

    with pytest.raises(ValidationError, match="must state"):
        result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.AMENDMENT)
    result.refresh_from_db()
    assert result.signature_meaning == SignatureMeaning.AMENDMENT
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoked_reason) == (None, "")
    assert _grant(course, ready).count() == 1
    progress = trainee_progress(trainee=ready)
    assert _passed(progress, course.check)
    assert progress.qualifications[0].grant == grant


def test_an_amendment_to_a_fail_keeps_the_grants_suspended_after_signing(course, ready, trainer):
    result = _attempt(course, ready, trainer, sign=True)
    result_amend(
        result=result,
        by=trainer,
        reason="Below the pass mark after all.",
        score=Decimal(60),
        grades={},
        remarks="",
    )
    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.AMENDMENT)
    result.refresh_from_db()
    assert (result.is_signed, result.passed) == (True, False)
    assert _grant(course, ready).get().revoked_at is not None
    assert not _passed(trainee_progress(trainee=ready), course.check)


# Debriefs -----------------------------------------------------------------------------------------


def test_the_trainee_acknowledges_only_their_own_signed_result(
    course, ready, zhao, trainer, other_trainee
):
    result = _attempt(course, ready, trainer)
    with pytest.raises(ValidationError, match="once the result is signed"):
        result_debrief_acknowledge(result=result, by=ready.user)
    result_sign(result=result, signature=signed(trainer), meaning=SignatureMeaning.ASSESSED)
    for someone_else in (other_trainee, trainer):
        with pytest.raises(ValidationError, match="Only the trainee"):
            result_debrief_acknowledge(result=result, by=someone_else)
    assert AssessmentResult.objects.get(pk=result.pk).debrief_acknowledged_at is None

    acknowledged_at = _soon()
    with time_machine.travel(acknowledged_at, tick=False):
        result_debrief_acknowledge(result=result, by=ready.user)
    result_debrief_acknowledge(result=result, by=ready.user)  # again: nothing changes
    result.refresh_from_db()
    assert result.debrief_acknowledged_at == acknowledged_at
