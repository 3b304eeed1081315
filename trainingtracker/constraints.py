"""Constraints only PostgreSQL can state, declared once on the model for both databases.

An exclusion constraint (no two rows with the same person and overlapping times) is the
database's own guarantee on PostgreSQL; SQLite has neither ranges nor exclusion, so there the
constraint emits no SQL and the service that writes the rows checks the same rule inside its
write transaction (SQLite's IMMEDIATE transactions let one writer at a time check and write).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Func


class PostgresExclusionConstraint(ExclusionConstraint):
    """An `ExclusionConstraint` on PostgreSQL, nothing elsewhere."""

    @staticmethod
    def _applies(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor) if self._applies(schema_editor) else None
        )

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._applies(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._applies(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        """Nothing in `full_clean`: the writing service checks the same rule first and names
        the clash (who, which session, when), where this would only say a constraint is broken,
        and on SQLite could not say it at all. The database still refuses what gets past."""


class TsTzRange(Func):
    """PostgreSQL's `tstzrange(start, end)`, half-open: what an exclusion constraint compares."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class BtreeGistKept(BtreeGistExtension):
    """btree_gist (equality on plain columns inside an exclusion constraint), on PostgreSQL.
    Unapplying the migration keeps it: other databases' objects may use it, and on SQLite
    Django's own reverse would ask PostgreSQL's catalogue."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return None
