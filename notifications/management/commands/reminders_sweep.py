from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "Record the reminders due now and send what is waiting: the job beat runs every few "
        "minutes (reminders-sweep), by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send in this process instead of through the Celery worker.",
        )

    def handle(self, *args, inline=False, **options):
        if inline:
            with services.deliveries_inline():
                result = services.reminders_sweep()
        else:
            result = services.reminders_sweep()
        self.stdout.write(
            "Reminders found: {found}, newly recorded: {recorded}, re-enqueued: {requeued}.".format(
                **result
            )
        )
