"""Two people saving one MARAC record: research shared by an agency's staff, a meeting's
details, a case's discussion in the minutes, the reassignment of an action. The second, stale
save is refused and keeps what was typed; nothing is overwritten."""

import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory
from tests.locks import backends_waiting_for_a_lock

from ..models import CaseDiscussion, CaseResearch, MaracAction, MaracMeeting
from ..services.research import research_save
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import (
    an_action,
    coordinator,
    idva_partner,
    listed_case,
    meeting,
    social_care_partner,
)
from .helpers import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    colleague = UserFactory(role=Role.PARTNER, team=None, agency=idva.agency)
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    return {"meeting": at, "coord": coord, "listing": listing, "idva": idva, "colleague": colleague}


def test_two_idvas_of_one_agency_cannot_overwrite_each_others_research(shared):
    url = reverse("marac:case-research", args=[shared["listing"].pk])
    first, second = Client(), Client()
    first.force_login(shared["idva"])
    second.force_login(shared["colleague"])

    saved = first.post(url, {"facts": "Refuge place found", "version": 0})
    stale = second.post(url, {"facts": "Victim at her mother's", "version": 0})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this research" in stale.text
    assert "Victim at her mother&#x27;s</textarea>" in stale.text
    assert "Refuge place found" in stale.text  # what was saved meanwhile is shown
    assert CaseResearch.objects.get().facts == "Refuge place found"
    merged = second.post(url, {"facts": "Refuge place found; mother's address known", "version": 1})
    assert merged.status_code == 302
    assert CaseResearch.objects.get().version == 2


def test_a_stale_research_api_save_is_409_and_if_match_412(api_client, shared):
    url = f"/api/v1/marac/cases/{shared['listing'].pk}/research/"
    api_client.force_authenticate(shared["idva"])
    created = api_client.post(url, {"facts": "First", "version": 0}, format="json")
    assert created.status_code == 201
    assert created["ETag"] == '"v1"'

    stale_body = api_client.post(url, {"facts": "Second", "version": 0}, format="json")
    stale_header = api_client.post(url, {"facts": "Third"}, format="json", HTTP_IF_MATCH='"v0"')
    blind = api_client.post(url, {"facts": "Fourth"}, format="json")

    assert stale_body.status_code == 409
    assert stale_header.status_code == 412
    assert blind.status_code == 400
    assert CaseResearch.objects.get().facts == "First"


def meeting_form(at, **overrides):
    from django.utils import timezone

    data = {
        "starts_at": timezone.localtime(at.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "venue": at.venue,
        "chair": at.chair,
        "max_cases": str(at.max_cases),
        "minutes_per_case": str(at.minutes_per_case),
    }
    data.update(overrides)
    return data


def test_a_stale_meeting_edit_is_refused_and_keeps_what_was_typed(shared):
    at = shared["meeting"]
    url = reverse("marac:meeting-edit", args=[at.pk])
    first, second = Client(), Client()
    first.force_login(shared["coord"])
    second.force_login(coordinator())
    assert 'name="version" value="1"' in first.get(url).text

    saved = first.post(url, meeting_form(at, venue="Brixton police station", version=1))
    stale = second.post(url, meeting_form(at, venue="Lambeth Town Hall", version=1))
    blind = second.post(url, meeting_form(at, venue="Anywhere"))

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this meeting" in stale.text
    assert 'value="Lambeth Town Hall"' in stale.text
    assert 'name="version" value="2"' in stale.text
    assert blind.status_code == 409
    assert MaracMeeting.objects.get(pk=at.pk).venue == "Brixton police station"


def test_two_coordinators_cannot_overwrite_each_others_discussion_summary(shared):
    at, listing = shared["meeting"], shared["listing"]
    minutes = reverse("marac:meeting-minutes", args=[at.pk])
    url = reverse("marac:meeting-discussion", args=[at.pk, listing.pk])
    first, second = Client(), Client()
    first.force_login(shared["coord"])
    second.force_login(coordinator())
    assert 'name="version" value="0"' in second.get(minutes).text

    saved = first.post(url, {"summary": "Risk escalating; refuge offered", "version": 0})
    stale = second.post(url, {"summary": "Victim declined IDVA support", "version": 0})
    blind = second.post(url, {"summary": "Anything"})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this discussion summary" in stale.text
    assert "Victim declined IDVA support</textarea>" in stale.text
    assert "Risk escalating; refuge offered" in stale.text  # what was saved meanwhile is shown
    assert blind.status_code == 400
    assert CaseDiscussion.objects.get().summary == "Risk escalating; refuge offered"
    merged = second.post(
        url,
        {"summary": "Risk escalating; refuge offered. Victim declined IDVA support", "version": 1},
    )
    assert merged.status_code == 302
    assert CaseDiscussion.objects.get().version == 2
    assert "Victim declined IDVA support</textarea>" in second.get(minutes).text


@pytest.mark.django_db(transaction=True)
def test_two_first_research_saves_at_once_are_one_record_and_a_409(reference_data):
    """Two IDVAs of one agency save the case's first research at the same moment: both read
    "none yet" (version 0). The second must wait and then be refused as stale, not fail on the
    one-record-per-agency constraint (an IntegrityError: a 500 on the page and in the API)."""
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    colleague = UserFactory(role=Role.PARTNER, team=None, agency=idva.agency)
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    saved, release = threading.Event(), threading.Event()
    real_save = CaseResearch.save

    def save_then_hold(research, *args, **kwargs):
        real_save(research, *args, **kwargs)
        if threading.current_thread().name == "first":
            saved.set()
            release.wait(timeout=10)  # the first save's transaction stays open meanwhile

    outcomes = {}

    def save(user, facts):
        try:
            research_save(actor=user, listing=listing, facts=facts, expected_version=0)
            outcomes[threading.current_thread().name] = "saved"
        except Exception as error:  # noqa: BLE001 (the test reports it)
            outcomes[threading.current_thread().name] = type(error).__name__
        finally:
            connection.close()

    with mock.patch.object(CaseResearch, "save", save_then_hold):
        first = threading.Thread(target=save, args=(idva, "Refuge place found"), name="first")
        second = threading.Thread(target=save, args=(colleague, "At her mother's"), name="second")
        first.start()
        assert saved.wait(timeout=10)
        second.start()
        assert wait_for(lambda: backends_waiting_for_a_lock() == 1, timeout=5), (
            "the second save did not wait"
        )
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)

    assert outcomes == {"first": "saved", "second": "ConcurrentEditError"}
    assert CaseResearch.objects.get().facts == "Refuge place found"


@pytest.fixture
def orphaned_action(shared):
    """An action held by the IDVA service, whose invitation was then withdrawn: the coordinators
    give it to one of the two agencies still at the table."""
    at, coord = shared["meeting"], shared["coord"]
    action = an_action(shared["listing"], shared["idva"].agency, coord)
    social_care, other_idva = social_care_partner(), idva_partner()
    for partner in (social_care, other_idva):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    invitation = at.invitations.get(agency=shared["idva"].agency)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    action.refresh_from_db()
    return {"action": action, "social_care": social_care.agency, "idva": other_idva.agency}


def test_two_coordinators_cannot_overwrite_each_others_reassignment(shared, orphaned_action):
    at, action = shared["meeting"], orphaned_action["action"]
    url = reverse("marac:meeting-action-reassign", args=[at.pk, action.pk])
    first, second = Client(), Client()
    first.force_login(shared["coord"])
    second.force_login(coordinator())
    page = second.get(reverse("marac:meeting-actions", args=[at.pk])).text
    assert f'name="version" value="{action.version}"' in page

    saved = first.post(url, {"version": action.version, "agency": orphaned_action["social_care"].pk,
                             "owner": "Jo Social Worker", "note": "Jo knows the family"})  # fmt: skip
    stale = second.post(url, {"version": action.version, "agency": orphaned_action["idva"].pk,
                              "owner": "Kim IDVA", "note": "Kim met her at court"})  # fmt: skip
    blind = second.post(url, {"agency": orphaned_action["idva"].pk, "owner": "Kim IDVA"})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this action" in stale.text
    # What was typed is kept, and the form moves on to the version saved meanwhile.
    assert 'value="Kim IDVA"' in stale.text and "Kim met her at court</textarea>" in stale.text
    assert f'<option value="{orphaned_action["idva"].pk}" selected>' in stale.text
    assert f'name="version" value="{action.version + 1}"' in stale.text
    # Who holds it now, and the reassignment that was saved.
    assert "It is now held by" in stale.text and "Jo Social Worker" in stale.text
    assert "Jo knows the family" in stale.text
    assert blind.status_code == 400
    action.refresh_from_db()
    assert (action.agency, action.owner) == (orphaned_action["social_care"], "Jo Social Worker")
    assert action.updates.count() == 1

    again = second.post(url, {"version": action.version, "agency": orphaned_action["idva"].pk,
                              "owner": "Kim IDVA"})  # fmt: skip
    assert again.status_code == 302
    action.refresh_from_db()
    assert (action.agency, action.owner, action.version) == (
        orphaned_action["idva"], "Kim IDVA", 3,
    )  # fmt: skip


def test_a_stale_reassignment_in_the_api_is_409_and_if_match_412(
    api_client, shared, orphaned_action
):
    action = orphaned_action["action"]
    api_client.force_authenticate(shared["coord"])
    read = api_client.get(reverse("api:marac-action-detail", args=[action.pk]))
    assert read.json()["version"] == action.version and read["ETag"] == f'"v{action.version}"'
    url = reverse("api:marac-action-reassign", args=[action.pk])
    to_social_care = {"agency": orphaned_action["social_care"].pk, "owner": "Jo Social Worker"}
    to_idva = {"agency": orphaned_action["idva"].pk, "owner": "Kim IDVA"}

    saved = api_client.post(url, to_social_care, format="json", HTTP_IF_MATCH=read["ETag"])
    stale_body = api_client.post(url, {**to_idva, "version": action.version}, format="json")
    stale_header = api_client.post(url, to_idva, format="json", HTTP_IF_MATCH=read["ETag"])
    blind = api_client.post(url, to_idva, format="json")

    assert saved.status_code == 200 and saved["ETag"] == f'"v{action.version + 1}"'
    assert stale_body.status_code == 409
    assert stale_body.json()["errors"][0]["detail"].startswith("Someone else changed this action")
    assert stale_header.status_code == 412
    assert blind.status_code == 400 and blind.json()["errors"][0]["attr"] == "version"
    action.refresh_from_db()
    assert (action.agency, action.owner) == (orphaned_action["social_care"], "Jo Social Worker")
    assert action.updates.count() == 1


def test_closing_an_action_moves_its_version_on_and_a_note_does_not():
    """The version is the action row's: an update that only adds a note leaves it, one that
    finishes the action changes it (an API client holding the old ETag is told)."""
    from ..services.actions import action_update

    at, coord = meeting(), coordinator()
    action = an_action(listed_case(at, coord), idva_partner().agency, coord)

    action_update(actor=coord, action_id=action.pk, text="Called her today")
    assert MaracAction.objects.get(pk=action.pk).version == 1

    action_update(actor=coord, action_id=action.pk, text="Done at court", status="done")
    assert MaracAction.objects.get(pk=action.pk).version == 2
