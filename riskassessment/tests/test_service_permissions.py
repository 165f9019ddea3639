"""Who may assess a victim's risk is decided by the services, so the pages and the API share it:
an officer or supervisor of the incident's borough (the central team, any). Called directly as
the wrong user, each service refuses in its own words and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

from ..models import RiskAssessment
from ..services.assessments import assessment_save, assessment_start, assessment_submit
from .factories import start_assessment

pytestmark = pytest.mark.django_db


def snapshot():
    return list(RiskAssessment.objects.values_list("pk", "status", "version", "is_current"))


WRONG_USERS = pytest.mark.parametrize(
    "wrong_user,words",
    [
        (lambda: UserFactory(role=Role.OFFICER, team=team("SOU")), "another borough"),
        (
            lambda: UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM")),
            "Only an officer or supervisor can assess risk.",
        ),
    ],
    ids=["another borough's officer", "a MARAC coordinator"],
)


@WRONG_USERS
def test_only_a_writer_of_the_incidents_borough_starts_an_assessment(wrong_user, words):
    _, victim, _ = complete_incident()

    with pytest.raises(PermissionDenied, match=words):
        assessment_start(actor=wrong_user(), victim=victim)

    assert snapshot() == []


@WRONG_USERS
@pytest.mark.parametrize(
    "write",
    [
        lambda actor, assessment: assessment_save(
            actor=actor, assessment_id=assessment.pk, expected_version=assessment.version
        ),
        lambda actor, assessment: assessment_submit(actor=actor, assessment_id=assessment.pk),
    ],
    ids=["save", "submit"],
)
def test_only_a_writer_of_the_incidents_borough_saves_or_submits_it(write, wrong_user, words):
    assessment = start_assessment()
    before = snapshot()

    with pytest.raises(PermissionDenied, match=words):
        write(wrong_user(), assessment)

    assert snapshot() == before


@pytest.mark.parametrize("review", ["confirm", "regrade"])
def test_the_supervisor_who_submitted_a_grading_cannot_review_it(review):
    """Given an officer's draft recommended HIGH (strangulation), which a supervisor lowers to
    MEDIUM with a rationale and submits (so the level in force is theirs, level_set_by), when
    that supervisor reviews it, then they are refused and nothing changes: a level lowered
    below the recommendation needs another supervisor's confirmation (DOMAIN.md). Only the
    assessment's creator was refused, so a supervisor could set a level and confirm it."""
    from riskassessment.models import AssessmentStatus, Level
    from riskassessment.services.assessments import assessment_confirm, assessment_regrade

    from .factories import add_action, answer

    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    assessment = start_assessment()
    assessment = answer(
        assessment,
        actor=supervisor,
        yes=("strangulation",),
        final_level=Level.MEDIUM,
        lowering_rationale="Known to services, now in a refuge.",
        marac_decision="refer",
    )
    add_action(assessment)
    assessment = assessment_submit(actor=supervisor, assessment_id=assessment.pk)
    assert assessment.recommended_level == Level.HIGH
    assert assessment.level_set_by == supervisor
    before = snapshot()

    with pytest.raises(PermissionDenied, match="another supervisor must review it"):
        if review == "confirm":
            assessment_confirm(actor=supervisor, assessment_id=assessment.pk, rationale="Agreed.")
        else:
            assessment_regrade(
                actor=supervisor,
                assessment_id=assessment.pk,
                level=Level.STANDARD,
                rationale="Lower still.",
            )

    assert snapshot() == before
    other = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    confirmed = assessment_confirm(actor=other, assessment_id=assessment.pk, rationale="Agreed.")
    assert confirmed.status == AssessmentStatus.CONFIRMED
