"""The MARAC actions API: coordinators add and follow their borough's actions, a partner agency
sees and updates only its own open ones; denials and bad input change nothing; a finished action
takes no update (409); the list's query count does not grow with its rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publicprotection.audit.models import AccessLogEntry

from ..models import ActionStatus, MaracAction, MaracActionUpdate
from ..selectors.actions import ActionFilters, action_list
from ..services.actions import action_update
from ..services.meetings import meeting_cancel
from ..services.sharing import meeting_invite
from .factories import (
    an_action,
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    social_care_partner,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/marac/actions/"


def detail_url(action):
    return f"{LIST}{action.pk}/"


def updates_url(action):
    return f"{LIST}{action.pk}/updates/"


def new_action(listing, agency, /, **overrides):
    return {
        "case": listing.pk,
        "subject": "children",
        "agency": agency.pk,
        "owner": "Sam Jones",
        "description": "Refer the children to children's social care",
        "due_date": (date.today() + timedelta(days=14)).isoformat(),
        **overrides,
    }


def snapshot():
    return (
        list(MaracAction.objects.values_list("pk", "status", "description").order_by("pk")),
        MaracActionUpdate.objects.count(),
    )


@pytest.fixture
def plan():
    """A Lambeth case listed at a meeting both partners are invited to, with one action each."""
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    return {
        "meeting": at,
        "coord": coord,
        "listing": listing,
        "idva": idva,
        "sc": social_care,
        "idva_action": an_action(listing, idva.agency, coord),
        "sc_action": an_action(listing, social_care.agency, coord, subject="children"),
    }


# --- Happy paths -------------------------------------------------------------------------------


def test_coordinator_adds_reads_lists_and_updates_an_action(api_client, plan):
    coord, listing, idva = plan["coord"], plan["listing"], plan["idva"]
    api_client.force_authenticate(coord)

    created = api_client.post(LIST, new_action(listing, idva.agency), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["case"], body["agency"], body["status"]) == (listing.pk, idva.agency.pk, "open")
    assert body["reference"] == listing.referral.reference
    action = MaracAction.objects.get(pk=body["id"])
    assert (action.created_by, action.subject) == (coord, "children")

    detail = api_client.get(detail_url(action))
    assert detail.status_code == 200
    assert detail.json()["description"] == "Refer the children to children's social care"
    entry = AccessLogEntry.objects.get(user=coord, object_id=str(action.pk))
    assert entry.channel == "api"

    rows = api_client.get(LIST).json()["results"]
    assert {row["id"] for row in rows} == {action.pk, plan["idva_action"].pk, plan["sc_action"].pk}

    update = api_client.post(
        updates_url(action), {"text": "Referral made", "status": "done"}, format="json"
    )
    assert update.status_code == 201
    assert (update.json()["status"], update.json()["action_status"]) == ("done", "done")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert api_client.get(detail_url(action)).json()["updates"][0]["text"] == "Referral made"


def test_list_filters(api_client, plan):
    coord, listing = plan["coord"], plan["listing"]
    overdue = an_action(
        listing, plan["idva"].agency, coord, due_date=date.today() - timedelta(days=3)
    )
    action_update(actor=coord, action_id=plan["sc_action"].pk, text="Done", status="done")
    elsewhere = an_action(listed_case(meeting(), coord), plan["idva"].agency, coord)
    api_client.force_authenticate(coord)

    def ids(query):
        response = api_client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("overdue=true") == {overdue.pk}
    assert overdue.pk not in ids("overdue=false")
    assert ids("status=done") == {plan["sc_action"].pk}
    assert ids(f"meeting={plan['meeting'].pk}") == {
        plan["idva_action"].pk,
        plan["sc_action"].pk,
        overdue.pk,
    }
    assert ids(f"case={elsewhere.listing_id}") == {elsewhere.pk}
    assert api_client.get(f"{LIST}?overdue=true").json()["results"][0]["is_overdue"] is True


def test_action_list_selector_filters_within_the_viewers_scope(plan):
    coord, listing, idva = plan["coord"], plan["listing"], plan["idva"]
    overdue = an_action(listing, idva.agency, coord, due_date=date.today() - timedelta(days=3))
    southwark = coordinator("SOU")
    sou_case = listed_case(
        meeting("SOU"), southwark, assessment=high_assessment(borough_code="SOU")
    )
    elsewhere = an_action(sou_case, idva.agency, southwark)

    def ids(viewer, **filters):
        return set(
            action_list(viewer=viewer, filters=ActionFilters(**filters)).values_list(
                "pk", flat=True
            )
        )

    assert ids(coord) == {plan["idva_action"].pk, plan["sc_action"].pk, overdue.pk}
    assert ids(coord, overdue=True) == {overdue.pk}
    assert ids(coord, overdue=False, case=listing.pk) == {
        plan["idva_action"].pk,
        plan["sc_action"].pk,
    }
    # A partner's scope is its agency's open actions, in any borough; filters only narrow it.
    assert ids(idva) == {plan["idva_action"].pk, overdue.pk, elsewhere.pk}
    assert ids(idva, meeting=plan["meeting"].pk, overdue=False) == {plan["idva_action"].pk}
    assert ids(idva, status="done") == set()
    assert ids(plan["sc"], case=elsewhere.listing_id) == set()


def test_partner_sees_and_updates_only_its_agencys_open_actions(api_client, plan):
    idva, idva_action, sc_action = plan["idva"], plan["idva_action"], plan["sc_action"]
    api_client.force_authenticate(idva)

    rows = api_client.get(LIST).json()["results"]
    assert [row["id"] for row in rows] == [idva_action.pk]
    assert api_client.get(detail_url(idva_action)).status_code == 200
    response = api_client.post(
        updates_url(idva_action), {"text": "Safety plan agreed"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["action_status"] == "open"

    before = snapshot()
    assert api_client.get(detail_url(sc_action)).status_code == 404
    response = api_client.post(updates_url(sc_action), {"text": "x", "status": "done"})
    assert response.status_code == 404
    assert snapshot() == before
    assert not AccessLogEntry.objects.filter(object_id=str(sc_action.pk)).exists()

    # Once finished, the action leaves the agency's view.
    api_client.post(updates_url(idva_action), {"text": "Done", "status": "done"}, format="json")
    assert api_client.get(LIST).json()["results"] == []
    assert api_client.get(detail_url(idva_action)).status_code == 404


# --- Denials -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method,which", [("get", "list"), ("post", "list"), ("get", "detail"),
                                          ("post", "updates")])  # fmt: skip
def test_anonymous_and_wrong_role_are_refused(api_client, lambeth_officer, plan, method, which):
    action = plan["idva_action"]
    url = {"list": LIST, "detail": detail_url(action), "updates": updates_url(action)}[which]
    data = (
        new_action(plan["listing"], plan["idva"].agency)
        if which == "list"
        else {"text": "x", "status": "done"}
    )
    before = snapshot()

    assert getattr(api_client, method)(url, data, format="json").status_code in (401, 403)
    api_client.force_authenticate(lambeth_officer)
    assert getattr(api_client, method)(url, data, format="json").status_code == 403
    assert snapshot() == before
    assert not AccessLogEntry.objects.exists()


def test_partner_cannot_add_actions(api_client, plan):
    before = snapshot()
    api_client.force_authenticate(plan["idva"])
    response = api_client.post(LIST, new_action(plan["listing"], plan["idva"].agency))
    assert response.status_code == 403
    assert snapshot() == before


def test_other_borough_coordinator_gets_404_and_writes_nothing(api_client, plan):
    action = plan["idva_action"]
    before = snapshot()
    api_client.force_authenticate(coordinator("SOU"))

    assert api_client.get(LIST).json()["results"] == []
    assert api_client.get(detail_url(action)).status_code == 404
    assert api_client.post(updates_url(action), {"text": "x", "status": "done"}).status_code == 404
    response = api_client.post(LIST, new_action(plan["listing"], plan["idva"].agency))
    assert response.status_code == 400
    assert "case" in response.json()["errors"][0]["attr"]
    assert snapshot() == before
    assert not AccessLogEntry.objects.exists()


def test_partner_cannot_reach_an_unlisted_case_or_another_agencys_action(api_client, plan):
    uninvited = social_care_partner()
    before = snapshot()
    api_client.force_authenticate(uninvited)

    assert api_client.get(LIST).json()["results"] == []
    for action in (plan["idva_action"], plan["sc_action"]):
        assert api_client.get(detail_url(action)).status_code == 404
        assert api_client.post(updates_url(action), {"text": "x"}).status_code == 404
    assert api_client.get(f"{LIST}999999/").status_code == 404
    assert snapshot() == before


# --- Bad input and conflicts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"description": ""}, "description"),
        ({"subject": "neighbours"}, "subject"),
        ({"agency": 999999}, "agency"),
        ({"due_date": "31/01/2030"}, "due_date"),
        # A mistyped year: more than two years after the meeting, or one before it.
        ({"due_date": (date.today() + timedelta(days=3 * 365)).isoformat()}, "due_date"),
        ({"due_date": "0026-01-04"}, "due_date"),
        ({"case": 999999}, "case"),
    ],
)
def test_bad_action_is_400_with_field_errors_and_writes_nothing(api_client, plan, overrides, field):
    before = snapshot()
    api_client.force_authenticate(plan["coord"])

    response = api_client.post(
        LIST, new_action(plan["listing"], plan["idva"].agency, **overrides), format="json"
    )

    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert snapshot() == before


@pytest.mark.parametrize(
    "data,field", [({"text": "  "}, "text"), ({"text": "x", "status": "closed"}, "status")]
)
def test_bad_update_is_400_and_writes_nothing(api_client, plan, data, field):
    before = snapshot()
    api_client.force_authenticate(plan["idva"])

    response = api_client.post(updates_url(plan["idva_action"]), data, format="json")

    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert snapshot() == before


def test_bad_filter_is_400(api_client, plan):
    api_client.force_authenticate(plan["coord"])
    assert api_client.get(f"{LIST}?status=closed").status_code == 400
    assert api_client.get(f"{LIST}?meeting=abc").status_code == 400


def test_updating_a_finished_action_is_409(api_client, plan):
    coord, action = plan["coord"], plan["idva_action"]
    action_update(actor=coord, action_id=action.pk, text="Not possible", status="not_possible")
    before = snapshot()
    api_client.force_authenticate(coord)

    response = api_client.post(updates_url(action), {"text": "Reopen", "status": "open"})

    assert response.status_code == 409
    assert "finished" in response.json()["errors"][0]["detail"]
    assert snapshot() == before


def test_adding_an_action_on_a_cancelled_meeting_is_409(api_client, plan):
    meeting_cancel(actor=plan["coord"], meeting=plan["meeting"])
    before = snapshot()
    api_client.force_authenticate(plan["coord"])

    response = api_client.post(LIST, new_action(plan["listing"], plan["idva"].agency))

    assert response.status_code == 409
    assert snapshot() == before


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["coord", "idva"])
def test_list_queries_do_not_grow_with_rows(api_client, viewer):
    at, coord = meeting(), coordinator()
    listings = [listed_case(at, coord) for _ in range(3)]
    idva = idva_partner()
    api_client.force_authenticate(coord if viewer == "coord" else idva)

    def queries_for(n):
        while MaracAction.objects.count() < n:
            count = MaracAction.objects.count()
            action = an_action(listings[count % 3], idva.agency, coord)
            action_update(actor=coord, action_id=action.pk, text=f"Update {count}")
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(f"{LIST}?page_size=100")
        assert response.status_code == 200
        assert len(response.json()["results"]) == n
        return len(ctx)

    assert queries_for(5) == queries_for(50)
