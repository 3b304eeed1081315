from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    """The Django admin, kept for operators (superusers); everyone else uses the product's pages."""

    default_site = "trainingtracker.admin.OperatorAdminSite"
