"""Navigation by role and the page shell."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_labels(response):
    return [item["label"] for item in response.context["nav_items"]]


def test_officer_sees_case_navigation_but_not_audit(client, lambeth_officer):
    client.force_login(lambeth_officer)

    labels = nav_labels(client.get(reverse("home")))

    assert "Incidents" in labels
    assert "Audit" not in labels


def test_admin_sees_audit(client, admin_user):
    client.force_login(admin_user)

    assert "Audit" in nav_labels(client.get(reverse("home")))


def test_partner_sees_no_case_navigation(client, partner):
    client.force_login(partner)

    labels = nav_labels(client.get(reverse("home")))

    assert "Incidents" not in labels


def test_header_shows_user_role_and_organisation(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("home"))

    assert "Supervisor" in response.text
    assert "Lambeth public protection group" in response.text
    assert "OFFICIAL-SENSITIVE" in response.text


def test_styled_404_page(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "OFFICIAL-SENSITIVE" in response.text


def test_me_api(api_client, partner):
    api_client.force_authenticate(partner)

    response = api_client.get(reverse("api:me"))

    assert response.json()["role"] == "partner"
    assert response.json()["organisation"] == partner.agency.name


def test_homicide_reviews_show_for_the_review_lead_and_central_supervisors_only(
    client, lambeth_supervisor
):
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team

    client.force_login(lambeth_supervisor)
    assert "Homicide reviews" not in nav_labels(client.get(reverse("home")))
    for role in (Role.SUPERVISOR, Role.REVIEW_LEAD):
        client.force_login(UserFactory(role=role, team=team("CEN")))
        assert "Homicide reviews" in nav_labels(client.get(reverse("home")))


def test_a_sub_path_makes_only_its_own_item_active(client):
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team

    client.force_login(UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM")))

    response = client.get(reverse("marac:agenda-list"))

    active = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["Daily meetings"]  # not "MARAC" (/marac/) as well
    assert response.text.count('aria-current="page"') == 1
    home = client.get(reverse("marac:home"))
    assert [i["label"] for i in home.context["nav_items"] if i["active"]] == ["MARAC"]


@pytest.mark.parametrize("page", ["two_factor_setup", "two_factor_verify"])
def test_a_password_alone_shows_no_menu_no_count_and_no_account_links(
    client, lambeth_officer, settings, page
):
    """The password step opens only the two-factor pages: the header offers none of the pages
    it cannot reach, and reads nothing of the user's work (the number waiting)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_TWO_FACTOR = True
    if page == "two_factor_verify":
        TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
    client.post(
        reverse("login"),
        {"username": lambeth_officer.username, "password": "correct-horse-battery"},
    )

    response = client.get(reverse(page))

    assert response.status_code == 200
    assert nav_labels(response) == []
    assert reverse("password_change") not in response.text
    assert reverse("account_security") not in response.text
    assert "Sign out" in response.text
