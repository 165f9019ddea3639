"""A person's risk history: the current risk is their latest confirmed level, never a draft or an
assessment still awaiting review; the person and the assessments are scoped to the viewer."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from cases.models import PartyRole
from cases.tests.factories import add_party, complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from riskassessment.models import Level, RiskAssessment
from riskassessment.services.assessments import (
    assessment_regrade,
    assessment_start,
)
from riskassessment.tests.factories import assess, confirmed, reassessed

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.SUPERVISOR, team=team("LAM"))


def risk_url(person):
    return reverse("riskassessment:person-risk", args=[person.pk])


def summary_url(person):
    return reverse("riskassessment:person-risk-summary", args=[person.pk])


def test_current_risk_is_the_latest_confirmed_not_a_newer_pending_one(
    client, lambeth_officer, reviewer
):
    _incident, victim, _ = complete_incident()
    medium = confirmed(victim, reviewer, level=Level.MEDIUM, yes=("stalking",))
    RiskAssessment.objects.filter(pk=medium.pk).update(
        confirmed_at=datetime(2026, 11, 26, 14, 5, tzinfo=UTC)
    )
    awaiting = assess(victim, level=Level.HIGH, yes=("strangulation",), reason="New threats")
    other_incident, _, _ = complete_incident()
    draft = assessment_start(
        actor=other_incident.created_by,
        victim=add_party(other_incident, PartyRole.VICTIM, person=victim.person),
    )
    client.force_login(lambeth_officer)

    response = client.get(risk_url(victim.person))

    assert response.status_code == 200
    assert response.context["current"].pk == medium.pk
    assert response.context["pending"].pk == draft.pk
    text = response.text
    assert "Current risk: MEDIUM" in text
    assert "Confirmed 26 Nov 2026" in text
    assert "It becomes the current risk once a supervisor confirms it." in text
    assert [a.pk for a in response.context["history"]] == [draft.pk, awaiting.pk, medium.pk]
    for assessment in (draft, awaiting, medium):
        assert assessment.incident.reference in text
        assert reverse("riskassessment:assessment-detail", args=[assessment.pk]) in text
    assert "Awaiting supervisor review" in text
    assert "Replaced by a reassessment" in text
    assert f"by {reviewer.display_name}" in text


def test_a_later_confirmation_becomes_the_current_risk_with_its_regrade(
    client, lambeth_officer, reviewer
):
    _incident, victim, _ = complete_incident()
    confirmed(victim, reviewer, level=Level.MEDIUM, yes=("stalking",))
    later = assess(victim, level=Level.MEDIUM, yes=("stalking",), reason="He has been released")
    assessment_regrade(
        actor=reviewer,
        assessment_id=later.pk,
        level=Level.HIGH,
        rationale="Released today.",
        marac_decision="refer",
    )
    client.force_login(lambeth_officer)

    response = client.get(risk_url(victim.person))

    assert response.context["current"].pk == later.pk
    assert "Current risk: HIGH" in response.text
    assert "Regraded medium to high" in response.text
    assert f"level regraded by {reviewer.display_name}" in response.text
    assert response.context["pending"] is None


def test_no_confirmed_assessment(client, lambeth_officer):
    _incident, victim, _ = complete_incident()
    assess(victim, level=Level.MEDIUM, yes=("stalking",))
    client.force_login(lambeth_officer)

    response = client.get(risk_url(victim.person))

    assert response.context["current"] is None
    assert "No confirmed assessment" in response.text
    assert "Current risk:" not in response.text


def test_the_full_page_logs_the_read_of_the_person(client, lambeth_officer):
    _incident, victim, _ = complete_incident()
    client.force_login(lambeth_officer)

    response = client.get(risk_url(victim.person))

    assert response.status_code == 200
    assert f"{victim.person.full_name} has no risk assessments" in response.text
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.object_label) == (
        lambeth_officer,
        str(victim.person.pk),
        victim.person.full_name,
    )


def test_summary_fragment_is_the_current_level_block_only(client, lambeth_officer, reviewer):
    _incident, victim, _ = complete_incident()
    confirmed(victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    client.force_login(lambeth_officer)

    response = client.get(summary_url(victim.person), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Current risk: HIGH" in response.text
    assert risk_url(victim.person) in response.text


def test_the_summary_fragment_asked_for_directly_logs_the_read_of_the_person(
    client, lambeth_officer, reviewer
):
    # It names the person and their risk: fetched person by person, without the page that
    # loads it, it must still leave a trail.
    _incident, victim, _ = complete_incident()
    confirmed(victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    client.force_login(lambeth_officer)

    assert client.get(summary_url(victim.person)).status_code == 200

    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id) == (lambeth_officer, str(victim.person.pk))
    assert entry.content_type.model_class() is type(victim.person)
    assert entry.path == summary_url(victim.person)


def test_other_boroughs_see_neither_the_person_nor_their_assessments(
    client, southwark_officer, reviewer
):
    _incident, victim, _ = complete_incident(borough_code="LAM")
    confirmed(victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    client.force_login(southwark_officer)

    assert client.get(risk_url(victim.person)).status_code == 404
    assert client.get(summary_url(victim.person)).status_code == 404
    assert client.get(reverse("riskassessment:person-risk", args=[999999])).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_person_known_in_two_boroughs_shows_only_the_viewers_assessments(
    client, southwark_officer, reviewer
):
    _incident, lambeth_victim, _ = complete_incident(borough_code="LAM")
    confirmed(lambeth_victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    southwark_incident, _, _ = complete_incident(borough_code="SOU")
    southwark_victim = add_party(southwark_incident, PartyRole.VICTIM, person=lambeth_victim.person)
    mine = assess(southwark_victim, level=Level.STANDARD)
    client.force_login(southwark_officer)

    response = client.get(risk_url(lambeth_victim.person))

    assert response.status_code == 200
    assert [a.pk for a in response.context["history"]] == [mine.pk]
    assert lambeth_victim.incident.reference not in response.text
    # The level, when and where it was set are London-wide; the assessment is not.
    assert "Current risk: HIGH" in response.text
    assert "The assessment is held by Lambeth" in response.text


def test_pan_london_readers_see_every_borough(client, central_officer, reviewer):
    _incident, victim, _ = complete_incident(borough_code="LAM")
    confirmed(victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    client.force_login(central_officer)

    response = client.get(risk_url(victim.person))

    assert response.status_code == 200
    assert "Current risk: HIGH" in response.text


def test_analysts_are_refused_a_persons_risk(client, analyst, reviewer):
    _incident, victim, _ = complete_incident(borough_code="LAM")
    confirmed(victim, reviewer, level=Level.HIGH, yes=("strangulation",))
    client.force_login(analyst)

    for url in (risk_url(victim.person), summary_url(victim.person)):
        assert client.get(url).status_code == 403


def test_partners_and_anonymous_are_refused(client, partner):
    _incident, victim, _ = complete_incident()

    for url in (risk_url(victim.person), summary_url(victim.person)):
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login"))
        client.force_login(partner)
        assert client.get(url).status_code == 403
        client.logout()
    assert not AccessLogEntry.objects.exists()


def test_history_query_count_does_not_grow_with_rows(
    client, lambeth_officer, reviewer, django_assert_max_num_queries
):
    _incident, victim, _ = complete_incident()
    reassessed(victim, reviewer, 5)
    client.force_login(lambeth_officer)
    with django_assert_max_num_queries(15) as five:
        client.get(risk_url(victim.person))
    reassessed(victim, reviewer, 15)
    with django_assert_max_num_queries(15) as twenty:
        response = client.get(risk_url(victim.person))

    assert len(response.context["history"]) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)
