"""Personal access tokens: how another system reads and writes the records as a person."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

# What a token shows of itself once it is made: enough to tell tokens apart in a list.
PREFIX_LENGTH = 10


def token_digest(secret: str) -> str:
    """The stored form of a token: its SHA-256. The secret has 256 random bits, so a fast hash
    is enough (as for GitHub's tokens); a slow password hash would cost every API request."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired, and its person still active."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)

    def visible_to(self, user):
        """A person's own tokens; a programme admin's, also those of the people they manage
        (`User.objects.visible_to`), to revoke them."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(user__in=User.objects.visible_to(user).values("pk"))


class AccessToken(models.Model):
    """A personal access token: made by a person for another system, with a scope and an
    expiry. Only its digest is kept; the secret is shown once, when it is made."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. the medical system.")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    prefix = models.CharField(_("starts with"), max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    last_used_client = models.CharField(_("last client"), max_length=200, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="access_token_expires_after_made",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["read", "write"]), name="access_token_scope_known"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False),
                name="access_token_revoked_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.WRITE

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active
