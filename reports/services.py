"""Keeping the trends rollup up to date.

`rollup_refresh` recomputes whole London days from the case records in one set-based
statement per refresh (aggregates grouped by day and borough): it never loops over incidents.
Because it replaces the days it covers, it is idempotent and catches edits, back-dated
incidents and late reviews as long as the changed day is inside the range refreshed.

Days before the first recorded incident have no records to be recomputed from: rows there
are history loaded from elsewhere (a previous system's figures, or the demo's five years) and a
refresh leaves them alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
    SANCTION_OUTCOMES,
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    Incident,
    IncidentStatus,
    Offence,
    OffenceType,
    Party,
    PartyRole,
    ReviewEventKind,
)
from marac.models import MaracReferral
from publicprotection.accounts.models import Borough
from publicprotection.london_time import LONDON, london_midnight, london_today
from riskassessment.models import AssessmentStatus, Level, RiskAssessment

from .models import MEASURES, DailyBoroughFigures, RollupRefresh

# Any fixed number: serialises refreshes so two never interleave their delete and insert.
_ADVISORY_LOCK = 7_000_007


def _refresh_sql() -> str:
    """One INSERT ... SELECT: each measure is a grouped aggregate, summed per day and borough.

    Only table names from the models and fixed column names are put into the text; every
    value is a query parameter (hence the S608 exemptions).
    """
    t = {
        "incident": Incident._meta.db_table,
        "party": Party._meta.db_table,
        "offence": Offence._meta.db_table,
        "offencetype": OffenceType._meta.db_table,
        "decision": ArrestDecision._meta.db_table,
        "event": ArrestReviewEvent._meta.db_table,
        "assessment": RiskAssessment._meta.db_table,
        "referral": MaracReferral._meta.db_table,
        "rollup": DailyBoroughFigures._meta.db_table,
    }
    zeros = dict.fromkeys(MEASURES, "0")

    def select(day: str, values: dict[str, str], alias: str = "i") -> str:
        columns = ", ".join(f"{values.get(m, '0')} AS {m}" for m in MEASURES)
        return f"SELECT ({day} AT TIME ZONE %(tz)s)::date AS day, {alias}.borough_id, {columns}"

    incident_in_range = (
        "i.status <> %(draft)s AND i.occurred_at >= %(since)s AND i.occurred_at < %(until)s "
        "AND (%(borough)s::bigint IS NULL OR i.borough_id = %(borough)s)"
    )
    incidents = (
        select(
            "i.occurred_at",
            {
                **zeros,
                "incidents": "1",
                "crimes": "i.is_crime::int",
                "non_crimes": "(NOT i.is_crime)::int",
                "crimes_with_sanction": "(i.is_crime AND i.outcome = ANY(%(sanctions)s))::int",
            },
        )
        + f" FROM {t['incident']} i WHERE {incident_in_range}"
    )
    # A suspect (party) of at least one offence with a power of arrest; arrested at the time,
    # or later (an outstanding suspect traced and arrested: arrested_at set).
    suspects = select(  # noqa: S608
        "i.occurred_at",
        {
            "arrestable_suspects": "1",
            "arrested_suspects": (
                "(d.id IS NOT NULL AND (d.outcome = %(arrested)s OR d.arrested_at IS NOT NULL))::int"
            ),
        },
    ) + (
        f" FROM {t['party']} p JOIN {t['incident']} i ON i.id = p.incident_id"  # noqa: S608
        f" LEFT JOIN {t['decision']} d ON d.suspect_id = p.id"
        f" WHERE p.role = %(suspect)s AND {incident_in_range} AND EXISTS ("
        f"  SELECT 1 FROM {t['offence']} o JOIN {t['offencetype']} ot ON ot.id = o.offence_type_id"
        "   WHERE o.suspect_id = p.id AND ot.power_of_arrest)"
    )
    # A victim in an incident is a repeat victim when the same person was a victim in another
    # (submitted) incident in the window before it.
    victims = select(  # noqa: S608
        "i.occurred_at",
        {
            "victims": "1",
            "repeat_victims": (
                f"EXISTS (SELECT 1 FROM {t['party']} p2 JOIN {t['incident']} i2"  # noqa: S608
                " ON i2.id = p2.incident_id WHERE p2.person_id = p.person_id"
                " AND p2.role = %(victim)s AND p2.incident_id <> p.incident_id"
                " AND i2.status <> %(draft)s AND i2.occurred_at <= i.occurred_at"
                " AND i2.occurred_at >= i.occurred_at - %(window)s)::int"
            ),
        },
    ) + (
        f" FROM {t['party']} p JOIN {t['incident']} i ON i.id = p.incident_id"
        f" WHERE p.role = %(victim)s AND {incident_in_range}"
    )
    # Not-arrested decisions sent for review: the deadline runs from the first 'submitted'
    # event; in time when the first supervisor step (endorsed or returned) is by the deadline.
    # A review still inside its deadline is not yet due and is left out until it is done.
    reviews = select(  # noqa: S608
        "r.decided_at",
        {
            "reviews_due": "1",
            "reviews_in_time": "COALESCE(r.first_review <= r.deadline, false)::int",
        },
        alias="r",
    ) + (
        " FROM (SELECT d.decided_at, i.borough_id,"  # noqa: S608
        "   MIN(e.created_at) FILTER (WHERE e.kind = %(submitted)s) + %(deadline)s AS deadline,"
        "   MIN(e.created_at) FILTER (WHERE e.kind = ANY(%(reviewed)s)) AS first_review"
        f"  FROM {t['decision']} d JOIN {t['incident']} i ON i.id = d.incident_id"
        f"  JOIN {t['event']} e ON e.decision_id = d.id"
        "  WHERE d.outcome = %(not_arrested)s AND d.decided_at >= %(since)s"
        "   AND d.decided_at < %(until)s"
        "   AND (%(borough)s::bigint IS NULL OR i.borough_id = %(borough)s)"
        "  GROUP BY d.id, d.decided_at, i.borough_id) r"
        " WHERE r.deadline IS NOT NULL AND (r.first_review IS NOT NULL OR r.deadline <= %(now)s)"
    )
    assessments = select(
        "i.submitted_at",
        {
            "assessments_standard": "(i.final_level = %(standard)s)::int",
            "assessments_medium": "(i.final_level = %(medium)s)::int",
            "assessments_high": "(i.final_level = %(high)s)::int",
        },
    ) + (
        f" FROM {t['assessment']} i WHERE i.status <> %(assessment_draft)s"
        " AND i.submitted_at >= %(since)s AND i.submitted_at < %(until)s"
        " AND (%(borough)s::bigint IS NULL OR i.borough_id = %(borough)s)"
    )
    # MARAC referrals, on the London date they were made, whatever the triage decided.
    referrals = select(
        "r.created_at",
        {"marac_referrals": "1", "repeat_marac_referrals": "r.is_repeat::int"},
        alias="r",
    ) + (
        f" FROM {t['referral']} r WHERE r.created_at >= %(since)s AND r.created_at < %(until)s"  # noqa: S608
        " AND (%(borough)s::bigint IS NULL OR r.borough_id = %(borough)s)"
    )
    parts = "\nUNION ALL\n".join([incidents, suspects, victims, reviews, assessments, referrals])
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    return (
        f"INSERT INTO {t['rollup']} (day, borough_id, {', '.join(MEASURES)})"  # noqa: S608
        f" SELECT day, borough_id, {sums} FROM ({parts}) AS facts GROUP BY day, borough_id"
    )


@transaction.atomic
def rollup_refresh(
    *, start: date, end: date, borough: Borough | None = None, now: datetime | None = None
) -> RollupRefresh:
    """Recompute the rollup for the London days start..end (inclusive), one borough or all."""
    if end < start:
        raise ValueError("The end day is before the start day.")
    now = now or timezone.now()
    params = {
        "tz": settings.TIME_ZONE,
        "since": london_midnight(start),
        "until": london_midnight(end + timedelta(days=1)),
        "borough": borough.pk if borough else None,
        "now": now,
        "draft": IncidentStatus.DRAFT,
        "sanctions": [str(o) for o in SANCTION_OUTCOMES],
        "arrested": ArrestOutcome.ARRESTED,
        "not_arrested": ArrestOutcome.NOT_ARRESTED,
        "suspect": PartyRole.SUSPECT,
        "victim": PartyRole.VICTIM,
        "window": timedelta(days=settings.REPEAT_WINDOW_DAYS),
        "submitted": ReviewEventKind.SUBMITTED,
        "reviewed": [ReviewEventKind.ENDORSED.value, ReviewEventKind.RETURNED.value],
        "deadline": timedelta(hours=settings.ARREST_REVIEW_DEADLINE_HOURS),
        "assessment_draft": AssessmentStatus.DRAFT,
        "standard": Level.STANDARD,
        "medium": Level.MEDIUM,
        "high": Level.HIGH,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
    first = records_begin()
    stale = DailyBoroughFigures.objects.filter(day__range=(max(start, first or end), end))
    if first is None:
        stale = stale.none()
    if borough is not None:
        stale = stale.filter(borough=borough)
    stale.delete()
    with connection.cursor() as cursor:
        cursor.execute(_refresh_sql(), params)
        rows = cursor.rowcount
    return RollupRefresh.objects.create(start=start, end=end, borough=borough, rows=rows)


def records_begin() -> date | None:
    """The London day of the earliest incident: the rollup is derived from the records from
    this day on (every other fact counted, a decision, an assessment, a referral, follows an
    incident)."""
    first = Incident.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return timezone.localdate(first, timezone=LONDON) if first else None


def rollup_refresh_recent(*, days: int, today: date | None = None) -> RollupRefresh:
    """Recompute the last `days` London days, today included."""
    today = today or london_today()
    return rollup_refresh(start=today - timedelta(days=days - 1), end=today)
