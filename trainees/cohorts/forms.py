"""Forms of the programme admin's cohort and trainee pages. They validate; services save."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.forms import PersonFieldsForm
from accounts.models import Role, User
from curriculum.models import ProgrammeRevision
from trainees.cohorts.services import cohort_weeks
from trainees.models import Cohort, Trainee
from trainingtracker import inputs
from trainingtracker.helpers import IdChoiceField, IdMultipleChoiceField, ends_after_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(form, label):
    form.helper = FormHelper(form)
    form.helper.add_input(Submit("submit", label))


def trainers_available():
    """People who may be assigned to train a cohort: active, with the trainer role."""
    return User.objects.filter(groups__name=Role.TRAINER, is_active=True).order_by("display_name")


class _CohortDatesMixin:
    def clean(self):
        cleaned = super().clean()
        ends_after_check(
            self,
            cleaned,
            start="starts_on",
            end="ends_on",
            model=Cohort,
            constraint="cohort_ends_after_start",
        )
        return cleaned


class CohortCreateForm(_CohortDatesMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ("name", "revision", "starts_on", "ends_on", "trainers")
        formfield_callback = staticmethod(inputs.formfield)  # dates within the years allowed
        # Ids past 64 bits are refused as invalid choices, not a 500 (trainingtracker/helpers.py).
        field_classes = {"revision": IdChoiceField, "trainers": IdMultipleChoiceField}
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "trainers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = (
            ProgrammeRevision.objects.visible_to(user).published().select_related("programme")
        )
        self.fields["revision"].help_text = _(
            "Only published revisions; the cohort's trainees stay on this one."
        )
        self.fields["trainers"].queryset = trainers_available()
        _helper(self, _("Create the cohort and plan it"))

    def _post_clean(self):
        # The dates' check constraint is reported beside the field by clean(); skip the model's
        # second, unplaced copy of it.
        if "ends_on" in self.errors:
            return
        super()._post_clean()


class CohortEditForm(_CohortDatesMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ("name", "starts_on", "ends_on")
        formfield_callback = staticmethod(inputs.formfield)
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _helper(self, _("Save"))

    def _post_clean(self):
        if "ends_on" in self.errors:
            return
        super()._post_clean()


class CohortPlanForm(forms.Form):
    """The first and last week of each module of the cohort's revision; both empty: not planned.

    Rendered as a table by the template, one row per module (see `rows`).
    """

    def __init__(self, *args, cohort: Cohort, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.modules = list(modules)
        self.weeks = cohort_weeks(cohort)
        planned = {entry.module_id: entry for entry in cohort.plan.all()}
        for module in self.modules:
            entry = planned.get(module.pk)
            for part, label in (("start", _("first week")), ("end", _("last week"))):
                self.fields[f"m{module.pk}_{part}"] = inputs.IntegerField(
                    label=f"{module.code} {label}",
                    required=False,
                    min_value=1,
                    max_value=self.weeks,
                    initial=getattr(entry, f"{part}_week", None),
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )

    def rows(self):
        return [(m, [self[f"m{m.pk}_start"], self[f"m{m.pk}_end"]]) for m in self.modules]

    def clean(self):
        cleaned = super().clean()
        self.spans = {}
        for module in self.modules:
            start_name, end_name = f"m{module.pk}_start", f"m{module.pk}_end"
            start, end = cleaned.get(start_name), cleaned.get(end_name)
            if start_name in self.errors or end_name in self.errors:
                continue
            if start is None and end is None:
                self.spans[module] = None
            elif start is None or end is None:
                self.add_error(
                    end_name if end is None else start_name,
                    _("Give both weeks, or neither to leave the module out."),
                )
            elif end < start:
                self.add_error(end_name, _("The last week cannot come before the first."))
            else:
                self.spans[module] = (start, end)
        return cleaned


class CohortTrainersForm(forms.Form):
    trainers = IdMultipleChoiceField(
        label=_("Trainers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = trainers_available()
        _helper(self, _("Save the trainers"))


class CohortCloseForm(forms.Form):
    closed_on = inputs.DateField(label=_("Graduation day"), widget=DATE)
    graduate = forms.BooleanField(
        label=_("Mark every trainee still in training as graduated on that day"),
        required=False,
        initial=True,
    )
    reason = forms.CharField(
        label=_("Reason, in each graduate's status history"),
        initial=_("Completed the programme with the cohort."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()
        _helper(self, _("Close the cohort"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("graduate") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the change."))
        return cleaned


class TraineePersonForm(PersonFieldsForm):
    """A new trainee: who they are, and their place in the crew. One CSV row is one of these."""

    agency = forms.ChoiceField(label=_("Agency"), choices=Trainee.Agency.choices)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=Trainee.Nationality.choices)
    crew_role = forms.ChoiceField(label=_("Crew role"), choices=Trainee.CrewRole.choices)


class TraineeAddForm(TraineePersonForm):
    enrolled_on = inputs.DateField(
        label=_("Enrolled on"),
        widget=DATE,
        help_text=_("The first day of their status history."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolled_on"].initial = max(cohort.starts_on, timezone.localdate())


class TraineeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, one trainee a line after a header line naming the columns: username, "
            "display_name, native_name, email, preferred_language, agency, nationality, "
            "crew_role."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _helper(self, _("Check the file"))


class TraineeImportConfirmForm(forms.Form):
    """The checked file, sent back with the confirmation; it is checked again before saving."""

    content = forms.CharField(widget=forms.HiddenInput, strip=False)


STATUS_CHOICES = [
    (value, label) for value, label in Trainee.Status.choices if value != Trainee.Status.IN_TRAINING
] + [(Trainee.Status.IN_TRAINING, _("Back in training"))]


class TraineeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=STATUS_CHOICES)
    effective_on = inputs.DateField(label=_("Effective on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, trainee: Trainee, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        self.fields["status"].choices = [
            choice for choice in STATUS_CHOICES if choice[0] != trainee.status
        ]
        self.fields["effective_on"].initial = timezone.localdate()
        _helper(self, _("Change the status"))

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A status changes on the day it happens, not ahead."))
        if day < self.trainee.status_since:
            raise forms.ValidationError(
                _("The current status holds since %(date)s; a change cannot come before it.")
                % {"date": date_format(self.trainee.status_since)}
            )
        return day


class RevisionChoiceForm(forms.Form):
    """Which revision to preview the move to (a GET form: it changes nothing)."""

    revision = IdChoiceField(
        queryset=ProgrammeRevision.objects.none(), label=_("Move to"), empty_label=None
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = (
            ProgrammeRevision.objects.newer_than(cohort.revision)
            .select_related("programme")
            .order_by("-number")
        )
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
