"""The reminder kinds' renderers. Each reads only its params; dates and times are shown in the
time zone and language active when it is called (the recipient's, or the reader's)."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from curriculum.models import AssessmentDefinition, Module, Qualification
from curriculum.texts import text_plain
from trainees.models import AbsenceCategory
from trainingtracker.helpers import span

from .delivery import Rendered, rendered_notice, renderer


def _when(value: str) -> str:
    return date_format(timezone.localtime(parse_datetime(value)), "DATETIME_FORMAT")


def _day(value: str) -> str:
    return date_format(parse_date(value), "DATE_FORMAT")


def _title(params: dict, model, kind: str) -> str:
    """The title of the module, assessment or qualification a reminder names, in the language
    active now (the recipient's): read when it is rendered, so a translation made since counts.
    The title kept in the params stands in for a reminder made before ids were kept, or for a
    definition since deleted."""
    kept = params.get("module_title" if kind == "module" else "title", "")
    if not params.get(f"{kind}_id"):
        return kept
    related = ("module",) if model is AssessmentDefinition else ()
    obj = model.objects.select_related(*related).filter(pk=params[f"{kind}_id"]).first()
    return kept if obj is None else text_plain(obj, "title")


@renderer("session_upcoming")
def session_upcoming(recipient, params: dict) -> Rendered:
    names = {"module": f"{params['module_code']} {_title(params, Module, 'module')}"}
    when = _when(params["starts_at"])
    return rendered_notice(
        recipient=recipient,
        subject=_("Training session %(module)s on %(when)s") % {**names, "when": when},
        lines=[
            _("You have a training session coming up: %(module)s.") % names,
            _("Starts: %(when)s") % {"when": when},
            _("Location: %(location)s") % {"location": params["location"]},
        ],
        in_app=_("Session %(module)s starts %(when)s at %(location)s.")
        % {**names, "when": when, "location": params["location"]},
        url=params["url"],
    )


@renderer("assessment_due")
def assessment_due(recipient, params: dict) -> Rendered:
    names = {
        "assessment": f"{params['code']} {_title(params, AssessmentDefinition, 'definition')}",
        "due": _day(params["due_on"]),
    }
    return rendered_notice(
        recipient=recipient,
        subject=_("%(assessment)s is due by %(due)s") % names,
        lines=[
            _("The cohort plan has %(assessment)s passed by %(due)s, and it is not passed yet.")
            % names
        ],
        in_app=_("%(assessment)s is due by %(due)s.") % names,
        url=params["url"],
    )


@renderer("assessment_overdue")
def assessment_overdue(recipient, params: dict) -> Rendered:
    names = {
        "assessment": f"{params['code']} {_title(params, AssessmentDefinition, 'definition')}",
        "due": _day(params["due_on"]),
        "trainee": params["trainee"],
    }
    return rendered_notice(
        recipient=recipient,
        subject=_("%(assessment)s is overdue for %(trainee)s") % names,
        lines=[
            _("%(trainee)s was planned to pass %(assessment)s by %(due)s and has not yet.") % names
        ],
        in_app=_("%(assessment)s is overdue for %(trainee)s (due %(due)s).") % names,
        url=params["url"],
    )


@renderer("qualification_expiring")
def qualification_expiring(recipient, params: dict) -> Rendered:
    expires = parse_date(params["expires_on"])
    days = (expires - dt.date.fromisoformat(params["on"])).days
    names = {
        "qualification": f"{params['code']} {_title(params, Qualification, 'qualification')}",
        "day": _day(params["expires_on"]),
        "days": days,
    }
    if days <= 0:
        line = _("%(qualification)s expires today (%(day)s).") % names
    else:
        line = (
            ngettext(
                "%(qualification)s expires in %(days)d day, on %(day)s.",
                "%(qualification)s expires in %(days)d days, on %(day)s.",
                days,
            )
            % names
        )
    return rendered_notice(
        recipient=recipient,
        subject=_("%(qualification)s expires on %(day)s") % names,
        lines=[line, _("Plan the recurrent training or check before then.")],
        in_app=line,
        url=params["url"],
    )


@renderer("signature_pending")
def signature_pending(recipient, params: dict) -> Rendered:
    names = {
        "assessment": f"{params['code']} {_title(params, AssessmentDefinition, 'definition')}",
        "trainee": params["trainee"],
        "taken": _when(params["taken_at"]),
    }
    return rendered_notice(
        recipient=recipient,
        subject=_("A result awaits your signature: %(assessment)s") % names,
        lines=[
            _(
                "The result of %(trainee)s in %(assessment)s, taken %(taken)s, is not "
                "signed yet. Unsigned, it counts for nothing in their progress."
            )
            % names
        ],
        in_app=_("Sign the result of %(trainee)s in %(assessment)s.") % names,
        url=params["url"],
    )


@renderer("debrief_pending")
def debrief_pending(recipient, params: dict) -> Rendered:
    names = {"assessment": f"{params['code']} {_title(params, AssessmentDefinition, 'definition')}"}
    return rendered_notice(
        recipient=recipient,
        subject=_("Acknowledge your debrief: %(assessment)s") % names,
        lines=[
            _("Your result in %(assessment)s is signed. Read the debrief and acknowledge it.")
            % names
        ],
        in_app=_("Acknowledge your debrief for %(assessment)s.") % names,
        url=params["url"],
    )


def _span(starts: str, ends: str) -> str:
    return span(parse_datetime(starts), parse_datetime(ends))


@renderer("timetable_changed")
def timetable_changed(recipient, params: dict) -> Rendered:
    """A session moved, changed or cancelled, or a trainee added to or taken off it; a series'
    occurrences moved or cancelled from a date on, in one notice."""
    count = params["count"]
    names = {
        "module": f"{params['module_code']} {_title(params, Module, 'module')}",
        "when": _span(params["starts_at"], params["ends_at"]),
        "was": _span(params["was_starts_at"], params["was_ends_at"]),
        "last": _when(params["last_starts_at"]),
        "count": count,
    }
    change = params["change"]
    if change == "moved" and count > 1:
        line = ngettext(
            "%(count)d session of %(module)s has moved, from %(was)s on. The first is now "
            "%(when)s, the last on %(last)s.",
            "%(count)d sessions of %(module)s have moved, from %(was)s on. The first is now "
            "%(when)s, the last on %(last)s.",
            count,
        )
    elif change == "moved":
        line = _("%(module)s has moved from %(was)s to %(when)s.")
    elif change == "cancelled" and count > 1:
        line = ngettext(
            "%(count)d session of %(module)s is cancelled, from %(when)s to %(last)s.",
            "%(count)d sessions of %(module)s are cancelled, from %(when)s to %(last)s.",
            count,
        )
    elif change == "cancelled":
        line = _("%(module)s, %(when)s, is cancelled.")
    elif change == "added":
        line = _("You are now expected at %(module)s, %(when)s.")
    elif change == "removed":
        line = _("You are no longer expected at %(module)s, %(when)s.")
    else:
        line = _("%(module)s, %(when)s, has changed.")
    line %= names
    lines = [line]
    if params["places"] and change not in ("cancelled", "removed"):
        lines.append(_("Places: %(places)s") % {"places": params["places"]})
    if params["reason"]:
        lines.append(_("Reason: %(reason)s") % {"reason": params["reason"]})
    lines.append(_("Changed by %(name)s.") % {"name": params["by"]})
    return rendered_notice(
        recipient=recipient,
        subject=_("Timetable change: %(module)s") % names,
        lines=lines,
        in_app=line,
        url=params["url"],
    )


@renderer("absence_notice")
def absence_notice(recipient, params: dict) -> Rendered:
    """A trainee told ahead they will miss a session (or withdrew it): to its trainer."""
    category = params["category"]
    names = {
        "trainee": params["trainee"],
        "module": f"{params['module_code']} {_title(params, Module, 'module')}",
        "when": _when(params["starts_at"]),
        "category": AbsenceCategory(category).label
        if category in AbsenceCategory.values
        else category,
        "reason": params["reason"],
    }
    if params.get("withdrawn"):
        subject = _("%(trainee)s will come to %(module)s after all") % names
        lines = [
            _("%(trainee)s withdrew their notice of absence for %(module)s on %(when)s.") % names
        ]
    else:
        subject = _("%(trainee)s will miss %(module)s on %(when)s") % names
        lines = [
            _("%(trainee)s gave notice that they will miss %(module)s on %(when)s.") % names,
            _("Reason: %(category)s. %(reason)s") % names,
            _("The log will open with them excused."),
        ]
    return rendered_notice(
        recipient=recipient, subject=subject, lines=lines, in_app=subject, url=params["url"]
    )
