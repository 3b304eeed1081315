"""The forms of an import of past records: the file, then its confirmation."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from trainees.imports.rows import COLUMNS, MAX_BYTES
from trainingtracker.helpers import SubmittedOnceForm


class PastImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, at most 5,000 rows and 2 MB, one row per trainee per session after a header "
            "line naming the columns: %(columns)s."
        )
        % {"columns": ", ".join(COLUMNS)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Check the file")))


class PastImportConfirmForm(SubmittedOnceForm):
    """The checked file, sent back with the confirmation: checked again before it is written.
    Results in it are signed by the importing admin, who types their password for that."""

    content = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_BYTES)
    file_name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    password = forms.CharField(
        label=_("Your password, to sign the imported assessment results"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        strip=False,
        max_length=4096,
    )
