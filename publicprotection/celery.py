"""The Celery application (wiring). It is imported by the package's __init__, so by every
process that imports any core module: it therefore names no app. Its configuration, the beat
schedule included, comes from the settings (CELERY_*), where the wiring assembles each app's
entries (docs/adr/0011)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicprotection.settings.dev")

app = Celery("publicprotection")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
