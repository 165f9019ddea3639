import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Ethnicity, Gender, PartyRole
from cases.tests.factories import IncidentFactory, PersonFactory, add_party
from marac.models import MaracCaseListing, MaracMeeting, MaracReferral, MeetingStatus
from publicprotection.accounts.models import Borough, Team

from ..selectors.data_returns import data_return, parse_quarter

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def held_meeting(team, day, status=MeetingStatus.HELD, actor=None):
    return MaracMeeting.objects.create(
        team=team,
        starts_at=datetime.combine(day, time(10), tzinfo=LONDON),
        chair="Chair",
        venue="Town Hall",
        max_cases=18,
        minutes_per_case=12,
        status=status,
        created_by=actor,
    )


def listed(meeting, actor, *, person=None, agency="Police", children=0, repeat=False):
    incident = IncidentFactory(actor=actor)
    person = person or PersonFactory(actor=actor)
    add_party(incident, PartyRole.VICTIM, person=person, actor=actor)
    referral = MaracReferral.objects.create(
        borough=incident.borough,
        person=person,
        incident=incident,
        referring_agency=agency,
        referred_by=actor,
        criteria=["professional_judgement"],
        victim_aware=True,
        victim_consents=True,
        children_in_household=children,
        perpetrator_note="P",
        recent_history="H",
        status="listed",
        is_repeat=repeat,
    )
    return MaracCaseListing.objects.create(
        meeting=meeting, referral=referral, category="new_adult_only", listed_by=actor
    )


@pytest.fixture
def lambeth():
    return Team.objects.get(borough=Borough.objects.get(code="LAM"))


def test_quarters_parse():
    assert parse_quarter("2025-Q3") == (date(2025, 7, 1), date(2025, 10, 1))
    assert parse_quarter("2025-Q4") == (date(2025, 10, 1), date(2026, 1, 1))
    assert parse_quarter("2025-5") is None


def test_counts_at_meeting_level(lambeth, lambeth_officer):
    july = held_meeting(lambeth, date(2025, 7, 10), actor=lambeth_officer)
    august = held_meeting(lambeth, date(2025, 8, 14), actor=lambeth_officer)
    cancelled = held_meeting(
        lambeth, date(2025, 9, 1), status=MeetingStatus.CANCELLED, actor=lambeth_officer
    )
    october = held_meeting(lambeth, date(2025, 10, 2), actor=lambeth_officer)
    man = PersonFactory(
        actor=lambeth_officer,
        gender=Gender.MALE,
        ethnicity=Ethnicity.BLACK,
        date_of_birth=date(2008, 9, 1),
        disability="Uses a wheelchair",
    )
    listed(july, lambeth_officer, person=man, agency="IDVA", children=2)
    listed(august, lambeth_officer, person=man, agency="IDVA", children=2, repeat=True)
    listed(august, lambeth_officer, agency="Police")
    listed(cancelled, lambeth_officer)
    listed(october, lambeth_officer)

    result = data_return(team=lambeth, quarter="2025-Q3")

    assert (result.meetings, result.cases_discussed, result.repeat_cases) == (2, 3, 1)
    assert result.children == 4
    assert result.referrals_by_agency == [("IDVA", 2), ("Police", 1)]
    assert result.male_victims == 2 and result.ethnic_minority == 2 and result.disabled == 2
    assert result.aged_16_17 == 2  # 16 in July and August 2025
    assert result.lgbt == "not recorded"


def test_page_csv_and_api(client, api_client, lambeth, lambeth_officer, review_lead, coordinator):
    listed(held_meeting(lambeth, date(2025, 7, 10), actor=lambeth_officer), lambeth_officer)
    client.force_login(coordinator)
    page = client.get(reverse("homicidereviews:data-return"), {"team": "LAM", "quarter": "2025-Q3"})
    assert page.status_code == 200 and "Cases discussed" in page.content.decode()
    assert "Not recorded: the register has no field" in page.content.decode()
    empty = client.get(
        reverse("homicidereviews:data-return"), {"team": "LAM", "quarter": "2024-Q1"}
    )
    assert "No cases were discussed" in empty.content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("homicidereviews:data-return-csv"),
                    {"team": "LAM", "quarter": "2025-Q3"},
                ).content.decode()
            )
        )
    )
    assert rows[3][:2] == ["Cases discussed", "1"]
    # A Lambeth coordinator cannot see Southwark's return.
    other = client.get(
        reverse("homicidereviews:data-return"), {"team": "SOU", "quarter": "2025-Q3"}
    )
    assert other.status_code == 404
    api_client.force_authenticate(review_lead)
    body = api_client.get(
        reverse("api:marac-data-return"), {"team": "LAM", "quarter": "2025-Q3"}
    ).json()
    assert body["cases_discussed"] == 1 and body["lgbt"] == "not recorded"
    assert "definitions" in body
    bad = api_client.get(reverse("api:marac-data-return"), {"team": "LAM", "quarter": "Q3"})
    assert bad.status_code == 400


def test_denials(client, api_client, lambeth_officer, partner):
    url = reverse("homicidereviews:data-return")
    api = reverse("api:marac-data-return")
    assert client.get(url).status_code == 302
    assert api_client.get(api, {"team": "LAM", "quarter": "2025-Q3"}).status_code == 401
    for user in (lambeth_officer, partner):
        client.force_login(user)
        assert client.get(url, {"team": "LAM", "quarter": "2025-Q3"}).status_code == 403
        api_client.force_authenticate(user)
        assert api_client.get(api, {"team": "LAM", "quarter": "2025-Q3"}).status_code == 403
