"""RARA action API: scoped by the access core; bad input is a 400 with field errors, an action
out of scope is a 404, a partner is a 403, and nothing is ever a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse

from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today
from riskassessment.models import RaraAction, RaraActionType, RaraCategory, RaraStatus
from riskassessment.services.plans import rara_action_add
from riskassessment.tests.factories import start_assessment

pytestmark = pytest.mark.django_db

LIST = reverse("api:rara-action-list")


@pytest.fixture
def assessment(lambeth_officer):
    return start_assessment(actor=lambeth_officer)


def add(assessment, actor, **kwargs):
    kwargs.setdefault("category", RaraCategory.REDUCE)
    kwargs.setdefault("action_type", RaraActionType.objects.get(code="idva_referral"))
    kwargs.setdefault("owner", actor)
    kwargs.setdefault("due_date", london_today() + timedelta(days=7))
    return rara_action_add(actor=actor, assessment_id=assessment.pk, **kwargs)


def make_overdue(action, days=1):
    RaraAction.objects.filter(pk=action.pk).update(due_date=london_today() - timedelta(days=days))
    return action


def detail(action):
    return reverse("api:rara-action-detail", args=[action.pk])


def field_errors(response) -> dict:
    body = response.json()
    assert body["type"] == "validation_error"
    errors: dict = {}
    for error in body["errors"]:
        errors.setdefault(error["attr"], []).append(error["detail"])
    return errors


def snapshot(action):
    action.refresh_from_db()
    return (action.status, action.notes, action.due_date, action.updated_at)


def create_body(assessment, **overrides):
    body = {
        "assessment": assessment.pk,
        "category": "remove",
        "action_type": "refuge",
        "due_date": (london_today() + timedelta(days=2)).isoformat(),
        "notes": "Refuge place requested",
    }
    return {**body, **overrides}


# --- List and detail ----------------------------------------------------------------------------


def test_list_is_scoped_and_shows_each_action(
    api_client, lambeth_officer, southwark_officer, assessment
):
    mine = add(assessment, lambeth_officer, notes="Referral sent")
    add(start_assessment(actor=southwark_officer, borough_code="SOU"), southwark_officer)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    row = rows[0]
    assert row["assessment"] == assessment.pk
    assert row["incident_reference"] == assessment.incident.reference
    assert row["borough"] == "LAM"
    assert row["category"] == "reduce"
    assert row["action_type"] == "idva_referral"
    assert row["action_type_name"] == "IDVA referral"
    assert row["owner"] == lambeth_officer.pk
    assert row["status"] == "planned"
    assert row["is_overdue"] is False
    assert row["notes"] == "Referral sent"


def test_list_filters(api_client, lambeth_officer, lambeth_supervisor, assessment):
    late = make_overdue(add(assessment, lambeth_officer))
    theirs = add(assessment, lambeth_officer, owner=lambeth_supervisor)
    other = add(start_assessment(actor=lambeth_officer), lambeth_officer)
    RaraAction.objects.filter(pk=other.pk).update(status=RaraStatus.DONE)
    api_client.force_authenticate(lambeth_officer)

    def ids(**params):
        response = api_client.get(LIST, params)
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert ids() == sorted([late.pk, theirs.pk, other.pk])
    assert ids(assessment=assessment.pk) == sorted([late.pk, theirs.pk])
    assert ids(status="done") == [other.pk]
    assert ids(overdue="true") == [late.pk]
    assert ids(owner="me") == sorted([late.pk, other.pk])
    assert api_client.get(LIST, {"overdue": "true"}).json()["results"][0]["is_overdue"] is True


def test_bad_filters_are_400_with_field_errors(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"status": "finished", "owner": "you", "assessment": "x"})

    assert response.status_code == 400
    assert set(field_errors(response)) == {"status", "owner", "assessment"}


def test_detail_is_logged(api_client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(detail(action))

    assert response.status_code == 200
    assert response.json()["id"] == action.pk
    assert AccessLogEntry.objects.filter(user=lambeth_officer, object_id=str(action.pk)).exists()


def test_reads_out_of_scope_are_404_and_partners_403(
    api_client, lambeth_officer, southwark_officer, partner, assessment
):
    action = add(assessment, lambeth_officer)

    api_client.force_authenticate(southwark_officer)
    other_borough = api_client.get(detail(action))
    missing = api_client.get(reverse("api:rara-action-detail", args=[action.pk + 999]))
    api_client.force_authenticate(partner)
    as_partner = (api_client.get(LIST), api_client.get(detail(action)))
    api_client.force_authenticate(None)
    anonymous = api_client.get(LIST)

    assert other_borough.status_code == 404
    assert missing.status_code == 404
    assert [r.status_code for r in as_partner] == [403, 403]
    assert anonymous.status_code in (401, 403)


# --- Create -------------------------------------------------------------------------------------


def test_create_adds_the_action_owned_by_the_caller_by_default(
    api_client, lambeth_officer, assessment
):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, create_body(assessment), format="json")

    assert response.status_code == 201
    body = response.json()
    action = RaraAction.objects.get(pk=body["id"])
    assert action.assessment == assessment
    assert action.owner == lambeth_officer
    assert action.created_by == lambeth_officer
    assert action.action_type.code == "refuge"
    assert body["category"] == "remove"
    assert body["owner_name"] == lambeth_officer.display_name


def test_create_with_another_owner(api_client, lambeth_officer, central_officer, assessment):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST, create_body(assessment, owner=central_officer.pk), format="json"
    )

    assert response.status_code == 201
    assert response.json()["owner"] == central_officer.pk


def test_create_accept_without_details_is_400_with_field_errors(
    api_client, lambeth_officer, southwark_officer, assessment
):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        create_body(
            assessment,
            category="accept",
            action_type="other",
            owner=southwark_officer.pk,
            due_date=(london_today() - timedelta(days=1)).isoformat(),
        ),
        format="json",
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "options_offered": ["List each option offered to the victim"],
        "declined_reason": ["Record the victim's reasons for declining"],
        "monitoring": ["Say how the remaining risk is monitored"],
        "due_date": ["The due date must be today or later"],
        "owner": ["Choose an active police user who can see this case"],
    }
    assert not RaraAction.objects.exists()


def test_create_bad_shapes_are_400(api_client, lambeth_officer, assessment):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        {
            "assessment": assessment.pk,
            "category": "ignore",
            "action_type": "teleport",
            "due_date": "soon",
            "owner": 10**9,
        },
        format="json",
    )
    unknown_owner = api_client.post(LIST, create_body(assessment, owner=10**9), format="json")

    assert response.status_code == 400
    assert set(field_errors(response)) == {"category", "action_type", "due_date"}
    assert unknown_owner.status_code == 400
    assert field_errors(unknown_owner) == {
        "owner": ["Choose an active police user who can see this case"]
    }
    assert not RaraAction.objects.exists()


def test_create_denials_change_nothing(
    api_client, lambeth_officer, southwark_officer, analyst, partner, assessment
):
    body = create_body(assessment)

    api_client.force_authenticate(southwark_officer)
    other_borough = api_client.post(LIST, body, format="json")
    api_client.force_authenticate(analyst)
    as_analyst = api_client.post(LIST, body, format="json")
    api_client.force_authenticate(partner)
    as_partner = api_client.post(LIST, body, format="json")

    assert other_borough.status_code == 400
    assert field_errors(other_borough) == {"assessment": ["Unknown assessment"]}
    assert as_analyst.status_code == 403
    assert as_partner.status_code == 403
    assert not RaraAction.objects.exists()


# --- Update -------------------------------------------------------------------------------------


def test_patch_moves_the_status_on(api_client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        detail(action),
        {"status": "done", "notes": "Refuge place taken", "version": action.version},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done"
    assert body["notes"] == "Refuge place taken"
    assert body["completed_at"] is not None
    action.refresh_from_db()
    assert action.status == RaraStatus.DONE


def test_patch_declined_without_a_reason_is_400(api_client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    before = snapshot(action)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        detail(action), {"status": "declined", "version": action.version}, format="json"
    )

    assert response.status_code == 400
    assert field_errors(response) == {"declined_reason": ["Record why the victim declined"]}
    assert snapshot(action) == before


def test_patch_a_refused_transition_is_400(api_client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    RaraAction.objects.filter(pk=action.pk).update(status=RaraStatus.CANCELLED)
    before = snapshot(action)
    api_client.force_authenticate(lambeth_officer)

    version = RaraAction.objects.get(pk=action.pk).version
    response = api_client.patch(
        detail(action), {"status": "planned", "version": version}, format="json"
    )

    assert response.status_code == 400
    assert "status" in field_errors(response)
    assert snapshot(action) == before


def test_patch_denials_change_nothing(
    api_client, lambeth_officer, southwark_officer, analyst, partner, assessment
):
    action = add(assessment, lambeth_officer)
    before = snapshot(action)
    body = {"status": "done"}

    api_client.force_authenticate(southwark_officer)
    other_borough = api_client.patch(detail(action), body, format="json")
    api_client.force_authenticate(analyst)
    as_analyst = api_client.patch(detail(action), body, format="json")
    api_client.force_authenticate(partner)
    as_partner = api_client.patch(detail(action), body, format="json")

    assert other_borough.status_code == 404
    assert as_analyst.status_code == 403
    assert as_partner.status_code == 403
    assert snapshot(action) == before


# --- Schema and query counts --------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/rara-actions/"])
    assert {"get", "patch"} <= set(paths["/api/v1/rara-actions/{id}/"])


def test_list_query_count_does_not_grow_with_rows(
    api_client, lambeth_officer, django_assert_max_num_queries
):
    assessments = [start_assessment(actor=lambeth_officer) for _ in range(3)]
    for number in range(5):
        add(assessments[number % 3], lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    with django_assert_max_num_queries(10) as five:
        api_client.get(LIST)
    for number in range(15):
        add(assessments[number % 3], lambeth_officer)
    with django_assert_max_num_queries(10) as twenty:
        response = api_client.get(LIST)

    assert len(response.json()["results"]) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)
