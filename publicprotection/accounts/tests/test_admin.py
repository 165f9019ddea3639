"""The admin site's user pages: an administrator cannot change their own role, team, agency,
active flag or privileges (another administrator must), on the page or by a hand-made POST."""

import pytest

from publicprotection.accounts.models import Role, User
from publicprotection.accounts.tests.factories import AgencyFactory, UserFactory, team

pytestmark = pytest.mark.django_db


def administrator(username: str):
    return UserFactory(
        username=username,
        first_name="Casey",
        role=Role.ADMIN,
        team=team("CEN"),
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def admin_client(client):
    client.admin = administrator("test.admin.self")
    client.force_login(client.admin)
    return client


def change_url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def change_post(user, **changes) -> dict:
    """What the change page's form sends, with `changes`: a hand-made POST."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "team": user.team_id or "",
        "agency": user.agency_id or "",
        "is_active": "on" if user.is_active else "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_on_their_own_page_the_role_team_agency_and_active_flag_are_read_only(admin_client):
    own = admin_client.get(change_url(admin_client.admin))
    other = admin_client.get(change_url(administrator("test.admin.other")))

    assert own.status_code == other.status_code == 200
    for field in ("role", "team", "agency", "is_active"):
        assert f'name="{field}"' not in own.text, field
        assert f'name="{field}"' in other.text, field
    assert 'name="first_name"' in own.text  # the rest of the page still works
    assert "Administrator" in own.text  # the role is shown, not editable


def test_a_hand_made_post_cannot_change_their_own_role_team_or_active_flag(admin_client):
    me = admin_client.admin
    southwark = team("SOU")

    response = admin_client.post(
        change_url(me),
        change_post(
            me,
            role=Role.OFFICER,
            team=southwark.pk,
            is_active="",
            is_staff="",
            is_superuser="",
            groups=["1"],
            first_name="Kasey",
        ),
    )

    assert response.status_code == 302  # saved: what they may change
    me.refresh_from_db()
    assert me.first_name == "Kasey"
    assert (me.role, me.team_id, me.is_active, me.is_staff, me.is_superuser) == (
        Role.ADMIN,
        team("CEN").pk,
        True,
        True,
        True,
    )
    assert not me.groups.exists()


def test_a_hand_made_post_cannot_make_themself_a_partner_of_an_agency(admin_client):
    me = admin_client.admin
    agency = AgencyFactory()

    admin_client.post(change_url(me), change_post(me, role=Role.PARTNER, team="", agency=agency.pk))

    me.refresh_from_db()
    assert (me.role, me.agency_id, me.team_id) == (Role.ADMIN, None, team("CEN").pk)


def test_another_administrator_can_change_them(admin_client):
    other = administrator("test.admin.other")

    response = admin_client.post(
        change_url(other), change_post(other, role=Role.ANALYST, is_active="")
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.role, other.is_active) == (Role.ANALYST, False)


def test_no_account_is_deleted_in_the_admin_site_not_even_several_at_once(admin_client):
    """An account's name is on its records and in the audit trail: deactivated, never
    deleted, one or several (the list's "delete selected" action), their own included."""

    other = UserFactory(username="lam.leaver", role=Role.OFFICER, team=team("LAM"))

    page = admin_client.get(f"/admin/accounts/user/{other.pk}/delete/")
    bulk = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [other.pk, admin_client.admin.pk]},
    )
    listing = admin_client.get("/admin/accounts/user/")

    assert page.status_code == 403
    assert 'value="delete_selected"' not in listing.text
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk__in=[other.pk, admin_client.admin.pk]).count() == 2


def test_they_cannot_delete_their_own_account_alone_or_in_a_bulk_delete(admin_client):
    """Deleting the account ends it like clearing its active flag: another administrator does
    it. Neither the delete page nor the list's "Delete selected" action does it for them."""
    me = admin_client.admin
    other = administrator("test.admin.other")

    page = admin_client.post(f"/admin/accounts/user/{me.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [me.pk, other.pk], "post": "yes"},
    )

    # The page refuses; the list offers no "Delete selected" at all (an unknown action is
    # ignored and deletes nothing)
    assert page.status_code == 403
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk__in=[me.pk, other.pk]).count() == 2


def test_they_cannot_set_their_own_password_on_the_admin_password_page(admin_client):
    """That page asks for neither the current password nor a second factor, and can make the
    password unusable: their own is changed on the account's own page."""
    me = admin_client.admin
    other = administrator("test.admin.other")
    url = f"/admin/accounts/user/{me.pk}/password/"
    body = {"password1": "a-new-long-passphrase-1", "password2": "a-new-long-passphrase-1"}

    page = admin_client.get(url)
    sent = admin_client.post(url, {**body, "usable_password": "true"})

    assert page.status_code == sent.status_code == 403
    me.refresh_from_db()
    assert me.check_password("correct-horse-battery")
    assert admin_client.get(f"/admin/accounts/user/{other.pk}/password/").status_code == 200


def test_a_user_name_differing_from_anothers_only_in_case_is_refused_everywhere(admin_client):
    """Sign-in is case-sensitive, but the audit trail is read and searched in any case: two
    accounts "Sam.Jones" and "sam.jones" could not be told apart there."""
    from django.db import IntegrityError, transaction

    existing = UserFactory(username="sam.jones", role=Role.OFFICER, team=team("LAM"))
    other = UserFactory(username="sam.smith", role=Role.OFFICER, team=team("LAM"))

    # Renamed on the admin's change page: the form says why, keeps what was typed
    renamed = admin_client.post(change_url(other), change_post(other, username="Sam.Jones"))
    assert renamed.status_code == 200
    assert "user names must differ by more than capital letters" in renamed.text
    assert 'value="Sam.Jones"' in renamed.text
    other.refresh_from_db()
    assert other.username == "sam.smith"
    # Added on the admin's add page
    added = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "SAM.JONES", "usable_password": "false", "_save": "Save"},
    )
    assert added.status_code == 200
    assert not User.objects.filter(username="SAM.JONES").exists()
    # Anywhere else (a command, the shell, SQL): the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="SAM.Jones", role=Role.OFFICER, team=team("LAM"))
    assert User.objects.filter(username__iexact="sam.jones").get() == existing
