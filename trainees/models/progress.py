"""The number that invalidates cached progress."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgressGeneration(models.Model):
    """One row: a number that every committed write to what progress is computed from raises
    (`trainees.progress_cache`), so a cached summary keyed by it is never read after the write.

    `epoch` is new in every database, so that two databases sharing one cache (a restored
    backup, a test database) never read each other's entries."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    epoch = models.UUIDField(_("epoch"), default=uuid.uuid4, editable=False)
    counter = models.BigIntegerField(_("counter"), default=0)

    class Meta:
        verbose_name = _("progress generation")
        verbose_name_plural = _("progress generations")

    def __str__(self) -> str:
        return f"{self.epoch}:{self.counter}"
