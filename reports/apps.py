from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Progress reports")

    def ready(self):
        from . import builders  # noqa: F401 -- registers the reports as notification kinds
        from .models import report_schedule_after_migrate

        # The one schedule exists after every migrate or test-database flush, as the reminders'
        # lead times do (notifications/apps.py).
        post_migrate.connect(report_schedule_after_migrate, sender=self)
