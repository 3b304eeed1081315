"""Environments for tests that start Django in a process of its own."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The one host name production_env allows.
PRODUCTION_HOST = "tracker.example.org"


def clean_environment(**env: str) -> dict:
    """This process's environment without any setting of ours (nor the browser tests' flag)."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "CACHE_URL", "EMAIL_URL")
        )
    }
    return {**base, "DJANGO_SETTINGS_MODULE": "trainingtracker.settings", **env}


def production_env(tmp_path) -> dict:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": PRODUCTION_HOST,
        "DJANGO_VAR_DIR": str(tmp_path),
    }
