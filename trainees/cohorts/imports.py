"""Checking a CSV of trainees before any of them is added: every bad row, by its line number.

Each row is checked by the same form as the single "add a trainee" page, plus what only the
whole file shows (a user name or e-mail address twice in the file).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from accounts.models import User
from trainees.cohorts.forms import TraineePersonForm
from trainees.models import Trainee
from trainingtracker import inputs

COLUMNS = (
    "username",
    "display_name",
    "native_name",
    "email",
    "preferred_language",
    "agency",
    "nationality",
    "crew_role",
)
PERSON_COLUMNS = ("username", "display_name", "native_name", "email", "preferred_language")
TRAINEE_COLUMNS = ("agency", "nationality", "crew_role")
OPTIONAL = {"native_name", "preferred_language"}
# The one schema of a row (after `_normalise`): each value text its column holds. What the values
# mean is the "add a trainee" form's to say, as for a trainee added by hand.
ROW = Draft202012Validator(
    {
        "type": "object",
        "properties": {
            **{name: inputs.text() for name in COLUMNS},
            **{name: inputs.column_text(User, name) for name in PERSON_COLUMNS},
            **{name: inputs.column_text(Trainee, name) for name in TRAINEE_COLUMNS},
        },
    }
)
MAX_ROWS = 500
MAX_BYTES = 1024 * 1024


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class ImportCheck:
    """The rows of a file, ready to add, or the errors that stop all of them."""

    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    content: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _normalise(row: dict[str, str]) -> dict[str, str]:
    """Codes as the models spell them, whatever the case in the spreadsheet."""
    row = {key: (value or "").strip() for key, value in row.items()}
    for key in ("agency", "crew_role", "preferred_language"):
        row[key] = row.get(key, "").lower()
    row["nationality"] = row.get("nationality", "").upper()
    row["preferred_language"] = row["preferred_language"] or "en"
    return row


def file_decode(data: bytes) -> tuple[str | None, str | None]:
    """The text of an uploaded file, or why it cannot be read."""
    if len(data) > MAX_BYTES:
        return None, _("The file is larger than 1 MB; split it.")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, _("The file is not UTF-8 text; save it from the spreadsheet as CSV UTF-8.")


def trainee_rows_check(content: str) -> ImportCheck:
    """Check every line of `content` (CSV text with a header line) and report each bad one."""
    check = ImportCheck(content=content)
    try:
        check.errors = _rows_check(check, content)
    except inputs.CsvUnreadable as error:
        check.rows, check.errors = [], [LineError(error.line, error.message)]
    return check


def _rows_check(check: ImportCheck, content: str) -> list[LineError]:
    header, lines = inputs.csv_rows(content)
    header = [name.lower() for name in header]
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL]
    unknown = [name for name in header if name not in COLUMNS]
    if not header:
        check.errors.append(LineError(1, _("The file is empty.")))
        return check.errors
    if missing:
        check.errors.append(
            LineError(1, _("Columns missing: %(names)s.") % {"names": ", ".join(missing)})
        )
    if unknown:
        check.errors.append(
            LineError(1, _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
        )
    if check.errors:
        return check.errors
    seen_usernames: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    line = 1
    for csv_line in lines:
        line = csv_line.line
        raw = {(key.lower() if key else key): value for key, value in csv_line.values.items()}
        if len(check.rows) + len(check.errors) >= MAX_ROWS:
            check.errors.append(
                LineError(line, _("More than %(n)s trainees; split the file.") % {"n": MAX_ROWS})
            )
            break
        if None in raw:
            check.errors.append(LineError(line, _("More values than columns.")))
            continue
        if not any((value or "").strip() for value in raw.values()):
            continue  # a blank line, as spreadsheets leave at the end
        row = _normalise(raw)
        problems = inputs.schema_errors(ROW, row)
        if problems:  # the form's messages would say the same, less exactly
            check.errors.extend(LineError(line, problem) for problem in problems)
            continue
        form = TraineePersonForm(data=row)
        messages = [
            f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
            for name, errors in form.errors.items()
            for error in errors
        ]
        username, email = row.get("username", ""), row.get("email", "").lower()
        if username and username in seen_usernames:
            messages.append(
                _("The user name %(name)s is also on line %(line)s.")
                % {"name": username, "line": seen_usernames[username]}
            )
        if email and email in seen_emails:
            messages.append(
                _("The e-mail address %(email)s is also on line %(line)s.")
                % {"email": email, "line": seen_emails[email]}
            )
        seen_usernames.setdefault(username, line)
        seen_emails.setdefault(email, line)
        if messages:
            check.errors.extend(LineError(line, message) for message in messages)
        else:
            check.rows.append({name: form.cleaned_data[name] for name in COLUMNS})
    if not check.rows and not check.errors:
        check.errors.append(LineError(line, _("The file names no trainee.")))
    return check.errors
