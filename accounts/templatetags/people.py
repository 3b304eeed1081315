"""People's names in the page's script; built into every template.

{{ user|person }}       高岩 with "Gao Yan" beside it on a Chinese page, Gao Yan elsewhere
{{ user|person_text }}  the same as plain text: "高岩 (Gao Yan)"
"""

from django import template
from django.utils import translation
from django.utils.html import format_html

from accounts.models import SCRIPT_LANGUAGE, script_of

register = template.Library()


def _native(user) -> str:
    if user is None:
        return ""
    return user.native_name_for(translation.get_language() or "en")


@register.filter
def person(user):
    native = _native(user)
    if not native:
        return "" if user is None else str(user)
    return format_html(
        '<span lang="{}">{}</span> <span class="tt-latin-name" dir="ltr">{}</span>',
        SCRIPT_LANGUAGE[script_of(native)],
        native,
        str(user),
    )


@register.filter
def person_text(user) -> str:
    return "" if user is None else user.name_for(translation.get_language() or "en")
