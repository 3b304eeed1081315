"""Assessment attempts, their signatures, amendments, debriefs and allowances. Each write is
atomic: a record is saved whole or not at all."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.single_sign_on import ProviderConfirmation
from curriculum.models import (
    GRADE_MAX,
    GRADE_MIN,
    AssessmentDefinition,
    Competency,
    Module,
)
from trainees.models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    CompetencyGrade,
    QualificationGrant,
    SignatureMeaning,
    Trainee,
)
from trainees.progress.selectors import trainee_progress
from trainees.services import bulk_create_with_history


class StaleResult(ValidationError):
    """Someone changed the result after this form was loaded: the write is refused, not merged."""

    def __init__(self):
        super().__init__(
            _("Someone else changed this record meanwhile; reload it. Nothing was saved."),
            code="stale",
        )


@dataclass
class AttemptCheck:
    """Whether a trainee may make their next attempt at an assessment, and if not, why."""

    used: int
    allowed: int
    refusals: list[str] = field(default_factory=list)

    @property
    def permitted(self) -> bool:
        return not self.refusals

    @property
    def next_attempt(self) -> int:
        return self.used + 1


def assessment_attempt_check(
    *, trainee: Trainee, definition: AssessmentDefinition, on: dt.date | None = None
) -> AttemptCheck:
    """Why `trainee` may not make another attempt at `definition` on day `on` (default today).

    Refused when the assessment is not of the trainee's revision, when the trainee has withdrawn,
    while a prerequisite of the assessment's module is incomplete (by the progress rule,
    `ModuleProgress.complete`) and not waived by an allowance, and once every attempt is used:
    the definition's maximum plus one per extra attempt allowed. An empty `refusals`: it may go.
    """
    refusals = []
    if definition.module.revision_id != trainee.cohort.revision_id:
        refusals.append(_("This assessment is not part of the trainee's programme revision."))
    if trainee.status == Trainee.Status.WITHDRAWN:
        refusals.append(_("The trainee has withdrawn from training."))
    allowances = list(AssessmentAllowance.objects.filter(trainee=trainee, definition=definition))
    waiver = AssessmentAllowance.Kind.PREREQUISITE_WAIVER
    waived = {a.prerequisite_id for a in allowances if a.kind == waiver}
    required = [
        link.required_module
        for link in definition.module.prerequisite_links.select_related("required_module")
        if link.required_module_id not in waived
    ]
    if required:
        progress = {p.module.pk: p for p in trainee_progress(trainee=trainee, on=on).modules}
        for module in required:
            if module.pk not in progress or not progress[module.pk].complete:
                refusals.append(
                    _("The prerequisite %(module)s is not complete.")
                    % {"module": f"{module.code} {module.title}"}
                )
    used = AssessmentResult.objects.filter(trainee=trainee, definition=definition).count()
    allowed = definition.max_attempts + sum(
        1 for a in allowances if a.kind == AssessmentAllowance.Kind.EXTRA_ATTEMPT
    )
    if used >= allowed:
        refusals.append(_("All %(n)s attempts at this assessment have been used.") % {"n": allowed})
    return AttemptCheck(used=used, allowed=allowed, refusals=refusals)


def assessment_signer_authorised(*, definition: AssessmentDefinition, user: User) -> bool:
    """Whether `user` may sign results of `definition`: one of its authorised assessors, with
    the capability to sign. A programme admin or an operator is no exception."""
    return bool(
        user.is_active
        and user.has_perm("accounts.sign_assessment")
        and definition.assessors.filter(pk=user.pk).exists()
    )


# Only signature_of() holds this, so only it makes a Signature.
_SIGNER_CHECKED = object()
BY_PASSWORD = "password"  # noqa: S105 (a method's name, not a password)


@dataclass(frozen=True)
class Signature:
    """A signer who has just proved who they are again (21 CFR Part 11 links a signature to its
    signer's credentials): by typing their password, or, for someone who signs in through their
    agency, by a fresh sign-in at its provider. `method` records which ("password", or
    "oidc:<provider>"), and the signed record keeps it. Every service that signs asks for one,
    and only `signature_of` makes one, so no path signs without that proof."""

    signer: User
    method: str
    proof: object = field(repr=False, compare=False)

    def __post_init__(self):
        if self.proof is not _SIGNER_CHECKED:
            raise TypeError("A Signature is made by signature_of(), which checks the signer.")


def signature_of(
    *,
    user: User,
    password: str | None = None,
    confirmation: ProviderConfirmation | None = None,
) -> Signature:
    """The signer checked again: the one check, for every form and service that signs.

    With a `confirmation` (a fresh sign-in at the person's single sign-on provider, made for this
    signature: accounts.single_sign_on), it must be this person's and still fresh; otherwise the
    password, for someone who may sign in with one (`User.signs_with_password`).
    """
    if confirmation is not None:
        if not confirmation.confirms(user):
            raise ValidationError(
                _("Confirm who you are at your sign-in provider again; nothing was signed.")
            )
        return Signature(signer=user, method=f"oidc:{confirmation.provider}", proof=_SIGNER_CHECKED)
    if not user.password_sign_in:
        raise ValidationError(
            _("You sign through your sign-in provider, not with a password; nothing was signed.")
        )
    if not user.check_password(password or ""):
        raise ValidationError(_("This is not your password; nothing was signed."))
    return Signature(signer=user, method=BY_PASSWORD, proof=_SIGNER_CHECKED)


def result_signature_meaning_due(*, result: AssessmentResult) -> str:
    """What the next signature of `result` attests: the attempt, or once amended, the amendment."""
    if result.amendments.exists():
        return SignatureMeaning.AMENDMENT
    return SignatureMeaning.ASSESSED


def _values_check(
    *,
    definition: AssessmentDefinition,
    score: Decimal | None,
    grades: Mapping[Competency, int | None],
) -> None:
    """The score within 0 and the maximum, given when a pass mark judges it; grades 1-5 or not
    observed, of competencies of the assessment's module."""
    errors = {}
    if score is None and definition.pass_score is not None:
        errors["score"] = _("This assessment is judged by its score: enter it.")
    elif score is not None and score < 0:
        errors["score"] = _("The score cannot be negative.")
    elif score is not None and definition.max_score is not None and score > definition.max_score:
        errors["score"] = _("The score is between 0 and %(max)s.") % {"max": definition.max_score}
    for competency, grade in grades.items():
        if competency.module_id != definition.module_id:
            errors["grades"] = _("Grade only the competencies of the assessment's module.")
        elif grade is not None and not GRADE_MIN <= grade <= GRADE_MAX:
            errors["grades"] = _("A grade is from 1 to 5, or not observed.")
    if errors:
        raise ValidationError(errors)


def _result_version_claim(*, result: AssessmentResult, version: int | None) -> None:
    """Move the result to its next version, or refuse if the row, or the copy in hand, is no
    longer at `version` (None: the copy's). A conditional UPDATE, so that of two people writing
    the same version exactly one wins, on SQLite as on PostgreSQL. It bypasses the history: the
    save that follows records the change with the new version. Callers check everything they
    can refuse for before claiming, so that a refusal leaves the copy in hand as stored."""
    version = result.version if version is None else version
    if version != result.version or not AssessmentResult.objects.filter(
        pk=result.pk, version=version
    ).update(version=F("version") + 1):
        raise StaleResult()
    result.version = version + 1


def _grants_activate(*, result: AssessmentResult, by: User) -> None:
    """Grant what a signed pass confers or renews, dated from the attempt; a grant suspended by
    an amendment is re-activated (one grant per result and qualification, a constraint)."""
    definition = result.definition
    on = timezone.localdate(result.taken_at)
    qualifications = {
        q.pk: q
        for q in [
            *definition.qualifications_conferred.all(),
            *definition.qualifications_renewed.all(),
        ]
    }
    existing = {g.qualification_id: g for g in QualificationGrant.objects.filter(result=result)}
    for qualification in qualifications.values():
        grant = existing.get(qualification.pk)
        if grant is not None:
            if grant.revoked_at is not None:
                grant.revoked_at, grant.revoked_reason, grant.granted_by = None, "", by
                grant.save()
            continue
        # Held from that very day already (another attempt, a drill): nothing more to grant.
        if QualificationGrant.objects.filter(
            trainee_id=result.trainee_id, qualification=qualification, granted_on=on
        ).exists():
            continue
        QualificationGrant.objects.create(
            trainee_id=result.trainee_id,
            qualification=qualification,
            granted_on=on,
            expires_on=qualification.expiry_for(on),
            result=result,
            granted_by=by,
        )


@transaction.atomic
def assessment_record(
    *,
    trainee: Trainee,
    definition: AssessmentDefinition,
    assessor: User,
    taken_at: dt.datetime,
    score: Decimal | None = None,
    grades: Mapping[Competency, int | None] | None = None,
    remarks: str = "",
    signature: Signature | None = None,
    signed_at: dt.datetime | None = None,
) -> AssessmentResult:
    """Record the trainee's next attempt at an assessment, judged by its definition.

    The attempt number is counted and `passed` computed (`AssessmentDefinition.outcome`), never
    given. Refused, writing nothing, for the reasons of `assessment_attempt_check` on the day of
    the attempt, for an attempt in the future, or for a score or grade out of range.
    The result is unsigned, and grants nothing, until an authorised assessor signs it; the
    assessor's `signature` signs it at once (they must be authorised:
    `assessment_signer_authorised`).
    `signed_at` dates that signature for records entered afterwards (the demo); pages never
    pass it.
    """
    grades = dict(grades or {})
    # Lock the trainee's row so that two simultaneous recordings count attempts one at a time
    # (on PostgreSQL; SQLite serialises writers anyway). The unique constraint is the backstop.
    Trainee.objects.select_for_update().filter(pk=trainee.pk).first()
    if taken_at > timezone.now():
        raise ValidationError({"taken_at": _("An attempt is recorded once it has been taken.")})
    _values_check(definition=definition, score=score, grades=grades)
    check = assessment_attempt_check(
        trainee=trainee, definition=definition, on=timezone.localdate(taken_at)
    )
    if check.refusals:
        raise ValidationError(check.refusals, code="refused")
    if signature is not None and (
        signature.signer != assessor
        or not assessment_signer_authorised(definition=definition, user=assessor)
    ):
        raise ValidationError(_("Only an authorised assessor of this assessment can sign it."))
    passed = definition.outcome(
        score=score, grades={competency.pk: grade for competency, grade in grades.items()}
    )
    result = AssessmentResult.objects.create(
        trainee=trainee,
        definition=definition,
        attempt=check.next_attempt,
        taken_at=taken_at,
        score=score,
        passed=passed,
        assessor=assessor,
        remarks=remarks,
    )
    bulk_create_with_history(
        [
            CompetencyGrade(result=result, competency=competency, grade=grade)
            for competency, grade in grades.items()
        ],
        CompetencyGrade,
        default_user=assessor,
    )
    if signature is not None:
        result.signed_by, result.signed_at = assessor, signed_at or timezone.now()
        result.signature_meaning = SignatureMeaning.ASSESSED
        result.signature_method = signature.method
        result.save()
        if passed:
            _grants_activate(result=result, by=assessor)
    return result


@transaction.atomic
def result_sign(
    *,
    result: AssessmentResult,
    signature: Signature,
    meaning: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AssessmentResult:
    """An authorised assessor signs a result with their `signature`, stating what it means.

    Records who, when (`at`, default now) and the meaning, which must be the one due
    (`result_signature_meaning_due`: the attempt, or the amendment once amended). The outcome is
    computed again from the recorded values, and a signed pass grants, or re-activates, what the
    assessment confers or renews. Refused for anyone but an authorised assessor, for a result
    already signed, and when the result changed since `version` (default: as loaded) was read.
    """
    by = signature.signer
    if not assessment_signer_authorised(definition=result.definition, user=by):
        raise ValidationError(
            _("Only an authorised assessor of this assessment can sign it."), code="not_assessor"
        )
    if result.is_signed:
        raise ValidationError(_("This result is already signed."), code="signed")
    due = result_signature_meaning_due(result=result)
    if meaning != due:
        raise ValidationError(
            _("This signature must state: %(meaning)s") % {"meaning": SignatureMeaning(due).label},
            code="meaning",
        )
    _result_version_claim(result=result, version=version)
    definition = result.definition
    result.passed = definition.outcome(
        score=result.score, grades=dict(result.grades.values_list("competency_id", "grade"))
    )
    result.signed_by, result.signed_at, result.signature_meaning = by, at or timezone.now(), due
    result.signature_method = signature.method
    result.save()
    if result.passed:
        _grants_activate(result=result, by=by)
    return result


@transaction.atomic
def result_amend(
    *,
    result: AssessmentResult,
    by: User,
    reason: str,
    score: Decimal | None,
    grades: Mapping[Competency, int | None],
    remarks: str,
    version: int | None = None,
) -> AssessmentAmendment:
    """Change a result's score, grades or remarks, keeping what they replaced and why.

    Needs a reason. The amendment keeps the previous score, outcome, remarks, grades (by
    competency code, None for not observed) and signature; `passed` is computed again. The
    signature and the debrief acknowledgement are cleared: the result needs a new signature,
    meaning the amendment, and until then the grants made from it are suspended (never deleted).
    Refused when the result changed since `version` (default: as loaded) was read.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    grades = dict(grades)
    definition = result.definition
    _values_check(definition=definition, score=score, grades=grades)
    _result_version_claim(result=result, version=version)
    current = {g.competency_id: g for g in result.grades.select_related("competency")}
    previous = {
        "score": None if result.score is None else str(result.score),
        "passed": result.passed,
        "remarks": result.remarks,
        "grades": {g.competency.code: g.grade for g in current.values()},
        "signed_by": str(result.signed_by) if result.signed_by_id else None,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "signature_meaning": result.signature_meaning,
        "signature_method": result.signature_method,
    }
    for competency, grade in grades.items():
        row = current.get(competency.pk)
        if row is None:
            current[competency.pk] = CompetencyGrade.objects.create(
                result=result, competency=competency, grade=grade
            )
        elif row.grade != grade:
            row.grade = grade
            row.save()
    result.score, result.remarks = score, remarks
    result.passed = definition.outcome(
        score=score, grades={pk: row.grade for pk, row in current.items()}
    )
    result.signed_by, result.signed_at, result.signature_meaning = None, None, ""
    result.signature_method = ""
    result.debrief_acknowledged_at = None
    result._history_user, result._change_reason = by, reason
    result.save()
    now = timezone.now()
    suspended = _("The result was amended and awaits a new signature: %(reason)s") % {
        "reason": reason
    }
    for grant in result.grants.filter(revoked_at__isnull=True):
        grant.revoked_at, grant.revoked_reason = now, suspended
        grant.save()
    return AssessmentAmendment.objects.create(
        result=result, reason=reason, amended_by=by, amended_at=now, previous=previous
    )


@transaction.atomic
def result_debrief_acknowledge(
    *, result: AssessmentResult, by: User, version: int | None = None
) -> AssessmentResult:
    """The trainee acknowledges the debrief of their own signed result, once.

    Acknowledging again changes nothing. Refused for anyone else, for an unsigned result, and
    when the result changed (say, was amended) since `version` was read.
    """
    if result.trainee.user_id != by.pk:
        raise ValidationError(_("Only the trainee can acknowledge the debrief of their result."))
    if result.debrief_acknowledged_at is not None:
        return result
    if not result.is_signed:
        raise ValidationError(_("A debrief is acknowledged once the result is signed."))
    _result_version_claim(result=result, version=version)
    result.debrief_acknowledged_at = timezone.now()
    result.save()
    return result


@transaction.atomic
def allowance_grant(
    *,
    trainee: Trainee,
    definition: AssessmentDefinition,
    kind: str,
    prerequisite: Module | None = None,
    reason: str,
    by: User,
) -> AssessmentAllowance:
    """A programme admin's reasoned exception for one trainee and assessment: one more attempt
    than the definition allows, or one prerequisite of its module waived (once: a constraint).
    Kept in the trainee's record with who granted it, when and why."""
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for the allowance.")
    if definition.module.revision_id != trainee.cohort.revision_id:
        errors["definition"] = _("This assessment is not part of the trainee's programme revision.")
    if kind == AssessmentAllowance.Kind.PREREQUISITE_WAIVER:
        if (
            prerequisite is None
            or not definition.module.prerequisite_links.filter(
                required_module=prerequisite
            ).exists()
        ):
            errors["prerequisite"] = _("Choose a prerequisite of the assessment's module.")
    elif kind == AssessmentAllowance.Kind.EXTRA_ATTEMPT:
        if prerequisite is not None:
            errors["prerequisite"] = _("An extra attempt waives no prerequisite.")
    else:
        errors["kind"] = _("Choose an extra attempt or a waiver.")
    if errors:
        raise ValidationError(errors)
    allowance = AssessmentAllowance(
        trainee=trainee,
        definition=definition,
        kind=kind,
        prerequisite=prerequisite,
        reason=reason,
        granted_by=by,
    )
    allowance.full_clean()
    allowance.save()
    return allowance
