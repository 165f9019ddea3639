import csv
import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cases.models import Person
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today
from tests.query_counts import assert_queries_do_not_grow

from ..selectors.chronology import (
    ACTION_OVERDUE,
    HIGH_NO_MARAC,
    ORDER_LAPSED,
    REVIEW_OVERDUE,
    chronology_for,
)
from .factories import a_history_with_missed_opportunities, a_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return UserFactory(username="lam.chron.officer", team=team("LAM"))


@pytest.fixture
def reviewed(review_lead, officer):
    victim, suspect, first = a_history_with_missed_opportunities(officer)
    review = a_review(review_lead, victim=victim, suspect=suspect, died=london_today())
    return review, first


def test_the_chronology_lists_contacts_in_date_order_with_markers(reviewed):
    review, first = reviewed
    chronology = chronology_for(review=review)
    kinds = [entry.kind for entry in chronology.entries]
    assert {"Incident", "Arrest decision", "Risk assessment", "RARA action"} <= set(kinds)
    assert kinds.count("Incident") == 2  # both boroughs
    assert [e.when for e in chronology.entries] == sorted(e.when for e in chronology.entries)
    markers = {m for entry in chronology.entries for m in entry.markers}
    assert {HIGH_NO_MARAC, REVIEW_OVERDUE, ACTION_OVERDUE, ORDER_LAPSED} <= markers
    incident = next(e for e in chronology.entries if e.kind == "Incident")
    assert incident.url == reverse("cases:incident-detail", args=[first.reference])


def test_the_period_filter(reviewed):
    review, _ = reviewed
    recent = chronology_for(review=review, start=london_today() - timedelta(days=30))
    assert [e.kind for e in recent.entries] == ["Incident"]
    assert chronology_for(review=review, end=london_today() - timedelta(days=1000)).entries == []


def test_someone_with_no_records_has_an_empty_chronology(client, review_lead):
    review = a_review(review_lead)
    client.force_login(review_lead)
    page = client.get(reverse("homicidereviews:review-chronology", args=[review.pk]))
    assert "The records hold no contact" in page.content.decode()


def test_the_page_shows_markers_and_logs_the_read(client, reviewed, review_lead):
    review, _ = reviewed
    client.force_login(review_lead)
    page = client.get(reverse("homicidereviews:review-chronology", args=[review.pk]))
    assert page.status_code == 200 and HIGH_NO_MARAC in page.content.decode()
    assert AccessLogEntry.objects.filter(user=review_lead, object_id=str(review.pk)).exists()


def test_a_bad_period_shows_an_error(client, reviewed, review_lead):
    review, _ = reviewed
    client.force_login(review_lead)
    page = client.get(
        reverse("homicidereviews:review-chronology", args=[review.pk]),
        {"start": "2025-02-01", "end": "2025-01-01"},
    )
    assert page.status_code == 400 and "There is a problem" in page.content.decode()


def test_the_page_queries_do_not_grow(client, reviewed, review_lead, officer):
    review, first = reviewed
    client.force_login(review_lead)
    from cases.models import PartyRole
    from cases.tests.factories import IncidentFactory, add_party

    def more():
        for _ in range(4):
            incident = IncidentFactory(actor=officer)
            add_party(incident, PartyRole.VICTIM, person=review.victim, actor=officer)

    assert_queries_do_not_grow(
        client, reverse("homicidereviews:review-chronology", args=[review.pk]), more
    )


def test_csv_and_pdf_exports_are_marked_and_logged(client, reviewed, review_lead):
    review, _ = reviewed
    client.force_login(review_lead)
    response = client.get(reverse("homicidereviews:review-chronology-csv", args=[review.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith("OFFICIAL-SENSITIVE") and rows[1][0] == "date"
    assert any(HIGH_NO_MARAC in row[6] for row in rows[2:])
    pdf = client.get(reverse("homicidereviews:review-chronology-pdf", args=[review.pk]))
    assert pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    exports = AccessLogEntry.objects.filter(user=review_lead, action="export")
    assert exports.filter(object_id=str(review.pk)).count() == 2


@pytest.mark.parametrize(
    ("name", "query", "api", "action"),
    [
        ("homicidereviews:review-chronology", {}, False, "view"),
        ("homicidereviews:review-chronology-csv", {}, False, "export"),
        ("homicidereviews:review-chronology-pdf", {}, False, "export"),
        ("api:homicide-review-chronology", {}, True, "view"),
        ("api:homicide-review-chronology", {"format": "csv"}, True, "export"),
    ],
)
def test_every_face_of_the_chronology_logs_the_victim_and_the_suspect(
    client, api_client, reviewed, review_lead, name, query, api, action
):
    """Given a review with a victim and a suspect, when the review lead reads or exports the
    chronology (page, CSV, PDF, API, API CSV), then the access log names both people: the
    chronology lists their contacts London-wide, and a person's record history finds reads by
    the person (ADR 0010). The exports and the API logged only the review."""
    review, _ = reviewed
    (api_client.force_authenticate if api else client.force_login)(review_lead)
    response = (api_client if api else client).get(reverse(name, args=[review.pk]), query)
    assert response.status_code == 200
    people = AccessLogEntry.objects.get(
        user=review_lead, content_type=ContentType.objects.get_for_model(Person)
    )
    assert set(people.object_ids) == {str(review.victim_id), str(review.suspect_id)}
    assert people.action == action
    assert AccessLogEntry.objects.filter(
        user=review_lead, object_id=str(review.pk), action=action
    ).exists()


@pytest.mark.parametrize("who", ["lambeth_supervisor", "analyst", "partner"])
def test_others_cannot_see_or_export_it(client, api_client, reviewed, who, request):
    review, _ = reviewed
    user = request.getfixturevalue(who)
    client.force_login(user)
    for name in ("review-chronology", "review-chronology-csv", "review-chronology-pdf"):
        assert client.get(reverse(f"homicidereviews:{name}", args=[review.pk])).status_code == 403
    api_client.force_authenticate(user)
    url = reverse("api:homicide-review-chronology", args=[review.pk])
    assert api_client.get(url).status_code == 403
    assert not AccessLogEntry.objects.filter(user=user).exists()


def test_anonymous_is_refused(client, api_client, reviewed):
    review, _ = reviewed
    assert (
        client.get(reverse("homicidereviews:review-chronology", args=[review.pk])).status_code
        == 302
    )
    url = reverse("api:homicide-review-chronology", args=[review.pk])
    assert api_client.get(url).status_code == 401
    assert not AccessLogEntry.objects.exists()


def test_api_json_and_csv(api_client, reviewed, review_lead):
    review, _ = reviewed
    api_client.force_authenticate(review_lead)
    url = reverse("api:homicide-review-chronology", args=[review.pk])
    body = api_client.get(url).json()
    assert body["marker_count"] >= 4 and body["pdf_url"].endswith("chronology.pdf")
    assert body["entries"][0]["url"].startswith("/")
    response = api_client.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "OFFICIAL-SENSITIVE" in response.content.decode()
    exports = AccessLogEntry.objects.filter(user=review_lead, action="export")
    assert exports.filter(object_id=str(review.pk)).count() == 1
    bad = api_client.get(url, {"start": "2025-02-01", "end": "2025-01-01"})
    assert bad.status_code == 400
    missing = reverse("api:homicide-review-chronology", args=[999999])
    assert api_client.get(missing).status_code == 404


def test_a_third_incident_in_a_year_without_escalation_is_a_repeat_not_flagged(reviewed, officer):
    from django.utils import timezone

    from cases.models import PartyRole
    from cases.tests.factories import IncidentFactory, add_party

    from ..selectors.chronology import REPEAT_NOT_FLAGGED

    review, _ = reviewed
    third = IncidentFactory(
        actor=officer,
        occurred_at=timezone.now() - timedelta(days=5),
        reported_at=timezone.now() - timedelta(days=5),
    )
    add_party(third, PartyRole.VICTIM, person=review.victim, actor=officer)
    incidents = [e for e in chronology_for(review=review).entries if e.kind == "Incident"]
    assert [REPEAT_NOT_FLAGGED in e.markers for e in incidents] == [False, False, True]


def test_marac_records_and_agenda_appearances_are_in_the_chronology(reviewed, officer):
    from datetime import datetime, time

    from marac.models import (
        ActionStatus,
        Agenda,
        AgendaItem,
        CaseResearch,
        ItemObjectType,
        MaracAction,
        MaracCaseListing,
        MaracMeeting,
        MaracReferral,
    )
    from publicprotection.accounts.models import Agency, AgencyType, Team
    from publicprotection.accounts.tests.factories import AgencyFactory
    from publicprotection.london_time import LONDON

    from ..selectors.chronology import ACTION_NOT_DONE

    review, first = reviewed
    lambeth = Team.objects.get(code="LAM")
    referral = MaracReferral.objects.create(
        borough=first.borough,
        person=review.victim,
        incident=first,
        referring_agency="Police",
        referred_by=officer,
        criteria=["professional_judgement"],
        victim_aware=True,
        victim_consents=True,
        perpetrator_note="P",
        recent_history="H",
        status="listed",
    )
    meeting = MaracMeeting.objects.create(
        team=lambeth,
        starts_at=datetime.combine(london_today() - timedelta(days=100), time(10), tzinfo=LONDON),
        venue="Town Hall",
        chair="Chair",
        max_cases=18,
        minutes_per_case=12,
        status="held",
        created_by=officer,
    )
    listing = MaracCaseListing.objects.create(
        meeting=meeting, referral=referral, category="new_adult_only", listed_by=officer
    )
    agency = AgencyFactory()
    assert isinstance(agency, Agency) and AgencyType.objects.exists()
    CaseResearch.objects.create(
        listing=listing, agency=agency, facts="Known to housing", recorded_by=officer
    )
    MaracAction.objects.create(
        listing=listing,
        subject="victim",
        agency=agency,
        owner="Housing officer",
        description="Move the victim",
        due_date=london_today() - timedelta(days=90),
        status=ActionStatus.NOT_DONE,
        created_by=officer,
    )
    now = datetime.now(tz=LONDON)
    agenda = Agenda.objects.create(
        team=lambeth,
        meeting_date=london_today() - timedelta(days=150),
        period_start=now - timedelta(days=151),
        period_end=now - timedelta(days=150),
    )
    AgendaItem.objects.create(
        agenda=agenda,
        section="overdue_rara",
        object_type=ItemObjectType.MARAC_REFERRAL,
        object_id=referral.pk,
        reference=referral.reference,
        summary="Referral awaiting a decision",
    )
    entries = chronology_for(review=review).entries
    kinds = {e.kind for e in entries}
    assert {
        "MARAC referral",
        "MARAC listing",
        "MARAC research",
        "MARAC action",
        "Daily meeting agenda",
    } <= kinds
    # The police chronology says the agency researched the case, never what it holds: that
    # was shared under the MARAC's confidentiality statement (the agency's own chronology).
    research = next(e for e in entries if e.kind == "MARAC research")
    assert agency.name in research.summary
    assert all("Known to housing" not in (e.summary or "") for e in entries)
    action = next(e for e in entries if e.kind == "MARAC action")
    assert ACTION_NOT_DONE in action.markers
    assert next(e for e in entries if e.kind == "MARAC listing").url == reverse(
        "marac:meeting-detail", args=[meeting.pk]
    )
