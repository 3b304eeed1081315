"""The programme admins' curriculum pages: drafts, their content, publishing, import and export.

Each page checks the capability (403 for everyone else), fetches through the model's gate
(`visible_to` to read, `editable_by` to change: drafts only, so a published revision's pages are
404 here) and hands the write to a service, whose refusals are shown beside the field they name.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from trainingtracker.helpers import refusal_shown

from . import services
from .forms import (
    AssessmentForm,
    CompetencyForm,
    ModuleForm,
    ModulesImportForm,
    ProgrammeForm,
    QualificationForm,
    RevisionForm,
    RevisionImportForm,
    TranslationForm,
    TranslationsImportForm,
)
from .models import (
    AssessmentDefinition,
    Competency,
    Module,
    Programme,
    ProgrammeRevision,
    Qualification,
    modules_in_order,
)
from .selectors import (
    modules_csv_rows,
    revision_export,
    revision_texts,
    target_languages,
    translation_coverage,
    translations_po,
)

manage_curriculum = permission_required("accounts.manage_curriculum", raise_exception=True)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _revision_url(revision_id: int, anchor: str = "") -> str:
    return reverse("curriculum:revision_detail", kwargs={"pk": revision_id}) + anchor


# Programmes and revisions ----------------------------------------------------------------------


@manage_curriculum
def programme_create(request):
    """A new programme, which starts with an empty draft."""
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            revision = services.programme_create(**form.cleaned_data)
            messages.success(request, _("Programme created. Add its first modules to the draft."))
            return redirect(_revision_url(revision.pk))
    context = {"form": form, "title": _("New programme")}
    return render(request, "curriculum/manage/form.html", context)


@manage_curriculum
@require_POST
def revision_start(request, pk: int):
    """Start the next draft of a programme, a copy of its latest published revision."""
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    try:
        revision = services.revision_start(programme=programme)
    except ValidationError as error:
        _refused(request, error)
        return redirect("curriculum:home")
    messages.success(request, _("Draft revision %(number)s started.") % {"number": revision.number})
    return redirect(_revision_url(revision.pk))


@manage_curriculum
def revision_detail(request, pk: int):
    """A revision and everything in it; a draft with the buttons that change it."""
    revision = get_object_or_404(
        ProgrammeRevision.objects.visible_to(request.user).select_related(
            "programme", "published_by"
        ),
        pk=pk,
    )
    modules = modules_in_order(
        Module.objects.filter(revision=revision).prefetch_related(
            "competencies",
            Prefetch("prerequisites", queryset=Module.objects.order_by("code")),
            Prefetch("assessments", queryset=AssessmentDefinition.objects.order_by("order")),
        )
    )
    categories = [
        (value, label, [m for m in modules if m.category == value])
        for value, label in Module.Category.choices
    ]
    qualifications = Qualification.objects.filter(revision=revision).select_related(
        "conferred_by_module",
        "conferred_by_assessment__module",
        "renewed_by_module",
        "renewed_by_assessment__module",
    )
    return render(
        request,
        "curriculum/manage/revision_detail.html",
        {
            "revision": revision,
            "editable": not revision.is_published,
            "categories": categories,
            "qualifications": qualifications,
        },
    )


@manage_curriculum
def revision_edit(request, pk: int):
    """What changed in this revision: the summary, editable even once published."""
    revision = get_object_or_404(
        ProgrammeRevision.objects.visible_to(request.user).select_related("programme"), pk=pk
    )
    form = RevisionForm(request.POST or None, instance=revision)
    if request.method == "POST" and form.is_valid():
        services.revision_update(revision=revision, summary=form.cleaned_data["summary"])
        messages.success(request, _("Summary saved."))
        return redirect(_revision_url(revision.pk))
    return render(
        request,
        "curriculum/manage/form.html",
        {"form": form, "title": _("What changed"), "revision": revision},
    )


@manage_curriculum
def revision_publish(request, pk: int):
    """Publish a draft, after a page saying what publishing means."""
    revision = get_object_or_404(
        ProgrammeRevision.objects.editable_by(request.user).select_related("programme"), pk=pk
    )
    if request.method == "POST":
        try:
            services.revision_publish(revision=revision, by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request, _("Revision %(number)s is published.") % {"number": revision.number}
            )
            return redirect("curriculum:home")
    return render(
        request,
        "curriculum/manage/confirm.html",
        {
            "revision": revision,
            "title": _("Publish revision %(number)s") % {"number": revision.number},
            "explanation": _(
                "Once published, this revision can no longer change. Cohorts already training "
                "stay on their revision until you move them."
            ),
            "action": _("Publish"),
            "cancel_url": _revision_url(revision.pk),
        },
    )


@manage_curriculum
def revision_discard(request, pk: int):
    """Throw a draft away."""
    revision = get_object_or_404(
        ProgrammeRevision.objects.editable_by(request.user).select_related("programme"), pk=pk
    )
    if request.method == "POST":
        try:
            services.revision_discard(revision=revision)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The draft was discarded."))
            return redirect("curriculum:home")
    return render(
        request,
        "curriculum/manage/confirm.html",
        {
            "revision": revision,
            "title": _("Discard draft revision %(number)s") % {"number": revision.number},
            "explanation": _("Everything in this draft will be thrown away."),
            "action": _("Discard the draft"),
            "danger": True,
            "cancel_url": _revision_url(revision.pk),
        },
    )


# Import and export -----------------------------------------------------------------------------


@manage_curriculum
def revision_export_json(request, pk: int):
    revision = get_object_or_404(
        ProgrammeRevision.objects.visible_to(request.user).select_related("programme"), pk=pk
    )
    data = revision_export(revision=revision)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"{revision.programme.code}-revision-{revision.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@manage_curriculum
def modules_export_csv(request, pk: int):
    revision = get_object_or_404(
        ProgrammeRevision.objects.visible_to(request.user).select_related("programme"), pk=pk
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{revision.programme.code}-revision-{revision.number}-modules.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark, so that spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    csv.writer(response).writerows(modules_csv_rows(revision=revision))
    return response


@manage_curriculum
def revision_import(request):
    """Import a revision exported as JSON: checked whole, then written as a new draft."""
    form = RevisionImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.revision_import(data=form.cleaned_data["file"])
        except services.ImportRefused as error:
            problems = error.messages
        else:
            messages.success(
                request,
                _("Imported as draft revision %(number)s of %(programme)s.")
                % {"number": revision.number, "programme": revision.programme},
            )
            return redirect(_revision_url(revision.pk))
    return render(
        request,
        "curriculum/manage/import.html",
        {"form": form, "problems": problems, "title": _("Import a revision")},
    )


@manage_curriculum
def modules_import(request, pk: int):
    """Create or change a draft's modules from CSV: every row checked before any is written."""
    revision = get_object_or_404(
        ProgrammeRevision.objects.editable_by(request.user).select_related("programme"), pk=pk
    )
    form = ModulesImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            modules = services.modules_import(revision=revision, text=form.cleaned_data["file"])
        except services.ImportRefused as error:
            problems = error.messages
        else:
            messages.success(request, _("%(n)s modules imported.") % {"n": len(modules)})
            return redirect(_revision_url(revision.pk))
    return render(
        request,
        "curriculum/manage/import.html",
        {
            "form": form,
            "problems": problems,
            "revision": revision,
            "title": _("Import modules"),
        },
    )


# Modules ---------------------------------------------------------------------------------------


def _module_form_page(request, form, revision, title):
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            module = services.module_save(
                module=form.save(commit=False), prerequisites=form.cleaned_data["prerequisites"]
            )
            messages.success(request, _("Module %(code)s saved.") % {"code": module.code})
            return redirect(_revision_url(revision.pk, f"#module-{module.pk}"))
    return render(
        request,
        "curriculum/manage/form.html",
        {"form": form, "title": title, "revision": revision},
    )


@manage_curriculum
def module_create(request, pk: int):
    revision = get_object_or_404(
        ProgrammeRevision.objects.editable_by(request.user).select_related("programme"), pk=pk
    )
    form = ModuleForm(request.POST or None, revision=revision)
    return _module_form_page(request, form, revision, _("New module"))


@manage_curriculum
def module_edit(request, pk: int):
    module = get_object_or_404(
        Module.objects.editable_by(request.user).select_related("revision__programme"), pk=pk
    )
    form = ModuleForm(request.POST or None, instance=module, revision=module.revision)
    title = _("Edit %(code)s") % {"code": module.code}
    return _module_form_page(request, form, module.revision, title)


@manage_curriculum
@require_POST
def module_move(request, pk: int):
    module = get_object_or_404(Module.objects.editable_by(request.user), pk=pk)
    services.module_move(module=module, offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(_revision_url(module.revision_id, f"#module-{module.pk}"))


@manage_curriculum
@require_POST
def module_archive(request, pk: int):
    """Archive (or, with `restore`, bring back) a module of a draft."""
    module = get_object_or_404(Module.objects.editable_by(request.user), pk=pk)
    try:
        if request.POST.get("restore"):
            services.module_restore(module=module)
            messages.success(request, _("%(code)s is required again.") % {"code": module.code})
        else:
            services.module_archive(module=module)
            messages.success(
                request, _("%(code)s is archived: no longer required.") % {"code": module.code}
            )
    except ValidationError as error:
        _refused(request, error)
    return redirect(_revision_url(module.revision_id, f"#module-{module.pk}"))


@manage_curriculum
def module_delete(request, pk: int):
    module = get_object_or_404(
        Module.objects.editable_by(request.user).select_related("revision__programme"), pk=pk
    )
    has_records = services.module_has_records(module=module)
    if request.method == "POST":
        try:
            services.module_delete(module=module)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("%(code)s deleted.") % {"code": module.code})
            return redirect(_revision_url(module.revision_id))
    return render(
        request,
        "curriculum/manage/confirm.html",
        {
            "revision": module.revision,
            "title": _("Delete %(code)s %(title)s") % {"code": module.code, "title": module.title},
            "explanation": _("Trainees have records in this module, so it can only be archived.")
            if has_records
            else _("The module, its competencies and its assessments will be deleted."),
            "action": None if has_records else _("Delete the module"),
            "danger": True,
            "cancel_url": _revision_url(module.revision_id, f"#module-{module.pk}"),
        },
    )


# What a module holds ---------------------------------------------------------------------------


def _module_of_draft(request, pk: int) -> Module:
    return get_object_or_404(
        Module.objects.editable_by(request.user).select_related("revision__programme"), pk=pk
    )


def _content_form_page(request, form, module, title, save):
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            save(form)
            messages.success(request, _("Saved."))
            return redirect(_revision_url(module.revision_id, f"#module-{module.pk}"))
    return render(
        request,
        "curriculum/manage/form.html",
        {"form": form, "title": title, "revision": module.revision, "module": module},
    )


def _save_competency(form):
    return services.competency_save(competency=form.save(commit=False))


def _save_assessment(form):
    return services.assessment_save(
        definition=form.save(commit=False), minimum_grades=form.minimum_grades
    )


@manage_curriculum
def competency_create(request, pk: int):
    module = _module_of_draft(request, pk)
    form = CompetencyForm(request.POST or None, module=module)
    title = _("New competency of %(code)s") % {"code": module.code}
    return _content_form_page(request, form, module, title, _save_competency)


@manage_curriculum
def competency_edit(request, pk: int):
    competency = get_object_or_404(
        Competency.objects.editable_by(request.user).select_related("module__revision"), pk=pk
    )
    form = CompetencyForm(request.POST or None, instance=competency, module=competency.module)
    title = _("Edit %(code)s") % {"code": competency.code}
    return _content_form_page(request, form, competency.module, title, _save_competency)


@manage_curriculum
def assessment_create(request, pk: int):
    module = _module_of_draft(request, pk)
    form = AssessmentForm(request.POST or None, module=module)
    title = _("New assessment of %(code)s") % {"code": module.code}
    return _content_form_page(request, form, module, title, _save_assessment)


@manage_curriculum
def assessment_edit(request, pk: int):
    definition = get_object_or_404(
        AssessmentDefinition.objects.editable_by(request.user).select_related("module__revision"),
        pk=pk,
    )
    form = AssessmentForm(request.POST or None, instance=definition, module=definition.module)
    title = _("Edit %(code)s") % {"code": definition.code}
    return _content_form_page(request, form, definition.module, title, _save_assessment)


def _delete_page(request, *, module_id, revision, delete, title):
    anchor = f"#module-{module_id}" if module_id else "#qualifications"
    if request.method == "POST":
        try:
            delete()
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Deleted."))
        return redirect(_revision_url(revision.pk, anchor))
    return render(
        request,
        "curriculum/manage/confirm.html",
        {
            "revision": revision,
            "title": title,
            "explanation": _("This is part of a draft: nothing was recorded against it."),
            "action": _("Delete"),
            "danger": True,
            "cancel_url": _revision_url(revision.pk, anchor),
        },
    )


@manage_curriculum
def competency_delete(request, pk: int):
    competency = get_object_or_404(
        Competency.objects.editable_by(request.user).select_related("module__revision"), pk=pk
    )
    return _delete_page(
        request,
        module_id=competency.module_id,
        revision=competency.module.revision,
        delete=lambda: services.competency_delete(competency=competency),
        title=_("Delete %(code)s %(title)s") % {"code": competency.code, "title": competency.title},
    )


@manage_curriculum
def assessment_delete(request, pk: int):
    definition = get_object_or_404(
        AssessmentDefinition.objects.editable_by(request.user).select_related("module__revision"),
        pk=pk,
    )
    return _delete_page(
        request,
        module_id=definition.module_id,
        revision=definition.module.revision,
        delete=lambda: services.assessment_delete(definition=definition),
        title=_("Delete %(code)s %(title)s") % {"code": definition.code, "title": definition.title},
    )


# Qualifications --------------------------------------------------------------------------------


def _qualification_form_page(request, form, revision, title):
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            services.qualification_save(qualification=form.save(commit=False))
            messages.success(request, _("Qualification saved."))
            return redirect(_revision_url(revision.pk, "#qualifications"))
    return render(
        request,
        "curriculum/manage/form.html",
        {"form": form, "title": title, "revision": revision},
    )


@manage_curriculum
def qualification_create(request, pk: int):
    revision = get_object_or_404(
        ProgrammeRevision.objects.editable_by(request.user).select_related("programme"), pk=pk
    )
    form = QualificationForm(request.POST or None, revision=revision)
    return _qualification_form_page(request, form, revision, _("New qualification"))


@manage_curriculum
def qualification_edit(request, pk: int):
    qualification = get_object_or_404(
        Qualification.objects.editable_by(request.user).select_related("revision__programme"),
        pk=pk,
    )
    form = QualificationForm(
        request.POST or None, instance=qualification, revision=qualification.revision
    )
    title = _("Edit %(code)s") % {"code": qualification.code}
    return _qualification_form_page(request, form, qualification.revision, title)


@manage_curriculum
def qualification_delete(request, pk: int):
    qualification = get_object_or_404(
        Qualification.objects.editable_by(request.user).select_related("revision__programme"),
        pk=pk,
    )
    return _delete_page(
        request,
        module_id=None,
        revision=qualification.revision,
        delete=lambda: services.qualification_delete(qualification=qualification),
        title=_("Delete %(code)s %(title)s")
        % {"code": qualification.code, "title": qualification.title},
    )


# Translations ----------------------------------------------------------------------------------
#
# Presentation, not syllabus: open on published revisions too (through `visible_to`, which
# shows programme admins every revision); the source texts stay frozen.


def _translated_revision(request, pk: int) -> ProgrammeRevision:
    return get_object_or_404(
        ProgrammeRevision.objects.visible_to(request.user).select_related("programme"), pk=pk
    )


def _target_language(request, revision: ProgrammeRevision) -> tuple[str, str]:
    """The language (code, name) the page's `?language=` names, the first the revision is
    translated into if it names none; 404 if the revision is not translated into it."""
    languages = target_languages(revision.programme)
    wanted = request.GET.get("language", "")
    if not wanted and languages:
        return languages[0]
    for code, name in languages:
        if code == wanted:
            return code, name
    raise Http404


@manage_curriculum
def translations(request, pk: int):
    """A revision's coverage per language (translated, missing, out of date), and the texts of
    one language with their state, to translate one by one or hand over as a PO file."""
    revision = _translated_revision(request, pk)
    language, language_name = _target_language(request, revision)
    items = revision_texts(revision=revision)
    todo_only = request.GET.get("show") == "todo"
    rows = [(item, item.status(language), item.translations.get(language)) for item in items]
    if todo_only:
        rows = [row for row in rows if row[1] != "translated"]
    return render(
        request,
        "curriculum/manage/translations.html",
        {
            "revision": revision,
            "coverage": translation_coverage(revision=revision, items=items),
            "language": language,
            "language_name": language_name,
            "rows": rows,
            "todo_only": todo_only,
        },
    )


@manage_curriculum
def translation_edit(request, pk: int):
    """Add, correct or review (save again) one text's translation (`?text=` its key); an empty
    text removes it."""
    revision = _translated_revision(request, pk)
    language, language_name = _target_language(request, revision)
    items = revision_texts(revision=revision)
    key = request.GET.get("text") or (items[0].key if items else "")
    item = next((i for i in items if i.key == key), None)
    if item is None:
        raise Http404
    found = item.translations.get(language)
    form = TranslationForm(
        request.POST or None,
        initial={"text": found.text if found else ""},
        limit=services.translation_limit(item.obj, item.field),
        language=language,
        multiline=item.field in ("behaviours", "description"),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            services.translation_save(
                obj=item.obj,
                name=item.field,
                language=language,
                text=form.cleaned_data["text"],
                by=request.user,
            )
            messages.success(request, _("Translation saved."))
            return redirect(_translations_url(revision, language))
    return render(
        request,
        "curriculum/manage/translation_form.html",
        {
            "form": form,
            "revision": revision,
            "item": item,
            "found": found,
            "status": item.status(language),
            "language": language,
            "language_name": language_name,
            "source_language": revision.programme.source_language,
        },
    )


def _translations_url(revision, language: str) -> str:
    url = reverse("curriculum:translations", kwargs={"pk": revision.pk})
    return f"{url}?{urlencode({'language': language})}"


@manage_curriculum
def translations_export_po(request, pk: int):
    """The texts of a revision in a PO file for the translators of `?language=`."""
    revision = _translated_revision(request, pk)
    language, _name = _target_language(request, revision)
    text = translations_po(
        revision=revision, language=language, items=revision_texts(revision=revision)
    )
    response = HttpResponse(text, content_type="text/x-gettext-translation; charset=utf-8")
    name = f"{revision.programme.code}-r{revision.number}-{language}.po"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@manage_curriculum
def translations_import_po(request, pk: int):
    """Take a translated PO file back: every entry checked, all or nothing."""
    revision = _translated_revision(request, pk)
    language, language_name = _target_language(request, revision)
    form = TranslationsImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.translations_po_import(
                revision=revision,
                language=language,
                content=form.cleaned_data["file"],
                by=request.user,
            )
        except services.ImportRefused as error:
            problems = error.messages
        else:
            messages.success(
                request,
                ngettext("%(n)s translation saved.", "%(n)s translations saved.", changed)
                % {"n": changed},
            )
            return redirect(_translations_url(revision, language))
    return render(
        request,
        "curriculum/manage/import.html",
        {
            "form": form,
            "problems": problems,
            "revision": revision,
            "title": _("Import translations into %(language)s") % {"language": language_name},
        },
    )
