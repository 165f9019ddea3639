"""The error contract (docs/adr/0012) as the API client sees it: one handler maps what the
services raise, with the service's own words."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from publicprotection.errors import ConcurrentEditError, StateError

RAISED = {
    "field": ValidationError({"due_date": ["The due date cannot be in the past."]}),
    "plain": ValidationError("Choose at least one criterion."),
    "state": StateError("This meeting has been held: it cannot be cancelled."),
    "stale": ConcurrentEditError("person"),
    "refused": PermissionDenied("You made this decision: another supervisor must review it."),
    "bare-refusal": PermissionDenied(),
    "missing": Http404("No such referral"),
}


class RaisingApi(APIView):
    """Calls a 'service' that raises, with no try/except: the handler does the rest."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request, kind):
        raise RAISED[kind]

    def get(self, request, kind):
        return Response({})


urlpatterns = [path("api/v1/raising/<str:kind>/", RaisingApi.as_view())]


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = __name__
    return APIClient()


def post(client, kind, **headers):
    return client.post(f"/api/v1/raising/{kind}/", {}, format="json", headers=headers)


def test_field_errors_are_a_400_naming_the_field(client):
    response = post(client, "field")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "invalid", "detail": "The due date cannot be in the past.", "attr": "due_date"}
        ],
    }


def test_a_plain_validation_error_is_a_400_about_the_whole_request(client):
    response = post(client, "plain")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "non_field_errors"
    assert response.json()["errors"][0]["detail"] == "Choose at least one criterion."


def test_a_state_error_is_a_409_in_the_services_words(client):
    response = post(client, "state")

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "conflict",
                "detail": "This meeting has been held: it cannot be cancelled.",
                "attr": None,
            }
        ],
    }


def test_a_stale_version_is_a_409_or_with_if_match_a_412(client):
    body_version = post(client, "stale")
    if_match = post(client, "stale", **{"If-Match": '"v3"'})

    assert body_version.status_code == 409
    assert body_version.json()["errors"][0]["detail"].startswith(
        "Someone else changed this person while you were editing it."
    )
    assert if_match.status_code == 412
    assert if_match.json()["errors"][0]["code"] == "precondition_failed"


def test_a_services_refusal_reaches_the_client_verbatim(client):
    response = post(client, "refused")

    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == (
        "You made this decision: another supervisor must review it."
    )


def test_a_refusal_without_words_gets_the_generic_text(client):
    response = post(client, "bare-refusal")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert response.json()["errors"][0]["detail"]


def test_not_found_is_a_json_404_that_says_nothing_more(client):
    response = post(client, "missing")

    assert response.status_code == 404
    assert response.json()["errors"][0] == {
        "code": "not_found",
        "detail": "Not found.",
        "attr": None,
    }


def test_state_errors_are_not_validation_errors():
    # A page's `except ValidationError` must never turn a 409 into a field error by accident.
    assert not issubclass(StateError, ValidationError)
    assert issubclass(ConcurrentEditError, StateError)
