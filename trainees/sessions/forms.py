"""Forms of the session pages: scheduling, cancelling and the log. Each has a crispy
`FormHelper`; the services do the writing."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from curriculum.models import Module
from curriculum.texts import behaviours_html, code_title, text_local
from trainees.models import (
    METRIC_SPECS,
    WEEKDAY_NAMES,
    Cohort,
    Metric,
    Resource,
    SessionAttendance,
    SessionSeries,
    Trainee,
    TrainingSession,
)
from trainees.sessions.series import occurrence_count_refusal, occurrences_counted
from trainees.sessions.services import AttendanceEntry
from trainingtracker import inputs
from trainingtracker.helpers import (
    IdChoiceField,
    IdMultipleChoiceField,
    SubmittedOnceForm,
    ends_after_check,
)

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
GRADE_CHOICES = [
    ("", _("Not observed")),
    ("1", _("1: unsafe or ineffective")),
    ("2", "2"),
    ("3", _("3: adequate")),
    ("4", "4"),
    ("5", _("5: exemplary")),
]


class DateTimeLocalField(inputs.DateTimeField):
    """A date and time typed in the browser's own picker, in the user's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)

    def __init__(self, **kwargs):
        super().__init__(input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"], **kwargs)


class _SessionTimesForm(SubmittedOnceForm):
    """A session's times, as typed: the end after the start."""

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="starts_at",
            end="ends_at",
            model=TrainingSession,
            constraint="session_ends_after_start",
        )
        return data


class _BookingForm(SubmittedOnceForm):
    """What a session and a series book alike: the module, resources, roster and notes, and a
    programme admin's reason to go on despite the warnings."""

    module = IdChoiceField(queryset=Module.objects.none(), label=_("Module"))
    resources = IdMultipleChoiceField(
        queryset=Resource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Resources"),
        help_text=_("The places and devices the session books."),
    )
    trainees = IdMultipleChoiceField(
        queryset=Trainee.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Expected trainees"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Reason to schedule despite the warnings"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the schedule shows warnings; the session's history keeps it."),
    )

    def __init__(
        self, *args, cohort: Cohort, trainees, submit_label, overrides: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(revision_id=cohort.revision_id)
        self.fields["module"].label_from_instance = code_title
        self.fields["trainees"].queryset = trainees
        self.fields["trainees"].label_from_instance = lambda t: t.user.display_name
        self.fields["resources"].queryset = Resource.objects.bookable()
        self.fields["resources"].label_from_instance = resource_label
        if not overrides:  # only a programme admin may schedule despite the warnings
            del self.fields["override_reason"]
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("save", submit_label, css_class="w-100 w-sm-auto"))


class SessionForm(_BookingForm):
    """Schedule a session for a cohort, or change one that is still scheduled."""

    field_order = [
        "module",
        "starts_at",
        "ends_at",
        "resources",
        "trainees",
        "notes",
        "version",
        "override_reason",
    ]

    starts_at = DateTimeLocalField(label=_("Starts"))
    ends_at = DateTimeLocalField(label=_("Ends"))
    version = inputs.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="starts_at",
            end="ends_at",
            model=TrainingSession,
            constraint="session_ends_after_start",
        )
        return data


WEEKDAYS = list(enumerate(WEEKDAY_NAMES))
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SeriesForm(_BookingForm):
    """Schedule a repeating session: days of the week, a time of day, a number of weeks."""

    field_order = [
        "module",
        "first_day",
        "weekdays",
        "starts",
        "ends",
        "weeks",
        "resources",
        "trainees",
        "notes",
        "override_reason",
    ]

    first_day = inputs.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The series starts on this day or the first chosen day of the week after."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=_("Days of the week"),
    )
    starts = forms.TimeField(label=_("Starts at"), widget=TIME_INPUT)
    ends = forms.TimeField(label=_("Ends at"), widget=TIME_INPUT)
    weeks = inputs.IntegerField(
        label=_("For how many weeks"), min_value=1, max_value=SessionSeries.MAX_WEEKS
    )

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="starts",
            end="ends",
            model=SessionSeries,
            constraint="series_ends_after_start",
        )
        if data.get("first_day") and data.get("weeks") and data.get("weekdays"):
            count = occurrences_counted(
                first_day=data["first_day"], weeks=data["weeks"], weekdays=self.weekday_bits
            )
            if refusal := occurrence_count_refusal(count):
                self.add_error("weeks", refusal)
        return data

    @property
    def weekday_bits(self) -> int:
        return sum(1 << day for day in self.cleaned_data["weekdays"])


class SeriesCancelForm(forms.Form):
    """Cancel a series' occurrences from a date on."""

    from_day = inputs.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(
            Submit(
                "cancel",
                _("Cancel these occurrences"),
                css_class="btn-danger w-100 w-sm-auto",
            )
        )


class SeriesMoveForm(forms.Form):
    """Move a series' occurrences from a date on: another time of day, days earlier or later."""

    from_day = inputs.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    days = inputs.IntegerField(
        label=_("Days later (or earlier, below zero)"),
        min_value=-6,
        max_value=6,
        initial=0,
    )
    starts = forms.TimeField(label=_("Starts at"), widget=TIME_INPUT)
    ends = forms.TimeField(label=_("Ends at"), widget=TIME_INPUT)
    override_reason = forms.CharField(
        label=_("Reason to schedule despite the warnings"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the move shows warnings; each occurrence's history keeps it."),
    )

    def __init__(self, *args, overrides: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not overrides:
            del self.fields["override_reason"]
        self.helper = FormHelper(self)
        self.helper.add_input(
            Submit("move", _("Move these occurrences"), css_class="w-100 w-sm-auto")
        )

    def clean(self):
        data = super().clean()
        ends_after_check(
            self,
            data,
            start="starts",
            end="ends",
            model=SessionSeries,
            constraint="series_ends_after_start",
        )
        return data


def resource_label(resource: Resource) -> str:
    if resource.capacity == 1:
        return _("%(name)s (%(kind)s, one session at a time)") % {
            "name": resource,
            "kind": resource.get_kind_display(),
        }
    return _("%(name)s (%(kind)s, %(count)s sessions at once)") % {
        "name": resource,
        "kind": resource.get_kind_display(),
        "count": resource.capacity,
    }


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = inputs.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(
            Submit("cancel", _("Cancel the session"), css_class="btn-danger w-100 w-sm-auto")
        )


class SessionLogForm(_SessionTimesForm):
    """The session as it was held: its actual times. The crew's lines are `AttendanceLogForm`s."""

    starts_at = DateTimeLocalField(label=_("Started"))
    ends_at = DateTimeLocalField(label=_("Ended"))
    version = inputs.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class AttendanceLogForm(forms.Form):
    """One trainee's line of the log: attendance, hours, a grade per competency, measurements
    for a physical-conditioning module, and remarks."""

    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=SessionAttendance.Attendance.choices,
        initial=SessionAttendance.Attendance.PRESENT,
    )
    hours_credited = forms.DecimalField(
        label=_("Hours credited"), min_value=Decimal(0), max_digits=5, decimal_places=2
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, trainee: Trainee, competencies, measures: bool, length, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        self.length = length
        self.fields["hours_credited"].initial = length
        self.fields["hours_credited"].widget.attrs.update(step="0.25", inputmode="decimal")
        self.grade_fields = []
        for competency in competencies:
            name = f"c{competency.pk}"
            # What to look for, in the reader's language: the trainer grades against it. Help
            # text is shown unescaped (Django's forms trust it): behaviours_html escapes.
            behaviours = behaviours_html(text_local(competency, "behaviours"))
            self.fields[name] = forms.TypedChoiceField(
                label=code_title(competency),
                choices=GRADE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("Look for: %(behaviours)s") % {"behaviours": behaviours}
                if behaviours
                else "",
            )
            self.grade_fields.append((name, competency))
        self.metric_fields = []
        if measures:
            for metric, (unit, low, high) in METRIC_SPECS.items():
                name = f"m_{metric}"
                self.fields[name] = forms.DecimalField(
                    label=f"{Metric(metric).label} ({unit})",
                    required=False,
                    max_digits=7,
                    decimal_places=2,
                    min_value=low,
                    max_value=high,
                )
                self.fields[name].widget.attrs.update(inputmode="decimal", step="any")
                self.metric_fields.append((name, metric))

    def grades(self):
        return [self[name] for name, _competency in self.grade_fields]

    def measurements(self):
        return [self[name] for name, _metric in self.metric_fields]

    def clean(self):
        data = super().clean()
        # Marking someone absent need not mean retyping their hours: an untouched default
        # becomes none. Hours typed on purpose for an absent trainee are refused by the service.
        attended = data.get("attendance") in {"present", "late"}
        if not attended and data.get("hours_credited") == self.length:
            data["hours_credited"] = Decimal(0)
        return data

    def entry(self) -> AttendanceEntry:
        data = self.cleaned_data
        return AttendanceEntry(
            trainee=self.trainee,
            attendance=data["attendance"],
            hours=data["hours_credited"],
            grades={c.pk: data[name] for name, c in self.grade_fields},
            remarks=data["remarks"],
            measurements={
                metric: data[name] for name, metric in self.metric_fields if data[name] is not None
            },
        )
