from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People, their roles and preferences, and signing in; curriculum and trainees use it."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from .roles import roles_sync_after_migrate

        # Keeps the role groups as accounts/roles.py defines them, after every migrate or flush.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
