"""The rollup equals a direct count over the raw records, including after edits, back-dated
incidents and late reviews. The direct count below is written independently of the refresh SQL:
plain ORM queries and Python, one record at a time."""

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from cases.models import (
    SANCTION_OUTCOMES,
    ArrestDecision,
    ArrestOutcome,
    Incident,
    IncidentStatus,
    PartyRole,
    ReviewEventKind,
)
from cases.services.incidents import incident_update
from cases.services.positive_action import arrest_decision_endorse
from marac.models import MaracReferral
from publicprotection.london_time import london_midnight
from reports.models import MEASURES, DailyBoroughFigures, RollupRefresh
from reports.services import rollup_refresh
from riskassessment.models import AssessmentStatus, RiskAssessment

from .factories import charge, incident, supervisor, suspect, victim

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def direct_counts(start, end) -> dict:
    since, until = london_midnight(start), london_midnight(end + timedelta(days=1))
    now = timezone.now()
    counts: dict = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    def bucket(moment, borough_id):
        return counts[(moment.astimezone(LONDON).date(), borough_id)]

    incidents = Incident.objects.exclude(status=IncidentStatus.DRAFT).filter(
        occurred_at__gte=since, occurred_at__lt=until
    )
    for i in incidents.prefetch_related("parties__offences__offence_type", "parties__person"):
        row = bucket(i.occurred_at, i.borough_id)
        row["incidents"] += 1
        row["crimes" if i.is_crime else "non_crimes"] += 1
        row["crimes_with_sanction"] += i.is_crime and i.outcome in SANCTION_OUTCOMES
        for party in i.parties.all():
            if party.role == PartyRole.SUSPECT and any(
                o.offence_type.power_of_arrest for o in party.offences.all()
            ):
                row["arrestable_suspects"] += 1
                decision = ArrestDecision.objects.filter(suspect=party).first()
                row["arrested_suspects"] += bool(
                    decision
                    and (decision.outcome == ArrestOutcome.ARRESTED or decision.arrested_at)
                )
            if party.role == PartyRole.VICTIM:
                row["victims"] += 1
                window = timedelta(days=settings.REPEAT_WINDOW_DAYS)
                earlier = [
                    p
                    for p in party.person.parties.filter(role=PartyRole.VICTIM)
                    .exclude(incident=i)
                    .select_related("incident")
                    if p.incident.status != IncidentStatus.DRAFT
                    and i.occurred_at - window <= p.incident.occurred_at <= i.occurred_at
                ]
                row["repeat_victims"] += bool(earlier)

    decisions = ArrestDecision.objects.filter(
        outcome=ArrestOutcome.NOT_ARRESTED, decided_at__gte=since, decided_at__lt=until
    ).select_related("incident")
    for decision in decisions:
        events = list(decision.review_events.order_by("created_at"))
        submitted = [e.created_at for e in events if e.kind == ReviewEventKind.SUBMITTED]
        reviewed = [
            e.created_at
            for e in events
            if e.kind in (ReviewEventKind.ENDORSED, ReviewEventKind.RETURNED)
        ]
        if not submitted:
            continue
        deadline = min(submitted) + timedelta(hours=settings.ARREST_REVIEW_DEADLINE_HOURS)
        if not reviewed and deadline > now:
            continue  # not yet due
        row = bucket(decision.decided_at, decision.incident.borough_id)
        row["reviews_due"] += 1
        row["reviews_in_time"] += bool(reviewed) and min(reviewed) <= deadline

    assessments = RiskAssessment.objects.exclude(status=AssessmentStatus.DRAFT).filter(
        submitted_at__gte=since, submitted_at__lt=until
    )
    for a in assessments:
        bucket(a.submitted_at, a.borough_id)[f"assessments_{a.final_level}"] += 1
    for referral in MaracReferral.objects.filter(created_at__gte=since, created_at__lt=until):
        row = bucket(referral.created_at, referral.borough_id)
        row["marac_referrals"] += 1
        row["repeat_marac_referrals"] += referral.is_repeat
    return {key: dict(value) for key, value in counts.items() if any(value.values())}


def rollup_counts(start, end) -> dict:
    return {
        (r.day, r.borough_id): {m: getattr(r, m) for m in MEASURES}
        for r in DailyBoroughFigures.objects.filter(day__range=(start, end))
    }


def refresh_and_compare(start, end):
    rollup_refresh(start=start, end=end)
    direct = direct_counts(start, end)
    assert direct, "the dataset must give the comparison something to compare"
    assert rollup_counts(start, end) == direct


def test_rollup_equals_a_direct_count_after_edits_back_dating_and_late_reviews(dataset):
    start, end = dataset.start, dataset.end
    refresh_and_compare(start, end)
    a, c, g = (dataset.incidents[k] for k in "ACG")

    # Edits: a non-crime becomes a crime, a crime gets a sanction outcome, an incident moves.
    c = incident_update(
        actor=c.created_by,
        incident_id=c.pk,
        expected_version=Incident.objects.get(pk=c.pk).version,
        is_crime=True,
    )
    charge(c)
    charge(g)
    incident_update(
        actor=a.created_by,
        incident_id=a.pk,
        expected_version=Incident.objects.get(pk=a.pk).version,
        occurred_at=a.occurred_at - timedelta(days=7),
        reported_at=a.reported_at - timedelta(days=7),
    )
    assert rollup_counts(start, end) != direct_counts(start, end)  # stale until refreshed
    refresh_and_compare(start, end)

    # A back-dated incident: recorded today, happened three weeks ago, and it makes the first
    # victim's next incident a repeat.
    late = incident(actor=dataset.actor, days_ago=21)
    victim(late, person=dataset.v1.person)
    suspect(late)
    refresh_and_compare(start, end)

    # A review done late: sent 30 hours ago, endorsed now.
    arrest_decision_endorse(actor=supervisor(), decision_id=dataset.decision_g.pk)
    dataset.decision_g.review_events.filter(kind=ReviewEventKind.SUBMITTED).update(
        created_at=timezone.now() - timedelta(hours=30)
    )
    refresh_and_compare(start, end)
    assert sum(r["reviews_due"] for r in rollup_counts(start, end).values()) == 3
    assert sum(r["reviews_in_time"] for r in rollup_counts(start, end).values()) == 1

    # MARAC referrals, one of them a repeat.
    from marac.tests.factories import refer

    refer()
    repeat = refer()
    MaracReferral.objects.filter(pk=repeat.pk).update(is_repeat=True)
    refresh_and_compare(start, end)
    assert sum(r["marac_referrals"] for r in rollup_counts(start, end).values()) == 2
    assert sum(r["repeat_marac_referrals"] for r in rollup_counts(start, end).values()) == 1


def test_a_borough_refresh_leaves_other_boroughs_alone(dataset):
    from publicprotection.accounts.models import Borough

    start, end = dataset.start, dataset.end
    rollup_refresh(start=start, end=end)
    southwark = Borough.objects.get(code="SOU")
    before = DailyBoroughFigures.objects.filter(borough=southwark).count()
    victim(incident(actor=dataset.actor, days_ago=1, borough="SOU"))

    rollup_refresh(start=start, end=end, borough=Borough.objects.get(code="LAM"))

    assert DailyBoroughFigures.objects.filter(borough=southwark).count() == before
    rollup_refresh(start=start, end=end, borough=southwark)
    assert rollup_counts(start, end) == direct_counts(start, end)


def test_refreshing_twice_gives_the_same_rows(dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    first = rollup_counts(dataset.start, dataset.end)
    rollup_refresh(start=dataset.start, end=dataset.end)
    assert rollup_counts(dataset.start, dataset.end) == first
    assert RollupRefresh.objects.count() == 2


def test_the_command_and_the_task_refresh_recent_days(dataset):
    from reports.tasks import refresh_rollup

    call_command("refresh_trends", "--days", "31")
    assert rollup_counts(dataset.start, dataset.end) == direct_counts(dataset.start, dataset.end)
    DailyBoroughFigures.objects.all().delete()

    rows = refresh_rollup.apply(kwargs={"days": 31}).get()

    assert rows == DailyBoroughFigures.objects.count() > 0


def test_a_review_never_done_after_its_deadline_counts_as_due_and_late():
    """Found running the demo: an unreviewed decision past its deadline must count as late."""
    from cases.tests.factories import not_arrested
    from publicprotection.accounts.tests.factories import UserFactory

    from .factories import review_at

    officer = UserFactory()
    case = incident(actor=officer, days_ago=3)
    victim(case)
    decision = not_arrested(suspect(case), actor=officer)
    review_at(decision, submitted=timezone.now() - timedelta(days=3), reviewed=None)

    day = timezone.localdate()
    rollup_refresh(start=day - timedelta(days=5), end=day)

    rows = DailyBoroughFigures.objects.filter(borough=case.borough)
    assert sum(r.reviews_due for r in rows) == 1
    assert sum(r.reviews_in_time for r in rows) == 0


def test_history_before_the_first_incident_is_kept_and_later_days_are_recomputed(dataset):
    from publicprotection.accounts.models import Borough
    from reports.services import records_begin

    lambeth = Borough.objects.get(code="LAM")
    first = records_begin()
    assert first == timezone.localdate(Incident.objects.order_by("occurred_at").first().occurred_at)
    imported = DailyBoroughFigures.objects.create(
        day=first - timedelta(days=1), borough=lambeth, incidents=3, crimes=3
    )
    stale = DailyBoroughFigures.objects.create(
        day=dataset.end - timedelta(days=20), borough=lambeth, incidents=9, crimes=9
    )

    rollup_refresh(start=first - timedelta(days=400), end=dataset.end)

    assert DailyBoroughFigures.objects.filter(pk=imported.pk).exists()
    assert not DailyBoroughFigures.objects.filter(pk=stale.pk).exists()
    assert rollup_counts(first, dataset.end) == direct_counts(first, dataset.end)


def test_the_nightly_refresh_is_retried_after_a_database_blip():
    """The database restarting (a failover) at 02:30 must not leave the figures a day behind
    until the next night: the task retries, and the refresh is all or nothing."""
    from unittest import mock

    from django.db import OperationalError

    from reports import tasks

    refresh, calls = tasks.rollup_refresh_recent, []

    def blip_then_refresh(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("the database system is starting up")
        return refresh(**kwargs)

    with mock.patch.object(tasks, "rollup_refresh_recent", blip_then_refresh):
        result = tasks.refresh_rollup.apply(kwargs={"days": 31})

    assert result.successful() and len(calls) == 2
    assert RollupRefresh.objects.count() == 1
