from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculumConfig(AppConfig):
    """What is taught and how it is judged: programmes, modules, competencies, qualifications."""

    name = "curriculum"
    verbose_name = _("Curriculum")
