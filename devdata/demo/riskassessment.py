"""Fictional risk assessments at every level, with RARA plans (some actions overdue).

Idempotent: victims already assessed are left alone. Uses the services, then back-dates a few
due dates (a plan made weeks ago has actions that are now overdue).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import IncidentStatus, Party, PartyRole
from publicprotection.accounts.models import User
from riskassessment.models import Level, MaracDecision, RaraAction, RaraActionType, RiskAssessment
from riskassessment.services.assessments import (
    assessment_confirm,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from riskassessment.services.plans import rara_action_add

# Per victim (by family name): yes answers, final level, confirmed by the supervisor?
PLANS = {
    "Okafor": (["strangulation", "separation", "escalation"], Level.HIGH, True),
    "Henderson": (["stalking", "jealous_controlling"], Level.MEDIUM, True),
    "Rahman": (["community"], Level.MEDIUM, False),
    "Whitfield": ([], Level.STANDARD, True),
    "Natarajan": (["threats_to_kill", "weapon_use"], Level.HIGH, False),
}
ACTIONS = {
    Level.HIGH: [
        ("remove", "refuge", 5),
        ("avoid", "non_molestation_order", -3),
        ("reduce", "idva_referral", -1),
    ],
    Level.MEDIUM: [("reduce", "sanctuary", 7), ("avoid", "emergency_phone", -2)],
}


def seed_demo(stdout) -> None:
    created = 0
    for username in ("lam.officer", "sou.officer"):
        officer = User.objects.get(username=username)
        supervisor = User.objects.get(username=username.replace("officer", "supervisor"))
        victims = (
            Party.objects.filter(
                role=PartyRole.VICTIM,
                incident__created_by=officer,
                incident__status=IncidentStatus.OPEN,
            )
            .select_related("person", "incident")
            .order_by("person_id", "-incident__occurred_at")
        )
        seen_people = set()
        for victim in victims:
            # Assess each person's most recent incident once.
            if (
                victim.person_id in seen_people
                or RiskAssessment.objects.filter(victim=victim).exists()
            ):
                seen_people.add(victim.person_id)
                continue
            seen_people.add(victim.person_id)
            plan = PLANS.get(victim.person.family_name)
            if plan is None:
                continue
            _assess(officer, supervisor, victim, *plan)
            created += 1
    stdout.write(f"Demo risk assessments: {RiskAssessment.objects.count()} ({created} new)\n")


def _assess(officer, supervisor, victim, yes, level, confirm) -> None:
    assessment = assessment_start(actor=officer, victim=victim)
    answers = dict.fromkeys(yes, ("yes", "Disclosed by the victim at the scene."))
    fields = {"final_level": level}
    if level == Level.HIGH:
        fields["marac_decision"] = MaracDecision.REFER
    assessment = assessment_save(
        actor=officer,
        assessment_id=assessment.pk,
        expected_version=assessment.version,
        answers=answers,
        **fields,
    )
    if assessment.recommended_level != level:
        assessment = assessment_save(
            actor=officer,
            assessment_id=assessment.pk,
            expected_version=assessment.version,
            raise_note="Professional judgement: the victim is very frightened.",
            lowering_rationale="Demo: agreed with the supervisor at the scene.",
        )
    today = timezone.localdate()
    for category, code, due_in_days in ACTIONS.get(level, []):
        action = rara_action_add(
            actor=officer,
            assessment_id=assessment.pk,
            category=category,
            action_type=RaraActionType.objects.get(code=code),
            owner=officer,
            due_date=today + timedelta(days=abs(due_in_days)),
            notes="Fictional demo action.",
        )
        if due_in_days < 0:  # made weeks ago; now overdue
            RaraAction.objects.filter(pk=action.pk).update(
                due_date=today + timedelta(days=due_in_days)
            )
    assessment_submit(actor=officer, assessment_id=assessment.pk)
    if confirm:
        assessment_confirm(
            actor=supervisor,
            assessment_id=assessment.pk,
            rationale="Agreed." if assessment.is_lowered else "",
        )
