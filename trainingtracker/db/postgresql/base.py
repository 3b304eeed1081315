from django.db.backends.postgresql import base

from trainingtracker.db import BeforeCommitMixin


class DatabaseWrapper(BeforeCommitMixin, base.DatabaseWrapper):
    pass
