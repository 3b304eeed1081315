"""The curriculum in the crew's languages: each reader sees its texts in their language (the
source, marked with its language, where no translation exists), translators see what is missing
or out of date and hand files back and forth, and people's names show in the page's script.

Most tests read the demo, seeded once for the module; each test's writes are rolled back.
"""

import copy
import json
import re

import polib
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from curriculum import services
from curriculum.models import (
    Competency,
    Module,
    ProgrammeRevision,
    PublishedRevisionError,
    Translation,
)
from curriculum.selectors import revision_export, revision_texts, translation_coverage
from curriculum.texts import LocalText, text_local, texts_scope
from notifications import services as notifications
from tests.pdf import pdf_text
from trainees.models import Cohort, Trainee, TrainingSession

ROBOTICS_UR = "روبوٹک بازو کا استعمال"
ROBOTICS_ZH = "机械臂操作"
STATION_UR = "تیانگونگ اسٹیشن کے نظام"


@pytest.fixture
def demo(demo_seeded_for_module, db):
    return ProgrammeRevision.objects.get()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _squash(text: str) -> str:
    # pdftotext breaks lines and wraps right-to-left runs in embedding marks.
    return re.sub(r"[\s\u202a-\u202e\u200e\u200f]+", "", text)


# What each reader sees --------------------------------------------------------------------------


def test_the_urdu_reading_trainee_sees_urdu_module_titles_on_her_dashboard(demo):
    page = _client("trainee").get(reverse("trainees:trainee_home")).content.decode()
    assert ROBOTICS_UR in page and STATION_UR in page
    assert "Robotic arm operations" not in page
    # The cohort's name too, and the qualifications.
    assert "پے لوڈ ماہرین کا گروپ 2026" in page
    assert "آگ اور زہریلی فضا کی تازہ اہلیت" in page


def test_the_urdu_reading_trainee_sees_urdu_titles_on_her_transcript_page_and_pdf(demo):
    trainee = Trainee.objects.get(user__username="trainee")
    client = _client("trainee")
    page = client.get(reverse("trainees:transcript", args=[trainee.pk])).content.decode()
    assert STATION_UR in page
    assert "اسٹیشن کے نظاموں کا تحریری امتحان" in page  # the exam she failed, then passed
    assert "Tiangong station systems" not in page
    pdf = client.get(reverse("trainees:transcript_pdf", args=[trainee.pk])).content
    text = _squash(pdf_text(pdf))
    assert all(_squash(word) in text for word in STATION_UR.split())
    assert "Tiangongstationsystems" not in text


def test_an_urdu_reader_sees_urdu_titles_on_the_board_and_its_csv(demo):
    # The board is the trainers' and admins' page: the programme admin reads it in Urdu here.
    admin = User.objects.get(username="admin")
    admin.preferred_language = "ur"
    admin.save()
    cohort = Cohort.objects.get(name__startswith="Payload")
    client = _client("admin")
    page = client.get(reverse("trainees:cohort_board", args=[cohort.pk])).content.decode()
    assert f'title="{ROBOTICS_UR}"' in page
    assert "پے لوڈ ماہرین کا گروپ 2026" in page
    # Names in the page's script: Ayesha in Urdu with her Latin name beside it; Zhao Lei's
    # Chinese name is not in the page's script, so his Latin name stands alone.
    assert '<span lang="ur">عائشہ خان</span>' in page and "Ayesha Khan" in page
    assert "赵磊" not in page
    csv_text = client.get(reverse("trainees:cohort_board_csv", args=[cohort.pk])).content
    assert f"SO-203 {ROBOTICS_UR}" in csv_text.decode()


def test_the_urdu_reading_trainee_gets_a_reminder_in_urdu(demo, django_capture_on_commit_callbacks):
    ayesha = User.objects.get(username="trainee")
    session = TrainingSession.objects.filter(module__code="SO-203").first() or (
        TrainingSession.objects.first()
    )
    module = session.module
    params = {
        "module_code": module.code,
        "module_title": module.title,
        "module_id": module.pk,
        "starts_at": session.starts_at.isoformat(),
        "location": ", ".join(str(r) for r in session.resources.all()),
        "url": session.get_absolute_url(),
    }
    with notifications.deliveries_inline(), django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipient=ayesha, kind="session_upcoming", key="test:urdu", params=params
        )
    (message,) = [m for m in mail.outbox if m.to == [ayesha.email]]
    title = text_local(module, "title", "ur").text
    assert title != module.title
    assert title in message.subject and title in message.body
    assert title in message.alternatives[0][0]


def test_a_chinese_trainer_grades_against_chinese_behaviours_on_the_session_log(demo):
    session = (
        TrainingSession.objects.filter(
            cohort__name__startswith="Shenzhou", module__competencies__isnull=False
        )
        .select_related("module")
        .first()
    )
    client = _client(session.trainer.username)
    assert session.trainer.preferred_language == "zh-hans"
    page = client.get(reverse("trainees:session_log", args=[session.pk])).content.decode()
    competency = session.module.competencies.first()
    with translation.override("zh-hans"):
        title = text_local(competency, "title").text
        behaviours = text_local(competency, "behaviours").text.splitlines()
    assert title in page
    assert all(line in page for line in behaviours)
    assert competency.behaviour_list[0] not in page
    # The crew by the names the page's script writes: Chinese trainees in Chinese.
    chinese = session.trainees.filter(user__native_name__regex="^[一-鿿]").first()
    if chinese is not None:
        assert chinese.user.native_name in page


def test_a_missing_translation_falls_back_to_the_source_marked_with_its_language(demo):
    module = Module.objects.get(revision=demo, code="SO-203")
    module.translations.filter(field="title", language="ur").delete()
    page = _client("trainee").get(reverse("trainees:trainee_home")).content.decode()
    assert '<span lang="en" dir="ltr">Robotic arm operations</span>' in page
    assert ROBOTICS_UR not in page


def test_a_page_loads_each_revisions_texts_once(demo, django_assert_max_num_queries):
    modules = list(Module.objects.filter(revision=demo).prefetch_related("competencies"))
    competencies = [c for m in modules for c in m.competencies.all()]
    with texts_scope(), translation.override("zh-hans"), django_assert_max_num_queries(1):
        texts = [text_local(obj, "title").text for obj in [*modules, *competencies]]
    assert ROBOTICS_ZH in texts and len(texts) > 30


def test_a_name_loaded_with_its_programme_needs_no_texts_in_the_programmes_language(
    demo, django_assert_num_queries
):
    """A cohort loaded with its revision's programme: a reader in the programme's language reads
    its name as written with no query; a reader in another reads the translation, as before."""
    cohort = Cohort.objects.select_related("revision__programme").first()
    source = cohort.revision.programme.source_language
    services.translation_save(
        obj=cohort,
        name="name",
        language="ur",
        text="پہلا دستہ",
        by=User.objects.get(username="admin"),
    )
    with texts_scope(), django_assert_num_queries(0):
        assert text_local(cohort, "name", source) == LocalText(cohort.name, source, fallback=False)
    with texts_scope(), django_assert_num_queries(1):
        assert text_local(cohort, "name", "ur").text == "پہلا دستہ"
    bare = Cohort.objects.get(pk=cohort.pk)  # without its programme: the texts say the language
    with texts_scope(), django_assert_num_queries(1):
        assert text_local(bare, "name", source).text == cohort.name


# Translating ------------------------------------------------------------------------------------


def test_a_translation_is_added_to_a_published_revision_whose_source_stays_frozen(demo):
    admin = User.objects.get(username="admin")
    module = Module.objects.get(revision=demo, code="SO-203")
    saved = services.translation_save(
        obj=module, name="title", language="ur", text="  روبوٹ بازو  ", by=admin
    )
    assert saved.text == "روبوٹ بازو" and saved.translated_by == admin
    assert saved.history.count() == 2  # the demo's, then this correction, with who
    module.title = "Changed"
    with pytest.raises(PublishedRevisionError):
        module.save()
    with pytest.raises(services.ValidationError):
        services.translation_save(obj=module, name="title", language="en", text="x", by=admin)
    with pytest.raises(services.ValidationError):
        services.translation_save(obj=module, name="code", language="ur", text="x", by=admin)


def test_editing_a_source_text_flags_its_translations_out_of_date_on_the_coverage_page(demo):
    draft = services.revision_start(programme=demo.programme)
    items = revision_texts(revision=draft)
    before = {c.language: c for c in translation_coverage(revision=draft, items=items)}
    assert before["ur"].out_of_date == 0 and before["zh-hans"].out_of_date == 0
    assert before["ur"].missing == 0  # the demo's curriculum is translated whole

    competency = Competency.objects.get(module__revision=draft, code="SO-203-1")
    competency.behaviours += "\nReports the arm's position to the crew"
    services.competency_save(competency=competency)

    client = _client("admin")
    url = reverse("curriculum:translations", args=[draft.pk])
    page = client.get(url, {"language": "ur"}).content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    ur = next(r for r in rows if "اردو" in r)
    assert re.findall(r'<td class="text-end">(\d+)</td>', ur)[1] == "1"  # out of date
    assert "competency/SO-203/SO-203-1/behaviours" in page
    todo = client.get(url, {"language": "ur", "show": "todo"}).content.decode()
    assert "competency/SO-203/SO-203-1/behaviours" in todo
    assert "module/SO-203/title" not in todo

    # Reviewed: saved again from the edit page, it is up to date.
    edit = reverse("curriculum:translation_edit", args=[draft.pk])
    query = "?language=ur&text=competency/SO-203/SO-203-1/behaviours"
    form = client.get(edit + query).content.decode()
    assert "The source has changed" in form
    response = client.post(edit + query, {"text": "بازو کو راہداری میں رکھتا ہے\nعملے کو بتاتا ہے"})
    assert response.status_code == 302
    after = {
        c.language: c
        for c in translation_coverage(revision=draft, items=revision_texts(revision=draft))
    }
    assert after["ur"].out_of_date == 0 and after["zh-hans"].out_of_date == 1


def test_bad_input_on_the_edit_page_is_named_beside_the_field_and_kept(demo):
    client = _client("admin")
    url = reverse("curriculum:translation_edit", args=[demo.pk])
    query = "?language=zh-hans&text=module/SO-203/title"
    response = client.post(url + query, {"text": "x" * 201})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert "x" * 201 in response.content.decode()
    module = Module.objects.get(revision=demo, code="SO-203")
    assert module.translations.get(language="zh-hans", field="title").text == ROBOTICS_ZH
    assert client.get(url, {"language": "xx"}).status_code == 404
    assert client.get(url, {"language": "en"}).status_code == 404  # the source language
    assert client.get(url, {"language": "ur", "text": "module/XX/title"}).status_code == 404


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("ur.po", text.encode(), "text/x-gettext-translation")


def test_the_translators_round_trip_export_change_import(demo):
    client = _client("admin")
    exported = client.get(
        reverse("curriculum:translations_export_po", args=[demo.pk]), {"language": "ur"}
    )
    assert exported["Content-Disposition"].endswith('-ur.po"')
    catalogue = polib.pofile(exported.content.decode())
    assert catalogue.metadata["Language"] == "ur"
    entry = catalogue.find("Robotic arm operations", msgctxt="module/SO-203/title")
    assert entry.msgstr == ROBOTICS_UR
    entry.msgstr = "روبوٹک بازو کا کام"
    catalogue.find("Arm control", msgctxt="competency/SO-203/SO-203-1/title").msgstr = ""

    url = reverse("curriculum:translations_import_po", args=[demo.pk]) + "?language=ur"
    response = client.post(url, {"file": _upload(str(catalogue))})

    assert response.status_code == 302
    module = Module.objects.get(revision=demo, code="SO-203")
    assert text_local(module, "title", "ur").text == "روبوٹک بازو کا کام"
    # An empty entry leaves the translation as it was.
    arm = Competency.objects.get(module=module, code="SO-203-1")
    assert text_local(arm, "title", "ur").text == "بازو پر قابو"
    page = _client("trainee").get(reverse("trainees:trainee_home")).content.decode()
    assert "روبوٹک بازو کا کام" in page  # pages show the new text at once


def test_a_bad_translators_file_changes_nothing_and_names_each_bad_entry(demo):
    client = _client("admin")
    text = client.get(
        reverse("curriculum:translations_export_po", args=[demo.pk]), {"language": "ur"}
    ).content.decode()
    catalogue = polib.pofile(text)
    catalogue.find("Robotic arm operations", msgctxt="module/SO-203/title").msgstr = "نیا"
    catalogue.find("Arm control", msgctxt="competency/SO-203/SO-203-1/title").msgstr = "x" * 201
    catalogue.append(polib.POEntry(msgctxt="module/XX-999/title", msgid="Gone", msgstr="گیا"))
    before = list(Translation.objects.values_list("pk", "text", "source_digest"))

    url = reverse("curriculum:translations_import_po", args=[demo.pk]) + "?language=ur"
    page = client.post(url, {"file": _upload(str(catalogue))}).content.decode()

    assert "Nothing was imported: 2 problems to fix." in page
    assert "(competency/SO-203/SO-203-1/title): At most 200 characters" in page
    assert "(module/XX-999/title): no such text in this revision." in page
    assert list(Translation.objects.values_list("pk", "text", "source_digest")) == before
    # Another language's file, and a file that is not PO at all.
    catalogue.metadata["Language"] = "zh_Hans"
    page = client.post(url, {"file": _upload(str(catalogue))}).content.decode()
    assert "The file is for the language zh-hans, not ur." in page
    page = client.post(url, {"file": _upload('msgid "a"\nmsgstr\n"b" "c\n')}).content.decode()
    assert "Nothing was imported" in page
    page = client.post(url, {"file": _upload("/etc/passwd")}).content.decode()
    assert "Nothing was imported" in page
    assert list(Translation.objects.values_list("pk", "text", "source_digest")) == before


# Exchange ---------------------------------------------------------------------------------------


def test_translations_travel_in_the_json_export_and_import(demo):
    data = json.loads(json.dumps(revision_export(revision=demo)))
    assert data["programme"]["source_language"] == "en"
    assert data["translations"]["ur"]["module/SO-203/title"]["text"] == ROBOTICS_UR
    assert data["translations"]["zh-hans"]["programme/name"]["text"] == "天宫乘组训练"
    data["programme"] = {**data["programme"], "code": "eva", "name": "Spacewalk training"}

    imported = services.revision_import(data=copy.deepcopy(data))

    module = imported.modules.get(code="SO-203")
    assert text_local(module, "title", "zh-hans").text == ROBOTICS_ZH
    assert text_local(imported.programme, "name", "ur").text == "تیانگونگ عملے کی تربیت"
    again = revision_export(revision=imported)
    assert again["translations"] == data["translations"]


def test_a_json_translation_of_no_text_is_refused_and_named(demo):
    data = copy.deepcopy(revision_export(revision=demo))
    data["programme"]["code"] = "eva"
    data["translations"]["ur"]["module/XX-1/title"] = {
        "text": "x",
        "source_digest": "0" * 64,
    }
    data["translations"]["ur"]["module/SO-203/title"]["text"] = "x" * 201
    with pytest.raises(services.ImportRefused) as refused:
        services.revision_import(data=data)
    assert sorted(refused.value.messages) == [
        "Translation ur module/SO-203/title: at most 200 characters.",
        "Translation ur module/XX-1/title: no such text in this file.",
    ]
    data = copy.deepcopy(revision_export(revision=demo))
    data["translations"]["en"] = {}
    with pytest.raises(services.ImportRefused) as refused:
        services.revision_import(data=data)
    assert refused.value.messages == ["Translations into en: that is the source language."]


def test_a_new_draft_carries_the_translations_and_who_made_them(demo):
    draft = services.revision_start(programme=demo.programme)
    module = draft.modules.get(code="SO-203")
    copied = module.translations.get(field="title", language="ur")
    assert copied.revision == draft and copied.translated_by.username == "admin"
    assert copied.is_current(module.title)
