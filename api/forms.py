"""The form that makes a personal access token."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from trainingtracker import inputs
from trainingtracker.helpers import SubmittedOnceForm, WithSubmit

DEFAULT_DAYS = 90


def _in_three_months():
    return timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)


class AccessTokenForm(WithSubmit, SubmittedOnceForm):
    submit_label = _("Make the token")

    name = forms.CharField(
        label=_("Name"),
        max_length=AccessToken._meta.get_field("name").max_length,
        help_text=_("What will use it, e.g. the medical system."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = inputs.DateField(
        label=_("Expires on"),
        initial=_in_three_months,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The token stops working at the start of this day."),
    )
