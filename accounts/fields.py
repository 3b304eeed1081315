"""Form fields that choose records by id, refusing an id no database column can hold.

Django's ModelChoiceField and ModelMultipleChoiceField pass a posted id to the database as it
is: an id past 64 bits ("9223372036854775808") raises OverflowError on SQLite and an
out-of-range error on PostgreSQL, a 500 instead of "select a valid choice" (found by
tests/security/test_hostile_input.py). These refuse such an id as the invalid choice it is.
"""

from django import forms
from django.core.exceptions import ValidationError

ID_LIMIT = 2**63 - 1  # a bigint, the widest id column


def _out_of_range(value) -> bool:
    try:
        return abs(int(str(value).strip())) > ID_LIMIT
    except ValueError:
        return False  # not a number: Django's own check refuses it


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and _out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if _out_of_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
