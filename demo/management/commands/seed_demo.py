from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.scale import scale_records_ensure, scale_remove
from demo.seed import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    demo_curriculum_ensure,
    demo_people_ensure,
    demo_records_ensure,
    demo_records_remove,
)
from trainees.progress_cache import versions_raise_all


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
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also build benchmark data: 60 modules, N cohorts of 20 trainees and one of "
            "100, each trainee with a year of records (see docs/benchmarks.md).",
        )

    def handle(self, *args, force=False, refresh=False, scale=0, **options):
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
        if scale < 0:
            raise CommandError("--scale takes the number of 20-trainee cohorts, 0 or more.")
        if scale and refresh:
            scale_remove()
        if scale and scale_records_ensure(scale=scale, people=people):
            self.stdout.write(f"Scale data built: {scale} cohorts of 20 and one of 100.")
        elif scale:
            self.stdout.write("Scale data already present (--refresh rebuilds it).")
        # The records were bulk-inserted: no cached progress from before may be read again.
        versions_raise_all()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        width = max(len(p.username) for p in DEMO_PEOPLE)
        for person in DEMO_PEOPLE:
            self.stdout.write(
                f"  {person.username:<{width}}  {DEMO_PASSWORD}   {person.description}"
            )
