"""The registry of notification kinds: how each is written, for the in-app list and e-mail.

A kind registers a renderer with `@renderer("session_upcoming")`: `fn(recipient, params) ->
Rendered`, called with the recipient's language and time zone already active (the list calls it
in the reader's current language). Renderers read only `params` (JSON saved with the
notification), never the database, so rendering a page of notifications costs no query.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from curriculum.texts import texts_scope


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    in_app: str  # one line
    url: str = ""  # a path in the tracker, or ""
    attachments: tuple[tuple[str, bytes, str], ...] = ()


Renderer = Callable[..., Rendered]
_RENDERERS: dict[str, Renderer] = {}
_SUMMARIES: dict[str, Renderer] = {}


def renderer(kind: str, *, summary: Renderer | None = None) -> Callable[[Renderer], Renderer]:
    """Register `fn` as the renderer of `kind` (one renderer per kind).

    A kind whose full rendering reads the database or builds attachments (a weekly report)
    also gives a `summary`: a renderer from `params` alone, which the in-app list uses instead
    (its subject, in_app and url; text and html may be empty)."""

    def register(fn: Renderer) -> Renderer:
        if kind in _RENDERERS and _RENDERERS[kind] is not fn:
            raise ValueError(f"A renderer for {kind!r} is already registered.")
        _RENDERERS[kind] = fn
        if summary is not None:
            _SUMMARIES[kind] = summary
        return fn

    return register


def kinds() -> list[str]:
    return sorted(_RENDERERS)


def render(kind: str, recipient, params: dict) -> Rendered:
    try:
        fn = _RENDERERS[kind]
    except KeyError:
        raise LookupError(f"No renderer is registered for the kind {kind!r}.") from None
    # A report names many curriculum texts: their translations are read once per revision.
    with texts_scope():
        return fn(recipient, params)


def render_summary(kind: str, recipient, params: dict) -> Rendered:
    """What the in-app list shows of a notification: the kind's summary if it has one, else its
    full rendering (which, for the reminders, reads only `params`)."""
    if kind in _SUMMARIES:
        return _SUMMARIES[kind](recipient, params)
    return render(kind, recipient, params)


def absolute_url(path: str) -> str:
    """A tracker path as a link that works from an e-mail."""
    return settings.SITE_URL.rstrip("/") + path if path else ""


def rendered_notice(
    *, recipient, subject: str, lines: list[str], in_app: str, url: str = ""
) -> Rendered:
    """A notice in the shared e-mail layout (templates/notifications/email/notice.*): a greeting,
    the lines, and a link to `url`. Most kinds need no more than this."""
    context = {
        "recipient": recipient,
        "subject": subject,
        "lines": lines,
        "link": absolute_url(url),
        "profile_link": absolute_url(reverse("accounts:profile")),
    }
    return Rendered(
        subject=subject,
        text=render_to_string("notifications/email/notice.txt", context),
        html=render_to_string("notifications/email/notice.html", context),
        in_app=in_app,
        url=url,
    )
