import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from accounts.tasks import sessions_clear_expired
from trainingtracker.celery import app as celery_app


def test_tasks_are_acked_late_and_carry_only_json():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.worker_prefetch_multiplier == 1


def test_a_task_is_killed_before_the_broker_would_hand_it_to_another_worker():
    visibility = celery_app.conf.broker_transport_options.get("visibility_timeout")
    if visibility is not None:
        assert celery_app.conf.task_time_limit < visibility
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit


def test_every_scheduled_job_names_a_registered_task():
    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name
    assert celery_app.conf.beat_scheduler == settings.CELERY_BEAT_SCHEDULER


def test_clearing_sessions_removes_only_expired_ones_and_can_run_twice(db):
    for _ in range(2):
        SessionStore().create()
    with time_machine.travel(dt.timedelta(seconds=-settings.SESSION_COOKIE_AGE - 60)):
        SessionStore().create()
    assert sessions_clear_expired() == 1
    assert sessions_clear_expired() == 0
    assert Session.objects.count() == 2
