"""Query counts of the MARAC pages and API endpoints not already covered next to their other
tests: one GET, more rows, the same GET again, and the count must not change (issue #8).

URLs are reversed by name: the API paths are moving under /api/v1/marac/."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from publicprotection.accounts.tests.factories import team
from tests.query_counts import assert_queries_do_not_grow, repeat

from ..services.actions import action_update
from ..services.agendas import agenda_ensure
from ..services.meetings import listing_remove, referral_list_at_meeting
from ..services.research import research_save
from ..services.sharing import meeting_invite
from .factories import (
    an_action,
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    refer,
    social_care_partner,
)

pytestmark = pytest.mark.django_db


def results(response) -> list:
    return response.json()["results"]


def shared_meeting():
    """A Lambeth meeting with one listed case, both partner agencies invited."""
    at, coord = meeting(max_cases=60), coordinator()
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    return {
        "meeting": at,
        "coord": coord,
        "listing": listed_case(at, coord),
        "idva": idva,
        "sc": social_care,
    }


def actions_with_updates(listing, agency, coord, times: int) -> None:
    for number in range(times):
        action = an_action(listing, agency, coord, description=f"Action {number}")
        action_update(actor=coord, action_id=action.pk, text=f"Update on {number}")


def more_research(shared, times: int) -> None:
    """Research from `times` more invited agencies, besides the two partners'."""
    for _ in range(times):
        partner = idva_partner()
        meeting_invite(actor=shared["coord"], meeting=shared["meeting"], agency=partner.agency)
        research_save(actor=partner, listing=shared["listing"], facts="Known to us")


# --- Referrals -------------------------------------------------------------------------------


def relisted(referral, coord, times: int) -> None:
    """List the referral at `times` new meetings, taking it off each one again: the history
    and the meetings offered on the page both grow."""
    for _ in range(times):
        at = meeting()
        listing = referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
        listing_remove(actor=coord, listing=listing)


def test_referral_page_queries_do_not_grow_with_history_and_meetings(client):
    coord = coordinator()
    referral = refer()
    relisted(referral, coord, 1)
    client.force_login(coord)

    response = assert_queries_do_not_grow(
        client,
        reverse("marac:referral-detail", args=[referral.pk]),
        lambda: relisted(referral, coord, 6),
    )

    assert len(response.context["history"]) == referral.history.count() >= 14


def test_referral_list_api_queries_do_not_grow(api_client):
    coord = coordinator()
    repeat(5, refer)()
    api_client.force_authenticate(coord)

    response = assert_queries_do_not_grow(
        api_client, reverse("api:marac-referral-list"), repeat(15, refer)
    )

    assert len(results(response)) == 20


def test_referral_detail_api_queries_do_not_grow_with_history(api_client):
    coord = coordinator()
    referral = refer()
    relisted(referral, coord, 1)
    api_client.force_authenticate(coord)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:marac-referral-detail", args=[referral.pk]),
        lambda: relisted(referral, coord, 6),
    )

    assert len(response.json()["history"]) == referral.history.count() >= 14


# --- Meetings --------------------------------------------------------------------------------


def meeting_with_cases(coord, cases: int):
    at = meeting()
    for _ in range(cases):
        listed_case(at, coord)
    return at


def test_meeting_list_api_queries_do_not_grow(api_client):
    coord = coordinator()
    repeat(3, lambda: meeting_with_cases(coord, 1))()
    api_client.force_authenticate(coord)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:marac-meeting-list"),
        repeat(12, lambda: meeting_with_cases(coord, 1)),
    )

    assert len(results(response)) == 15


def test_meeting_detail_api_queries_do_not_grow_with_cases(api_client):
    coord = coordinator()
    at = meeting(max_cases=30)
    listed_case(at, coord)
    api_client.force_authenticate(coord)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:marac-meeting-detail", args=[at.pk]),
        repeat(12, lambda: listed_case(at, coord)),
    )

    assert sum(len(section["cases"]) for section in response.json()["agenda"]) == 13


# --- Cases shared with partner agencies ------------------------------------------------------


def test_case_page_queries_do_not_grow_for_the_coordinator(client):
    shared = shared_meeting()
    listing, coord = shared["listing"], shared["coord"]
    actions_with_updates(listing, shared["idva"].agency, coord, 1)
    more_research(shared, 1)
    client.force_login(coord)

    def more_actions_and_research():
        actions_with_updates(listing, shared["sc"].agency, coord, 5)
        more_research(shared, 5)

    response = assert_queries_do_not_grow(
        client, reverse("marac:case-summary", args=[listing.pk]), more_actions_and_research
    )

    assert len(response.context["actions"]) == 6
    assert len(response.context["research"]) == 6


def test_case_page_queries_do_not_grow_for_a_partner(client):
    shared = shared_meeting()
    listing, coord, idva = shared["listing"], shared["coord"], shared["idva"]
    actions_with_updates(listing, idva.agency, coord, 1)
    research_save(actor=idva, listing=listing, facts="Known to us")
    client.force_login(idva)

    response = assert_queries_do_not_grow(
        client,
        reverse("marac:case-summary", args=[listing.pk]),
        lambda: actions_with_updates(listing, idva.agency, coord, 8),
    )

    assert len(response.context["actions"]) == 9


def test_shared_case_list_api_queries_do_not_grow(api_client):
    shared = shared_meeting()
    at, coord = shared["meeting"], shared["coord"]
    repeat(4, lambda: listed_case(at, coord))()
    api_client.force_authenticate(shared["sc"])

    response = assert_queries_do_not_grow(
        api_client, reverse("api:marac-case-list"), repeat(15, lambda: listed_case(at, coord))
    )

    assert len(results(response)) == 20


def test_shared_case_detail_api_queries_do_not_grow(api_client):
    shared = shared_meeting()
    listing, coord, idva = shared["listing"], shared["coord"], shared["idva"]
    actions_with_updates(listing, idva.agency, coord, 1)
    api_client.force_authenticate(idva)

    def more_on_the_case():
        actions_with_updates(listing, idva.agency, coord, 5)
        research_save(actor=idva, listing=listing, facts="Known to us")
        repeat(5, lambda: listed_case(shared["meeting"], coord))()

    response = assert_queries_do_not_grow(
        api_client, reverse("api:marac-case-detail", args=[listing.pk]), more_on_the_case
    )

    assert response.json()["id"] == listing.pk


# --- Home pages and daily agendas ------------------------------------------------------------


@pytest.mark.parametrize("coordinator_team", ["LAM", "CEN"])  # a borough's and London's
def test_coordinator_home_queries_do_not_grow(client, coordinator_team):
    coord = coordinator(coordinator_team)

    def more_work():
        for _ in range(4):
            refer()
            high_assessment()
            meeting_with_cases(coord, 1)

    more_work()
    client.force_login(coord)

    response = assert_queries_do_not_grow(client, reverse("marac:home"), more_work)

    assert len(response.context["awaiting_triage"]) == 8
    assert len(response.context["to_be_referred"]) == 8


def test_partner_home_queries_do_not_grow(client):
    coord = coordinator()
    partner = idva_partner()

    def more_meetings_cases_and_actions(times=4):
        for _ in range(times):
            at = meeting(max_cases=30)
            meeting_invite(actor=coord, meeting=at, agency=partner.agency)
            listing = listed_case(at, coord)
            actions_with_updates(listing, partner.agency, coord, 1)

    more_meetings_cases_and_actions(1)
    client.force_login(partner)

    response = assert_queries_do_not_grow(
        client, reverse("marac:home"), more_meetings_cases_and_actions
    )

    assert len(response.context["partner_meetings"]) == 5
    assert len(response.context["shared_cases"]) == 5
    assert len(response.context["partner_actions"]) == 5
    # Each action says which case it is for (the list mixes cases and meetings).
    action = response.context["partner_actions"][0]
    assert f"{action.listing.referral.reference}, " in response.text


def test_agenda_list_queries_do_not_grow(client, lambeth_supervisor):
    today = timezone.localdate()

    def agendas(first: int, last: int):
        for days in range(first, last):
            agenda_ensure(team=team("LAM"), meeting_date=today - timedelta(days=days))

    agendas(1, 4)
    client.force_login(lambeth_supervisor)

    response = assert_queries_do_not_grow(
        client, reverse("marac:agenda-list"), lambda: agendas(4, 16)
    )

    assert len(response.context["agendas"]) == 15


def test_minutes_page_queries_do_not_grow_with_cases_attendance_and_actions(client):
    from ..services.meetings import attendance_add, case_discussion_save

    coord = coordinator()
    at = meeting(max_cases=30)
    agency = idva_partner().agency
    counter = iter(range(1000))

    def more(times=4):
        for _ in range(times):
            n = next(counter)
            listing = listed_case(at, coord)
            case_discussion_save(actor=coord, listing=listing, summary=f"Discussion {n}")
            actions_with_updates(listing, agency, coord, 1)
            attendance_add(actor=coord, meeting=at, person_name=f"Attendee {n}", agency=agency,
                           confidentiality_acknowledged=True)  # fmt: skip

    more(1)
    client.force_login(coord)

    response = assert_queries_do_not_grow(
        client, reverse("marac:meeting-minutes", args=[at.pk]), more
    )

    assert "Discussion 4" in response.text and "Attendee 4" in response.text
