"""An agency whose invitation is withdrawn, or whose meeting is cancelled, loses the meeting's
cases everywhere: case pages, research, its actions on them (pages and API) and its copies of
the pack. Its open actions stay open for the coordinator, who sees them on the meeting page and
reassigns them to an invited agency or closes them (page and API)."""

import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from marac import tasks
from publicprotection.audit.models import AccessLogEntry
from tests.locks import backends_waiting_for_a_lock

from ..models import ActionStatus, CaseResearch, MaracAction, MaracActionUpdate, MeetingDocument
from ..selectors.actions import actions_visible_to
from ..services import documents as document_services
from ..services.actions import action_create, action_reassign, action_update
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import coordinator, idva_partner, listed_case, meeting, social_care_partner
from .helpers import wait_for

pytestmark = pytest.mark.django_db

DESCRIPTION = "Safety plan and sanctuary scheme referral"


def held_action(at, coord, partner, listing):
    invitation = meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    action = action_create(
        actor=coord,
        listing=listing,
        subject="victim",
        agency=partner.agency,
        owner="Sam IDVA",
        description=DESCRIPTION,
        due_date=date.today() + timedelta(days=14),
    )
    return invitation, action


def ready_pack_copy(partner, at) -> MeetingDocument:
    document, _ = document_services.document_request(actor=partner, meeting=at, kind="pack")
    return document_services.document_generate(document_id=document.pk)


def snapshot(action):
    action.refresh_from_db()
    return (
        action.status,
        action.agency_id,
        action.owner,
        action.updated_at,
        MaracActionUpdate.objects.count(),
        CaseResearch.objects.count(),
    )


def every_partner_door(client, api_client, partner, at, listing, action) -> dict:
    """Every page and endpoint through which the partner reached the case or its action."""
    client.force_login(partner)
    api_client.force_authenticate(partner)
    update = {"text": "Visited; safety plan agreed.", "status": ""}
    research = {"facts": "Known to us since 2024."}
    return {
        "case page": client.get(reverse("marac:case-summary", args=[listing.pk])).status_code,
        "research page": client.post(
            reverse("marac:case-research", args=[listing.pk]), research
        ).status_code,
        "action update page": client.post(
            reverse("marac:action-update", args=[action.pk]), update
        ).status_code,
        "documents page": client.get(reverse("marac:meeting-documents", args=[at.pk])).status_code,
        "pack download page": client.get(
            reverse("marac:meeting-document-download", args=[at.pk, "pack"])
        ).status_code,
        "case api": api_client.get(reverse("api:marac-case-detail", args=[listing.pk])).status_code,
        "research api read": api_client.get(
            reverse("api:marac-case-research", args=[listing.pk])
        ).status_code,
        "research api write": api_client.post(
            reverse("api:marac-case-research", args=[listing.pk]), research, format="json"
        ).status_code,
        "action api": api_client.get(
            reverse("api:marac-action-detail", args=[action.pk])
        ).status_code,
        "action update api": api_client.post(
            reverse("api:marac-action-update-create", args=[action.pk]), update, format="json"
        ).status_code,
        "pack api": api_client.get(reverse("api:marac-meeting-pack", args=[at.pk])).status_code,
        "pack file api": api_client.get(
            reverse("api:marac-meeting-pack-file", args=[at.pk])
        ).status_code,
    }


def listed_nowhere(client, api_client, partner) -> None:
    """The partner's lists (home page, API listings) no longer show the case or the action."""
    client.force_login(partner)
    api_client.force_authenticate(partner)
    home = client.get(reverse("marac:home")).text
    assert DESCRIPTION not in home
    assert api_client.get(reverse("api:marac-action-list")).json()["results"] == []
    assert api_client.get(reverse("api:marac-case-list")).json()["results"] == []
    assert not actions_visible_to(viewer=partner).exists()


def test_a_withdrawn_agency_loses_the_case_and_its_actions_everywhere(
    client, api_client, django_capture_on_commit_callbacks
):
    # Given an invited IDVA holding an open action, with its own copy of the pack
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    invitation, action = held_action(at, coord, idva, listing)
    copy = ready_pack_copy(idva, at)
    assert copy.is_ready
    before_doors = every_partner_door(client, api_client, idva, at, listing, action)
    assert before_doors["action api"] == 200 and before_doors["pack file api"] == 200
    # (that walk recorded an update and research: the baseline is taken after it)
    before = snapshot(action)
    logged = AccessLogEntry.objects.filter(user=idva).count()

    # When the coordinator, told on the meeting page what the agency holds, withdraws it
    client.force_login(coord)
    meeting_page = client.get(reverse("marac:meeting-invite", args=[at.pk])).text
    assert "holds 1 open action on these cases" in meeting_page
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("marac:meeting-invitation-withdraw", args=[at.pk, invitation.pk]),
            follow=True,
        )

    # Then the coordinator is told which open actions the agency held, to reassign or close
    assert "It held 1 open action on them: reassign or close them below." in page.text
    assert "Open actions held by agencies without access" in page.text
    assert f'id="orphan-action-{action.pk}"' in page.text
    # And every door is shut to the agency (a 404, as for a case it never saw)
    after_doors = every_partner_door(client, api_client, idva, at, listing, action)
    assert after_doors == dict.fromkeys(after_doors, 404)
    listed_nowhere(client, api_client, idva)
    # And the refused requests changed nothing and read nothing
    assert snapshot(action) == before
    assert AccessLogEntry.objects.filter(user=idva).count() == logged
    # And its copy of the pack is gone, row and file
    assert not MeetingDocument.objects.filter(agency=idva.agency).exists()
    assert not copy.file.storage.exists(copy.file.name)


def test_a_cancelled_meetings_agencies_lose_the_case_their_actions_and_pack_copies(
    client, api_client
):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    _invitation, action = held_action(at, coord, idva, listing)
    ready_pack_copy(idva, at)
    before = snapshot(action)

    client.force_login(coord)
    client.post(reverse("marac:meeting-cancel", args=[at.pk]))

    doors = every_partner_door(client, api_client, idva, at, listing, action)
    assert doors == dict.fromkeys(doors, 404)
    listed_nowhere(client, api_client, idva)
    assert snapshot(action) == before
    assert not MeetingDocument.objects.filter(agency=idva.agency).exists()
    # The coordinator sees the action to close it; no agency sees the cases to take it over
    client.force_login(coord)
    page = client.get(reverse("marac:meeting-actions", args=[at.pk])).text
    assert f'id="orphan-action-{action.pk}"' in page
    assert reverse("marac:meeting-action-reassign", args=[at.pk, action.pk]) not in page
    api_client.force_authenticate(coord)
    refused = api_client.post(
        reverse("api:marac-action-reassign", args=[action.pk]),
        {"agency": social_care_partner().agency.pk, "owner": "Jo", "version": action.version},
        format="json",
    )
    assert refused.status_code == 409
    assert "close the action instead" in refused.json()["errors"][0]["detail"]


def test_the_service_refuses_a_withdrawn_agencys_update_whoever_calls_it():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    invitation, action = held_action(at, coord, idva, listing)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    before = snapshot(action)

    with pytest.raises(PermissionDenied):
        action_update(actor=idva, action_id=action.pk, text="Done.", status=ActionStatus.DONE)
    with pytest.raises(PermissionDenied):
        action_reassign(actor=idva, action_id=action.pk, agency=idva.agency, owner="Me")

    assert snapshot(action) == before


def test_the_coordinator_reassigns_the_action_to_an_invited_agency_on_the_page(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    invitation, action = held_action(at, coord, idva, listing)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    url = reverse("marac:meeting-action-reassign", args=[at.pk, action.pk])
    client.force_login(coord)
    before = snapshot(action)

    # An agency not at the table cannot take it: refused, what was typed kept, nothing changed
    form = {"version": action.version, "agency": social_care.agency.pk, "owner": "Jo Social Worker"}
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert snapshot(action) == before

    meeting_invite(actor=coord, meeting=at, agency=social_care.agency)
    done = client.post(url, form)

    assert done.status_code == 302
    action.refresh_from_db()
    assert (action.agency, action.owner, action.status) == (
        social_care.agency,
        "Jo Social Worker",
        ActionStatus.OPEN,
    )
    assert action.updates.get().text.startswith(f"Reassigned from {idva.agency} (Sam IDVA)")
    assert list(actions_visible_to(viewer=social_care)) == [action]
    assert not actions_visible_to(viewer=idva).exists()
    page = client.get(reverse("marac:meeting-actions", args=[at.pk])).text
    assert "Open actions held by agencies without access" not in page


def test_the_coordinator_closes_the_action_from_the_meeting_page(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    invitation, action = held_action(at, coord, idva, listing)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    client.force_login(coord)

    response = client.post(
        reverse("marac:action-update", args=[action.pk]),
        {"text": "The IDVA service withdrew from the case.", "status": ActionStatus.NOT_POSSIBLE},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_POSSIBLE


def test_the_api_lists_and_reassigns_actions_whose_agency_lost_access(api_client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    invitation, action = held_action(at, coord, idva, listing)
    _, kept = held_action(at, coord, social_care, listing)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    api_client.force_authenticate(coord)

    listed = api_client.get(
        reverse("api:marac-action-list"), {"meeting": at.pk, "agency_has_access": "false"}
    ).json()["results"]
    assert [(row["id"], row["agency_has_access"]) for row in listed] == [(action.pk, False)]
    url = reverse("api:marac-action-reassign", args=[action.pk])

    # Denials change nothing: a partner (even the new owner) is refused, another borough 404s
    before = snapshot(action)
    body = {"agency": social_care.agency.pk, "owner": "Jo Social Worker", "version": action.version}
    api_client.force_authenticate(social_care)
    assert api_client.post(url, body, format="json").status_code == 403
    api_client.force_authenticate(coordinator("SOU"))
    assert api_client.post(url, body, format="json").status_code == 404
    api_client.force_authenticate(coord)
    uninvited = api_client.post(url, {**body, "agency": idva.agency.pk}, format="json")
    assert uninvited.status_code == 400
    assert snapshot(action) == before

    response = api_client.post(url, body, format="json")

    assert response.status_code == 200
    assert response.json()["agency"] == social_care.agency.pk
    assert response.json()["agency_has_access"] is True
    assert MaracAction.objects.filter(agency=social_care.agency).count() == 2
    assert kept.pk in {a.pk for a in actions_visible_to(viewer=social_care)}


def test_the_reassign_page_is_refused_to_others_and_changes_nothing(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    invitation, action = held_action(at, coord, idva, listing)
    meeting_invite(actor=coord, meeting=at, agency=social_care.agency)
    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    url = reverse("marac:meeting-action-reassign", args=[at.pk, action.pk])
    body = {"agency": social_care.agency.pk, "owner": "Jo Social Worker", "version": action.version}
    before = snapshot(action)

    anonymous = client.post(url, body)
    assert anonymous.status_code == 302 and "sign-in" in anonymous["Location"]
    for user, status in ((idva, 403), (social_care, 403), (coordinator("SOU"), 404)):
        client.force_login(user)
        assert client.post(url, body).status_code == status
    client.force_login(coord)
    assert client.get(url).status_code == 405  # a POST only: a GET changes nothing

    assert snapshot(action) == before


def test_the_meeting_page_queries_do_not_grow_with_actions_without_access(client):
    from tests.query_counts import assert_queries_do_not_grow

    at, coord = meeting(max_cases=30), coordinator()
    social_care = social_care_partner()
    meeting_invite(actor=coord, meeting=at, agency=social_care.agency)

    def more(times=3):
        for _ in range(times):
            invitation, _ = held_action(at, coord, idva_partner(), listed_case(at, coord))
            meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)

    more(1)
    client.force_login(coord)

    response = assert_queries_do_not_grow(
        client, reverse("marac:meeting-actions", args=[at.pk]), more
    )

    assert response.text.count('id="orphan-action-') == 4


def test_a_case_taken_off_the_meeting_leaves_no_agency_copy_holding_it(
    django_capture_on_commit_callbacks,
):
    from ..services.meetings import listing_remove

    at, coord = meeting(), coordinator()
    listed_case(at, coord)  # a case that stays
    removed = listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    copy = ready_pack_copy(idva, at)
    assert copy.is_ready

    with django_capture_on_commit_callbacks(execute=True):
        listing_remove(actor=coord, listing=removed)

    # The agency asks again for a copy without the case; the old one is gone, row and file
    assert not MeetingDocument.objects.filter(agency=idva.agency).exists()
    assert not copy.file.storage.exists(copy.file.name)


def agency_files(storage, agency) -> list:
    """Every stored file of the agency's copies of any meeting's documents."""
    return sorted(storage.glob(f"marac/meetings/*/*/agency-{agency.pk}/*"))


def test_a_withdrawn_agency_keeps_no_file_a_killed_build_left_behind(
    private_storage, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    idva = idva_partner()
    invitation = meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    copy = ready_pack_copy(idva, at)
    # A rebuild's worker was killed after writing its PDF, before the row pointed at it.
    directory = document_services.document_directory(copy)
    default_storage.save(f"{directory}/pack-0123456789abcdef.pdf", ContentFile(b"%PDF-1.7 a"))
    assert len(agency_files(private_storage, idva.agency)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)

    assert agency_files(private_storage, idva.agency) == []


@pytest.mark.django_db(transaction=True)
def test_an_invitation_withdrawn_while_the_agencys_pack_is_built_leaves_no_file_behind(
    reference_data, private_storage
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    idva = idva_partner()
    invitation = meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    with mock.patch.object(tasks.generate_meeting_document, "apply_async"):
        document, _ = document_services.document_request(actor=idva, meeting=at, kind="pack")
    rendering, release, errors = threading.Event(), threading.Event(), []
    render = document_services.render_meeting_document_pdf

    def slow_render(**kwargs):  # the worker is still rendering when the coordinator withdraws
        pdf = render(**kwargs)
        rendering.set()
        release.wait(timeout=30)
        return pdf

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        return threading.Thread(target=run)

    builder = in_thread(lambda: document_services.document_generate(document_id=document.pk))
    withdrawer = in_thread(
        lambda: meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)
    )
    with mock.patch.object(document_services, "render_meeting_document_pdf", slow_render):
        builder.start()
        try:
            assert rendering.wait(timeout=30)
            withdrawer.start()  # it waits for the build's lock on the row
            assert wait_for(lambda: backends_waiting_for_a_lock() >= 1, timeout=30)
        finally:
            release.set()
            builder.join(timeout=30)
            if withdrawer.ident is not None:  # started
                withdrawer.join(timeout=30)

    assert errors == []
    assert not MeetingDocument.objects.filter(pk=document.pk).exists()
    # The copy finished just before the withdrawal: its PDF, holding the meeting's cases, is
    # not left in storage with no row to find it by.
    assert agency_files(private_storage, idva.agency) == []
