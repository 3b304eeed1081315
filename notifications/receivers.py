"""What the records tell (`trainees.signals`), turned into notifications.

The receivers run inside the write's transaction, so a change and the notices of it are saved
together or not at all; the deliveries go out after it commits (`notify_many`).
"""

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.texts import text_plain
from trainees.models import AbsenceNotice
from trainees.signals import ChangeKind, TimetableChange

from .services import notify, notify_many


def timetable_change_params(change: TimetableChange) -> dict:
    """What the `timetable_changed` notice says, from the change alone (its renderer reads no
    row but the module's title in the reader's language)."""
    first, last = change.sessions[0], change.sessions[-1]
    was = change.before.get(first.pk, (first.starts_at, first.ends_at))
    day = timezone.localdate(first.starts_at).isoformat()
    if change.series is None and change.kind != ChangeKind.REMOVED:
        url = first.get_absolute_url()
    else:
        # Many sessions, or one the person may no longer open: their week on the timetable.
        url = f"{reverse('trainees:my_timetable')}?view=week&on={day}"
    return {
        "change": change.kind,
        "count": len(change.sessions),
        "module_id": first.module_id,
        "module_code": first.module.code,
        "module_title": text_plain(first.module, "title"),
        "starts_at": first.starts_at.isoformat(),
        "ends_at": first.ends_at.isoformat(),
        "was_starts_at": was[0].isoformat(),
        "was_ends_at": was[1].isoformat(),
        "last_starts_at": last.starts_at.isoformat(),
        "places": ", ".join(str(resource) for resource in first.resources.all()),
        "reason": change.reason,
        "by": str(change.by),
        "url": url,
    }


def timetable_change_told(sender, *, change: TimetableChange, **kwargs) -> None:
    """Each person a timetable change touches hears of it once, on their channels, in their
    language; a series changed from a date on is one notice, not one per occurrence."""
    first = change.sessions[0]
    recipients = list(User.objects.filter(pk__in=change.recipients, is_active=True))
    if not recipients:
        return
    # The session's version moved with the change: the key is this change's, so telling it
    # again (a retried write) records nothing twice.
    key = f"timetable:{change.kind}:{first.pk}.{first.version}"
    notify_many(
        recipients=recipients,
        kind="timetable_changed",
        key_of=lambda user: f"{key}:{user.pk}",
        params=timetable_change_params(change),
    )


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
