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

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import CharField, IntegerField, Q, Value
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Module, ProgrammeRevision, Translation

# Marker rows of the catalogue query: a revision's source language, a module of a revision.
_SOURCE_ROW = "."
_MODULE_ROW = "#"
_MODULES = "modules"  # the store's key of {module id: revision id}
NAMES = None  # the catalogue key of programme and cohort names (not in a revision)


@dataclass
class _Catalogue:
    source: str = ""
    entries: dict[tuple[str, int, str], str] = field(default_factory=dict)


_scope: ContextVar[dict | None] = ContextVar("curriculum_texts", default=None)


@contextmanager
def texts_scope() -> Iterator[None]:
    """Keep the translations loaded inside the block (one request, one task's run); inside
    another scope, that one's."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def in_texts_scope(fn):
    """Run `fn` in a `texts_scope` (a report's builder: many texts, one query per revision)."""

    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with texts_scope():
            return fn(*args, **kwargs)

    return scoped


def _label(obj) -> str:
    return obj._meta.label_lower


def _load(store: dict, revision_ids: list[int | None], language: str) -> None:
    """Read into `store`, in one query, the translations in `language` of the revisions (and
    of the names, the first time), each revision's source language and which modules it holds
    (so a competency or an assessment finds its revision without loading its module)."""
    with_names = (language, NAMES) not in store
    revisions = [r for r in revision_ids if r is not None]
    wanted = Q(revision_id__in=revisions)
    if with_names:
        wanted |= Q(revision__isnull=True)
    rows = (
        Translation.objects.filter(wanted, language=language)
        .order_by()
        .values_list(
            "content_type__app_label",
            "content_type__model",
            "object_id",
            "field",
            "text",
            "revision",
        )
    )
    if revisions:
        # The source languages and the modules ride along as more rows: still one query.
        sources = (
            ProgrammeRevision.objects.filter(pk__in=revisions)
            .order_by()
            .annotate(**_constants("", "", 0, _SOURCE_ROW))
            .values_list("a", "b", "c", "d", "programme__source_language", "pk")
        )
        modules = (
            Module.objects.filter(revision_id__in=revisions)
            .order_by()
            .annotate(**_constants("", "", 0, _MODULE_ROW, ""))
            .values_list("a", "b", "pk", "d", "e", "revision_id")
        )
        rows = rows.union(sources, modules, all=True)
    names = store.setdefault((language, NAMES), _Catalogue())
    catalogues = {r: store.setdefault((language, r), _Catalogue()) for r in revisions}
    module_revisions = store.setdefault(_MODULES, {})
    for app_label, model, object_id, name, text, revision in rows:
        if not app_label and name == _SOURCE_ROW:
            catalogues[revision].source = text
        elif not app_label and name == _MODULE_ROW:
            module_revisions[object_id] = revision
        elif revision is None:
            if with_names:
                names.entries[(f"{app_label}.{model}", object_id, name)] = text
        else:
            catalogues[revision].entries[(f"{app_label}.{model}", object_id, name)] = text


def _constants(*values) -> dict:
    fields = {str: CharField, int: IntegerField}
    return {
        name: Value(value, output_field=fields[type(value)]())
        for name, value in zip("abcde", values, strict=False)
    }


def texts_preload(revision_ids, language: str | None = None) -> None:
    """Load the translations of several revisions at once (one query), for a page that shows
    more than one (the curriculum's home). Inside a scope only; elsewhere it does nothing."""
    store = _scope.get()
    language = language or translation.get_language() or "en"
    if store is None:
        return
    missing = [r for r in dict.fromkeys(revision_ids) if (language, r) not in store]
    if missing or (language, NAMES) not in store:
        _load(store, missing, language)


def _catalogue(revision_id: int | None, language: str) -> tuple[_Catalogue, _Catalogue]:
    """(the revision's catalogue, the names') in `language`, loading what is not loaded.
    Outside a scope nothing is kept: each lookup reads afresh."""
    store = _scope.get()
    if store is None:
        store = {}
    if (language, revision_id) not in store or (language, NAMES) not in store:
        _load(store, [revision_id], language)
    return store[(language, revision_id)], store[(language, NAMES)]


def _revision_of(obj) -> int:
    """The revision of a revision's content, without loading its module where a revision
    already loaded says which one holds it."""
    if obj.revision_path != "revision" and not type(obj).module.is_cached(obj):
        store = _scope.get()
        known = store.get(_MODULES, {}).get(obj.module_id) if store is not None else None
        if known is not None:
            return known
    return obj.translation_revision_id


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


def _source_loaded(obj) -> str | None:
    """The source language of `obj`'s texts if it is at hand: its own, or its revision's
    programme's where both were loaded with it (a cohort `select_related("revision__programme")`
    ), so that a reader in that language needs no catalogue. None otherwise."""
    if language := getattr(obj, "source_language", None):
        return language
    descriptor = getattr(type(obj), "revision", None)
    if not getattr(descriptor, "is_cached", lambda _obj: False)(obj):
        return None
    revision = obj.revision
    if revision is None or not type(revision).programme.is_cached(revision):
        return None
    return revision.programme.source_language


def text_local(obj, name: str, language: str | None = None) -> LocalText:
    """`obj`'s text `name` in `language` (the active one by default), or its source text."""
    source = getattr(obj, name) or ""
    language = language or translation.get_language() or "en"
    if obj.pk is None or not source or language == _source_loaded(obj):
        return LocalText(source, language, fallback=False)
    if obj.translation_scoped:
        catalogue, _names = _catalogue(_revision_of(obj), language)
        entries = catalogue.entries
    else:
        revision_id = getattr(obj, "translation_revision_id", None)
        catalogue, names = _catalogue(revision_id, language)
        entries = names.entries
    source_language = getattr(obj, "source_language", None) or catalogue.source or "en"
    if language == source_language:
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


def behaviours_html(local: LocalText) -> SafeString:
    """Observable behaviours on one line ("a; b"), escaped, in `<span lang dir>` when the
    source stands in: what a grading form's help text shows."""
    lines = [line.strip() for line in local.text.splitlines() if line.strip()]
    joined = escape("; ".join(lines))
    if not local.fallback or not lines:
        return joined
    return format_html("<span{}>{}</span>", local.attributes(), joined)
