"""Curriculum texts in the reader's language, and the source text with its language where a
translation is missing.

Every page, e-mail, PDF, CSV and feed that shows a curriculum text to a reader asks here
(`{{ module|tr:"title" }}` in templates, `text_plain` in Python). A page loads what it may need
in one query per revision shown (the revision's translations in the reader's language, the
names of programmes and cohorts with the first, and the programme's source language), kept for
the request by `texts_scope` (curriculum.middleware) or for a task's run. Without a scope every
lookup reads afresh: correct, only slower.

A translation is shown even while it is out of date: it is still the nearest text in the
reader's language, and the coverage page tells the translators.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import CharField, IntegerField, Q, Value
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import ProgrammeRevision, Translation

# A marker row of the catalogue query: its text is the programme's source language.
_SOURCE_ROW = "."
NAMES = None  # the catalogue key of programme and cohort names (not in a revision)


@dataclass
class _Catalogue:
    source: str = ""
    entries: dict[tuple[str, int, str], str] = field(default_factory=dict)


_scope: ContextVar[dict | None] = ContextVar("curriculum_texts", default=None)


@contextmanager
def texts_scope() -> Iterator[None]:
    """Keep the translations loaded inside the block (one request, one task's run)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def _label(obj) -> str:
    return obj._meta.label_lower


def _load(store: dict, revision_id: int | None, language: str) -> None:
    """Read the translations of `revision_id` in `language` (and the names, the first time, and
    the revision's source language) into `store`, in one query."""
    with_names = (language, NAMES) not in store
    rows = Translation.objects.filter(language=language).order_by()
    if revision_id is None:
        rows = rows.filter(revision__isnull=True)
    elif with_names:
        rows = rows.filter(Q(revision_id=revision_id) | Q(revision__isnull=True))
    else:
        rows = rows.filter(revision_id=revision_id)
    rows = rows.values_list(
        "content_type__app_label", "content_type__model", "object_id", "field", "text", "revision"
    )
    if revision_id is not None:
        # The source language rides along as one more row, so this stays one query.
        source = (
            ProgrammeRevision.objects.filter(pk=revision_id)
            .order_by()
            .annotate(
                a=Value("", output_field=CharField()),
                b=Value("", output_field=CharField()),
                c=Value(0, output_field=IntegerField()),
                d=Value(_SOURCE_ROW, output_field=CharField()),
            )
            .values_list("a", "b", "c", "d", "programme__source_language", "pk")
        )
        rows = rows.union(source, all=True)
    names = store.setdefault((language, NAMES), _Catalogue())
    catalogue = store.setdefault((language, revision_id), _Catalogue())
    for app_label, model, object_id, name, text, revision in rows:
        if name == _SOURCE_ROW and not app_label:
            catalogue.source = text
        elif revision is None:
            if with_names:
                names.entries[(f"{app_label}.{model}", object_id, name)] = text
        else:
            catalogue.entries[(f"{app_label}.{model}", object_id, name)] = text


def _catalogue(revision_id: int | None, language: str) -> tuple[_Catalogue, _Catalogue]:
    """(the revision's catalogue, the names') in `language`, loading what is not loaded.
    Outside a scope nothing is kept: each lookup reads afresh."""
    store = _scope.get()
    if store is None:
        store = {}
    if (language, revision_id) not in store or (language, NAMES) not in store:
        _load(store, revision_id, language)
    return store[(language, revision_id)], store[(language, NAMES)]


@dataclass(frozen=True)
class LocalText:
    """A text as a reader sees it: in `language` (theirs, or the source's where no translation
    exists), `fallback` when it is not in the reader's language."""

    text: str
    language: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    @property
    def direction(self) -> str:
        return "rtl" if translation.get_language_info(self.language)["bidi"] else "ltr"

    def attributes(self) -> SafeString:
        """` lang=".." dir=".."` for the element holding a text not in the page's language."""
        if not self.fallback:
            return mark_safe("")
        return format_html(' lang="{}" dir="{}"', self.language, self.direction)

    def html(self) -> SafeString:
        if not self.fallback:
            return escape(self.text)
        return format_html("<span{}>{}</span>", self.attributes(), self.text)


def text_local(obj, name: str, language: str | None = None) -> LocalText:
    """`obj`'s text `name` in `language` (the active one by default), or its source text."""
    source = getattr(obj, name) or ""
    language = language or translation.get_language() or "en"
    if obj is None or obj.pk is None:
        return LocalText(source, language, fallback=False)
    if obj.translation_scoped:
        catalogue, _names = _catalogue(obj.translation_revision_id, language)
        entries = catalogue.entries
    else:
        revision_id = getattr(obj, "translation_revision_id", None)
        catalogue, names = _catalogue(revision_id, language)
        entries = names.entries
    source_language = getattr(obj, "source_language", None) or catalogue.source or "en"
    if language == source_language or not source:
        return LocalText(source, language, fallback=False)
    text = entries.get((_label(obj), obj.pk, name))
    if text:
        return LocalText(text, language, fallback=False)
    return LocalText(source, source_language, fallback=True)


def text_plain(obj, name: str, language: str | None = None) -> str:
    """The text alone, for CSV, calendar feeds, e-mail subjects and form labels."""
    if obj is None:
        return ""
    return text_local(obj, name, language).text


def text_html(obj, name: str) -> SafeString:
    """The text for a page: escaped, in a `<span lang dir>` when it is the source's fallback."""
    if obj is None:
        return mark_safe("")
    return text_local(obj, name).html()


def code_title(obj, language: str | None = None) -> str:
    """ "PC-101 Robotic arm operations" in the reader's language, as plain text."""
    return f"{obj.code} {text_plain(obj, 'title', language)}"
