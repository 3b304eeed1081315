from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People, their roles and preferences, and signing in; curriculum and trainees use it."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import audit
        from .roles import roles_sync_after_migrate
        from .signals import last_login_record

        # Keeps the role groups as accounts/roles.py defines them, after every migrate or flush.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
        # Django's own receiver saves the whole person at each sign-in, which would add a
        # history record every morning; ours writes the one column.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(last_login_record, dispatch_uid="accounts_last_login_record")
        # The security audit log (accounts/audit.py).
        user_logged_in.connect(audit.signed_in, dispatch_uid="audit_signed_in")
        user_logged_out.connect(audit.signed_out, dispatch_uid="audit_signed_out")
        user_login_failed.connect(audit.sign_in_failed, dispatch_uid="audit_sign_in_failed")
        user_locked_out.connect(audit.locked_out, dispatch_uid="audit_locked_out")
