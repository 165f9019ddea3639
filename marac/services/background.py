"""The sweeper: builds asked for but not under way are sent to the worker again.

An agenda or meeting document row is the durable record of its request. A build is lost when
its message never reached the broker (it was down or hung when the request was made: `sent_at`
is empty), or when its lease expired (the message was lost with a restarted broker, or the
worker building it was killed whole). Every minute (beat) and when a worker starts, those rows
are set pending again and sent; a row locked by a live build is skipped, so a build still
running is never doubled, and a duplicate message finds the copy ready and stops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import IN_PROGRESS_STATUSES, Agenda, AgendaStatus, MeetingDocument
from .agendas import agenda_send
from .documents import document_send

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Resent:
    agendas: int
    documents: int
    unsent: int  # still waiting for the broker


def lost(now: datetime) -> Q:
    """In progress, and never sent or past its lease."""
    return Q(status__in=IN_PROGRESS_STATUSES) & (
        Q(sent_at__isnull=True) | Q(lease_expires_at__lt=now)
    )


def lost_builds_resend(*, now: datetime | None = None) -> Resent:
    now = now or timezone.now()
    with transaction.atomic():
        # SKIP LOCKED: a row locked by a build that is still rendering is alive, whatever its
        # lease says; a killed worker's lock went with its database connection.
        agendas = list(
            Agenda.objects.select_for_update(skip_locked=True)
            .filter(lost(now))
            .order_by("pk")
            .values_list("pk", "team_id", "meeting_date")[:BATCH]
        )
        documents = list(
            MeetingDocument.objects.select_for_update(skip_locked=True)
            .filter(lost(now))
            .order_by("pk")[:BATCH]
        )
        # Back to "asked for, not yet sent" until the broker takes it again.
        reset = {"status": AgendaStatus.PENDING, "sent_at": None, "lease_expires_at": None}
        Agenda.objects.filter(pk__in=[pk for pk, _, _ in agendas]).update(**reset, updated_at=now)
        MeetingDocument.objects.filter(pk__in=[d.pk for d in documents]).update(
            **reset, updated_at=now
        )
    sends = [
        *(partial(agenda_send, team_id=team_id, meeting_date=day) for _, team_id, day in agendas),
        *(partial(document_send, document=document) for document in documents),
    ]
    unsent = 0
    for position, send in enumerate(sends):
        if not send():
            # The broker is down again: each further send would wait for its timeout. The rest
            # stay recorded as unsent for the next sweep.
            unsent = len(sends) - position
            break
    if agendas or documents:
        logger.warning(
            "Sent again %s agenda(s) and %s meeting document(s) that were unsent or past their "
            "lease; %s still wait for the broker",
            len(agendas),
            len(documents),
            unsent,
        )
    return Resent(agendas=len(agendas), documents=len(documents), unsent=unsent)
