"""A referral names its perpetrators as people on record (suspects in the victim's incidents the
referrer may see), or describes one not on record; the repeat criterion and the 12-month
question only where the records show a repeat. Service, page and API alike."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Party, PartyRole, Person
from cases.tests.factories import PersonFactory, add_party, complete_incident
from publicprotection.accounts.models import Borough
from tests.query_counts import assert_queries_do_not_grow

from ..models import ListingCategory, MaracReferral, ReferralPerpetrator, ReferralStatus
from ..selectors.referrals import perpetrator_candidates
from ..services.meetings import NOT_A_REPEAT_ERROR as NOT_REVIEWABLE
from ..services.meetings import referral_list_at_meeting
from ..services.referrals import (
    NO_PERPETRATOR_ERROR,
    NOT_A_REPEAT_ERROR,
    UNKNOWN_PERPETRATOR_ERROR,
    referral_accept,
)
from .factories import REFERRAL_FIELDS, coordinator, high_assessment, meeting, refer

pytestmark = pytest.mark.django_db


def suspect_of(incident):
    return Party.objects.get(incident=incident, role=PartyRole.SUSPECT).person


def with_earlier_incident(assessment, borough_code="LAM"):
    """The assessed victim was also the victim of an earlier incident, with another suspect."""
    earlier, _, suspect = complete_incident(
        borough_code=borough_code, occurred_at=timezone.now() - timedelta(days=40)
    )
    add_party(earlier, PartyRole.VICTIM, person=assessment.person)
    return suspect.person


def api_body(assessment, **overrides):
    return {**REFERRAL_FIELDS, "assessment": assessment.pk, "perpetrator_note": "", **overrides}


# --- Service -------------------------------------------------------------------------------------


def test_the_incidents_suspect_is_linked_and_the_note_is_optional():
    assessment = high_assessment()
    suspect = suspect_of(assessment.incident)

    referral = refer(assessment, perpetrators=[suspect.pk], perpetrator_note="")

    assert list(referral.perpetrators.all()) == [suspect]
    assert referral.perpetrator_note == ""


def test_a_perpetrator_not_on_record_is_described_in_the_note():
    referral = refer(perpetrators=[], perpetrator_note="Unknown male, about 30, tattoo on neck")

    assert referral.perpetrators.count() == 0
    assert referral.perpetrator_note == "Unknown male, about 30, tattoo on neck"


def test_a_referral_names_a_perpetrator_one_way_or_the_other():
    with pytest.raises(ValidationError) as error:
        refer(perpetrators=[], perpetrator_note="  ")

    assert error.value.message_dict["perpetrators"] == [NO_PERPETRATOR_ERROR]
    assert not MaracReferral.objects.exists()


def test_a_suspect_of_the_victims_earlier_incident_may_be_named():
    assessment = high_assessment()
    earlier_suspect = with_earlier_incident(assessment)

    candidates = list(perpetrator_candidates(viewer=assessment.created_by, assessment=assessment))
    referral = refer(assessment, perpetrators=[earlier_suspect.pk])

    # This incident's suspect first, then the earlier one; never the victim.
    assert candidates == [suspect_of(assessment.incident), earlier_suspect]
    assert [c.in_this_incident for c in candidates] == [True, False]
    assert list(referral.perpetrators.all()) == [earlier_suspect]


@pytest.mark.parametrize("who", ["witness", "stranger", "victim", "other_borough_suspect"])
def test_people_who_are_not_suspects_the_referrer_may_see_are_refused(who):
    assessment = high_assessment()
    person = {
        "witness": lambda: add_party(assessment.incident, PartyRole.WITNESS).person,
        "stranger": PersonFactory,
        "victim": lambda: assessment.person,
        # A suspect of the victim's incident in Southwark: the Lambeth officer cannot see it.
        "other_borough_suspect": lambda: with_earlier_incident(assessment, "SOU"),
    }[who]()

    with pytest.raises(ValidationError) as error:
        refer(assessment, perpetrators=[suspect_of(assessment.incident).pk, person.pk])

    assert error.value.message_dict["perpetrators"] == [UNKNOWN_PERPETRATOR_ERROR]
    assert not MaracReferral.objects.exists()


def test_a_central_coordinator_may_name_a_suspect_of_any_borough():
    assessment = high_assessment()
    southwark_suspect = with_earlier_incident(assessment, "SOU")

    referral = refer(assessment, actor=coordinator("CEN"), perpetrators=[southwark_suspect.pk])

    assert list(referral.perpetrators.all()) == [southwark_suspect]


def test_repeat_is_refused_where_the_records_show_none():
    with pytest.raises(ValidationError) as error:
        refer(criteria=["visible_high_risk", "repeat"])

    assert error.value.message_dict["criteria"] == [NOT_A_REPEAT_ERROR]
    assert not MaracReferral.objects.exists()


def accepted_referral(**fields):
    referral = refer(**fields)
    return referral_accept(actor=coordinator(), referral_id=referral.pk)


def test_the_twelve_month_review_is_refused_for_a_referral_that_is_not_a_repeat():
    referral, at = accepted_referral(), meeting()

    with pytest.raises(ValidationError) as error:
        referral_list_at_meeting(
            actor=coordinator(), referral_id=referral.pk, meeting_id=at.pk, twelve_month_review=True
        )

    assert error.value.message_dict["twelve_month_review"] == [NOT_REVIEWABLE]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_a_repeat_referral_may_be_listed_as_its_twelve_month_review():
    referral, at = accepted_referral(), meeting()
    MaracReferral.objects.filter(pk=referral.pk).update(is_repeat=True)

    listing = referral_list_at_meeting(
        actor=coordinator(), referral_id=referral.pk, meeting_id=at.pk, twelve_month_review=True
    )

    assert listing.category == ListingCategory.TWELVE_MONTH_REVIEW


# --- Existing referrals: the migration's link ---------------------------------------------------

migration = importlib.import_module("marac.migrations.0010_referral_perpetrators")


def test_existing_referrals_are_linked_where_their_text_names_the_suspect():
    prefilled = refer(perpetrators=[], perpetrator_note="x")
    suspect = suspect_of(prefilled.incident)
    # The text the form used to pre-fill: carried by the link, so no longer kept as a note.
    MaracReferral.objects.filter(pk=prefilled.pk).update(
        perpetrator_note=f"{suspect.full_name}, born 17 May 1990 (former intimate partner)"
    )
    typed = refer(perpetrators=[], perpetrator_note="x")
    typed_suspect = suspect_of(typed.incident)
    MaracReferral.objects.filter(pk=typed.pk).update(
        perpetrator_note=f"Former partner, {typed_suspect.full_name}.\nCarries a knife."
    )
    unknown = refer(perpetrators=[], perpetrator_note="Unknown male")

    migration.link_referrals_to_their_suspects(apps, None)

    for referral in (prefilled, typed, unknown):
        referral.refresh_from_db()
    assert list(prefilled.perpetrators.all()) == [suspect]
    assert prefilled.perpetrator_note == ""
    # Typed text says more than the name: it is all kept beside the link.
    assert list(typed.perpetrators.all()) == [typed_suspect]
    assert typed.perpetrator_note == f"Former partner, {typed_suspect.full_name}.\nCarries a knife."
    assert unknown.perpetrators.count() == 0
    assert unknown.perpetrator_note == "Unknown male"
    # Run again (a re-run after a partial failure): no second link.
    migration.link_referrals_to_their_suspects(apps, None)
    assert ReferralPerpetrator.objects.count() == 2


# --- Pages ---------------------------------------------------------------------------------------


def form_data(**overrides):
    return {
        **REFERRAL_FIELDS,
        "victim_aware": "true",
        "victim_consents": "true",
        "children_in_household": "0",
        "criteria": ["visible_high_risk"],
        "perpetrator_note": "",
        **overrides,
    }


def checkbox(page: str, value) -> str:
    return re.search(rf'<input[^>]*name="perpetrators" value="{value}"[^>]*>', page).group(0)


def create_url(assessment):
    return reverse("marac:referral-create") + f"?assessment={assessment.pk}"


def test_the_form_offers_the_victims_suspects_with_this_incidents_chosen(client):
    assessment = high_assessment()
    suspect = suspect_of(assessment.incident)
    earlier = with_earlier_incident(assessment)
    hidden = with_earlier_incident(assessment, "SOU")
    client.force_login(assessment.created_by)

    page = client.get(create_url(assessment)).text

    assert checkbox(page, suspect.pk).endswith(" checked>")
    assert f"{earlier.full_name}, born 17 May 1990 (an earlier incident)" in page
    assert not checkbox(page, earlier.pk).endswith(" checked>")
    assert hidden.full_name not in page
    assert 'value="repeat"' not in page  # no repeat on record: not offered


def test_the_officer_chooses_the_perpetrator_on_the_form(client):
    assessment = high_assessment()
    earlier = with_earlier_incident(assessment)
    client.force_login(assessment.created_by)

    response = client.post(create_url(assessment), form_data(perpetrators=[str(earlier.pk)]))

    assert response.status_code == 302
    assert list(MaracReferral.objects.get().perpetrators.all()) == [earlier]


def test_the_form_refuses_no_perpetrator_and_keeps_what_was_typed(client):
    assessment = high_assessment()
    client.force_login(assessment.created_by)

    response = client.post(create_url(assessment), form_data(recent_history="Kept text"))

    assert response.status_code == 400
    assert NO_PERPETRATOR_ERROR in response.text
    assert "Kept text" in response.text
    assert not MaracReferral.objects.exists()


def test_the_form_refuses_a_person_who_is_not_offered(client):
    assessment = high_assessment()
    stranger = PersonFactory()
    client.force_login(assessment.created_by)

    response = client.post(create_url(assessment), form_data(perpetrators=[str(stranger.pk)]))

    assert response.status_code == 400
    assert "Choose perpetrators from the list" in response.text
    assert not MaracReferral.objects.exists()


def test_with_no_suspect_on_record_the_form_asks_for_a_description(client):
    assessment = high_assessment()
    Party.objects.filter(incident=assessment.incident, role=PartyRole.SUSPECT).delete()
    client.force_login(assessment.created_by)

    page = client.get(create_url(assessment)).text
    response = client.post(create_url(assessment), form_data())

    assert 'name="perpetrators"' not in page
    assert "No suspect is recorded in the victim&#x27;s incidents" in page
    assert response.status_code == 400
    assert "Describe the perpetrator" in response.text


def test_the_referral_page_links_the_perpetrator_to_the_person_page(client):
    referral = refer()
    suspect = referral.perpetrators.get()
    client.force_login(coordinator())

    page = client.get(reverse("marac:referral-detail", args=[referral.pk])).text

    assert f'href="{reverse("cases:person-detail", args=[suspect.pk])}"' in page
    assert referral.perpetrator_note in page


def test_a_person_the_coordinator_may_not_open_is_named_without_a_link(client):
    assessment = high_assessment()
    southwark_suspect = with_earlier_incident(assessment, "SOU")
    Person.objects.filter(pk=southwark_suspect.pk).update(
        registered_borough=Borough.objects.get(code="SOU")
    )
    referral = refer(assessment, actor=coordinator("CEN"), perpetrators=[southwark_suspect.pk])
    client.force_login(coordinator("LAM"))

    page = client.get(reverse("marac:referral-detail", args=[referral.pk])).text

    assert southwark_suspect.full_name in page
    assert reverse("cases:person-detail", args=[southwark_suspect.pk]) not in page


def test_the_listing_form_of_a_referral_that_is_not_a_repeat_lists_it_as_new(client):
    referral, at = accepted_referral(), meeting()
    client.force_login(coordinator())

    response = client.post(
        reverse("marac:referral-list-at", args=[referral.pk]),
        {"meeting": at.pk, "twelve_month_review": "on"},
    )

    assert response.status_code == 302
    assert referral.listings.get().category == ListingCategory.NEW_ADULT_ONLY


# --- API -----------------------------------------------------------------------------------------

URL = "/api/v1/marac/referrals/"


def test_api_creates_with_linked_perpetrators_and_shows_them(api_client):
    assessment = high_assessment()
    suspect = suspect_of(assessment.incident)
    api_client.force_authenticate(coordinator())

    response = api_client.post(
        URL, api_body(assessment, perpetrators=[suspect.pk], perpetrator_note="Known as D"),
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["perpetrators"] == [{"id": suspect.pk, "name": suspect.full_name}]
    assert body["perpetrator_note"] == "Known as D"


@pytest.mark.parametrize("who", ["stranger", "other_borough_suspect"])
def test_api_refuses_a_non_suspect_or_a_person_the_officer_cannot_see(api_client, who):
    assessment = high_assessment()
    person = PersonFactory() if who == "stranger" else with_earlier_incident(assessment, "SOU")
    api_client.force_authenticate(assessment.created_by)

    response = api_client.post(URL, api_body(assessment, perpetrators=[person.pk]), format="json")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["attr"], error["detail"]) == ("perpetrators", UNKNOWN_PERPETRATOR_ERROR)
    assert not MaracReferral.objects.exists()


def test_api_refuses_no_perpetrator_and_a_repeat_the_records_do_not_show(api_client):
    assessment = high_assessment()
    api_client.force_authenticate(assessment.created_by)

    none = api_client.post(URL, api_body(assessment), format="json")
    repeat = api_client.post(
        URL,
        api_body(
            assessment,
            criteria=["repeat"],
            perpetrators=[suspect_of(assessment.incident).pk],
        ),
        format="json",
    )

    assert none.status_code == repeat.status_code == 400
    assert {e["attr"] for e in none.json()["errors"]} == {"perpetrators"}
    assert [(e["attr"], e["detail"]) for e in repeat.json()["errors"]] == [
        ("criteria", NOT_A_REPEAT_ERROR)
    ]
    assert not MaracReferral.objects.exists()


def test_api_refuses_the_twelve_month_review_of_a_referral_that_is_not_a_repeat(api_client):
    referral, at = accepted_referral(), meeting()
    api_client.force_authenticate(coordinator())

    response = api_client.post(
        f"{URL}{referral.pk}/list-at-meeting/",
        {"meeting": at.pk, "twelve_month_review": True},
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["attr"], error["detail"]) == ("twelve_month_review", NOT_REVIEWABLE)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and not referral.listings.exists()


def test_api_list_queries_do_not_grow_with_linked_perpetrators(api_client):
    api_client.force_authenticate(coordinator())
    refer()

    def grow():
        for _ in range(4):
            assessment = high_assessment()
            first = suspect_of(assessment.incident)
            second = add_party(assessment.incident, PartyRole.SUSPECT).person
            refer(assessment, perpetrators=[first.pk, second.pk])

    response = assert_queries_do_not_grow(api_client, URL, grow)

    assert sum(len(row["perpetrators"]) for row in response.json()["results"]) == 9
