"""Risk assessment API: scoped by the access core; bad input is a 400 with field errors; a stale
version or a step the assessment's state does not allow is a 409; nothing is ever a 500."""

import pytest
from django.urls import reverse

from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from riskassessment.models import (
    AnswerValue,
    AssessmentStatus,
    GradingReview,
    RiskAssessment,
)
from riskassessment.services.assessments import assessment_confirm, assessment_submit
from riskassessment.tests.factories import add_action, answer, start_assessment

pytestmark = pytest.mark.django_db

LIST = reverse("api:risk-assessment-list")


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


def url(name, assessment):
    return reverse(f"api:risk-assessment-{name}", args=[assessment.pk])


def high_draft(**kwargs):
    """A draft ready to submit: high, referred to MARAC, with a RARA action."""
    assessment = start_assessment(**kwargs)
    assessment = answer(
        assessment, yes=["strangulation"], final_level="high", marac_decision="refer"
    )
    add_action(assessment)
    return assessment


def submitted(**kwargs):
    assessment = high_draft(**kwargs)
    return assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def snapshot(assessment):
    assessment.refresh_from_db()
    return (
        assessment.status,
        assessment.final_level,
        assessment.version,
        sorted(assessment.answers.values_list("question__code", "value", "note")),
        list(GradingReview.objects.filter(assessment=assessment).values_list("pk", flat=True)),
    )


def field_errors(response) -> dict:
    body = response.json()
    assert body["type"] == "validation_error"
    errors: dict = {}
    for error in body["errors"]:
        errors.setdefault(error["attr"], []).append(error["detail"])
    return errors


def error_code(response) -> str:
    return response.json()["errors"][0]["code"]


# --- List ---------------------------------------------------------------------------------------


def test_list_is_scoped_newest_first_and_cursor_paginated(api_client, lambeth_officer):
    older = start_assessment(borough_code="LAM")
    newer = start_assessment(borough_code="LAM")
    start_assessment(borough_code="SOU")
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"page_size": 1})

    assert response.status_code == 200
    body = response.json()
    assert "count" not in body
    assert [row["id"] for row in body["results"]] == [newer.pk]
    row = body["results"][0]
    assert row["incident_reference"] == newer.incident.reference
    assert (row["instrument"], row["status"], row["recommended_level"]) == (
        "specss_plus",
        "draft",
        "standard",
    )
    following = api_client.get(body["next"])
    assert [row["id"] for row in following.json()["results"]] == [older.pk]


def test_list_filters(api_client, lambeth_officer):
    draft = start_assessment()
    high = submitted()
    api_client.force_authenticate(lambeth_officer)

    def ids(**params):
        response = api_client.get(LIST, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids(person=draft.person_id) == [draft.pk]
    assert ids(incident=high.incident_id) == [high.pk]
    assert ids(status="awaiting_review") == [high.pk]
    assert ids(status="draft") == [draft.pk]
    assert ids(final_level="high") == [high.pk]
    assert ids(final_level="medium") == []


def test_list_bad_filters_are_field_errors(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"status": "closed", "person": "abc", "final_level": "x"})

    assert response.status_code == 400
    assert field_errors(response).keys() == {"status", "person", "final_level"}


def test_list_refuses_partners_and_anonymous(api_client, partner):
    start_assessment()

    assert api_client.get(LIST).status_code in (401, 403)
    api_client.force_authenticate(partner)
    assert api_client.get(LIST).status_code == 403


def test_list_query_count_does_not_grow_with_rows(
    api_client, lambeth_officer, django_assert_max_num_queries
):
    for _ in range(5):
        start_assessment()
    api_client.force_authenticate(lambeth_officer)
    with django_assert_max_num_queries(10) as five:
        api_client.get(LIST)
    for _ in range(15):
        start_assessment()
    with django_assert_max_num_queries(10) as twenty:
        response = api_client.get(LIST)

    assert len(response.json()["results"]) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- Start --------------------------------------------------------------------------------------


def test_start_an_assessment(api_client, lambeth_officer):
    _incident, victim, _ = complete_incident(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, {"victim": victim.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assessment = RiskAssessment.objects.get()
    assert body["id"] == assessment.pk
    assert (body["victim"], body["person"], body["status"]) == (
        victim.pk,
        victim.person_id,
        "draft",
    )
    assert len(body["answers"]) == 16
    assert body["answers"][0].keys() == {"question", "text", "group", "value", "note"}
    assert len(body["information_gaps"]) == 16
    assert body["recommendation"]["level"] == "standard"
    assert body["reviews"] == [] and body["actions"] == []

    again = api_client.post(LIST, {"victim": victim.pk}, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == assessment.pk
    assert RiskAssessment.objects.count() == 1


def test_start_with_another_instrument(api_client, lambeth_officer):
    _incident, victim, _ = complete_incident()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, {"victim": victim.pk, "instrument": "dash"}, format="json")

    assert response.status_code == 201
    assert response.json()["instrument"] == "dash"
    assert len(response.json()["answers"]) == 27


def test_start_bad_input_is_field_errors(api_client, lambeth_officer):
    _incident, victim, suspect = complete_incident()
    _other, southwark_victim, _ = complete_incident(borough_code="SOU")
    api_client.force_authenticate(lambeth_officer)

    cases = [
        ({}, "victim"),
        ({"victim": "x"}, "victim"),
        ({"victim": southwark_victim.pk}, "victim"),
        ({"victim": suspect.pk}, "victim"),
        ({"victim": 99999999}, "victim"),
        ({"victim": victim.pk, "instrument": "oasys"}, "instrument"),
    ]
    for body, field in cases:
        response = api_client.post(LIST, body, format="json")
        assert response.status_code == 400, body
        assert field in field_errors(response), body
    assert not RiskAssessment.objects.exists()


def test_a_reassessment_needs_a_reason(api_client, lambeth_officer):
    assessment = submitted()
    api_client.force_authenticate(lambeth_officer)

    refused = api_client.post(LIST, {"victim": assessment.victim_id}, format="json")

    assert refused.status_code == 400
    assert "reassessment_reason" in field_errors(refused)
    assert RiskAssessment.objects.count() == 1

    accepted = api_client.post(
        LIST,
        {"victim": assessment.victim_id, "reassessment_reason": "He has been released"},
        format="json",
    )

    assert accepted.status_code == 201
    body = accepted.json()
    assert body["supersedes"] == assessment.pk
    assert body["reassessment_reason"] == "He has been released"


def test_start_is_for_officers_and_supervisors(api_client, analyst, partner):
    _incident, victim, _ = complete_incident()

    for user in (analyst, partner):
        api_client.force_authenticate(user)
        assert api_client.post(LIST, {"victim": victim.pk}, format="json").status_code == 403
    assert not RiskAssessment.objects.exists()


# --- Detail -------------------------------------------------------------------------------------


def test_detail_shows_the_assessment_and_logs_the_read(api_client, lambeth_officer):
    assessment = high_draft()
    assessment = answer(assessment, no=["stalking"])
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(url("detail", assessment))

    assert response.status_code == 200
    body = response.json()
    strangulation = next(a for a in body["answers"] if a["question"] == "strangulation")
    assert strangulation == {
        "question": "strangulation",
        "text": "Strangulation or choking",
        "group": "plus",
        "value": "yes",
        "note": "",
    }
    assert body["recommendation"] == {
        "level": "high",
        "reasons": ["Strangulation or choking is present"],
    }
    assert len(body["information_gaps"]) == 14
    assert "Strangulation or choking" not in body["information_gaps"]
    assert (body["final_level"], body["marac_decision"]) == ("high", "refer")
    assert body["escalation"] == {"suggested": False, "reason": "", "cleared_note": ""}
    [action] = body["actions"]
    assert (action["category"], action["type"], action["status"]) == (
        "reduce",
        "idva_referral",
        "planned",
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.channel) == (
        lambeth_officer,
        str(assessment.pk),
        "api",
    )


def test_detail_shows_the_reviews(api_client, lambeth_officer, lambeth_supervisor):
    assessment = submitted()
    assessment_confirm(actor=lambeth_supervisor, assessment_id=assessment.pk)
    api_client.force_authenticate(lambeth_officer)

    [review] = api_client.get(url("detail", assessment)).json()["reviews"]

    assert (review["action"], review["from_level"], review["to_level"], review["actor"]) == (
        "confirmed",
        "high",
        "high",
        lambeth_supervisor.display_name,
    )


def test_detail_is_scoped(api_client, southwark_officer, partner):
    assessment = start_assessment()

    api_client.force_authenticate(southwark_officer)
    assert api_client.get(url("detail", assessment)).status_code == 404
    api_client.force_authenticate(partner)
    assert api_client.get(url("detail", assessment)).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_detail_query_count_is_fixed(api_client, lambeth_officer, django_assert_max_num_queries):
    assessment = high_draft()
    api_client.force_authenticate(lambeth_officer)

    with django_assert_max_num_queries(12):
        assert api_client.get(url("detail", assessment)).status_code == 200


# --- Save a draft -------------------------------------------------------------------------------


def test_save_answers_and_level(api_client, lambeth_officer):
    assessment = start_assessment()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        url("detail", assessment),
        {
            "version": assessment.version,
            "answers": [
                {"question": "weapon_use", "value": "yes", "note": "A knife was held to her."},
                {"question": "stalking", "value": "no"},
            ],
            "final_level": "high",
            "marac_decision": "refer",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == assessment.version + 1
    assert body["recommendation"]["level"] == "high"
    assert (body["final_level"], body["marac_decision"]) == ("high", "refer")
    weapon = assessment.answers.get(question__code="weapon_use")
    assert (weapon.value, weapon.note) == (AnswerValue.YES, "A knife was held to her.")
    assert assessment.answers.get(question__code="stalking").value == AnswerValue.NO


def test_save_with_a_stale_version_is_a_conflict(api_client, lambeth_officer):
    assessment = start_assessment()
    answer(assessment, yes=["stalking"])  # someone else saved meanwhile
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        url("detail", assessment),
        {"version": 1, "final_level": "standard"},
        format="json",
    )

    assert response.status_code == 409
    assert error_code(response) == "conflict"
    assert snapshot(assessment) == before


def test_save_bad_input_is_field_errors(api_client, lambeth_officer):
    assessment = start_assessment()
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_officer)
    version = assessment.version

    cases = [
        ({"final_level": "high"}, "version"),
        ({"version": version, "final_level": "extreme"}, "final_level"),
        ({"version": version, "answers": [{"question": "stalking", "value": "maybe"}]},
         "answers.0.value"),
        ({"version": version, "answers": [{"question": "stalking", "value": "yes"},
                                          {"question": "stalking", "value": "no"}]},
         "answers"),
        ({"version": version, "answers": [{"question": "no_such_factor", "value": "yes"}]},
         "answer_no_such_factor"),
    ]  # fmt: skip
    for body, field in cases:
        response = api_client.patch(url("detail", assessment), body, format="json")
        assert response.status_code == 400, body
        assert field in field_errors(response), (body, field_errors(response))
    assert snapshot(assessment) == before


def test_a_submitted_assessment_cannot_be_saved(api_client, lambeth_officer):
    assessment = submitted()
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        url("detail", assessment), {"version": assessment.version, "final_level": "medium"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 409
    assert snapshot(assessment) == before


def test_save_denials_change_nothing(api_client, southwark_officer, analyst, partner):
    assessment = start_assessment()
    before = snapshot(assessment)
    body = {"version": assessment.version, "final_level": "high"}

    for user, status in ((southwark_officer, 404), (analyst, 403), (partner, 403)):
        api_client.force_authenticate(user)
        assert api_client.patch(url("detail", assessment), body, format="json").status_code == (
            status
        )
    assert snapshot(assessment) == before


# --- Submit -------------------------------------------------------------------------------------


def test_submit(api_client, lambeth_officer):
    assessment = high_draft()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        url("submit", assessment), {"version": assessment.version}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_review"
    assert response.json()["submitted_at"]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AWAITING_REVIEW


def test_submit_lists_what_stops_it_by_field(api_client, lambeth_officer):
    assessment = answer(start_assessment(), yes=["strangulation"], final_level="high")
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(url("submit", assessment), {}, format="json")

    assert response.status_code == 400
    assert field_errors(response).keys() == {"plan", "marac_decision"}
    assert snapshot(assessment) == before


def test_submit_conflicts(api_client, lambeth_officer):
    stale = high_draft()
    answer(stale, no=["stalking"])
    before = snapshot(stale)
    done = submitted()
    api_client.force_authenticate(lambeth_officer)

    assert api_client.post(url("submit", stale), {"version": 1}, format="json").status_code == 409
    assert snapshot(stale) == before
    assert api_client.post(url("submit", done), {}, format="json").status_code == 409


def test_submit_denials_change_nothing(api_client, southwark_officer, analyst, partner):
    assessment = high_draft()
    before = snapshot(assessment)

    for user, status in ((southwark_officer, 404), (analyst, 403), (partner, 403)):
        api_client.force_authenticate(user)
        assert api_client.post(url("submit", assessment), {}, format="json").status_code == status
    assert snapshot(assessment) == before


# --- Review -------------------------------------------------------------------------------------


def test_supervisor_confirms(api_client, lambeth_supervisor):
    assessment = submitted()
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(url("review", assessment), {"action": "confirm"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["final_level"]) == ("confirmed", "high")
    assert body["reviews"][0]["action"] == "confirmed"


def test_supervisor_regrades_with_a_rationale(api_client, lambeth_supervisor):
    assessment = submitted()
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_supervisor)

    refused = api_client.post(
        url("review", assessment), {"action": "regrade", "level": "medium"}, format="json"
    )
    assert refused.status_code == 400
    assert field_errors(refused).keys() == {"rationale"}
    assert snapshot(assessment) == before

    response = api_client.post(
        url("review", assessment),
        {"action": "regrade", "level": "medium", "rationale": "Suspect remanded in custody."},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["final_level"]) == ("confirmed", "medium")
    review = body["reviews"][0]
    assert (review["action"], review["from_level"], review["to_level"], review["rationale"]) == (
        "regraded",
        "high",
        "medium",
        "Suspect remanded in custody.",
    )


def test_review_bad_input(api_client, lambeth_supervisor):
    assessment = submitted()
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_supervisor)

    for body, field in (
        ({}, "action"),
        ({"action": "approve"}, "action"),
        ({"action": "regrade", "level": "extreme", "rationale": "x"}, "level"),
        ({"action": "regrade", "level": "high", "rationale": "Same"}, "level"),
    ):
        response = api_client.post(url("review", assessment), body, format="json")
        assert response.status_code == 400, body
        assert field in field_errors(response), body
    assert snapshot(assessment) == before


def test_a_supervisor_cannot_review_their_own_assessment(api_client, lambeth_supervisor):
    assessment = submitted(actor=lambeth_supervisor)
    before = snapshot(assessment)
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.post(url("review", assessment), {"action": "confirm"}, format="json")

    assert response.status_code == 403
    assert snapshot(assessment) == before


def test_review_when_not_awaiting_is_a_conflict(api_client, lambeth_supervisor):
    draft = high_draft()
    done = submitted()
    assessment_confirm(
        actor=UserFactory(role=Role.SUPERVISOR, team=team("LAM")), assessment_id=done.pk
    )
    before = (snapshot(draft), snapshot(done))
    api_client.force_authenticate(lambeth_supervisor)

    for assessment in (draft, done):
        response = api_client.post(url("review", assessment), {"action": "confirm"}, format="json")
        assert response.status_code == 409
    assert (snapshot(draft), snapshot(done)) == before


def test_review_denials_change_nothing(api_client, lambeth_officer, southwark_supervisor, partner):
    assessment = submitted()
    before = snapshot(assessment)
    body = {"action": "regrade", "level": "standard", "rationale": "No."}

    for user, status in ((lambeth_officer, 403), (partner, 403), (southwark_supervisor, 404)):
        api_client.force_authenticate(user)
        assert api_client.post(url("review", assessment), body, format="json").status_code == (
            status
        )
    api_client.force_authenticate(None)
    assert api_client.post(url("review", assessment), body, format="json").status_code in (
        401,
        403,
    )
    assert snapshot(assessment) == before


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
    assert {
        "risk_assessments_list": ("/api/v1/risk-assessments/", "get"),
        "risk_assessments_create": ("/api/v1/risk-assessments/", "post"),
        "risk_assessments_retrieve": ("/api/v1/risk-assessments/{id}/", "get"),
        "risk_assessments_partial_update": ("/api/v1/risk-assessments/{id}/", "patch"),
        "risk_assessments_submit": ("/api/v1/risk-assessments/{id}/submit/", "post"),
        "risk_assessments_review": ("/api/v1/risk-assessments/{id}/review/", "post"),
    }.items() <= operations.items()
    review = schema["paths"]["/api/v1/risk-assessments/{id}/review/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(review["responses"])
    patch = schema["paths"]["/api/v1/risk-assessments/{id}/"]["patch"]
    assert {"200", "400", "404", "409"} <= set(patch["responses"])
