"""Forms of the cohort revision page (issue 6)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from curriculum.models import ProgrammeRevision
from trainingtracker.helpers import IdChoiceField

from .models import Cohort


def newer_revisions(cohort: Cohort):
    """The published revisions of the cohort's programme that are newer than its own."""
    return (
        ProgrammeRevision.objects.published()
        .filter(programme=cohort.revision.programme_id, number__gt=cohort.revision.number)
        .select_related("programme")
        .order_by("-number")
    )


class RevisionChoiceForm(forms.Form):
    """Which revision to preview the move to (a GET form: it changes nothing)."""

    revision = IdChoiceField(
        queryset=ProgrammeRevision.objects.none(), label=_("Move to"), empty_label=None
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = newer_revisions(cohort)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.add_input(Submit("preview", _("Show what changes"), css_class="btn-secondary"))


class CohortRevisionMoveForm(forms.Form):
    """The move itself, made on the preview the admin saw (`from_revision`)."""

    revision = IdChoiceField(queryset=ProgrammeRevision.objects.none(), widget=forms.HiddenInput)
    from_revision = IdChoiceField(
        queryset=ProgrammeRevision.objects.none(), widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason for the move"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the move in the cohort's history."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        # Any revision of the programme: whether the move still holds is the service's to say
        # (the cohort may have moved since the preview).
        revisions = ProgrammeRevision.objects.filter(programme=cohort.revision.programme_id)
        self.fields["revision"].queryset = revisions.published()
        self.fields["from_revision"].queryset = revisions
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("move", _("Move the cohort")))
