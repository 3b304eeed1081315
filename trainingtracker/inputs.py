"""The edges of input, each checked in one place before the database sees a value.

PostgreSQL refuses what SQLite stores: NUL in text (and in jsonb), a year before 1 or past 9999
once a time zone moves it, a number past its column (a smallint holds 32767), a string past its
column's length. Python refuses a few more (a date past 9999 after adding a week or a time-zone
offset). So every date, time and number from a form, an import, a URL or a query parameter is
held to what a training programme can mean, years FIRST_YEAR to LAST_YEAR, and to its column:

- forms: `DateField`, `DateTimeField`, `IntegerField` here, and `formfield` for the date fields a
  ModelForm makes for itself (`formfield_callback = inputs.formfield`); Django's own CharField
  already refuses NUL with a message;
- query parameters: `query_date`;
- URLs: `TokenConverter` for the one path segment that is free text;
- imports: `csv_rows` reads every line ending and names the line of an over-long field, and
  `schema_errors` turns a JSON Schema's findings into messages (each format has one schema, next
  to its reader: curriculum/schemas.py, trainees/cohorts/imports.py).
"""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_YEAR, LAST_YEAR = 1900, 2200
EARLIEST, LATEST = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
SMALLINT_MAX = 2**15 - 1
INTEGER_MAX = 2**31 - 1
# The csv module's own limit (131,072 characters); a longer field is refused, naming its line.
CSV_FIELD_LIMIT = csv.field_size_limit()
# Text a JSON Schema accepts: no NUL (PostgreSQL refuses it) and no lone surrogate (which UTF-8,
# and so the database, cannot hold; JSON's "\ud800" escape makes one).
TEXT_PATTERN = "^[^\\x00\\ud800-\\udfff]*$"
# An ISO date and time (as exports write it) in the years a programme can mean.
DATETIME_PATTERN = (
    "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]"
    "(:[0-5][0-9](\\.[0-9]{1,6})?)?(Z|[+-][0-2][0-9]:?[0-5][0-9])?$"
)
DECIMAL_PATTERN = "^-?[0-9]{1,12}(\\.[0-9]{1,6})?$"


def _years(value) -> set[int]:
    years = {value.year}
    aware = isinstance(value, dt.datetime) and timezone.is_aware(value)
    if aware and FIRST_YEAR <= value.year <= LAST_YEAR:
        years.add(value.astimezone(dt.UTC).year)  # as stored, and as shown in other zones
    return years


def year_check(value) -> None:
    """A validator: a date or date and time within the years a training programme can mean,
    in the time it was typed in and in UTC, as stored."""
    if value is None:
        return
    if not all(FIRST_YEAR <= year <= LAST_YEAR for year in _years(value)):
        raise ValidationError(
            gettext_lazy("Give a date between %(first)s and %(last)s."),
            code="date_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class DateField(forms.DateField):
    default_validators = [year_check]


class DateTimeField(forms.DateTimeField):
    default_validators = [year_check]


class IntegerField(forms.IntegerField):
    """A whole number that an integer column holds, unless a narrower range is given."""

    def __init__(self, *, max_value=None, min_value=None, **kwargs):
        max_value = INTEGER_MAX if max_value is None else min(max_value, INTEGER_MAX)
        min_value = -INTEGER_MAX - 1 if min_value is None else max(min_value, -INTEGER_MAX - 1)
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)


COLUMN_MAX = {
    "SmallIntegerField": SMALLINT_MAX,
    "PositiveSmallIntegerField": SMALLINT_MAX,
    "IntegerField": INTEGER_MAX,
    "PositiveIntegerField": INTEGER_MAX,
}


def formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback` (Meta.formfield_callback): the model's date fields as
    the bounded ones here, and whole numbers held to their column on SQLite as on PostgreSQL."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    elif db_field.get_internal_type() in COLUMN_MAX and not db_field.choices:
        kwargs.setdefault("max_value", COLUMN_MAX[db_field.get_internal_type()])
    return db_field.formfield(**kwargs)


def query_date(value: str | None) -> dt.date | None:
    """A date from a query parameter, brought within the range; None if it is not a date."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return min(max(day, EARLIEST), LATEST)


def text_without_nul(value: str) -> str:
    """Text kept as typed but for NUL, for what is stored unchecked (a draft being typed)."""
    return value.replace("\x00", "")


class TokenConverter:
    """A URL's secret token: letters, digits, '-' and '_' (secrets.token_urlsafe), no NUL."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# CSV ---------------------------------------------------------------------------------------------


@dataclass
class CsvLine:
    line: int  # the file's line where the row ends, as a text editor numbers it
    values: dict[str, str]


class CsvUnreadable(Exception):
    """A line the csv module cannot read; `line` and `message` say which and why."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def csv_rows(text: str) -> tuple[list[str], Iterator[CsvLine]]:
    """The header (stripped) and the rows of CSV text, with any line endings (LF, CRLF, lone CR
    as old Macs and some exports write). Iterating raises `CsvUnreadable` at a line the csv
    module refuses, such as a field over CSV_FIELD_LIMIT characters."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [(name or "").strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise _unreadable(reader, error) from None
    reader.fieldnames = header

    def rows():
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _unreadable(reader, error) from None
            yield CsvLine(reader.line_num, values)

    return header, rows()


def _unreadable(reader, error) -> CsvUnreadable:
    line = reader.line_num + 1  # the csv module counts the lines it has read whole
    if "field larger than field limit" in str(error):
        message = _("Line %(line)s: a value is longer than %(limit)s characters.")
    else:
        message = _("Line %(line)s cannot be read as CSV.")
    return CsvUnreadable(line, message % {"line": line, "limit": CSV_FIELD_LIMIT})


# JSON Schema ------------------------------------------------------------------------------------


def schema_errors(validator, instance, *, limit: int = 20) -> list[str]:
    """Everything `validator` (a jsonschema validator) finds wrong with `instance`, as messages
    that say where, in the reader's language; at most `limit` of them."""
    found = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [_schema_message(error) for error in found[:limit]]


def _where(path) -> str:
    parts = [str(part + 1) if isinstance(part, int) else str(part) for part in path]
    return " / ".join(parts) or _("the file")


KINDS = {
    "object": gettext_lazy("an object ({…})"),
    "array": gettext_lazy("a list ([…])"),
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("a whole number"),
    "number": gettext_lazy("a number"),
    "null": gettext_lazy("nothing (null)"),
    "boolean": gettext_lazy("true or false"),
}


def _schema_message(error) -> str:
    where = _where(error.absolute_path)
    keyword, value = error.validator, error.validator_value
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        expected = _(" or ").join(str(KINDS.get(kind, kind)) for kind in kinds)
        return _("%(where)s: %(expected)s is needed.") % {"where": where, "expected": expected}
    if keyword == "required":
        missing = [name for name in value if name not in (error.instance or {})]
        return _("%(where)s: %(names)s missing.") % {"where": where, "names": ", ".join(missing)}
    if keyword == "maxLength":
        return _("%(where)s: at most %(n)s characters.") % {"where": where, "n": value}
    if keyword == "minLength":
        return _("%(where)s: this cannot be empty.") % {"where": where}
    if keyword in ("maximum", "minimum"):
        schema = error.schema
        return _("%(where)s: a number from %(min)s to %(max)s is needed.") % {
            "where": where,
            "min": schema.get("minimum", "…"),
            "max": schema.get("maximum", "…"),
        }
    if keyword == "maxItems":
        return _("%(where)s: at most %(n)s items.") % {"where": where, "n": value}
    if keyword == "pattern" and value == TEXT_PATTERN:
        return _("%(where)s: the text holds a NUL or an invalid character.") % {"where": where}
    if keyword == "pattern" and value == DATETIME_PATTERN:
        return _("%(where)s: a date and time between %(first)s and %(last)s is needed.") % {
            "where": where,
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if keyword == "pattern" and value == DECIMAL_PATTERN:
        return _("%(where)s: a number is needed.") % {"where": where}
    if keyword == "const" or keyword == "enum":
        return _("%(where)s: this value is not one this tracker knows.") % {"where": where}
    return _("%(where)s: not valid here.") % {"where": where}


def text(max_length: int | None = None, **more) -> dict:
    """The JSON Schema of text the database stores (of at most `max_length` characters)."""
    schema = {"type": "string", "pattern": TEXT_PATTERN, **more}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def column_text(model, name: str, **more) -> dict:
    """The JSON Schema of text for the column `name` of `model`, its length from the model."""
    return text(model._meta.get_field(name).max_length, **more)
