"""`{% cached_fragment %}`: a part of a page cached under the versions of the rows it shows
(trainingtracker/versioned.py). Loaded as `{% load fragments %}` (settings.TEMPLATES)."""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

INDENTATION = re.compile(r"\n\s+")
PREFORMATTED = re.compile(r"<(pre|textarea)\b", re.IGNORECASE)


@register.tag
def cached_fragment(parser, token):
    """`{% cached_fragment fragment %}...{% endcached_fragment %}`: the enclosed part of the
    page, from the cache while `fragment` (a `trainingtracker.versioned.Fragment`, whose stamp
    was read before the records the part shows) is current, otherwise rendered and cached. Like
    Django's `{% cache %}`, with the entry checked against the stamp instead of keyed by it."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument, a Fragment.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[1]))


class CachedFragmentNode(template.Node):
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
