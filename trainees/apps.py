from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    """Who trains and what happened: cohorts, sessions, grades, results, progress, readiness."""

    name = "trainees"
    verbose_name = _("Trainees")

    def ready(self) -> None:
        from trainees import progress_cache

        progress_cache.connect()
