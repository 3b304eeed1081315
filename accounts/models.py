import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField


class Role(models.TextChoices):
    """The four roles of the programme. Each is a Group of the same name, made by a migration.

    Listed in order of precedence: a person with several roles lands on the page of the first.
    """

    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")
    MEDICAL_OFFICER = "medical_officer", _("Medical officer")
    TRAINER = "trainer", _("Trainer")
    TRAINEE = "trainee", _("Trainee")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The people pages' gate: programme admins see everyone but the operators (who are
        managed in the Django admin); anyone else sees only themselves."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.has_perm("accounts.manage_people"):
            return self.filter(is_superuser=False)
        return self.filter(pk=user.pk)


class PersonManager(UserManager.from_queryset(PersonQuerySet)):
    pass


def default_time_zone() -> str:
    """The site's zone, read when a person is created (not frozen into a migration)."""
    return settings.TIME_ZONE


# The script each of the site's languages is written in (ISO 15924), and the blocks of Unicode
# that mark a name as written in it. A name is shown in its own script only on pages whose
# language uses that script.
LANGUAGE_SCRIPTS = {"en": "Latn", "zh-hans": "Hani", "ur": "Arab"}
SCRIPT_LANGUAGE = {"Hani": "zh-Hans", "Arab": "ur"}
_SCRIPT_BLOCKS = (
    ("Hani", 0x3400, 0x4DBF),
    ("Hani", 0x4E00, 0x9FFF),
    ("Hani", 0xF900, 0xFAFF),
    ("Arab", 0x0600, 0x06FF),
    ("Arab", 0x0750, 0x077F),
    ("Arab", 0xFB50, 0xFDFF),
    ("Arab", 0xFE70, 0xFEFF),
)


def script_of(text: str) -> str | None:
    """The script of the first letter of `text` that is Chinese or Arabic script, or None."""
    for char in text:
        point = ord(char)
        for script, low, high in _SCRIPT_BLOCKS:
            if low <= point <= high:
                return script
    return None


class User(AbstractUser):
    """Everyone who signs in: trainees, trainers, medical officers, programme admins, operators.

    Names are kept whole rather than split into first and last: Chinese and Urdu names do not
    follow that pattern, and crews read each other's names in two scripts.
    """

    first_name = None
    last_name = None

    display_name = models.CharField(
        _("name (Latin script)"),
        max_length=150,
        help_text=_("As it appears on English documents, e.g. Ayesha Khan or Zhao Lei."),
    )
    native_name = models.CharField(
        _("name in own script"),
        max_length=150,
        blank=True,
        help_text=_("As the person writes it, e.g. عائشہ خان or 赵磊."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = TimeZoneField(_("time zone"), default=default_time_zone)
    # The channels and quiet hours that reminder delivery reads (see `in_quiet_hours`).
    notify_in_app = models.BooleanField(
        _("notify in the application"),
        default=True,
        help_text=_("Show reminders and notices on your pages in the tracker."),
    )
    notify_email = models.BooleanField(
        _("notify by e-mail"),
        default=True,
        help_text=_("Send reminders and notices to your e-mail address."),
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"),
        null=True,
        blank=True,
        help_text=_("No e-mail is sent between the start and the end, in your time zone."),
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours end"),
        null=True,
        blank=True,
        help_text=_(
            "Leave both empty for no quiet hours. A start later than the end spans midnight."
        ),
    )

    # Off for someone who signs in only through their agency's single sign-on: their password,
    # if they have one, then opens nothing, and they sign results at the provider.
    password_sign_in = models.BooleanField(
        _("may sign in with a password"),
        default=True,
        help_text=_(
            "Turn off for someone who signs in only through their agency's single sign-on."
        ),
    )

    objects = PersonManager()
    # Who changed a person's profile or roles, when. Never a password hash; sign-ins are in
    # django-axes' access log instead of here (see accounts.signals).
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    REQUIRED_FIELDS = ["email", "display_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Someone else already uses this e-mail address."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                    | models.Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False)
                ),
                name="user_quiet_hours_both_or_neither",
                violation_error_message=_("Give both the start and the end of the quiet hours."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    preferred_language__in=[code for code, name in settings.LANGUAGES]
                ),
                name="user_preferred_language_known",
            ),
        ]
        # Capabilities that span several models; each role's Group holds a set of them.
        permissions = [
            ("manage_curriculum", _("Can manage the curriculum")),
            ("manage_people", _("Can manage people and cohorts")),
            ("log_training", _("Can schedule and log training")),
            ("sign_assessment", _("Can sign assessments")),
            ("view_own_progress", _("Can view own training progress")),
            ("manage_medical", _("Can manage medical records")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def native_name_for(self, language: str) -> str:
        """The name in the person's own script if `language` is written in that script (高岩 on
        a Chinese page, عائشہ خان on an Urdu one), else "" (the Latin form stands alone)."""
        if not self.native_name:
            return ""
        script = script_of(self.native_name)
        return self.native_name if script and LANGUAGE_SCRIPTS.get(language) == script else ""

    def name_for(self, language: str) -> str:
        """As plain text for a reader of `language`: "高岩 (Gao Yan)" or "Gao Yan"."""
        native = self.native_name_for(language)
        return f"{native} ({self})" if native else str(self)

    def get_short_name(self) -> str:
        return self.display_name

    @cached_property
    def roles(self) -> frozenset[str]:
        """The person's roles, read once per request."""
        return frozenset(self.groups.filter(name__in=Role.values).values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in Role if role in self.roles]

    @property
    def primary_role(self) -> Role | None:
        """The role whose landing page this person sees first (see Role's order)."""
        return next((role for role in Role if role in self.roles), None)

    @property
    def signs_with_password(self) -> bool:
        """Whether this person signs records by typing their password again; otherwise by
        confirming who they are at their single sign-on provider."""
        return self.password_sign_in and self.has_usable_password()

    def in_quiet_hours(self, at: dt.datetime | None = None) -> bool:
        """Whether `at` (default: now) falls in this person's quiet hours, in their time zone.

        A start later than the end spans midnight: 22:00 to 07:00 is quiet at 23:30 and 06:00.
        """
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return False
        local = timezone.localtime(at or timezone.now(), self.time_zone).time()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start <= end:
            return start <= local < end
        return local >= start or local < end
