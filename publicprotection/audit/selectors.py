"""Reads of the audit trail, for administrators."""

from __future__ import annotations

import calendar
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Model, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from pghistory.core import event_models
from pghistory.models import Events

from publicprotection.pagination import Page, paginate_without_count

from .models import SUBJECT_MODEL, AccessLogEntry

# Records whose history administrators may open by URL: app_label.model_name.
AUDITABLE_MODELS = ("cases.incident", "cases.person", "accounts.user", "accounts.agency")

# The audit search looks back this far unless told otherwise: the access log is partitioned by
# month, and a window of a year reads 13 monthly partitions, not every one since the start
# (a record's reads over 36 months took seconds: benchmarks/README.md, "Audit trail").
SEARCH_WINDOW_MONTHS = 12
# A record's history page lists its newest reads (the audit search finds older ones).
RECORD_HISTORY_READS = 200


def search_window_start(date_to: date) -> date:
    """The first day of the default window ending on `date_to`: the same day
    SEARCH_WINDOW_MONTHS before (the month's last day when it is shorter)."""
    year, month = divmod(date_to.year * 12 + date_to.month - 1 - SEARCH_WINDOW_MONTHS, 12)
    if year < date.min.year:  # a window ending in year 1 starts at the first date there is
        return date.min
    return date(year, month + 1, min(date_to.day, calendar.monthrange(year, month + 1)[1]))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_search(
    *,
    username: str = "",
    content_type: ContentType | None = None,
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.select_related("user", "content_type")
    if username:
        qs = qs.filter(user__username__iexact=username)
    if object_id:
        # Either the primary key (read alone or as a row of a list) or the label (an incident
        # reference, say); a person is also found in the reads of records about them.
        named = (
            Q(object_id=object_id)
            | Q(object_ids__contains=[object_id])
            | Q(object_label__iexact=object_id)
        )
        if content_type is not None:
            named &= Q(content_type=content_type)
            if _is_subject_model(content_type):
                named |= Q(subject_ids__contains=[object_id])
        qs = qs.filter(named | _reads_by_id_of_referenced(object_id, content_type))
    elif content_type is not None:
        qs = qs.filter(content_type=content_type)
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to and date_to < date.max:  # up to the last day: no end to add a day to
        qs = qs.filter(occurred_at__lt=_day_start(date_to) + timezone.timedelta(days=1))
    if object_id:
        return _newest_first_found_by_index(qs)
    return qs.order_by("-occurred_at", "-id")


def _reads_by_id_of_referenced(reference: str, content_type: ContentType | None) -> Q:
    """The reads, by id, of the records whose reference is `reference`: a list or a queue
    names its rows by id only (object_ids), so an incident searched for by its reference is
    found there too, not only where its own page was read (object_label)."""
    found = Q(pk__in=[])
    for label in AUDITABLE_MODELS:
        model = apps.get_model(label)
        model_type = ContentType.objects.get_for_model(model)
        if content_type is not None and content_type != model_type:
            continue
        for pk in _pks_by_reference(model, reference):
            found |= Q(content_type=model_type) & (
                Q(object_id=str(pk)) | Q(object_ids__contains=[str(pk)])
            )
    return found


def _newest_first_found_by_index(qs: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
    """One record's reads, newest first. They are few, but PostgreSQL cannot estimate
    `object_ids @> [id]` (nor `subject_ids @> [id]`) and guesses 0.5% of the table: with LIMIT
    it would walk the time index backwards through every partition, filtering every row.
    Sorting by an expression the index cannot give makes it find the rows by their indexes
    first, a bitmap OR per partition (benchmarks/README.md, "Audit trail"; for a person's
    history at 2 million rows, 2.7 s walking the time index and 0.1 s by the indexes)."""
    newest = ExpressionWrapper(F("occurred_at") + Value(timedelta(0)), DateTimeField())
    return qs.alias(read_at=newest).order_by("-read_at", "-id")


def access_log_page(queryset: QuerySet[AccessLogEntry], raw_page, per_page: int = 50) -> Page:
    """One page of an access-log search, read with PostgreSQL's JIT compilation off.

    PostgreSQL cannot estimate `object_ids @> [id]` (a record among 2 million) and guesses 0.5%
    of each partition: a record search over 41 monthly partitions was costed above
    jit_above_cost and jit_optimize_above_cost, and compiling and optimising its expressions
    for every partition took most of its 1.7-2.5 s at 13.2 million rows while the reads
    themselves took tens of milliseconds (benchmarks/README.md, "Audit trail"). SET LOCAL lasts
    for this transaction only (safe behind PgBouncer's transaction pooling)."""
    with _jit_off(queryset.db):
        return paginate_without_count(queryset, raw_page, per_page=per_page)


@contextmanager
def _jit_off(using: str):
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def change_events_search(
    *,
    user_ids: list[int] | None = None,
    model_label: str = "",
    record: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> list:
    """The newest `limit` changes matching an audit search, newest first.

    `user_ids`: the changes made by any of these users (None: by anyone; a user name matches
    case-insensitively, so it may name several). `model_label` and `record` narrow to changes of
    one auditable record type and one record of it, named as the access-log search names it: by
    its id or its reference. The changes of a record are read per tracked model by its event
    tables' object index (pghistory's `tracks`), never by filtering the union of every table."""
    if user_ids is not None and not user_ids:
        return []
    if not record:
        qs = Events.objects.all()
        if model_label:
            qs = qs.across(*event_models(tracks_model=apps.get_model(model_label)))
        return list(_change_filters(qs, user_ids, date_from, date_to)[:limit])
    found = []
    for label in [model_label] if model_label else AUDITABLE_MODELS:
        model = apps.get_model(label)
        pks = _record_pks(model, record)
        if pks:
            tracked = Events.objects.tracks([model(pk=pk) for pk in pks])
            found += _change_filters(tracked, user_ids, date_from, date_to)[:limit]
    found.sort(key=lambda event: (event.pgh_created_at, event.pgh_id), reverse=True)
    return found[:limit]


def _change_filters(qs, user_ids, date_from, date_to) -> QuerySet:
    if user_ids is not None:
        qs = qs.filter(pgh_context__user__in=user_ids)
    if date_from:
        qs = qs.filter(pgh_created_at__gte=_day_start(date_from))
    if date_to and date_to < date.max:
        qs = qs.filter(pgh_created_at__lt=_day_start(date_to) + timezone.timedelta(days=1))
    return qs.order_by("-pgh_created_at", "-pgh_id")


def _record_pks(model: type[Model], record: str) -> list:
    """The ids of `model`'s records that `record` names: itself, when it is a valid id (a
    deleted record's changes are still found by it), and the record with that reference."""
    pks = []
    pk_field = model._meta.pk
    try:
        pk = pk_field.to_python(record)
    except ValidationError:
        pk = None
    if isinstance(pk, int):
        low, high = connections[model._default_manager.db].ops.integer_field_range(
            pk_field.get_internal_type()
        )
        pk = pk if low <= pk <= high else None
    if pk is not None:
        pks.append(pk)
    return list(dict.fromkeys(pks + _pks_by_reference(model, record)))


def _pks_by_reference(model: type[Model], reference: str) -> list:
    """The ids of `model`'s records with this reference (any case), for models that have one."""
    if not any(field.name == "reference" for field in model._meta.fields):
        return []
    return list(
        model._default_manager.filter(reference__iexact=reference).values_list("pk", flat=True)
    )


def auditable_record_get(*, model_label: str, pk: str) -> Model:
    if model_label not in AUDITABLE_MODELS:
        raise Http404("Not an auditable record")
    model = apps.get_model(model_label)
    try:
        return model._default_manager.get(pk=pk)
    except (model.DoesNotExist, ValueError) as exc:
        raise Http404("No such record") from exc


def _is_subject_model(content_type: ContentType) -> bool:
    return f"{content_type.app_label}.{content_type.model}" == SUBJECT_MODEL


def record_history(*, obj: Model) -> dict:
    """Every change to `obj` (from the triggers) and every logged read of it, on its own page
    or as a row of a list, search or queue; for a person, also every read of a record about
    them (their risk assessment, MARAC referral...: the entry's subject_ids)."""
    pk = str(obj.pk)
    content_type = ContentType.objects.get_for_model(obj)
    named = Q(Q(object_id=pk) | Q(object_ids__contains=[pk]), content_type=content_type)
    if _is_subject_model(content_type):
        named |= Q(subject_ids__contains=[pk])
    reads = AccessLogEntry.objects.filter(named).select_related("user", "content_type")
    with _jit_off(reads.db):  # the same search as a record's in access_log_page, every month
        newest_reads = list(_newest_first_found_by_index(reads)[:RECORD_HISTORY_READS])
    return {
        "changes": Events.objects.tracks(obj).order_by("-pgh_created_at"),
        "reads": newest_reads,
        "reads_limit": RECORD_HISTORY_READS,
    }
