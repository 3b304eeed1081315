"""What the services of every area share: a bulk write raises the versions of the rows it changes,
and a form's one-time key is claimed in the transaction of the write it guards."""

import uuid

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history as _bulk_create_with_history
from simple_history.utils import bulk_update_with_history as _bulk_update_with_history

from accounts.models import User
from trainees.models import SubmissionKey
from trainees.progress_cache import versions_raise_for


def _versions_raising(write):
    """A bulk write sends no `post_save`: raise the versions of the rows it changes
    (progress_cache) in the same transaction."""

    def wrapped(objs, model, *args, **kwargs):
        result = write(objs, model, *args, **kwargs)
        versions_raise_for(model, objs)
        return result

    return wrapped


bulk_create_with_history = _versions_raising(_bulk_create_with_history)


bulk_update_with_history = _versions_raising(_bulk_update_with_history)


class AlreadySubmitted(Exception):
    """The form was submitted before: `target` is the address of what that submission saved."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


def submission_claim(*, key: uuid.UUID, user: User) -> SubmissionKey:
    """Claim a form's one-time key, inside the caller's transaction, before writing anything.

    A second submission of the same form (a double click, a resent request) finds the key taken
    and raises `AlreadySubmitted` with what the first one saved, so nothing is created twice.
    On PostgreSQL the second insert waits for the first transaction and then fails; SQLite
    serialises writers. Record the saved object's address with `submission_done`.
    """
    try:
        with transaction.atomic():
            return SubmissionKey.objects.create(key=key, user=user)
    except IntegrityError:
        earlier = SubmissionKey.objects.filter(key=key, user=user).first()
        raise AlreadySubmitted(earlier.target if earlier else "") from None


def submission_done(*, claim: SubmissionKey, target: str) -> None:
    claim.target = target
    claim.save(update_fields=["target"])
