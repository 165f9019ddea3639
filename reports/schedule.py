"""Celery beat entries for this app (plain data: no Django imports here)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "refresh-trends-rollup": {
        "task": "reports.tasks.refresh_rollup",
        # After midnight London time, so yesterday is complete; before the 07:00 agendas.
        "schedule": crontab(hour=2, minute=30),
    },
}
