"""Checking a CSV file of a programme's past before anything of it is written: every row, by
its line number, in a fixed number of queries whatever the number of rows.

One row per trainee per session; the rows sharing a `session_ref` make one session and must
agree on its module, times, trainer and resources. The format is in docs/domain.md and on the
import page, with an example file (static/examples/past_sessions.csv).
"""

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from accounts.models import Role, User
from curriculum.models import GRADE_MAX, GRADE_MIN, AssessmentDefinition, Module
from curriculum.texts import code_title
from trainees.models import (
    Cohort,
    PastImport,
    Resource,
    SessionAttendance,
    Trainee,
    TrainerAuthorisation,
    TrainingSession,
)
from trainees.sessions.bookings import PlannedBooking, planned_clashes
from trainingtracker import inputs

COLUMNS = (
    "session_ref",
    "module",
    "starts_at",
    "ends_at",
    "trainer",
    "resources",
    "trainee",
    "attendance",
    "hours",
    "grades",
    "assessment",
    "score",
    "remarks",
)
# A value every row must give; the others may be empty.
REQUIRED = ("session_ref", "module", "starts_at", "ends_at", "trainer", "trainee", "attendance")
# What a row of a session must say alike on every row of that session.
SESSION_FIELDS = ("module", "starts_at", "ends_at", "trainer", "resources")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_SESSION = dt.timedelta(days=7)  # a survival exercise runs for days, not weeks
NOT_OBSERVED = "na"
ATTENDED = (SessionAttendance.Attendance.PRESENT, SessionAttendance.Attendance.LATE)
SCORE_MAX = Decimal("99999.9")  # the score column: six digits, one after the point

# The one schema of a row, after blank values are dropped: each value text its column holds.
# What the values mean (a module of the revision, a trainee of the cohort) is checked after.
ROW = Draft202012Validator(
    {
        "type": "object",
        "properties": {
            "session_ref": inputs.text(40),
            "module": inputs.column_text(Module, "code"),
            "starts_at": inputs.text(40, pattern=inputs.DATETIME_PATTERN),
            "ends_at": inputs.text(40, pattern=inputs.DATETIME_PATTERN),
            "trainer": inputs.column_text(User, "username"),
            "resources": inputs.text(1000),
            "trainee": inputs.column_text(User, "username"),
            "attendance": {"enum": SessionAttendance.Attendance.values},
            "hours": inputs.text(20, pattern=inputs.DECIMAL_PATTERN),
            "grades": inputs.text(2000),
            "assessment": inputs.column_text(AssessmentDefinition, "code"),
            "score": inputs.text(20, pattern=inputs.DECIMAL_PATTERN),
            "remarks": inputs.text(2000),
        },
    }
)


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class PlannedRow:
    """One trainee's line of a session: what their attendance, grades and result will be."""

    line: int
    trainee: Trainee
    attendance: str
    hours: Decimal
    grades: dict = field(default_factory=dict)  # Competency -> grade or None (not observed)
    definition: AssessmentDefinition | None = None
    score: Decimal | None = None
    passed: bool | None = None
    remarks: str = ""


@dataclass
class PlannedSession:
    ref: str
    line: int  # where the session first appears
    module: Module
    trainer: User
    starts_at: dt.datetime
    ends_at: dt.datetime
    resources: list = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)


@dataclass
class PastImportCheck:
    """A file's sessions, ready to write, or the errors that stop all of them; and what the file
    holds (its summary), shown either way."""

    content: str = ""
    sha256: str = ""
    sessions: list[PlannedSession] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    rows_read: int = 0
    earlier: PastImport | None = None

    @property
    def ok(self) -> bool:
        return bool(self.sessions) and not self.errors

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sessions)

    @property
    def result_count(self) -> int:
        return sum(1 for s in self.sessions for r in s.rows if r.definition is not None)

    @property
    def trainee_count(self) -> int:
        return len({r.trainee.pk for s in self.sessions for r in s.rows})

    @property
    def first_day(self) -> dt.date | None:
        return min((timezone.localdate(s.starts_at) for s in self.sessions), default=None)

    @property
    def last_day(self) -> dt.date | None:
        return max((timezone.localdate(s.ends_at) for s in self.sessions), default=None)

    @property
    def error_lines(self) -> int:
        return len({e.line for e in self.errors})


def file_sha256(content: str) -> str:
    """The file's fingerprint, taken of its text as checked (a BOM or not, the same file)."""
    return hashlib.sha256(content.lstrip("\ufeff").encode("utf-8")).hexdigest()


def file_decode(data: bytes) -> tuple[str | None, str | None]:
    """The text of an uploaded file, or why it cannot be read."""
    if len(data) > MAX_BYTES:
        return None, _("The file is larger than 2 MB; split it.")
    if b"\x00" in data:
        return None, _("The file holds NUL bytes: it is not a CSV text file.")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, _("The file is not UTF-8 text; save it from the spreadsheet as CSV UTF-8.")


def past_rows_check(*, cohort: Cohort, content: str, now: dt.datetime) -> PastImportCheck:
    """Check every line of `content` (CSV text with a header line) for `cohort`, as of `now`,
    and report each bad one; the clashes with sessions already recorded and between the file's
    own sessions too. Times without an offset are in the current time zone (the admin's)."""
    check = PastImportCheck(content=content, sha256=file_sha256(content))
    check.earlier = (
        PastImport.objects.filter(sha256=check.sha256).select_related("imported_by").first()
    )
    if check.earlier is not None:
        check.errors.append(LineError(1, earlier_import_message(check.earlier)))
    try:
        _Checker(check, cohort=cohort, now=now).run()
    except inputs.CsvUnreadable as error:
        check.sessions = []
        check.errors.append(LineError(error.line, error.message))
    check.errors.sort(key=lambda e: e.line)
    return check


def earlier_import_message(earlier: PastImport) -> str:
    return _(
        "This file was imported already, as %(file)s by %(person)s on %(day)s; it is not "
        "imported twice."
    ) % {
        "file": earlier.file_name,
        "person": earlier.imported_by,
        "day": formats.date_format(timezone.localtime(earlier.imported_at), "SHORT_DATE_FORMAT"),
    }


@dataclass
class _Row:
    line: int
    values: dict[str, str]


class _Checker:
    """The steps of a check, sharing what was loaded: the text, then every row's shape, then
    what the values name (one query per kind of thing for the whole file), then the sessions
    as wholes and their clashes."""

    def __init__(self, check: PastImportCheck, *, cohort: Cohort, now: dt.datetime):
        self.check, self.cohort, self.now = check, cohort, now
        self.errors = check.errors

    def error(self, line: int, message: str) -> None:
        self.errors.append(LineError(line, message))

    def run(self) -> None:
        rows = self.rows_read()
        if rows is None:
            return
        self.check.rows_read = len(rows)
        if not rows:
            self.error(1, _("The file holds no row after its header."))
            return
        self.load(rows)
        sessions = self.sessions(rows)
        if not self.errors:
            self.clashes(sessions)
        if not self.errors:
            self.check.sessions = sessions

    # The text and each row's shape ----------------------------------------------------------

    def rows_read(self) -> list[_Row] | None:
        header, lines = inputs.csv_rows(self.check.content)
        header = [name.lower() for name in header]
        if not any(header):
            self.error(1, _("The file is empty."))
            return None
        missing = [name for name in COLUMNS if name not in header]
        unknown = [name for name in header if name not in COLUMNS]
        twice = sorted(name for name, n in Counter(header).items() if n > 1 and name)
        if missing:
            self.error(1, _("Columns missing: %(names)s.") % {"names": ", ".join(missing)})
        if unknown:
            shown = ", ".join(name or '""' for name in unknown[:10])
            self.error(1, _("Unknown columns: %(names)s.") % {"names": shown})
        if twice:
            self.error(1, _("Columns named twice: %(names)s.") % {"names": ", ".join(twice)})
        if self.errors:
            return None
        rows = []
        for csv_line in lines:
            line = csv_line.line
            raw = csv_line.values
            if len(rows) >= MAX_ROWS:
                self.error(line, _("More than %(n)s rows; split the file.") % {"n": MAX_ROWS})
                break
            if None in raw:
                self.error(line, _("More values than columns."))
                continue
            values = {key.lower(): (value or "").strip() for key, value in raw.items()}
            if not any(values.values()):
                continue  # a blank line, as spreadsheets leave at the end
            values["attendance"] = values["attendance"].lower()
            given = {key: value for key, value in values.items() if value}
            problems = inputs.schema_errors(ROW, given)
            problems += [
                _("%(column)s: a value is needed.") % {"column": name}
                for name in REQUIRED
                if not values.get(name)
            ]
            if problems:
                self.errors.extend(LineError(line, problem) for problem in problems)
            rows.append(_Row(line, values))
        return rows

    # What the values name, loaded once for the whole file ----------------------------------

    def load(self, rows: list[_Row]) -> None:
        def named(column):
            return {row.values[column] for row in rows if row.values.get(column)}

        revision_id = self.cohort.revision_id
        self.modules = {
            m.code: m
            for m in Module.objects.filter(revision_id=revision_id, code__in=named("module"))
            .select_related("revision")
            .prefetch_related(
                "competencies",
                Prefetch(
                    "assessments",
                    queryset=AssessmentDefinition.objects.prefetch_related("criteria"),
                ),
            )
        }
        self.trainers = {
            u.username: u
            for u in User.objects.filter(
                username__in=named("trainer"),
                groups__name__in=[Role.TRAINER, Role.PROGRAMME_ADMIN],
            ).distinct()
        }
        self.trainees = {
            t.user.username: t
            for t in Trainee.objects.filter(
                cohort=self.cohort, user__username__in=named("trainee")
            ).select_related("user")
        }
        names = {
            name.strip().lower()
            for row in rows
            for name in row.values.get("resources", "").split(";")
            if name.strip()
        }
        self.resources = {
            r.name.lower(): r
            for r in Resource.objects.annotate(lower=Lower("name")).filter(lower__in=names)
        }
        self.authorised = {}
        for a in TrainerAuthorisation.objects.filter(
            programme_id=self.cohort.revision.programme_id, module_code__in=named("module")
        ):
            self.authorised.setdefault(a.module_code, set()).add(a.trainer_id)

    # Sessions as wholes ---------------------------------------------------------------------

    def moment(self, line: int, column: str, text: str) -> dt.datetime | None:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            self.error(
                line,
                _("%(column)s: %(value)s is not a date and time.")
                % {
                    "column": column,
                    "value": text,
                },
            )
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        try:
            inputs.year_check(value)
        except ValidationError as error:
            self.error(line, f"{column}: {' '.join(error.messages)}")
            return None
        return value

    def sessions(self, rows: list[_Row]) -> list[PlannedSession]:
        sessions: dict[str, PlannedSession] = {}
        first: dict[str, _Row] = {}
        broken: set[str] = set()
        bad_lines = {e.line for e in self.errors}
        for row in rows:
            if row.line in bad_lines:
                continue
            values, line = row.values, row.line
            ref = values["session_ref"]
            if ref in first:
                differ = [
                    c for c in SESSION_FIELDS if _same(values, c) != _same(first[ref].values, c)
                ]
                if differ:
                    self.error(
                        line,
                        _(
                            "Session %(ref)s is described differently on line %(first)s "
                            "(%(columns)s): each of its rows must give the same."
                        )
                        % {"ref": ref, "first": first[ref].line, "columns": ", ".join(differ)},
                    )
                    continue
            else:
                first[ref] = row
                session = self.session(row)
                if session is None:
                    broken.add(ref)
                else:
                    sessions[ref] = session
            if ref in broken:
                continue
            planned = self.planned_row(row, sessions[ref])
            if planned is not None:
                sessions[ref].rows.append(planned)
        return list(sessions.values())

    def session(self, row: _Row) -> PlannedSession | None:
        """The session a row's session columns describe, or None after naming what is wrong."""
        values, line = row.values, row.line
        before = len(self.errors)
        module = self.modules.get(values["module"])
        if module is None:
            self.error(
                line,
                _("module: %(code)s is not a module of this cohort's programme revision.")
                % {"code": values["module"]},
            )
        trainer = self.trainers.get(values["trainer"])
        if trainer is None:
            self.error(
                line,
                _("trainer: %(name)s is nobody with the trainer role.")
                % {"name": values["trainer"]},
            )
        starts_at = self.moment(line, "starts_at", values["starts_at"])
        ends_at = self.moment(line, "ends_at", values["ends_at"])
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.error(line, _("ends_at: a session must end after it starts."))
            elif ends_at - starts_at > MAX_SESSION:
                self.error(line, _("ends_at: a session lasts at most 7 days."))
            if ends_at > self.now:
                self.error(line, _("ends_at: only sessions already held can be imported."))
            if timezone.localdate(starts_at) < self.cohort.starts_on:
                self.error(
                    line,
                    _("starts_at: the cohort started on %(day)s, after this session.")
                    % {"day": formats.date_format(self.cohort.starts_on, "SHORT_DATE_FORMAT")},
                )
        resources = []
        for name in _resource_names(values.get("resources", "")):
            resource = self.resources.get(name.lower())
            if resource is None:
                self.error(line, _("resources: no resource is called %(name)s.") % {"name": name})
            elif starts_at and resource.retired_on and resource.retired_on <= starts_at.date():
                self.error(
                    line,
                    _("resources: %(resource)s was retired before this session.")
                    % {"resource": resource},
                )
            else:
                resources.append(resource)
        # A module nobody was ever authorised for is open to every trainer, as in scheduling.
        authorised = self.authorised.get(module.code if module else "", None)
        if trainer and authorised is not None and trainer.pk not in authorised:
            self.error(
                line,
                _("%(trainer)s is not authorised to instruct %(module)s.")
                % {"trainer": trainer, "module": code_title(module)},
            )
        if len(self.errors) > before:
            return None
        return PlannedSession(
            ref=values["session_ref"],
            line=line,
            module=module,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=ends_at,
            resources=resources,
        )

    def planned_row(self, row: _Row, session: PlannedSession) -> PlannedRow | None:
        """A trainee's line of `session`, or None after naming what is wrong."""
        values, line = row.values, row.line
        before = len(self.errors)
        trainee = self.trainees.get(values["trainee"])
        if trainee is None:
            self.error(
                line,
                _("trainee: %(name)s is not a trainee of this cohort.")
                % {"name": values["trainee"]},
            )
        elif any(r.trainee.pk == trainee.pk for r in session.rows):
            earlier = next(r.line for r in session.rows if r.trainee.pk == trainee.pk)
            self.error(
                line,
                _("%(name)s is in session %(ref)s already, on line %(line)s.")
                % {"name": values["trainee"], "ref": session.ref, "line": earlier},
            )
        attendance = values["attendance"]
        attended = attendance in ATTENDED
        hours = _decimal(values.get("hours", ""))
        held = TrainingSession(starts_at=session.starts_at, ends_at=session.ends_at)
        if hours is None:
            hours = held.creditable_hours if attended else Decimal(0)
        if hours < 0:
            self.error(line, _("hours: the hours cannot be negative."))
        elif refusal := held.hours_credit_refusal(hours):
            self.error(line, f"hours: {refusal}")
        elif not attended and hours:
            self.error(line, _("hours: an absent or excused trainee is credited no hours."))
        elif hours.as_tuple().exponent < -2:
            self.error(line, _("hours: at most two digits after the point."))
        grades = self.grades(line, values.get("grades", ""), session.module)
        if grades and not attended:
            self.error(line, _("grades: only a trainee who attended is graded."))
        definition, score, passed = self.result(line, values, session, grades, attended)
        if len(self.errors) > before:
            return None
        return PlannedRow(
            line=line,
            trainee=trainee,
            attendance=attendance,
            hours=hours,
            grades=grades or {},
            definition=definition,
            score=score,
            passed=passed,
            remarks=values.get("remarks", ""),
        )

    def grades(self, line: int, text: str, module: Module) -> dict | None:
        """`CODE=3;CODE-2=na` as competency -> grade (None: not observed)."""
        competencies = {c.code.lower(): c for c in module.competencies.all()}
        grades = {}
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            code, sign, grade = (s.strip() for s in part.partition("="))
            competency = competencies.get(code.lower())
            if not sign:
                self.error(line, _("grades: write each as CODE=grade, e.g. COMM=4 or COMM=na."))
            elif competency is None:
                self.error(
                    line,
                    _("grades: %(code)s is not a competency of %(module)s.")
                    % {"code": code, "module": module.code},
                )
            elif competency in grades:
                self.error(line, _("grades: %(code)s is graded twice.") % {"code": code})
            elif grade.lower() == NOT_OBSERVED:
                grades[competency] = None
            elif grade.isdigit() and GRADE_MIN <= int(grade) <= GRADE_MAX:
                grades[competency] = int(grade)
            else:
                self.error(
                    line,
                    _("grades: %(code)s: a grade is from 1 to 5, or na for not observed.")
                    % {"code": code},
                )
        return grades

    def result(self, line, values, session, grades, attended):
        """The assessment result a row brings, judged as a signed one would be."""
        code, score_text = values.get("assessment", ""), values.get("score", "")
        score = _decimal(score_text)
        if not code:
            if score_text:
                self.error(line, _("score: give the assessment it is the score of."))
            return None, None, None
        definition = next((d for d in session.module.assessments.all() if d.code == code), None)
        if definition is None:
            self.error(
                line,
                _("assessment: %(code)s is not an assessment of %(module)s.")
                % {"code": code, "module": session.module.code},
            )
            return None, None, None
        if not attended:
            self.error(line, _("assessment: only a trainee who attended has a result."))
            return None, None, None
        highest = definition.max_score if definition.max_score is not None else SCORE_MAX
        if score is None and definition.pass_score is not None:
            self.error(line, _("score: this assessment is judged by its score; give it."))
        elif score is not None and not 0 <= score <= highest:
            self.error(line, _("score: between 0 and %(max)s.") % {"max": highest})
        elif score is not None and score.as_tuple().exponent < -1:
            self.error(line, _("score: at most one digit after the point."))
        else:
            try:
                passed = definition.outcome(
                    score=score, grades={c.pk: g for c, g in (grades or {}).items()}
                )
            except ValidationError as error:
                self.error(line, f"assessment: {' '.join(error.messages)}")
            else:
                return definition, score, passed
        return None, None, None

    # Clashes ----------------------------------------------------------------------------------

    def clashes(self, sessions: list[PlannedSession]) -> None:
        """Each session against those recorded and the file's others, as scheduling words it;
        a trainee's clash on the trainee's line, the trainer's and a resource's on the
        session's first."""
        planned = [
            PlannedBooking(
                key=s.ref,
                label=_("session %(ref)s of this file (line %(line)s)")
                % {"ref": s.ref, "line": s.line},
                trainer=s.trainer,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                trainees=[r.trainee for r in s.rows if r.attendance in ATTENDED],
                resources=s.resources,
            )
            for s in sessions
        ]
        found = planned_clashes(planned=planned)
        for session in sessions:
            clashes = found.get(session.ref, {})
            for message in clashes.get("trainer", []) + clashes.get("resources", []):
                self.error(session.line, message)
            for row in session.rows:
                for message in clashes.get(f"trainee:{row.trainee.pk}", []):
                    self.error(row.line, message)


def _same(values: dict, column: str) -> str:
    """A session column as compared across its rows (resources in any order and case)."""
    if column == "resources":
        return ";".join(sorted(n.lower() for n in _resource_names(values.get(column, ""))))
    return values.get(column, "")


def _resource_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(";") if name.strip()]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None
