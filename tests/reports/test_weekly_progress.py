"""The weekly job works out the trainees' progress once per chunk and their reports,
built one at a time by the delivery layer, read it from the progress cache: never after a write.

These tests commit for real (`transaction=True`), as production does,
with a fresh local-memory cache. Ayesha (`trainee`) and Zhao Lei (`other_trainee`).
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from reports import builders, services
from reports.models import ReportKind
from trainees.models import QualificationGrant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("progress_cache_on")]


@pytest.fixture
def worked_out(monkeypatch):
    """The trainees whose progress is worked out from their records, one list per call."""
    calls = []
    real = builders.trainees_progress

    def spy(*, trainees, **kwargs):
        calls.append(sorted(t.user.username for t in trainees))
        return real(trainees=trainees, **kwargs)

    monkeypatch.setattr(builders, "trainees_progress", spy)
    return calls


def _report(reader):
    with translation.override(reader.preferred_language), timezone.override(reader.time_zone):
        return builders.BUILDERS[ReportKind.TRAINEE_WEEKLY](reader, {})


def test_the_chunk_works_out_its_trainees_progress_at_once(
    world, trainee, other_trainee, worked_out, settings
):
    services.weekly_progress_warm(readers=[trainee, other_trainee])
    assert worked_out == [["ayesha", "zhaolei"]]
    ayesha, zhao = _report(trainee), _report(other_trainee)
    assert len(worked_out) == 1  # both reports read it from the cache
    settings.PROGRESS_CACHE = False
    assert (_report(trainee).text, _report(other_trainee).text) == (ayesha.text, zhao.text)


def test_a_reader_in_another_time_zone_has_the_progress_of_their_own_day(
    world, trainee, other_trainee, worked_out, time_machine
):
    # 20:00 UTC on Sunday is already Monday in Karachi (UTC+5): another day, another entry.
    time_machine.move_to(dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC), tick=False)
    trainee.time_zone = "Asia/Karachi"
    trainee.save()
    other_trainee.time_zone = "UTC"
    other_trainee.save()
    services.weekly_progress_warm(readers=[trainee, other_trainee])
    assert sorted(worked_out) == [["ayesha"], ["zhaolei"]]
    assert _report(trainee).html and _report(other_trainee).html
    assert len(worked_out) == 2


def test_a_write_after_the_chunk_is_in_the_report(world, trainee, trainer, worked_out):
    services.weekly_progress_warm(readers=[trainee])
    qualification = world["qualification"]
    QualificationGrant.objects.create(
        trainee=world["trainee_a"],
        qualification=qualification,
        granted_on=timezone.localdate() - dt.timedelta(days=80),
        expires_on=timezone.localdate() + dt.timedelta(days=10),
        granted_by=trainer,
    )
    report = _report(trainee)
    assert len(worked_out) == 2  # worked out again: the cached one predates the grant
    assert qualification.code in report.text
