from django.db.backends.sqlite3 import base

from trainingtracker.db import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
