"""Template tags for the progress pages."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def module_status(context, progress) -> str:
    """A module's status as a badge: colour and text, never colour alone.

    A tag rather than an included template: the cohort board shows one per trainee and module
    (6,000 for 100 trainees by 60 modules). There are five statuses, so each badge is made once
    per rendering (and language) and reused.
    """
    badges = context.render_context.setdefault("module_status_badges", {})
    badge = badges.get(progress.status)
    if badge is None:
        badge = badges[progress.status] = format_html(
            '<span class="badge tt-status-{}">{}</span>', progress.status, progress.status_label
        )
    return badge
