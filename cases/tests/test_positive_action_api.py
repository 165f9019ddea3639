"""Arrest decision API: scoped by the access core; bad input is a 400 with field errors, a step
the decision's state does not allow is a 409, and nothing is ever a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestOutcome,
    NotArrestedReason,
    PartyRole,
    ReviewEventKind,
    ReviewStatus,
)
from cases.services.positive_action import (
    POSITIVE_ACTION_POLICY,
    arrest_decision_respond,
    arrest_decision_return,
)
from cases.tests.factories import GOOD_JUSTIFICATION, complete_incident, not_arrested
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db

LIST = reverse("api:arrest-decision-list")


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


def open_suspect(borough_code="LAM"):
    _incident, _victim, suspect = complete_incident(borough_code=borough_code, decision=None)
    return suspect


def queued_decision(borough_code="LAM", reason=NotArrestedReason.SUSPECT_NOT_PRESENT):
    return not_arrested(open_suspect(borough_code), reason=reason)


def returned_decision(supervisor, borough_code="LAM"):
    decision = queued_decision(borough_code)
    arrest_decision_return(actor=supervisor, decision_id=decision.pk, required_action="Trace him.")
    return decision


def snapshot(decision):
    decision.refresh_from_db()
    return (
        decision.review_status,
        decision.is_outstanding,
        decision.arrested_at,
        decision.updated_at,
        list(decision.review_events.values_list("kind", flat=True)),
    )


def url(name, decision):
    return reverse(f"api:arrest-decision-{name}", args=[decision.pk])


def field_errors(response) -> dict:
    body = response.json()
    assert body["type"] == "validation_error"
    errors: dict = {}
    for error in body["errors"]:
        errors.setdefault(error["attr"], []).append(error["detail"])
    return errors


# --- List and detail ----------------------------------------------------------------------------


def test_list_is_scoped_and_paginated(api_client, lambeth_officer):
    mine = queued_decision("LAM")
    queued_decision("SOU")
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == mine.pk
    assert row["incident_reference"] == mine.incident.reference
    assert row["borough"] == "LAM"
    assert row["outcome"] == ArrestOutcome.NOT_ARRESTED
    assert row["review_status"] == ReviewStatus.AWAITING
    assert row["is_overdue"] is False
    assert row["is_outstanding"] is True


def test_list_filters(api_client, lambeth_officer):
    overdue = queued_decision()
    ArrestDecision.objects.filter(pk=overdue.pk).update(
        review_due_at=timezone.now() - timedelta(hours=1)
    )
    other = queued_decision(reason=NotArrestedReason.NOT_NECESSARY)
    api_client.force_authenticate(lambeth_officer)

    def ids(**params):
        response = api_client.get(LIST, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [overdue.pk, other.pk]
    assert ids(overdue="true") == [overdue.pk]
    assert ids(outstanding="false") == [other.pk]
    assert ids(outstanding="true") == [overdue.pk]
    assert ids(review_status="endorsed") == []
    assert ids(review_status="awaiting") == [overdue.pk, other.pk]
    assert ids(incident=other.incident.reference) == [other.pk]
    assert api_client.get(LIST, {"overdue": "true"}).json()["results"][0]["is_overdue"] is True


def test_bad_filters_are_400_with_field_errors(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"review_status": "nonsense", "overdue": "maybe"})

    assert response.status_code == 400
    assert set(field_errors(response)) == {"review_status", "overdue"}


def test_detail_has_the_review_events_and_the_read_is_logged(
    api_client, lambeth_officer, lambeth_supervisor
):
    decision = returned_decision(lambeth_supervisor)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(url("detail", decision))

    assert response.status_code == 200
    events = response.json()["review_events"]
    assert [e["kind"] for e in events] == [ReviewEventKind.SUBMITTED, ReviewEventKind.RETURNED]
    assert events[1]["required_action"] == "Trace him."
    assert events[1]["actor"] == lambeth_supervisor.display_name
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.channel, entry.object_id) == (
        lambeth_officer,
        "api",
        str(decision.incident.pk),
    )


def test_other_borough_detail_is_404_like_a_missing_one(api_client, southwark_officer):
    decision = queued_decision("LAM")
    api_client.force_authenticate(southwark_officer)

    out_of_scope = api_client.get(url("detail", decision))
    missing = api_client.get(reverse("api:arrest-decision-detail", args=[999_999]))
    huge = api_client.get(reverse("api:arrest-decision-detail", args=[10**30]))

    assert out_of_scope.status_code == missing.status_code == huge.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert AccessLogEntry.objects.count() == 0


def test_partner_and_anonymous_are_refused(api_client, partner):
    decision = queued_decision()

    anonymous = api_client.get(LIST)
    assert anonymous.status_code in (401, 403)
    api_client.force_authenticate(partner)
    assert api_client.get(LIST).status_code == 403
    assert api_client.get(url("detail", decision)).status_code == 403


def test_list_query_count_does_not_grow_with_rows(
    api_client, lambeth_officer, django_assert_max_num_queries
):
    for _ in range(5):
        queued_decision()
    api_client.force_authenticate(lambeth_officer)
    with django_assert_max_num_queries(8) as five:
        api_client.get(LIST)
    for _ in range(15):
        queued_decision()
    with django_assert_max_num_queries(8) as twenty:
        response = api_client.get(LIST)

    assert response.json()["count"] == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- Recording a decision -----------------------------------------------------------------------


def test_recording_a_decision_not_to_arrest_queues_it(api_client, lambeth_officer):
    suspect = open_suspect()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        {
            "suspect": suspect.pk,
            "outcome": "not_arrested",
            "reason": "not_present",
            "justification": GOOD_JUSTIFICATION,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["review_status"] == ReviewStatus.AWAITING
    assert body["is_outstanding"] is True
    assert [e["kind"] for e in body["review_events"]] == [ReviewEventKind.SUBMITTED]
    decision = ArrestDecision.objects.get(suspect=suspect)
    assert decision.decided_by == lambeth_officer


def test_recording_an_arrest(api_client, lambeth_officer):
    suspect = open_suspect()
    api_client.force_authenticate(lambeth_officer)
    when = timezone.now() - timedelta(minutes=15)

    response = api_client.post(
        LIST,
        {
            "suspect": suspect.pk,
            "outcome": "arrested",
            "arrested_at": when.isoformat(),
            "arrested_by": "PC 7",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["review_status"] == ReviewStatus.NOT_REQUIRED
    assert response.json()["arrested_by"] == "PC 7"


def test_victim_not_supporting_alone_is_a_400_quoting_the_policy(api_client, lambeth_officer):
    suspect = open_suspect()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        {
            "suspect": suspect.pk,
            "outcome": "not_arrested",
            "reason": "insufficient_grounds",
            "justification": "The victim does not support a prosecution.",
        },
        format="json",
    )

    assert response.status_code == 400
    assert field_errors(response) == {"justification": [POSITIVE_ACTION_POLICY]}
    assert not ArrestDecision.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"suspect", "outcome"}),
        ({"suspect": "abc", "outcome": "maybe"}, {"suspect", "outcome"}),
        ({"suspect": 10**30, "outcome": "arrested"}, {"suspect"}),
        ({"outcome": "arrested", "arrested_at": "yesterday"}, {"arrested_at"}),
        ({"outcome": "not_arrested", "reason": "victim_unwilling"}, {"reason"}),
        ({"outcome": "arrested"}, {"arrested_at", "arrested_by"}),
        (
            {"outcome": "arrested", "arrested_at": "2001-01-01T00:00:00Z", "arrested_by": "PC 1"},
            {"arrested_at"},
        ),
        ({"outcome": "not_arrested"}, {"reason", "justification"}),
    ],
)
def test_bad_input_is_400_with_field_errors(api_client, lambeth_officer, body, fields):
    suspect = open_suspect()
    api_client.force_authenticate(lambeth_officer)
    body = {"suspect": suspect.pk, **body} if "suspect" not in body and body else body

    response = api_client.post(LIST, body, format="json")

    assert response.status_code == 400
    assert set(field_errors(response)) == fields
    assert not ArrestDecision.objects.exists()


def test_malformed_json_is_400(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["type"] == "client_error"


def test_a_suspect_in_another_borough_or_not_a_suspect_is_unknown(api_client, lambeth_officer):
    southwark_suspect = open_suspect("SOU")
    victim = southwark_suspect.incident.parties.get(role=PartyRole.VICTIM)
    lambeth_victim = open_suspect("LAM").incident.parties.get(role=PartyRole.VICTIM)
    api_client.force_authenticate(lambeth_officer)

    for party in (southwark_suspect, victim, lambeth_victim):
        response = api_client.post(
            LIST, {"suspect": party.pk, "outcome": "arrested"}, format="json"
        )
        assert response.status_code == 400
        assert field_errors(response) == {"suspect": ["Unknown suspect"]}
    assert not ArrestDecision.objects.exists()


def test_a_second_decision_is_a_conflict(api_client, lambeth_officer):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        {
            "suspect": decision.suspect_id,
            "outcome": "arrested",
            "arrested_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"
    assert ArrestDecision.objects.get().outcome == ArrestOutcome.NOT_ARRESTED


def test_readers_who_do_not_write_cannot_record(api_client, analyst, partner):
    suspect = open_suspect()
    body = {"suspect": suspect.pk, "outcome": "arrested"}

    assert api_client.post(LIST, body, format="json").status_code in (401, 403)
    for user in (analyst, partner):
        api_client.force_authenticate(user)
        assert api_client.post(LIST, body, format="json").status_code == 403
    assert not ArrestDecision.objects.exists()


# --- Reviews ------------------------------------------------------------------------------------


def test_supervisor_endorses(api_client, lambeth_supervisor):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(
        url("review", decision), {"action": "endorse", "comment": "Agreed."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["review_status"] == ReviewStatus.ENDORSED
    assert response.json()["review_events"][-1]["comment"] == "Agreed."


def test_supervisor_returns_with_a_required_action(api_client, lambeth_supervisor):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(
        url("review", decision),
        {"action": "return", "required_action": "Check CCTV."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["review_status"] == ReviewStatus.RETURNED
    assert response.json()["review_events"][-1]["required_action"] == "Check CCTV."


def test_return_without_required_action_is_400(api_client, lambeth_supervisor):
    decision = queued_decision()
    before = snapshot(decision)
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(url("review", decision), {"action": "return"}, format="json")
    bad_action = api_client.post(url("review", decision), {"action": "approve"}, format="json")

    assert response.status_code == 400
    assert field_errors(response) == {"required_action": ["Say what the officer must do"]}
    assert bad_action.status_code == 400
    assert set(field_errors(bad_action)) == {"action"}
    assert snapshot(decision) == before


def test_reviewing_a_decision_not_awaiting_review_is_409(api_client, lambeth_supervisor):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_supervisor)
    api_client.post(url("review", decision), {"action": "endorse"}, format="json")
    before = snapshot(decision)

    response = api_client.post(url("review", decision), {"action": "endorse"}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0] == {
        "code": "conflict",
        "detail": "This decision is not awaiting review.",
        "attr": None,
    }
    assert snapshot(decision) == before


def test_review_denials(api_client, lambeth_officer, partner, southwark_supervisor):
    decision = queued_decision("LAM")
    before = snapshot(decision)
    body = {"action": "endorse"}

    assert api_client.post(url("review", decision), body, format="json").status_code in (401, 403)
    for user, status in ((lambeth_officer, 403), (partner, 403), (southwark_supervisor, 404)):
        api_client.force_authenticate(user)
        assert api_client.post(url("review", decision), body, format="json").status_code == status

    assert snapshot(decision) == before


def test_a_supervisor_reviewing_their_own_decision_is_403(api_client, lambeth_supervisor):
    decision = not_arrested(open_suspect(), actor=lambeth_supervisor)
    before = snapshot(decision)
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(url("review", decision), {"action": "endorse"}, format="json")

    assert response.status_code == 403
    assert snapshot(decision) == before


# --- Responses ----------------------------------------------------------------------------------


def test_officer_responds(api_client, lambeth_supervisor, lambeth_officer):
    decision = returned_decision(lambeth_supervisor)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(url("respond", decision), {"response": "Done."}, format="json")

    assert response.status_code == 200
    assert response.json()["review_status"] == ReviewStatus.AWAITING
    assert response.json()["review_events"][-1]["kind"] == ReviewEventKind.RESPONDED


def test_respond_errors(api_client, lambeth_supervisor, lambeth_officer):
    returned = returned_decision(lambeth_supervisor)
    waiting = queued_decision()
    api_client.force_authenticate(lambeth_officer)

    blank = api_client.post(url("respond", returned), {"response": " "}, format="json")
    not_returned = api_client.post(url("respond", waiting), {"response": "Done."}, format="json")

    assert blank.status_code == 400
    assert field_errors(blank) == {"response": ["Say what you have done about the required action"]}
    assert not_returned.status_code == 409


def test_respond_denials(api_client, lambeth_supervisor, southwark_officer, analyst, partner):
    decision = returned_decision(lambeth_supervisor)
    before = snapshot(decision)
    body = {"response": "Done."}

    for user, status in ((analyst, 403), (partner, 403), (southwark_officer, 404)):
        api_client.force_authenticate(user)
        assert api_client.post(url("respond", decision), body, format="json").status_code == status

    assert snapshot(decision) == before


# --- Outstanding suspects -----------------------------------------------------------------------


def test_recording_a_later_arrest(api_client, lambeth_officer):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_officer)
    when = timezone.now() - timedelta(minutes=5)

    response = api_client.post(
        url("arrest", decision),
        {"arrested_at": when.isoformat(), "arrested_by": "PC 9"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["is_outstanding"] is False
    assert response.json()["review_events"][-1]["kind"] == ReviewEventKind.ARRESTED


def test_later_arrest_errors(api_client, lambeth_officer):
    decision = queued_decision()
    not_outstanding = queued_decision(reason=NotArrestedReason.NOT_NECESSARY)
    before = snapshot(decision)
    api_client.force_authenticate(lambeth_officer)
    future = (timezone.now() + timedelta(hours=2)).isoformat()

    missing = api_client.post(url("arrest", decision), {}, format="json")
    in_future = api_client.post(
        url("arrest", decision), {"arrested_at": future, "arrested_by": "PC 9"}, format="json"
    )
    conflict = api_client.post(
        url("arrest", not_outstanding),
        {"arrested_at": timezone.now().isoformat(), "arrested_by": "PC 9"},
        format="json",
    )

    assert missing.status_code == 400
    assert set(field_errors(missing)) == {"arrested_at", "arrested_by"}
    assert in_future.status_code == 400
    assert field_errors(in_future) == {"arrested_at": ["The arrest time cannot be in the future"]}
    assert conflict.status_code == 409
    assert snapshot(decision) == before


def test_later_arrest_denials(api_client, southwark_officer, analyst):
    decision = queued_decision("LAM")
    before = snapshot(decision)
    body = {"arrested_at": timezone.now().isoformat(), "arrested_by": "PC 9"}

    for user, status in ((analyst, 403), (southwark_officer, 404)):
        api_client.force_authenticate(user)
        assert api_client.post(url("arrest", decision), body, format="json").status_code == status

    assert snapshot(decision) == before


def test_supervisor_closes_an_outstanding_suspect(api_client, lambeth_supervisor):
    decision = queued_decision()
    api_client.force_authenticate(lambeth_supervisor)

    blank = api_client.post(url("close-outstanding", decision), {"comment": ""}, format="json")
    response = api_client.post(
        url("close-outstanding", decision), {"comment": "Left the country."}, format="json"
    )
    again = api_client.post(
        url("close-outstanding", decision), {"comment": "Again."}, format="json"
    )

    assert blank.status_code == 400
    assert set(field_errors(blank)) == {"comment"}
    assert response.status_code == 200
    assert response.json()["is_outstanding"] is False
    assert response.json()["outstanding_closed_at"] is not None
    assert again.status_code == 409


def test_close_outstanding_denials(api_client, lambeth_officer, southwark_supervisor):
    decision = queued_decision("LAM")
    before = snapshot(decision)
    body = {"comment": "Gone."}

    for user, status in ((lambeth_officer, 403), (southwark_supervisor, 404)):
        api_client.force_authenticate(user)
        response = api_client.post(url("close-outstanding", decision), body, format="json")
        assert response.status_code == status

    assert snapshot(decision) == before


# --- Schema -------------------------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(client, lambeth_officer):
    client.force_login(lambeth_officer)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    operations = {
        op["operationId"]: (path, method)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    for operation_id in (
        "arrest_decisions_list",
        "arrest_decisions_create",
        "arrest_decisions_retrieve",
        "arrest_decisions_review",
        "arrest_decisions_respond",
        "arrest_decisions_arrest",
        "arrest_decisions_close_outstanding",
    ):
        assert operation_id in operations
    review = schema["paths"]["/api/v1/arrest-decisions/{id}/reviews/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(review["responses"])


def test_the_supervisor_who_answered_the_return_cannot_review_and_is_told_why(
    api_client, lambeth_supervisor
):
    # Given another supervisor returned the decision and this one answered it
    returner = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    decision = returned_decision(returner)
    arrest_decision_respond(actor=lambeth_supervisor, decision_id=decision.pk, response="Done.")
    before = snapshot(decision)
    api_client.force_authenticate(lambeth_supervisor)

    # When they try to endorse it
    response = api_client.post(url("review", decision), {"action": "endorse"}, format="json")

    # Then it is refused with the domain's own reason, and nothing changed
    assert response.status_code == 403
    assert "another supervisor must review it" in response.json()["errors"][0]["detail"]
    assert snapshot(decision) == before


def test_the_deciders_refusal_carries_its_reason(api_client, lambeth_supervisor):
    decision = not_arrested(open_suspect(), actor=lambeth_supervisor)
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(url("review", decision), {"action": "endorse"}, format="json")

    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == (
        "You made this decision: another supervisor must review it."
    )
