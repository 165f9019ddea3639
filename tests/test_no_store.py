"""No answer the application gives may be kept by a browser or a proxy: signed-in pages, API
answers, file downloads, redirects and errors all say Cache-Control: no-store."""

import pytest
from django.urls import reverse

from cases.tests.factories import complete_incident

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def incident(lambeth_supervisor):
    incident, _, _ = complete_incident(actor=lambeth_supervisor)
    return incident


PAGES = {
    "incident list": lambda incident: reverse("cases:incident-list"),
    "incident page": lambda incident: reverse("cases:incident-detail", args=[incident.reference]),
    "person page": lambda incident: reverse(
        "cases:person-detail", args=[incident.parties.first().person_id]
    ),
    "review queue": lambda incident: reverse("cases:review-queue"),
    "trends dashboard": lambda incident: reverse("reports:dashboard"),
    "dashboard CSV download": lambda incident: (
        reverse("reports:dashboard-csv") + "?table=incidents_yearly"
    ),
    "API: me": lambda incident: reverse("api:me"),
    "API: incident list": lambda incident: reverse("api:incident-list"),
    "API: incident": lambda incident: reverse("api:incident-detail", args=[incident.pk]),
    "a page that is not there": lambda incident: "/cases/no-such-page/",
    "API: a record out of reach": lambda incident: reverse("api:incident-detail", args=[0]),
}


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_signed_in_answers_are_never_stored(client, lambeth_supervisor, incident, url):
    client.force_login(lambeth_supervisor)

    response = client.get(url(incident))

    assert response.status_code in (200, 404)
    assert {"no-store", "private"} <= cache_control(response)


def test_a_token_authenticated_api_answer_is_never_stored(api_client, lambeth_supervisor):
    api_client.force_authenticate(lambeth_supervisor)

    response = api_client.get(reverse("api:incident-list"))

    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_the_sign_in_redirect_and_page_are_never_stored(client):
    redirect = client.get(reverse("cases:incident-list"))
    sign_in = client.get(reverse("login"))

    assert redirect.status_code == 302
    assert "no-store" in cache_control(redirect)
    assert "no-store" in cache_control(sign_in)


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/dist/app.css")

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
