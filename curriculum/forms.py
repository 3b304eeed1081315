"""Forms of the curriculum pages. They check what one field or one form can see; the rules that
span rows (cycles, records, what depends on a module) are the services'."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from trainingtracker import inputs
from trainingtracker.helpers import IdChoiceField, IdMultipleChoiceField, WithSubmit

from .models import (
    GRADE_MAX,
    GRADE_MIN,
    AssessmentDefinition,
    Competency,
    Module,
    Programme,
    ProgrammeRevision,
    Qualification,
)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class ProgrammeForm(WithSubmit, forms.ModelForm):
    submit_label = _("Create the programme")

    class Meta:
        model = Programme
        fields = ["code", "name", "description", "source_language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out, the site's language (the service's default): one choice to make, once.
        self.fields["source_language"].required = False


class RevisionForm(WithSubmit, forms.ModelForm):
    class Meta:
        model = ProgrammeRevision
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


def _code_free(queryset, code: str, instance) -> str:
    if queryset.filter(code=code).exclude(pk=instance.pk).exists():
        raise ValidationError(_("%(code)s is already used here."), params={"code": code})
    return code


class ModuleForm(WithSubmit, forms.ModelForm):
    """A module of a draft, and which modules of the same revision it requires."""

    prerequisites = IdMultipleChoiceField(
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Prerequisites"),
        help_text=_("Modules to complete before this module's assessments may be taken."),
    )

    class Meta:
        model = Module
        # Whole numbers held to their column on SQLite as on PostgreSQL.
        formfield_callback = staticmethod(inputs.formfield)
        fields = ["code", "title", "category", "required_hours", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, revision: ProgrammeRevision, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.revision = revision
        others = Module.objects.filter(revision=revision).order_by("code")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial.setdefault(
                "prerequisites", list(self.instance.prerequisites.values_list("pk", flat=True))
            )
        self.fields["prerequisites"].queryset = others
        self.fields["required_hours"].widget.attrs.update(min="0.1", step="0.1")

    def clean_code(self):
        return _code_free(
            Module.objects.filter(revision=self.instance.revision),
            self.cleaned_data["code"],
            self.instance,
        )


class CompetencyForm(WithSubmit, forms.ModelForm):
    class Meta:
        model = Competency
        # Whole numbers held to their column on SQLite as on PostgreSQL.
        formfield_callback = staticmethod(inputs.formfield)
        fields = ["code", "title", "behaviours", "order"]
        widgets = {"behaviours": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.module = module

    def clean_code(self):
        return _code_free(
            Competency.objects.filter(module=self.instance.module),
            self.cleaned_data["code"],
            self.instance,
        )


GRADE_CHOICES = [
    ("", _("No minimum")),
    *((str(grade), str(grade)) for grade in range(GRADE_MIN, GRADE_MAX + 1)),
]


class AssessmentForm(WithSubmit, forms.ModelForm):
    """An assessment and the minimum grade, if any, of each competency of its module."""

    class Meta:
        model = AssessmentDefinition
        # Whole numbers held to their column on SQLite as on PostgreSQL.
        formfield_callback = staticmethod(inputs.formfield)
        fields = [
            "code",
            "title",
            "kind",
            "description",
            "max_score",
            "pass_score",
            "max_attempts",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.module = module
        self.competencies = list(module.competencies.all())
        current = (
            {c.competency_id: c.minimum_grade for c in self.instance.criteria.all()}
            if self.instance.pk
            else {}
        )
        for competency in self.competencies:
            name = f"grade_{competency.pk}"
            self.fields[name] = forms.TypedChoiceField(
                choices=GRADE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                label=_("Minimum grade: %(code)s %(title)s")
                % {"code": competency.code, "title": competency.title},
            )
            self.initial.setdefault(name, current.get(competency.pk, ""))

    def clean_code(self):
        return _code_free(
            AssessmentDefinition.objects.filter(module=self.instance.module),
            self.cleaned_data["code"],
            self.instance,
        )

    @property
    def minimum_grades(self) -> dict[Competency, int | None]:
        return {c: self.cleaned_data.get(f"grade_{c.pk}") for c in self.competencies}


class QualificationForm(WithSubmit, forms.ModelForm):
    """A qualification of a draft: what confers it, and how long it stays current."""

    class Meta:
        model = Qualification
        # Whole numbers held to their column on SQLite as on PostgreSQL.
        formfield_callback = staticmethod(inputs.formfield)
        fields = [
            "code",
            "title",
            "conferred_by_module",
            "conferred_by_assessment",
            "validity_days",
            "grace_days",
            "renewed_by_assessment",
            "renewed_by_module",
        ]
        # Ids past 64 bits are refused as invalid choices, not a 500 (trainingtracker/helpers.py).
        field_classes = {
            "conferred_by_module": IdChoiceField,
            "conferred_by_assessment": IdChoiceField,
            "renewed_by_assessment": IdChoiceField,
            "renewed_by_module": IdChoiceField,
        }

    def __init__(self, *args, revision: ProgrammeRevision, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.revision = revision
        modules = Module.objects.filter(revision=revision).active().order_by("code")
        assessments = (
            AssessmentDefinition.objects.filter(module__revision=revision)
            .select_related("module")
            .order_by("module__code", "code")
        )
        for name in ("conferred_by_module", "renewed_by_module"):
            self.fields[name].queryset = modules
        for name in ("conferred_by_assessment", "renewed_by_assessment"):
            self.fields[name].queryset = assessments

    def clean_code(self):
        return _code_free(
            Qualification.objects.filter(revision=self.instance.revision),
            self.cleaned_data["code"],
            self.instance,
        )


class _UploadForm(WithSubmit, forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None


class RevisionImportForm(_UploadForm):
    """A revision exported as JSON, to import as a new draft."""

    submit_label = _("Check and import")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A revision exported as JSON by this tracker.")
        self.fields["file"].widget.attrs["accept"] = ".json,application/json"

    def clean_file(self):
        text = super().clean_file()
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("The file is not valid JSON (line %(line)s)."), params={"line": error.lineno}
            ) from None
        except RecursionError:  # nested deeper than Python reads (tests/security)
            raise ValidationError(_("The file nests its content too deeply.")) from None


class ModulesImportForm(_UploadForm):
    """Modules as CSV, to create or change in a draft."""

    submit_label = _("Check and import")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns: code, title, category, required_hours, order, prerequisites (codes "
            "separated by spaces), archived (yes or no), description. Modules are matched by code."
        )
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"


class TranslationForm(WithSubmit, forms.Form):
    """One text's translation: saved, it counts as made from the source as it is now; left
    empty, the translation is removed and the source shows."""

    submit_label = _("Save the translation")

    text = forms.CharField(
        label=_("Translation"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, limit: int, language: str, multiline: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs.update(maxlength=str(limit), lang=language, dir="auto")
        if multiline:
            field.help_text = _("One behaviour per line, as in the source.")
        else:
            field.widget.attrs["rows"] = 2


class TranslationsImportForm(WithSubmit, forms.Form):
    """A translator's PO file, taken back whole or not at all."""

    submit_label = _("Check and import")

    file = forms.FileField(
        label=_("File"),
        help_text=_("The PO file exported here, translated (Poedit, Weblate or any PO editor)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".po,text/x-gettext-translation"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        return upload.read()
