"""Forms of the assessment pages: attempts, allowances, signatures, amendments, debriefs.

Each has a crispy `FormHelper`; the services in `trainees.assessments.services` do the writing
and hold the rules (a form only checks what a person typed: ranges, a password, a reason).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from curriculum.models import AssessmentDefinition, Competency, Module
from curriculum.texts import behaviours_html, code_title, text_local
from trainees.assessments.services import signature_of
from trainees.models import AssessmentAllowance
from trainingtracker import inputs
from trainingtracker.helpers import IdChoiceField, SubmittedOnceForm

NOT_OBSERVED = "not_observed"
GRADE_CHOICES = [
    ("", _("Choose a grade")),
    (NOT_OBSERVED, _("Not observed")),
    ("1", _("1: unsafe or ineffective")),
    ("2", _("2: below standard")),
    ("3", _("3: adequate")),
    ("4", _("4: good")),
    ("5", _("5: exemplary")),
]


def _grade(value: str) -> int | None:
    return None if value == NOT_OBSERVED else int(value)


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class DefinitionChoiceForm(forms.Form):
    """The first step of the attempt and allowance pages: which assessment (sent by GET)."""

    definition = IdChoiceField(
        queryset=AssessmentDefinition.objects.none(),
        label=_("Assessment"),
        empty_label=_("Choose an assessment"),
    )

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = definitions
        self.fields["definition"].label_from_instance = lambda d: (
            f"{d.module.code} · {d.code} {d.title}"
        )
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.add_input(Submit("continue", _("Continue"), css_class="w-100"))


class _AttemptValuesForm(SubmittedOnceForm):
    """The values of an attempt: score (when the assessment has one), one grade per competency
    of the module, remarks. The typed values stay when the form is shown again with errors."""

    def __init__(self, *args, definition: AssessmentDefinition, competencies, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.grade_fields: list[tuple[Competency, str]] = []
        if definition.max_score is not None or definition.pass_score is not None:
            help_text = (
                _("Out of %(max)s; the pass mark is %(pass)s.")
                if definition.pass_score is not None
                else _("Out of %(max)s.")
            ) % {"max": definition.max_score, "pass": definition.pass_score}
            self.fields["score"] = forms.DecimalField(
                label=_("Score"),
                max_digits=6,
                decimal_places=1,
                required=definition.pass_score is not None,
                help_text=help_text,
                widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            )
        minimum = {c.competency_id: c.minimum_grade for c in criteria}
        for competency in competencies:
            name = f"grade_{competency.pk}"
            # Help text is shown unescaped (Django's forms trust it): escape what people wrote.
            # In the reader's language: the assessor grades against these behaviours.
            local = text_local(competency, "behaviours")
            behaviours = behaviours_html(local)
            help_text = (
                _("At least %(grade)s to pass. Look for: %(behaviours)s")
                % {"grade": minimum[competency.pk], "behaviours": behaviours}
                if competency.pk in minimum
                else _("Look for: %(behaviours)s") % {"behaviours": behaviours}
            )
            self.fields[name] = forms.TypedChoiceField(
                label=code_title(competency),
                choices=GRADE_CHOICES,
                coerce=_grade,
                help_text=help_text,
                error_messages={
                    "required": _("Choose a grade, or not observed."),
                    "invalid_choice": _("A grade is from 1 to 5, or not observed."),
                },
            )
            self.grade_fields.append((competency, name))
        self.fields["remarks"] = forms.CharField(
            label=_("Remarks"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("What the trainee did well and what to work on: the debrief."),
        )

    def clean_score(self):
        score = self.cleaned_data.get("score")
        maximum = self.definition.max_score
        if score is not None and score < 0:
            raise forms.ValidationError(_("The score cannot be negative."))
        if score is not None and maximum is not None and score > maximum:
            raise forms.ValidationError(_("The score is between 0 and %(max)s.") % {"max": maximum})
        return score

    def grades(self) -> dict[Competency, int | None]:
        return {competency: self.cleaned_data[name] for competency, name in self.grade_fields}

    def _value_layout(self) -> list:
        parts = ["submission_key"]
        if "score" in self.fields:
            parts.append("score")
        if self.grade_fields:
            parts.append(Fieldset(_("Competency grades"), *(n for _c, n in self.grade_fields)))
        parts.append("remarks")
        return parts


class AttemptForm(_AttemptValuesForm):
    """An attempt as the assessor records it; an authorised assessor may sign it at once."""

    def __init__(self, *args, user, may_sign: bool, meaning: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["taken_at"] = inputs.DateTimeField(
            label=_("Taken at"),
            initial=_now_to_the_minute,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        self.order_fields(["submission_key", "taken_at"])
        layout = self._value_layout()
        layout.insert(1, "taken_at")
        if may_sign:
            self.fields["sign_now"] = forms.BooleanField(
                label=_("Sign this result now"),
                required=False,
                help_text=format_html("{} <q>{}</q>", _("Your signature states:"), meaning),
            )
            self.fields["password"] = forms.CharField(
                label=_("Your password, to sign"),
                required=False,
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
            layout.append(Fieldset(_("Signature"), "sign_now", "password"))
        self.helper = FormHelper(self)
        self.helper.layout = Layout(*layout)
        self.helper.add_input(Submit("record", _("Record the attempt"), css_class="w-100"))

    def clean_taken_at(self):
        taken_at = self.cleaned_data["taken_at"]
        if taken_at > timezone.now():
            raise forms.ValidationError(_("An attempt is recorded once it has been taken."))
        return taken_at

    def clean(self):
        cleaned_data = super().clean()
        # The assessor's signature, when they sign now: what the service signs with.
        self.signature = None
        if cleaned_data.get("sign_now"):
            try:
                self.signature = signature_of(user=self.user, password=cleaned_data.get("password"))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned_data


class AmendForm(_AttemptValuesForm):
    """New values for a result, the reason for changing them, and the version they replace."""

    version = inputs.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the record, next to the values it replaces."),
        error_messages={"required": _("Give the reason for the amendment.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["submission_key", "version", "reason"])
        self.helper = FormHelper(self)
        self.helper.layout = Layout(*self._value_layout(), "reason", "version")
        self.helper.add_input(Submit("amend", _("Save the amendment"), css_class="w-100"))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the amendment."))
        return reason


class SignForm(SubmittedOnceForm):
    """The assessor's signature for the version they read: their password again, or, for someone
    who signs in through their agency, a fresh confirmation at its provider (`confirmation`,
    accounts.single_sign_on), made for this page before the form is sent."""

    version = inputs.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label=_("Your password, to sign"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, meaning: str, confirmation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.confirmation = confirmation
        self.by_provider = not user.signs_with_password
        if self.by_provider:
            del self.fields["password"]
        self.helper = FormHelper(self)
        # The statement itself is on the page, above the form, as the signer reads it.
        self.meaning = meaning
        self.helper.add_input(Submit("sign", _("Sign"), css_class="w-100"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        # What the service signs with.
        self.signature = signature_of(user=self.user, password=password)
        return password

    def clean(self):
        cleaned_data = super().clean()
        if self.by_provider:
            if self.confirmation is None:
                raise forms.ValidationError(
                    _("First confirm who you are at your sign-in provider; nothing was signed.")
                )
            self.signature = signature_of(user=self.user, confirmation=self.confirmation)
        return cleaned_data


class AcknowledgeForm(forms.Form):
    """The trainee's acknowledgement of the debrief: one button, for the version they read."""

    version = inputs.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.add_input(
            Submit("acknowledge", _("I have been debriefed on this result"), css_class="w-100")
        )


class AllowanceForm(SubmittedOnceForm):
    """A programme admin's exception: an extra attempt, or a prerequisite of the module waived."""

    kind = forms.ChoiceField(
        label=_("Allowance"), choices=AssessmentAllowance.Kind.choices, widget=forms.RadioSelect
    )
    prerequisite = IdChoiceField(
        queryset=Module.objects.none(),
        required=False,
        label=_("Prerequisite to waive"),
        empty_label=_("None: an extra attempt"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the trainee's record with your name."),
    )

    def __init__(self, *args, definition: AssessmentDefinition, **kwargs):
        super().__init__(*args, **kwargs)
        prerequisites = Module.objects.filter(
            pk__in=definition.module.prerequisite_links.values("required_module")
        )
        self.fields["prerequisite"].queryset = prerequisites
        self.fields["prerequisite"].label_from_instance = lambda m: f"{m.code} {m.title}"
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("grant", _("Grant the allowance"), css_class="w-100"))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the allowance."))
        return reason

    def clean(self):
        cleaned_data = super().clean()
        kind, prerequisite = cleaned_data.get("kind"), cleaned_data.get("prerequisite")
        if kind == AssessmentAllowance.Kind.PREREQUISITE_WAIVER and prerequisite is None:
            self.add_error("prerequisite", _("Choose the prerequisite to waive."))
        if kind == AssessmentAllowance.Kind.EXTRA_ATTEMPT and prerequisite is not None:
            self.add_error("prerequisite", _("An extra attempt waives no prerequisite."))
        return cleaned_data
