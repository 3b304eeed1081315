from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Reminders found by a sweep of the database, their delivery in the application and by
    e-mail, the personal calendar feed and the record of each scheduled job's runs.

    An app of its own: it reads the records of `trainees/` and the people of `accounts/`, and
    later features (the weekly reports) deliver through it; neither of those should
    depend on delivery."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from trainees.records.export import PERSONAL_SECTIONS
        from trainees.signals import absence_noticed, timetable_changed

        from . import jobs, kinds, receivers  # noqa: F401 -- registers the renderers and job signals
        from .models import Notification, reminder_settings_after_migrate

        # What the training records tell, inside their transaction (trainees/signals.py): a
        # timetable change reaches the people it touches, a notice of absence the trainer.
        timetable_changed.connect(
            receivers.timetable_change_told, dispatch_uid="timetable_change_told"
        )
        absence_noticed.connect(receivers.absence_notice_told, dispatch_uid="absence_notice_told")

        # A trainee's export holds the notifications sent to them.
        PERSONAL_SECTIONS["notifications"] = lambda user: Notification.objects.filter(
            recipient=user
        )

        # The singleton of lead times exists after every migrate or test-database flush.
        post_migrate.connect(reminder_settings_after_migrate, sender=self)
