"""Calendar feeds as iCalendar (RFC 5545): a person's sessions and qualification expiries, and
a resource's bookings.

UIDs are stable (the record's id and the site's host), so a phone updates an event in place when
a session moves, and drops it when the feed marks it cancelled.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from curriculum.texts import code_title, text_plain
from trainees.models import SessionStatus

from .delivery import absolute_url
from .selectors import calendar_expiries, calendar_resource_sessions, calendar_sessions


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "tracker.invalid"


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Astronaut training tracker//EN")
    calendar.add("version", "2.0")
    return calendar


def _session_event(session, *, uid: str, stamp: dt.datetime, link: bool = True) -> Event:
    """A session as an event: its module, times, places and cohort, cancelled or confirmed (a
    phone drops a cancelled one), with a link to it where the reader may open it."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    # Each change of the session raises its version: a calendar takes the higher SEQUENCE as
    # the newer event (RFC 5545 3.8.7.4), so a move or a cancellation replaces the old one.
    event.add("sequence", session.version - 1)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", code_title(session.module))
    if places := ", ".join(str(r) for r in session.resources.all()):
        event.add("location", places)
    if link:
        event.add("url", absolute_url(session.get_absolute_url()))
    event.add("description", text_plain(session.cohort, "name"))
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_feed(*, user) -> bytes:
    host = _host()
    stamp = timezone.now()
    calendar = _calendar()
    with translation.override(user.preferred_language):
        calendar.add("x-wr-calname", _("Training: %(name)s") % {"name": user})
        for session in calendar_sessions(user=user):
            calendar.add_component(
                _session_event(session, uid=f"session-{session.pk}@{host}", stamp=stamp)
            )
        for grant in calendar_expiries(user=user):
            event = Event()
            event.add("uid", f"qualification-{grant.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", grant.expires_on)
            event.add("dtend", grant.expires_on + dt.timedelta(days=1))
            event.add(
                "summary",
                _("%(qualification)s expires") % {"qualification": code_title(grant.qualification)},
            )
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()


def resource_calendar_feed(*, user, resource) -> bytes:
    """A resource's bookings, for a person who may read them: every session booking it from 90
    days back, cancelled ones marked. Its UIDs differ from the personal feed's, so that a
    calendar subscribed to both keeps the two events apart; a session the person may not open
    has no link."""
    host = _host()
    stamp = timezone.now()
    calendar = _calendar()
    with translation.override(user.preferred_language):
        calendar.add("x-wr-calname", _("Bookings: %(name)s") % {"name": resource.name})
        for session in calendar_resource_sessions(user=user, resource=resource):
            uid = f"session-{session.pk}-resource-{resource.pk}@{host}"
            calendar.add_component(
                _session_event(session, uid=uid, stamp=stamp, link=session.openable)
            )
    return calendar.to_ical()
