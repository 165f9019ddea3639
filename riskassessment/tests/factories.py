"""Risk assessments, their RARA actions and reviews, made through the real services."""

from datetime import timedelta

from django.utils import timezone

from cases.models import PartyRole
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_offence,
    add_party,
    complete_incident,
)
from publicprotection.london_time import london_today
from riskassessment.models import (
    AnswerValue,
    AssessmentStatus,
    Level,
    RaraAction,
    RaraActionType,
    RiskAssessment,
)
from riskassessment.services.assessments import (
    assessment_confirm,
    assessment_save,
    assessment_start,
    assessment_submit,
)


def start_assessment(*, victim=None, actor=None, borough_code="LAM"):
    """A draft SPECSS+ assessment of a victim in a complete, open incident."""
    if victim is None:
        incident, victim, _ = complete_incident(borough_code=borough_code, actor=actor)
    return assessment_start(actor=actor or victim.incident.created_by, victim=victim)


def answer(assessment, actor=None, yes=(), no=(), **fields):
    """Answer the named factors yes / no (the rest stay not known) and save other fields."""
    answers = dict.fromkeys(yes, (AnswerValue.YES, ""))
    answers.update(dict.fromkeys(no, (AnswerValue.NO, "")))
    return assessment_save(
        actor=actor or assessment.created_by,
        assessment_id=assessment.pk,
        expected_version=assessment.version,
        answers=answers,
        **fields,
    )


def another_victim(incident):
    return add_party(incident, PartyRole.VICTIM)


def add_action(assessment):
    return RaraAction.objects.create(
        assessment=assessment,
        borough_id=assessment.borough_id,
        category="reduce",
        action_type=RaraActionType.objects.get(code="idva_referral"),
        owner=assessment.created_by,
        due_date=london_today() + timedelta(days=3),
        created_by=assessment.created_by,
    )


def submitted(*, final_level=Level.HIGH, yes=("strangulation",), borough_code="LAM", actor=None,
              **fields):  # fmt: skip
    """An assessment awaiting review, made through the services."""
    assessment = start_assessment(borough_code=borough_code, actor=actor)
    if final_level == Level.HIGH or "lowering_rationale" in fields:
        # A HIGH, set or recommended (lowered), needs the MARAC decision.
        fields.setdefault("marac_decision", "refer")
    assessment = answer(assessment, yes=yes, final_level=final_level, **fields)
    add_action(assessment)
    return assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def assess(victim, *, level=Level.STANDARD, reason="", yes=(), **fields):
    """A submitted assessment of the victim party (a reassessment if it has one already)."""
    assessment = assessment_start(
        actor=victim.incident.created_by, victim=victim, reassessment_reason=reason
    )
    if level == Level.HIGH or "lowering_rationale" in fields:
        # A HIGH, set or recommended (lowered), needs the MARAC decision.
        fields.setdefault("marac_decision", "refer")
    assessment = answer(assessment, yes=yes, final_level=level, **fields)
    if level != Level.STANDARD:
        add_action(assessment)
    return assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def submit_standard(victim):
    """Answer the victim's current draft (nothing known) and submit it as STANDARD."""
    draft = RiskAssessment.objects.get(
        victim=victim, is_current=True, status=AssessmentStatus.DRAFT
    )
    draft = answer(draft, final_level=Level.STANDARD)
    return assessment_submit(actor=draft.created_by, assessment_id=draft.pk)


def confirmed(victim, reviewer, **kwargs):
    assessment = assess(victim, **kwargs)
    return assessment_confirm(actor=reviewer, assessment_id=assessment.pk)


def reassessed(victim, reviewer, times):
    """Confirmed assessments of the victim, each one a reassessment of the last."""
    for _ in range(times):
        has_one = RiskAssessment.objects.filter(victim=victim).exists()
        confirmed(victim, reviewer, reason="Circumstances changed" if has_one else "")


def third_incident_cleared(note="They were separate one-off disputes."):
    """A victim's third incident in twelve months (escalation suggested), the suggestion
    cleared with `note`, and the escalation answered no."""
    victim = PersonFactory()
    for days in (200, 100):
        earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=days))
        add_party(earlier, PartyRole.VICTIM, person=victim)
        add_offence(earlier, add_party(earlier, PartyRole.SUSPECT), code="gbh")
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)
    add_offence(incident, add_party(incident, PartyRole.SUSPECT), code="common_assault")
    assessment = assessment_start(actor=incident.created_by, victim=party)
    assessment = answer(
        assessment,
        no=["escalation"],
        final_level=Level.STANDARD,
        lowering_rationale="",
        escalation_cleared_note=note,
    )
    return victim, incident, assessment
