"""trainees 0008: the free-text locations become resources, the rosters become booking rows with
their sessions' times, the rosters' history follows; clashing scheduled sessions stop it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import factories as f
from trainees.migrations._bookings import _kind_of, _most_at_once

BEFORE = [("trainees", "0007_result_signature_method")]
AFTER = [("trainees", "0008_resources_and_bookings")]


def test_it_guesses_a_kind_from_the_words_of_a_location():
    assert _kind_of("Pool 1 at the neutral buoyancy lab") == "pool"
    assert _kind_of("Centrifuge hall") == "centrifuge"
    assert _kind_of("Simulator hall 2") == "simulator"
    assert _kind_of("Payload laboratory") == "laboratory"
    assert _kind_of("Gobi desert survival site") == "survival_site"
    assert _kind_of("Lecture room 3") == "classroom"
    assert _kind_of("Somewhere") == "other"


def test_it_counts_the_most_intervals_at_one_moment():
    at = [dt.datetime(2030, 1, 1, h, tzinfo=dt.UTC) for h in range(8)]
    assert _most_at_once([]) == 0
    assert _most_at_once([(at[0], at[2]), (at[2], at[4])]) == 1  # back to back
    assert _most_at_once([(at[0], at[3]), (at[1], at[4]), (at[2], at[5])]) == 3


@pytest.fixture
def before():
    """The schema as it was before 0008, with the app registry of that moment; afterwards the
    database is brought back to the latest migrations."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


# The trip down and up is a minute of migrations on a busy machine. Its data steps are the same
# on both databases, and PostgreSQL adds what SQLite has not (btree_gist, the exclusion
# constraints made over the moved rows): it runs there, in .ci/run's second pass.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the migration's trip runs on PostgreSQL (CI's second pass), where it does more",
)
@pytest.mark.django_db(transaction=True)
def test_locations_become_resources_rosters_keep_their_times_and_clashes_stop_it(before):
    """One trip down and up (migrating is slow): clashing scheduled sessions stop the migration,
    named; once one is cancelled it runs, and the rest is as described above."""
    Session = before.get_model("trainees", "TrainingSession")
    Cohort = before.get_model("trainees", "Cohort")
    Trainee = before.get_model("trainees", "Trainee")
    cohort = Cohort.objects.get(pk=f.CohortFactory().pk)
    module_id = cohort.revision.modules.first().pk
    trainer_id, other_trainer_id, third_trainer_id = (f.UserFactory().pk for _ in range(3))
    trainee = Trainee.objects.get(pk=f.TraineeFactory(cohort_id=cohort.pk).pk)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    made = []
    for hours, where, trainer, status in [
        (0, "Neutral buoyancy pool", trainer_id, "scheduled"),
        (3, "neutral  buoyancy POOL", trainer_id, "completed"),
        (0, "Lecture hall", other_trainer_id, "scheduled"),
        (1, "Lecture hall", third_trainer_id, "scheduled"),
        (1, "Somewhere", trainer_id, "scheduled"),  # over the first: the trainer's clash
    ]:
        session = Session.objects.create(
            cohort=cohort,
            module_id=module_id,
            trainer_id=trainer,
            starts_at=start + dt.timedelta(hours=hours),
            ends_at=start + dt.timedelta(hours=hours + 2),
            location=where,
            status=status,
        )
        made.append(session)
    made[0].trainees.add(trainee)

    named = f"trainer {trainer_id}: sessions {made[0].pk} and {made[4].pk}"
    with pytest.raises(RuntimeError, match=named):
        MigrationExecutor(connection).migrate(AFTER)
    Session.objects.filter(pk=made[4].pk).update(status="cancelled", cancellation_reason="Clash")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Resource = apps.get_model("trainees", "Resource")
    SessionResource = apps.get_model("trainees", "SessionResource")
    SessionTrainee = apps.get_model("trainees", "SessionTrainee")

    pool = Resource.objects.get(name="Neutral buoyancy pool")
    hall = Resource.objects.get(name="Lecture hall")
    assert (pool.kind, pool.capacity) == ("pool", 1)
    # Two scheduled sessions held the hall at once: it takes two, so neither is now a clash.
    assert (hall.kind, hall.capacity) == ("classroom", 2)
    assert Resource.objects.count() == 3  # the pool's two spellings are one resource
    assert SessionResource.objects.filter(resource=pool).count() == 2
    (row,) = SessionTrainee.objects.all()
    assert (row.session_id, row.trainee_id) == (made[0].pk, trainee.pk)
    ends = start + dt.timedelta(hours=2)
    assert (row.starts_at, row.ends_at, row.scheduled) == (start, ends, True)
