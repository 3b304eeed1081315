from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trainees.demo import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    demo_curriculum_ensure,
    demo_people_ensure,
    demo_records_ensure,
    demo_records_remove,
)


class Command(BaseCommand):
    help = "Load the demo programme and its people (idempotent). Refuses in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off: this sets known passwords on the demo accounts.",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Delete the demo cohorts' records and make them again, dated from today.",
        )

    def handle(self, *args, force=False, refresh=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo gives demo accounts a published password; it refuses to run with "
                "DJANGO_DEBUG=0. Pass --force if this really is a demonstration site."
            )
        people = demo_people_ensure()
        revision = demo_curriculum_ensure(people=people)
        if refresh:
            demo_records_remove()
        if demo_records_ensure(revision=revision, people=people):
            self.stdout.write("Demo cohorts and three months of training records created.")
        else:
            self.stdout.write(
                "Demo records already present (seed_demo --refresh re-dates them from today)."
            )
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        width = max(len(p.username) for p in DEMO_PEOPLE)
        for person in DEMO_PEOPLE:
            self.stdout.write(
                f"  {person.username:<{width}}  {DEMO_PASSWORD}   {person.description}"
            )
