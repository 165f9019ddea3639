"""Writing to the access log: the one function every view uses for reads of case records."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from publicprotection.client_address import client_ip

from .models import SUBJECT_MODEL, AccessAction, AccessChannel, AccessLogEntry


def access_log_record(
    *,
    request,
    obj: Model | None = None,
    objects: Iterable[Model] | None = None,
    model: type[Model] | None = None,
    action: str = AccessAction.VIEW,
    channel: str | None = None,
    purpose: str = "",
    label: str = "",
    subjects: Iterable[Model | int | str] = (),
) -> AccessLogEntry | None:
    """Log that request.user read (or downloaded, exported...) `obj`.

    A list, search or queue passes the records it showed as `objects` instead (all of one
    model, e.g. the page of incidents): one entry names them all. A page that showed nobody
    writes nothing and returns None, unless it names the `model` of its `objects`: then it
    writes an entry of that model naming no record (a search that found nothing is still a
    search: the audit search's, whose `purpose` says what was looked for).

    `subjects`: the people (SUBJECT_MODEL instances or their ids) the record or records are
    about, when they are not people themselves: a risk assessment's victim, the people a MARAC
    referral names. The app that owns the record knows them and says so here; the entry then
    appears in each person's record history.
    """
    if (obj is None) == (objects is None):
        raise TypeError("access_log_record takes either obj or objects")
    entry = _entry(
        request,
        obj=obj,
        objects=objects,
        model=model,
        action=action,
        channel=channel,
        purpose=purpose,
        label=label,
        subjects=subjects,
    )
    if entry is not None:
        entry.save(force_insert=True)
    return entry


def access_log_record_lists(
    *,
    request,
    lists: Iterable[Iterable[Model]],
    subjects: Iterable[Iterable[Model | int | str]] | None = None,
) -> list[AccessLogEntry]:
    """`access_log_record(objects=...)` for each of several lists a page shows (a home page's
    work lists, each of one model), written in one INSERT: each entry otherwise commits on its
    own, a round trip and a WAL flush each (1-1.5 ms). Empty lists write nothing. `subjects`,
    when given, holds for each list the people its rows are about (access_log_record's)."""
    pairs = (
        ((objects, ()) for objects in lists)
        if subjects is None
        else zip(lists, subjects, strict=True)
    )
    entries = [
        entry
        for objects, about in pairs
        if (
            entry := _entry(
                request, obj=None, objects=objects, action=AccessAction.VIEW, subjects=about
            )
        )
        is not None
    ]
    if entries:
        AccessLogEntry.objects.bulk_create(entries)
    return entries


def _entry(
    request,
    *,
    obj: Model | None,
    objects: Iterable[Model] | None,
    action: str,
    model: type[Model] | None = None,
    channel: str | None = None,
    purpose: str = "",
    label: str = "",
    subjects: Iterable[Model | int | str] = (),
) -> AccessLogEntry | None:
    """The entry `access_log_record` writes, unsaved; None for a list that showed nobody
    (unless its `model` is named)."""
    if channel is None:
        channel = AccessChannel.API if request.path.startswith("/api/") else AccessChannel.WEB
    if obj is not None:
        record, object_id, object_ids = obj, str(obj.pk), []
        label = label or str(obj)
    else:
        shown = list(objects)
        if not shown and model is None:
            return None
        record, object_id = (shown[0] if shown else model), ""
        object_ids = list(dict.fromkeys(str(each.pk) for each in shown))
        # Read after the content type's name in the audit pages: "Incident (25 in a list)".
        label = label or f"({len(object_ids)} in a list)"
    return AccessLogEntry(
        user=request.user,
        action=action,
        channel=channel,
        content_type=ContentType.objects.get_for_model(record),
        object_id=object_id,
        object_ids=object_ids,
        subject_ids=subject_ids(subjects),
        object_label=label[:120],
        purpose=purpose[:500],
        path=request.get_full_path()[:500],
        method=request.method or "",
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def subject_ids(subjects: Iterable[Model | int | str]) -> list[str]:
    """The ids of `subjects` (people or their ids) once each, in order; None and blanks left
    out (a record about nobody on record)."""
    ids = []
    for subject in subjects:
        if isinstance(subject, Model):
            if subject._meta.label_lower != SUBJECT_MODEL:
                raise TypeError(f"An access log subject is a {SUBJECT_MODEL}, not {subject!r}")
            subject = subject.pk
        if subject is not None and subject != "":
            ids.append(str(subject))
    return list(dict.fromkeys(ids))
