"""The Celery application. The schedule lives here, in code, reviewed like code."""

import os

from celery import Celery
from celery.schedules import crontab

from marac.schedule import BEAT_SCHEDULE as MARAC_SCHEDULE
from reports.schedule import BEAT_SCHEDULE as REPORTS_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicprotection.settings.dev")

app = Celery("publicprotection")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "publicprotection.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "purge-expired-idempotent-requests": {
        "task": "publicprotection.idempotency.tasks.purge_expired_idempotent_requests",
        "schedule": crontab(hour=3, minute=45),
    },
    # Partitions three months ahead: a failed night, or a week of them, loses nothing.
    "ensure-audit-partitions": {
        "task": "publicprotection.audit.tasks.ensure_audit_partitions",
        "schedule": crontab(hour=4, minute=5),
    },
    **MARAC_SCHEDULE,
    **REPORTS_SCHEDULE,
}
