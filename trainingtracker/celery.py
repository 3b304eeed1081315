"""The Celery application: configured from Django's settings (CELERY_*), tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")

app = Celery("trainingtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
