"""Writes for daily meeting agendas: generating one (idempotent), asking the worker for one,
and recording the meeting's decision on an item."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from publicprotection.accounts.models import Team
from publicprotection.errors import ConcurrentEditError, StateError
from publicprotection.private_files import store_checksummed

from .. import broker
from ..meeting_calendar import meeting_period
from ..models import (
    SECTION_ORDER,
    Agenda,
    AgendaDecision,
    AgendaItem,
    AgendaStatus,
    lease_from,
)
from ..pdf import render_agenda_pdf
from ..selectors.agendas import agendas_visible_to
from ..selectors.content import ItemSpec, agenda_content
from .builds import builds_mark_failed, builds_remove_old_files

logger = logging.getLogger(__name__)


class AgendaStateError(StateError):
    """The agenda is not in a state that allows this."""


def agenda_directory(team: Team, meeting_date: date) -> str:
    return f"marac/agendas/{team.code}/{meeting_date:%Y-%m-%d}"


def _ensure(team: Team, meeting_date: date) -> Agenda:
    """The one agenda row for the team and day, locked (created if missing)."""
    period = meeting_period(meeting_date)
    agenda, _ = Agenda.objects.get_or_create(
        team=team,
        meeting_date=meeting_date,
        defaults={"period_start": period.start, "period_end": period.end},
    )
    return Agenda.objects.select_for_update().select_related("team").get(pk=agenda.pk)


def agenda_ensure(*, team: Team, meeting_date: date) -> Agenda:
    with transaction.atomic():
        return _ensure(team, meeting_date)


# --- Generation ----------------------------------------------------------------------------------


def _carried_items(agenda: Agenda) -> list[AgendaItem]:
    """Items of the team's previous built agenda with no decision, or one not yet done."""
    # Built, not ready: one being regenerated (or whose regeneration waits for the broker or a
    # worker) keeps its last good items and decisions until the new build commits, and is
    # still the meeting before this one; skipping it would carry from an older meeting.
    previous = (
        Agenda.objects.filter(team_id=agenda.team_id, meeting_date__lt=agenda.meeting_date)
        .exclude(file="")
        .exclude(checksum="")
        .order_by("-meeting_date")
        .first()
    )
    if previous is None:
        return []
    return list(
        previous.items.select_related("decision")
        .exclude(decision__done=True)
        .order_by("position", "id")
    )


def _sync_items(agenda: Agenda, specs: list[ItemSpec]) -> list[AgendaItem]:
    """Make the agenda's items match the specs plus carried items, keeping the rows (and the
    decisions recorded on them) that are still there."""
    carried = {item.key: item for item in _carried_items(agenda)}
    wanted: dict[tuple, dict] = {}
    for spec in specs:
        wanted.setdefault(spec.key, {"reference": spec.reference, "summary": spec.summary})
    for key, old in carried.items():
        entry = wanted.setdefault(key, {"reference": old.reference, "summary": old.summary})
        entry["carried_from"] = old
    ordered = sorted(
        wanted.items(),
        key=lambda kv: (SECTION_ORDER[kv[0][0]], "carried_from" not in kv[1]),
    )
    existing = {item.key: item for item in agenda.items.select_related("decision")}
    # An item that drops out keeps its row only if the meeting already decided something on it.
    stale = [
        item.pk
        for key, item in existing.items()
        if key not in wanted and not hasattr(item, "decision")
    ]
    AgendaItem.objects.filter(pk__in=stale).delete()
    result, new, changed = [], [], []
    for position, (key, fields) in enumerate(ordered):
        section, object_type, object_id = key
        item = existing.get(key)
        if item is None:
            item = AgendaItem(
                agenda=agenda, section=section, object_type=object_type, object_id=object_id
            )
            new.append(item)
        values = {
            "reference": fields["reference"][:60],
            "summary": fields["summary"],
            "carried_from": fields.get("carried_from"),
            "position": position,
        }
        if item.pk and any(getattr(item, name) != value for name, value in values.items()):
            changed.append(item)
        for name, value in values.items():
            setattr(item, name, value)
        result.append(item)
    kept = [item for key, item in existing.items() if key not in wanted and item.pk not in stale]
    for offset, item in enumerate(kept, start=len(result)):
        if item.position != offset:
            item.position = offset
            changed.append(item)
    # In bulk: a London borough's agenda has hundreds of items. Row triggers still record
    # each insert and update in the history.
    AgendaItem.objects.bulk_create(new)
    AgendaItem.objects.bulk_update(
        changed, ["reference", "summary", "carried_from", "position"], batch_size=500
    )
    return result + kept


def _counts(items: list[AgendaItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.section] = counts.get(item.section, 0) + 1
    counts["carried_forward"] = sum(1 for item in items if item.carried_from_id)
    return counts


def _file_name(agenda: Agenda, checksum: str) -> str:
    return (
        f"{agenda_directory(agenda.team, agenda.meeting_date)}/"
        f"agenda-{agenda.team.code}-{agenda.meeting_date:%Y-%m-%d}-{checksum[:16]}.pdf"
    )


def _up_to_date(agenda: Agenda, now: datetime) -> bool:
    """Built, and nothing left for a build without `force` to do.

    Not `is_ready`: a regeneration that failed left the last good agenda ready with its error,
    and the task's retry (sent without `force` by the sweeper) must build it. Nor one built
    before its meeting time (by hand, "or you can generate it now", or a click just after
    midnight) once that time has passed: it misses what came in between, which the next
    agenda's period (from this meeting time) does not cover either."""
    built_early = agenda.generated_at is not None and agenda.generated_at < agenda.period_end
    return agenda.is_built and not (built_early and now >= agenda.period_end)


def agenda_generate(*, team: Team, meeting_date: date, force: bool = False) -> Agenda:
    """Build the team's agenda for the day: items, PDF, checksum; status ready.

    Idempotent: one row per team and day (unique), a ready agenda is left alone unless `force`
    (or `_up_to_date` says the build is not finished),
    and regenerating keeps the decisions already recorded. The last good PDF stays the agenda's
    until the new one is stored. On error the agenda is marked failed with the error (one built
    before goes back to ready as it was: `builds_mark_failed`), and the error is raised again
    (for the task to retry if transient).
    """
    with transaction.atomic():
        agenda = _ensure(team, meeting_date)
        now = timezone.now()
        if not force and _up_to_date(agenda, now):
            return agenda
        period = meeting_period(meeting_date)
        agenda.period_start, agenda.period_end = period.start, period.end
        agenda.status = AgendaStatus.GENERATING
        agenda.attempts += 1
        agenda.error = ""
        # The lease: if this worker dies, the sweeper sends the agenda again once it expires.
        agenda.sent_at = agenda.sent_at or now
        agenda.lease_expires_at = lease_from(now)
        agenda.save()
    try:
        with transaction.atomic():
            agenda = _ensure(team, meeting_date)
            # A duplicate message built it while this one waited for the row.
            if not force and _up_to_date(agenda, timezone.now()):
                return agenda
            items = _sync_items(agenda, agenda_content(team, meeting_period(meeting_date)))
            items = list(
                agenda.items.select_related("carried_from__decision").order_by("position", "id")
            )
            pdf = render_agenda_pdf(agenda, items)
            checksum = hashlib.sha256(pdf).hexdigest()
            name = store_checksummed(_file_name(agenda, checksum), pdf, checksum)
            agenda.file.name = name
            agenda.checksum = checksum
            agenda.counts = _counts(items)
            agenda.generated_at = timezone.now()
            agenda.status = AgendaStatus.READY
            agenda.error = ""
            agenda.lease_expires_at = None
            agenda.takeovers = 0
            agenda.full_clean()
            agenda.save()
            directory = agenda_directory(team, meeting_date)
            transaction.on_commit(lambda: builds_remove_old_files(agenda, directory))
        return agenda
    except Exception as exc:
        _mark_failed(team, meeting_date, exc)
        raise


def _mark_failed(team: Team, meeting_date: date, exc: BaseException) -> None:
    try:
        builds_mark_failed(
            Agenda.objects.filter(team=team, meeting_date=meeting_date),
            error=f"{type(exc).__name__}: {exc}",
            now=timezone.now(),
        )
    except Exception:  # the database itself may be what failed
        logger.exception("Could not record the failure of agenda %s %s", team.code, meeting_date)


# --- Asking the worker -------------------------------------------------------------------------


def agenda_send(*, team_id: int, meeting_date: date, force: bool = False) -> bool:
    """Hand the generation to the worker, then record on a pending agenda that the broker took
    it (`sent_at` and the lease). False if the broker cannot be reached: the agenda stays
    pending and unsent, and the sweeper sends it once the broker is back."""
    try:
        broker.send(broker.GENERATE_AGENDA, args=[team_id, meeting_date.isoformat(), force])
    except broker.SEND_ERRORS:
        logger.warning("Broker unavailable: agenda %s %s waits for it", team_id, meeting_date)
        return False
    now = timezone.now()
    Agenda.objects.filter(
        team_id=team_id, meeting_date=meeting_date, status=AgendaStatus.PENDING, sent_at=None
    ).update(sent_at=now, lease_expires_at=lease_from(now))
    return True


def agenda_request_generation(
    *, team: Team, meeting_date: date, force: bool = True
) -> tuple[Agenda, bool | None]:
    """Mark the agenda pending (the durable record of the request) and send its generation
    once committed.

    Returns the agenda and whether the worker was reached: True, False (the broker is down: the
    sweeper sends it when it is back), or None when nothing was sent because the request is
    already with the worker, or the caller's transaction has not committed yet.
    """
    queued: dict[str, bool | None] = {"ok": None}
    with transaction.atomic():
        agenda = _ensure(team, meeting_date)
        if agenda.is_generating and not agenda.is_stale():
            raise AgendaStateError("This agenda is being generated now.")
        if agenda.is_in_progress and not agenda.is_stale():
            # Asked for already and handed to the worker (a second click, another tab): a
            # second message would build it twice, as for meeting documents.
            return agenda, None
        agenda.status = AgendaStatus.PENDING
        agenda.error = ""
        agenda.sent_at = None
        agenda.lease_expires_at = None
        agenda.takeovers = 0
        agenda.save()

        def send() -> None:
            queued["ok"] = agenda_send(team_id=team.pk, meeting_date=meeting_date, force=force)
            if queued["ok"]:
                agenda.refresh_from_db(fields=["status", "sent_at", "lease_expires_at"])

        transaction.on_commit(send)
    return agenda, queued["ok"]


# --- The meeting's decisions ---------------------------------------------------------------


@transaction.atomic
def agenda_decision_record(
    *,
    actor,
    item: AgendaItem,
    action: str,
    owner: str,
    done: bool,
    expected_version: int | None = None,
) -> AgendaDecision:
    """Record (or change) what the meeting decided on an item; refused if someone saved it
    since `expected_version` (0 when there was none yet; the form always sends it)."""
    item = AgendaItem.objects.select_for_update().select_related("agenda").get(pk=item.pk)
    if not agendas_visible_to(viewer=actor).filter(pk=item.agenda_id).exists():
        raise PermissionDenied(
            "Only a supervisor or MARAC coordinator of the agenda's team records its decisions."
        )
    if item.agenda.is_being_replaced:
        # Its build may replace or remove the item (and so the decision with it).
        raise AgendaStateError(
            "Decisions are recorded on a ready agenda: a newer version of this one is being "
            "produced. Save the decision again once it is ready."
        )
    if not item.agenda.is_ready:
        raise AgendaStateError("Decisions are recorded on a ready agenda.")
    decision = AgendaDecision.objects.filter(item=item).first() or AgendaDecision(
        item=item, version=0
    )
    if expected_version is not None and decision.version != expected_version:
        raise ConcurrentEditError("decision")
    decision.version += 1
    decision.action = action.strip()
    decision.owner = owner.strip()
    decision.done = done
    decision.recorded_by = actor
    decision.full_clean(exclude=["item", "recorded_by"])
    decision.save()
    return decision
