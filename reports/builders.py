"""The reports, as renderers of the delivery layer: functions of (recipient, params) returning
a `Report` (`notifications.delivery.Rendered`), registered per kind at the end of this module.

They are called with the recipient's language and time zone already active (by the delivery
layer for the weekly reports, by `reports.services.report_send` for "send report now"). The
rules they report (progress, readiness, currency) are the trainees' selectors', never worked
out again here.
"""

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from curriculum.texts import in_texts_scope, text_plain
from notifications.delivery import Rendered, renderer
from trainees import progress_cache
from trainees.models import Cohort, Currency, Trainee, TrainingSession
from trainees.progress.selectors import (
    CohortBoard,
    ModuleStatus,
    cohort_board,
    cohort_board_csv_text,
    trainees_progress,
)
from trainingtracker.pdf import pdf_from_html

from .models import ReportKind

# The statuses of a qualification that a report lists under "what expires".
EXPIRING = (Currency.EXPIRING, Currency.IN_GRACE, Currency.EXPIRED)
# Modules shown under "what is next" in a trainee's summary.
NEXT_MODULES = 3


# A report is a notification's rendering: the builders are registered as renderers below, and
# the delivery layer (notifications) calls them when it sends the e-mail.
Report = Rendered


def _render(name: str, context: dict) -> tuple[str, str]:
    """The text and HTML bodies of e-mail `name` (templates/reports/email/)."""
    context = {**context, "sent_at": timezone.now()}
    return (
        render_to_string(f"reports/email/{name}.txt", context),
        render_to_string(f"reports/email/{name}.html", context),
    )


def _week_end(on: dt.date) -> dt.date:
    return on + dt.timedelta(days=7)


def reported_trainees(readers) -> list[Trainee]:
    """The trainees who are `readers`, as the trainees' reports read them."""
    return list(
        Trainee.objects.filter(user__in=readers).select_related(
            "user", "cohort__revision__programme"
        )
    )


def reported_progress(trainees: list[Trainee]) -> dict:
    """{trainee id: progress} on the active time zone's day, where the weekly job's chunk
    (`services.weekly_progress_warm`) cached it under each trainee's stamp, read with the
    trainees (`reported_trainees`) before their records; the missing ones are worked out
    together, in a fixed number of queries, and cached."""
    by_pk = {t.pk: t for t in trainees}
    return progress_cache.cached_many(
        "report_progress",
        {t.pk: (progress_cache.trainee_stamp(t, rendered=False), (t.pk,)) for t in trainees},
        lambda missing: {
            p.trainee.pk: p for p in trainees_progress(trainees=[by_pk[pk] for pk in missing])
        },
    )


@in_texts_scope
def trainee_weekly(recipient, params: dict) -> Report:
    """A trainee's own week: progress, readiness, what is next and what expires."""
    (trainee,) = reported_trainees([recipient])
    progress = reported_progress([trainee])[trainee.pk]
    today = progress.on
    start = timezone.now()
    upcoming = list(
        TrainingSession.objects.visible_to(recipient)
        .filter(
            trainees=trainee,
            status=TrainingSession.Status.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=7),
        )
        .select_related("module", "trainer")
        .order_by("starts_at")
    )
    # What to work on next: unfinished modules that are not blocked, the earliest due first.
    open_modules = sorted(
        (
            m
            for m in progress.modules
            if m.status in (ModuleStatus.IN_PROGRESS, ModuleStatus.NOT_STARTED)
        ),
        key=lambda m: (m.due_on or dt.date.max, m.module.code),
    )[:NEXT_MODULES]
    expiring = [s for s in progress.qualifications if s.currency in EXPIRING]
    context = {
        "reader": recipient,
        "trainee": trainee,
        "progress": progress,
        "upcoming": upcoming,
        "open_modules": open_modules,
        "expiring": expiring,
        "certificates": progress.readiness.lacking_certificates,
        "week_end": _week_end(today),
    }
    text, html = _render("trainee_weekly", context)
    subject = _("Your training week: %(percent)s%% complete") % {
        "percent": progress.percent_complete
    }
    return Report(
        subject=subject,
        text=text,
        html=html,
        in_app=subject,
        url=reverse("trainees:trainee_detail", args=[trainee.pk]),
    )


def board_pdf(board: CohortBoard) -> bytes:
    """The cohort board as a PDF, in the active language and time zone."""
    html = render_to_string(
        "reports/board_pdf.html", {"board": board, "printed_at": timezone.now()}
    )
    return pdf_from_html(html=html, stylesheet="css/transcript_pdf.css")


def board_attachments(board: CohortBoard, *, stamp: tuple[str, ...] | None) -> tuple:
    """The cohort board as CSV and as PDF, named after the cohort.

    Laying out the PDF is most of a digest's cost, so one PDF is shared by every reader of the
    same board (cohort and trainees shown) in the same language and time zone, cached under
    `stamp` (`progress_cache.cohort_stamp()`, read before the board's records): the versions
    of the cohort's rows and the day, so a write in between renders it afresh, never serves
    it stale.
    """
    name = slugify(board.cohort.name) or f"cohort-{board.cohort.pk}"
    cohort = board.cohort.pk
    parts = (cohort, *[row.progress.trainee.pk for row in board.rows])
    pdf = progress_cache.cached("board_pdf", parts, stamp, lambda: board_pdf(board))
    return (
        (f"{name}-board.csv", cohort_board_csv_text(board=board).encode(), "text/csv"),
        (f"{name}-board.pdf", pdf, "application/pdf"),
    )


def _digest_cohorts(recipient, params: dict) -> list[Cohort]:
    """The open cohorts `recipient` trains, or the one cohort of an on-demand job (which the
    view has checked the requester may see; here it must be visible to the reader too)."""
    cohorts = Cohort.objects.visible_to(recipient).select_related("revision__programme")
    if params.get("cohort"):
        cohorts = cohorts.filter(pk=params["cohort"])
    else:
        cohorts = cohorts.filter(trainers=recipient, closed_on__isnull=True)
    return list(cohorts.order_by("name"))


@in_texts_scope
def trainer_digest(recipient, params: dict) -> Report:
    """The boards of the cohorts a trainer trains: who is ready, who is blocked and why, each
    board attached as CSV and as PDF."""
    boards, attachments = [], ()
    for cohort in _digest_cohorts(recipient, params):
        stamp = progress_cache.cohort_stamp(cohort)  # before the board is read
        boards.append(board := cohort_board(cohort=cohort, user=recipient))
        attachments += board_attachments(board, stamp=stamp)
    text, html = _render("trainer_digest", {"reader": recipient, "boards": boards})
    if len(boards) == 1:
        subject = _("Cohort digest: %(cohort)s") % {"cohort": text_plain(boards[0].cohort, "name")}
        url = reverse("trainees:cohort_board", args=[boards[0].cohort.pk])
    else:
        subject = _("Cohort digest: %(count)s cohorts") % {"count": len(boards)}
        url = reverse("trainees:cohort_list")
    return Report(
        subject=subject, text=text, html=html, in_app=subject, url=url, attachments=attachments
    )


@in_texts_scope
def programme_summary(recipient, params: dict) -> Report:
    """Every open cohort with its counts of trainees ready, blocked and on medical hold, and the
    qualifications that expire within the warning period."""
    trainees = list(
        Trainee.objects.visible_to(recipient)
        .filter(cohort__closed_on__isnull=True, status=Trainee.Status.IN_TRAINING)
        .select_related("user", "cohort")
        .order_by("cohort__name", "user__display_name")
    )
    rows: dict[int, dict] = {}
    expiring = []
    for progress in trainees_progress(trainees=trainees):
        cohort = progress.trainee.cohort
        row = rows.setdefault(
            cohort.pk, {"cohort": cohort, "trainees": 0, "ready": 0, "blocked": 0, "on_hold": 0}
        )
        row["trainees"] += 1
        if progress.readiness.ready:
            row["ready"] += 1
        elif progress.readiness.medical_hold:
            row["on_hold"] += 1
        else:
            row["blocked"] += 1
        # Each trainee's latest grant per qualification, as the readiness rules judge it.
        expiring += [
            (progress.trainee, standing)
            for standing in progress.qualifications
            if standing.currency in EXPIRING
        ]
    expiring.sort(key=lambda pair: pair[1].grant.expires_on if pair[1].grant else dt.date.min)
    cohorts = list(rows.values())
    totals = {
        key: sum(row[key] for row in cohorts) for key in ("trainees", "ready", "blocked", "on_hold")
    }
    context = {
        "reader": recipient,
        "cohorts": cohorts,
        "totals": totals,
        "expiring": expiring,
        "warning_days": max(settings.QUALIFICATION_WARNING_DAYS),
    }
    text, html = _render("programme_summary", context)
    subject = _("Programme summary: %(ready)s of %(count)s trainees ready") % {
        "ready": totals["ready"],
        "count": totals["trainees"],
    }
    return Report(
        subject=subject,
        text=text,
        html=html,
        in_app=subject,
        url=reverse("trainees:cohort_list"),
    )


BUILDERS = {
    ReportKind.TRAINEE_WEEKLY: trainee_weekly,
    ReportKind.TRAINER_DIGEST: trainer_digest,
    ReportKind.PROGRAMME_SUMMARY: programme_summary,
}

# Who reads which weekly report: the role that receives it (see `weekly_readers`).
READER_ROLE = {
    ReportKind.TRAINEE_WEEKLY: Role.TRAINEE,
    ReportKind.TRAINER_DIGEST: Role.TRAINER,
    ReportKind.PROGRAMME_SUMMARY: Role.PROGRAMME_ADMIN,
}

# The in-app list's line of each weekly report, from its params alone: building the report
# itself reads the progress and renders PDFs, which a page of notifications must not do.
SUMMARY_SUBJECTS = {
    ReportKind.TRAINEE_WEEKLY: gettext_lazy("Your weekly training report (%(week)s)"),
    ReportKind.TRAINER_DIGEST: gettext_lazy("Your weekly cohort digest (%(week)s)"),
    ReportKind.PROGRAMME_SUMMARY: gettext_lazy("The weekly programme summary (%(week)s)"),
}
SUMMARY_URLS = {
    ReportKind.TRAINEE_WEEKLY: "trainees:trainee_home",
    ReportKind.TRAINER_DIGEST: "trainees:cohort_list",
    ReportKind.PROGRAMME_SUMMARY: "trainees:cohort_list",
}


def _summary_of(kind: str):
    def summary(recipient, params: dict) -> Rendered:
        subject = str(SUMMARY_SUBJECTS[kind]) % {"week": params.get("week", "")}
        url = reverse(SUMMARY_URLS[kind])
        return Rendered(subject=subject, text="", html="", in_app=subject, url=url)

    return summary


for _kind, _builder in BUILDERS.items():
    renderer(_kind, summary=_summary_of(_kind))(_builder)
