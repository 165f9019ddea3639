"""Referrals and meetings made through the real services, for the MARAC tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import AssessmentStatus, MaracDecision, RiskAssessment
from riskassessment.tests.factories import start_assessment

from ..services.meetings import meeting_create
from ..services.referrals import referral_create


def coordinator(code: str = "LAM"):
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team(code))


def high_assessment(*, borough_code: str = "LAM", victim=None, level: str = "high",
                    refer: bool = True) -> RiskAssessment:  # fmt: skip
    assessment = start_assessment(borough_code=borough_code, victim=victim)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        recommended_level=level,
        final_level=level,
        submitted_at=timezone.now(),
        marac_decision=MaracDecision.REFER if refer else "",
    )
    assessment.refresh_from_db()
    return assessment


REFERRAL_FIELDS = {
    "referring_agency": "Metropolitan Police",
    "criteria": [],
    "victim_aware": True,
    "victim_consents": True,
    "safe_contact": "Mobile 07700 900123, text first",
    "perpetrators": "Former partner, Dan Smith",
    "recent_history": "Three call-outs since March; strangulation on the last.",
}


def refer(assessment=None, actor=None, **overrides):
    assessment = assessment or high_assessment()
    fields = {**REFERRAL_FIELDS, **overrides}
    return referral_create(actor=actor or assessment.created_by, assessment=assessment, **fields)


def meeting(team_code: str = "LAM", starts_at: datetime | None = None, **overrides):
    fields = {
        "starts_at": starts_at or timezone.now() + timedelta(days=7),
        "venue": "Brixton police station, room 2",
        "chair": "DI Jo Patel",
    }
    fields.update(overrides)
    return meeting_create(actor=coordinator(team_code), team=team(team_code), **fields)
