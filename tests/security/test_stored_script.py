"""A script stored in the records is shown as text on every page, never run.

Every free-text field of every record of the test world (names, remarks, reasons, places,
titles, codes, their history rows too) is overwritten with a script; then every page of the
access matrix that a persona may open is opened by that persona, and no HTML page holds the
script as markup. (The CSP forbids inline script besides; this shows the escaping alone holds.)
"""

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.test_access_matrix import BY_URL, OK
from tests.test_security import concrete

# Escaping is the templates' and the serializers' work, and text round-trips alike through
# both databases (NUL bytes, which do not, are tests/security/test_hostile_input.py's): .ci/run's
# PostgreSQL pass leaves these out.
pytestmark = pytest.mark.same_on_any_database

SCRIPT = "<script>x()</script>"
MARKUP = "<script>x("
APPS = {"accounts", "curriculum", "trainees", "notifications", "reports"}
# Text that is a key, not something a person wrote: the code looks them up, so a script there
# would be a broken record rather than a test of the page (kinds, keys and tokens; the password
# hash; the sign-in name, which the tests' own sign-in does not use).
NOT_PROSE = {"kind", "key", "token", "password", "username", "time_zone", "history_change_reason"}


def _prose_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.EmailField)
        and not field.choices
        and not field.primary_key
        and field.name not in NOT_PROSE
        and (field.max_length is None or field.max_length >= len(SCRIPT) + 8)
    ]


def _store_the_script_everywhere() -> int:
    """Overwrite every prose field of every row with the script (plus the row's id, for the
    unique ones); returns how many values were written."""
    written = 0
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        fields = _prose_fields(model)
        if not fields:
            continue
        manager = model._base_manager
        for pk in manager.values_list("pk", flat=True):
            manager.filter(pk=pk).update(**{field.name: f"{SCRIPT}{pk}" for field in fields})
            written += len(fields)
    return written


@pytest.fixture(scope="class")
def poisoned_world(class_world):
    """The world made and poisoned once for the class; the pages only read it."""
    assert _store_the_script_everywhere() > 100
    return class_world


PAGES = {key: [c for c in cases if c[2] == OK] for key, cases in BY_URL.items()}
PAGES = {key: cases for key, cases in PAGES.items() if cases and not key[0].startswith("admin")}


class TestEveryPage:
    @pytest.mark.parametrize(("name", "route"), list(PAGES), ids=[name for name, _ in PAGES])
    def test_a_stored_script_is_text_on_every_page(self, poisoned_world, db, name, route):
        check_page(*poisoned_world, name, route)


def check_page(personas, world, name, route):
    failures = []
    clients: dict[str, Client] = {}
    for persona, obj, _expected in PAGES[(name, route)]:
        if persona not in clients:
            clients[persona] = Client()
            if persona != "anonymous":
                clients[persona].force_login(personas[persona])
        url = reverse(name, kwargs={"pk": world[obj].pk}) if obj else concrete(route)
        response = clients[persona].get(url)
        if response.status_code != OK:
            failures.append(f"{persona} GET {url}: {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if MARKUP in response.content.decode():
            failures.append(f"{persona} GET {url}: the script is markup")
    assert not failures, "\n".join(failures)
