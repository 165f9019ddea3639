"""Action plans: the coordinator creates actions on the meeting page, the owning agency sees
and updates them until finished, and open actions come back on the next meeting's agenda."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from publicprotection.errors import StateError

from ..models import ActionStatus, MaracAction, MaracActionUpdate
from ..selectors.actions import actions_visible_to
from ..selectors.meetings import meeting_agenda
from ..services.actions import action_update
from ..services.sharing import meeting_invite
from .factories import (
    an_action,
    coordinator,
    idva_partner,
    listed_case,
    meeting,
    social_care_partner,
)

pytestmark = pytest.mark.django_db


def test_coordinator_adds_an_action_on_the_meeting_page(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    client.force_login(coord)
    url = reverse("marac:meeting-action-create", args=[at.pk, listing.pk])

    response = client.post(url, {"subject": "children", "agency": idva.agency.pk})
    assert response.status_code == 400
    assert "Describe the action" in response.text
    assert not MaracAction.objects.exists()

    complete = {
        "subject": "children",
        "agency": idva.agency.pk,
        "owner": "Sam",
        "description": "Refer the children to CSC",
        "due_date": (timezone.localdate(at.starts_at) + timedelta(days=30)).isoformat(),
    }
    # An agency not at the table cannot own an action (the action would show it the case).
    response = client.post(url, complete)
    assert response.status_code == 400
    assert "is not invited to this meeting" in response.text
    assert "Refer the children to CSC" in response.text  # what was typed is kept
    assert not MaracAction.objects.exists()

    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    response = client.post(url, complete)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("marac:meeting-actions", args=[at.pk]) + f"#case-{listing.pk}"
    )
    action = MaracAction.objects.get()
    assert (action.subject, action.status, action.listing) == ("children", "open", listing)
    assert (
        "Refer the children to CSC"
        in client.get(reverse("marac:meeting-actions", args=[at.pk])).text
    )


@pytest.mark.parametrize(
    ("days_from_meeting", "message"),
    [
        (-366, "The due date must be no more than a year before the meeting"),
        (2 * 365 + 1, "The due date must be within two years of the meeting"),
    ],
)
def test_a_mistyped_due_year_is_refused_and_what_was_typed_is_kept(
    client, days_from_meeting, message
):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    client.force_login(coord)
    due = timezone.localdate(at.starts_at) + timedelta(days=days_from_meeting)

    response = client.post(
        reverse("marac:meeting-action-create", args=[at.pk, listing.pk]),
        {
            "subject": "victim",
            "agency": idva.agency.pk,
            "owner": "Sam",
            "description": "Safety plan review",
            "due_date_day": due.day,
            "due_date_month": due.month,
            "due_date_year": due.year,
        },
    )

    assert response.status_code == 400
    assert message in response.text
    assert "Safety plan review" in response.text
    assert f'value="{due.year}"' in response.text
    assert not MaracAction.objects.exists()


def test_other_borough_coordinator_cannot_add_actions(client):
    at = meeting()
    listing = listed_case(at)
    client.force_login(coordinator("SOU"))
    response = client.post(
        reverse("marac:meeting-action-create", args=[at.pk, listing.pk]),
        {"subject": "victim", "owner": "x", "description": "x", "due_date": "2027-01-04"},
    )
    assert response.status_code == 404
    assert not MaracAction.objects.exists()


def test_owning_agency_sees_and_updates_its_action_until_finished(client):
    coord = coordinator()
    listing = listed_case(coord=coord)
    idva, other = idva_partner(), social_care_partner()
    action = an_action(listing, idva.agency, coord)

    assert list(actions_visible_to(viewer=idva)) == [action]
    assert list(actions_visible_to(viewer=other)) == []
    client.force_login(idva)
    assert "Safety plan and sanctuary" in client.get(reverse("marac:home")).text

    url = reverse("marac:action-update", args=[action.pk])
    response = client.post(url, {"text": "Plan agreed with the victim", "status": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert MaracActionUpdate.objects.get().text == "Plan agreed with the victim"
    # Finished: no longer visible to the agency.
    assert list(actions_visible_to(viewer=idva)) == []
    assert client.post(url, {"text": "again", "status": "open"}).status_code == 404


def test_an_update_posted_twice_is_recorded_once(client):
    coord = coordinator()
    listing = listed_case(coord=coord)
    idva = idva_partner()
    action = an_action(listing, idva.agency, coord)
    client.force_login(idva)
    assert 'name="_once"' in client.get(reverse("marac:home")).text
    url = reverse("marac:action-update", args=[action.pk])
    body = {"_once": "0" * 31 + "1", "text": "Spoke to the victim", "status": "open"}

    first, again = client.post(url, body), client.post(url, body)

    assert first.status_code == again.status_code == 302
    assert MaracActionUpdate.objects.filter(action=action).count() == 1


def test_another_agency_cannot_update_the_action(client):
    coord = coordinator()
    action = an_action(listed_case(coord=coord), idva_partner().agency, coord)
    client.force_login(social_care_partner())
    response = client.post(
        reverse("marac:action-update", args=[action.pk]), {"text": "x", "status": "done"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert not MaracActionUpdate.objects.exists()


def test_finished_action_cannot_be_updated_and_update_needs_text():
    coord = coordinator()
    action = an_action(listed_case(coord=coord), idva_partner().agency, coord)
    with pytest.raises(ValidationError):
        action_update(actor=coord, action_id=action.pk, text="  ")
    action_update(actor=coord, action_id=action.pk, text="Not possible", status="not_possible")
    with pytest.raises(StateError):
        action_update(actor=coord, action_id=action.pk, text="Reopen", status="open")


def test_open_actions_come_back_on_the_next_meetings_agenda():
    coord = coordinator()
    last = meeting(starts_at=timezone.now() + timedelta(days=2))
    listing = listed_case(last, coord)
    agency = idva_partner().agency
    still_open = an_action(listing, agency, coord, description="Still open action")
    finished = an_action(listing, agency, coord, description="Finished action")
    action_update(actor=coord, action_id=finished.pk, text="Done", status="done")
    next_meeting = meeting(starts_at=timezone.now() + timedelta(days=30))

    entry = next(e for e in meeting_agenda(next_meeting) if e.key == "incomplete_actions")

    assert entry.actions == [still_open]
    assert entry.text == ""
    first = next(e for e in meeting_agenda(last) if e.key == "incomplete_actions")
    assert first.actions == []
    assert first.text == "None recorded yet."


def test_a_refused_update_shows_the_errors_and_keeps_what_was_typed(client):
    at, coord = meeting(), coordinator()
    idva = idva_partner()
    action = an_action(listed_case(at, coord), idva.agency, coord)
    client.force_login(idva)
    url = reverse("marac:action-update", args=[action.pk])

    response = client.post(url, {"text": "Called the victim twice", "status": "zzz"})

    assert response.status_code == 400
    assert "Called the victim twice" in response.text
    assert "govuk-error-summary" in response.text
    assert not MaracActionUpdate.objects.exists()

    response = client.post(url, {"text": "  ", "status": "done"})
    assert response.status_code == 400
    assert "Enter the update" in response.text
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_wrong_roles_are_refused_on_the_case_list_actions_and_discussion_pages(
    client, lambeth_officer
):
    at, coord = meeting(), coordinator()
    idva = idva_partner()
    listing = listed_case(at, coord)
    action = an_action(listing, idva.agency, coord)
    posts = {
        "marac:meeting-action-create": (at.pk, listing.pk),
        "marac:meeting-discussion": (at.pk, listing.pk),
    }

    client.force_login(lambeth_officer)
    assert client.get(reverse("marac:case-list")).status_code == 403
    update = client.post(
        reverse("marac:action-update", args=[action.pk]), {"text": "x", "status": "done"}
    )
    assert update.status_code == 403
    client.force_login(idva)  # an invited agency: its own pages only
    for name, args in posts.items():
        assert client.post(reverse(name, args=args), {"summary": "x"}).status_code == 403, name
    assert MaracAction.objects.count() == 1
    assert not MaracActionUpdate.objects.exists()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_several_update_forms_on_one_page_have_ids_of_their_own(client):
    """Clicking "Done" in the second form ticked the first form's radio: every copy of the
    form had the same ids."""
    import re
    from collections import Counter

    coord = coordinator()
    listing = listed_case(coord=coord)
    idva = idva_partner()
    first = an_action(listing, idva.agency, coord, description="First action")
    second = an_action(listing, idva.agency, coord, description="Second action")
    client.force_login(idva)

    for url in (reverse("marac:home"), reverse("marac:case-summary", args=[listing.pk])):
        page = client.get(url).text
        ids = Counter(re.findall(r'\sid="([^"]+)"', page))
        assert [i for i, n in ids.items() if n > 1] == [], url
        for action in (first, second):
            done = f"action-{action.pk}-status_1"
            assert f'id="{done}"' in page and f'for="{done}"' in page, url
