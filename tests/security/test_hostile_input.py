"""Hostile input to every form and upload of the app.

The forms are discovered, not listed: for every URL of the access matrix
(tests/test_access_matrix.py, itself walked from the URL resolver), a persona who may use the page
opens it, and every `<form method="post">` on it is read for its fields (inputs, selects, text
areas, file inputs). Hypothesis then posts random and hostile values to it: very long text, any
unicode (right-to-left override, NUL), HTML and script, SQL fragments, wrong types, fields left
out or repeated. A page that only takes POSTs (405 on GET) is posted to with the fields its
buttons send (POST_ONLY_FIELDS) or made-up ones; SPECIAL names the few pages that need set-up
beyond the world fixture.

Asserted for every example: no 500 (the test client re-raises a view's exception), no error logged
(tests/conftest.py), and the raw script tag is never in the answer or the page it leads to. Each
example runs in a savepoint that is rolled back, so examples do not pile up on each other.

Run: `pytest tests/security -q` (the counts are printed at the end); `make fuzz` runs the same
generators with many more examples on PostgreSQL.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.test_access_matrix import (
    EXPECTED,
    MOVED,
    NOT_ALLOWED,
    OK,
    WITH_ID,
)
from tests.test_security import ALL_PATTERNS, api_endpoint

from . import examples, record

SCRIPT = "<script>hostile()</script>"
HOSTILE = [
    SCRIPT,
    f'"><img src=x onerror=hostile()>{SCRIPT}',
    "'; DROP TABLE trainees_trainee; --",
    "1 OR 1=1",
    "\u202eevil.exe\u202c",  # right-to-left override
    "name\x00with NUL",
    "x" * 100_000,
    "{{ request }}{% debug %}",
    "%s%n%x",
    "../../../etc/passwd",
    "-1",
    "0",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-Infinity",
    "2026-02-30",
    "9999-12-31T23:59",
    "0000-00-00",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31",
    "32768",
    "2147483648",
    "²",
    "true",
    "null",
    "[]",
    '{"a": 1}',
    " ",
    "",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
FILE_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(TEXT, max_size=6).map(",".join), max_size=6).map(
        lambda rows: "\n".join(rows).encode("utf-8", "surrogatepass")
    ),
    st.sampled_from(
        [
            b"",
            b"\xff\xfe\x00\x00",
            b'{"modules": [{"code": "<script>hostile()</script>"}]}',
            b"code,title\n" + SCRIPT.encode() + b",x\n" * 3,
            b"\x00" * 200,
            "\u202e,\u202e\n".encode(),
            b"[" * 5000,
        ]
    ),
)

# Who uses each page, best first; the first one the matrix lets in (200, or 405 for a POST-only
# page) posts the examples. The operator (a superuser) comes last so the roles are exercised.
PREFERENCE = ["programme_admin", "trainer", "trainee", "medic", "other_trainer", "operator"]
# Pages with no form of the app's own, or whose POST only signs the client out or back in.
NOT_FORMS = {
    "home",  # a redirect to the persona's start page
    "healthz",  # GET only
    "liveness",
    "calendar_feed",  # a GET with a token
    "resource_calendar_feed",
    # The timetables: GET pages (their query parameters: test_hostile_reach.py).
    "trainees:my_timetable",
    "trainees:cohort_timetable",
    "trainees:trainee_timetable",
    "trainees:trainer_timetable",
    "trainees:resource_timetable",
    "trainees:cohort_board_csv",  # downloads
    "trainees:transcript_pdf",
    "trainees:my_records",
    "curriculum:revision_export_json",
    "curriculum:modules_export_csv",
    # A provider's redirect back (a GET); its parameters: tests/accounts/test_single_sign_on.py.
    "accounts:oidc_callback",
    # Opens only between a password and its second factor, which these clients never are;
    # hostile codes are posted there by tests/accounts/test_second_factor.py.
    "accounts:second_factor_verify",
    # The API's schema, a generated document (schemathesis reads it); its endpoints take JSON
    # and a token: tests/security/test_hostile_api.py.
    "api:schema",
    *(name for _route, name in ALL_PATTERNS if api_endpoint(name)),
    "curriculum:translations_export_po",
    "curriculum:translations",  # a list; its forms are the edit and import pages
}


def _user_of(name):
    """(persona, world object or None) of the first persona who may use the page."""
    if name in WITH_ID:
        rows = WITH_ID[name]
        for persona in PREFERENCE:
            seen, status, _unseen, _ = rows[persona]
            if seen and status in (OK, MOVED, NOT_ALLOWED):
                return persona, seen
        return None
    rows = EXPECTED[name]
    if rows["anonymous"] in (OK, NOT_ALLOWED):
        return "anonymous", None
    for persona in PREFERENCE:
        if rows[persona] in (OK, NOT_ALLOWED):
            return persona, None
    return None


FORM_PAGES = [
    (name, *_user_of(name))
    for _route, name in ALL_PATTERNS
    if (name in WITH_ID or name in EXPECTED) and name not in NOT_FORMS and _user_of(name)
]


class FormReader(HTMLParser):
    """The POST forms of a page: action and fields (name -> kind, values offered)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = None
            if (a.get("method") or "get").lower() == "post":
                self._form = {"action": a.get("action") or "", "fields": {}}
                self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            field = self._form["fields"].setdefault(a["name"], {"kind": kind, "values": []})
            if a.get("value") is not None:
                field["values"].append(a["value"])
            elif kind in ("checkbox", "radio"):
                field["values"].append("on")
        elif tag == "textarea":
            self._form["fields"].setdefault(a["name"], {"kind": "textarea", "values": [""]})
        elif tag == "select":
            self._select = self._form["fields"].setdefault(
                a["name"], {"kind": "select", "values": []}
            )
        elif tag == "option" and self._select is not None:
            self._select["values"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def read_forms(html: str, *, keep_language=False) -> list[dict]:
    """The page's own POST forms: the language switcher in every page's footer is left to the
    set_language page, so that a page's examples go to the page's own forms."""
    reader = FormReader()
    reader.feed(html)
    switch = reverse("set_language")
    return [
        form
        for form in reader.forms
        if form["fields"].keys() - {"csrfmiddlewaretoken"}
        and (keep_language or not form["action"].startswith(switch))
    ]


def field_value(field):
    """A strategy for one field: what the page offers, or hostile text, a file, left out, or
    repeated."""
    offered = st.sampled_from(field["values"]) if field["values"] else TEXT
    if field["kind"] == "file":
        one = FILE_CONTENT.map(
            lambda data: SimpleUploadedFile("hostile\u202e.csv", data, "text/csv")
        )
    else:
        one = st.one_of(offered, TEXT)
    return st.one_of(
        one,
        one,
        st.just(None),  # left out
        st.lists(one, min_size=2, max_size=3),  # repeated
    )


def posted(fields):
    extra = st.dictionaries(st.sampled_from(["id", "pk", "version", "next", "x"]), TEXT, max_size=2)
    return st.fixed_dictionaries(
        {
            name: field_value(field)
            for name, field in fields.items()
            if name != "csrfmiddlewaretoken"
        }
    ).flatmap(lambda data: extra.map(lambda more: {**more, **data}))


def _no_raw_script(response, where):
    body = response.content.decode("utf-8", "replace")
    assert SCRIPT not in body, f"{where}: a posted script is shown unescaped"


class TestEveryForm:
    """The world is made once for the class: each example is rolled back, and so is each test's
    own set-up (SPECIAL)."""

    @pytest.mark.parametrize(("name", "persona", "obj"), FORM_PAGES, ids=[p[0] for p in FORM_PAGES])
    def test_hostile_input_never_breaks_a_form(self, request, class_world, db, name, persona, obj):
        post_hostile_input(request, *class_world, name, persona, obj)


def post_hostile_input(request, personas, world, name, persona, obj):
    if name in SPECIAL:
        persona, url = SPECIAL[name](world)
    elif obj:
        url = reverse(name, kwargs={"pk": world[obj].pk})
    else:
        url = reverse(name, **_args(name, world))
    user = None if persona == "anonymous" else personas[persona]

    def client():
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    page = client().get(url)
    forms = [{"action": "", "fields": {}}]
    if page.status_code == OK and "html" in page.get("Content-Type", ""):
        forms = read_forms(page.content.decode(), keep_language=name == "set_language") or forms
    if forms == [{"action": "", "fields": {}}] and name in POST_ONLY_FIELDS:
        forms = [{"action": "", "fields": POST_ONLY_FIELDS[name]}]
    form_strategy = st.sampled_from(forms).flatmap(
        lambda form: posted(form["fields"]).map(lambda data: (form, data))
    )

    posted_count = 0

    @settings(
        max_examples=examples(12),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(form_strategy)
    def post_hostile(case):
        form, data = case
        data = {k: v for k, v in data.items() if v is not None}
        for value in data.values():  # an upload is read once; hypothesis may reuse the object
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, SimpleUploadedFile):
                    item.seek(0)
        target = form["action"] or url
        nonlocal posted_count
        posted_count += 1
        with transaction.atomic():
            c = client()
            response = c.post(target, data)
            assert response.status_code < 500, f"{target}: {response.status_code}"
            _no_raw_script(response, target)
            location = response.get("Location", "")
            if response.status_code == MOVED and location.startswith("/"):
                followed = c.get(location)
                assert followed.status_code < 500, f"{location}: {followed.status_code}"
                _no_raw_script(followed, location)
            again = c.get(url)  # the page itself, now showing what was stored
            assert again.status_code < 500
            _no_raw_script(again, url)
            transaction.set_rollback(True)

    post_hostile()
    record(request, "forms", pages=[name], forms=len(forms), examples=posted_count)


def _scheduled_session(world):
    """A session still to come, which may be changed or cancelled (the world's are held)."""
    # A day after the trainer's last one: a trainer is in one scheduled session at a time.
    booked = world["person_trainer"].sessions_led.filter(status="scheduled").count()
    session = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=world["person_trainer"],
        starts_at=timezone.now() + dt.timedelta(days=3 + booked),
        status="scheduled",
    )
    return session


def _with_definition(name, world):
    url = reverse(name, kwargs={"pk": world["trainee_a"].pk})
    return f"{url}?definition={world['assessment'].pk}"


# The pages that need set-up beyond the world fixture: name -> world -> (persona, URL).
SPECIAL = {
    "trainees:session_edit": lambda w: (
        "trainer",
        reverse("trainees:session_edit", kwargs={"pk": _scheduled_session(w).pk}),
    ),
    "trainees:session_cancel": lambda w: (
        "trainer",
        reverse("trainees:session_cancel", kwargs={"pk": _scheduled_session(w).pk}),
    ),
    # The assessment is chosen first (a GET form); the attempt's form follows.
    "trainees:attempt_record": lambda w: (
        "trainer",
        _with_definition("trainees:attempt_record", w),
    ),
    "trainees:allowance_grant": lambda w: (
        "programme_admin",
        _with_definition("trainees:allowance_grant", w),
    ),
    # Signing is the assessor's.
    "trainees:result_sign": lambda w: (
        "trainer",
        reverse("trainees:result_sign", kwargs={"pk": w["result_a"].pk}),
    ),
}
LANGUAGES = {"kind": "select", "values": ["en", "zh-hans", "ur"]}
# POST-only pages (405 on GET): the fields their buttons post.
POST_ONLY_FIELDS = {
    "set_language": {"language": LANGUAGES, "next": {"kind": "hidden", "values": ["/"]}},
    "curriculum:module_move": {"direction": {"kind": "select", "values": ["up", "down"]}},
    # The world's result is signed already, so its page shows no form; the fields are posted still.
    "trainees:result_sign": {
        "password": {"kind": "password", "values": []},
        "version": {"kind": "hidden", "values": ["1"]},
    },
}


def _args(name, world):
    if name == "accounts:password_reset_confirm":
        return {"kwargs": {"uidb64": "MQ", "token": "set-password"}}
    if name in {"accounts:oidc_start", "accounts:oidc_confirm"}:
        # No provider is configured here (one would be fetched over the network): the posts
        # meet the 404 of an unknown one. What a configured one is sent:
        # tests/accounts/test_single_sign_on.py.
        return {"kwargs": {"provider": "agency"}}
    return {}


def test_every_form_page_is_posted_to():
    # The pages that need no set-up beyond the world fixture; a page missing here is a page that
    # no persona may use, which the access matrix would show.
    names = {name for name, _p, _o in FORM_PAGES}
    ours = {n for _r, n in ALL_PATTERNS if n in WITH_ID or n in EXPECTED}
    assert ours - names - NOT_FORMS == set()


# Regressions: the 500s the examples found, each fixed in the app.
HUGE_ID = "9223372036854775808"


def test_an_id_past_64_bits_is_an_invalid_choice_not_a_500(world, programme_admin, client):
    client.force_login(programme_admin)
    huge = "9223372036854775808"
    response = client.post(
        reverse("trainees:cohort_trainers", kwargs={"pk": world["cohort_a"].pk}),
        {"trainers": huge},
    )
    assert response.status_code == 200
    assert huge in response.content.decode()  # "… is not one of the available choices"
    response = client.post(
        reverse("curriculum:module_create", kwargs={"pk": world["draft_revision"].pk}),
        {"code": "X-1", "title": "X", "category": "systems", "prerequisites": huge},
    )
    assert response.status_code == 200


def test_a_revision_nested_too_deeply_is_refused_beside_the_field(programme_admin, client):
    client.force_login(programme_admin)
    upload = SimpleUploadedFile("deep.json", b"[" * 5000, "application/json")
    response = client.post(reverse("curriculum:revision_import"), {"file": upload})
    assert response.status_code == 200
    assert "nests its content too deeply" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "obj", "data"),
    [
        ("trainees:cohort_add", None, {"name": "X", "revision": HUGE_ID, "trainers": HUGE_ID}),
        (
            "curriculum:qualification_create",
            "draft_revision",
            {"code": "Q-X", "title": "X", "conferred_by_module": HUGE_ID},
        ),
    ],
    ids=["cohort", "qualification"],
)
def test_an_id_past_64_bits_in_a_model_forms_own_field_is_refused(
    world, programme_admin, client, name, obj, data
):
    """The fields a ModelForm makes for itself use the same id fields (Meta.field_classes)."""
    client.force_login(programme_admin)
    url = reverse(name, kwargs={"pk": world[obj].pk}) if obj else reverse(name)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
