"""Forms of the resource pages. They check what was typed; trainees/resources/services.py
decides and saves (a refusal lands beside the field it names)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from curriculum.models import Programme
from trainees.models import MAX_CAPACITY, Resource, ResourceUnavailability, TrainerAuthorisation
from trainees.resources.selectors import module_codes, trainers
from trainingtracker import inputs
from trainingtracker.helpers import IdChoiceField, SubmittedOnceForm, WithSubmit, ends_after_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _datetime(label):
    return inputs.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
    )


def _field(name: str):
    return Resource._meta.get_field(name)


class ResourceForm(WithSubmit, SubmittedOnceForm):
    """A resource's name, kind, capacity, required qualification and notes."""

    name = forms.CharField(
        label=pgettext_lazy("resource", "Name"), max_length=_field("name").max_length
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=1,
        help_text=_field("capacity").help_text,
    )
    required_qualification = forms.CharField(
        label=_("Required qualification"),
        max_length=_field("required_qualification").max_length,
        required=False,
        help_text=_(
            "The code of a qualification of the curriculum a trainee must hold, current, to be "
            "booked into it (water survival before the pool); blank if none."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RetireForm(WithSubmit, forms.Form):
    submit_label = _("Retire the resource")
    submit_class = "btn-danger"


class UnavailabilityForm(WithSubmit, forms.Form):
    submit_label = _("Record the unavailable period")
    starts_at = _datetime(_("From"))
    ends_at = _datetime(_("Until"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=ResourceUnavailability._meta.get_field("reason").max_length,
        help_text=_("Maintenance, inspection, weather: what keeps it out of service."),
    )

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="starts_at",
            end="ends_at",
            model=ResourceUnavailability,
            constraint="unavailable_ends_after_start",
        )
        return data


class AuthorisationForm(WithSubmit, forms.Form):
    """Authorise a trainer to instruct a module of a programme (by its code, across the
    programme's revisions)."""

    submit_label = _("Grant the authorisation")
    trainer = IdChoiceField(queryset=User.objects.none(), label=_("Trainer"))
    programme = IdChoiceField(queryset=Programme.objects.none(), label=_("Programme"))
    module_code = forms.ChoiceField(label=_("Module code"), choices=())
    granted_on = inputs.DateField(label=_("Granted on"), widget=DATE)
    expires_on = inputs.DateField(
        label=_("Expires on"),
        widget=DATE,
        required=False,
        help_text=_("Blank if it does not expire."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers()
        self.fields["trainer"].label_from_instance = lambda person: (
            person.display_name or str(person)
        )
        programmes = list(Programme.objects.visible_to(user).order_by("name"))
        self.fields["programme"].queryset = Programme.objects.visible_to(user).order_by("name")
        # Every programme's module codes, by programme: the service checks the pair.
        codes = module_codes(programmes)
        self.fields["module_code"].choices = [("", "---------")] + [
            (programme.name, [(code, code) for code in codes.get(programme.pk, [])])
            for programme in programmes
        ]
        self.fields["granted_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="granted_on",
            end="expires_on",
            model=TrainerAuthorisation,
            constraint="authorisation_expires_after_granted",
        )
        return data
