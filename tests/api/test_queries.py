"""Every listing of the API costs the same number of queries with a little data and with ten
times more (tests/test_page_queries.py's world and growth). The numbers are pinned: a change
that adds a query must say why here."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from tests.api.conftest import bearer
from tests.test_page_queries import grow
from trainees.models import QualificationGrant

# What every request costs before its records: the token and its person (one query), the use
# recorded (one UPDATE), the person's permissions (one query: accounts/backends.py).
TOKEN = 3

LISTINGS = [
    # (persona, URL name, world object for the id or None, queries)
    # The page's count, its rows; trainee lists join the person.
    ("programme_admin", "trainee_list", None, TOKEN + 2),
    ("trainer", "trainee_list", None, TOKEN + 2),
    # + the cohorts' trainers (one prefetch)
    ("trainer", "cohort_list", None, TOKEN + 3),
    # + the expected trainees (one prefetch)
    ("trainer", "session_list", None, TOKEN + 3),
    ("trainee", "session_list", None, TOKEN + 3),
    # + the grades with their competencies (one prefetch)
    ("trainer", "attendance_list", None, TOKEN + 3),
    ("trainer", "result_list", None, TOKEN + 3),
    ("trainer", "grant_list", None, TOKEN + 2),
    ("trainer", "hold_list", None, TOKEN + 2),
    ("medic", "hold_list", None, TOKEN + 2),
    # + prerequisites, competencies, assessments (three prefetches)
    ("trainee", "module_list", None, TOKEN + 5),
    ("programme_admin", "module_list", None, TOKEN + 5),
    # The cohort, its trainees, their progress loaded at once (as the board).
    ("trainer", "cohort_progress", "cohort_a", TOKEN + 12),
    # One trainee's progress: the trainee, then the progress rule's fixed loads.
    ("trainer", "trainee_progress", "trainee_a", TOKEN + 11),
]


def grants(world, personas, n):
    """n qualification grants of the trainee, a day apart (the pages' growth makes none)."""
    qualification = world["qualification"]
    start = world["cohort_a"].starts_on + dt.timedelta(days=QualificationGrant.objects.count())
    for day in range(n):
        granted_on = start + dt.timedelta(days=day)
        QualificationGrant.objects.create(
            trainee=world["trainee_a"],
            qualification=qualification,
            granted_on=granted_on,
            expires_on=qualification.expiry_for(granted_on),
            granted_by=personas["trainer"],
        )


@pytest.fixture(scope="class", params=[2, 20], ids=["grown", "grown-ten-times-more"])
def grown(request, class_world, django_db_blocker):
    personas, world = class_world
    with django_db_blocker.unblock(), transaction.atomic():
        grow(world, personas, 2)
        grants(world, personas, 2)
        if request.param == 20:
            grow(world, personas, 20)
            grants(world, personas, 20)
        yield class_world
        transaction.set_rollback(True)


class TestEveryListing:
    @pytest.mark.parametrize(
        ("persona", "name", "obj", "queries"), LISTINGS, ids=[f"{p[1]}-{p[0]}" for p in LISTINGS]
    )
    def test_a_listing_costs_the_same_with_ten_times_the_data(
        self, grown, db, django_assert_num_queries, persona, name, obj, queries
    ):
        personas, world = grown
        api = bearer(personas[persona], "read")
        url = reverse(f"api:{name}", kwargs={"pk": world[obj].pk} if obj else None)
        with django_assert_num_queries(queries):
            response = api.get(url, {"page_size": 200})
        assert response.status_code == 200, response.content
