"""A person's calendar feed as iCalendar (RFC 5545): their sessions and qualification expiries.

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
from .selectors import calendar_expiries, calendar_sessions


def calendar_feed(*, user) -> bytes:
    host = urlsplit(settings.SITE_URL).hostname or "tracker.invalid"
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Astronaut training tracker//EN")
    calendar.add("version", "2.0")
    with translation.override(user.preferred_language):
        calendar.add("x-wr-calname", _("Training: %(name)s") % {"name": user})
        for session in calendar_sessions(user=user):
            event = Event()
            event.add("uid", f"session-{session.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", session.starts_at)
            event.add("dtend", session.ends_at)
            event.add("summary", code_title(session.module))
            if places := ", ".join(str(r) for r in session.resources.all()):
                event.add("location", places)
            event.add("url", absolute_url(session.get_absolute_url()))
            event.add("description", text_plain(session.cohort, "name"))
            cancelled = session.status == SessionStatus.CANCELLED
            event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
            calendar.add_component(event)
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
