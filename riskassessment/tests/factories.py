"""Risk assessments made through the real services."""

from cases.models import PartyRole
from cases.tests.factories import add_party, complete_incident
from riskassessment.models import AnswerValue
from riskassessment.services.assessments import assessment_save, assessment_start


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
