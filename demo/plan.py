"""The demo's plan: what happens when, worked out from one moment, before anything is written.

`demo_plan(now=...)` lays out the demo cohorts' sessions, who attended them, the assessment
attempts and their signatures, the drills, the holds, the status changes and the certificates,
in time order, from plain data (`demo.curriculum`) and the clock alone: no database. `demo.seed`
writes exactly what the plan says, so the plan is where the demo's promises are kept and tested
(tests/test_demo_plan.py builds it for every day of a year).

Why it holds on every day:
- Each cohort starts a fixed number of days before today, so today always falls at the same point
  of its plan (day 94 of the payload cohort: its week 14). Only the weekday moves, and with it
  each session by at most the two days of a weekend.
- A session is placed on a weekday of its module's planned weeks, the last one on the last free
  weekday, so a module is finished by its due date and not before its planned weeks end.
- An attempt is planned only once its trainee's prerequisites were complete on an earlier day,
  exactly as `assessment_attempt_check` will judge it when the demo records it.
- The personas' states (behind plan, expiring, expired, on hold ...) come from dates counted from
  today or from the cohort's start, never from both at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .curriculum import MODULES, DemoModule

SESSION_HOURS = 4
# The two daily slots of a cohort: a morning and an afternoon session of four hours.
SLOTS = (9, 14)
# Sessions are put in the timetable two weeks ahead of today.
SCHEDULED_AHEAD = dt.timedelta(weeks=2)
PRESENT, LATE, EXCUSED = "present", "late", "excused"
HOURS = {PRESENT: Decimal(SESSION_HOURS), LATE: Decimal("3.5"), EXCUSED: Decimal(0)}
REMARKS = {
    PRESENT: "",
    LATE: "Arrived after the briefing.",
    EXCUSED: "Excused by the programme office.",
}


@dataclass(frozen=True)
class PlannedTrainee:
    username: str
    agency: str
    nationality: str
    crew_role: str


@dataclass(frozen=True)
class PlannedCohort:
    name: str
    trainer: str
    starts_on: dt.date
    ends_on: dt.date
    trainees: tuple[PlannedTrainee, ...]

    def week_start(self, week: int) -> dt.date:
        return self.starts_on + dt.timedelta(weeks=week - 1)

    def due_on(self, module: DemoModule) -> dt.date:
        """The last day of the module's planned weeks (as `CohortPlanEntry.due_on`)."""
        return self.week_start(module.plan_weeks[1]) + dt.timedelta(days=6)


@dataclass(frozen=True)
class PlannedAttendance:
    username: str
    kind: str
    remarks: str = ""

    @property
    def hours(self) -> Decimal:
        return HOURS[self.kind]


@dataclass
class PlannedSession:
    """A session; `attendance` is empty until it is logged (a held session may wait for it)."""

    cohort: str
    module: str
    starts_at: dt.datetime
    logged: bool
    kind: str = "plan"  # one of the module's planned sessions, a "drill" or an "extra" run
    notes: str = ""
    # Who is booked: the cohort's trainees in training, unless named.
    trainees: tuple[str, ...] | None = None
    attendance: list[PlannedAttendance] = field(default_factory=list)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(hours=SESSION_HOURS)


@dataclass(frozen=True)
class PlannedAttempt:
    cohort: str
    username: str
    module: str
    taken_at: dt.datetime
    passed: bool
    signed_at: dt.datetime
    remarks: str = ""


@dataclass(frozen=True)
class PlannedCompletion:
    """A module without an assessment completed on its hours: what it confers is granted."""

    username: str
    module: str
    on: dt.date


@dataclass(frozen=True)
class PlannedHold:
    username: str
    opened_on: dt.date
    reason: str
    closed_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class PlannedStatusChange:
    username: str
    status: str
    effective_on: dt.date
    reason: str


@dataclass(frozen=True)
class PlannedCertificate:
    username: str
    kind: str
    issued_on: dt.date
    expires_on: dt.date
    restrictions: str = ""


@dataclass
class DemoPlan:
    now: dt.datetime
    today: dt.date
    cohorts: list[PlannedCohort]
    sessions: list[PlannedSession] = field(default_factory=list)
    attempts: list[PlannedAttempt] = field(default_factory=list)
    completions: list[PlannedCompletion] = field(default_factory=list)
    holds: list[PlannedHold] = field(default_factory=list)
    status_changes: list[PlannedStatusChange] = field(default_factory=list)
    certificates: list[PlannedCertificate] = field(default_factory=list)

    def cohort_named(self, name: str) -> PlannedCohort:
        return next(c for c in self.cohorts if c.name == name)

    def cohort_of(self, username: str) -> PlannedCohort:
        return next(c for c in self.cohorts if username in {t.username for t in c.trainees})


# The demo cohorts: how far back each started, counted in days so that today falls on the same
# day of its plan whatever the date (a whole number of weeks keeps the plan's weekdays too).
PAYLOAD_COHORT = "Payload specialist cohort 2026"
CREW_COHORT = "Shenzhou crew cohort 2025"
PAYLOAD_DAYS_AGO = 94  # today is the fourth day of its week 14
CREW_DAYS_AGO = 280  # 40 weeks: it finished its 26 weeks of training months ago
COHORT_WEEKS = 26

COHORTS = {
    PAYLOAD_COHORT: (
        "trainer",
        PAYLOAD_DAYS_AGO,
        (
            PlannedTrainee("trainee", "suparco", "PK", "payload_specialist"),
            PlannedTrainee("hamza", "suparco", "PK", "payload_specialist"),
            PlannedTrainee("trainee2", "cmsa", "CN", "commander"),
            PlannedTrainee("wangfang", "cmsa", "CN", "flight_engineer"),
            PlannedTrainee("liuchen", "cmsa", "CN", "flight_engineer"),
            PlannedTrainee("gaoyan", "cmsa", "CN", "commander"),
        ),
    ),
    CREW_COHORT: (
        "trainer2",
        CREW_DAYS_AGO,
        (
            PlannedTrainee("yangbo", "cmsa", "CN", "commander"),
            PlannedTrainee("xuning", "cmsa", "CN", "flight_engineer"),
            PlannedTrainee("tanghui", "cmsa", "CN", "flight_engineer"),
        ),
    ),
}

# The personas' stories, in days of their cohort's plan or days before today.
BEHIND_PLAN = "hamza"
BEHIND_PLAN_AWAY = (28, 63)  # excused from the payload cohort's day 28 to day 62 (weeks 5-9)
ON_HOLD = "gaoyan"
ON_HOLD_DAYS_AGO = 10
CLOSED_HOLD = "trainee2"
CLOSED_HOLD_DAYS_AGO = (60, 52)
FAILED_THEN_PASSED = ("trainee", "SO-201")
RETAKE_AFTER = dt.timedelta(days=7)
FLIGHT_ASSIGNED = "tanghui"
FLIGHT_ASSIGNED_DAYS_AGO = 14
DRILL_MISSED = "xuning"
RECURRENT_DRILL_DAYS_AGO = 40
MAKE_UP_DRILL_IN_DAYS = 5
RECURRENT_DRILLS = ("ER-301", "ER-302")
# A year's validity from the day of issue; Wang Fang's fitness certificate expires within the
# month, for the medical officer's list.
CERTIFICATE_KINDS = ("medical", "fitness")
CERTIFICATE_DAYS_AGO = 90
CERTIFICATES_ISSUED_DAYS_AGO = {("wangfang", "fitness"): 345}
CERTIFICATE_VALIDITY = dt.timedelta(days=365)


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (last - first).days + 1
    return [
        first + dt.timedelta(days=d)
        for d in range(days)
        if (first + dt.timedelta(days=d)).weekday() < 5
    ]


class _Planner:
    def __init__(self, *, now: dt.datetime, tz: dt.tzinfo):
        self.now = now.astimezone(tz)
        self.tz = tz
        self.today = self.now.date()
        self.modules = {m.code: m for m in MODULES}
        self.busy: dict[str, set[tuple[dt.date, int]]] = {}
        self.plan = DemoPlan(now=self.now, today=self.today, cohorts=[])

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # Sessions ---------------------------------------------------------------------------------

    def slot(self, cohort: str, targets: list[dt.date], hour: int) -> tuple[dt.date, int]:
        """The first free (day, hour) of the cohort, trying each target day's slots in turn."""
        busy = self.busy.setdefault(cohort, set())
        for day in targets:
            for h in (hour, *[s for s in SLOTS if s != hour]):
                if (day, h) not in busy:
                    busy.add((day, h))
                    return day, h
        raise ValueError(f"No free slot for {cohort} around {targets[0]}")

    def module_days(self, cohort: PlannedCohort, module: DemoModule) -> list[list[dt.date]]:
        """For each of the module's sessions, the weekdays to try, best first.

        Spread evenly over the planned weeks, the first on their first weekday and the last on
        their last; a taken slot moves a session to a neighbouring day, never out of the weeks.
        """
        first = cohort.week_start(module.plan_weeks[0])
        weekdays = _weekdays(first, cohort.due_on(module))
        count = module.hours // SESSION_HOURS
        if count == 1:
            positions = [0]
        else:
            positions = [round(i * (len(weekdays) - 1) / (count - 1)) for i in range(count)]
        choices = []
        for position in positions:
            # The last session must not move earlier than needed: later days are tried first
            # only for it, so that the module ends on its due week's last free weekday.
            if position == len(weekdays) - 1:
                order = list(range(position, -1, -1))
            else:
                order = sorted(range(len(weekdays)), key=lambda i, p=position: (abs(i - p), i))
            choices.append([weekdays[i] for i in order])
        return choices

    def cohort(self, name: str) -> PlannedCohort:
        trainer, days_ago, trainees = COHORTS[name]
        starts_on = self.days_ago(days_ago)
        cohort = PlannedCohort(
            name=name,
            trainer=trainer,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(weeks=COHORT_WEEKS),
            trainees=trainees,
        )
        self.plan.cohorts.append(cohort)
        return cohort

    def attendance(self, cohort: PlannedCohort, username: str, day: dt.date) -> str:
        """Who missed what: the behind-plan trainee missed weeks, the held one is excused."""
        plan_day = (day - cohort.starts_on).days
        if username == BEHIND_PLAN:
            away_from, back_on = BEHIND_PLAN_AWAY
            if away_from <= plan_day < back_on:
                return EXCUSED
        if username == ON_HOLD and day >= self.days_ago(ON_HOLD_DAYS_AGO):
            return EXCUSED
        return PRESENT

    def session(
        self, cohort: PlannedCohort, module: str, starts_at: dt.datetime, **kwargs
    ) -> PlannedSession:
        session = PlannedSession(
            cohort=cohort.name,
            module=module,
            starts_at=starts_at,
            logged=kwargs.pop("logged", starts_at + dt.timedelta(hours=SESSION_HOURS) < self.now),
            **kwargs,
        )
        self.plan.sessions.append(session)
        return session

    def log(self, cohort: PlannedCohort, session: PlannedSession, late: set[str]) -> None:
        for trainee in cohort.trainees:
            kind = self.attendance(cohort, trainee.username, session.starts_at.date())
            if kind == PRESENT and trainee.username in late:
                kind = LATE
                late.discard(trainee.username)
            session.attendance.append(PlannedAttendance(trainee.username, kind, REMARKS[kind]))

    def train(self, cohort: PlannedCohort) -> None:
        """The module sessions, in time order, up to two weeks ahead; logged once held."""
        placed = []
        for module in MODULES:
            for index, targets in enumerate(self.module_days(cohort, module)):
                preferred = SLOTS[index % len(SLOTS)]
                day, hour = self.slot(cohort.name, targets, preferred)
                placed.append((self.at(day, hour), module.code))
        placed.sort()
        # The behind-plan trainee came back late to his first session after the weeks away.
        late = {BEHIND_PLAN} if cohort.name == PAYLOAD_COHORT else set()
        back_on = cohort.starts_on + dt.timedelta(days=BEHIND_PLAN_AWAY[1])
        for starts_at, code in placed:
            if starts_at > self.now + SCHEDULED_AHEAD:
                continue
            session = self.session(cohort, code, starts_at)
            if session.logged:
                self.log(cohort, session, late if starts_at.date() >= back_on else set())

    # Assessments and completions --------------------------------------------------------------

    def assess(self, cohort: PlannedCohort) -> None:
        """Each trainee's attempts and completions, module by module in time order.

        A module's attempt comes an hour after its last session, for a trainee credited with its
        hours whose prerequisites were complete on an earlier day; a module without an assessment
        is complete on its hours.
        """
        sessions = [s for s in self.plan.sessions if s.cohort == cohort.name and s.kind == "plan"]
        by_module: dict[str, list[PlannedSession]] = {}
        for session in sessions:
            by_module.setdefault(session.module, []).append(session)
        # Each module has one four-hour session per four required hours (`module_days`).
        expected = {m.code: m.hours // SESSION_HOURS for m in MODULES}
        ends = {
            code: max(s.ends_at for s in held)
            for code, held in by_module.items()
            if len(held) == expected[code] and all(s.logged for s in held)
        }
        for trainee in cohort.trainees:
            completed: dict[str, dt.datetime] = {}
            for code in sorted(ends, key=ends.get):
                module = self.modules[code]
                hours = sum(
                    (
                        a.hours
                        for s in by_module[code]
                        for a in s.attendance
                        if a.username == trainee.username
                    ),
                    Decimal(0),
                )
                if hours < module.hours:
                    continue
                taken_at = ends[code] + dt.timedelta(hours=1)
                if module.assessment is None:
                    completed[code] = ends[code]
                    self.plan.completions.append(
                        PlannedCompletion(trainee.username, code, ends[code].date())
                    )
                    continue
                if not all(
                    p in completed and completed[p].date() < taken_at.date()
                    for p in module.prerequisites
                ):
                    continue
                passed_at = self.attempts(cohort, trainee.username, code, taken_at)
                if passed_at is not None:
                    completed[code] = passed_at

    def attempts(
        self, cohort: PlannedCohort, username: str, code: str, taken_at: dt.datetime
    ) -> dt.datetime | None:
        """The attempts at one module's assessment; when the trainee passed it, if they did."""
        failing = (username, code) == FAILED_THEN_PASSED
        tries = [(taken_at, not failing)]
        if failing:
            tries.append((taken_at + RETAKE_AFTER, True))
        for when, passed in tries:
            if when > self.now:
                return None
            self.plan.attempts.append(
                PlannedAttempt(
                    cohort=cohort.name,
                    username=username,
                    module=code,
                    taken_at=when,
                    passed=passed,
                    # Signed by the trainer, an authorised assessor, as they debriefed it.
                    signed_at=min(when + dt.timedelta(minutes=30), self.now),
                    remarks="" if passed else "Debriefed; retake after a week of revision.",
                )
            )
            if passed:
                return when
        return None

    # The rest of the story ----------------------------------------------------------------------

    def payload_extras(self, cohort: PlannedCohort) -> None:
        """Held yesterday evening and not logged yet: the first thing on the trainer's floor."""
        yesterday = self.days_ago(1)
        latest = max(
            (s for s in self.plan.sessions if s.cohort == cohort.name and s.logged),
            key=lambda s: s.starts_at,
        )
        self.session(
            cohort,
            latest.module,
            self.at(yesterday, 18),
            logged=False,
            kind="extra",
            notes="Extra practice run requested by the crew.",
        )

    def crew_extras(self, cohort: PlannedCohort) -> None:
        """Recurrent drills that renew the emergency currencies; the one Xu Ning missed is made
        up next week."""
        day = self.days_ago(RECURRENT_DRILL_DAYS_AGO)
        for hour, code in zip(SLOTS, RECURRENT_DRILLS, strict=True):
            session = self.session(
                cohort, code, self.at(day, hour), kind="drill", notes="Recurrent drill."
            )
            for trainee in cohort.trainees:
                if trainee.username == DRILL_MISSED:
                    remarks = "On leave; drill to be rescheduled."
                    session.attendance.append(PlannedAttendance(trainee.username, EXCUSED, remarks))
                else:
                    session.attendance.append(PlannedAttendance(trainee.username, PRESENT))
        self.session(
            cohort,
            RECURRENT_DRILLS[0],
            self.at(self.today + dt.timedelta(days=MAKE_UP_DRILL_IN_DAYS), SLOTS[0]),
            logged=False,
            kind="drill",
            notes="Make-up recurrent drill.",
            trainees=(DRILL_MISSED,),
        )
        self.plan.status_changes.append(
            PlannedStatusChange(
                FLIGHT_ASSIGNED,
                "flight_assigned",
                self.days_ago(FLIGHT_ASSIGNED_DAYS_AGO),
                "Assigned as flight engineer of the next Shenzhou crew.",
            )
        )

    def medical(self) -> None:
        self.plan.holds += [
            PlannedHold(
                ON_HOLD,
                self.days_ago(ON_HOLD_DAYS_AGO),
                "Vestibular symptoms after a centrifuge run; ENT review pending.",
            ),
            PlannedHold(
                CLOSED_HOLD,
                self.days_ago(CLOSED_HOLD_DAYS_AGO[0]),
                "Upper respiratory infection.",
                closed_on=self.days_ago(CLOSED_HOLD_DAYS_AGO[1]),
                note="Recovered; cleared for centrifuge and pool work.",
            ),
        ]
        usernames = sorted(t.username for c in self.plan.cohorts for t in c.trainees)
        for username in usernames:
            for kind in CERTIFICATE_KINDS:
                days = CERTIFICATES_ISSUED_DAYS_AGO.get((username, kind), CERTIFICATE_DAYS_AGO)
                issued_on = self.days_ago(days)
                self.plan.certificates.append(
                    PlannedCertificate(
                        username,
                        kind,
                        issued_on,
                        issued_on + CERTIFICATE_VALIDITY,
                        restrictions="Corrective lenses in flight."
                        if (username, kind) == ("trainee2", "medical")
                        else "",
                    )
                )

    def build(self) -> DemoPlan:
        payload = self.cohort(PAYLOAD_COHORT)
        crew = self.cohort(CREW_COHORT)
        for cohort in (payload, crew):
            self.train(cohort)
        # The extra run takes yesterday's evening, after the day's two slots.
        self.payload_extras(payload)
        self.crew_extras(crew)
        for cohort in (payload, crew):
            self.assess(cohort)
        self.medical()
        self.plan.sessions.sort(key=lambda s: (s.starts_at, s.cohort))
        self.plan.attempts.sort(key=lambda a: (a.taken_at, a.username))
        return self.plan


def demo_plan(*, now: dt.datetime, tz: dt.tzinfo) -> DemoPlan:
    """The demo's records as of `now`, with days counted in the time zone `tz`."""
    return _Planner(now=now, tz=tz).build()


# Scale data (`seed_demo --scale`) ------------------------------------------------------------

SCALE_WEEKS = 52
SCALE_HOLIDAYS_EVERY = 26  # one weekday in 26 is a holiday: 260 weekdays -> 250 sessions


def scale_calendar(*, today: dt.date) -> tuple[dt.date, list[dt.date]]:
    """The scale cohorts' year: its first day and its training days.

    It starts on the Monday 52 weeks before this week's and ends the Sunday before this week,
    so every one of its sessions has been held whatever today is.
    """
    starts_on = today - dt.timedelta(weeks=SCALE_WEEKS, days=today.weekday())
    weekdays = _weekdays(starts_on, starts_on + dt.timedelta(weeks=SCALE_WEEKS, days=-1))
    days = [
        d for i, d in enumerate(weekdays) if i % SCALE_HOLIDAYS_EVERY != SCALE_HOLIDAYS_EVERY - 1
    ]
    return starts_on, days
