"""The assessment's has_open_marac_referral, kept by the database from the referrals, and the
coordinator's "to be referred" list that reads it: whatever writes the referral or the
assessment, the flag is the referrals' answer, and the list is exactly the rule's."""

import pytest
from django.apps import apps
from django.db.models import Exists, OuterRef

from riskassessment.models import RiskAssessment

from ..models import MaracReferral, ReferralStatus
from ..selectors.referrals import assessments_to_be_referred, to_be_referred_filter
from ..services.referrals import referral_accept, referral_reject
from .factories import coordinator, high_assessment, refer

pytestmark = pytest.mark.django_db


def flag(assessment) -> bool:
    return RiskAssessment.objects.values_list("has_open_marac_referral", flat=True).get(
        pk=assessment.pk
    )


def by_the_rule(viewer) -> set:
    """The list by its rule, from the referrals themselves and never the flag."""
    open_referral = MaracReferral.objects.filter(assessment_id=OuterRef("pk")).exclude(
        status=ReferralStatus.REJECTED
    )
    return set(
        RiskAssessment.objects.filter(to_be_referred_filter(), borough__code="LAM")
        .filter(~Exists(open_referral))
        .values_list("pk", flat=True)
    )


def listed(viewer) -> set:
    return {a.pk for a in assessments_to_be_referred(viewer=viewer)}


def test_the_flag_follows_referral_create_reject_re_refer_and_delete():
    assessment = high_assessment()
    assert flag(assessment) is False

    first = refer(assessment)
    assert flag(assessment) is True

    referral_reject(actor=coordinator(), referral_id=first.pk, reason="Not enough detail.")
    assert flag(assessment) is False

    second = refer(assessment)
    assert flag(assessment) is True
    referral_accept(actor=coordinator(), referral_id=second.pk)
    assert flag(assessment) is True

    MaracReferral.objects.filter(pk=second.pk).update(
        status=ReferralStatus.REJECTED, rejection_reason="By hand."
    )
    assert flag(assessment) is False
    MaracReferral.objects.filter(pk=second.pk).update(status=ReferralStatus.LISTED)
    assert flag(assessment) is True

    second.perpetrators.clear()
    second.history.all().delete()
    MaracReferral.objects.filter(pk=second.pk).delete()
    assert flag(assessment) is False  # only the rejected one is left


def test_a_referral_moved_to_another_assessment_moves_the_flag():
    first, other = high_assessment(), high_assessment()
    referral = refer(first)

    MaracReferral.objects.filter(pk=referral.pk).update(assessment=other)

    assert (flag(first), flag(other)) == (False, True)


def test_a_stale_save_of_the_assessment_cannot_clear_or_set_the_flag():
    # Given an assessment held in memory since before its referral (a form open meanwhile)
    assessment = high_assessment()
    stale = RiskAssessment.objects.get(pk=assessment.pk)
    assert stale.has_open_marac_referral is False
    referral = refer(assessment)

    # When the stale copy is saved whole
    stale.raise_note = "Saved from an old form."
    stale.save()

    # Then the flag is still the referrals' answer, and the list does not show it
    assert flag(assessment) is True
    assert assessment.pk not in listed(coordinator())

    # And the other way: a copy read while the referral was open, saved after the rejection
    stale = RiskAssessment.objects.get(pk=assessment.pk)
    referral_reject(actor=coordinator(), referral_id=referral.pk, reason="Below the threshold.")
    stale.save()
    assert flag(assessment) is False
    assert assessment.pk in listed(coordinator())


def test_no_write_of_the_assessment_can_store_a_flag_the_referrals_contradict():
    waiting, referred = high_assessment(), high_assessment()
    refer(referred)

    RiskAssessment.objects.filter(pk=waiting.pk).update(has_open_marac_referral=True)
    RiskAssessment.objects.filter(pk=referred.pk).update(has_open_marac_referral=False)

    assert (flag(waiting), flag(referred)) == (False, True)
    assert listed(coordinator()) == {waiting.pk}


def test_the_flag_changing_writes_no_history_of_the_assessment():
    events = apps.get_model("riskassessment", "RiskAssessmentEvent").objects
    assessment = high_assessment()
    before = events.filter(pgh_obj_id=assessment.pk).count()

    referral = refer(assessment)
    referral_reject(actor=coordinator(), referral_id=referral.pk, reason="Not enough detail.")
    refer(assessment)

    assert events.filter(pgh_obj_id=assessment.pk).count() == before
    # A real change of the assessment is still recorded.
    RiskAssessment.objects.filter(pk=assessment.pk).update(raise_note="Regraded on new facts.")
    assert events.filter(pgh_obj_id=assessment.pk).count() == before + 1


def test_the_list_is_exactly_the_rule_through_every_step():
    coord = coordinator()
    a, b, c = high_assessment(), high_assessment(), high_assessment()
    high_assessment(refer=False)  # HIGH with no decision recorded: to be referred as well
    high_assessment(level="medium")
    steps = [
        lambda: refer(a),
        lambda: refer(b),
        lambda: referral_reject(
            actor=coord, referral_id=MaracReferral.objects.get(assessment=a).pk, reason="Later."
        ),
        lambda: RiskAssessment.objects.filter(pk=c.pk).update(is_current=False),
        lambda: refer(a),
        lambda: RiskAssessment.objects.filter(pk=c.pk).update(is_current=True),
    ]

    assert listed(coord) == by_the_rule(coord)
    assert len(listed(coord)) == 4
    for step in steps:
        step()
        assert listed(coord) == by_the_rule(coord)
    assert len(listed(coord)) == 2


def test_the_level_and_the_flag_have_statistics_together(db):
    """Without them PostgreSQL takes the flag and the level as independent and walks every
    HIGH assessment for the "to be referred" list (riskassessment 0013)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkeys::text FROM pg_statistic_ext WHERE stxname = %s",
            ["riskassessment_level_and_open_referral"],
        )
        row = cursor.fetchone()

    assert row is not None
