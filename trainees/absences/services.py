"""Notices of absence given and withdrawn. Each write is atomic and tells the apps above
(`trainees.signals.absence_noticed`) inside its transaction, once the notice is saved."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from trainees.models import AbsenceNotice, SessionTrainee, Trainee, TrainingSession
from trainees.models.absences import NOTICE_GIVEN, notice_open
from trainees.services import session_named
from trainees.signals import absence_noticed
from trainingtracker.helpers import refused_when_raced


def notice_refusal(*, session: TrainingSession, trainee: Trainee, by: User) -> str | None:
    """Why `by` may not give or withdraw `trainee`'s notice for `session` now, or None: only
    the trainee themself, only for a scheduled session that has not started, and only where
    they are expected. The pages ask it to show the form or say why not."""
    if by.pk != trainee.user_id:
        return _("Only the trainee can give or withdraw their own notice of absence.")
    if not notice_open(session):
        if session.status != TrainingSession.Status.SCHEDULED:
            refusal = _("Notice can be given only for a scheduled session: %(session)s is not.")
        else:
            refusal = _("Notice is given before a session starts: %(session)s has started.")
        return refusal % {"session": session_named(session)}
    if not SessionTrainee.objects.filter(session=session, trainee=trainee).exists():
        return _("You are not expected at %(session)s.") % {"session": session_named(session)}
    return None


def _reason_check(*, category: str, reason: str) -> str:
    """The category one of the list, the reason given, within its column and free of NUL
    (PostgreSQL refuses it): the forms and the API check the same before calling."""
    errors = {}
    if category not in AbsenceNotice.Category.values:
        errors["category"] = _("Choose one of the kinds of reason.")
    reason = reason.strip()
    if not reason:
        errors["reason"] = _("Say why you will miss the session.")
    elif "\x00" in reason:
        errors["reason"] = _("The reason may not hold NUL characters.")
    elif len(reason) > AbsenceNotice.REASON_MAX:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {
            "max": AbsenceNotice.REASON_MAX
        }
    if errors:
        raise ValidationError(errors)
    return reason


@refused_when_raced(NOTICE_GIVEN)
@transaction.atomic
def absence_notice_give(
    *, session: TrainingSession, trainee: Trainee, category: str, reason: str, by: User
) -> AbsenceNotice:
    """`trainee` (who is `by`) will miss `session`, for `reason`. Refused for a session that is
    not scheduled or has started, one they are not expected at, or a second notice standing
    for it (also when two submits race: the database's unique constraint)."""
    if refusal := notice_refusal(session=session, trainee=trainee, by=by):
        raise ValidationError(refusal)
    reason = _reason_check(category=category, reason=reason)
    if AbsenceNotice.objects.standing().filter(session=session, trainee=trainee).exists():
        raise ValidationError(NOTICE_GIVEN)
    notice = AbsenceNotice.objects.create(
        session=session, trainee=trainee, category=category, reason=reason, created_by=by
    )
    absence_noticed.send(sender=AbsenceNotice, notice=notice)
    return notice


@transaction.atomic
def absence_notice_withdraw(*, notice: AbsenceNotice, by: User) -> AbsenceNotice:
    """The trainee will come after all: their notice is withdrawn (kept, marked), while the
    session has not started. Withdrawn once: a second withdrawal is refused."""
    if refusal := notice_refusal(session=notice.session, trainee=notice.trainee, by=by):
        raise ValidationError(refusal)
    now = timezone.now()
    # A conditional update: of two withdrawals of the same notice exactly one changes it.
    claimed = AbsenceNotice.objects.filter(pk=notice.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=by
    )
    if not claimed:
        raise ValidationError(_("This notice was withdrawn already."))
    notice.withdrawn_at, notice.withdrawn_by = now, by
    # The update skipped the history and the cache's signals; this save records both.
    notice.save(update_fields=["withdrawn_at", "withdrawn_by"])
    absence_noticed.send(sender=AbsenceNotice, notice=notice)
    return notice
