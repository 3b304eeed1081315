"""Hostile input beyond the forms: query parameters, URLs, htmx endpoints and import
files, with the values PostgreSQL refuses where SQLite does not.

- Query parameters: every page a persona may open (the access matrix) is opened with the
  parameters the app reads (QUERY_NAMES), those of the page's own GET forms, and made-up ones,
  set to NUL, lone surrogates and bytes that are not UTF-8, dates and numbers far out of range.
- URLs: each page's id set past any column, and the calendar feed's token set to anything.
- htmx: the session-log draft (kept as jsonb) posted with the same values under HX-Request.
- Imports: the revision JSON, the modules CSV and the trainees CSV, made from a valid file and
  spoiled: wrong JSON shapes, NUL and lone surrogates, dates and numbers out of range, lone CR
  and CRLF line endings, fields over the csv module's limit.

Asserted for every example: no 500 (the test client re-raises), no error logged
(tests/conftest.py). Each example runs in a savepoint rolled back after it. The counts are printed
at the end of the run; `make fuzz` runs these with many more examples on PostgreSQL.
"""

import copy
import json
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curriculum.selectors import modules_csv_rows, revision_export
from tests.test_access_matrix import EXPECTED, WITH_ID
from tests.test_security import ALL_PATTERNS
from trainees.imports.rows import COLUMNS as PAST_COLUMNS

from . import examples, record
from .test_hostile_input import HOSTILE, SPECIAL, _args, _user_of

SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
}
# What PostgreSQL, Python's dates or a column refuse, as text.
EDGES = [
    "\x00",
    "2026-12-03\x00",
    "\ud800",
    "a\udfffb",
    "0001-01-01",
    "0000-01-01",
    "9999-12-27",
    "9999-12-31T23:59",
    "10000-01-01",
    "-0001-01-01",
    "2026-02-30",
    "32768",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" * 5000,  # past Python's int() digit limit
    "1e309",
    "NaN",
    "x" * 140_000,
]
VALUE = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # lone surrogates included
    st.dates().map(str),
    st.integers().map(str),
)
# The query parameters the app reads (grep request.GET), and a few it does not.
QUERY_NAMES = ["week", "when", "page", "category", "definition", "revision", "next", "on", "view"]
QUERY_NAMES += ["date", "from", "to", "q", "id", "format", "x"]


def _encoded(value: str) -> str:
    """A value as a browser could send it, lone surrogates as the bytes that are not UTF-8."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


class _GetFields:
    """The field names of a page's GET forms: query parameters of its own."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        names: set[str] = set()

        class Reader(HTMLParser):
            in_get = False

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "form":
                    self.in_get = (a.get("method") or "get").lower() == "get"
                elif self.in_get and tag in ("input", "select", "textarea") and a.get("name"):
                    names.add(a["name"])

            def handle_endtag(self, tag):
                if tag == "form":
                    self.in_get = False

        Reader().feed(html)
        self.names = names


def _pages():
    """(URL name, persona, world key or None) of every page some persona may open."""
    pages = []
    for _route, name in ALL_PATTERNS:
        if name not in WITH_ID and name not in EXPECTED:
            continue
        if name in {"set_language", "calendar_feed", "resource_calendar_feed", "accounts:logout"}:
            continue
        who = _user_of(name)
        if who:
            pages.append((name, *who))
    return pages


PAGES = _pages()


def _url(name, obj, world):
    if name in SPECIAL:
        return SPECIAL[name](world)
    if obj:
        return None, reverse(name, kwargs={"pk": world[obj].pk})
    return None, reverse(name, **_args(name, world))


def _clients(personas):
    clients = {"anonymous": Client()}
    for persona, user in personas.items():
        client = Client()
        client.force_login(user)
        clients[persona] = client
    return clients


def test_hostile_query_parameters_never_break_a_page(request, personas, world):
    clients = _clients(personas)
    targets = []
    for name, persona, obj in PAGES:
        special_persona, url = _url(name, obj, world)
        persona = special_persona or persona
        page = clients[persona].get(url)
        names = set(QUERY_NAMES)
        if "html" in page.get("Content-Type", ""):
            names |= _GetFields(page.content.decode()).names
        targets.append((name, persona, url, sorted(names)))
    sent, reached = set(), set()
    count = 0
    # Every page once with each of the worst values in all its parameters, then at random.
    for name, persona, url, names in targets:
        for value in ("\x00\ud800", "9999-12-27", "0001-01-01", "9223372036854775808"):
            query = "&".join(f"{key}={_encoded(value)}" for key in names)
            response = clients[persona].get(f"{url}?{query}")
            assert response.status_code < 500, f"{url}?{query}: {response.status_code}"
            count += 1
            reached.add(name)
            sent.update(names)

    @settings(max_examples=examples(150), **SETTINGS)
    @given(
        st.sampled_from(targets).flatmap(
            lambda target: st.dictionaries(
                st.sampled_from(target[3]), st.one_of(VALUE, st.lists(VALUE, max_size=2))
            ).map(lambda params: (target, params))
        )
    )
    def get_hostile(case):
        nonlocal count
        (name, persona, url, _names), params = case
        pairs = [
            f"{quote(key)}={_encoded(value)}"
            for key, values in params.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        count += 1
        sent.update(params)
        reached.add(name)
        with transaction.atomic():
            response = clients[persona].get(f"{url}?{'&'.join(pairs)}")
            assert response.status_code < 500, f"{url}?{pairs}: {response.status_code}"
            transaction.set_rollback(True)

    get_hostile()
    record(request, "query", pages=reached, parameters=sent, examples=count)


HUGE_IDS = ["9223372036854775808", "2147483648", "32768", "0", "99999999999999999999999"]


def test_ids_past_every_column_in_a_url_are_not_found(request, personas, world):
    clients = _clients(personas)
    pages = [(name, persona) for name, persona, obj in PAGES if obj]
    count = 0
    for name, persona in pages:
        for pk in HUGE_IDS:
            count += 1
            response = clients[persona].get(reverse(name, kwargs={"pk": pk}))
            assert response.status_code < 500, f"{name} {pk}: {response.status_code}"

    @settings(max_examples=examples(30), **SETTINGS)
    @given(st.one_of(st.sampled_from(EDGES), st.text(max_size=80)))
    def token(value):
        nonlocal count
        count += 1
        response = Client().get(f"/calendar/{_encoded(value)}.ics")
        assert response.status_code < 500
        response = Client().get(f"/calendar/{_encoded(value)}/resources/1.ics")
        assert response.status_code < 500

    token()
    feeds = ["calendar_feed", "resource_calendar_feed"]
    record(request, "url", pages=[n for n, _p in pages] + feeds, examples=count)


def test_hostile_drafts_never_break_the_session_log(request, trainer, world):
    """The htmx draft endpoint keeps what is posted as jsonb, and the log page shows it back."""
    session = world["session_a"]
    client = Client()
    client.force_login(trainer)
    draft_url = reverse("trainees:session_log_draft", kwargs={"pk": session.pk})
    log_url = reverse("trainees:session_log", kwargs={"pk": session.pk})
    page = client.get(log_url)
    assert page.status_code == 200
    count = 0
    keys = st.one_of(st.sampled_from(["notes", "version", "starts_at", "ends_at"]), VALUE)

    @settings(max_examples=examples(40), **SETTINGS)
    @given(st.dictionaries(keys, st.lists(VALUE, min_size=1, max_size=3), max_size=4))
    def post_draft(data):
        nonlocal count
        count += 1
        data = {
            key.encode("utf-8", "replace").decode(): [
                v.encode("utf-8", "replace").decode() for v in values
            ]
            for key, values in data.items()
        }
        data.setdefault("version", [str(session.version)])
        with transaction.atomic():
            response = client.post(draft_url, data, HTTP_HX_REQUEST="true")
            assert response.status_code < 500
            again = client.get(log_url)
            assert again.status_code < 500
            transaction.set_rollback(True)

    post_draft()
    record(request, "htmx", pages=["trainees:session_log_draft"], forms=1, examples=count)


# Import files -------------------------------------------------------------------------------------


def _spoil_json(data, choices):
    """`data` with one value, somewhere in it, replaced by `choices`' pick."""
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(data, ())
    return st.tuples(st.sampled_from(paths[1:]), choices)


JSON_VALUE = st.one_of(
    VALUE,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
    st.just([1, 2]),
    st.just({"a": [1]}),
    st.just("0001-01-01T00:00:00+00:00"),
    st.just("9999-12-31T23:59:59+14:00"),
)


def _set(data, path, value):
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _line_ending():
    return st.sampled_from(["\n", "\r", "\r\n"])


def _csv_text(rows, newline):
    return newline.join(
        ",".join(f'"{c}"' if ("," in c or '"' in c) else c for c in row) for row in rows
    )


CELL = st.one_of(VALUE, st.sampled_from(["", "yes", "no", "spacecraft", "2.5", "'\"quoted"]))


def test_hostile_import_files_are_refused_with_a_message(request, programme_admin, world):
    client = Client()
    client.force_login(programme_admin)
    export = revision_export(revision=world["revision"])
    export["programme"]["code"] = "fuzzed"
    module_rows = modules_csv_rows(revision=world["revision"])
    trainee_header = ["username", "display_name", "email", "agency", "nationality", "crew_role"]
    trainee_row = ["nadia", "Nadia Ali", "nadia@example.org", "cmsa", "PK", "payload_specialist"]
    urls = {
        "revision": reverse("curriculum:revision_import"),
        "modules": reverse("curriculum:modules_import", kwargs={"pk": world["draft_revision"].pk}),
        "trainees": reverse("trainees:trainee_import", kwargs={"pk": world["cohort_a"].pk}),
        "past": reverse("trainees:past_import", kwargs={"pk": world["cohort_a"].pk}),
    }
    past_header = list(PAST_COLUMNS)
    past_row = [
        "S1",
        world["session_a"].module.code,
        "2020-03-02T09:00",
        "2020-03-02T11:00",
        "lihao",
        "",
        "ayesha",
        "present",
        "2",
        "",
        "",
        "",
        "",
    ]

    def rows_spoiled(rows):
        width = max(len(r) for r in rows)
        return st.tuples(
            st.integers(0, len(rows) - 1), st.integers(0, width - 1), CELL, _line_ending()
        ).map(lambda t: (_replace_cell(rows, t[0], t[1], t[2]), t[3]))

    revision_json = _spoil_json(export, JSON_VALUE).map(
        lambda pv: ("revision", json.dumps(_set(export, *pv)))
    )
    whole_json = st.one_of(
        JSON_VALUE, st.lists(JSON_VALUE, max_size=3), st.dictionaries(st.text(), JSON_VALUE)
    ).map(lambda value: ("revision", json.dumps(value)))
    modules_csv = rows_spoiled(module_rows).map(lambda rn: ("modules", _csv_text(*rn)))
    trainees_csv = rows_spoiled([trainee_header, trainee_row]).map(
        lambda rn: ("trainees", _csv_text(*rn))
    )
    past_csv = rows_spoiled([past_header, past_row]).map(lambda rn: ("past", _csv_text(*rn)))
    count = 0

    @settings(max_examples=examples(110), **SETTINGS)
    @given(st.one_of(revision_json, whole_json, modules_csv, trainees_csv, past_csv))
    def upload(case):
        nonlocal count
        kind, text = case
        count += 1
        data = text.encode("utf-8", "surrogatepass")
        with transaction.atomic():
            response = client.post(
                urls[kind], {"file": SimpleUploadedFile(f"hostile.{kind}", data, "text/plain")}
            )
            assert response.status_code < 500, f"{kind}: {response.status_code}"
            transaction.set_rollback(True)

    upload()
    record(request, "import", pages=list(urls), forms=len(urls), examples=count)


def _replace_cell(rows, row, column, value):
    rows = [list(r) for r in rows]
    if column < len(rows[row]):
        rows[row][column] = value
    return rows
