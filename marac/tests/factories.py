"""Factories for the MARAC tests: referrals, meetings, listed cases, partners and actions,
made through the real services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from cases.models import Party, PartyRole
from cases.tests.factories import add_party, complete_incident
from publicprotection.accounts.models import AgencyType, Role
from publicprotection.accounts.tests.factories import (
    AgencyFactory,
    PartnerFactory,
    UserFactory,
    team,
)
from riskassessment.models import AssessmentStatus, MaracDecision, RiskAssessment
from riskassessment.tests.factories import start_assessment

from ..models import MaracReferral, MeetingInvitation, ReferralStatus, RepeatMaracCandidate
from ..services.actions import action_create
from ..services.meetings import meeting_create, referral_list_at_meeting
from ..services.referrals import referral_create
from ..services.sharing import meeting_invite


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
    "perpetrator_note": "A new partner, first name Dan, not yet identified",
    "recent_history": "Three call-outs since March; strangulation on the last.",
}


def suspects_of(assessment) -> list[int]:
    return list(
        Party.objects.filter(
            incident_id=assessment.incident_id, role=PartyRole.SUSPECT
        ).values_list("person_id", flat=True)
    )


def refer(assessment=None, actor=None, **overrides):
    """A referral naming the incident's suspects (unless `perpetrators` is given)."""
    assessment = assessment or high_assessment()
    fields = {**REFERRAL_FIELDS, **overrides}
    fields.setdefault("perpetrators", suspects_of(assessment))
    return referral_create(actor=actor or assessment.created_by, assessment=assessment, **fields)


def meeting(team_code: str = "LAM", starts_at: datetime | None = None, **overrides):
    fields = {
        "starts_at": starts_at or timezone.now() + timedelta(days=7),
        "venue": "Brixton police station, room 2",
        "chair": "DI Jo Patel",
    }
    fields.update(overrides)
    return meeting_create(actor=coordinator(team_code), team=team(team_code), **fields)


def social_care_partner():
    agency = AgencyFactory(agency_type=AgencyType.objects.get(code="childrens_social_care"))
    return PartnerFactory(agency=agency)


def idva_partner():
    return PartnerFactory(agency=AgencyFactory(agency_type=AgencyType.objects.get(code="idva")))


def listed_case(at=None, coord=None, **referral_fields):
    at = at or meeting()
    coord = coord or coordinator()
    referral = refer(**referral_fields)
    return referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)


def an_action(listing, agency, actor, **overrides):
    """An action for `agency` on the listed case, inviting the agency first if need be (only
    agencies at the table own actions)."""
    if not MeetingInvitation.objects.filter(meeting=listing.meeting, agency=agency).exists():
        meeting_invite(actor=actor, meeting=listing.meeting, agency=agency)
    fields = {
        "subject": "victim",
        "agency": agency,
        "owner": "Sam IDVA",
        "description": "Safety plan and sanctuary scheme referral",
        "due_date": date.today() + timedelta(days=14),
    }
    return action_create(actor=actor, listing=listing, **{**fields, **overrides})


# --- Repeat MARAC: a referral back in time, and new incidents of its victim ----------------------


def referral_made_days_ago(days: int) -> MaracReferral:
    referral = refer()
    MaracReferral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    referral.refresh_from_db()
    return referral


def new_incident_of(person, days_after_referral: int, referral, *, same_perpetrator=True):
    """A new incident of the referred victim; by default with the referral's perpetrator too
    (complete_incident adds a suspect of its own)."""
    incident, _, _ = complete_incident(
        occurred_at=referral.created_at + timedelta(days=days_after_referral)
    )
    if same_perpetrator:
        perpetrator = Party.objects.get(incident=referral.incident, role=PartyRole.SUSPECT)
        add_party(incident, PartyRole.SUSPECT, person=perpetrator.person)
    return add_party(incident, PartyRole.VICTIM, person=person)


# --- Repeat-MARAC candidates: the rule worked out in Python, and what the triggers keep ----------


def repeat_candidates_by_the_rule() -> set[tuple]:
    """(party, borough, occurred_at, last referral) of every victim whose person had a referral,
    not rejected, made before their incident happened: RepeatMaracCandidate's rule, worked out
    from the records alone."""
    rows = set()
    for party in Party.objects.filter(role=PartyRole.VICTIM).select_related("incident"):
        last = (
            MaracReferral.objects.filter(
                person_id=party.person_id, created_at__lt=party.incident.occurred_at
            )
            .exclude(status=ReferralStatus.REJECTED)
            .aggregate(last=Max("created_at"))["last"]
        )
        if last is not None:
            rows.add((party.pk, party.incident.borough_id, party.incident.occurred_at, last))
    return rows


def repeat_candidates_kept() -> set[tuple]:
    return set(
        RepeatMaracCandidate.objects.values_list(
            "party_id", "borough_id", "occurred_at", "last_referral_at"
        )
    )
