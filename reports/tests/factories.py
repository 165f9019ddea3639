"""Case records for the trends tests, made through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from cases.models import (
    ArrestReviewEvent,
    Offence,
    OffenceType,
    Outcome,
    PartyRole,
    ReviewEventKind,
)
from cases.services.incidents import incident_record_outcome
from cases.services.positive_action import arrest_decision_endorse, arrest_decision_return
from cases.tests.factories import IncidentFactory, PersonFactory, add_offence, add_party
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import AssessmentStatus, RiskAssessment
from riskassessment.services.assessments import assessment_start


def incident(*, actor, days_ago: float, borough="LAM", is_crime=True, status="open", **kwargs):
    return IncidentFactory(
        actor=actor,
        borough=Borough.objects.get(code=borough),
        occurred_at=timezone.now() - timedelta(days=days_ago),
        is_crime=is_crime,
        status=status,
        **kwargs,
    )


def victim(incident, person=None):
    return add_party(incident, PartyRole.VICTIM, person=person or PersonFactory())


def suspect(incident, *, offence="abh"):
    party = add_party(incident, PartyRole.SUSPECT)
    if offence == "no_power":
        no_power, _ = OffenceType.objects.get_or_create(
            code="test_no_power",
            defaults={
                "name": "Test offence without a power of arrest",
                "power_of_arrest": False,
                "seriousness": 1,
            },  # fmt: skip
        )
        Offence.objects.create(incident=incident, suspect=party, offence_type=no_power)
    elif offence:
        add_offence(incident, party)
    return party


def supervisor(borough="LAM"):
    return UserFactory(role=Role.SUPERVISOR, team=team(borough))


def review_at(decision, *, submitted: datetime, reviewed: datetime | None, returned=False):
    """Review a decision, then move the event times (the services stamp them with now)."""
    if reviewed is not None:
        if returned:
            arrest_decision_return(
                actor=supervisor(), decision_id=decision.pk, required_action="Trace him today."
            )
        else:
            arrest_decision_endorse(actor=supervisor(), decision_id=decision.pk)
        ArrestReviewEvent.objects.filter(
            decision=decision, kind__in=[ReviewEventKind.ENDORSED, ReviewEventKind.RETURNED]
        ).update(created_at=reviewed)
    ArrestReviewEvent.objects.filter(decision=decision, kind=ReviewEventKind.SUBMITTED).update(
        created_at=submitted
    )


def charge(incident):
    return incident_record_outcome(
        actor=incident.created_by, incident_id=incident.pk, outcome=Outcome.CHARGE
    )


def assessment(victim_party, *, level: str, status=AssessmentStatus.AWAITING_REVIEW, when=None):
    """An assessment with its grading set directly: only its level, status and time count here."""
    assessment = assessment_start(actor=victim_party.incident.created_by, victim=victim_party)
    submitted = status != AssessmentStatus.DRAFT
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=status,
        recommended_level=level if submitted else "",
        final_level=level if submitted else "",
        submitted_at=(when or timezone.now()) if submitted else None,
    )
    return assessment
