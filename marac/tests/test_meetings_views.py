"""Meeting pages and API: scheduling, the agenda with slots, attendance, and denials that
change nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ..models import DocumentKind, DocumentStatus, MaracMeeting, MeetingAttendance, MeetingDocument
from ..services.meetings import referral_list_at_meeting
from .factories import coordinator, meeting, refer

pytestmark = pytest.mark.django_db


def meeting_form(**overrides):
    data = {
        "starts_at": (timezone.localtime() + timedelta(days=14)).strftime("%Y-%m-%dT10:00"),
        "venue": "Lambeth Town Hall",
        "chair": "DI Jo Patel",
        "max_cases": "18",
        "minutes_per_case": "12",
    }
    data.update(overrides)
    return data


def test_coordinator_schedules_and_changes_a_meeting(client):
    client.force_login(coordinator())
    assert client.get(reverse("marac:meeting-create")).status_code == 200
    response = client.post(reverse("marac:meeting-create"), meeting_form())
    assert response.status_code == 302
    created = MaracMeeting.objects.get()
    assert created.team.code == "LAM"

    response = client.post(
        reverse("marac:meeting-edit", args=[created.pk]), meeting_form(max_cases="20", version=1)
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.max_cases == 20


def test_meeting_form_errors(client):
    client.force_login(coordinator())
    response = client.post(reverse("marac:meeting-create"), meeting_form(venue=""))
    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert "Enter the venue, or say the meeting is online." in response.text
    assert not MaracMeeting.objects.exists()


def test_meeting_page_shows_agenda_and_records_attendance(client):
    at = meeting()
    coord = coordinator()
    referral = refer(children_in_household=2)
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    client.force_login(coord)

    page = client.get(reverse("marac:meeting-agenda", args=[at.pk])).text
    assert page.index("Confidentiality statement") < page.index(referral.reference)
    response = client.post(
        reverse("marac:meeting-attendance", args=[at.pk]),
        {"person_name": "Ann Lee", "agency_name": "IDVA service", "status": "present"},
    )
    assert response.status_code == 302
    attendee = MeetingAttendance.objects.get()
    client.post(reverse("marac:meeting-attendance-acknowledge", args=[at.pk, attendee.pk]))
    attendee.refresh_from_db()
    assert attendee.confidentiality_acknowledged

    bad = client.post(reverse("marac:meeting-attendance", args=[at.pk]), {"person_name": "X"})
    assert bad.status_code == 400
    assert MeetingAttendance.objects.count() == 1


def test_the_attendance_form_posted_twice_records_the_attendee_once(client):
    at, coord = meeting(), coordinator()
    client.force_login(coord)
    url = reverse("marac:meeting-attendance", args=[at.pk])
    assert 'name="_once"' in client.get(url).text
    body = {"_once": "0" * 31 + "1", "person_name": "Ann Lee", "agency_name": "IDVA service",
            "status": "present"}  # fmt: skip

    first, again = client.post(url, body), client.post(url, body)

    assert first.status_code == again.status_code == 302
    assert MeetingAttendance.objects.count() == 1


def test_meeting_page_shows_the_documents_without_javascript(client):
    at, coord = meeting(), coordinator()
    client.force_login(coord)
    detail = reverse("marac:meeting-detail", args=[at.pk])
    request_pack = reverse("marac:meeting-document-request", args=[at.pk, "pack"])
    pack_status = reverse("marac:meeting-document-status", args=[at.pk, "pack"])

    page = client.get(detail).text
    assert "Not generated" in page
    assert f'action="{request_pack}"' in page
    assert 'hx-trigger="load"' not in page
    assert "every 2s" not in page

    document = MeetingDocument.objects.create(
        meeting=at, kind=DocumentKind.PACK, requested_by=coord
    )
    page = client.get(detail).text
    # A copy being built polls its own status block; the rest of the page stays as it is.
    assert f'hx-get="{pack_status}" hx-trigger="every 2s"' in page
    # Asked for, but never handed to the worker (the broker was down): the page says so.
    assert "Waiting for the background worker" in page

    document.status, document.error = DocumentStatus.FAILED, "fonts missing"
    document.save()
    page = client.get(detail).text
    assert "every 2s" not in page
    assert "fonts missing" in page and "Try again" in page


PAGES = [
    ("get", "marac:meeting-list", False),
    ("get", "marac:meeting-create", False),
    ("post", "marac:meeting-create", False),
    ("get", "marac:meeting-detail", True),
    ("get", "marac:meeting-agenda", True),
    ("get", "marac:meeting-research", True),
    ("get", "marac:meeting-actions", True),
    ("get", "marac:meeting-invite", True),
    ("get", "marac:meeting-attendance", True),
    ("get", "marac:meeting-edit", True),
    ("post", "marac:meeting-edit", True),
    ("post", "marac:meeting-attendance", True),
]


def snapshot():
    return (
        list(MaracMeeting.objects.values_list("pk", "max_cases", "venue").order_by("pk")),
        MeetingAttendance.objects.count(),
    )


@pytest.mark.parametrize("method,name,with_pk", PAGES)
def test_pages_deny(client, lambeth_officer, partner, method, name, with_pk):
    at = meeting()
    url = reverse(name, args=[at.pk] if with_pk else [])
    data = {**meeting_form(max_cases="3"), "person_name": "X", "agency_name": "Y"}
    before = snapshot()

    assert getattr(client, method)(url, data).status_code == 302
    for user in (lambeth_officer, partner):
        client.force_login(user)
        assert getattr(client, method)(url, data).status_code == 403
    if with_pk:
        client.force_login(coordinator("SOU"))
        assert getattr(client, method)(url, data).status_code == 404
    assert snapshot() == before


def test_acknowledge_denied_to_other_borough(client):
    at = meeting()
    coord = coordinator()
    from ..services.meetings import attendance_add

    attendee = attendance_add(actor=coord, meeting=at, person_name="A", agency_name="B")
    url = reverse("marac:meeting-attendance-acknowledge", args=[at.pk, attendee.pk])
    client.force_login(coordinator("SOU"))
    assert client.post(url).status_code == 404
    attendee.refresh_from_db()
    assert not attendee.confidentiality_acknowledged


def test_meeting_list_queries_do_not_grow(client):
    client.force_login(coordinator())

    def queries_for(n):
        while MaracMeeting.objects.count() < n:
            meeting()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("marac:meeting-list")).status_code == 200
        return len(ctx)

    assert queries_for(5) == queries_for(20)


SECTIONS = ["detail", "agenda", "research", "actions", "invite", "attendance"]


@pytest.mark.parametrize("section", SECTIONS)
def test_meeting_page_queries_do_not_grow_with_cases(client, section):
    at = meeting(max_cases=30)
    coord = coordinator()
    client.force_login(coord)

    def queries_for(n):
        while at.listings.count() < n:
            referral = refer(children_in_household=at.listings.count() % 2)
            referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
        with CaptureQueriesContext(connection) as ctx:
            url = reverse(f"marac:meeting-{section}", args=[at.pk])
            assert client.get(url).status_code == 200
        return len(ctx)

    assert queries_for(5) == queries_for(20)


def test_the_meeting_is_split_into_sections_each_loading_only_its_part(client):
    at, coord = meeting(), coordinator()
    referral = refer(children_in_household=1)
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    client.force_login(coord)
    pages = {name: client.get(reverse(f"marac:meeting-{name}", args=[at.pk])) for name in SECTIONS}

    for name, response in pages.items():
        text = response.text
        assert response.status_code == 200
        # Every section names the others, the current one marked for assistive technology.
        assert text.count('class="moj-sub-navigation__link"') == len(SECTIONS)
        current = reverse(f"marac:meeting-{name}", args=[at.pk])
        assert f'href="{current}" aria-current="page"' in text
        nav = text.split('class="moj-sub-navigation"')[1].split("</nav>")[0]
        assert nav.count('aria-current="page"') == 1
    assert "Meeting pack and minutes (PDF)" in pages["detail"].text
    assert "Confidentiality statement" in pages["agenda"].text
    assert "What each agency holds" in pages["research"].text
    assert "Add an action" in pages["actions"].text
    assert 'id="invite-agency"' in pages["invite"].text
    assert 'id="attendance-agency"' in pages["attendance"].text
    # Each loads only its own part: no research, actions or forms of the other sections.
    assert "Add an action" not in pages["detail"].text + pages["research"].text
    assert 'id="invite-agency"' not in pages["attendance"].text + pages["detail"].text
    assert 'id="attendance-agency"' not in pages["invite"].text + pages["agenda"].text
    assert "Meeting pack and minutes" not in pages["agenda"].text
    assert "<title>Agenda – MARAC meeting" in pages["agenda"].text


def test_forms_return_to_their_own_section(client):
    at, coord = meeting(), coordinator()
    client.force_login(coord)

    added = client.post(
        reverse("marac:meeting-attendance", args=[at.pk]),
        {"person_name": "Ann Lee", "agency_name": "IDVA service", "status": "present"},
    )
    refused = client.post(reverse("marac:meeting-invite", args=[at.pk]), {"agency": ""})

    assert added["Location"] == reverse("marac:meeting-attendance", args=[at.pk])
    assert refused.status_code == 400
    assert 'aria-current="page">Invited agencies' in refused.text


def test_api_create_and_agenda(api_client):
    coord = coordinator()
    api_client.force_authenticate(coord)
    starts = timezone.now() + timedelta(days=10)
    response = api_client.post(
        "/api/v1/marac/meetings/", {"starts_at": starts.isoformat(), "chair": "DI Patel"}
    )
    assert response.status_code == 400
    assert "venue" in str(response.json())
    response = api_client.post(
        "/api/v1/marac/meetings/",
        {"starts_at": starts.isoformat(), "chair": "DI Patel", "is_online": True},
    )
    assert response.status_code == 201
    meeting_id = response.json()["id"]
    referral = refer()
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=meeting_id)

    detail = api_client.get(f"/api/v1/marac/meetings/{meeting_id}/").json()

    assert detail["max_cases"] == 18
    adult = next(e for e in detail["agenda"] if e["key"] == "new_adult_only")
    assert adult["cases"][0]["reference"] == referral.reference
    assert api_client.get("/api/v1/marac/meetings/").json()["results"][0]["id"] == meeting_id


@pytest.mark.parametrize("method,detail", [("get", False), ("post", False), ("get", True)])
def test_api_denials(api_client, lambeth_officer, partner, method, detail):
    at = meeting()
    url = f"/api/v1/marac/meetings/{at.pk}/" if detail else "/api/v1/marac/meetings/"
    data = {"starts_at": timezone.now().isoformat(), "chair": "X", "is_online": True}
    before = snapshot()
    assert getattr(api_client, method)(url, data).status_code in (401, 403)
    for user in (lambeth_officer, partner):
        api_client.force_authenticate(user)
        assert getattr(api_client, method)(url, data).status_code == 403
    if detail:
        api_client.force_authenticate(coordinator("SOU"))
        assert api_client.get(url).status_code == 404
    assert snapshot() == before


def test_every_form_on_the_meeting_page_has_its_own_field_ids(client):
    """Labels must point at their own field: the invitation, attendance and per-case action
    forms share field names, so each needs its own ids."""
    import re
    from collections import Counter

    at = meeting()
    coord = coordinator()
    for n in range(2):
        referral = refer(children_in_household=n)
        referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    client.force_login(coord)

    pages = {
        name: client.get(reverse(f"marac:meeting-{name}", args=[at.pk])).text
        for name in ("detail", "agenda", "research", "actions", "invite", "attendance")
    }

    for page in pages.values():
        ids = Counter(re.findall(r'\sid="([^"]+)"', page))
        assert [i for i, n in ids.items() if n > 1] == []
        for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert target in ids, f"label for missing id {target}"
    assert 'id="invite-agency"' in pages["invite"]
    assert 'id="attendance-agency"' in pages["attendance"]
    assert pages["actions"].count("Add action</button>") == 2


@pytest.mark.parametrize(
    "position", ["p=2026-13-45", "r=1&p=xyz", "p=%00"], ids=["bad-date", "letters", "nul"]
)
def test_a_tampered_cursor_is_a_404_not_a_500(api_client, position):
    import base64

    api_client.force_authenticate(coordinator())
    cursor = base64.b64encode(position.encode()).decode()
    for name in ("api:marac-meeting-list", "api:marac-referral-list", "api:marac-action-list"):
        response = api_client.get(reverse(name), {"cursor": cursor})
        assert response.status_code == 404, name
        assert response.json()["errors"][0]["detail"] == "Invalid cursor"


def test_a_meeting_decades_ahead_is_refused_on_the_page_and_in_the_api(client, api_client):
    coord = coordinator()
    client.force_login(coord)
    response = client.post(
        reverse("marac:meeting-create"), meeting_form(starts_at="9999-12-31T23:59")
    )
    assert response.status_code == 400
    assert "Enter a date within the next five years." in response.text
    # What was typed is kept, in the date and time boxes.
    assert 'name="starts_at_year" value="9999"' in response.text
    assert 'name="starts_at_minute" value="59"' in response.text

    api_client.force_authenticate(coord)
    response = api_client.post(
        reverse("api:marac-meeting-list"),
        {"starts_at": "9999-12-31T23:59:00Z", "chair": "c", "venue": "v"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "starts_at"
    assert not MaracMeeting.objects.exists()
    assert client.get(reverse("marac:meeting-create")).status_code == 200


def test_a_meeting_centuries_ago_is_refused_on_the_page_and_in_the_api(client, api_client):
    """Found by the schema test: year 0217 was kept, and shown in London's local mean time."""
    coord = coordinator()
    client.force_login(coord)
    response = client.post(
        reverse("marac:meeting-create"), meeting_form(starts_at="0217-10-28T10:00")
    )
    assert response.status_code == 400
    assert "Enter a date within the last five years." in response.text
    api_client.force_authenticate(coord)
    response = api_client.post(
        reverse("api:marac-meeting-list"),
        {"starts_at": "0217-10-28T10:00:00Z", "chair": "c", "venue": "v"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "starts_at"
    assert not MaracMeeting.objects.exists()


def test_the_meeting_list_counts_each_meetings_listed_cases(client, api_client):
    """`listed` is counted per meeting of the page (a subquery), newest meeting first."""
    from .factories import listed_case

    coord = coordinator()
    now = timezone.now()
    busy = meeting(starts_at=now + timedelta(days=14))
    empty = meeting(starts_at=now + timedelta(days=28))
    held = meeting(starts_at=now - timedelta(days=14))
    listed_case(busy, coord)
    listed_case(busy, coord)
    listed_case(held, coord)
    meeting("SOU", starts_at=now + timedelta(days=21))  # another borough: not counted or shown

    client.force_login(coord)
    page = client.get(reverse("marac:meeting-list"))
    assert [(m.pk, m.listed) for m in page.context["page_obj"]] == [
        (empty.pk, 0), (busy.pk, 2), (held.pk, 1),
    ]  # fmt: skip
    api_client.force_authenticate(coord)
    rows = api_client.get("/api/v1/marac/meetings/").json()["results"]
    assert [(r["id"], r["listed"]) for r in rows] == [(empty.pk, 0), (busy.pk, 2), (held.pk, 1)]
