"""The home page of each role, the borough choice, the number in the navigation and the reads
the page logs."""

import html
import re

import pytest
from django.urls import reverse

from cases.models import ArrestDecision, Incident
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessLogEntry
from riskassessment.tests.factories import start_assessment
from worklists.navigation import HOME_BOROUGH_SESSION_KEY
from worklists.tests import builders

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def section(response, key):
    """The HTML of one list's section on the page."""
    text = response.text
    start = text.index(f'id="{key}"')
    end = text.find("</section>", start)
    return text[start:end]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_officer_home_lists_their_work_with_links_to_finish_it(
    client, lambeth_officer, lambeth_supervisor
):
    decision = builders.returned_decision(lambeth_officer, lambeth_supervisor)
    draft = builders.draft_incident(lambeth_officer)
    assessment = start_assessment(actor=lambeth_officer)
    action = builders.rara_action(assessment, lambeth_officer, -1)

    response = home(client, lambeth_officer)

    assert response.status_code == 200
    assert reverse("cases:respond-decision", args=[decision.pk]) in section(response, "returned")
    assert reverse("cases:incident-detail", args=[draft.reference]) in section(response, "drafts")
    assert reverse("riskassessment:assessment-detail", args=[assessment.pk]) in section(
        response, "assessments"
    )
    actions = section(response, "actions")
    assert reverse("riskassessment:rara-action-edit", args=[action.pk]) in actions
    assert "Overdue" in actions
    assert reverse("cases:record-arrest", args=[decision.pk]) in section(response, "suspects")


def test_officer_with_nothing_waiting_sees_empty_states(client, lambeth_officer):
    response = home(client, lambeth_officer)

    assert response.text.count("Nothing waiting") == 6
    assert 'class="moj-badge moj-badge--red pp-nav-waiting"' not in response.text


def test_home_logs_the_people_it_names(client, lambeth_officer, lambeth_supervisor):
    decision = builders.returned_decision(lambeth_officer, lambeth_supervisor)

    home(client, lambeth_officer)

    entries = AccessLogEntry.objects.filter(user=lambeth_officer, path="/")
    decisions = entries.get(content_type__model="arrestdecision")
    assert str(decision.pk) in decisions.object_ids
    # The victim of the same incident, not yet assessed, is named in "Victims to assess".
    assert entries.filter(content_type__model="party").exists()


def test_an_empty_home_logs_nothing(client, lambeth_officer):
    home(client, lambeth_officer)

    assert not AccessLogEntry.objects.filter(user=lambeth_officer, path="/").exists()


def test_supervisor_home_lists_reviews_gradings_and_team_actions(
    client, lambeth_supervisor, southwark_supervisor
):
    grading = builders.submitted_assessment(borough_code="LAM", level="medium")
    decision = ArrestDecision.objects.get(incident=grading.incident)
    other = builders.submitted_assessment(borough_code="SOU", level="medium")

    response = home(client, lambeth_supervisor)

    assert reverse("cases:review-decision", args=[decision.pk]) in section(response, "reviews")
    gradings = section(response, "gradings")
    assert reverse("riskassessment:grading-review", args=[grading.pk]) in gradings
    assert reverse("riskassessment:grading-review", args=[other.pk]) not in gradings
    assert "Nothing waiting" in section(response, "team_actions")


def test_coordinator_home_lists_triage_and_meetings_with_pack_state(client, lambeth_coordinator):
    referral = builders.referral("LAM")
    southwark = builders.referral("SOU")
    at = builders.meeting("LAM")

    response = home(client, lambeth_coordinator)

    triage = section(response, "triage")
    assert reverse("marac:referral-detail", args=[referral.pk]) in triage
    assert reverse("marac:referral-detail", args=[southwark.pk]) not in triage
    meetings = section(response, "meetings")
    assert reverse("marac:meeting-detail", args=[at.pk]) in meetings
    assert "Pack: Not asked for" in meetings
    assert "borough_form" not in response.context  # a borough coordinator has no choice


def test_london_wide_coordinator_chooses_a_borough_and_it_is_remembered(
    client, central_coordinator
):
    lambeth = builders.referral("LAM")
    southwark = builders.referral("SOU")
    sou = Borough.objects.get(code="SOU")
    client.force_login(central_coordinator)

    before = client.get(reverse("home"))
    response = client.post(reverse("home"), {"borough": str(sou.pk)})
    after = client.get(reverse("home"))

    assert "All of London" in before.text
    both = section(before, "triage")
    assert reverse("marac:referral-detail", args=[lambeth.pk]) in both
    assert reverse("marac:referral-detail", args=[southwark.pk]) in both
    assert response.status_code == 302
    assert client.session[HOME_BOROUGH_SESSION_KEY] == sou.pk
    narrowed = section(after, "triage")
    assert reverse("marac:referral-detail", args=[southwark.pk]) in narrowed
    assert reverse("marac:referral-detail", args=[lambeth.pk]) not in narrowed
    assert f'<option value="{sou.pk}" selected>' in after.text

    client.post(reverse("home"), {"borough": ""})
    assert HOME_BOROUGH_SESSION_KEY not in client.session


def test_an_unknown_borough_is_refused_with_a_message_and_nothing_changes(
    client, central_coordinator
):
    client.force_login(central_coordinator)

    response = client.post(reverse("home"), {"borough": "99999"})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Select a valid choice" in response.text
    assert HOME_BOROUGH_SESSION_KEY not in client.session


def test_a_borough_coordinator_cannot_choose_another_borough(client, lambeth_coordinator):
    client.force_login(lambeth_coordinator)
    sou = Borough.objects.get(code="SOU")

    response = client.post(reverse("home"), {"borough": str(sou.pk)})

    assert response.status_code == 302
    assert HOME_BOROUGH_SESSION_KEY not in client.session


def test_partner_home_lists_research_and_actions_of_its_agency(client):
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    listing = builders.listed_case(at, idva.agency)
    action = builders.marac_action(listing, idva.agency, 2)

    response = home(client, idva)

    research = f"{reverse('marac:case-summary', args=[listing.pk])}#your-research"
    assert research in section(response, "research")
    assert f"{reverse('marac:case-summary', args=[listing.pk])}#action-{action.pk}" in section(
        response, "partner_actions"
    )
    assert reverse("marac:case-summary", args=[listing.pk]) in section(response, "upcoming_cases")
    assert "Incidents" not in response.text


def test_partner_home_logs_the_victims_its_cases_and_actions_name(client):
    # Given a case shared with the agency, with research still to record and an action due
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    listing = builders.listed_case(at, idva.agency)
    action = builders.marac_action(listing, idva.agency, 2)
    victim = str(listing.referral.person_id)

    # When the partner opens the home page, and the full list of research to record
    home(client, idva)
    client.get(reverse("worklist", args=["research"]))

    # Then each read names the victim, so it reaches the victim's record history as the MARAC
    # home's and the case list's reads of the same cases do (ADR 0002)
    entries = AccessLogEntry.objects.filter(user=idva, path="/")
    cases = entries.get(content_type__model="maraccaselisting")
    actions = entries.get(content_type__model="maracaction")
    assert (cases.object_ids, cases.subject_ids) == ([str(listing.pk)], [victim])
    assert (actions.object_ids, actions.subject_ids) == ([str(action.pk)], [victim])
    page = AccessLogEntry.objects.get(user=idva, path=reverse("worklist", args=["research"]))
    assert (page.object_ids, page.subject_ids) == ([str(listing.pk)], [victim])


def test_analyst_keeps_a_home_of_links(client, analyst):
    response = home(client, analyst)

    assert response.status_code == 200
    assert response.context["work_lists"] == []
    assert reverse("reports:dashboard") in response.text
    assert "Nothing waiting" not in response.text


def test_navigation_shows_the_number_waiting_on_every_page(
    client, lambeth_officer, lambeth_supervisor
):
    builders.returned_decision(lambeth_officer, lambeth_supervisor)
    builders.draft_incident(lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"))

    # The returned decision, its outstanding suspect, its victim to assess, and the draft.
    assert 'data-waiting="4"' in response.text
    assert '4<span class="govuk-visually-hidden"> waiting</span>' in response.text


def test_the_number_waiting_is_only_what_the_viewer_may_see(
    client, lambeth_supervisor, southwark_supervisor
):
    builders.submitted_assessment(borough_code="LAM", level="medium")
    client.force_login(southwark_supervisor)

    response = client.get(reverse("cases:incident-list"))

    assert "data-waiting" not in response.text


def home_queries(client, user, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(captured)


def test_officer_home_query_count_does_not_grow_with_the_work(
    client, lambeth_officer, lambeth_supervisor, django_assert_max_num_queries
):
    client.force_login(lambeth_officer)
    builders.returned_decision(lambeth_officer, lambeth_supervisor)
    builders.draft_incident(lambeth_officer)
    few = home_queries(client, lambeth_officer, django_assert_max_num_queries, 20)
    for _ in range(4):
        builders.returned_decision(lambeth_officer, lambeth_supervisor)
        builders.draft_incident(lambeth_officer)
    many = home_queries(client, lambeth_officer, django_assert_max_num_queries, 20)

    assert few == many


def test_coordinator_home_query_count_is_bounded(
    client, lambeth_coordinator, django_assert_max_num_queries
):
    client.force_login(lambeth_coordinator)
    builders.referral("LAM")
    builders.meeting("LAM", coord=lambeth_coordinator)
    few = home_queries(client, lambeth_coordinator, django_assert_max_num_queries, 25)
    for _ in range(3):
        builders.referral("LAM")
        builders.meeting("LAM", coord=lambeth_coordinator)
    many = home_queries(client, lambeth_coordinator, django_assert_max_num_queries, 25)

    assert few == many


def test_the_navigation_number_costs_one_query_on_other_pages(
    client, lambeth_officer, lambeth_supervisor, django_assert_max_num_queries, monkeypatch
):
    builders.returned_decision(lambeth_officer, lambeth_supervisor)
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-list"))  # warm: sessions, content types
    with django_assert_max_num_queries(30) as with_badge:
        client.get(reverse("cases:incident-list"))
    monkeypatch.setattr("publicprotection.navigation.WaitingCount", lambda request: None)
    with django_assert_max_num_queries(30) as without_badge:
        client.get(reverse("cases:incident-list"))

    assert len(with_badge) == len(without_badge) + 1
    assert Incident.objects.exists()


def test_a_long_list_links_to_its_own_page_with_every_row(
    client, lambeth_officer, lambeth_supervisor
):
    decisions = [builders.returned_decision(lambeth_officer, lambeth_supervisor) for _ in range(11)]
    client.force_login(lambeth_officer)

    home_page = client.get(reverse("home"))
    full = client.get(reverse("worklist", args=["returned"]))

    returned = section(home_page, "returned")
    assert returned.count('class="govuk-task-list__item ') == 10
    assert f'href="{reverse("worklist", args=["returned"])}"' in returned
    assert "See all 11" in returned
    assert full.status_code == 200
    for decision in decisions:
        assert reverse("cases:respond-decision", args=[decision.pk]) in full.text
    logged = AccessLogEntry.objects.filter(
        user=lambeth_officer, path=reverse("worklist", args=["returned"])
    ).get()
    assert len(logged.object_ids) == 11


def test_a_list_the_role_does_not_have_is_a_404(client, lambeth_officer, analyst):
    client.force_login(lambeth_officer)
    assert client.get(reverse("worklist", args=["triage"])).status_code == 404
    # A role with no work lists at all is refused outright, as on every case page.
    client.force_login(analyst)
    assert client.get(reverse("worklist", args=["returned"])).status_code == 403


def test_a_list_page_needs_sign_in(client):
    response = client.get(reverse("worklist", args=["returned"]))

    assert response.status_code == 302


def test_supervisor_home_query_count_does_not_grow_with_the_work(
    client, lambeth_supervisor, django_assert_max_num_queries
):
    client.force_login(lambeth_supervisor)
    first = builders.submitted_assessment(borough_code="LAM", level="medium")
    builders.rara_action(first, first.created_by, -2)
    few = home_queries(client, lambeth_supervisor, django_assert_max_num_queries, 20)
    for _ in range(3):
        assessment = builders.submitted_assessment(borough_code="LAM", level="medium")
        builders.rara_action(assessment, assessment.created_by, -2)
    many = home_queries(client, lambeth_supervisor, django_assert_max_num_queries, 20)

    assert few == many


def test_partner_home_query_count_does_not_grow_with_the_work(
    client, django_assert_max_num_queries
):
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    builders.marac_action(builders.listed_case(at, idva.agency), idva.agency, 1)
    client.force_login(idva)
    few = home_queries(client, idva, django_assert_max_num_queries, 20)
    for _ in range(3):
        builders.marac_action(builders.listed_case(at, idva.agency), idva.agency, 1)
    many = home_queries(client, idva, django_assert_max_num_queries, 20)

    assert few == many


def test_the_drafts_link_lists_what_the_home_counts(client, lambeth_officer):
    # Given two drafts of the officer's, one of a colleague's in the same borough and an
    # incident of the officer's already submitted
    mine = {builders.draft_incident(lambeth_officer) for _ in range(2)}
    colleague = builders.UserFactory(role="officer", team=lambeth_officer.team)
    theirs = builders.draft_incident(colleague)
    builders.complete_incident(actor=lambeth_officer)

    # When the officer opens their home, then the drafts list it links to
    drafts = section(home(client, lambeth_officer), "drafts")
    url = re.search(r'href="([^"]+)">Open the full list', drafts).group(1)
    listing = client.get(html.unescape(url)).text

    # Then the list shows the officer's own drafts and nothing else, as many as counted
    assert 'data-count="2"' in drafts
    listed = {i for i in Incident.objects.all() if f">{i.reference}</a>" in listing}
    assert listed == mine
    assert theirs not in listed
    assert re.search(r'<input[^>]*name="recorded_by_me"[^>]*checked', listing)
