"""Writes: record a notification once, claim and send each channel's delivery once, sweep.

Reliability (docs/notifications.md):
- `notify` records the notification and one delivery row per channel in one transaction; a key
  already recorded makes it return False and write nothing.
- Deliveries are sent by `notifications.tasks.delivery_send`, enqueued after the transaction
  commits. The task claims its row with one conditional UPDATE (pending and due, or a claim
  whose lease lapsed) and sends only if that UPDATE changed exactly one row.
- A worker that dies after claiming leaves the row "sending"; once the lease (longer than the
  task's hard time limit) lapses, the sweep enqueues it again and another worker re-claims it.
- Nothing relies on the broker keeping a message: the sweep re-enqueues whatever is pending and
  due, so a lost queue (Redis restarted, the file broker) only delays delivery.
"""

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from accounts.models import User
from trainingtracker.mail import automated_headers

from .delivery import kinds, render
from .models import CalendarToken, Channel, Delivery, DeliveryStatus, Notification
from .selectors import reminders_due

NOTIFICATION_KEY_HEADER = "X-Notification-Key"


def quiet_hours_end(*, user: User, at: dt.datetime) -> dt.datetime:
    """When `user`'s quiet hours that contain `at` end (UTC); `at` itself if not quiet."""
    if not user.in_quiet_hours(at):
        return at
    local = timezone.localtime(at, user.time_zone)
    end = local.replace(
        hour=user.quiet_hours_end.hour,
        minute=user.quiet_hours_end.minute,
        second=0,
        microsecond=0,
    )
    if end <= local:
        end += dt.timedelta(days=1)
    # Rebuilt from the wall-clock time, so that a change of daylight saving time in between
    # still ends the quiet hours at the hour the person chose.
    end = end.replace(tzinfo=None)
    return timezone.make_aware(end, user.time_zone).astimezone(dt.UTC)


def notify(
    *,
    recipient: User,
    kind: str,
    key: str,
    params: dict,
    not_before: dt.datetime | None = None,
) -> bool:
    """Record one notification for `recipient`, once per `key`, and deliver it on their
    channels after the transaction commits. Returns False (and writes nothing) if `key` is
    already recorded.

    E-mail waits until `not_before` (default: now) and then until the recipient's quiet hours
    end; the application channel shows it at once.
    """
    if kind not in kinds():
        raise LookupError(f"No renderer is registered for the kind {kind!r}.")
    now = timezone.now()
    due = max(not_before or now, now)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, key=key, params=params, created_at=now
            )
            deliveries = _deliveries(notification, recipient, due)
            Delivery.objects.bulk_create(deliveries)
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return False
        raise
    for delivery in deliveries:
        if delivery.not_before <= now:
            _enqueue(delivery.pk)
    return True


def _deliveries(notification: Notification, recipient: User, due: dt.datetime) -> list[Delivery]:
    """The rows that deliver `notification` on `recipient`'s channels: the application's at
    `due`, e-mail's once their quiet hours have ended too."""
    deliveries = []
    if recipient.notify_in_app:
        deliveries.append(Delivery(channel=Channel.IN_APP, not_before=due))
    if recipient.notify_email and recipient.email:
        deliveries.append(
            Delivery(channel=Channel.EMAIL, not_before=quiet_hours_end(user=recipient, at=due))
        )
    for delivery in deliveries:
        delivery.notification = notification
        delivery.key = f"{notification.key}:{delivery.channel}"
    return deliveries


def notify_many(
    *,
    recipients: list[User],
    kind: str,
    key_of,
    params: dict,
    not_before: dt.datetime | None = None,
) -> int:
    """`notify` for several people at once, in three queries whoever they are: one
    notification each under `key_of(recipient)`, the same `params`. Keys already recorded are
    left alone. Returns how many were recorded."""
    if kind not in kinds():
        raise LookupError(f"No renderer is registered for the kind {kind!r}.")
    now = timezone.now()
    due = max(not_before or now, now)
    by_key = {key_of(recipient): recipient for recipient in recipients}
    try:
        with transaction.atomic():
            recorded = set(
                Notification.objects.filter(key__in=by_key).values_list("key", flat=True)
            )
            notifications = Notification.objects.bulk_create(
                Notification(recipient=recipient, kind=kind, key=key, params=params, created_at=now)
                for key, recipient in by_key.items()
                if key not in recorded
            )
            deliveries = [
                delivery
                for notification in notifications
                for delivery in _deliveries(notification, notification.recipient, due)
            ]
            Delivery.objects.bulk_create(deliveries)
    except IntegrityError:
        # Another process recorded one of the keys meanwhile: one at a time, each once.
        return sum(
            notify(recipient=recipient, kind=kind, key=key, params=params, not_before=not_before)
            for key, recipient in by_key.items()
        )
    for delivery in deliveries:
        if delivery.not_before <= now:
            _enqueue(delivery.pk)
    return len(notifications)


_INLINE: ContextVar[bool] = ContextVar("notifications_inline", default=False)


@contextmanager
def deliveries_inline():
    """Within this block, deliveries are sent in this process after commit instead of through
    Celery: `manage.py reminders_sweep --inline` (a site without a worker, the browser test)."""
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


def _enqueue(delivery_id: int) -> None:
    if _INLINE.get():
        transaction.on_commit(lambda: delivery_send(delivery_id=delivery_id))
        return
    from .tasks import delivery_send as task

    task.delay_on_commit(delivery_id)


def claim_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, not_before__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_lease()
    )


def delivery_claim(*, delivery_id: int) -> bool:
    """Claim a delivery for sending: True only for the one caller whose conditional UPDATE
    changed the row (pending and due, or claimed by a worker whose lease lapsed)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def delivery_release(*, delivery_id: int, error: str) -> None:
    """Give a claimed delivery back after a transient error, for the retry to claim again."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claimed_at=None, last_error=error[:2000]
    )


def _finish(delivery: Delivery, status: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status, **fields
    )


def delivery_send(*, delivery_id: int) -> str:
    """Claim and send one delivery; returns its status afterwards ("" if another has it).

    Idempotent: a delivery not claimable now (sent, skipped, being sent by a live worker, or
    not yet due) is left alone. Raises on a transient sending error after releasing the claim,
    so the task's retry can claim it again.
    """
    if not delivery_claim(delivery_id=delivery_id):
        return ""
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    recipient = notification.recipient
    now = timezone.now()
    if delivery.channel == Channel.IN_APP:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk, shown_at__isnull=True).update(
                shown_at=now
            )
            _finish(delivery, DeliveryStatus.SENT, sent_at=now)
        return DeliveryStatus.SENT
    if not (recipient.is_active and recipient.notify_email and recipient.email):
        _finish(delivery, DeliveryStatus.SKIPPED, last_error="e-mail turned off")
        return DeliveryStatus.SKIPPED
    quiet_until = quiet_hours_end(user=recipient, at=now)
    if quiet_until > now:
        # The quiet hours were set after it was queued: back to pending until they end.
        _finish(delivery, DeliveryStatus.PENDING, not_before=quiet_until, claimed_at=None)
        return DeliveryStatus.PENDING
    message = _email(notification, recipient)
    try:
        message.send()
    except Exception as error:
        delivery_release(delivery_id=delivery.pk, error=repr(error))
        raise
    _finish(delivery, DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT


def _email(notification: Notification, recipient: User) -> EmailMultiAlternatives:
    """The notification as an e-mail in the recipient's language and time zone."""
    with translation.override(recipient.preferred_language), timezone.override(recipient.time_zone):
        rendered = render(notification.kind, recipient, notification.params)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[recipient.email],
        headers={
            NOTIFICATION_KEY_HEADER: notification.key,
            **automated_headers(language=recipient.preferred_language),
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in rendered.attachments:
        message.attach(filename, content, mimetype)
    return message


def delivery_failed(*, delivery_id: int, error: str) -> None:
    """Retries are exhausted: the delivery stays failed, with the error, for an operator."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED, last_error=error[:2000]
    )


def deliveries_requeue(*, now: dt.datetime | None = None) -> int:
    """Enqueue every delivery that is pending and due, or whose claim's lease lapsed."""
    ids = list(
        Delivery.objects.filter(_claimable(now or timezone.now())).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)


def reminders_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Record every reminder due now (once each), then enqueue what is waiting to be sent.

    Safe to run as often as wanted, and two at once: each reminder's key is unique."""
    now = now or timezone.now()
    # First what earlier runs left waiting (a lost queue, a dead worker, quiet hours ended);
    # what this run records is enqueued by `notify` itself, once.
    requeued = deliveries_requeue(now=now)
    reminders = reminders_due(now=now)
    recipients = User.objects.in_bulk({r.recipient_id for r in reminders})
    recorded = 0
    for reminder in reminders:
        recipient = recipients[reminder.recipient_id]
        if not recipient.is_active:
            continue
        recorded += notify(
            recipient=recipient, kind=reminder.kind, key=reminder.key, params=reminder.params
        )
    return {"found": len(reminders), "recorded": recorded, "requeued": requeued}


def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of `user`'s notifications read, or all of them (pk None)."""
    unread = Notification.objects.visible_to(user).unread()
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def calendar_token_regenerate(*, user: User):
    """Revoke `user`'s calendar token, if any, and make a new one."""
    with transaction.atomic():
        CalendarToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
        return CalendarToken.objects.create(user=user)


def calendar_token_revoke(*, user: User) -> bool:
    return bool(CalendarToken.objects.active().filter(user=user).update(revoked_at=timezone.now()))
