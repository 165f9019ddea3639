"""What agendas and meeting documents (the worker's builds, marac.models.BackgroundBuild) share
when a build fails: a regeneration never takes away the last good copy (ADR 0005, 0006)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from publicprotection.private_files import remove_other_files

from ..models import AgendaStatus

ERROR_MAX_CHARS = 2000


def builds_mark_failed(builds: QuerySet, *, error: str, now: datetime) -> None:
    """Record that building these agendas or meeting documents failed (the worker's error, or
    the sweeper giving up on a worker that kept dying).

    One built before (a regeneration failed) goes back to ready as it was: its last good PDF
    (and, for an agenda, its items and decisions), with the error to say a newer version could
    not be produced. Nothing of the failed build was kept (it rolled back). The others are
    failed: the page shows the error and a retry button."""
    builds = builds.exclude(status=AgendaStatus.READY)
    fields = {"error": error[:ERROR_MAX_CHARS], "lease_expires_at": None, "updated_at": now}
    builds.exclude(file="").exclude(checksum="").update(status=AgendaStatus.READY, **fields)
    builds.filter(Q(file="") | Q(checksum="")).update(status=AgendaStatus.FAILED, **fields)


def builds_remove_old_files(build, directory: str) -> None:
    """Once a build has committed: delete the other files of its directory (earlier versions,
    a killed worker's orphans), keeping the one the row points at now.

    Read under the row's lock, not the name this build stored: its worker may run this late
    (paused after the commit), when a newer build has stored its file; deleting that one
    would leave a ready copy pointing at nothing. A row locked by a newer build still storing
    is left to that build's own clean-up; a copy deleted meanwhile took its folder with it."""
    with transaction.atomic():
        current = (
            type(build)
            .objects.select_for_update(skip_locked=True)
            .filter(pk=build.pk)
            .values_list("file", flat=True)
            .first()
        )
        if current is not None:
            remove_other_files(directory, keep=current)
