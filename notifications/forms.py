from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from trainingtracker import inputs

from .models import ReminderSettings


class DayListField(forms.CharField):
    """Whole days, comma-separated, e.g. "30, 7": each from 1 to 365, no repeats."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        days = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if (
                not (part.isascii() and part.isdigit() and len(part) <= 3)
                or not 1 <= int(part) <= 365
            ):
                raise forms.ValidationError(
                    _("Give whole days from 1 to 365, separated by commas, e.g. 30, 7.")
                )
            days.append(int(part))
        if len(set(days)) != len(days):
            raise forms.ValidationError(_("Each number of days once."))
        return sorted(days, reverse=True)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(day) for day in value)
        return value


class ReminderSettingsForm(forms.ModelForm):
    """The reminders' lead times. Saved as a whole by `reminder_settings_update`."""

    qualification_days = DayListField(
        label=_("Qualification expiry, days before"),
        max_length=100,
        help_text=_("Comma-separated, e.g. 30, 7. Holders are also reminded on the day."),
    )

    class Meta:
        model = ReminderSettings
        # Whole numbers held to their column on SQLite as on PostgreSQL.
        formfield_callback = staticmethod(inputs.formfield)
        fields = ("session_hours", "qualification_days", "assessment_due_days", "pending_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Save the lead times")))
