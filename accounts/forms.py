from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class _HelperMixin:
    """Gives an auth form a crispy FormHelper with one labelled submit button."""

    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label, css_class="w-100"))


class SignInForm(_HelperMixin, auth_forms.AuthenticationForm):
    submit_label = _("Sign in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class PasswordChangeForm(_HelperMixin, auth_forms.PasswordChangeForm):
    submit_label = _("Change my password")


class PasswordResetForm(_HelperMixin, auth_forms.PasswordResetForm):
    submit_label = _("Send me a link")

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Written for the account's owner, in their language, whoever asked for it.
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class SetPasswordForm(_HelperMixin, auth_forms.SetPasswordForm):
    submit_label = _("Set my password")
