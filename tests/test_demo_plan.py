"""The demo's plan holds on every day: built for 366 consecutive days, without the database.

Each day's plan is checked for its order (sessions, attempts after their prerequisites) and for
the states the README promises of the demo's personas, worked out from the plan alone by the
rules of the progress pages (complete, behind plan, currency). tests/test_seed_demo.py checks the
same states through the real selectors after `seed_demo` at a few awkward dates.
"""

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from demo.curriculum import MODULES, QUALIFICATIONS
from demo.plan import SESSION_HOURS, DemoPlan, demo_plan, scale_calendar

# The plan is made without a database (.ci/run's PostgreSQL pass leaves it out; the demo written
# to PostgreSQL is tested by tests/test_demo_data.py).
pytestmark = pytest.mark.same_on_any_database

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = dt.date(2026, 12, 3)
# Times of day in turn, so that every day is also tried at the edges of a day and of a session.
TIMES = [dt.time(0, 5), dt.time(8, 59), dt.time(12, 0), dt.time(13, 1), dt.time(18, 30)]
TIMES += [dt.time(23, 55)]
MODULE = {m.code: m for m in MODULES}
WARNING_DAYS = 30


def days(count=366, first=FIRST_DAY):
    return [first + dt.timedelta(days=n) for n in range(count)]


def plan_at(day: dt.date, time: dt.time, tz=SHANGHAI) -> DemoPlan:
    return demo_plan(now=dt.datetime.combine(day, time, tzinfo=tz), tz=tz)


class Oracle:
    """What the progress pages will say of each demo trainee, worked out from the plan."""

    def __init__(self, plan: DemoPlan):
        self.plan = plan
        self.hours = defaultdict(Decimal)
        for session in plan.sessions:
            if session.kind == "plan" and session.logged:
                for a in session.attendance:
                    self.hours[a.username, session.module] += a.hours
        self.passed = {(a.username, a.module): a.taken_at.date() for a in plan.attempts if a.passed}

    def complete(self, username: str, code: str) -> bool:
        module = MODULE[code]
        if self.hours[username, code] < module.hours:
            return False
        return module.assessment is None or (username, code) in self.passed

    def pace(self, username: str) -> str:
        cohort = self.plan.cohort_of(username)
        today = self.plan.today
        if any(cohort.due_on(m) < today and not self.complete(username, m.code) for m in MODULES):
            return "behind"
        if any(cohort.due_on(m) >= today and self.complete(username, m.code) for m in MODULES):
            return "ahead"
        return "on_track"

    def grants(self, username: str) -> dict[str, list[dt.date]]:
        """Qualification code: the days it was granted or renewed."""
        granted = defaultdict(list)
        completions = {(c.username, c.module): c.on for c in self.plan.completions}
        for q in QUALIFICATIONS:
            if q.by_assessment and (username, q.module) in self.passed:
                granted[q.code].append(self.passed[username, q.module])
            if not q.by_assessment and (username, q.module) in completions:
                granted[q.code].append(completions[username, q.module])
            if q.renewed_by_drill:
                granted[q.code] += [
                    s.starts_at.date()
                    for s in self.plan.sessions
                    if s.kind == "drill" and s.module == q.module and s.logged
                    if any(a.username == username and a.hours > 0 for a in s.attendance)
                ]
        return granted

    def currency(self, username: str) -> dict[str, str | None]:
        today = self.plan.today
        standing = {}
        grants = self.grants(username)
        for q in QUALIFICATIONS:
            if not grants.get(q.code):
                standing[q.code] = None
                continue
            if q.validity_days is None:
                standing[q.code] = "valid"
                continue
            expires = max(grants[q.code]) + dt.timedelta(days=q.validity_days)
            if today < expires:
                soon = (expires - today).days <= WARNING_DAYS
                standing[q.code] = "expiring" if soon else "valid"
            elif today < expires + dt.timedelta(days=q.grace_days):
                standing[q.code] = "in_grace"
            else:
                standing[q.code] = "expired"
        return standing

    def days_to_expiry(self, username: str, code: str) -> int:
        q = next(q for q in QUALIFICATIONS if q.code == code)
        expires = max(self.grants(username)[code]) + dt.timedelta(days=q.validity_days)
        return (expires - self.plan.today).days

    def on_hold(self) -> set[str]:
        today = self.plan.today
        return {
            h.username
            for h in self.plan.holds
            if h.opened_on <= today and (h.closed_on is None or h.closed_on > today)
        }

    def ready(self, username: str) -> bool:
        today = self.plan.today
        certificates = [c for c in self.plan.certificates if c.username == username]
        return (
            all(self.complete(username, m.code) for m in MODULES)
            and all(c in {"valid", "expiring"} for c in self.currency(username).values())
            and username not in self.on_hold()
            and all(c.issued_on <= today < c.expires_on for c in certificates)
        )


def check_order(plan: DemoPlan):
    now = plan.now
    for earlier, later in itertools.pairwise(plan.sessions):
        assert earlier.starts_at <= later.starts_at
    # No cohort (and so no trainer, each training one cohort) is in two sessions at once.
    by_cohort = defaultdict(list)
    for session in plan.sessions:
        by_cohort[session.cohort].append(session)
    for cohort, sessions in by_cohort.items():
        for a, b in itertools.pairwise(sessions):
            assert a.ends_at <= b.starts_at, (cohort, a, b)
    for session in plan.sessions:
        if session.logged:
            assert session.ends_at < now, session
            assert session.attendance
        else:
            assert not session.attendance
        assert session.starts_at <= now + dt.timedelta(weeks=2)
    last_session = {}
    for session in plan.sessions:
        if session.kind == "plan":
            last_session[session.cohort, session.module] = session.ends_at
    completed = defaultdict(dict)
    for c in plan.completions:
        completed[c.username][c.module] = c.on
    attempts = defaultdict(int)
    for attempt in plan.attempts:
        cohort = plan.cohort_of(attempt.username).name
        module = MODULE[attempt.module]
        assert module.assessment is not None
        assert last_session[cohort, attempt.module] < attempt.taken_at <= now
        assert attempt.taken_at <= attempt.signed_at <= now
        attempts[attempt.username, attempt.module] += 1
        assert attempts[attempt.username, attempt.module] <= module.assessment.max_attempts
        for required in module.prerequisites:
            # `assessment_attempt_check` judges the prerequisites on the attempt's day.
            done_on = completed[attempt.username].get(required)
            assert done_on is not None and done_on < attempt.taken_at.date(), (
                f"{attempt.username} attempts {attempt.module} before {required} is complete"
            )
        if attempt.passed:
            completed[attempt.username][attempt.module] = attempt.taken_at.date()


def check_personas(plan: DemoPlan):
    oracle = Oracle(plan)
    today = plan.today
    trainees = [t.username for c in plan.cohorts for t in c.trainees]
    paces = {u: oracle.pace(u) for u in trainees}
    assert {u for u, p in paces.items() if p == "behind"} == {"hamza"}
    assert {u for u, p in paces.items() if p == "ahead"} == set()
    assert oracle.on_hold() == {"gaoyan"}
    closed = next(h for h in plan.holds if h.username == "trainee2")
    assert closed.closed_on is not None and closed.opened_on < closed.closed_on < today
    assert oracle.ready("yangbo")
    assert not oracle.ready("xuning")
    expired = {u for u in trainees if "expired" in oracle.currency(u).values()}
    assert expired == {"xuning"}
    assert oracle.currency("trainee")["Q-FIRE"] == "expiring"
    assert 1 <= oracle.days_to_expiry("trainee", "Q-FIRE") <= 7
    ayesha = [a.passed for a in plan.attempts if a.username == "trainee" and a.module == "SO-201"]
    assert ayesha == [False, True]
    assigned = [s for s in plan.status_changes if s.status == "flight_assigned"]
    assert [s.username for s in assigned] == ["tanghui"]
    assert assigned[0].effective_on < today
    fitness = next(c for c in plan.certificates if (c.username, c.kind) == ("wangfang", "fitness"))
    assert today < fitness.expires_on <= today + dt.timedelta(days=31)
    for username in trainees:
        for c in plan.certificates:
            if c.username == username:
                assert c.issued_on <= today < c.expires_on
    # Each trainer has something on their floor in the coming two weeks; the payload cohort's
    # trainer also has yesterday's run to log.
    for cohort in plan.cohorts:
        ahead = [s for s in plan.sessions if s.cohort == cohort.name and s.starts_at > plan.now]
        assert ahead, cohort.name
    waiting = [s for s in plan.sessions if s.kind == "extra"]
    assert len(waiting) == 1
    assert waiting[0].starts_at.date() == today - dt.timedelta(days=1)
    assert waiting[0].ends_at < plan.now and not waiting[0].logged
    late = [
        a for s in plan.sessions for a in s.attendance if a.username == "hamza" and a.kind == "late"
    ]
    assert len(late) == 1


def test_it_holds_on_each_of_366_consecutive_days():
    for day, time in zip(days(), itertools.cycle(TIMES), strict=False):
        plan = plan_at(day, time)
        assert plan.today == day
        check_order(plan)
        check_personas(plan)


@pytest.mark.parametrize(
    "zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Karachi"]
)
def test_it_holds_in_other_time_zones_across_their_clock_changes(zone):
    tz = ZoneInfo(zone)
    for day, time in zip(days(first=dt.date(2027, 2, 1), count=70), TIMES * 12, strict=False):
        plan = plan_at(day, time, tz)
        check_order(plan)
        check_personas(plan)


def test_the_same_moment_gives_the_same_plan():
    now = dt.datetime(2028, 2, 29, 10, tzinfo=SHANGHAI)
    assert demo_plan(now=now, tz=SHANGHAI) == demo_plan(now=now, tz=SHANGHAI)


def test_the_plan_moves_with_today_and_keeps_its_shape():
    """A week later, the same plan a week later: a whole number of weeks keeps the weekdays."""
    first = plan_at(dt.date(2027, 3, 10), dt.time(10))
    later = plan_at(dt.date(2027, 3, 17), dt.time(10))
    week = dt.timedelta(weeks=1)
    assert [s.starts_at + week for s in first.sessions] == [s.starts_at for s in later.sessions]
    assert [(a.username, a.module) for a in first.attempts] == [
        (a.username, a.module) for a in later.attempts
    ]


def test_every_planned_session_is_four_hours_on_a_weekday_except_the_extra_run():
    plan = plan_at(dt.date(2027, 1, 31), dt.time(12))
    for session in plan.sessions:
        assert session.ends_at - session.starts_at == dt.timedelta(hours=SESSION_HOURS)
        if session.kind == "plan":
            assert session.starts_at.weekday() < 5


def test_the_scale_year_is_in_the_past_on_any_day():
    for day in days(count=14):
        starts_on, training_days = scale_calendar(today=day)
        assert starts_on.weekday() == 0
        assert training_days[0] == starts_on
        assert training_days[-1] < day - dt.timedelta(days=day.weekday())
        assert len(training_days) == 250
        assert all(d.weekday() < 5 for d in training_days)
