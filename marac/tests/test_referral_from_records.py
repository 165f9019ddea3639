"""The MARAC referral form is filled from the records; the 12-month question only on a repeat."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import PartyRole, Person, RelationshipType
from cases.services.people import person_address_add
from cases.tests.factories import PersonFactory, add_party
from marac.models import MaracReferral

from ..selectors.referrals import referral_initial_from_records
from .factories import coordinator, high_assessment, meeting, refer

pytestmark = pytest.mark.django_db


def assessed_victim_with_household():
    assessment = high_assessment()
    Person.objects.filter(pk=assessment.person_id).update(
        phone="07700 900555",
        safe_contact_method="text",
        safe_contact_times="Weekdays 10am to 2pm",
        language="Polish",
        interpreter_needed=True,
    )
    person_address_add(
        actor=assessment.created_by,
        person=assessment.person,
        line_1="Refuge, 1 Secret Street",
        postcode="N1 7AA",
        from_date=date(2026, 1, 1),
        is_confidential=True,
    )
    incident = assessment.incident
    add_party(incident, PartyRole.CHILD_IN_HOUSEHOLD)
    add_party(incident, PartyRole.CHILD_PRESENT)
    suspect = incident.parties.get(role=PartyRole.SUSPECT)
    return assessment, suspect


def test_initial_values_come_from_the_victim_and_the_incident():
    assessment, suspect = assessed_victim_with_household()

    initial = referral_initial_from_records(assessment=assessment)

    assert initial["safe_contact"] == "Text message: phone 07700 900555"
    assert initial["safe_contact_times"] == "Weekdays 10am to 2pm"
    assert (initial["language"], initial["interpreter"]) == ("Polish", True)
    assert initial["children_in_household"] == 2
    # The incident's suspect is pre-selected as a person on record, not copied as text.
    assert initial["perpetrators"] == [suspect.person_id]
    # Never an address: a refuge's must not reach a partner through the referral.
    assert not any("N1 7AA" in str(v) or "Secret" in str(v) for v in initial.values())


def test_no_phone_is_offered_when_contact_is_unsafe():
    assessment = high_assessment()
    Person.objects.filter(pk=assessment.person_id).update(
        phone="07700 900555", safe_contact_method="none"
    )

    initial = referral_initial_from_records(assessment=assessment)

    assert initial["safe_contact"] == "No safe method: do not contact"


def test_two_suspects_are_both_preselected():
    assessment = high_assessment()
    other = PersonFactory(given_name="Karl", family_name="Second")
    add_party(
        assessment.incident,
        PartyRole.SUSPECT,
        person=other,
        relationship_to_victim=RelationshipType.SIBLING,
    )

    perpetrators = referral_initial_from_records(assessment=assessment)["perpetrators"]

    assert len(perpetrators) == 2 and other.pk in perpetrators


def test_the_referral_form_opens_filled_in(client):
    assessment, suspect = assessed_victim_with_household()
    client.force_login(assessment.created_by)

    page = client.get(reverse("marac:referral-create"), {"assessment": assessment.pk}).text

    assert "Text message: phone 07700 900555" in page
    assert 'value="Polish"' in page
    assert 'name="children_in_household" value="2"' in page or 'value="2"' in page
    assert suspect.person.full_name in page
    assert "N1 7AA" not in page


def test_the_twelve_month_question_is_asked_only_on_a_repeat(client):
    first = refer()
    meeting()  # one with space, so the listing form is shown
    client.force_login(coordinator())
    url = reverse("marac:referral-detail", args=[first.pk])
    from marac.services.referrals import referral_accept

    referral_accept(actor=coordinator(), referral_id=first.pk)
    page = client.get(url).text
    assert "List at this meeting" in page
    assert "12 months since its last MARAC" not in page

    MaracReferral.objects.filter(pk=first.pk).update(is_repeat=True)
    assert "12 months since its last MARAC" in client.get(url).text
