"""The operators' admin for the training records.

Records are never hard-deleted in this product, so no record model offers deletion here either.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from curriculum.models import ProgrammeRevision
from trainees.models import (
    AbsenceNotice,
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    PastImport,
    QualificationGrant,
    Resource,
    ResourceUnavailability,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
    TrainerAuthorisation,
    TrainingSession,
)
from trainees.sessions.bookings import booking_clashes


class TrainingRecordAdmin(SimpleHistoryAdmin):
    """A record's admin: never deleted, and what its name needs is fetched with it."""

    def get_queryset(self, request):
        # `list_select_related` covers the changelist; autocompletes and page titles print
        # the same names.
        related = self.list_select_related
        queryset = super().get_queryset(request)
        return (
            queryset.select_related(*related)
            if isinstance(related, tuple) and related
            else queryset
        )

    def has_delete_permission(self, request, obj=None):
        return False


class RecordInline:
    """An inline of records: they are never deleted."""

    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


class VersionedAdmin(TrainingRecordAdmin):
    """Moves `version` on, so that a form opened before the operator's change cannot save."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


# Cohorts ---------------------------------------------------------------------------------------


class CohortPlanEntryInline(admin.TabularInline):
    model = CohortPlanEntry
    fields = ("module", "start_week", "end_week")
    autocomplete_fields = ("module",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("module")


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ("name", "revision", "starts_on", "ends_on", "closed_on")
    list_select_related = ("revision__programme",)
    list_filter = ("revision__programme", "closed_on")
    search_fields = ("name",)
    date_hierarchy = "starts_on"
    fields = ("name", "revision", "starts_on", "ends_on", "closed_on", "trainers")
    filter_horizontal = ("trainers",)
    inlines = [CohortPlanEntryInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "revision":
            # A cohort trains on a published revision (Cohort.clean).
            kwargs["queryset"] = ProgrammeRevision.objects.published().select_related("programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CohortPlanEntry)
class CohortPlanEntryAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "cohort", "module", "start_week", "end_week")
    list_select_related = ("cohort", "module")
    list_filter = ("cohort",)
    search_fields = ("cohort__name", "module__code", "module__title")
    fields = ("cohort", "module", "start_week", "end_week")
    autocomplete_fields = ("cohort", "module")


# Trainees --------------------------------------------------------------------------------------


class TraineeStatusChangeInline(RecordInline, admin.TabularInline):
    """The status history: past changes are read-only, and a new one is recorded as the
    operator's."""

    model = TraineeStatusChange
    fields = ("status", "effective_on", "reason", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Trainee)
class TraineeAdmin(TrainingRecordAdmin):
    list_display = (
        "__str__",
        "cohort",
        "agency",
        "nationality",
        "crew_role",
        "status",
        "status_since",
    )
    list_select_related = ("user", "cohort")
    list_filter = ("cohort", "status", "agency", "nationality", "crew_role")
    search_fields = ("user__display_name", "user__native_name", "user__username")
    fields = ("user", "cohort", "agency", "nationality", "crew_role", "status", "status_since")
    # The status follows the status history (the inline below), never a bare edit.
    readonly_fields = ("status", "status_since")
    autocomplete_fields = ("user", "cohort")
    inlines = [TraineeStatusChangeInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not TraineeStatusChange:
            super().save_formset(request, form, formset, change)
            return
        # Past changes are read-only in the inline, so every saved one is new: the operator's.
        for status_change in formset.save(commit=False):
            status_change.recorded_by = request.user
            status_change._history_user = request.user
            status_change.save()
        trainee = form.instance
        latest = trainee.status_changes.order_by("-effective_on", "-recorded_at").first()
        if latest and (trainee.status, trainee.status_since) != (
            latest.status,
            latest.effective_on,
        ):
            trainee.status, trainee.status_since = latest.status, latest.effective_on
            trainee.save(update_fields=["status", "status_since"])


@admin.register(TraineeStatusChange)
class TraineeStatusChangeAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "status", "effective_on", "recorded_by", "recorded_at")
    list_select_related = ("trainee__user", "recorded_by")
    list_filter = ("status", "trainee__cohort")
    search_fields = ("trainee__user__display_name", "trainee__user__username", "reason")
    date_hierarchy = "effective_on"
    fields = ("trainee", "status", "effective_on", "reason", "recorded_by", "recorded_at")
    autocomplete_fields = ("trainee", "recorded_by")


# Sessions, attendance, grades ------------------------------------------------------------------


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = (
            "cohort",
            "module",
            "trainer",
            "starts_at",
            "ends_at",
            "status",
            "notes",
        )

    def clean(self):
        cleaned_data = super().clean()
        # TrainingSession.save() refuses to shorten a session below the hours already credited;
        # asking the same here turns that refusal into a form error instead of a server error.
        starts_at, ends_at = cleaned_data.get("starts_at"), cleaned_data.get("ends_at")
        trainer = cleaned_data.get("trainer")
        if (
            starts_at
            and ends_at
            and ends_at > starts_at
            and trainer
            and cleaned_data.get("status") == TrainingSession.Status.SCHEDULED
        ):
            # The scheduling service's rule, by name, before the database's constraint refuses.
            clashes = booking_clashes(
                session=self.instance if self.instance.pk else None,
                trainer=trainer,
                starts_at=starts_at,
                ends_at=ends_at,
                trainees=list(self.instance.trainees.all()) if self.instance.pk else [],
                resources=list(self.instance.resources.all()) if self.instance.pk else [],
            )
            for field, messages in clashes.items():
                self.add_error("trainer" if field == "trainer" else None, messages)
        if self.instance.pk and starts_at and ends_at and ends_at > starts_at:
            hours = TrainingSession(starts_at=starts_at, ends_at=ends_at).length_hours
            if self.instance.attendances.filter(hours_credited__gt=hours).exists():
                self.add_error(
                    "ends_at",
                    _("Some attendees are credited more hours than the session would last."),
                )
        return cleaned_data


class SessionAttendanceInline(RecordInline, admin.TabularInline):
    model = SessionAttendance
    fields = ("trainee", "attendance", "hours_credited", "remarks")
    autocomplete_fields = ("trainee",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainee__user", "session__module")


@admin.register(TrainingSession)
class TrainingSessionAdmin(VersionedAdmin):
    form = TrainingSessionForm
    list_display = ("__str__", "cohort", "module", "trainer", "starts_at", "status")
    list_select_related = ("cohort", "module", "trainer")
    list_filter = ("status", "cohort", "module__category")
    search_fields = ("module__code", "module__title", "resources__name", "cohort__name")
    date_hierarchy = "starts_at"
    fields = TrainingSessionForm.Meta.fields
    autocomplete_fields = ("cohort", "module", "trainer")
    inlines = [SessionAttendanceInline]


class _GradeInline(RecordInline, admin.TabularInline):
    model = CompetencyGrade
    fields = ("competency", "grade", "remarks")
    autocomplete_fields = ("competency",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competency")


class AttendanceGradeInline(_GradeInline):
    fk_name = "attendance"


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "session", "attendance", "hours_credited")
    list_select_related = ("trainee__user", "session__module")
    list_filter = ("attendance", "session__cohort", "session__module__category")
    search_fields = (
        "trainee__user__display_name",
        "trainee__user__username",
        "session__module__code",
    )
    fields = ("session", "trainee", "attendance", "hours_credited", "remarks")
    autocomplete_fields = ("session", "trainee")
    inlines = [AttendanceGradeInline]


class ResultGradeInline(_GradeInline):
    """A result's grades: given with a new result, then changed only by amendment."""

    fk_name = "result"

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


class _NeverReverted:
    """A record whose history the admin shows but never restores."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting checks only the permission to view the history, and saves the old version.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyRecordAdmin(_NeverReverted, TrainingRecordAdmin):
    """A record made and changed only in the product, with its own history there: the admin
    shows it, and neither edits nor reverts it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssessmentResult)
class AssessmentResultAdmin(_NeverReverted, VersionedAdmin):
    """Results are recorded, signed and amended in the product, where an amendment keeps the
    values it replaces and asks for a new signature. Here a result can be added (unsigned: it
    counts for nothing until an authorised assessor signs it, which computes its outcome) and
    then only read."""

    list_display = (
        "__str__",
        "definition",
        "attempt",
        "taken_at",
        "score",
        "passed",
        "assessor",
        "signed_at",
    )
    list_select_related = ("trainee__user", "definition", "assessor")
    list_filter = ("passed", "definition__kind", "trainee__cohort")
    search_fields = (
        "trainee__user__display_name",
        "trainee__user__username",
        "definition__code",
        "definition__title",
    )
    date_hierarchy = "taken_at"
    fields = (
        "trainee",
        "definition",
        "attempt",
        "taken_at",
        "score",
        "passed",
        "assessor",
        "remarks",
        "signed_by",
        "signed_at",
        "signature_meaning",
        "debrief_acknowledged_at",
    )
    readonly_fields = (
        "passed",
        "signed_by",
        "signed_at",
        "signature_meaning",
        "debrief_acknowledged_at",
    )
    autocomplete_fields = ("trainee", "definition", "assessor")
    inlines = [ResultGradeInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            # Pass or fail is never typed: it is computed when the result is signed.
            obj.passed = False
        super().save_model(request, obj, form, change)


@admin.register(PastImport)
class PastImportAdmin(ReadOnlyRecordAdmin):
    """A file of a programme's past, as imported (trainees/imports): shown, never changed."""

    list_display = ("file_name", "cohort", "imported_by", "imported_at", "row_count")
    list_select_related = ("cohort", "imported_by")
    search_fields = ("file_name", "sha256", "cohort__name")
    date_hierarchy = "imported_at"


@admin.register(AbsenceNotice)
class AbsenceNoticeAdmin(ReadOnlyRecordAdmin):
    """A trainee's notice of absence (trainees/absences): given and withdrawn by the trainee,
    only shown here."""

    list_display = ("trainee", "session", "category", "created_at", "withdrawn_at")
    list_select_related = ("trainee__user", "session__module")
    list_filter = ("category", "trainee__cohort")
    search_fields = ("trainee__user__display_name", "trainee__user__username", "reason")
    date_hierarchy = "created_at"


@admin.register(AssessmentAmendment)
class AssessmentAmendmentAdmin(ReadOnlyRecordAdmin):
    list_display = ("result", "amended_by", "amended_at")
    list_select_related = ("result__trainee__user", "result__definition", "amended_by")
    list_filter = ("result__trainee__cohort",)
    search_fields = (
        "result__trainee__user__display_name",
        "result__trainee__user__username",
        "result__definition__code",
        "reason",
    )
    date_hierarchy = "amended_at"
    fields = ("result", "reason", "amended_by", "amended_at", "previous")


@admin.register(AssessmentAllowance)
class AssessmentAllowanceAdmin(ReadOnlyRecordAdmin):
    list_display = ("trainee", "definition", "kind", "prerequisite", "granted_by", "granted_at")
    list_select_related = ("trainee__user", "definition", "prerequisite", "granted_by")
    list_filter = ("kind", "trainee__cohort")
    search_fields = (
        "trainee__user__display_name",
        "trainee__user__username",
        "definition__code",
        "reason",
    )
    date_hierarchy = "granted_at"
    fields = ("trainee", "definition", "kind", "prerequisite", "reason", "granted_by", "granted_at")


@admin.register(CompetencyGrade)
class CompetencyGradeAdmin(TrainingRecordAdmin):
    list_display = ("__str__", "competency", "grade", "attendance", "result")
    list_select_related = (
        "competency",
        "attendance__trainee__user",
        "attendance__session__module",
        "result__trainee__user",
        "result__definition",
    )
    list_filter = ("grade", "competency__module__category")
    search_fields = (
        "competency__code",
        "attendance__trainee__user__display_name",
        "result__trainee__user__display_name",
    )
    fields = ("competency", "attendance", "result", "grade", "remarks")
    autocomplete_fields = ("competency", "attendance", "result")


# Qualifications, measurements, medical holds ---------------------------------------------------


@admin.register(QualificationGrant)
class QualificationGrantAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "qualification", "granted_on", "expires_on", "granted_by")
    list_select_related = ("trainee__user", "qualification", "granted_by")
    list_filter = ("qualification__code", "trainee__cohort")
    search_fields = (
        "trainee__user__display_name",
        "trainee__user__username",
        "qualification__code",
        "qualification__title",
    )
    date_hierarchy = "granted_on"
    fields = (
        "trainee",
        "qualification",
        "granted_on",
        "expires_on",
        "result",
        "attendance",
        "granted_by",
    )
    autocomplete_fields = ("trainee", "qualification", "result", "attendance", "granted_by")


@admin.register(Measurement)
class MeasurementAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "metric", "value", "unit", "taken_at", "recorded_by")
    list_select_related = ("trainee__user", "recorded_by")
    list_filter = ("metric", "trainee__cohort")
    search_fields = ("trainee__user__display_name", "trainee__user__username")
    date_hierarchy = "taken_at"
    fields = ("trainee", "metric", "value", "unit", "taken_at", "attendance", "recorded_by")
    readonly_fields = ("unit",)
    autocomplete_fields = ("trainee", "attendance", "recorded_by")


class MedicalHoldOpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return queryset.filter(closed_on__isnull=self.value() == "yes")


@admin.register(MedicalHold)
class MedicalHoldAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "opened_on", "opened_by", "closed_on", "closed_by")
    list_select_related = ("trainee__user", "opened_by", "closed_by")
    list_filter = (MedicalHoldOpenFilter,)
    search_fields = ("trainee__user__display_name", "trainee__user__username")
    date_hierarchy = "opened_on"
    fields = (
        "trainee",
        "opened_on",
        "opened_by",
        "reason",
        "closed_on",
        "closed_by",
        "closing_note",
    )
    autocomplete_fields = ("trainee", "opened_by", "closed_by")


@admin.register(MedicalCertificate)
class MedicalCertificateAdmin(TrainingRecordAdmin):
    list_display = ("trainee", "kind", "issued_on", "expires_on", "recorded_by")
    list_select_related = ("trainee__user", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("trainee__user__display_name", "trainee__user__username")
    date_hierarchy = "issued_on"
    fields = (
        "trainee",
        "kind",
        "issued_on",
        "expires_on",
        "examiner",
        "restrictions",
        "recorded_by",
        "recorded_at",
    )
    autocomplete_fields = ("trainee", "recorded_by")


# Resources -------------------------------------------------------------------------------------
# The centre's resources, their unavailable periods and who may instruct what are managed on the
# product's resource pages; the admin offers the same rows to operators (a booked resource is
# protected by its bookings).


class UnavailabilityInline(admin.TabularInline):
    model = ResourceUnavailability
    fields = ("starts_at", "ends_at", "reason", "recorded_by")
    autocomplete_fields = ("recorded_by",)
    extra = 0


@admin.register(Resource)
class ResourceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "capacity", "required_qualification", "retired_on")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("name", "kind", "capacity", "required_qualification", "notes", "retired_on")
    inlines = [UnavailabilityInline]


@admin.register(ResourceUnavailability)
class ResourceUnavailabilityAdmin(SimpleHistoryAdmin):
    list_display = ("resource", "starts_at", "ends_at", "reason")
    list_select_related = ("resource",)
    date_hierarchy = "starts_at"
    fields = ("resource", "starts_at", "ends_at", "reason", "recorded_by")
    autocomplete_fields = ("resource", "recorded_by")


@admin.register(TrainerAuthorisation)
class TrainerAuthorisationAdmin(SimpleHistoryAdmin):
    list_display = (
        "trainer",
        "programme",
        "module_code",
        "granted_on",
        "expires_on",
        "withdrawn_on",
    )
    list_select_related = ("trainer", "programme")
    list_filter = ("programme",)
    search_fields = ("module_code", "trainer__display_name", "trainer__username")
    fields = (
        "trainer",
        "programme",
        "module_code",
        "granted_on",
        "expires_on",
        "withdrawn_on",
        "granted_by",
    )
    autocomplete_fields = ("trainer", "programme", "granted_by")
