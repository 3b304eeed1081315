from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The sections of the site, each shown to whoever holds its permission (or any of several).
_SECTIONS = [
    ("accounts.manage_curriculum", "curriculum:home", _("Programme")),
    ("accounts.log_training", "trainees:trainer_home", _("Training floor")),
    ("accounts.manage_people", "trainees:cohort_list", _("Cohorts")),
    ("accounts.manage_people", "trainees:trainee_list", _("Trainees")),
    ("accounts.manage_people", "accounts:people", _("People")),
    ("accounts.manage_people", "reports:schedule", _("Reports")),
    ("accounts.manage_medical", "trainees:medical_home", _("Medical")),
    # Every staff role reads the resources (trainees.access.SEES_RESOURCES).
    (
        ("accounts.manage_people", "accounts.manage_medical", "accounts.log_training"),
        "trainees:resource_list",
        _("Resources"),
    ),
    ("accounts.view_own_progress", "trainees:trainee_home", _("My progress")),
    # Whoever has sessions: a trainer those they lead, a trainee those they are expected at.
    (
        ("accounts.log_training", "accounts.view_own_progress"),
        "trainees:my_timetable",
        _("My timetable"),
    ),
    ("accounts.manage_curriculum", "notifications:reminder_settings", _("Reminders")),
]


def navigation(request):
    """The navigation bar's links for the signed-in person, and which one is current."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections = []
    for perms, url_name, label in _SECTIONS:
        if any(user.has_perm(perm) for perm in ([perms] if isinstance(perms, str) else perms)):
            url = reverse(url_name)
            sections.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return {"nav_sections": sections}
