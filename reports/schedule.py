"""Celery beat entries for this app (plain data: no Django imports here)."""

BEAT_SCHEDULE: dict = {}
