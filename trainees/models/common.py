"""What every area's records share: the capability check behind `visible_to`, one-time
submission keys."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

HOUR = Decimal(3600)


def _can(user, capability: str) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(f"accounts.{capability}")


class SubmissionKey(models.Model):
    """The one-time key of a submitted form: a second submission of the same form finds its key
    taken and creates nothing twice. Claimed in the same transaction as the write it guards."""

    key = models.UUIDField(_("key"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    target = models.CharField(_("saved record"), max_length=200)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")

    def __str__(self) -> str:
        return str(self.key)
