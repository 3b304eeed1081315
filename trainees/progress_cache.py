"""Cached progress: which rows' versions each write raises, and the stamps of the pages that
progress is shown on (the generic part is trainingtracker/versioned.py).

Progress is worked out from every record a trainee has and from the day, which made the board
(100 trainees by 60 modules) and the dashboard spend most of their time recomputing what had not
changed. Their parts are cached under a stamp of the versions of the rows they depend on: the
trainee, their cohort and the cohort's curriculum revision for a trainee's record; the cohort,
its revision and each of its trainees for the board; the revisions for a curriculum.

**Which rows a write raises** (`DEPENDS`): every save, delete and many-to-many change of a model
that a cached page reads raises the versions of the rows it belongs to, inside the writing
transaction, through the signals below (the services, the admin, the shell, the factories); the
services' bulk writes, which send no signal, call `versions_raise_for` (trainees/services.py). A
test checks that every model of the apps these pages read is listed here or ignored on purpose.
What is shown on every page (a person's name) raises every row's version.

**Stamps are read before the records**: from the rows as loaded (`trainee_stamp`, the trainee
with its cohort and revision in one row), or in one query before the records are read
(`cohort_stamp`, `cohorts_stamp`, `revisions_stamp`). A write committed between the stamp and
the records is cached under the older stamp, which is no longer current: never served.
tests/trainees/progress/test_cache.py checks the order of the queries.

A write to one cohort's records leaves every other cohort's pages, and the other trainees'
records, warm.
"""

import uuid
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from accounts.models import User
from curriculum.models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    Qualification,
    Translation,
)
from trainees.models import (
    AbsenceNotice,
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CohortRevisionMove,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    PastImport,
    QualificationGrant,
    Resource,
    ResourceUnavailability,
    SessionAttendance,
    SessionLogDraft,
    SessionResource,
    SessionSeries,
    SessionTrainee,
    SubmissionKey,
    Trainee,
    TraineeStatusChange,
    TrainerAuthorisation,
    TrainingSession,
)
from trainingtracker.versioned import (
    Fragment,
    cached,
    cached_many,
    enabled,
    fragment,
    prefetch,
    reader,
    stamp,
)

# The generic part, used through this module by the pages of progress.
__all__ = ["Fragment", "cached", "cached_many", "enabled", "fragment", "prefetch", "reader"]

# The rows whose versions key the cache, in the order a write raises them (always the same
# order, so that two transactions raising several never wait for each other in a circle).
VERSIONED = (Programme, ProgrammeRevision, Cohort, Trainee)


# Which rows a write changes -------------------------------------------------------------------


def _ids(objs, attname: str) -> set:
    return {value for obj in objs if (value := getattr(obj, attname, None)) is not None}


def _trainees(attname: str):
    return lambda objs: {Trainee: Q(pk__in=_ids(objs, attname))}


def _cohorts(attname: str):
    return lambda objs: {Cohort: Q(pk__in=_ids(objs, attname))}


def _revisions(attname: str):
    return lambda objs: {ProgrammeRevision: Q(pk__in=_ids(objs, attname))}


def _revisions_of_modules(attname: str):
    return lambda objs: {
        ProgrammeRevision: Q(
            pk__in=Module.objects.filter(pk__in=_ids(objs, attname)).values("revision")
        )
    }


def _cohorts_of_sessions(objs) -> Q:
    """The cohorts of the sessions that `objs` (rows of a session's) belong to."""
    sessions = TrainingSession.objects.filter(pk__in=_ids(objs, "session_id"))
    return Q(pk__in=sessions.values("cohort"))


def _sessions_and_trainees(objs) -> dict:
    """A trainee's part in a session (expected at it, a notice of absence): the session's
    cohort and the trainee."""
    return {Cohort: _cohorts_of_sessions(objs), Trainee: Q(pk__in=_ids(objs, "trainee_id"))}


def _translations(objs) -> dict:
    """A translation of a revision's text raises the revision; of a programme's or a cohort's
    name (kept with the names, not in a revision), that programme and its revisions, or that
    cohort."""
    named: dict[type, set] = {}
    for obj in objs:
        model = ContentType.objects.get_for_id(obj.content_type_id).model_class()
        named.setdefault(model, set()).add(obj.object_id)
    rows = {ProgrammeRevision: Q(pk__in=_ids(objs, "revision_id"))}
    if programmes := named.get(Programme):
        rows[Programme] = Q(pk__in=programmes)
        rows[ProgrammeRevision] |= Q(programme__in=programmes)
    if cohorts := named.get(Cohort):
        rows[Cohort] = Q(pk__in=cohorts)
    return rows


def _everything(objs) -> dict:
    """A person's name, shown on every page (a trainer's, an assessor's, the publisher of a
    revision): every row's version but the programmes'."""
    return {ProgrammeRevision: Q(), Cohort: Q(), Trainee: Q()}


# For each model whose rows progress, the board, the dashboard or the transcript read: the
# versioned rows that a write of `objs` (saved, deleted or bulk-written) changes, read from the
# objects' own foreign keys (a deleted row is gone from the table, not from the object), or
# through a parent that outlives them (a cascade deletes children first).
DEPENDS: dict[type, Callable[[list], dict]] = {
    ProgrammeRevision: _revisions("pk"),
    # A programme's name is shown with its revisions' (a cohort's "programme, revision 2").
    Programme: lambda objs: {
        Programme: Q(pk__in=_ids(objs, "pk")),
        ProgrammeRevision: Q(programme__in=_ids(objs, "pk")),
    },
    Module: _revisions("revision_id"),
    Qualification: _revisions("revision_id"),
    Prerequisite: _revisions_of_modules("module_id"),
    Competency: _revisions_of_modules("module_id"),
    AssessmentDefinition: _revisions_of_modules("module_id"),
    Translation: _translations,
    AssessmentCriterion: lambda objs: {
        ProgrammeRevision: Q(
            pk__in=AssessmentDefinition.objects.filter(pk__in=_ids(objs, "definition_id")).values(
                "module__revision"
            )
        )
    },
    Cohort: _cohorts("pk"),
    CohortPlanEntry: _cohorts("cohort_id"),
    CohortRevisionMove: _cohorts("cohort_id"),
    TrainingSession: _cohorts("cohort_id"),
    # A trainee's own row (name in the roster, crew role, status, cohort) shows on their
    # cohort's pages (a trainer's floor), theirs before a move too.
    Trainee: lambda objs: {
        Cohort: Q(pk__in=_ids(objs, "cohort_id") | _ids(objs, "_cohort_before")),
        Trainee: Q(pk__in=_ids(objs, "pk")),
    },
    TraineeStatusChange: _trainees("trainee_id"),
    SessionAttendance: _trainees("trainee_id"),
    AssessmentResult: _trainees("trainee_id"),
    AssessmentAllowance: _trainees("trainee_id"),
    QualificationGrant: _trainees("trainee_id"),
    Measurement: _trainees("trainee_id"),
    MedicalHold: _trainees("trainee_id"),
    MedicalCertificate: _trainees("trainee_id"),
    AssessmentAmendment: lambda objs: {
        Trainee: Q(
            pk__in=AssessmentResult.objects.filter(pk__in=_ids(objs, "result_id")).values("trainee")
        )
    },
    CompetencyGrade: lambda objs: {
        Trainee: Q(
            pk__in=SessionAttendance.objects.filter(pk__in=_ids(objs, "attendance_id")).values(
                "trainee"
            )
        )
        | Q(
            pk__in=AssessmentResult.objects.filter(pk__in=_ids(objs, "result_id")).values("trainee")
        )
    },
    User: _everything,
    # A resource's name shows with each session that books it, on floors and dashboards.
    Resource: _everything,
    SessionTrainee: _sessions_and_trainees,
    # A notice shows on the trainee's own dashboard beside the session ("you gave notice"), and
    # is counted on the timetables with the session, whose cohort stamps them.
    AbsenceNotice: _sessions_and_trainees,
    SessionResource: lambda objs: {Cohort: _cohorts_of_sessions(objs)},
}
# Written often and read by no cached page; or read by none (when a resource is out of service,
# who may instruct what: read when a session is scheduled).
# A file of past records, a series' pattern: read by no cached page (their sessions and
# results raise their own).
IGNORED = {
    SessionSeries,
    SubmissionKey,
    SessionLogDraft,
    ResourceUnavailability,
    TrainerAuthorisation,
    PastImport,
}
# The side of a many-to-many change that raises nothing beyond the other side's rows: what a
# page shows of a person's roles is in its key (`reader`); a resource booked shows with the
# session, whose cohort is raised.
M2M_QUIET = (User, Resource)
# What of a person the cached pages show: a save that changes none of it raises nothing (a
# sign-in's last_login, a password, a language or time zone, which the key holds anyway).
USER_SHOWN = ("username", "display_name", "native_name", "is_active")


def versions_raise(rows: dict) -> None:
    """Give the rows `rows` selects ({versioned model: Q}) new versions, in the caller's
    transaction: one UPDATE per model, in `VERSIONED` order. Through the base manager: a
    published revision refuses other updates, not this one (trainingtracker/versioned.py)."""
    version = uuid.uuid4()
    for model in VERSIONED:
        if model in rows:
            model._base_manager.filter(rows[model]).update(cache_version=version)


def versions_raise_for(model: type, objs: Iterable) -> None:
    """Raise the versions a write of `objs` of `model` changes (a bulk write, which sends no
    signal); nothing for a model no cached page reads."""
    depends = DEPENDS.get(model)
    objs = list(objs)
    if depends is not None and objs:
        versions_raise(depends(objs))


def versions_raise_all() -> None:
    """Every row a new version: after writes that went around the ORM's signals (the demo's
    and the benchmark's bulk loads)."""
    versions_raise({model: Q() for model in VERSIONED})


def _user_before(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance._state.adding or update_fields == frozenset({"last_login"}):
        return
    instance._shown_before = (
        User._base_manager.filter(pk=instance.pk).values_list(*USER_SHOWN).first()
    )


def _trainee_before(sender, instance, raw=False, **kwargs) -> None:
    """Before a trainee's row is written (which locks it): raise their cohort's version, before
    and after a move, so that the cohort is locked before the trainee, as every writer does."""
    if raw:
        return
    if not instance._state.adding:
        instance._cohort_before = (
            Trainee._base_manager.filter(pk=instance.pk).values_list("cohort", flat=True).first()
        )
    versions_raise(
        {Cohort: Q(pk__in=_ids([instance], "cohort_id") | _ids([instance], "_cohort_before"))}
    )


def _on_write(sender, instance, raw=False, **kwargs) -> None:
    if raw or sender not in DEPENDS:
        return
    if sender is User:
        before = getattr(instance, "_shown_before", None)
        if kwargs.get("created") or before == tuple(getattr(instance, f) for f in USER_SHOWN):
            return  # a new person is on no page yet; nothing shown changed
    versions_raise_for(sender, [instance])


def _on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A roster, a cohort's trainers, a definition's assessors: the rows of both sides. A
    person's side raises nothing: what a page shows of their roles is in its key (`reader`)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, M2M_QUIET):
        versions_raise_for(type(instance), [instance])
    if pk_set and model in DEPENDS and model not in M2M_QUIET:
        versions_raise_for(model, model._base_manager.filter(pk__in=pk_set))


def connect() -> None:
    """Called from TraineesConfig.ready()."""
    pre_save.connect(_user_before, sender=User, dispatch_uid="progress_cache_user")
    pre_save.connect(_trainee_before, sender=Trainee, dispatch_uid="progress_cache_trainee")
    post_save.connect(_on_write, dispatch_uid="progress_cache_save")
    post_delete.connect(_on_write, dispatch_uid="progress_cache_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="progress_cache_m2m")


# Stamps ---------------------------------------------------------------------------------------


def trainee_stamp(trainee: Trainee, *, rendered: bool = True) -> tuple[str, ...] | None:
    """The stamp of a trainee's record, from the trainee as loaded with its cohort and revision
    (`select_related("cohort__revision")`, one row, no query here), read before the records."""
    cohort = trainee.cohort
    return stamp(
        (
            trainee.pk,
            trainee.cache_version,
            cohort.pk,
            cohort.cache_version,
            cohort.revision_id,
            cohort.revision.cache_version,
        ),
        rendered=rendered,
    )


def cohort_stamp(cohort: Cohort, *, rendered: bool = True) -> tuple[str, ...] | None:
    """The stamp of a cohort's board: the cohort and its revision as loaded, and its trainees'
    versions, one query, made before the board's records are read."""
    if not enabled():
        return None
    trainees = Trainee._base_manager.filter(cohort=cohort).order_by("pk")
    return stamp(
        (
            cohort.pk,
            cohort.cache_version,
            cohort.revision_id,
            cohort.revision.cache_version,
            *trainees.values_list("pk", "cache_version"),
        ),
        rendered=rendered,
    )


def cohorts_stamp(cohorts: QuerySet, *, rendered: bool = True) -> tuple[str, ...] | None:
    """The stamp of a list of cohorts, their sessions and rosters (a trainer's floor): the
    versions of the cohorts that `cohorts` selects and of their revisions, one query, made
    before the cohorts are read for the page (a trainee's own row raises their cohort's). A
    cohort that joins or leaves the list changes it too."""
    if not enabled():
        return None
    rows = cohorts.order_by("pk").values_list("pk", "cache_version", "revision__cache_version")
    return stamp(rows, rendered=rendered)


def sessions_stamp(sessions: QuerySet) -> tuple[str, ...] | None:
    """The stamp of a list of sessions as rendered (a week of a timetable): the versions of the
    cohorts they belong to and of their modules' revisions, one query, made before the sessions
    are read. A write to a session, its roster, its resources or its notices raises its cohort
    (a session that comes into the list or leaves it, the cohort it comes from or leaves); a
    module's text, its revision; a person's or a resource's name, every row."""
    if not enabled():
        return None
    fields = ("cohort_id", "cohort__cache_version", "module__revision_id")
    rows = sessions.order_by(*fields).values_list(*fields, "module__revision__cache_version")
    return stamp(rows.distinct())


def revisions_stamp(revision_ids: Iterable[int]) -> tuple[str, ...] | None:
    """The stamp of curriculum revisions' content, one query, made before it is read."""
    if not enabled():
        return None
    rows = ProgrammeRevision._base_manager.filter(pk__in=revision_ids).order_by("pk")
    return stamp(rows.values_list("pk", "cache_version"), rendered=False)
