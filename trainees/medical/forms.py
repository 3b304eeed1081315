"""Forms of the medical officer's pages. They validate; trainees/medical/services.py saves."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainees.models import MedicalCertificate
from trainingtracker import inputs
from trainingtracker.helpers import WithSubmit, ends_after_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_ahead(day):
    if day > timezone.localdate():
        raise forms.ValidationError(_("This cannot be a day still to come."))
    return day


class HoldOpenForm(WithSubmit, forms.Form):
    submit_label = _("Put on medical hold")
    opened_on = inputs.DateField(label=_("Opened on"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only medical officers read it; others see that a hold is open, and since when."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()

    def clean_opened_on(self):
        return _not_ahead(self.cleaned_data["opened_on"])


class HoldCloseForm(WithSubmit, forms.Form):
    submit_label = _("Close the hold")
    closed_on = inputs.DateField(label=_("Closed on"), widget=DATE)
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()

    def clean_closed_on(self):
        return _not_ahead(self.cleaned_data["closed_on"])


class CertificateForm(WithSubmit, forms.ModelForm):
    submit_label = _("Record the certificate")

    class Meta:
        model = MedicalCertificate
        formfield_callback = staticmethod(inputs.formfield)  # dates within the years allowed
        fields = ("kind", "issued_on", "expires_on", "examiner", "restrictions")
        widgets = {
            "issued_on": DATE,
            "expires_on": DATE,
            "restrictions": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_issued_on(self):
        return _not_ahead(self.cleaned_data["issued_on"])

    def clean(self):
        cleaned = super().clean()
        ends_after_check(
            self,
            cleaned,
            start="issued_on",
            end="expires_on",
            model=MedicalCertificate,
            constraint="certificate_expires_after_issue",
        )
        return cleaned

    def _post_clean(self):
        # The trainee is set by the service; the unique check needs it, and the service's
        # full_clean makes it (reported above the form).
        if "expires_on" in self.errors:
            return
        super()._post_clean()
