"""The operators' admin for the curriculum.

A published revision's content refuses every write (`PublishedRevisionError`), so the admin shows
it read-only instead of letting a save end in a server error. Authorised assessors stay editable:
they are an authorisation of people, not syllabus content.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    PublishedRevisionError,
    Qualification,
    RevisionContent,
)


def revision_frozen(obj) -> bool:
    """Whether `obj` (a revision or part of one) is published, as given or as stored."""
    if obj is None or obj.pk is None:
        return False
    cached = getattr(obj, "_admin_revision_frozen", None)
    if cached is not None:
        return cached
    if isinstance(obj, ProgrammeRevision):
        frozen = (
            obj.is_published or ProgrammeRevision.objects.published().filter(pk=obj.pk).exists()
        )
    else:
        try:
            obj.revision_check_open()
            frozen = False
        except PublishedRevisionError:
            frozen = True
    # The admin asks several times per request; the answer cannot change within one.
    obj._admin_revision_frozen = frozen
    return frozen


class RevisionListFilter(admin.RelatedFieldListFilter):
    """Revisions, named with their programme, in one query rather than one per revision."""

    def field_choices(self, field, request, model_admin):
        revisions = ProgrammeRevision.objects.select_related("programme")
        return [(revision.pk, str(revision)) for revision in revisions]


class PublishedListFilter(admin.SimpleListFilter):
    """Published or draft: of the revision itself, or of the revision the row belongs to."""

    title = _("status")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", _("Published")), ("no", _("Draft"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        path = getattr(queryset.model, "revision_path", None)
        lookup = f"{path}__published_at__isnull" if path else "published_at__isnull"
        return queryset.filter(**{lookup: self.value() == "no"})


def open_choices(db_field, kwargs: dict) -> dict:
    """Offer only draft revisions, and content of draft revisions, as the target of a link.

    Saving content under a published revision raises in `save()`, after the form has passed;
    narrowing the choices turns that into a form error.
    """
    target = db_field.related_model
    if target is ProgrammeRevision:
        kwargs["queryset"] = ProgrammeRevision.objects.filter(
            published_at__isnull=True
        ).select_related("programme")
    elif issubclass(target, RevisionContent):
        kwargs["queryset"] = target.objects.filter(
            **{f"{target.revision_path}__published_at__isnull": True}
        )
    return kwargs


class RevisionContentAdmin(SimpleHistoryAdmin):
    """Read-only, undeletable and unrevertable once the revision is published."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **open_choices(db_field, kwargs))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not revision_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not revision_frozen(obj)

    def get_deleted_objects(self, objs, request):
        # The "delete selected" action asks without an object: name the published rows as
        # protected, so that the action refuses them instead of raising.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = [*protected, *(str(obj) for obj in objs if revision_frozen(obj))]
        return deleted, counts, perms_needed, protected

    def revert_disabled(self, request, obj=None):
        return revision_frozen(obj) or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting checks only the permission to view the history, and saves the old version.
        if request.method == "POST" and revision_frozen(self.get_object(request, object_id)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RevisionContentInline:
    """An inline that is read-only when its parent belongs to a published revision."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **open_choices(db_field, kwargs))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not revision_frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not revision_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not revision_frozen(obj)


# Programmes and revisions ----------------------------------------------------------------------


class RevisionInline(admin.TabularInline):
    model = ProgrammeRevision
    fields = ("number", "summary", "published_at", "published_by")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("published_by")


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    fields = ("code", "name", "description")
    inlines = [RevisionInline]


class ModuleInline(RevisionContentInline, admin.TabularInline):
    model = Module
    fields = ("order", "code", "title", "category", "required_hours")
    show_change_link = True


@admin.register(ProgrammeRevision)
class ProgrammeRevisionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "programme", "number", "published_at", "published_by")
    list_select_related = ("programme", "published_by")
    list_filter = (PublishedListFilter, "programme")
    search_fields = ("programme__name", "programme__code", "summary")
    fields = ("programme", "number", "summary", "published_at", "published_by")
    inlines = [ModuleInline]

    def get_queryset(self, request):
        # The revision's name includes its programme's: for autocompletes and page titles.
        return super().get_queryset(request).select_related("programme")

    def get_readonly_fields(self, request, obj=None):
        # Publishing goes through the product's service, which checks the revision is complete.
        # Once published, only the summary may still change (ProgrammeRevision.save).
        if revision_frozen(obj):
            return ("programme", "number", "published_at", "published_by")
        return ("published_at", "published_by")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not revision_frozen(obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = [*protected, *(str(obj) for obj in objs if revision_frozen(obj))]
        return deleted, counts, perms_needed, protected

    def revert_disabled(self, request, obj=None):
        return revision_frozen(obj) or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and revision_frozen(self.get_object(request, object_id)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# Modules and what they hold --------------------------------------------------------------------


class CompetencyInline(RevisionContentInline, admin.TabularInline):
    model = Competency
    fields = ("order", "code", "title", "behaviours")


class AssessmentDefinitionInline(RevisionContentInline, admin.TabularInline):
    model = AssessmentDefinition
    fields = ("order", "code", "title", "kind", "max_score", "pass_score", "max_attempts")
    show_change_link = True


class PrerequisiteInline(RevisionContentInline, admin.TabularInline):
    model = Prerequisite
    fk_name = "module"
    fields = ("required_module",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("module", "required_module")


@admin.register(Module)
class ModuleAdmin(RevisionContentAdmin):
    list_display = ("code", "title", "category", "required_hours", "order", "revision")
    list_select_related = ("revision__programme",)
    list_filter = (PublishedListFilter, ("revision", RevisionListFilter), "category")
    search_fields = ("code", "title")
    fields = ("revision", "order", "code", "title", "category", "required_hours", "description")
    inlines = [CompetencyInline, AssessmentDefinitionInline, PrerequisiteInline]


@admin.register(Prerequisite)
class PrerequisiteAdmin(RevisionContentAdmin):
    list_display = ("__str__", "module", "required_module")
    list_select_related = ("module", "required_module")
    list_filter = (PublishedListFilter, ("module__revision", RevisionListFilter))
    search_fields = ("module__code", "module__title", "required_module__code")
    fields = ("module", "required_module")


@admin.register(Competency)
class CompetencyAdmin(RevisionContentAdmin):
    list_display = ("code", "title", "module", "order")
    list_select_related = ("module",)
    list_filter = (
        PublishedListFilter,
        ("module__revision", RevisionListFilter),
        "module__category",
    )
    search_fields = ("code", "title", "module__code", "module__title")
    fields = ("module", "order", "code", "title", "behaviours")


class AssessmentCriterionInline(RevisionContentInline, admin.TabularInline):
    model = AssessmentCriterion
    fields = ("competency", "minimum_grade")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competency")


@admin.register(AssessmentDefinition)
class AssessmentDefinitionAdmin(RevisionContentAdmin):
    """On a published revision everything is read-only except the authorised assessors."""

    list_display = ("code", "title", "kind", "module", "pass_score", "max_score", "max_attempts")
    list_select_related = ("module",)
    list_filter = (
        PublishedListFilter,
        ("module__revision", RevisionListFilter),
        "kind",
        "module__category",
    )
    search_fields = ("code", "title", "module__code", "module__title")
    fields = (
        "module",
        "order",
        "code",
        "title",
        "kind",
        "description",
        "max_score",
        "pass_score",
        "max_attempts",
        "assessors",
    )
    autocomplete_fields = ("assessors",)
    inlines = [AssessmentCriterionInline]

    def has_change_permission(self, request, obj=None):
        # Skip RevisionContentAdmin's refusal: the assessors stay editable (see save_model).
        return super(RevisionContentAdmin, self).has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if revision_frozen(obj):
            return tuple(field for field in self.fields if field != "assessors")
        return ()

    def save_model(self, request, obj, form, change):
        if change and revision_frozen(obj):
            # Only the assessors changed, and save_related() writes them; saving the row itself
            # would raise PublishedRevisionError. Their history records who changed them.
            obj._history_user = request.user
            return
        super().save_model(request, obj, form, change)


@admin.register(AssessmentCriterion)
class AssessmentCriterionAdmin(RevisionContentAdmin):
    list_display = ("__str__", "definition", "competency", "minimum_grade")
    list_select_related = ("definition", "competency")
    list_filter = (PublishedListFilter, ("definition__module__revision", RevisionListFilter))
    search_fields = ("definition__code", "definition__title", "competency__code")
    fields = ("definition", "competency", "minimum_grade")


@admin.register(Qualification)
class QualificationAdmin(RevisionContentAdmin):
    list_display = (
        "code",
        "title",
        "revision",
        "conferred_by_module",
        "conferred_by_assessment",
        "validity_days",
        "grace_days",
    )
    list_select_related = (
        "revision__programme",
        "conferred_by_module",
        "conferred_by_assessment",
    )
    list_filter = (PublishedListFilter, ("revision", RevisionListFilter))
    search_fields = ("code", "title")
    fields = (
        "revision",
        "code",
        "title",
        "conferred_by_module",
        "conferred_by_assessment",
        "validity_days",
        "grace_days",
        "renewed_by_assessment",
        "renewed_by_module",
    )
