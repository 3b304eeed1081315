"""Curriculum texts in the reader's language (curriculum/texts.py); built into every template.

{{ module|tr:"title" }}        escaped, in <span lang dir> where the source stands in
{{ module|trtext:"title" }}    plain text, for attributes and text e-mails
{{ module|trcode }}            "PC-101 Robotic arm operations", plain text
{{ competency|trlines:"behaviours" }}  the lines of a text
<ul{{ competency|trattrs:"behaviours" }}>   lang and dir where the source stands in
"""

from django import template

from curriculum import texts

register = template.Library()


@register.filter
def tr(obj, name: str):
    return texts.text_html(obj, name)


@register.filter
def trtext(obj, name: str) -> str:
    return texts.text_plain(obj, name)


@register.filter
def trcode(obj) -> str:
    return "" if obj is None else texts.code_title(obj)


@register.filter
def trlines(obj, name: str) -> list[str]:
    text = texts.text_plain(obj, name)
    return [line.strip() for line in text.splitlines() if line.strip()]


@register.filter
def trattrs(obj, name: str):
    return texts.text_local(obj, name).attributes() if obj is not None else ""
