"""Back up the whole database content to one JSON file: `manage.py backup FILE`.

Django's dumpdata of every app, with natural keys for content types and permissions (which
`migrate` makes again, with other ids, in a new database), so that `manage.py restore FILE`
loads it into an empty database of the same schema. The history tables, the audit tables of
django-axes and the sign-in sessions are included: a restored site has its past and keeps
everyone signed in. Written to a temporary file first and moved into place, so a failed
backup never leaves half a file under the name asked for.
"""

import os
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Made again by `migrate` (with other ids): referred to by natural key instead.
# Made by migrations in every database.
EXCLUDED = ["contenttypes", "auth.permission"]


class Command(BaseCommand):
    help = "Write the whole database content to a JSON file, for `manage.py restore`."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup (JSON).")

    def handle(self, *args, file, **options):
        target = Path(file).resolve()
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        os.close(handle)
        try:
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                natural_foreign=True,
                output=temporary,
                verbosity=0,
            )
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size} bytes).")
