"""Database backends: Django's own, with one addition, work run inside a transaction just before
it commits (`before_commit`).

Django offers `transaction.on_commit` (after the commit) but nothing before it. The progress
cache (trainees/progress_cache.py) needs its generation raised *in* the transaction that
changed the records: after the commit, a crash between the commit and the raise would leave the
cache serving the old progress; early in the transaction, the raise would lock the generation's
row for the rest of it and two writers taking their locks in opposite orders could deadlock.
Just before the commit the lock is the last one taken and is held for the commit only.

settings.py points ENGINE at `trainingtracker.db.postgresql` or `trainingtracker.db.sqlite3`.
"""

from django.db import DEFAULT_DB_ALIAS, connections


class BeforeCommitMixin:
    """Keeps `run_before_commit`, the callables to run inside the transaction before it commits.

    A rollback drops them. A rolled-back savepoint keeps them (unlike `on_commit`): they run at
    the commit anyway, which for the callers here is an unneeded but harmless extra raise."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.run_before_commit = []

    def _commit(self):
        hooks, self.run_before_commit = self.run_before_commit, []
        if self.connection is not None:
            for hook in hooks:
                hook(self)
        return super()._commit()

    def _rollback(self):
        self.run_before_commit = []
        return super()._rollback()

    def close(self):
        self.run_before_commit = []
        return super().close()


def before_commit(hook, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run `hook(connection)` in the current transaction, just before it commits; once, however
    often it is registered in one transaction. At once outside a transaction (autocommit)."""
    connection = connections[using]
    if not isinstance(connection, BeforeCommitMixin):
        raise TypeError(
            f"The database {using!r} uses {type(connection).__module__}; set its ENGINE to "
            "trainingtracker.db.postgresql or trainingtracker.db.sqlite3 (settings.py)."
        )
    if connection.get_autocommit():
        hook(connection)
    elif hook not in connection.run_before_commit:
        connection.run_before_commit.append(hook)
