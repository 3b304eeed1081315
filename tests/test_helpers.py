"""trainingtracker/helpers.py: a write that loses a race to a unique constraint is refused in the
service's words, on the field the form shows it beside, after its transaction rolled back."""

import pytest
from django.core.exceptions import ValidationError
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


def test_a_refusal_shown_goes_onto_the_form_and_skips_the_rest_of_the_block():
    from django import forms

    from trainingtracker.helpers import refusal_shown

    class NameForm(forms.Form):
        name = forms.CharField()

    form = NameForm({"name": "Cohort A"})
    assert form.is_valid()
    after = []

    def service():
        raise ValidationError({"name": "Taken meanwhile.", "other": "Not a field of the form."})

    with refusal_shown(form):
        service()
        after.append("redirect")
    assert after == []
    assert form.errors == {
        "name": ["Taken meanwhile."],
        "__all__": ["Not a field of the form."],
    }

    saved = NameForm({"name": "Cohort B"})
    assert saved.is_valid()
    with refusal_shown(saved):
        after.append("redirect")
    assert after == ["redirect"]
    assert saved.errors == {}
