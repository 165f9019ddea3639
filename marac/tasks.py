"""Celery tasks for daily meeting agendas and MARAC meeting documents (packs and minutes):
they take ids, load, and call the service.

Reliability: the rows are the durable record of the work. A request whose message never
reached the broker, or whose build's lease expired (its worker killed whole, its message lost
with a restarted broker), is sent again by the sweeper (resend_lost_requests, every minute and
when a worker starts). acks_late with reject-on-worker-lost (settings) also redelivers a task
whose pool process died, and the broker's visibility timeout one whose worker died whole. The
services are idempotent (one row per team and day, or per meeting, kind and audience; a build
locks its row; a finished file is written whole before the row points at it), so a duplicate
simply finds the work done.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from celery import shared_task
from celery.signals import worker_init, worker_ready
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from publicprotection.accounts.models import Team
from publicprotection.london_time import london_today

from .broker import SEND_ERRORS, TRANSIENT_ERRORS
from .meeting_calendar import is_meeting_day, meeting_time
from .models import Agenda, AgendaStatus, MeetingDocument
from .services.agendas import agenda_ensure, agenda_generate, agenda_send
from .services.background import lost_builds_resend
from .services.documents import document_generate

logger = logging.getLogger(__name__)

# A document task (an agenda, a meeting pack or minutes) is acknowledged only once done, so a
# worker that dies mid-way leaves it queued; database and broker hiccups are retried with
# growing, jittered waits; a stuck PDF is stopped.
DOCUMENT_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 5 * 60,
    "time_limit": 6 * 60,
}


@shared_task(**DOCUMENT_TASK_OPTIONS)
def generate_agenda(team_id: int, meeting_date_iso: str, force: bool = False) -> str:
    team = Team.objects.get(pk=team_id)
    agenda = agenda_generate(
        team=team, meeting_date=date.fromisoformat(meeting_date_iso), force=force
    )
    return agenda.status


def _queue(team_id: int, meeting_date: date, force: bool = False) -> bool:
    return agenda_send(team_id=team_id, meeting_date=meeting_date, force=force)


def largest_first(team_ids: list[int]) -> list[int]:
    """The teams by the size of their last ready agenda, largest first (then by id): the
    worker's processes take the long builds first and finish together, instead of one
    starting a 300-item borough when the other has nothing left."""
    last_counts = dict(
        Agenda.objects.filter(team_id__in=team_ids, status=AgendaStatus.READY)
        .order_by("team_id", "-meeting_date")
        .distinct("team_id")
        .values_list("team_id", "counts")
    )

    def size(team_id: int) -> int:
        counts = last_counts.get(team_id) or {}
        return sum(n for key, n in counts.items() if key != "carried_forward")

    return sorted(team_ids, key=lambda team_id: (-size(team_id), team_id))


def _queue_all(team_ids: list[int], meeting_date: date) -> None:
    """Send each team's agenda, largest first; once the broker fails, stop (each send would
    wait for its timeout): the rows are recorded, and the sweeper sends the rest when it is
    back."""
    for team_id in largest_first(team_ids):
        if not _queue(team_id, meeting_date):
            logger.warning(
                "Broker unavailable: the sweeper will send the agendas of %s", meeting_date
            )
            return


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def generate_daily_agendas(meeting_date_iso: str | None = None) -> int:
    """One agenda per team (the 32 boroughs and central) for the day: rows first, then tasks."""
    meeting_date = date.fromisoformat(meeting_date_iso) if meeting_date_iso else london_today()
    teams = list(Team.objects.order_by("code"))
    for team in teams:
        agenda_ensure(team=team, meeting_date=meeting_date)
    _queue_all([team.pk for team in teams], meeting_date)
    return len(teams)


def missing_team_ids(meeting_date: date, now: datetime | None = None) -> list[int]:
    """Teams whose agenda for the day is due but not ready, nor handed to a worker whose lease
    still runs."""
    now = now or timezone.now()
    if not is_meeting_day(meeting_date) or now < meeting_time(meeting_date):
        return []
    settled = Agenda.objects.filter(meeting_date=meeting_date).filter(
        # Not one built before its meeting time (it misses what came in since): it is built
        # again (marac.services.agendas._up_to_date), unless that already failed.
        Q(status=AgendaStatus.READY) & (~Q(generated_at__lt=F("period_end")) | ~Q(error=""))
        | Q(
            status__in=(AgendaStatus.PENDING, AgendaStatus.GENERATING),
            sent_at__isnull=False,
            lease_expires_at__gte=now,
        )
        | Q(status=AgendaStatus.FAILED, attempts__gte=settings.DAILY_AGENDA_MAX_AUTO_ATTEMPTS)
    )
    return list(
        Team.objects.exclude(pk__in=settled.values("team_id"))
        .order_by("code")
        .values_list("pk", flat=True)
    )


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def generate_missing_agendas() -> int:
    """The morning run and the catch-up: queue today's agendas that are due and not ready
    (after a Redis or worker outage, or the first beat tick after the meeting time)."""
    meeting_date = london_today()
    team_ids = missing_team_ids(meeting_date)
    teams = Team.objects.filter(pk__in=team_ids)
    for team in teams:  # the rows first: they record the work if the broker goes
        agenda_ensure(team=team, meeting_date=meeting_date)
    _queue_all(team_ids, meeting_date)
    if team_ids:
        logger.info("Queued %s agendas for %s", len(team_ids), meeting_date)
    return len(team_ids)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def resend_lost_requests() -> dict:
    """The sweeper (beat, every minute): send again the agendas and meeting documents asked for
    while the broker was down, and those whose build's lease expired (marac.services.background)."""
    resent = lost_builds_resend()
    return {"agendas": resent.agendas, "documents": resent.documents, "unsent": resent.unsent}


@worker_ready.connect
def _check_for_missing_agendas(sender=None, **kwargs) -> None:
    """When a worker comes up, catch up on agendas missed while it (or Redis) was down, and on
    builds that were never sent or whose worker died."""
    checks = [
        (settings.DAILY_AGENDA_CHECK_ON_WORKER_START, generate_missing_agendas),
        (settings.BACKGROUND_RESEND_ON_WORKER_START, resend_lost_requests),
    ]
    for enabled, task in checks:
        if not enabled:
            continue
        try:
            task.apply_async()
        except SEND_ERRORS:  # beat runs them again later
            logger.warning("Could not queue %s at worker start", task.name)


@shared_task(**DOCUMENT_TASK_OPTIONS)
def generate_meeting_document(document_id: int) -> str:
    """Build one copy of a meeting's pack or minutes (marac.services.documents)."""
    try:
        return document_generate(document_id=document_id).status
    except MeetingDocument.DoesNotExist:
        # An agency's copy removed meanwhile (its invitation withdrawn): nothing to build.
        logger.info("Meeting document %s was removed before it was built", document_id)
        return "removed"


@worker_init.connect
def _import_weasyprint(**kwargs) -> None:
    """Import WeasyPrint once in the worker's main process (it takes about a second), so the
    pool processes forked from it do not each pay for it on their first document."""
    import weasyprint  # noqa: F401
