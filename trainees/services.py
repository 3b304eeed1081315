"""What the services of every area share: a bulk write raises the versions of the rows it changes,
a form's one-time key is claimed in the transaction of the write it guards, and a refusal names
a session the same way whichever area refuses."""

import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history as _bulk_create_with_history
from simple_history.utils import bulk_update_with_history as _bulk_update_with_history

from accounts.models import User
from curriculum.texts import code_title, text_plain
from trainees.models import SubmissionKey, TrainingSession
from trainees.progress_cache import versions_raise_for
from trainingtracker.helpers import span


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


def session_named(session: TrainingSession) -> str:
    """A session as a refusal names it: module, cohort and time, in the reader's language (the
    session's module with its revision and its cohort loaded, or a query each)."""
    return _("%(module)s for %(cohort)s, %(when)s") % {
        "module": code_title(session.module),
        "cohort": text_plain(session.cohort, "name"),
        "when": span(session.starts_at, session.ends_at),
    }
