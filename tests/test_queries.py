"""The layout's cost is fixed: the same queries whatever the person's roles or the site's size."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

# Session, user, the person's permissions through their groups, their own permissions, and
# their roles for the profile card.
LANDING_QUERIES = 5


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("trainee", "trainees:trainee_home"),
        ("trainer", "trainees:trainer_home"),
        ("medic", "trainees:medical_home"),
        ("programme_admin", "curriculum:home"),
    ],
)
def test_a_landing_page_costs_the_same_with_more_people(
    client, personas, django_assert_num_queries, persona, url_name
):
    client.force_login(personas[persona])
    with django_assert_num_queries(LANDING_QUERIES):
        assert client.get(reverse(url_name)).status_code == 200
    UserFactory.create_batch(40, roles=[Role.TRAINEE])
    UserFactory.create_batch(10, roles=[Role.TRAINER])
    with django_assert_num_queries(LANDING_QUERIES):
        assert client.get(reverse(url_name)).status_code == 200


def test_the_sign_in_page_needs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("accounts:login")).status_code == 200
