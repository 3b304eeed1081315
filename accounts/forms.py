from axes.models import AccessAttempt
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMultiAlternatives
from django.core.validators import MaxLengthValidator
from django.db.models.functions import Lower
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from trainingtracker.helpers import ID_LIMIT, WithSubmit
from trainingtracker.mail import automated_headers

from .models import Role, User
from .services import PERSON_FIELDS, PROFILE_FIELDS


class _HelperMixin(WithSubmit):
    """The sign-in and password forms' button spans the narrow card they stand in."""

    submit_class = "w-100"


SIGN_IN_NAME_LIMIT = AccessAttempt._meta.get_field("username").max_length


class SignInForm(_HelperMixin, auth_forms.AuthenticationForm):
    submit_label = _("Sign in")
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "password_sign_in_off": _(
            "This account signs in through your agency's single sign-on, not with a password."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.password_sign_in:
            raise forms.ValidationError(
                self.error_messages["password_sign_in_off"], code="password_sign_in_off"
            )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
        # A failed sign-in is recorded by django-axes under the name typed: a longer name than
        # its column holds is refused here, beside the field, not by PostgreSQL (a 500).
        self.fields["username"].validators.append(MaxLengthValidator(SIGN_IN_NAME_LIMIT))


class SecondFactorForm(_HelperMixin, forms.Form):
    """The second step of a password sign-in: the authenticator's code, or a recovery code."""

    submit_label = _("Continue")
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError(_("A code has only digits and letters."))
        return code


class TotpSetupForm(SecondFactorForm):
    """The first code of a new authenticator, which confirms that it was set up right."""

    submit_label = _("Turn on two-factor sign-in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = _("The six-digit code your app shows")
        field.max_length = 6
        field.widget.attrs.update(inputmode="numeric", maxlength=6)

    def clean_code(self):
        code = super().clean_code()
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Type the six digits your app shows."))
        return code


class RecoveryCodesForm(TotpSetupForm):
    """New recovery codes, for the person who still holds their authenticator."""

    submit_label = _("Make new recovery codes")


class PasswordChangeForm(_HelperMixin, auth_forms.PasswordChangeForm):
    submit_label = _("Change my password")


class PasswordResetForm(_HelperMixin, auth_forms.PasswordResetForm):
    submit_label = _("Send me a link")

    def get_users(self, email):
        # Django skips people without a usable password; here that is someone invited who has
        # not set one yet, and "forgot password" must work for them as the invitation did.
        # Deactivated people still get nothing.
        return (
            user
            for user in User.objects.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Written for the account's owner, in their language, whoever asked for it, with the
        headers of an automated e-mail. Unlike Django's, a failure is raised, not logged: the
        Celery task that sends it tries again (accounts/tasks.py)."""
        language = context["user"].preferred_language
        with translation.override(language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            html = (
                loader.render_to_string(html_email_template_name, context)
                if html_email_template_name
                else None
            )
        message = EmailMultiAlternatives(
            subject, body, from_email, [to_email], headers=automated_headers(language=language)
        )
        if html is not None:
            message.attach_alternative(html, "text/html")
        message.send()


class SetPasswordForm(_HelperMixin, auth_forms.SetPasswordForm):
    submit_label = _("Set my password")


# People ----------------------------------------------------------------------------------------


class _EmailUniqueMixin:
    """The e-mail address is unique whatever its case; say so beside the field."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.annotate(lower=Lower("email")).filter(lower=email.lower())
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(_("Someone else already uses this e-mail address."))
        return email


class QuietHoursMixin:
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None) and not self.errors.get("quiet_hours_end"):
            field = "quiet_hours_end" if start is not None else "quiet_hours_start"
            self.add_error(field, _("Give both the start and the end of the quiet hours."))
        return cleaned


class ProfileForm(WithSubmit, QuietHoursMixin, forms.ModelForm):
    """A person's own profile. Saved by `accounts.services.user_profile_update`."""

    submit_label = _("Save my profile")

    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


STAFF_ROLES = [(role.value, role.label) for role in Role if role != Role.TRAINEE]


class PersonFieldsForm(WithSubmit, _EmailUniqueMixin, forms.ModelForm):
    """Who a new person is. No password: they set their own from the invitation."""

    submit_label = _("Add and send the invitation")

    class Meta:
        model = User
        fields = ("username", "display_name", "native_name", "email", "preferred_language")
        help_texts = {"email": _("The link to set a password is sent here.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["preferred_language"].help_text = _("The invitation is written in it.")

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PersonCreateForm(PersonFieldsForm):
    """A new trainer, medical officer or programme admin (trainees join a cohort instead)."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=STAFF_ROLES, widget=forms.CheckboxSelectMultiple
    )


class PersonEditForm(WithSubmit, _EmailUniqueMixin, forms.ModelForm):
    """What a programme admin may correct about a person. Saved by `person_update`."""

    class Meta:
        model = User
        fields = PERSON_FIELDS


class RolesForm(WithSubmit, forms.Form):
    submit_label = _("Change the roles")
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class LockoutReleaseForm(forms.Form):
    """Which lock-out to release (a button per lock-out on the page)."""

    lockout = forms.IntegerField(min_value=1, max_value=ID_LIMIT)
