"""The interface is whole in Simplified Chinese and Urdu, and the catalogues follow the source."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

# The catalogues, not the database (.ci/run's PostgreSQL pass leaves them out).
pytestmark = pytest.mark.same_on_any_database

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {
    "zh_Hans": ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
    "ur": ROOT / "locale/ur/LC_MESSAGES/django.po",
    "ur-django": ROOT / "locale/django-overrides/ur/LC_MESSAGES/django.po",
}
HAN = re.compile(r"[\u4e00-\u9fff]")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Strings that are the same in every language (names, codes); none so far.
SAME_IN_EVERY_LANGUAGE: set[str] = set()


def translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(name):
    po = polib.pofile(CATALOGUES[name])
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy
    assert len(po.translated_entries()) > 10


@pytest.mark.parametrize("name", CATALOGUES)
def test_msgfmt_counts_no_untranslated_and_no_fuzzy_entry(name):
    """GNU gettext's own count, beside polib's: `msgfmt --statistics` on the catalogue."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt is not installed (apt-get install -y gettext)")
    run = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(CATALOGUES[name])],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    counts = run.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", counts), counts
    assert int(counts.split()[0]) == len(polib.pofile(CATALOGUES[name]).translated_entries())


@pytest.mark.parametrize("name", CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(name):
    po = polib.pofile(CATALOGUES[name])
    mo = polib.mofile(CATALOGUES[name].with_suffix(".mo"))
    compiled = {(e.msgctxt, e.msgid, e.msgid_plural): translations(e) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        assert compiled.get(key) == translations(entry), entry.msgid


@pytest.mark.parametrize("name", CATALOGUES)
def test_translations_are_in_the_languages_script(name):
    script = HAN if name == "zh_Hans" else ARABIC_SCRIPT
    for entry in polib.pofile(CATALOGUES[name]):
        for text in translations(entry):
            if entry.msgid not in SAME_IN_EVERY_LANGUAGE:
                assert text != entry.msgid, entry.msgid
                assert script.search(text), (entry.msgid, text)


@pytest.mark.parametrize("name", CATALOGUES)
def test_placeholders_survive_translation(name):
    placeholder = re.compile(r"%(?:\(\w+\))?[sd]")
    for entry in polib.pofile(CATALOGUES[name]):
        expected = sorted(placeholder.findall(entry.msgid))
        for text in translations(entry):
            assert sorted(placeholder.findall(text)) == expected, (entry.msgid, text)


def test_the_django_overrides_still_match_djangos_strings():
    """Each override must name a string that the installed Django still translates."""
    import django

    django_root = Path(django.__file__).parent
    known = set()
    for path in [
        django_root / "contrib/auth/locale/en/LC_MESSAGES/django.po",
        django_root / "conf/locale/en/LC_MESSAGES/django.po",
    ]:
        known |= {entry.msgid for entry in polib.pofile(path)}
    for entry in polib.pofile(CATALOGUES["ur-django"]):
        assert entry.msgid in known, entry.msgid


def test_django_strings_on_the_sign_in_page_are_in_urdu(client, db):
    client.post("/i18n/setlang/", {"language": "ur", "next": "/"})
    page = client.get("/accounts/login/").content.decode()
    assert "صارف نام" in page and "پاس ورڈ" in page
    with translation.override("ur"):
        assert translation.gettext("This field is required.") == "یہ خانہ لازمی ہے۔"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext's xgettext is not installed")
def test_the_catalogues_hold_every_string_of_the_source(tmp_path):
    """makemessages over a copy of the source finds no string the catalogues lack."""
    folders = [
        "accounts",
        "curriculum",
        "trainees",
        "notifications",
        "reports",
        "api",
        "trainingtracker",
        "demo",
    ]
    for folder in [*folders, "templates", "locale"]:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "manage.py", tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "zh_Hans",
            "--locale",
            "ur",
            "--no-obsolete",
            "--add-location",
            "file",
        ],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DJANGO_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for locale in ["zh_Hans", "ur"]:
        fresh = polib.pofile(tmp_path / f"locale/{locale}/LC_MESSAGES/django.po")
        committed = polib.pofile(ROOT / f"locale/{locale}/LC_MESSAGES/django.po")
        committed_ids = {(e.msgid, e.msgid_plural) for e in committed}
        missing = [e.msgid for e in fresh if (e.msgid, e.msgid_plural) not in committed_ids]
        assert missing == [], f"Run `make messages` and translate: {missing}"
        assert fresh.untranslated_entries() == [], "strings lost their translation on merge"
