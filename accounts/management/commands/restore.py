"""Restore a backup made by `manage.py backup` into an empty database.

`manage.py migrate` first (the schema), then `manage.py restore FILE`. Refused when the database
already holds people or training records, so that a restore never mixes two sites' records;
the rows that migrations and post-migrate make for every site (the role groups, the reminder
lead times, the report schedule) are replaced by the backup's. The history package's signals
are off while it loads: the backup's history is the history. All in one transaction: a backup
that fails to load leaves the database as it was.
"""

import uuid

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User

# Made by migrations or post_migrate in every database: the backup's rows replace them.
# Their history rows too (post_migrate makes the singletons through the ORM, with history).
SITE_ROWS = [
    "auth.Group",
    "notifications.ReminderSettings",
    "notifications.HistoricalReminderSettings",
    "reports.ReportSchedule",
    "reports.HistoricalReportSchedule",
]

# The rows whose versions key the cached pages (`trainingtracker.versioned.CacheVersioned`).
VERSIONED_ROWS = [
    "curriculum.Programme",
    "curriculum.ProgrammeRevision",
    "trainees.Cohort",
    "trainees.Trainee",
]


class Command(BaseCommand):
    help = "Load a backup made by `manage.py backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to load (JSON).")

    def handle(self, *args, file, **options):
        if User.objects.exists():
            raise CommandError(
                "The database already holds people: restore into an empty database "
                "(a new one, after `manage.py migrate`)."
            )
        # The backup holds the history as it was: loading it (and clearing the site rows) must
        # add none of its own, which the history package's signals would (deletes, m2m sets).
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            for label in SITE_ROWS:
                apps.get_model(label).objects.all().delete()
            call_command("loaddata", file, verbosity=0)
            # New versions for the rows that key the cached pages (trainingtracker/versioned.py):
            # whatever a cache shared with the backed-up database holds is never reached here.
            for label in VERSIONED_ROWS:
                apps.get_model(label)._base_manager.update(cache_version=uuid.uuid4())
        self.stdout.write(f"Restored from {file}.")
