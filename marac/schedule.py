"""Celery beat entries for this app (plain data: no Django imports here).

The daily agendas are queued by a frequent check rather than a single 07:00 entry: the check
queues every agenda that is due (after settings.DAILY_AGENDA_HOUR:MINUTE, London time, Monday
to Friday) and not ready, so the first tick after the meeting time produces all 33, a changed
meeting time needs no schedule change, and agendas missed while Redis or the worker was down
are produced when they are back.

The sweeper sends again, every minute, any agenda or meeting document asked for while the
broker was down, or whose build's lease expired (its worker killed): such work waits at most a
minute once the broker and a worker are back.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "marac-daily-agendas": {
        "task": "marac.tasks.generate_missing_agendas",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "marac-resend-lost-requests": {
        "task": "marac.tasks.resend_lost_requests",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
}
