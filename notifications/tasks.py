"""Thin Celery tasks: each loads by id and calls a service (notifications.services)."""

import smtplib

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from . import services

# Errors worth another try: the mail server or the network was briefly unavailable.
TRANSIENT = (OSError, smtplib.SMTPException)


class _DeliveryTask(DjangoTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries are exhausted (or the error was not transient): record it on the row.
        delivery_id = kwargs.get("delivery_id", args[0] if args else None)
        if delivery_id is not None:
            services.delivery_failed(delivery_id=delivery_id, error=repr(exc))


@shared_task(
    base=_DeliveryTask,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery (an in-app notice or an e-mail).

    Idempotent: the delivery is claimed by a conditional UPDATE before anything is sent, so a
    redelivered or duplicated task finds it claimed or sent and does nothing. A transient error
    releases the claim and retries with backoff.
    """
    return services.delivery_send(delivery_id=delivery_id)


@shared_task
def reminders_sweep() -> dict:
    """Record the reminders due now and enqueue every delivery waiting to be sent.

    Idempotent: each reminder has a unique key, so overlapping or repeated sweeps record it
    once; deliveries are claimed before sending (see `delivery_send`).
    """
    return services.reminders_sweep()
