"""Positive action as a structured decision: the PACE Code G necessity assessment, criterion by
criterion, and "victim does not support a prosecution" offered only to be refused with the
policy; the free-text guard stays as the second check. Service, API and form alike."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import (
    VICTIM_NOT_SUPPORTING,
    ArrestDecision,
    ArrestOutcome,
    NecessityCriterion,
    NotArrestedReason,
)
from cases.services.positive_action import POSITIVE_ACTION_POLICY, arrest_decision_record
from cases.tests.factories import GOOD_JUSTIFICATION, NECESSITY_GROUNDS, complete_incident

pytestmark = pytest.mark.django_db


def suspect_without_decision(borough_code="LAM"):
    _incident, _victim, suspect = complete_incident(borough_code=borough_code, decision=None)
    return suspect


def record(suspect, **kwargs):
    kwargs.setdefault("justification", GOOD_JUSTIFICATION)
    return arrest_decision_record(
        actor=suspect.incident.created_by,
        suspect=suspect,
        outcome=ArrestOutcome.NOT_ARRESTED,
        **kwargs,
    )


def test_victim_not_supporting_is_an_offered_reason_refused_with_the_policy():
    suspect = suspect_without_decision()

    with pytest.raises(ValidationError) as error:
        record(suspect, reason=VICTIM_NOT_SUPPORTING, necessity_grounds=NECESSITY_GROUNDS)

    assert error.value.message_dict["reason"] == [POSITIVE_ACTION_POLICY]
    assert not ArrestDecision.objects.exists()


def test_not_necessary_needs_every_criterion_answered():
    suspect = suspect_without_decision()
    partial = {k: v for k, v in NECESSITY_GROUNDS.items() if k != "protect_vulnerable"}

    with pytest.raises(ValidationError) as error:
        record(suspect, reason=NotArrestedReason.NOT_NECESSARY, necessity_grounds=partial)

    assert set(error.value.message_dict) == {"necessity_protect_vulnerable"}
    with pytest.raises(ValidationError) as error:
        record(suspect, reason=NotArrestedReason.NOT_NECESSARY)
    assert set(error.value.message_dict) == {f"necessity_{c}" for c in NecessityCriterion.values}


def test_a_criterion_answered_only_with_victim_non_support_is_refused():
    suspect = suspect_without_decision()
    grounds = {**NECESSITY_GROUNDS, "prevent_injury": "The victim won't support a prosecution."}

    with pytest.raises(ValidationError) as error:
        record(suspect, reason=NotArrestedReason.NOT_NECESSARY, necessity_grounds=grounds)

    assert error.value.message_dict == {"necessity_prevent_injury": [POSITIVE_ACTION_POLICY]}


def test_the_free_text_guard_stays_the_second_check():
    suspect = suspect_without_decision()

    with pytest.raises(ValidationError) as error:
        record(
            suspect,
            reason=NotArrestedReason.NOT_NECESSARY,
            necessity_grounds=NECESSITY_GROUNDS,
            justification="She declined to provide a statement.",
        )

    assert error.value.message_dict == {"justification": [POSITIVE_ACTION_POLICY]}


def test_a_full_necessity_assessment_is_kept_in_criterion_order():
    suspect = suspect_without_decision()

    decision = record(
        suspect, reason=NotArrestedReason.NOT_NECESSARY, necessity_grounds=NECESSITY_GROUNDS
    )

    assert decision.necessity_grounds == NECESSITY_GROUNDS
    labels = [label for label, _why in decision.necessity_assessment]
    assert labels == NecessityCriterion.labels


def test_the_api_records_the_necessity_assessment_and_refuses_victim_non_support(
    api_client, lambeth_officer
):
    suspect = suspect_without_decision()
    api_client.force_authenticate(lambeth_officer)
    body = {"suspect": suspect.pk, "outcome": "not_arrested", "justification": GOOD_JUSTIFICATION}

    refused = api_client.post(
        reverse("api:arrest-decision-list"),
        {**body, "reason": VICTIM_NOT_SUPPORTING},
        format="json",
    )
    missing = api_client.post(
        reverse("api:arrest-decision-list"), {**body, "reason": "not_necessary"}, format="json"
    )
    created = api_client.post(
        reverse("api:arrest-decision-list"),
        {**body, "reason": "not_necessary", "necessity_grounds": NECESSITY_GROUNDS},
        format="json",
    )

    assert refused.status_code == 400
    assert POSITIVE_ACTION_POLICY in str(refused.json())
    assert missing.status_code == 400
    assert "necessity_protect_vulnerable" in {e["attr"] for e in missing.json()["errors"]}
    assert created.status_code == 201, created.json()
    assert created.json()["necessity_grounds"] == NECESSITY_GROUNDS


def test_the_form_offers_the_criteria_and_the_supervisor_sees_them(
    client, lambeth_officer, lambeth_supervisor
):
    suspect = suspect_without_decision()
    incident = suspect.incident
    url = reverse("cases:incident-arrest-decision", args=[incident.reference, suspect.pk])
    client.force_login(lambeth_officer)
    page = client.get(url)
    assert "Victim does not support a prosecution" in page.text
    assert NecessityCriterion.PROTECT_VULNERABLE.label in page.text

    refused = client.post(
        url, {"outcome": "not_arrested", "reason": VICTIM_NOT_SUPPORTING,
              "justification": GOOD_JUSTIFICATION},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "Positive action policy" in refused.text
    fields = {f"necessity_{k}": v for k, v in NECESSITY_GROUNDS.items()}
    done = client.post(
        url, {"outcome": "not_arrested", "reason": "not_necessary",
              "justification": GOOD_JUSTIFICATION, **fields},
    )  # fmt: skip
    assert done.status_code == 302
    decision = ArrestDecision.objects.get()
    assert decision.necessity_grounds == NECESSITY_GROUNDS

    client.force_login(lambeth_supervisor)
    review = client.get(reverse("cases:review-decision", args=[decision.pk]))
    assert review.status_code == 200
    assert "Necessity (PACE Code G 2.9)" in review.text
    assert NECESSITY_GROUNDS["protect_vulnerable"] in review.text
