"""Reviews made through the services, as in production."""

from __future__ import annotations

from datetime import date, timedelta

from cases.tests.factories import PersonFactory
from publicprotection.accounts.models import Borough
from publicprotection.london_time import london_today

from ..services import review_create


def a_review(actor, *, victim=None, suspect=None, died: date | None = None, **fields):
    victim = victim or PersonFactory(actor=actor, given_name="Dee", family_name="Ceased")
    fields.setdefault("circumstances", "Found dead at home; the partner was arrested.")
    fields.setdefault("borough", Borough.objects.get(code="LAM"))
    fields.setdefault("partnership", "Safer Lambeth Partnership")
    return review_create(
        actor=actor,
        victim_id=victim.pk,
        victim_name=victim.full_name,
        suspect_id=suspect.pk if suspect else None,
        suspect_name=suspect.full_name if suspect else "",
        date_of_death=died or london_today() - timedelta(days=10),
        **fields,
    )


def a_history_with_missed_opportunities(actor):
    """Victim and suspect with two incidents months apart in two boroughs: a decision not to
    arrest never reviewed, a HIGH assessment with no MARAC decision, an overdue RARA action
    and a protective order that lapsed. Returns (victim, suspect, first incident)."""
    from django.utils import timezone

    from cases.models import ArrestDecision, PartyRole, ProtectiveOrder, ProtectiveOrderType
    from cases.tests.factories import IncidentFactory, add_offence, add_party, not_arrested
    from riskassessment.models import (
        AssessmentStatus,
        RaraAction,
        RaraActionType,
        RiskAssessment,
    )
    from riskassessment.services.assessments import assessment_start

    victim = PersonFactory(actor=actor, given_name="Vera", family_name="Victim")
    suspect = PersonFactory(actor=actor, given_name="Sid", family_name="Suspect")
    now = timezone.now()
    first = IncidentFactory(
        actor=actor,
        occurred_at=now - timedelta(days=200),
        reported_at=now - timedelta(days=200),
    )
    v_party = add_party(first, PartyRole.VICTIM, person=victim, actor=actor)
    s_party = add_party(first, PartyRole.SUSPECT, person=suspect, actor=actor)
    add_offence(first, s_party, actor=actor)
    decision = not_arrested(s_party, actor=actor)
    ArrestDecision.objects.filter(pk=decision.pk).update(
        decided_at=now - timedelta(days=200), review_due_at=now - timedelta(days=199)
    )
    decision.review_events.update(created_at=now - timedelta(days=200))
    assessment = assessment_start(actor=actor, victim=v_party)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        recommended_level="high",
        final_level="high",
        submitted_at=now - timedelta(days=199),
    )
    action = RaraAction.objects.create(
        assessment=assessment,
        borough_id=assessment.borough_id,
        category="reduce",
        action_type=RaraActionType.objects.get(code="idva_referral"),
        owner=actor,
        due_date=london_today() - timedelta(days=150),
        created_by=actor,
    )
    RaraAction.objects.filter(pk=action.pk).update(created_at=now - timedelta(days=199))
    ProtectiveOrder.objects.create(
        incident=first,
        borough_id=first.borough_id,
        protected_person=victim,
        respondent=suspect,
        order_type=ProtectiveOrderType.NON_MOLESTATION,
        made_on=london_today() - timedelta(days=190),
        expires_on=london_today() - timedelta(days=40),
        recorded_by=actor,
    )
    second = IncidentFactory(
        actor=actor,
        borough=Borough.objects.get(code="SOU"),
        occurred_at=now - timedelta(days=20),
        reported_at=now - timedelta(days=20),
    )
    # Southwark's incident is changed by Southwark's officer (the factory made them its recorder).
    add_party(second, PartyRole.VICTIM, person=victim, actor=second.created_by)
    add_party(second, PartyRole.SUSPECT, person=suspect, actor=second.created_by)
    return victim, suspect, first
