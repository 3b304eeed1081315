from django.urls import path

from trainees.records import views

urlpatterns = [
    path("trainee/my-records.json", views.my_records_download, name="my_records"),
    # A record's history, for programme admins: one page per kind of record.
    *[
        path(
            f"history/{kind}/<int:pk>/",
            views.record_history_page,
            {"kind": kind},
            name=f"{kind}_history",
        )
        for kind in views.KINDS
    ],
]
