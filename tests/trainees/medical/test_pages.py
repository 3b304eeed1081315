"""The medical officer's pages: holds opened and closed, certificates recorded, measurements
read; and the split: nobody else ever reads a hold's reason or a certificate's details."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import MedicalCertificateFactory, TraineeFactory
from tests.test_access_matrix import EXPECTED, WITH_ID
from tests.test_security import ALL_PATTERNS, concrete
from trainees.models import MedicalCertificate, MedicalHold
from trainees.progress.selectors import trainee_progress

TODAY = timezone.localdate


@pytest.fixture
def medic_client(client, medic):
    client.force_login(medic)
    return client


def test_a_medic_opens_and_closes_a_hold_which_blocks_readiness_meanwhile(
    medic_client, world, medic
):
    trainee = world["trainee_b"]  # their hold is closed
    url = reverse("trainees:hold_open", args=[trainee.pk])
    response = medic_client.post(
        url, {"opened_on": str(TODAY()), "reason": "Barotrauma after the pool session."}
    )
    assert response["Location"] == reverse("trainees:medical_record", args=[trainee.pk])
    hold = MedicalHold.objects.get(trainee=trainee, closed_on__isnull=True)
    assert (hold.reason, hold.opened_by) == ("Barotrauma after the pool session.", medic)
    assert trainee_progress(trainee=trainee).readiness.medical_hold

    # A second open hold is refused above the form, the reason typed kept.
    again = medic_client.post(url, {"opened_on": str(TODAY()), "reason": "Again."})
    assert "already has an open medical hold" in again.content.decode()
    assert again.context["form"]["reason"].value() == "Again."
    assert MedicalHold.objects.filter(trainee=trainee).count() == 2

    close = reverse("trainees:hold_close", args=[hold.pk])
    medic_client.post(close, {"closed_on": str(TODAY()), "note": "Cleared by ENT."})
    hold.refresh_from_db()
    assert (hold.closed_on, hold.closed_by, hold.closing_note) == (
        TODAY(),
        medic,
        "Cleared by ENT.",
    )
    assert medic_client.post(close, {"closed_on": str(TODAY())}).status_code == 200
    assert (
        "already closed" in medic_client.post(close, {"closed_on": str(TODAY())}).content.decode()
    )


def test_a_hold_cannot_open_on_a_day_still_to_come(medic_client, world):
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = medic_client.post(
        reverse("trainees:hold_open", args=[world["trainee_b"].pk]),
        {"opened_on": str(tomorrow), "reason": "Planned surgery."},
    )
    assert "opened_on" in response.context["form"].errors
    assert not MedicalHold.objects.filter(trainee=world["trainee_b"], closed_on=None).exists()


def test_a_medic_records_certificates_which_feed_readiness(medic_client, world, medic):
    trainee = world["trainee_b"]
    lacking = trainee_progress(trainee=trainee).readiness.lacking_certificates
    assert [lack.kind for lack in lacking] == ["medical", "fitness"]
    url = reverse("trainees:certificate_add", args=[trainee.pk])
    issued = TODAY() - dt.timedelta(days=3)
    for kind in ("medical", "fitness"):
        response = medic_client.post(
            url,
            {
                "kind": kind,
                "issued_on": str(issued),
                "expires_on": str(issued + dt.timedelta(days=365)),
                "examiner": "ACC aeromedical board",
                "restrictions": "",
            },
        )
        assert response["Location"] == reverse("trainees:medical_record", args=[trainee.pk])
    assert trainee_progress(trainee=trainee).readiness.lacking_certificates == []
    certificate = MedicalCertificate.objects.get(trainee=trainee, kind="medical")
    assert certificate.recorded_by == medic

    # The same certificate sent twice is recorded once.
    again = medic_client.post(
        url,
        {
            "kind": "medical",
            "issued_on": str(issued),
            "expires_on": str(issued + dt.timedelta(days=365)),
            "examiner": "ACC aeromedical board",
        },
    )
    assert "already recorded" in again.content.decode()
    assert MedicalCertificate.objects.filter(trainee=trainee).count() == 2


def test_a_certificate_must_expire_after_its_issue(medic_client, world):
    response = medic_client.post(
        reverse("trainees:certificate_add", args=[world["trainee_a"].pk]),
        {
            "kind": "fitness",
            "issued_on": str(TODAY()),
            "expires_on": str(TODAY()),
            "examiner": "Board",
        },
    )
    assert response.context["form"].errors["expires_on"] == [
        "A certificate must expire after the day it is issued."
    ]
    assert response.context["form"]["examiner"].value() == "Board"
    assert not MedicalCertificate.objects.exists()


def test_the_medical_record_shows_holds_certificates_and_measurements(medic_client, world):
    trainee = world["trainee_a"]
    MedicalCertificateFactory(trainee=trainee, restrictions="No centrifuge above 6 g.")
    page = medic_client.get(reverse("trainees:medical_record", args=[trainee.pk]))
    html = page.content.decode()
    assert world["hold_a"].reason in html
    assert "No centrifuge above 6 g." in html
    assert "48.00 ml/kg/min" in html
    assert "Fitness certificate: none recorded" in html


def test_the_medical_home_lists_certificates_to_renew(medic_client, world):
    MedicalCertificateFactory(
        trainee=world["trainee_a"],
        kind="medical",
        issued_on=TODAY() - dt.timedelta(days=350),
        expires_on=TODAY() + dt.timedelta(days=15),
    )
    MedicalCertificateFactory(trainee=world["trainee_a"], kind="fitness")  # valid 335 more days
    due = medic_client.get(reverse("trainees:medical_home")).context["certificates_due"]
    assert [(d.trainee, d.kind, d.expires_on) for d in due] == [
        (world["trainee_b"], "medical", None),
        (world["trainee_b"], "fitness", None),
        (world["trainee_a"], "medical", TODAY() + dt.timedelta(days=15)),
    ]


# The split -------------------------------------------------------------------------------------


SECRETS = [
    "Vestibular symptoms after centrifuge run",  # hold_a's reason (tests/factories.py)
    "Sprained ankle.",  # hold_b's reason
    "Cleared for pool work.",  # hold_b's closing note
    "Corrective lenses in flight.",  # the certificates' restrictions
    "Aeromedical board",  # their examiner
]


def _pages_for(persona):
    """Every page of the project (the access matrix's tables) this persona may open."""
    for name, by_persona in EXPECTED.items():
        if by_persona[persona] == 200:
            yield name, None
    for name, by_persona in WITH_ID.items():
        seen, status, _unseen, _ = by_persona[persona]
        if seen and status == 200:
            yield name, seen


@pytest.mark.parametrize("persona", ["programme_admin", "trainer", "trainee"])
def test_no_one_but_a_medic_reads_a_reason_or_a_certificate_on_any_page(world, personas, persona):
    hold_b = world["hold_b"]
    hold_b.closing_note = "Cleared for pool work."
    hold_b.save()
    for trainee in (world["trainee_a"], world["trainee_b"]):
        MedicalCertificateFactory(trainee=trainee, kind="medical")
    user = personas[persona]
    user.preferred_language = "en"  # the words checked at the end are English
    user.save()
    client = Client()
    client.force_login(user)
    pages = list(_pages_for(persona))
    assert len(pages) >= 5
    trainee_page = reverse("trainees:trainee_detail", args=[world["trainee_a"].pk])
    routes = {name: route for route, name in ALL_PATTERNS}
    for name, obj in pages:
        url = reverse(name, kwargs={"pk": world[obj].pk}) if obj else concrete(routes[name])
        response = client.get(url)
        if not response["Content-Type"].startswith("text/"):
            continue  # the transcript's PDF is made from the same template part as its page
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, (persona, url, secret)
    # They do see that a hold is open, and its dates.
    html = client.get(trainee_page).content.decode()
    assert "Medical hold" in html
    assert "Fitness certificate: none recorded" in html


def test_the_medic_reads_what_the_others_do_not(medic_client, world):
    MedicalCertificateFactory(trainee=world["trainee_a"])
    html = medic_client.get(
        reverse("trainees:medical_record", args=[world["trainee_a"].pk])
    ).content.decode()
    for secret in [SECRETS[0], SECRETS[3], SECRETS[4]]:
        assert secret in html


def test_the_gates_give_certificates_to_medics_only(personas, world):
    MedicalCertificateFactory(trainee=world["trainee_a"])
    for persona, user in personas.items():
        expected = 1 if persona in {"medic", "operator"} else 0
        assert MedicalCertificate.objects.visible_to(user).count() == expected, persona


def test_a_trainee_added_without_certificates_is_listed_for_the_medic(medic_client, world):
    newcomer = TraineeFactory(cohort=world["cohort_a"])
    due = medic_client.get(reverse("trainees:medical_home")).context["certificates_due"]
    assert {(d.trainee, d.kind) for d in due} >= {(newcomer, "medical"), (newcomer, "fitness")}
