"""Template tags for the progress pages."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

INDENTATION = re.compile(r"\n\s+")
PREFORMATTED = re.compile(r"<(pre|textarea)\b", re.IGNORECASE)


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


@register.tag
def progress_fragment(parser, token):
    """`{% progress_fragment fragment %}...{% endprogress_fragment %}`: the enclosed part of the
    page, from the cache while `fragment` (a `progress_cache.Fragment`, whose stamp was read
    before the records the part shows) is current, otherwise rendered and cached. Like Django's
    `{% cache %}`, with the entry checked against the stamp instead of keyed by it."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument, a Fragment.")
    nodelist = parser.parse(("endprogress_fragment",))
    parser.delete_first_token()
    return ProgressFragmentNode(nodelist, parser.compile_filter(bits[1]))


class ProgressFragmentNode(template.Node):
    def __init__(self, nodelist, fragment):
        self.nodelist = nodelist
        self.fragment = fragment

    def render(self, context) -> str:
        fragment = self.fragment.resolve(context)
        html = fragment.read()
        if html is None:
            html = self.nodelist.render(context)
            if not PREFORMATTED.search(html):
                # The templates' indentation was a third of the record page's 100 kB: a line
                # break alone renders the same, outside <pre> and <textarea>.
                html = mark_safe(INDENTATION.sub("\n", html))  # noqa: S308 (rendered above)
            fragment.write(html)
        return mark_safe(html)  # noqa: S308 (rendered by this node, from the cache or now)
