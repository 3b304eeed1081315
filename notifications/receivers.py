"""What the training records tell (trainees/signals.py), turned into notifications. Each
receiver runs inside the writing transaction, so a change and the notices of it are saved
together or not at all; `notify` delivers after the commit, once per key."""

from django.urls import reverse

from trainees.models import AbsenceNotice

from .services import notify


def absence_notice_told(sender, *, notice: AbsenceNotice, **kwargs) -> None:
    """The session's trainer hears of a notice of absence given, and of it withdrawn."""
    session = notice.session
    withdrawn = notice.withdrawn_at is not None
    notify(
        recipient=session.trainer,
        kind="absence_notice",
        key=f"absence:{notice.pk}:{'withdrawn' if withdrawn else 'given'}",
        params={
            "withdrawn": withdrawn,
            "trainee": str(notice.trainee.user),
            "category": notice.category,
            "reason": notice.reason,
            "module_code": session.module.code,
            "module_id": session.module_id,
            "module_title": session.module.title,
            "starts_at": session.starts_at.isoformat(),
            "url": reverse("trainees:session_detail", args=[session.pk]),
        },
    )
