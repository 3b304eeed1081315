from django.urls import path

from . import manage_views, views

app_name = "curriculum"

urlpatterns = [
    path("", views.home, name="home"),
    path("modules/<int:pk>/", views.module_detail, name="module_detail"),
    # The programme admins' pages (curriculum/manage_views.py).
    path("new/", manage_views.programme_create, name="programme_create"),
    path("import/", manage_views.revision_import, name="revision_import"),
    path("<int:pk>/start/", manage_views.revision_start, name="revision_start"),
    path("revisions/<int:pk>/", manage_views.revision_detail, name="revision_detail"),
    path("revisions/<int:pk>/edit/", manage_views.revision_edit, name="revision_edit"),
    path("revisions/<int:pk>/publish/", manage_views.revision_publish, name="revision_publish"),
    path("revisions/<int:pk>/discard/", manage_views.revision_discard, name="revision_discard"),
    path(
        "revisions/<int:pk>/export.json",
        manage_views.revision_export_json,
        name="revision_export_json",
    ),
    path(
        "revisions/<int:pk>/modules.csv", manage_views.modules_export_csv, name="modules_export_csv"
    ),
    path("revisions/<int:pk>/modules/import/", manage_views.modules_import, name="modules_import"),
    path("revisions/<int:pk>/modules/new/", manage_views.module_create, name="module_create"),
    path(
        "revisions/<int:pk>/qualifications/new/",
        manage_views.qualification_create,
        name="qualification_create",
    ),
    # Translations: open on published revisions too (presentation, not syllabus).
    path("revisions/<int:pk>/translations/", manage_views.translations, name="translations"),
    # The language (?language=ur) and the text (?text=module/PC-101/title) as query parameters.
    path(
        "revisions/<int:pk>/translations/edit/",
        manage_views.translation_edit,
        name="translation_edit",
    ),
    path(
        "revisions/<int:pk>/translations.po",
        manage_views.translations_export_po,
        name="translations_export_po",
    ),
    path(
        "revisions/<int:pk>/translations/import/",
        manage_views.translations_import_po,
        name="translations_import_po",
    ),
    path("modules/<int:pk>/edit/", manage_views.module_edit, name="module_edit"),
    path("modules/<int:pk>/move/", manage_views.module_move, name="module_move"),
    path("modules/<int:pk>/archive/", manage_views.module_archive, name="module_archive"),
    path("modules/<int:pk>/delete/", manage_views.module_delete, name="module_delete"),
    path(
        "modules/<int:pk>/competencies/new/",
        manage_views.competency_create,
        name="competency_create",
    ),
    path(
        "modules/<int:pk>/assessments/new/",
        manage_views.assessment_create,
        name="assessment_create",
    ),
    path("competencies/<int:pk>/edit/", manage_views.competency_edit, name="competency_edit"),
    path("competencies/<int:pk>/delete/", manage_views.competency_delete, name="competency_delete"),
    path("assessments/<int:pk>/edit/", manage_views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/delete/", manage_views.assessment_delete, name="assessment_delete"),
    path(
        "qualifications/<int:pk>/edit/",
        manage_views.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "qualifications/<int:pk>/delete/",
        manage_views.qualification_delete,
        name="qualification_delete",
    ),
]
