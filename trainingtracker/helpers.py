"""What the forms and views of every app share: a submit button, a one-time key, a service's
refusal shown on its form, choosing a record by id, letting a page's roles in, and a span of
time as a refusal names it.

Here rather than in accounts/: curriculum, trainees and reports use them, and none of them is
about people.
"""

import datetime as dt
import uuid
from contextlib import contextmanager
from functools import wraps

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Forms -----------------------------------------------------------------------------------------


class WithSubmit:
    """Gives a form a crispy FormHelper with one labelled submit button."""

    submit_label = _("Save")
    submit_class = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label, css_class=self.submit_class))


class SubmittedOnceForm(forms.Form):
    """A form carrying a one-time key (`trainees.services.submission_claim`): made when the form
    is first shown and kept through redisplays, so that submitting it twice saves once."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


def errors_to_form(form, error: ValidationError) -> None:
    """Put a service's refusal beside the field it names, or above the form if it names none
    of the form's fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@contextmanager
def refusal_shown(form):
    """Around a view's call of a service for a valid form: a refusal (`ValidationError`) goes
    onto the form and the code after the block renders it again; what follows the call inside
    the block (the message, the redirect) runs only when the service wrote."""
    try:
        yield
    except ValidationError as error:
        errors_to_form(form, error)


class WriteRaced(ValidationError):
    """A write refused by a unique constraint that another write reached first."""


def refused_when_raced(message, *, field: str | None = None):
    """A service's write that loses a race to a unique constraint (the same form sent twice, two
    people at once) is refused as `message`, on `field` or the whole form, like any other refusal
    of the service. Goes above `transaction.atomic`, so the write is rolled back first; a
    refusal raised by an inner service is restated in this one's words."""

    def decorator(write):
        @wraps(write)
        def wrapped(*args, **kwargs):
            try:
                return write(*args, **kwargs)
            except (IntegrityError, WriteRaced):
                raise WriteRaced({field: message} if field else message) from None

        return wrapped

    return decorator


def ends_after_check(form, data: dict, *, start: str, end: str, model, constraint: str) -> None:
    """The form's half of a model's CheckConstraint that `end` comes after `start`: shown beside
    `end` as the form is checked, in the constraint's own words, so the rule is written once."""
    starts, ends = data.get(start), data.get(end)
    if starts and ends and ends <= starts:
        refusal = next(c for c in model._meta.constraints if c.name == constraint)
        form.add_error(end, refusal.violation_error_message)


# Django's ModelChoiceField and ModelMultipleChoiceField pass a posted id to the database as it
# is: an id past 64 bits raises OverflowError on SQLite and an out-of-range error on PostgreSQL,
# a 500 instead of "select a valid choice" (tests/security/test_hostile_input.py). These refuse
# such an id as the invalid choice it is.
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


# Access ----------------------------------------------------------------------------------------


def permission_any_required(*perms: str):
    """The page belongs to several roles: let in whoever holds any of `perms`, refuse the rest
    with 403 (the page exists; records inside it are still gated by `visible_to`)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Formatting ------------------------------------------------------------------------------------


def span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """From the start to the end, in the reader's time zone and format (the end's day too when
    it differs): how a refusal names a session's or an unavailable period's time."""
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    end = (
        formats.time_format(ends, "TIME_FORMAT")
        if starts.date() == ends.date()
        else formats.date_format(ends, "SHORT_DATETIME_FORMAT")
    )
    return gettext("%(start)s to %(end)s") % {
        "start": formats.date_format(starts, "SHORT_DATETIME_FORMAT"),
        "end": end,
    }
