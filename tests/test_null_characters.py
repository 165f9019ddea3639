"""A NUL character in a request's query or address is a 400, never a 500
(publicprotection/null_characters.py): PostgreSQL text cannot hold one, and the trends' borough
and the MARAC data return's team were looked up with what the query said (both were 500s)."""

import pytest
from django.urls import reverse

from marac.tests.factories import coordinator

NUL = "a\x00b"


@pytest.mark.django_db
def test_a_lookup_by_what_the_query_says_is_a_400(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("reports:dashboard"), {"borough": NUL}).status_code == 400
    assert client.get(reverse("reports:dashboard"), {"borough": "XXX"}).status_code == 404
    assert client.get(reverse("reports:dashboard")).status_code == 200
    client.force_login(coordinator())
    url = reverse("homicidereviews:data-return")
    assert client.get(url, {"team": NUL}).status_code == 400
    assert client.get(url, {NUL: "1"}).status_code == 400  # in a name too
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_pages_and_the_api_refuse_it_in_their_own_format(client, api_client, lambeth_officer):
    client.force_login(lambeth_officer)
    page = client.get(reverse("cases:incident-list"), {"q": NUL})
    assert page.status_code == 400 and "text/html" in page["Content-Type"]
    assert client.get("/cases/people/a%00b/").status_code == 400  # in the address
    api_client.force_authenticate(lambeth_officer)
    api = api_client.get(reverse("api:incident-list"), {"q": NUL})
    assert api.status_code == 400
    assert api.json()["errors"][0]["code"] == "bad_request"
