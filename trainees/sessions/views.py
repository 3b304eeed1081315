"""The training floor: a trainer's home, sessions scheduled, listed, changed, cancelled and
logged. Every record is fetched through its model's `visible_to`."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from curriculum.models import Module
from trainees import progress_cache
from trainees.access import MANAGES_PEOPLE, SEES_TRAINEES
from trainees.models import (
    AbsenceNotice,
    Cohort,
    CompetencyGrade,
    MedicalHold,
    SessionAttendance,
    SessionLogDraft,
    Trainee,
    TrainingSession,
)
from trainees.models.absences import notice_open
from trainees.progress.views import RECENT_SESSIONS
from trainees.services import AlreadySubmitted
from trainees.sessions import services
from trainees.sessions.forms import (
    AttendanceLogForm,
    SessionCancelForm,
    SessionForm,
    SessionLogForm,
)
from trainingtracker import inputs
from trainingtracker.helpers import (
    IdChoiceField,
    errors_to_form,
    permission_any_required,
    refusal_shown,
)

FLOOR_WINDOW = dt.timedelta(days=14)  # the sessions listed ahead and behind


@permission_required("accounts.log_training", raise_exception=True)
def trainer_home(request):
    """The training floor: the person's cohorts with their trainees, the sessions held but not
    logged, and their sessions of the two weeks ahead and behind.

    A trainer's landing page, opened many times a day: all of it is one `{% cached_fragment %}`
    under the versions of every cohort whose sessions or trainees it may list (read first, in
    one query), the reader, language and time zone, and until the clock changes a list (the
    next session starts or ends, one enters the two weeks ahead or leaves those behind). Warm,
    it costs that query and one cache read; what it shows is read only when rendered."""
    user = request.user
    now = timezone.now()
    stamp = progress_cache.cohorts_stamp(
        Cohort.objects.filter(
            Q(pk__in=Cohort.objects.visible_to(user).values("pk"))
            | Q(pk__in=TrainingSession.objects.filter(trainer=user).values("cohort"))
        )
    )
    cohorts = (
        Cohort.objects.visible_to(user)
        .filter(closed_on__isnull=True)
        .select_related("revision__programme")
        .prefetch_related(
            Prefetch(
                "trainees",
                queryset=Trainee.objects.visible_to(user).select_related("user"),
            ),
        )
    )
    if not user.has_perm("accounts.manage_people"):
        cohorts = cohorts.filter(trainers=user)
    sessions = TrainingSession.objects.visible_to(user)
    loggable = TrainingSession.objects.loggable_by(user).filter(
        status=TrainingSession.Status.SCHEDULED
    )

    def listing(queryset, *order):
        rows = queryset.select_related("module", "cohort").prefetch_related("resources")
        rows = rows.order_by(*order)
        return SimpleLazyObject(lambda: list(rows[:RECENT_SESSIONS]))

    upcoming = listing(
        sessions.filter(starts_at__gte=now, starts_at__lt=now + FLOOR_WINDOW), "starts_at"
    )
    recent = listing(
        sessions.filter(starts_at__lt=now, starts_at__gte=now - FLOOR_WINDOW), "-starts_at"
    )
    to_log = listing(loggable.filter(ends_at__lt=now), "starts_at")

    def until() -> dt.datetime | None:
        """When the lists change with no write: the next listed session starts (it moves to
        the recent ones), the oldest recent one leaves the two weeks behind, the next session
        beyond two weeks enters them, the next scheduled session ends (it is to be logged)."""
        moments = [upcoming[0].starts_at] if upcoming else []
        if recent:
            moments.append(recent[-1].starts_at + FLOOR_WINDOW)
        later = sessions.filter(starts_at__gte=now + FLOOR_WINDOW).order_by("starts_at")
        if (starts := later.values_list("starts_at", flat=True).first()) is not None:
            moments.append(starts - FLOOR_WINDOW)
        ending = loggable.filter(ends_at__gte=now).order_by("ends_at")
        if (ends := ending.values_list("ends_at", flat=True).first()) is not None:
            moments.append(ends)
        return min(moments) if moments else None

    return render(
        request,
        "trainees/trainer_home.html",
        {
            "floor": progress_cache.fragment(
                stamp, "training_floor", *progress_cache.reader(user), until=until
            ),
            "cohorts": cohorts,
            "upcoming": upcoming,
            "recent": recent,
            "to_log": to_log,
        },
    )


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def session_detail(request, pk: int):
    """A session with the attendance, hours, grades and remarks the person may see."""
    user = request.user
    session = get_object_or_404(
        TrainingSession.objects.visible_to(user).select_related(
            "module", "cohort", "trainer", "import_batch__imported_by"
        ),
        pk=pk,
    )
    attendances = (
        SessionAttendance.objects.visible_to(user)
        .filter(session=session)
        .select_related("trainee__user")
        .prefetch_related(
            Prefetch(
                "grades",
                queryset=CompetencyGrade.objects.select_related("competency").order_by(
                    "competency__order"
                ),
            )
        )
    )
    can_log = TrainingSession.objects.loggable_by(user).filter(pk=session.pk).exists()
    # The notices of absence standing: the trainers' list, or the trainee's own.
    notices = (
        AbsenceNotice.objects.visible_to(user)
        .standing()
        .filter(session=session)
        .select_related("trainee__user")
        .order_by("created_at", "pk")
    )
    # A trainee expected at a session still to come may tell ahead they will miss it.
    gives_notice = (
        user.has_perm("accounts.view_own_progress")
        and notice_open(session)
        and session.trainees.filter(user=user).exists()
    )
    return render(
        request,
        "trainees/session_detail.html",
        {
            "session": session,
            "attendances": attendances,
            "can_log": can_log,
            "notices": notices,
            "gives_notice": gives_notice,
        },
    )


SESSIONS_PER_PAGE = 20


@permission_required("accounts.log_training", raise_exception=True)
def session_list(request):
    """The sessions of the person's cohorts: upcoming first, or the past ones, newest first."""
    now = timezone.now()
    when = request.GET.get("when", "upcoming")
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .select_related("module", "cohort", "trainer")
        .prefetch_related("resources")
    )
    if when == "past":
        sessions = sessions.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        when = "upcoming"
        sessions = sessions.filter(ends_at__gte=now).order_by("starts_at")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    to_log = (
        TrainingSession.objects.loggable_by(request.user)
        .filter(status=TrainingSession.Status.SCHEDULED, ends_at__lt=now)
        .select_related("module", "cohort", "trainer")
        .order_by("starts_at")
    )
    return render(
        request,
        "trainees/session_list.html",
        {"page": page, "when": when, "to_log": to_log, "now": now},
    )


@permission_required("accounts.log_training", raise_exception=True)
def session_week(request):
    """A week of sessions, day by day, from Monday in the person's time zone."""
    today = timezone.localdate()
    day = inputs.query_date(request.GET.get("week")) or today
    monday = day - dt.timedelta(days=day.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=7))
        .select_related("module", "cohort", "trainer")
        .prefetch_related("resources")
        .order_by("starts_at")
    )
    by_day = {monday + dt.timedelta(days=n): [] for n in range(7)}
    for session in sessions:
        by_day[timezone.localdate(session.starts_at)].append(session)
    return render(
        request,
        "trainees/session_week.html",
        {
            "days": list(by_day.items()),
            "monday": monday,
            "today": today,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
        },
    )


def _cohort_roster(request, cohort):
    """Who may be expected at the cohort's sessions: its trainees in training."""
    return (
        Trainee.objects.visible_to(request.user)
        .filter(cohort=cohort, status=Trainee.Status.IN_TRAINING)
        .select_related("user")
    )


def _roster_field(form) -> None:
    """The cohort is expected, but not whoever is on a medical hold today (scheduling them
    would only end in the hold's warning); their names say why."""
    roster = list(form.fields["trainees"].queryset)
    on_hold = set(
        MedicalHold.objects.open()
        .filter(trainee__in=roster, opened_on__lte=timezone.localdate())
        .values_list("trainee_id", flat=True)
    )
    form.fields["trainees"].initial = [t for t in roster if t.pk not in on_hold]
    form.fields["trainees"].label_from_instance = lambda t: (
        _("%(name)s (medical hold)") % {"name": t.user.display_name}
        if t.pk in on_hold
        else t.user.display_name
    )


def _session_form(request, cohort, **kwargs):
    trainees = _cohort_roster(request, cohort)
    return SessionForm(
        request.POST or None,
        cohort=cohort,
        trainees=trainees,
        overrides=request.user.has_perm(MANAGES_PEOPLE),
        **kwargs,
    )


def _scheduling_refused(form, error: ValidationError) -> None:
    """A clash beside the field it concerns (trainer, trainees, resources); warnings above the
    form, with what the person may do about them."""
    if not isinstance(error, services.SchedulingWarnings):
        errors_to_form(form, error)
        return
    for warning in error.warnings:
        form.add_error(None, warning)
    if "override_reason" in form.fields:
        form.add_error(
            "override_reason",
            _("To schedule it anyway, give your reason: the session's history keeps it."),
        )
    else:
        form.add_error(
            None, _("Only a programme admin can schedule a session despite these warnings.")
        )


def _trainer_choices(request, cohort):
    """Who can lead a session of the cohort: its trainers, and the person scheduling it."""
    return User.objects.filter(Q(cohorts_trained=cohort) | Q(pk=request.user.pk)).distinct()


@permission_required("accounts.log_training", raise_exception=True)
def session_schedule(request, pk: int):
    """Schedule a session for one of the person's cohorts, with its trainees preselected."""
    cohort = get_object_or_404(Cohort.objects.trained_by(request.user), pk=pk)
    form = _session_form(request, cohort, submit_label=_("Schedule"))
    form.fields["trainer"] = IdChoiceField(
        queryset=_trainer_choices(request, cohort), label=_("Trainer"), initial=request.user
    )
    # The helper's layout was built from the form's own fields: show the trainer after the times.
    layout = form.helper.layout.fields
    layout.insert(layout.index("ends_at") + 1, "trainer")
    _roster_field(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_schedule(
                cohort=cohort,
                module=data["module"],
                trainer=data["trainer"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                resources=data["resources"],
                trainees=data["trainees"],
                notes=data["notes"],
                override_reason=data.get("override_reason", ""),
                by=request.user,
                key=data["submission_key"],
            )
        except AlreadySubmitted as done:
            messages.info(request, _("This was already saved."))
            return redirect(done.target or "trainees:session_list")
        except ValidationError as error:
            _scheduling_refused(form, error)
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect(session)
    return render(request, "trainees/session_form.html", {"form": form, "cohort": cohort})


def _loggable_session(request, pk: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.loggable_by(request.user).select_related(
            "module", "cohort__revision", "trainer"
        ),
        pk=pk,
    )


@permission_required("accounts.log_training", raise_exception=True)
def session_edit(request, pk: int):
    """Change a scheduled session: module, time, place, roster, notes."""
    session = _loggable_session(request, pk)
    if session.status != TrainingSession.Status.SCHEDULED:
        messages.warning(request, _("Only a scheduled session can be changed."))
        return redirect(session)
    form = _session_form(
        request,
        session.cohort,
        submit_label=_("Save changes"),
        initial={
            "module": session.module,
            "starts_at": timezone.localtime(session.starts_at),
            "ends_at": timezone.localtime(session.ends_at),
            "resources": list(session.resources.all()),
            "trainees": list(session.trainees.all()),
            "notes": session.notes,
            "version": session.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_reschedule(
                session=session,
                version=data["version"] or 0,
                module=data["module"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                resources=data["resources"],
                trainees=data["trainees"],
                notes=data["notes"],
                override_reason=data.get("override_reason", ""),
                by=request.user,
            )
        except ValidationError as error:
            _scheduling_refused(form, error)
        else:
            messages.success(request, _("The session is changed."))
            return redirect(session)
    return render(
        request,
        "trainees/session_form.html",
        {"form": form, "cohort": session.cohort, "session": session},
    )


@permission_required("accounts.log_training", raise_exception=True)
def session_cancel(request, pk: int):
    """Cancel a scheduled session, with the reason; it keeps its record."""
    session = _loggable_session(request, pk)
    form = SessionCancelForm(request.POST or None, initial={"version": session.version})
    if session.status != TrainingSession.Status.SCHEDULED:
        messages.warning(request, _("Only a scheduled session can be cancelled."))
        return redirect(session)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            services.session_cancel(
                session=session,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("The session is cancelled."))
            return redirect(session)
    return render(request, "trainees/session_cancel.html", {"form": form, "session": session})


class SessionLog:
    """The log page's forms: the session's times, then one line per trainee."""

    def __init__(self, request, session: TrainingSession, data=None):
        user = request.user
        self.session = session
        module = session.module
        competencies = list(module.competencies.order_by("order", "code"))
        measures = module.category == Module.Category.PHYSICAL
        attendances = {
            a.trainee_id: a
            for a in SessionAttendance.objects.visible_to(user)
            .filter(session=session)
            .prefetch_related("grades", "measurements")
        }
        crew = Trainee.objects.visible_to(user).filter(cohort=session.cohort_id)
        expected = set(session.trainees.values_list("pk", flat=True))
        if expected or attendances:
            crew = crew.filter(pk__in=expected | set(attendances))
        else:
            crew = crew.filter(status=Trainee.Status.IN_TRAINING)
        length = session.creditable_hours
        self.top = SessionLogForm(
            data,
            initial={
                "starts_at": timezone.localtime(session.starts_at),
                "ends_at": timezone.localtime(session.ends_at),
                "version": session.version,
            },
        )
        self.lines = []
        # Who told ahead they would miss it (read with the crew): their line opens excused,
        # the reason as remark.
        notices = (
            AbsenceNotice.objects.visible_to(user)
            .standing()
            .filter(session=session, trainee=OuterRef("pk"))
        )
        crew = crew.annotate(
            notice_category=Subquery(notices.values("category")[:1]),
            notice_reason=Subquery(notices.values("reason")[:1]),
        )
        for trainee in crew.select_related("user"):
            line = AttendanceLogForm(
                data,
                prefix=f"t{trainee.pk}",
                trainee=trainee,
                competencies=competencies,
                measures=measures,
                length=length,
                initial=self._initial(attendances.get(trainee.pk), trainee),
            )
            line.notice_category = (
                AbsenceNotice.Category(trainee.notice_category).label
                if trainee.notice_category
                else ""
            )
            self.lines.append(line)

    @staticmethod
    def _initial(attendance, trainee: Trainee) -> dict:
        """The line as stored; else, for a trainee who gave notice, excused with their reason
        (a draft, restored after, still wins)."""
        if attendance is None:
            if trainee.notice_reason is None:
                return {}
            return {
                "attendance": SessionAttendance.Attendance.EXCUSED,
                "hours_credited": 0,
                "remarks": trainee.notice_reason,
            }
        initial = {
            "attendance": attendance.attendance,
            "hours_credited": attendance.hours_credited,
            "remarks": attendance.remarks,
        }
        initial |= {f"c{g.competency_id}": g.grade for g in attendance.grades.all()}
        initial |= {f"m_{m.metric}": m.value for m in attendance.measurements.all()}
        return initial

    def forms(self):
        return [self.top, *self.lines]

    def restore(self, data: dict) -> None:
        """Show a saved draft in place of the stored values: each field as it was typed."""
        for form in self.forms():
            for name, field in form.fields.items():
                key = form.add_prefix(name)
                if key in data:
                    values = data[key]
                    form.initial[name] = (
                        values if isinstance(field, forms.MultipleChoiceField) else values[-1]
                    )

    def is_valid(self) -> bool:
        # Every form is validated, not only up to the first invalid one, so that every error shows.
        valid = [form.is_valid() for form in self.forms()]
        return all(valid)

    def entries(self):
        return [line.entry() for line in self.lines]

    def attach(self, error: ValidationError) -> None:
        if isinstance(error, services.SessionLogErrors):
            for line in self.lines:
                for field, message in error.by_trainee.get(line.trainee.pk, {}).items():
                    line.add_error(field if field in line.fields else None, message)
        else:
            errors_to_form(self.top, error)


def _draft_data(post) -> dict:
    """The typed values of a log form as lists, as a draft keeps them (no token)."""
    clean = inputs.text_without_nul  # kept as typed, but for what PostgreSQL's jsonb refuses
    return {
        clean(key): [clean(value) for value in post.getlist(key)]
        for key in post
        if key not in {"csrfmiddlewaretoken", "submission_key"}
    }


@permission_required("accounts.log_training", raise_exception=True)
def session_log(request, pk: int):
    """Log a held session for the whole crew on one page; one submit saves all of it.

    What is typed is kept as a draft while typing (see `session_log_draft`), and on the device
    (static/js/session_log.js): a log posted after the sign-in expired is sent to sign in again
    (by LoginRequiredMiddleware, storing nothing) and the page restores it from the device.
    """
    session = _loggable_session(request, pk)
    if session.status == TrainingSession.Status.CANCELLED:
        messages.warning(request, _("A cancelled session cannot be logged."))
        return redirect(session)
    if request.method == "POST":
        log = SessionLog(request, session, request.POST)
        if log.is_valid():
            try:
                services.session_log(
                    session=session,
                    version=log.top.cleaned_data["version"],
                    starts_at=log.top.cleaned_data["starts_at"],
                    ends_at=log.top.cleaned_data["ends_at"],
                    entries=log.entries(),
                    by=request.user,
                    key=log.top.cleaned_data["submission_key"],
                )
            except AlreadySubmitted as done:
                messages.info(request, _("This log was already saved."))
                return redirect(done.target or session)
            except ValidationError as error:
                log.attach(error)
            else:
                messages.success(request, _("The session is logged."))
                return redirect(session)
        draft = None
    else:
        log = SessionLog(request, session)
        draft = SessionLogDraft.objects.visible_to(request.user).filter(session=session).first()
        if draft:
            log.restore(draft.data)
    return render(
        request, "trainees/session_log.html", {"session": session, "log": log, "draft": draft}
    )


@require_POST
@permission_required("accounts.log_training", raise_exception=True)
def session_log_draft(request, pk: int):
    """Keep what has been typed into the log so far (sent by htmx as the trainer types)."""
    session = _loggable_session(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # not a form this page made: keep nothing
    draft = services.session_log_draft_save(
        session=session, author=request.user, data=_draft_data(request.POST), version=version
    )
    return render(request, "trainees/_draft_saved.html", {"draft": draft})
