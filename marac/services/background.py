"""The sweeper: builds asked for but not under way are sent to the worker again.

An agenda or meeting document row is the durable record of its request. A build is lost when
its message never reached the broker (it was down or hung when the request was made: `sent_at`
is empty), or when its lease expired (the message was lost with a restarted broker, or the
worker building it was killed whole). Every minute (beat) and when a worker starts, those rows
are set pending again and sent; a row locked by a live build is skipped, so a build still
running is never doubled, and a duplicate message finds the copy ready and stops. A build whose
worker died more than BACKGROUND_MAX_TAKEOVERS times in a row is marked failed instead (the
page shows the error and a retry button), so a build that always kills its worker cannot loop;
an agenda or document that was built before goes back to ready with its last good PDF and
the error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import IN_PROGRESS_STATUSES, Agenda, AgendaStatus, MeetingDocument
from .agendas import agenda_send
from .builds import builds_mark_failed
from .documents import document_send

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Resent:
    agendas: int
    documents: int
    unsent: int  # still waiting for the broker
    given_up: int = 0  # marked failed: their worker died too many times


GAVE_UP = (
    "The background worker stopped while building this {times} times. Try again; if it "
    "fails again, contact your system administrator."
)


def lost(now: datetime) -> Q:
    """In progress, and never sent or past its lease."""
    return Q(status__in=IN_PROGRESS_STATUSES) & (
        Q(sent_at__isnull=True) | Q(lease_expires_at__lt=now)
    )


def _take_over(model, now: datetime) -> tuple[list, int]:
    """Lock the model's lost rows (skipping those a live build holds), set them back to
    "asked for, not yet sent", and fail those whose worker died too often. Returns the rows to
    send and how many were failed."""
    # SKIP LOCKED: a row locked by a build that is still rendering is alive, whatever its
    # lease says; a killed worker's lock went with its database connection.
    rows = list(
        model.objects.select_for_update(skip_locked=True).filter(lost(now)).order_by("pk")[:BATCH]
    )
    # A row still "generating" past its lease was started and never finished.
    died = [row.pk for row in rows if row.is_generating]
    exhausted = {
        row.pk
        for row in rows
        if row.pk in died and row.takeovers >= settings.BACKGROUND_MAX_TAKEOVERS
    }
    # A regeneration given up leaves the last good copy as it was.
    builds_mark_failed(
        model.objects.filter(pk__in=exhausted),
        error=GAVE_UP.format(times=settings.BACKGROUND_MAX_TAKEOVERS + 1),
        now=now,
    )
    resend = [row for row in rows if row.pk not in exhausted]
    reset = {"status": AgendaStatus.PENDING, "sent_at": None, "lease_expires_at": None}
    model.objects.filter(pk__in=[row.pk for row in resend]).update(**reset, updated_at=now)
    model.objects.filter(pk__in=set(died) - exhausted).update(takeovers=F("takeovers") + 1)
    return resend, len(exhausted)


def lost_builds_resend(*, now: datetime | None = None) -> Resent:
    now = now or timezone.now()
    with transaction.atomic():
        agendas, agendas_failed = _take_over(Agenda, now)
        documents, documents_failed = _take_over(MeetingDocument, now)
    sends = [
        *(partial(agenda_send, team_id=a.team_id, meeting_date=a.meeting_date) for a in agendas),
        *(partial(document_send, document=document) for document in documents),
    ]
    unsent = 0
    for position, send in enumerate(sends):
        if not send():
            # The broker is down again: each further send would wait for its timeout. The rest
            # stay recorded as unsent for the next sweep.
            unsent = len(sends) - position
            break
    given_up = agendas_failed + documents_failed
    if sends or given_up:
        logger.warning(
            "Sent again %s agenda(s) and %s meeting document(s) that were unsent or past their "
            "lease (%s still wait for the broker); %s failed after their worker died %s times",
            len(agendas),
            len(documents),
            unsent,
            given_up,
            settings.BACKGROUND_MAX_TAKEOVERS + 1,
        )
    return Resent(agendas=len(agendas), documents=len(documents), unsent=unsent, given_up=given_up)
