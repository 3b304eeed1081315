"""A record's history as people read it: who, when, what changed (field, old -> new) and why.

Read from django-simple-history's tables. The changes are worked out by comparing each history
row with the one before it, in Python, over rows read in one query (no `prev_record` per row).
Foreign keys show the related record's id (the history keeps ids, not names, so that a renamed
or deleted record does not rewrite the past); choices show their label.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

HISTORY_LIMIT = 200  # the latest changes shown; the admin site has the rest
# Columns that change with every save and say nothing to a reader.
HIDDEN_FIELDS = {"version", "updated_at", "modified_at"}
KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str
    why: str
    changes: list[Change] = field(default_factory=list)


def _shown(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return f"#{value}"
    return str(value)


def record_history(*, record, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest `limit` history entries of `record`, newest first, each with its changes."""
    rows = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    fields = [
        f
        for f in record.history.model.tracked_fields
        if f.name not in HIDDEN_FIELDS and f.name != "id"
    ]
    entries = []
    for index, row in enumerate(rows[:limit]):
        before = rows[index + 1] if index + 1 < len(rows) else None
        changes = []
        for model_field in fields:
            new = getattr(row, model_field.attname)
            old = getattr(before, model_field.attname) if before is not None else None
            if before is None and row.history_type != "+":
                continue  # the row before is past the limit: what changed is unknown
            if new != old and (before is not None or new not in (None, "")):
                changes.append(
                    Change(
                        field=str(model_field.verbose_name),
                        old=_shown(model_field, old) if before is not None else "—",
                        new=_shown(model_field, new),
                    )
                )
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=row.history_user,
                kind=str(KINDS.get(row.history_type, row.history_type)),
                why=row.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
