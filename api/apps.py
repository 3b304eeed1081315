from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for other systems and the personal access tokens that open it.

    An app of its own: it stands on the domain apps (their access gates, selectors and
    services) as notifications and reports do, and none of them imports it."""

    name = "api"
    verbose_name = _("API")
