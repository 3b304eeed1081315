"""trainingtracker/helpers.py: a write that loses a race to a unique constraint is refused in the
service's words, on the field the form shows it beside, after its transaction rolled back."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import CohortFactory
from trainees.models import Cohort
from trainingtracker.helpers import WriteRaced, refused_when_raced


@refused_when_raced("Taken meanwhile.", field="name")
@transaction.atomic
def _create_twice(*, name):
    Cohort.objects.filter(name=name).update(name=f"{name} renamed before the refusal")
    raise IntegrityError("UNIQUE constraint failed")


def test_it_refuses_a_lost_race_on_the_field_and_rolls_the_write_back(db):
    cohort = CohortFactory(name="Cohort A")
    with pytest.raises(WriteRaced) as refused:
        _create_twice(name=cohort.name)
    assert refused.value.message_dict == {"name": ["Taken meanwhile."]}
    cohort.refresh_from_db()
    assert cohort.name == "Cohort A"


def test_an_outer_service_restates_an_inner_refusal_in_its_own_words(db):
    @refused_when_raced("Someone in the file was added meanwhile.")
    def import_rows():
        _create_twice(name="any")

    with pytest.raises(WriteRaced) as refused:
        import_rows()
    assert refused.value.messages == ["Someone in the file was added meanwhile."]


def test_other_refusals_pass_through_unchanged(db):
    @refused_when_raced("Taken meanwhile.")
    def refuse():
        raise ValueError("not a race")

    with pytest.raises(ValueError, match="not a race"):
        refuse()
