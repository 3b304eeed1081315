"""Forms of the reports: the admin's weekly schedule and the board's "send report now"."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from trainingtracker.helpers import SubmittedOnceForm

from .models import Weekday


class ReportScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send weekly reports"), required=False)
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=Weekday.choices, coerce=int
    )
    local_time = forms.TimeField(
        label=_("Local time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text=_(
            "In each reader's own time zone: a report goes out at the first hourly run after it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Save the schedule")))


class ReportNowForm(SubmittedOnceForm):
    """The board's button: only the one-time key, so a double click queues one job."""
