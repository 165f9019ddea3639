"""A victim's current risk and open MARAC referral are shown London-wide: an officer in
Southwark attending a victim assessed HIGH in Lambeth is told the level, when and where it was
set, and that a referral is open; the assessment and the referral stay in Lambeth's scope."""

import pytest
from django.urls import reverse

from cases.models import PartyRole
from cases.tests.factories import add_party, complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from riskassessment.models import Level
from riskassessment.selectors.assessments import current_risk
from riskassessment.services.assessments import (
    assessment_confirm,
    assessment_start,
    assessment_submit,
)
from riskassessment.tests.factories import add_action, answer

from .factories import refer

pytestmark = pytest.mark.django_db


def lambeth_high():
    """A Lambeth victim assessed HIGH and confirmed by a Lambeth supervisor."""
    _incident, victim, _ = complete_incident(borough_code="LAM")
    assessment = assessment_start(actor=victim.incident.created_by, victim=victim)
    add_action(assessment)
    assessment = answer(
        assessment, yes=["strangulation"], final_level=Level.HIGH, marac_decision="refer"
    )
    assessment = assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    return assessment_confirm(actor=supervisor, assessment_id=assessment.pk)


def attended_in_southwark(person):
    incident, _, _ = complete_incident(borough_code="SOU")
    return add_party(incident, PartyRole.VICTIM, person=person)


def test_a_southwark_officer_is_told_of_a_lambeth_high(client, southwark_officer):
    assessment = lambeth_high()
    person = assessment.person
    southwark_victim = attended_in_southwark(person)

    risk = current_risk(viewer=southwark_officer, person_id=person.pk)
    assert risk.confirmed.level == Level.HIGH
    assert risk.confirmed.borough_name == "Lambeth"
    assert risk.confirmed.set_at == assessment.confirmed_at

    client.force_login(southwark_officer)
    page = client.get(reverse("riskassessment:person-risk", args=[person.pk]))
    assert page.status_code == 200
    assert "Current risk: HIGH" in page.text
    assert "in Lambeth" in page.text
    # The assessment itself stays in Lambeth's scope.
    assert reverse("riskassessment:assessment-detail", args=[assessment.pk]) not in page.text
    detail = client.get(reverse("riskassessment:assessment-detail", args=[assessment.pk]))
    assert detail.status_code == 404

    incident_page = client.get(
        reverse("riskassessment:incident-risk", args=[southwark_victim.incident.reference])
    )
    assert "Current risk across London" in incident_page.text
    assert "confirmed" in incident_page.text and "in Lambeth" in incident_page.text


def test_a_southwark_officer_is_told_of_an_open_lambeth_referral(client, southwark_officer):
    assessment = lambeth_high()
    refer(assessment)
    attended_in_southwark(assessment.person)
    client.force_login(southwark_officer)

    response = client.get(reverse("marac:person-marac-status", args=[assessment.person.pk]))

    assert response.status_code == 200
    assert "Open MARAC referral in Lambeth" in response.text


def test_no_open_referral_and_people_out_of_scope(client, southwark_officer, partner):
    assessment = lambeth_high()
    url = reverse("marac:person-marac-status", args=[assessment.person.pk])
    client.force_login(southwark_officer)
    assert client.get(url).status_code == 404  # not a party of any Southwark incident

    attended_in_southwark(assessment.person)
    assert "No open MARAC referral anywhere in London" in client.get(url).text
    client.force_login(partner)
    assert client.get(url).status_code in (403, 404)
    assert current_risk(viewer=partner, person_id=assessment.person.pk) is None


def test_the_status_asked_for_directly_logs_the_read_of_the_person(client, southwark_officer):
    # Whether someone is at MARAC, and where: fetched person by person, without the page that
    # loads it, it must still leave a trail. A person out of scope is a 404 and no entry.
    assessment = lambeth_high()
    refer(assessment)
    url = reverse("marac:person-marac-status", args=[assessment.person.pk])
    client.force_login(southwark_officer)
    assert client.get(url).status_code == 404
    assert not AccessLogEntry.objects.exists()

    attended_in_southwark(assessment.person)
    assert client.get(url).status_code == 200

    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.path) == (
        southwark_officer,
        str(assessment.person.pk),
        url,
    )
