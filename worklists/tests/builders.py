"""Work for the home pages, made through the real services (test helpers, not tests)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import IncidentStatus
from cases.services.positive_action import arrest_decision_return
from cases.tests.factories import IncidentFactory, complete_incident
from marac.models import ActionSubject, MeetingInvitation
from marac.services.actions import action_create
from marac.services.meetings import meeting_create, referral_list_at_meeting
from marac.services.referrals import referral_accept, referral_create
from marac.services.research import research_save
from marac.services.sharing import meeting_invite
from publicprotection.accounts.models import AgencyType, Borough, Role
from publicprotection.accounts.tests.factories import (
    AgencyFactory,
    PartnerFactory,
    UserFactory,
    team,
)
from riskassessment.models import (
    AssessmentStatus,
    MaracDecision,
    RaraAction,
    RaraActionType,
    RiskAssessment,
)
from riskassessment.tests.factories import start_assessment

REQUIRED_ACTION = "Speak to the neighbour who called it in before this can be endorsed."


def coordinator(code: str = "LAM"):
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team(code))


def returned_decision(officer, supervisor, borough_code: str = "LAM"):
    """An incident of the officer's whose decision not to arrest the supervisor returned."""
    incident, victim, suspect = complete_incident(actor=officer, borough_code=borough_code)
    decision = suspect.arrest_decision
    return arrest_decision_return(
        actor=supervisor, decision_id=decision.pk, required_action=REQUIRED_ACTION
    )


def draft_incident(officer, borough_code: str = "LAM"):
    return IncidentFactory(
        actor=officer, borough=Borough.objects.get(code=borough_code), status=IncidentStatus.DRAFT
    )


def rara_action(assessment, owner, due_in_days: int) -> RaraAction:
    return RaraAction.objects.create(
        assessment=assessment,
        borough_id=assessment.borough_id,
        category="reduce",
        action_type=RaraActionType.objects.get(code="idva_referral"),
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=due_in_days),
        created_by=owner,
    )


def submitted_assessment(officer=None, *, borough_code: str = "LAM", level: str = "high",
                         marac_decision: str = "") -> RiskAssessment:  # fmt: skip
    """Awaiting a supervisor's confirmation, at `level`."""
    assessment = start_assessment(actor=officer, borough_code=borough_code)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        recommended_level=level,
        final_level=level,
        submitted_at=timezone.now(),
        marac_decision=marac_decision,
        marac_not_referred_reason="Victim already at MARAC elsewhere"
        if marac_decision == MaracDecision.NOT_REFERRED
        else "",
    )
    assessment.refresh_from_db()
    return assessment


def referral(borough_code: str = "LAM", assessment=None):
    assessment = assessment or submitted_assessment(
        borough_code=borough_code, marac_decision=MaracDecision.REFER
    )
    return referral_create(
        actor=assessment.created_by,
        assessment=assessment,
        referring_agency="Metropolitan Police",
        criteria=[],
        victim_aware=True,
        victim_consents=True,
        safe_contact="Through the IDVA only.",
        perpetrator_note="Former partner.",
        recent_history="Escalating incidents this year.",
    )


def meeting(borough_code: str = "LAM", coord=None, days_ahead: int = 7):
    return meeting_create(
        actor=coord or coordinator(borough_code),
        team=team(borough_code),
        starts_at=timezone.now() + timedelta(days=days_ahead),
        venue="Brixton police station, room 2",
        chair="DI Jo Patel",
    )


def idva_partner(borough_code: str = "LAM"):
    agency = AgencyFactory(
        agency_type=AgencyType.objects.get(code="idva"),
        borough=Borough.objects.get(code=borough_code),
    )
    return PartnerFactory(agency=agency)


def listed_case(at, agency, borough_code: str = "LAM"):
    """A referral accepted and listed at `at`, with `agency` invited."""
    coord = coordinator(borough_code)
    if not MeetingInvitation.objects.filter(meeting=at, agency=agency).exists():
        meeting_invite(actor=coord, meeting=at, agency=agency)
    made = referral(borough_code)
    referral_accept(actor=coord, referral_id=made.pk, comment="Meets the criteria.")
    return referral_list_at_meeting(actor=coord, referral_id=made.pk, meeting_id=at.pk)


def marac_action(listing, agency, due_in_days: int):
    return action_create(
        actor=coordinator(listing.referral.borough.code),
        listing=listing,
        subject=ActionSubject.VICTIM,
        agency=agency,
        owner="Sam Reid (IDVA)",
        description="Safety plan review with the victim.",
        due_date=timezone.localdate() + timedelta(days=due_in_days),
    )


def record_research(partner, listing):
    return research_save(actor=partner, listing=listing, facts="Known to the service since May.")
