"""Importing a programme's past: the sessions of a CSV file, with their attendance, hours,
grades and assessment results, written whole or not at all."""

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from curriculum.models import AssessmentDefinition, Module
from trainees.assessments.services import Signature
from trainees.imports.rows import ATTENDED, PastImportCheck, earlier_import_message, past_rows_check
from trainees.models import (
    IMPORT_METHOD,
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    PastImport,
    QualificationGrant,
    SessionAttendance,
    SessionResource,
    SessionTrainee,
    SignatureMeaning,
    Trainee,
    TrainingSession,
)
from trainees.progress_cache import versions_raise
from trainees.services import bulk_create_with_history, submission_claim, submission_done
from trainingtracker.helpers import refused_when_raced


class PastImportRefused(ValidationError):
    """The file has bad rows (`check.errors`, each with its line): nothing was written."""

    def __init__(self, check: PastImportCheck):
        super().__init__([f"{error.line}: {error.message}" for error in check.errors])
        self.check = check


RACED = _("This file was imported a moment ago; it is not imported twice. Nothing was written.")


@refused_when_raced(RACED)
@transaction.atomic
def past_import(
    *,
    cohort: Cohort,
    content: str,
    file_name: str,
    by: User,
    key: uuid.UUID,
    signature: Signature | None = None,
    now: dt.datetime | None = None,
) -> PastImport:
    """Import the sessions that `content` (CSV text) describes into `cohort`, all or none.

    The file is checked again inside the transaction (`past_rows_check`: every row, the clashes
    with what is recorded and within the file), after the cohort's and its trainees' rows are
    locked, so the check and the write are one. Refused, writing nothing, for any bad row
    (`PastImportRefused`, naming each), for a file imported before (by its SHA-256), for a
    closed cohort, and for results without the importing admin's `signature`.

    Written in bulk with their history, in a fixed number of queries whatever the number of
    rows: the `PastImport` that marks them, the sessions (completed), their expected trainees
    and resources, attendances, grades, assessment results (numbered after the trainee's
    earlier attempts, judged by their definition, signed by `by` meaning `IMPORTED`), and the
    qualifications those confer or renew, as a log and a signature would.
    """
    claim = submission_claim(key=key, user=by)
    if cohort.closed_on is not None:
        raise ValidationError(_("This cohort is closed; nothing more can be recorded for it."))
    now = now or timezone.now()
    # Lock in the order every writer takes them (progress_cache.VERSIONED).
    versions_raise({Cohort: Q(pk=cohort.pk), Trainee: Q(cohort=cohort)})
    check = past_rows_check(cohort=cohort, content=content, now=now)
    if check.earlier is not None:
        raise ValidationError(earlier_import_message(check.earlier))
    if not check.ok:
        raise PastImportRefused(check)
    if check.result_count and (signature is None or signature.signer != by):
        raise ValidationError(
            {"password": _("The file holds assessment results: sign them with your password.")}
        )
    batch = PastImport.objects.create(
        cohort=cohort,
        file_name=file_name,
        sha256=check.sha256,
        row_count=check.row_count,
        session_count=len(check.sessions),
        result_count=check.result_count,
        imported_by=by,
        imported_at=now,
    )
    reason = _("Imported from %(file)s") % {"file": file_name}
    sessions = _sessions_save(check=check, cohort=cohort, batch=batch, by=by, reason=reason)
    attendances = _attendances_save(check=check, sessions=sessions, by=by)
    results = _results_save(
        check=check, sessions=sessions, batch=batch, by=by, now=now, signature=signature
    )
    _grants_save(check=check, attendances=attendances, results=results, by=by)
    submission_done(claim=claim, target=cohort_url(cohort))
    return batch


def cohort_url(cohort: Cohort) -> str:
    return reverse("trainees:cohort_detail", args=[cohort.pk])


def _sessions_save(*, check, cohort, batch, by, reason) -> dict[str, TrainingSession]:
    """The sessions, completed, with their bookings (expected trainees, resources) and the
    history of both, as a scheduled and logged session's would read."""
    sessions = {
        s.ref: TrainingSession(
            cohort=cohort,
            module=s.module,
            trainer=s.trainer,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            status=TrainingSession.Status.COMPLETED,
            import_batch=batch,
        )
        for s in check.sessions
    }
    bulk_create_with_history(
        list(sessions.values()), TrainingSession, default_user=by, default_change_reason=reason
    )
    booked = {"scheduled": False}  # completed: the no-overlap constraints no longer hold it
    trainees = [
        SessionTrainee(
            session=sessions[s.ref],
            trainee=r.trainee,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            **booked,
        )
        for s in check.sessions
        for r in s.rows
    ]
    resources = [
        SessionResource(
            session=sessions[s.ref],
            resource=resource,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            exclusive=resource.exclusive,
            **booked,
        )
        for s in check.sessions
        for resource in s.resources
    ]
    SessionTrainee.objects.bulk_create(trainees)
    SessionResource.objects.bulk_create(resources)
    _m2m_history(sessions=sessions, rows={SessionTrainee: trainees, SessionResource: resources})
    return sessions


def _m2m_history(*, sessions: dict, rows: dict) -> None:
    """What simple-history records of a session's roster and resources when they are set one
    session at a time (`m2m_fields`), for sessions made in bulk: their rows as of the session's
    first historical record."""
    history_of = dict(
        TrainingSession.history.filter(id__in=[s.pk for s in sessions.values()]).values_list(
            "id", "history_id"
        )
    )
    for through, made in rows.items():
        model = apps.get_model("trainees", f"Historical{through.__name__}")
        names = [f.attname for f in through._meta.fields]
        model.objects.bulk_create(
            [
                model(history_id=history_of[row.session_id], **{n: getattr(row, n) for n in names})
                for row in made
            ]
        )


def _attendances_save(*, check, sessions, by) -> dict[int, SessionAttendance]:
    """Each row's attendance and its grades; by the row's line."""
    attendances = {
        r.line: SessionAttendance(
            session=sessions[s.ref],
            trainee=r.trainee,
            attendance=r.attendance,
            hours_credited=r.hours,
            remarks=r.remarks,
        )
        for s in check.sessions
        for r in s.rows
    }
    bulk_create_with_history(list(attendances.values()), SessionAttendance, default_user=by)
    grades = [
        CompetencyGrade(attendance=attendances[r.line], competency=competency, grade=grade)
        for s in check.sessions
        for r in s.rows
        if r.attendance in ATTENDED
        for competency, grade in r.grades.items()
    ]
    if grades:
        bulk_create_with_history(grades, CompetencyGrade, default_user=by)
    return attendances


def _results_save(*, check, sessions, batch, by, now, signature) -> list[AssessmentResult]:
    """The rows' assessment results, taken when their session ended, numbered after the
    trainee's earlier attempts and in the order taken, signed by the importing admin."""
    rows = sorted(
        ((s, r) for s in check.sessions for r in s.rows if r.definition is not None),
        key=lambda sr: (sr[0].ends_at, sr[1].line),
    )
    if not rows:
        return []
    used = defaultdict(int)
    for trainee_id, definition_id in AssessmentResult.objects.filter(
        trainee__in={r.trainee.pk for _s, r in rows},
        definition__in={r.definition.pk for _s, r in rows},
    ).values_list("trainee_id", "definition_id"):
        used[trainee_id, definition_id] += 1
    results, grades = [], []
    for session, row in rows:
        used[row.trainee.pk, row.definition.pk] += 1
        result = AssessmentResult(
            definition=row.definition,
            trainee=row.trainee,
            attempt=used[row.trainee.pk, row.definition.pk],
            taken_at=session.ends_at,
            score=row.score,
            passed=row.passed,
            assessor=session.trainer,
            remarks=row.remarks,
            signed_by=by,
            signed_at=now,
            signature_meaning=SignatureMeaning.IMPORTED,
            signature_method=f"{IMPORT_METHOD}:{signature.method}"[:40],
            import_batch=batch,
        )
        results.append(result)
        grades += [
            CompetencyGrade(result=result, competency=competency, grade=grade)
            for competency, grade in row.grades.items()
        ]
    bulk_create_with_history(results, AssessmentResult, default_user=by)
    if grades:
        bulk_create_with_history(grades, CompetencyGrade, default_user=by)
    return results


def _grants_save(*, check, attendances, results, by) -> None:
    """What the imported records confer, as a log (`session_log`) and a signed pass
    (`result_sign`) would, each dated from its session: a drill renews its qualifications for
    whoever attended; a module without assessments confers its own on whoever reached its hours
    (dated from the session that reached them); a signed pass confers or renews the
    assessment's. One grant per trainee, qualification and day."""
    module_ids = {s.module.pk for s in check.sessions}
    modules = {
        m.pk: m
        for m in Module.objects.filter(pk__in=module_ids).prefetch_related(
            "qualifications_renewed", "qualifications_conferred", "assessments"
        )
    }
    definitions = {
        d.pk: d
        for d in AssessmentDefinition.objects.filter(
            pk__in={r.definition_id for r in results}
        ).prefetch_related("qualifications_conferred", "qualifications_renewed")
    }
    trainee_ids = {r.trainee.pk for s in check.sessions for r in s.rows}
    held = set()  # (trainee, qualification, day) already granted
    standing = set()  # (trainee, qualification) held and not revoked
    for trainee_id, qualification_id, day, revoked in QualificationGrant.objects.filter(
        trainee__in=trainee_ids
    ).values_list("trainee_id", "qualification_id", "granted_on", "revoked_at"):
        held.add((trainee_id, qualification_id, day))
        if revoked is None:
            standing.add((trainee_id, qualification_id))
    grants = []

    def grant(trainee_id, qualification, on, **source):
        if (trainee_id, qualification.pk, on) in held:
            return
        held.add((trainee_id, qualification.pk, on))
        standing.add((trainee_id, qualification.pk))
        grants.append(
            QualificationGrant(
                trainee_id=trainee_id,
                qualification=qualification,
                granted_on=on,
                expires_on=qualification.expiry_for(on),
                granted_by=by,
                **source,
            )
        )

    # Hours before this import, per trainee and module: where each trainee stood.
    imported = defaultdict(Decimal)
    for s in check.sessions:
        for r in s.rows:
            imported[r.trainee.pk, s.module.pk] += r.hours
    total = {
        (t, m): hours
        for t, m, hours in SessionAttendance.objects.filter(
            trainee__in=trainee_ids,
            session__module__in=module_ids,
            session__status=TrainingSession.Status.COMPLETED,
        )
        .values_list("trainee_id", "session__module")
        .annotate(hours=Sum("hours_credited"))
    }
    reached = {key: total.get(key, 0) - hours for key, hours in imported.items()}
    for s in sorted(check.sessions, key=lambda s: s.starts_at):
        module = modules[s.module.pk]
        on = timezone.localdate(s.starts_at)
        confers = not module.assessments.all()
        for r in s.rows:
            if r.attendance not in ATTENDED or not r.hours:
                continue
            for q in module.qualifications_renewed.all():
                grant(r.trainee.pk, q, on, attendance=attendances[r.line])
            before = reached[r.trainee.pk, module.pk]
            reached[r.trainee.pk, module.pk] = before + r.hours
            if confers and before + r.hours >= module.required_hours:
                for q in module.qualifications_conferred.all():
                    if (r.trainee.pk, q.pk) not in standing:
                        grant(r.trainee.pk, q, on)
    for result in results:
        if result.passed:
            definition = definitions[result.definition_id]
            on = timezone.localdate(result.taken_at)
            for q in [
                *definition.qualifications_conferred.all(),
                *definition.qualifications_renewed.all(),
            ]:
                grant(result.trainee_id, q, on, result=result)
    if grants:
        bulk_create_with_history(grants, QualificationGrant, default_user=by)
