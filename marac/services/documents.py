"""Writes for meeting documents (packs and minutes, per audience): asking for one and building
it in the worker. Follows the daily agendas (ADR 0005):

- one row per meeting, kind and audience (unique in the database, the coordinator's copy has
  no agency); asking again while a build is under way changes nothing and sends nothing
  (unless its request never reached the broker, or its lease expired);
- the row is the durable record of the request: its message is sent on commit and `sent_at`
  records that the broker took it. A request made while the broker is down (or hung: broker
  calls time out in seconds) stays pending and unsent, and the page says so; the sweeper
  (marac.services.background, every minute) sends it once the broker is back;
- the task takes the row's id; building takes a lease (BACKGROUND_LEASE_SECONDS) and locks the
  row for the whole render, so a duplicate or redelivered task waits, then finds the copy ready
  and stops, and the build of a worker killed whole is sent again once its lease expires;
- the PDF is rendered whole in memory, written under a name derived from its checksum, and
  only then does the row point at it; a failure marks the row failed with the error (the page
  shows it with a retry button) and is raised again for the task to retry if transient;
- asking again for a ready copy never takes it away: its file and checksum are replaced only
  by a build that succeeds, so the last good copy stays downloadable while a newer one is
  built, and a rebuild that fails puts it back to ready with the error (`builds_mark_failed`),
  which a retry of the task (or asking again) then tries to clear.

The copy is built as the requester sees it (the same viewer-scoped selectors as the pages), and
only while the requester still has the access the copy is for.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from publicprotection.errors import StateError
from publicprotection.private_files import store_checksummed

from .. import broker
from ..models import (
    DocumentKind,
    DocumentStatus,
    MaracMeeting,
    MeetingDocument,
    lease_from,
)
from ..pdf import render_meeting_document_pdf
from ..selectors import documents as selectors
from .builds import builds_mark_failed, builds_remove_old_files

logger = logging.getLogger(__name__)


class DocumentStateError(StateError):
    """The document cannot be asked for now (minutes before the meeting, a cancelled one)."""


class DocumentAccessLost(Exception):
    """The requester no longer has the access the copy is for: nothing is built."""


def document_directory(document: MeetingDocument) -> str:
    audience = f"agency-{document.agency_id}" if document.agency_id else "coordinator"
    return f"marac/meetings/{document.meeting_id}/{document.kind}/{audience}"


def document_filename(document: MeetingDocument) -> str:
    """The name the user's browser saves it as."""
    day = timezone.localtime(document.meeting.starts_at)
    audience = f"-agency-{document.agency_id}" if document.agency_id else ""
    return f"marac-{document.kind}-{document.meeting.team.code}-{day:%Y-%m-%d}{audience}.pdf"


def _lock(document_id: int) -> MeetingDocument:
    return (
        MeetingDocument.objects.select_for_update(of=("self",))
        .select_related("meeting__team", "agency", "requested_by")
        .get(pk=document_id)
    )


# --- Asking for a copy ---------------------------------------------------------------------


def _check_requestable(meeting: MaracMeeting, kind: str) -> None:
    if meeting.is_cancelled:
        raise DocumentStateError("This meeting is cancelled.")
    if kind == DocumentKind.MINUTES and not selectors.minutes_available(meeting):
        raise DocumentStateError("The minutes can be produced once the meeting has started.")


def document_send(*, document: MeetingDocument) -> bool:
    """Hand the build to the worker, then record that the broker took it (`sent_at` and the
    lease). False if the broker cannot be reached: the copy stays pending and unsent, and the
    sweeper sends it once the broker is back."""
    try:
        broker.send(broker.GENERATE_MEETING_DOCUMENT, args=[document.pk])
    except broker.SEND_ERRORS:
        logger.warning("Broker unavailable: meeting document %s waits for it", document.pk)
        return False
    now = timezone.now()
    # Unless a worker already took it (its claim records sent_at itself).
    MeetingDocument.objects.filter(
        pk=document.pk, status=DocumentStatus.PENDING, sent_at__isnull=True
    ).update(sent_at=now, lease_expires_at=lease_from(now))
    document.sent_at, document.lease_expires_at = now, lease_from(now)
    return True


def document_request(
    *, actor, meeting: MaracMeeting, kind: str
) -> tuple[MeetingDocument, bool | None]:
    """Ask for the actor's copy of the meeting's pack or minutes (also the retry of a failed
    one, and the refresh of a ready one). `meeting` must come from document_meeting_get.

    Returns the row and whether its build was handed to the worker: True, False (the broker
    is down: the request is recorded and sent later), or None when nothing was sent because a
    build is already under way, or the caller's transaction has not committed yet. Asking again
    while the request is unsent, or its lease has expired, sends it again.
    """
    if kind not in DocumentKind.values:
        raise ValueError(f"Unknown document kind: {kind}")
    # A copy is for the meeting's coordinators and its invited agencies: the same rule as the
    # meetings the pages and the API show them.
    if not selectors.document_meetings_visible_to(viewer=actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied(
            "Only the meeting's coordinators and invited agencies ask for its documents."
        )
    _check_requestable(meeting, kind)
    agency = selectors.document_audience(actor)
    queued: dict[str, bool | None] = {"ok": None}
    with transaction.atomic():
        document, created = MeetingDocument.objects.get_or_create(
            meeting=meeting, kind=kind, agency=agency, defaults={"requested_by": actor}
        )
        document = _lock(document.pk)
        if not created and not document.can_request():
            return document, None
        document.status = DocumentStatus.PENDING
        document.error = ""
        document.requested_by = actor
        document.sent_at = None
        document.lease_expires_at = None
        document.takeovers = 0
        document.save()

        def send() -> None:
            queued["ok"] = document_send(document=document)

        transaction.on_commit(send)
    return document, queued["ok"]


# --- Building it (the worker) ----------------------------------------------------------------


def _viewer(document: MeetingDocument):
    """The requester, freshly loaded, if they still have the access this copy is for."""
    viewer = (
        get_user_model()
        .objects.select_related("team", "agency__agency_type")
        .get(pk=document.requested_by_id)
    )
    if not selectors.viewer_may_have(viewer=viewer, document=document):
        raise DocumentAccessLost(
            "The person who asked for this copy no longer has access to it. Ask again."
        )
    return viewer


def document_generate(*, document_id: int) -> MeetingDocument:
    """Build the copy: render, checksum, store, point the row at the file; status ready.

    Idempotent: a ready copy is left alone (asking again sets it pending first) unless it is
    the last good copy a rebuild failed to replace (ready with an error: a retry of the task
    builds it again), and the row stays locked while it renders, so two tasks for one copy
    never both write it. The build holds a lease: if its worker dies, the sweeper sends it
    again once the lease expires.
    """
    with transaction.atomic():
        document = _lock(document_id)
        if document.is_built:
            return document
        now = timezone.now()
        document.status = DocumentStatus.GENERATING
        document.attempts += 1
        document.error = ""
        document.sent_at = document.sent_at or now  # it reached a worker
        document.lease_expires_at = lease_from(now)
        document.save()
    try:
        with transaction.atomic():
            document = _lock(document_id)
            if document.is_built:  # a duplicate task finished it while this one waited
                return document
            viewer = _viewer(document)
            pdf = render_meeting_document_pdf(
                viewer=viewer, meeting=document.meeting, kind=document.kind
            )
            checksum = hashlib.sha256(pdf).hexdigest()
            name = store_checksummed(
                f"{document_directory(document)}/{document.kind}-{checksum[:16]}.pdf", pdf, checksum
            )
            document.file.name = name
            document.checksum = checksum
            document.generated_at = timezone.now()
            document.status = DocumentStatus.READY
            document.error = ""
            document.lease_expires_at = None
            document.takeovers = 0
            document.full_clean(exclude=["meeting", "agency", "requested_by"])
            document.save()
            directory = document_directory(document)
            transaction.on_commit(lambda: builds_remove_old_files(document, directory))
        return document
    except Exception as exc:
        _mark_failed(document_id, exc)
        raise


def _mark_failed(document_id: int, exc: BaseException) -> None:
    try:
        builds_mark_failed(
            MeetingDocument.objects.filter(pk=document_id),
            error=f"{type(exc).__name__}: {exc}",
            now=timezone.now(),
        )
    except Exception:  # the database itself may be what failed
        logger.exception("Could not record the failure of meeting document %s", document_id)
