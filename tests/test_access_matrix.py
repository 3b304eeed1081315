"""Every URL of the project, by every persona, on an object they may see and one they may not.

The URL patterns are walked from the resolver, so a new page that is missing from EXPECTED fails
`test_every_url_has_expectations`. Expected statuses are written out by hand, never derived from
the gate under test. Ids in URLs come from the `world` fixture (tests/conftest.py): cohort A
(`trainer`, `trainee`) and cohort B (`other_trainer`, `other_trainee`).
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import token_for
from tests.test_security import ALL_PATTERNS, SIGN_IN_PAGES, api_endpoint, concrete

# Who may open what is decided by the gates' filters, which mean the same on every database;
# the pages themselves are opened on PostgreSQL too (tests/test_page_queries.py, the hostile
# input), so .ci/run's PostgreSQL pass leaves the matrix out.
pytestmark = pytest.mark.same_on_any_database

PERSONAS = [
    "anonymous",
    "trainee",
    "other_trainee",
    "trainer",
    "other_trainer",
    "medic",
    "programme_admin",
    "operator",
]
LOGIN = "login"  # a redirect to the sign-in page
OK, MOVED, FORBIDDEN, GONE, NOT_ALLOWED = 200, 302, 403, 404, 405
UNAUTHENTICATED, INVALID = 401, 400
SIGNED_IN = PERSONAS[1:]


def each(status, **exceptions):
    """The same status for every signed-in persona, sign-in for anonymous, with exceptions."""
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status), **exceptions}


# Pages without an id: persona -> status.
EXPECTED = {
    "home": each(MOVED, operator=FORBIDDEN),  # the operator has no role, only the admin site
    "healthz": each(OK, anonymous=OK),
    "liveness": each(OK, anonymous=OK),
    "set_language": each(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    "accounts:login": each(MOVED, anonymous=OK),
    "accounts:logout": each(NOT_ALLOWED),  # signing out is a POST
    "accounts:password_change": each(OK),
    "accounts:password_change_done": each(OK),
    "accounts:password_reset": each(OK, anonymous=OK),
    "accounts:password_reset_done": each(OK, anonymous=OK),
    "accounts:password_reset_confirm": each(OK, anonymous=OK),
    "accounts:password_reset_complete": each(OK, anonymous=OK),
    # Single sign-on: a round trip starts with a POST (a GET is 405 before anything); coming
    # back from a provider that is not configured is not found, for anyone.
    "accounts:oidc_start": each(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    "accounts:oidc_confirm": each(NOT_ALLOWED),
    "accounts:oidc_callback": each(GONE, anonymous=GONE),
    # Two-factor sign-in: one's own page; setting up is one's own too, or the second step of a
    # password sign-in, as is the code's page: without one under way, back to sign in (the
    # signed-in, to their landing page).
    "accounts:second_factor": each(OK),
    "accounts:second_factor_setup": each(OK, anonymous=MOVED),
    "accounts:second_factor_verify": each(MOVED, anonymous=MOVED),
    "trainees:trainee_home": each(FORBIDDEN, trainee=OK, other_trainee=OK, operator=OK),
    # A trainee's own records as JSON. Pages without an id are checked without the
    # world, where no persona is enrolled: 404 (tests/security/test_data_ownership.py: 200).
    "trainees:my_records": each(FORBIDDEN, trainee=GONE, other_trainee=GONE, operator=GONE),
    "trainees:trainer_home": each(
        FORBIDDEN, trainer=OK, other_trainer=OK, programme_admin=OK, operator=OK
    ),
    "trainees:medical_home": each(FORBIDDEN, medic=OK, operator=OK),
    "trainees:trainee_list": each(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN),
    "curriculum:home": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "trainees:session_list": each(
        FORBIDDEN, trainer=OK, other_trainer=OK, programme_admin=OK, operator=OK
    ),
    "trainees:session_week": each(
        FORBIDDEN, trainer=OK, other_trainer=OK, programme_admin=OK, operator=OK
    ),
    "curriculum:programme_create": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "curriculum:revision_import": each(FORBIDDEN, programme_admin=OK, operator=OK),
    # People, profiles and cohorts: every write page is the programme admin's.
    "accounts:profile": each(OK),
    "accounts:people": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "accounts:lockouts": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "accounts:person_add": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "trainees:cohort_list": each(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN),
    "trainees:cohort_add": each(FORBIDDEN, programme_admin=OK, operator=OK),
    # Notifications: everyone's own list; marking read and the calendar link's
    # buttons are POSTs; lead times and jobs are the programme admin's.
    "notifications:list": each(OK),
    "notifications:read_all": each(NOT_ALLOWED),
    "notifications:calendar_token_new": each(NOT_ALLOWED),
    "notifications:calendar_token_revoke": each(NOT_ALLOWED),
    "notifications:reminder_settings": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "notifications:jobs": each(FORBIDDEN, programme_admin=OK, operator=OK),
    # Open without signing in, to the holder of a token; a made-up token is not found.
    "calendar_feed": each(GONE, anonymous=GONE),
    "resource_calendar_feed": each(GONE, anonymous=GONE),
    # One's own timetable: a trainer's (programme admins lead sessions too) or a trainee's;
    # without the world nobody is enrolled (404); the medical officer has no sessions (403).
    "trainees:my_timetable": each(MOVED, trainee=GONE, other_trainee=GONE, medic=FORBIDDEN),
    # Resources: every staff role reads them, programme admins change them; who may instruct
    # what, trainers and programme admins read, programme admins grant.
    "trainees:resource_list": each(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN),
    "trainees:resource_add": each(FORBIDDEN, programme_admin=OK, operator=OK),
    "trainees:authorisation_list": each(
        FORBIDDEN, trainer=OK, other_trainer=OK, programme_admin=OK, operator=OK
    ),
    "trainees:authorisation_grant": each(FORBIDDEN, programme_admin=OK, operator=OK),
    # Reports: the weekly schedule is the programme admin's.
    "reports:schedule": each(FORBIDDEN, programme_admin=OK, operator=OK),
    # API tokens: everyone's own; the schema and its documentation page are open; any other
    # address under the API is a problem document (404).
    "api:tokens": each(OK),
    "api:schema": each(OK, anonymous=OK),
    "api:docs": each(OK, anonymous=OK),
    "api:not_found": each(GONE, anonymous=GONE),
}


def curriculum_writer(seen, unseen, *, admin=OK, admin_unseen=GONE):
    """A curriculum page for programme admins (and operators) only: everyone else is refused
    (403) whatever the id, even on what they may read. For the admin, `seen` is a draft's and
    `unseen` a published revision's: 404 where the page changes content, which only a draft
    may (`editable_by`)."""
    refused = (seen, FORBIDDEN, unseen, FORBIDDEN)
    return {
        "anonymous": (seen, LOGIN, None, None),
        **dict.fromkeys(SIGNED_IN, refused),
        "programme_admin": (seen, admin, unseen, admin_unseen),
        "operator": (seen, admin, unseen, admin_unseen),
    }


def only(allowed, seen, unseen=None):
    """A page for the personas in `allowed` (who open `seen`, and get 404 on `unseen`); every
    other persona is refused with 403 on the object it could otherwise see best (`seen`)."""
    expectations = {"anonymous": (None, None, seen, LOGIN)}
    for persona in SIGNED_IN:
        if persona in allowed:
            expectations[persona] = (seen, OK, unseen, GONE if unseen else None)
        else:
            expectations[persona] = (None, None, seen, FORBIDDEN)
    return expectations


ADMINS = {"programme_admin", "operator"}
MEDICS = {"medic", "operator"}

# Pages with an id: the kind of object it names, then persona -> (the world object the persona
# may see, its status; the object it may not, its status). None: there is no such object.
WITH_ID = {
    "trainees:trainee_detail": {
        "anonymous": ("trainee_a", LOGIN, None, None),
        "trainee": ("trainee_a", OK, "trainee_b", GONE),
        "other_trainee": ("trainee_b", OK, "trainee_a", GONE),
        "trainer": ("trainee_a", OK, "trainee_b", GONE),
        "other_trainer": ("trainee_b", OK, "trainee_a", GONE),
        "medic": ("trainee_b", OK, None, None),
        "programme_admin": ("trainee_a", OK, None, None),
        "operator": ("trainee_a", OK, None, None),
    },
    "trainees:session_detail": {
        "anonymous": ("session_a", LOGIN, None, None),
        "trainee": ("session_a", OK, "session_b", GONE),
        "other_trainee": ("session_b", OK, "session_a", GONE),
        "trainer": ("session_a", OK, "session_b", GONE),
        "other_trainer": ("session_b", OK, "session_a", GONE),
        "medic": ("session_a", OK, None, None),
        "programme_admin": ("session_b", OK, None, None),
        "operator": ("session_a", OK, None, None),
    },
    "trainees:series_detail": {
        "anonymous": ("series_a", LOGIN, None, None),
        "trainee": ("series_a", OK, "series_b", GONE),
        "other_trainee": ("series_b", OK, "series_a", GONE),
        "trainer": ("series_a", OK, "series_b", GONE),
        "other_trainer": ("series_b", OK, "series_a", GONE),
        "medic": ("series_a", OK, None, None),
        "programme_admin": ("series_b", OK, None, None),
        "operator": ("series_a", OK, None, None),
    },
    # Medical holds in full are the medical officer's alone; the page refuses everyone else
    # whatever the id, so it confirms nothing.
    "trainees:hold_detail": {
        "anonymous": (None, None, "hold_a", LOGIN),
        "trainee": (None, None, "hold_a", FORBIDDEN),
        "other_trainee": (None, None, "hold_a", FORBIDDEN),
        "trainer": (None, None, "hold_a", FORBIDDEN),
        "other_trainer": (None, None, "hold_b", FORBIDDEN),
        "medic": ("hold_a", OK, None, None),
        "programme_admin": (None, None, "hold_b", FORBIDDEN),
        "operator": ("hold_b", OK, None, None),
    },
    # A published module is for everyone with a role; a draft one for programme admins only.
    "curriculum:module_detail": {
        "anonymous": ("module", LOGIN, None, None),
        "trainee": ("module", OK, "draft_module", GONE),
        "other_trainee": ("module", OK, "draft_module", GONE),
        "trainer": ("module", OK, "draft_module", GONE),
        "other_trainer": ("module", OK, "draft_module", GONE),
        "medic": ("module", OK, "draft_module", GONE),
        "programme_admin": ("draft_module", OK, None, None),
        "operator": ("draft_module", OK, None, None),
    },
    # The curriculum's write pages. POST-only ones answer a GET with 405.
    "curriculum:revision_start": curriculum_writer(
        "programme", None, admin=NOT_ALLOWED, admin_unseen=None
    ),
    "curriculum:revision_detail": curriculum_writer("draft_revision", "revision", admin_unseen=OK),
    "curriculum:revision_edit": curriculum_writer("draft_revision", "revision", admin_unseen=OK),
    "curriculum:revision_export_json": curriculum_writer(
        "draft_revision", "revision", admin_unseen=OK
    ),
    "curriculum:modules_export_csv": curriculum_writer(
        "draft_revision", "revision", admin_unseen=OK
    ),
    # Translations are presentation: open on a published revision too.
    "curriculum:translations": curriculum_writer("draft_revision", "revision", admin_unseen=OK),
    "curriculum:translation_edit": curriculum_writer("draft_revision", "revision", admin_unseen=OK),
    "curriculum:translations_export_po": curriculum_writer(
        "draft_revision", "revision", admin_unseen=OK
    ),
    "curriculum:translations_import_po": curriculum_writer(
        "draft_revision", "revision", admin_unseen=OK
    ),
    "curriculum:revision_publish": curriculum_writer("draft_revision", "revision"),
    "curriculum:revision_discard": curriculum_writer("draft_revision", "revision"),
    "curriculum:modules_import": curriculum_writer("draft_revision", "revision"),
    "curriculum:module_create": curriculum_writer("draft_revision", "revision"),
    "curriculum:qualification_create": curriculum_writer("draft_revision", "revision"),
    "curriculum:module_edit": curriculum_writer("draft_module", "module"),
    "curriculum:module_delete": curriculum_writer("draft_module", "module"),
    "curriculum:module_move": curriculum_writer(
        "draft_module", "module", admin=NOT_ALLOWED, admin_unseen=NOT_ALLOWED
    ),
    "curriculum:module_archive": curriculum_writer(
        "draft_module", "module", admin=NOT_ALLOWED, admin_unseen=NOT_ALLOWED
    ),
    "curriculum:competency_create": curriculum_writer("draft_module", "module"),
    "curriculum:assessment_create": curriculum_writer("draft_module", "module"),
    "curriculum:competency_edit": curriculum_writer("draft_competency", "competency"),
    "curriculum:competency_delete": curriculum_writer("draft_competency", "competency"),
    "curriculum:assessment_edit": curriculum_writer("draft_assessment", "assessment"),
    "curriculum:assessment_delete": curriculum_writer("draft_assessment", "assessment"),
    "curriculum:qualification_edit": curriculum_writer("draft_qualification", "qualification"),
    "curriculum:qualification_delete": curriculum_writer("draft_qualification", "qualification"),
    # Moving a cohort to a newer revision: programme admins only, on any cohort.
    "trainees:cohort_revision": {
        "anonymous": ("cohort_a", LOGIN, None, None),
        "trainee": ("cohort_a", FORBIDDEN, "cohort_b", FORBIDDEN),
        "other_trainee": ("cohort_b", FORBIDDEN, "cohort_a", FORBIDDEN),
        "trainer": ("cohort_a", FORBIDDEN, "cohort_b", FORBIDDEN),
        "other_trainer": ("cohort_b", FORBIDDEN, "cohort_a", FORBIDDEN),
        "medic": ("cohort_a", FORBIDDEN, None, None),
        "programme_admin": ("cohort_b", OK, None, None),
        "operator": ("cohort_a", OK, None, None),
    },
}

# Progress. The transcript and its PDF follow the trainee's record: a trainee opens
# their own and finds no one else's (404). The cohort board is for trainers (their cohorts) and
# programme admins; trainees and the medical officer are refused whatever the id.
TRANSCRIPT = WITH_ID["trainees:trainee_detail"]
BOARD = {
    "anonymous": ("cohort_a", LOGIN, None, None),
    "trainee": (None, None, "cohort_a", FORBIDDEN),
    "other_trainee": (None, None, "cohort_b", FORBIDDEN),
    "trainer": ("cohort_a", OK, "cohort_b", GONE),
    "other_trainer": ("cohort_b", OK, "cohort_a", GONE),
    "medic": (None, None, "cohort_a", FORBIDDEN),
    "programme_admin": ("cohort_b", OK, None, None),
    "operator": ("cohort_a", OK, None, None),
}
WITH_ID |= {
    "trainees:transcript": TRANSCRIPT,
    "trainees:transcript_pdf": TRANSCRIPT,
    "trainees:cohort_board": BOARD,
    "trainees:cohort_board_csv": BOARD,
}


def board_of(a: str, b: str) -> dict:
    """BOARD's expectations on objects of cohort A (`a`) and cohort B (`b`)."""
    names = {"cohort_a": a, "cohort_b": b}
    return {
        persona: (names.get(seen, seen), s1, names.get(unseen, unseen), s2)
        for persona, (seen, s1, unseen, s2) in BOARD.items()
    }


# Reports: "send report now" and its job follow the cohort board.
WITH_ID |= {
    "reports:report_now": BOARD,
    "reports:job_detail": board_of("report_job_a", "report_job_b"),
}

# Writing training records: the trainers of the cohort and programme admins. Trainees and the
# medical officer are refused whatever the id; a trainer of another cohort finds nothing.
WRITES_TRAINING = {
    "anonymous": ("{a}", LOGIN, None, None),
    "trainee": (None, None, "{a}", FORBIDDEN),
    "other_trainee": (None, None, "{b}", FORBIDDEN),
    "trainer": ("{a}", "{ok}", "{b}", GONE),
    "other_trainer": ("{b}", "{ok}", "{a}", GONE),
    "medic": (None, None, "{a}", FORBIDDEN),
    "programme_admin": ("{b}", "{ok}", None, None),
    "operator": ("{a}", "{ok}", None, None),
}


def writes_training(a: str, b: str, ok: int) -> dict:
    def fill(value):
        return {"{a}": a, "{b}": b, "{ok}": ok}.get(value, value)

    return {persona: tuple(map(fill, row)) for persona, row in WRITES_TRAINING.items()}


WITH_ID |= {
    "trainees:session_schedule": writes_training("cohort_a", "cohort_b", OK),
    "trainees:session_log": writes_training("session_a", "session_b", OK),
    # Series: scheduled as a session is; moved or cancelled by the same people (the world's
    # series has only its held session, so the pages open and refuse to change anything).
    "trainees:series_schedule": writes_training("cohort_a", "cohort_b", OK),
    "trainees:series_move": writes_training("series_a", "series_b", OK),
    "trainees:series_cancel": writes_training("series_a", "series_b", OK),
    # The world's sessions are held: changing or cancelling one leads back to it.
    "trainees:session_edit": writes_training("session_a", "session_b", MOVED),
    "trainees:session_cancel": writes_training("session_a", "session_b", MOVED),
    # Assessments: recording an attempt is the cohort's trainers' and admins' (403 for the rest,
    # 404 for another cohort's trainer).
    "trainees:attempt_record": {
        "anonymous": ("trainee_a", LOGIN, None, None),
        "trainee": ("trainee_a", FORBIDDEN, "trainee_b", FORBIDDEN),
        "other_trainee": ("trainee_b", FORBIDDEN, "trainee_a", FORBIDDEN),
        "trainer": ("trainee_a", OK, "trainee_b", GONE),
        "other_trainer": ("trainee_b", OK, "trainee_a", GONE),
        "medic": ("trainee_a", FORBIDDEN, None, None),
        "programme_admin": ("trainee_a", OK, None, None),
        "operator": ("trainee_b", OK, None, None),
    },
    # An extra attempt or a waived prerequisite is the programme admins' alone.
    "trainees:allowance_grant": {
        "anonymous": ("trainee_a", LOGIN, None, None),
        **dict.fromkeys(
            ["trainee", "other_trainee", "trainer", "other_trainer", "medic"],
            (None, None, "trainee_a", FORBIDDEN),
        ),
        "programme_admin": ("trainee_a", OK, None, None),
        "operator": ("trainee_b", OK, None, None),
    },
    "trainees:result_detail": {
        "anonymous": ("result_a", LOGIN, None, None),
        "trainee": ("result_a", OK, "result_b", GONE),
        "other_trainee": ("result_b", OK, "result_a", GONE),
        "trainer": ("result_a", OK, "result_b", GONE),
        "other_trainer": ("result_b", OK, "result_a", GONE),
        "medic": ("result_a", OK, None, None),
        "programme_admin": ("result_b", OK, None, None),
        "operator": ("result_a", OK, None, None),
    },
    # Signing and amending: the page opens for those who log training on the trainee; whether
    # they may sign is the assessment's list of assessors (tests/trainees/assessments/).
    "trainees:result_sign": writes_training("result_a", "result_b", OK),
    "trainees:result_amend": writes_training("result_a", "result_b", OK),
    # Acknowledging a debrief is a POST by the trainee: their GET is 405, everyone else's 403.
    "trainees:result_acknowledge": {
        "anonymous": ("result_a", LOGIN, None, None),
        "trainee": ("result_a", NOT_ALLOWED, "result_b", NOT_ALLOWED),
        "other_trainee": ("result_b", NOT_ALLOWED, "result_a", NOT_ALLOWED),
        "trainer": (None, None, "result_a", FORBIDDEN),
        "other_trainer": (None, None, "result_b", FORBIDDEN),
        "medic": (None, None, "result_a", FORBIDDEN),
        "programme_admin": (None, None, "result_b", FORBIDDEN),
        "operator": ("result_a", NOT_ALLOWED, None, None),
    },
    # A draft is only ever posted; every signed-in GET is 405 before any lookup.
    "trainees:session_log_draft": {
        "anonymous": ("session_a", LOGIN, None, None),
        **dict.fromkeys(SIGNED_IN, ("session_a", NOT_ALLOWED, "session_b", NOT_ALLOWED)),
    },
}

# Revoking a token is only ever posted (tests/api/test_tokens.py: 404 on another's).
WITH_ID["api:token_revoke"] = {
    "anonymous": ("token_a", LOGIN, None, None),
    **dict.fromkeys(SIGNED_IN, ("token_a", NOT_ALLOWED, "token_b", NOT_ALLOWED)),
}

# A programme admin manages everyone but the operators; the operator, everyone.
PERSON_PAGES = {
    f"accounts:{name}": {
        **only(ADMINS, "person_trainer"),
        "programme_admin": ("person_trainer", OK, "person_operator", GONE),
    }
    for name in [
        "person_detail",
        "person_edit",
        "person_roles",
        "person_deactivate",
        "person_reactivate",
        "person_invite",
        "person_second_factor_reset",
    ]
}
COHORT_WRITE_PAGES = {
    f"trainees:{name}": only(ADMINS, "cohort_a")
    for name in [
        "cohort_edit",
        "cohort_plan",
        "cohort_trainers",
        "cohort_close",
        "trainee_add",
        "trainee_import",
        "past_import",
    ]
}
# Opening a notification is a POST (it marks it read); a GET is refused before any lookup, so
# it tells no one whose notification an id is. tests/notifications: a POST on another's is 404.
WITH_ID["notifications:open"] = {
    "anonymous": ("notification_a", LOGIN, None, None),
    **dict.fromkeys(SIGNED_IN, ("notification_a", NOT_ALLOWED, "notification_b", NOT_ALLOWED)),
}
WITH_ID.update(PERSON_PAGES)
# A record's history: programme admins (and operators) only, 403 for every other role
# whatever the id; a person the admin may not manage (an operator) is not found.
WITH_ID |= {
    "trainees:trainee_history": only(ADMINS, "trainee_a"),
    "trainees:result_history": only(ADMINS, "result_b"),
    "trainees:module_history": only(ADMINS, "draft_module"),
    "trainees:cohort_history": only(ADMINS, "cohort_b"),
    "trainees:session_history": only(ADMINS, "session_b"),
    "trainees:person_history": PERSON_PAGES["accounts:person_detail"],
}
WITH_ID.update(COHORT_WRITE_PAGES)
WITH_ID.update(
    {
        # Trainers read the cohorts they train; the trainees' pages are their own records.
        "trainees:cohort_detail": {
            "anonymous": ("cohort_a", LOGIN, None, None),
            "trainee": (None, None, "cohort_a", FORBIDDEN),
            "other_trainee": (None, None, "cohort_b", FORBIDDEN),
            "trainer": ("cohort_a", OK, "cohort_b", GONE),
            "other_trainer": ("cohort_b", OK, "cohort_a", GONE),
            "medic": ("cohort_a", OK, None, None),
            "programme_admin": ("cohort_b", OK, None, None),
            "operator": ("cohort_a", OK, None, None),
        },
        "trainees:trainee_status": only(ADMINS, "trainee_a"),
        "trainees:medical_record": only(MEDICS, "trainee_a"),
        "trainees:hold_open": only(MEDICS, "trainee_b"),
        "trainees:certificate_add": only(MEDICS, "trainee_a"),
        "trainees:hold_close": only(MEDICS, "hold_a"),
    }
)

# Timetables. A cohort's: its trainees, its trainers, the staff who see every cohort. A
# trainee's follows their record. A trainer's: their own, and anyone's who trains for those who
# see every session; the operator (no trainer) is not found.
WITH_ID |= {
    "trainees:cohort_timetable": {
        "anonymous": ("cohort_a", LOGIN, None, None),
        "trainee": ("cohort_a", OK, "cohort_b", GONE),
        "other_trainee": ("cohort_b", OK, "cohort_a", GONE),
        "trainer": ("cohort_a", OK, "cohort_b", GONE),
        "other_trainer": ("cohort_b", OK, "cohort_a", GONE),
        "medic": ("cohort_a", OK, None, None),
        "programme_admin": ("cohort_b", OK, None, None),
        "operator": ("cohort_a", OK, None, None),
    },
    "trainees:trainee_timetable": WITH_ID["trainees:trainee_detail"],
    "trainees:trainer_timetable": {
        "anonymous": ("person_trainer", LOGIN, None, None),
        "trainee": (None, None, "person_trainer", GONE),
        "other_trainee": (None, None, "person_other_trainer", GONE),
        "trainer": ("person_trainer", OK, "person_other_trainer", GONE),
        "other_trainer": ("person_other_trainer", OK, "person_trainer", GONE),
        "medic": ("person_trainer", OK, None, None),
        "programme_admin": ("person_other_trainer", OK, "person_operator", GONE),
        "operator": ("person_trainer", OK, None, None),
    },
}

# A notice of absence is the trainee's own: they open the page for a session they may see
# (the world's is held: the page says notice can no longer be given); staff are refused
# whatever the id; the operator, who is no trainee, finds none. Withdrawing is a POST.
WITH_ID |= {
    "trainees:absence_notice": {
        "anonymous": ("session_a", LOGIN, None, None),
        "trainee": ("session_a", OK, "session_b", GONE),
        "other_trainee": ("session_b", OK, "session_a", GONE),
        **dict.fromkeys(
            ["trainer", "other_trainer", "medic", "programme_admin"],
            (None, None, "session_a", FORBIDDEN),
        ),
        "operator": (None, None, "session_a", GONE),
    },
    "trainees:absence_notice_withdraw": {
        "anonymous": ("session_a", LOGIN, None, None),
        **dict.fromkeys(SIGNED_IN, ("session_a", NOT_ALLOWED, "session_b", NOT_ALLOWED)),
    },
}

# Resources are the centre's, not a cohort's: every staff role opens each one (none is
# unseen), trainees are refused whatever the id; the writes are the programme admins'. Removing
# a period and withdrawing an authorisation are POSTs: the admins' GET is 405.
STAFF = {"trainer", "other_trainer", "medic", "programme_admin", "operator"}


def admins_post(seen: str) -> dict:
    return {
        **only(ADMINS, seen),
        **dict.fromkeys(ADMINS, (seen, NOT_ALLOWED, None, None)),
    }


WITH_ID |= {
    "trainees:resource_detail": only(STAFF, "resource"),
    "trainees:resource_timetable": only(STAFF, "resource"),
    "trainees:resource_edit": only(ADMINS, "resource"),
    "trainees:resource_retire": only(ADMINS, "resource"),
    "trainees:unavailability_add": only(ADMINS, "resource"),
    "trainees:resource_history": only(ADMINS, "resource"),
    "trainees:unavailability_remove": admins_post("unavailable"),
    "trainees:authorisation_withdraw": admins_post("authorisation"),
}

# The API's endpoints, by every persona with their read-write token, for every method.
# (persona -> the world object for the id or None, its status; the object they may not see, its
# status), for the endpoint's own method. Its other methods answer 405 to whoever the endpoint's
# roles let in, 403 to the rest; without a token, everything is 401. A read token's POST is 403.
# The same gates as the pages': each line says which page it follows.
API_METHODS = ["get", "post", "put", "patch", "delete"]


def api_list(status: int, **exceptions) -> dict:
    return {
        "anonymous": (None, UNAUTHENTICATED, None, None),
        **{p: (None, exceptions.get(p, status), None, None) for p in SIGNED_IN},
    }


def api_only_refused(by_persona: dict) -> dict:
    """A page's expectations as the API's: no sign-in page, 401 without a token."""
    return {
        persona: (seen or unseen, UNAUTHENTICATED, None, None)
        if persona == "anonymous"
        else (seen, s1, unseen, s2)
        for persona, (seen, s1, unseen, s2) in by_persona.items()
    }


API = {
    # (method, expectations)
    "api:trainee_list": ("get", api_list(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN)),
    "api:cohort_list": ("get", api_list(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN)),
    "api:session_list": ("get", api_list(OK)),
    "api:attendance_list": ("get", api_list(OK)),
    "api:result_list": ("get", api_list(OK)),
    "api:grant_list": ("get", api_list(OK)),
    "api:hold_list": ("get", api_list(OK)),
    "api:module_list": ("get", api_list(OK)),
    "api:trainee_detail": ("get", api_only_refused(WITH_ID["trainees:trainee_detail"])),
    "api:trainee_progress": ("get", api_only_refused(WITH_ID["trainees:trainee_detail"])),
    "api:cohort_detail": ("get", api_only_refused(WITH_ID["trainees:cohort_detail"])),
    "api:cohort_progress": ("get", api_only_refused(BOARD)),
    "api:session_detail": ("get", api_only_refused(WITH_ID["trainees:session_detail"])),
    "api:result_detail": ("get", api_only_refused(WITH_ID["trainees:result_detail"])),
    "api:module_detail": ("get", api_only_refused(WITH_ID["curriculum:module_detail"])),
    # The writes, posted empty: let in, the body is refused (400); another cohort's is 404.
    "api:session_schedule": (
        "post",
        api_only_refused(writes_training("cohort_a", "cohort_b", INVALID)),
    ),
    "api:session_log": (
        "post",
        api_only_refused(writes_training("session_a", "session_b", INVALID)),
    ),
    "api:attempt_record": (
        "post",
        api_only_refused(writes_training("trainee_a", "trainee_b", INVALID)),
    ),
    # A notice of absence, as its page: posted empty by the trainee, the body is refused; a
    # withdrawal with none standing finds nothing (404).
    "api:session_absence": [
        (
            "post",
            api_only_refused(
                {
                    **WITH_ID["trainees:absence_notice"],
                    "trainee": ("session_a", INVALID, "session_b", GONE),
                    "other_trainee": ("session_b", INVALID, "session_a", GONE),
                }
            ),
        ),
        (
            "delete",
            api_only_refused(
                {
                    **WITH_ID["trainees:absence_notice"],
                    "trainee": ("session_a", GONE, "session_b", GONE),
                    "other_trainee": ("session_b", GONE, "session_a", GONE),
                }
            ),
        ),
    ],
    # Resources, as their pages: staff read, programme admins write (posted or patched empty:
    # let in, the body is refused). An endpoint with several methods lists each; its other
    # methods follow the one of the same kind (reading or writing).
    "api:resource_list": [
        ("get", api_list(OK, trainee=FORBIDDEN, other_trainee=FORBIDDEN)),
        ("post", api_list(FORBIDDEN, programme_admin=INVALID, operator=INVALID)),
    ],
    "api:resource_detail": [
        ("get", api_only_refused(WITH_ID["trainees:resource_detail"])),
        ("patch", api_only_refused(WITH_ID["trainees:resource_edit"])),
    ],
    "api:resource_unavailable": (
        "post",
        api_only_refused(
            {
                **WITH_ID["trainees:unavailability_add"],
                **dict.fromkeys(ADMINS, ("resource", INVALID, None, None)),
            }
        ),
    ),
}


def api_methods(name: str) -> dict:
    """The endpoint's own methods: method -> expectations."""
    own = API[name]
    return dict(own) if isinstance(own, list) else dict([own])


# With a browser's session alone, every endpoint is 401: only a token opens the API.
for _name in API:
    _by_persona = next(iter(api_methods(_name).values()))
    _object = next(
        (seen or unseen for seen, _s, unseen, _u in _by_persona.values() if seen or unseen), None
    )
    if _object:
        WITH_ID[_name] = dict.fromkeys(PERSONAS, (_object, UNAUTHENTICATED, None, None))
    else:
        EXPECTED[_name] = each(UNAUTHENTICATED, anonymous=UNAUTHENTICATED)


def api_cases():
    """(endpoint, persona, method, scope, world object or None, expected status)."""
    for name in API:
        methods = api_methods(name)
        for own, by_persona in methods.items():
            yield from _own_cases(name, own, by_persona)
        for method in API_METHODS:
            if method in methods:
                continue
            # Follows the endpoint's own method of the same kind (reading or writing).
            kind = [m for m in methods if (m == "get") == (method == "get")] or list(methods)
            for persona, (seen, seen_status, unseen, unseen_status) in methods[kind[0]].items():
                let_in = FORBIDDEN not in (seen_status, unseen_status)
                if persona == "anonymous":
                    status = UNAUTHENTICATED
                else:
                    status = NOT_ALLOWED if let_in else FORBIDDEN
                yield (name, persona, method, "write", seen or unseen, status)


def _own_cases(name, own, by_persona):
    for persona, (seen, seen_status, unseen, unseen_status) in by_persona.items():
        anyone = seen or unseen
        for obj, status in [(seen, seen_status), (unseen, unseen_status)]:
            if status is not None and (obj or anyone is None):
                yield (name, persona, own, "write", obj, status)
        if own != "get" and persona != "anonymous":
            yield (name, persona, own, "read", anyone, FORBIDDEN)


API_CASES = list(api_cases())


ADMIN_NAMESPACE = "admin:"
ADMIN_PREFIXES = (ADMIN_NAMESPACE, "admin/")  # unnamed admin patterns are named by their route
# What the admin refuses even operators: deleting training records (never hard-deleted), adding
# django-axes' own log rows, and an autocomplete request that names no field.
RECORDS = [
    "trainee",
    "traineestatuschange",
    "trainingsession",
    "sessionattendance",
    "assessmentresult",
    "competencygrade",
    "qualificationgrant",
    "measurement",
    "medicalhold",
    "assessmentamendment",
    "assessmentallowance",
    "medicalcertificate",
    "pastimport",
    "absencenotice",
]
OPERATOR_REFUSED = {
    *(f"admin:trainees_{model}_delete" for model in RECORDS),
    *(f"admin:axes_{model}_add" for model in ["accessattempt", "accesslog", "accessfailurelog"]),
    # Amendments and allowances are made in the product, with their reasons; the admin shows them.
    "admin:trainees_assessmentamendment_add",
    "admin:trainees_assessmentallowance_add",
    # An import of past records is made by the import page, with the file it read.
    "admin:trainees_pastimport_add",
    # A notice of absence is the trainee's own word, given on its page.
    "admin:trainees_absencenotice_add",
    "admin:autocomplete",
    # Notifications, deliveries, tokens and job runs are written by the product only.
    *(
        f"admin:notifications_{model}_add"
        for model in ["notification", "delivery", "jobrun", "calendartoken", "remindersettings"]
    ),
    # What reports sent and the jobs asked for are made by the product alone.
    "admin:reports_reportsend_add",
    "admin:reports_reportjob_add",
    # Tokens are made by their people, whose secret is shown to them alone.
    "admin:api_accesstoken_add",
}


def admin_expectation(name, persona):
    """The Django admin is for operators only. Everyone else is sent to sign in, and its sign-in
    page refuses people who are signed in but not operators (tests/test_security.py)."""
    if persona == "operator":
        if name == "admin:logout":
            return NOT_ALLOWED
        if name in OPERATOR_REFUSED:
            return FORBIDDEN
        return {OK, MOVED, GONE}  # made-up ids: a redirect or 404, never a refusal
    if persona != "anonymous" and name == "admin:login":
        return FORBIDDEN
    if persona != "anonymous" and name == "admin:logout":
        return MOVED  # to the admin's index, which sends them to sign in (above)
    return LOGIN


def cases():
    for route, name in ALL_PATTERNS:
        for persona in PERSONAS:
            if name.startswith(ADMIN_PREFIXES):
                yield (name, route, persona, None, admin_expectation(name, persona))
            elif name in WITH_ID:
                seen, seen_status, unseen, unseen_status = WITH_ID[name][persona]
                if seen:
                    yield (name, route, persona, seen, seen_status)
                if unseen:
                    yield (name, route, persona, unseen, unseen_status)
            elif name in EXPECTED:
                yield (name, route, persona, None, EXPECTED[name][persona])


CASES = list(cases())


def test_every_url_has_expectations():
    names = {name for _, name in ALL_PATTERNS}
    ours = {n for n in names if not n.startswith(ADMIN_PREFIXES)}
    missing = ours - set(EXPECTED) - set(WITH_ID)
    assert {n for n in ours if api_endpoint(n)} - {"api:not_found"} == set(API)
    assert not missing, f"URLs without expectations in the access matrix: {sorted(missing)}"
    stale = (set(EXPECTED) | set(WITH_ID)) - ours
    assert not stale, f"Expectations for URLs that no longer exist: {sorted(stale)}"
    for name, by_persona in [*EXPECTED.items(), *WITH_ID.items()]:
        assert set(by_persona) == set(PERSONAS), name
    # A feed named by a token and an id is opened by its token (tests/notifications): as a page,
    # a made-up token is not found whatever the id.
    routes_with_ids = {
        name for route, name in ALL_PATTERNS if "<int:" in route and "<token:" not in route
    }
    assert routes_with_ids - {n for n in routes_with_ids if n.startswith(ADMIN_PREFIXES)} == set(
        WITH_ID
    )


REFUSALS = (LOGIN, FORBIDDEN, GONE)


def test_the_matrix_counts_its_cases(request):
    # The count printed at the end of the run (tests/conftest.py): (URL, persona, method, object)
    # cases. Every case is a GET; every refusal (sign in, 403, 404) is also checked as a POST.
    with_object = sum(1 for case in CASES if case[3] is not None)
    posts = sum(1 for case in CASES if case[4] in REFUSALS)
    request.node.user_properties.append(
        (
            "coverage",
            f"access matrix: {len(CASES) + posts} (URL, persona, method, object) cases: "
            f"{len(CASES)} GET and {posts} POST; {with_object} GET on a specific object; "
            f"API: {len(API_CASES)} (endpoint, persona, method, token scope, object) cases",
        )
    )
    assert {(c[0], c[1], c[2]) for c in API_CASES} == {
        (name, persona, method) for name in API for persona in PERSONAS for method in API_METHODS
    }
    assert len(CASES) + posts > 1500
    assert len({(case[0], case[1]) for case in CASES}) == len(ALL_PATTERNS)
    assert with_object == sum(
        (seen is not None) + (unseen is not None)
        for by_persona in WITH_ID.values()
        for seen, _s, unseen, _u in by_persona.values()
    )


# One test per URL, its cases inside, on personas (and a world) made once for the class: the
# cases only read, and each test's own transaction takes back a session or a refused POST.
BY_URL: dict[tuple[str, str], list[tuple]] = {}
for _name, _route, *_case in CASES:
    BY_URL.setdefault((_name, _route), []).append(tuple(_case))
ON_RECORDS = [key for key, cases in BY_URL.items() if any(obj for _p, obj, _e in cases)]
ON_PAGES = [key for key in BY_URL if key not in ON_RECORDS]


def _mismatch(response, expected, url) -> str | None:
    status = response.status_code
    if expected == LOGIN:
        if status != MOVED or not response["Location"].startswith(SIGN_IN_PAGES):
            return f"{url}: {status}, expected a redirect to sign in"
    elif isinstance(expected, set):
        if status not in expected:
            return f"{url}: {status}, expected one of {sorted(expected)}"
    elif status != expected:
        return f"{url}: {status}, expected {expected}"
    return None


class TestPagesWithoutRecords:
    """The pages named without an id, by the personas alone: nobody is enrolled and no record
    exists (an admin page's id 1 names nothing)."""

    @pytest.mark.parametrize(("name", "route"), ON_PAGES, ids=[name for name, _ in ON_PAGES])
    def test_access(self, class_personas, db, name, route):
        check_access(class_personas, {}, name, route)


class TestRecords:
    """The pages named by an id, on a record of the `world` each persona may or may not see."""

    @pytest.mark.parametrize(("name", "route"), ON_RECORDS, ids=[name for name, _ in ON_RECORDS])
    def test_access(self, class_world, db, name, route):
        check_access(*class_world, name, route)


def check_access(personas, world, name, route):
    clients: dict[str, Client] = {}
    failures = []
    for persona, obj, expected in BY_URL[(name, route)]:
        if persona not in clients:
            clients[persona] = Client()
            if persona != "anonymous":
                clients[persona].force_login(personas[persona])
        url = reverse(name, kwargs={"pk": world[obj].pk}) if obj else concrete(route)
        response = clients[persona].get(url)
        problem = _mismatch(response, expected, url)
        if problem:
            failures.append(f"{persona} on {obj or 'the page'}: GET {problem}")
        elif persona != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
            # Whatever a signed-in person is shown may be someone's records.
            failures.append(f"{persona} on {obj or 'the page'}: GET {url} without no-store")
        if expected in REFUSALS and not (persona == "operator" and name.startswith(ADMIN_PREFIXES)):
            # A refusal holds for a POST too, before any form is read (the POSTs that people
            # may make are posted to by tests/security/test_hostile_input.py).
            problem = _mismatch(clients[persona].post(url, {"x": "1"}), expected, url)
            if problem:
                failures.append(f"{persona} on {obj or 'the page'}: POST {problem}")
    assert not failures, "\n".join(failures)


class TestApi:
    """The API's endpoints, by every persona with a token of their own, for every method."""

    @pytest.mark.parametrize("name", list(API), ids=list(API))
    def test_access(self, class_world, db, name):
        personas, world = class_world
        clients = {"anonymous": Client()}
        for persona in SIGNED_IN:
            for scope in ("read", "write"):
                secret = token_for(personas[persona], scope)
                clients[persona, scope] = Client(headers={"Authorization": f"Bearer {secret}"})
        failures = []
        for case_name, persona, method, scope, obj, expected in API_CASES:
            if case_name != name:
                continue
            client = clients["anonymous"] if persona == "anonymous" else clients[persona, scope]
            url = reverse(name, kwargs={"pk": world[obj].pk} if obj else None)
            response = getattr(client, method)(url, {}, content_type="application/json")
            if response.status_code != expected:
                failures.append(
                    f"{persona} ({scope}) {method.upper()} {url}: {response.status_code}, "
                    f"expected {expected}"
                )
            elif expected >= 400 and response["Content-Type"] != "application/problem+json":
                failures.append(f"{persona} {method.upper()} {url}: not a problem document")
            elif "no-store" not in response.get("Cache-Control", ""):
                failures.append(f"{persona} {method.upper()} {url}: without no-store")
        assert not failures, "\n".join(failures)
