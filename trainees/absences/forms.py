"""The notice of absence a trainee gives: the kind of reason and the reason in their words.
The service decides and saves (trainees/absences/services.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trainees.models import AbsenceNotice
from trainingtracker.helpers import WithSubmit


class AbsenceNoticeForm(WithSubmit, forms.Form):
    submit_label = _("Give notice")

    category = forms.ChoiceField(
        label=_("Kind of reason"), choices=[("", "---------"), *AbsenceNotice.Category.choices]
    )
    # Django's CharField refuses NUL, and max_length holds it to the column.
    reason = forms.CharField(
        label=_("Reason"),
        max_length=AbsenceNotice.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your trainer reads it; the log shows it as the remark on your absence."),
    )
