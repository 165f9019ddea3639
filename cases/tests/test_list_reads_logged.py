"""Lists, searches and queues that name people write the access log: one entry per request,
naming every record the page or the API answer showed."""

import pytest
from django.urls import reverse

from cases.models import ArrestDecision, Incident, Person
from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessChannel, AccessLogEntry
from publicprotection.audit.selectors import record_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(lambeth_supervisor):
    """Two open Lambeth incidents, each with a victim and a suspect not arrested (so the
    decision awaits review and the suspect is outstanding)."""
    return [complete_incident(actor=lambeth_supervisor) for _ in range(2)]


def decision_ids(incidents):
    return {
        str(pk)
        for pk in ArrestDecision.objects.filter(
            incident__in=[incident for incident, _, _ in incidents]
        ).values_list("pk", flat=True)
    }


def incident_ids(incidents):
    return {str(incident.pk) for incident, _, _ in incidents}


def first_victim(incidents):
    return incidents[0][1].person


def first_victim_ids(incidents):
    return {str(first_victim(incidents).pk)}


def first_victim_name(incidents):
    return first_victim(incidents).full_name


def incident_list(client, incidents):
    return client.get(reverse("cases:incident-list"))


def person_search(client, incidents):
    return client.get(reverse("cases:person-search"), {"name": first_victim_name(incidents)})


def review_queue(client, incidents):
    return client.get(reverse("cases:review-queue"))


def outstanding_suspects(client, incidents):
    return client.get(reverse("cases:outstanding-suspects"))


def party_search(client, incidents):
    incident = incidents[1][0]
    return client.post(
        reverse("cases:incident-party-add", args=[incident.reference]),
        {"role": "victim", "name": first_victim_name(incidents)},
    )


def duplicate_check(client, incidents):
    victim = first_victim(incidents)
    return client.post(
        reverse("cases:person-create"),
        {
            "given_name": victim.given_name,
            "family_name": victim.family_name,
            "date_of_birth": victim.date_of_birth.isoformat(),
        },
    )


def incident_list_api(client, incidents):
    return client.get(reverse("api:incident-list"))


def person_list_api(client, incidents):
    return client.get(reverse("api:person-list"), {"name": first_victim_name(incidents)})


def decision_list_api(client, incidents):
    return client.get(reverse("api:arrest-decision-list"))


# (request, model named, ids named: exactly, or at least these for name searches)
PAGES = {
    "incident list": (incident_list, Incident, incident_ids, "exactly"),
    "person search": (person_search, Person, first_victim_ids, "at least"),
    "review queue": (review_queue, ArrestDecision, decision_ids, "exactly"),
    "outstanding suspects": (outstanding_suspects, ArrestDecision, decision_ids, "exactly"),
    "party search on an incident": (party_search, Person, first_victim_ids, "at least"),
    "duplicate check on registering": (duplicate_check, Person, first_victim_ids, "at least"),
    "incident list API": (incident_list_api, Incident, incident_ids, "exactly"),
    "person search API": (person_list_api, Person, first_victim_ids, "at least"),
    "arrest decision list API": (decision_list_api, ArrestDecision, decision_ids, "exactly"),
}


@pytest.mark.parametrize("list_page", PAGES.values(), ids=PAGES.keys())
def test_a_list_naming_people_logs_one_entry_naming_every_record_shown(
    client, lambeth_supervisor, incidents, list_page
):
    fetch, model, expected_ids, match = list_page
    client.force_login(lambeth_supervisor)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))

    response = fetch(client, incidents)

    assert response.status_code == 200
    # The party search is a section of an incident's record: that page's own read of the
    # incident is an entry of its own (one per kind of record shown).
    searched_from = incidents[1][0]
    entries = AccessLogEntry.objects.exclude(pk__in=before).exclude(
        content_type__model="incident", object_id=str(searched_from.pk)
    )
    assert entries.count() == 1
    entry = entries.get()
    assert entry.user == lambeth_supervisor
    assert entry.content_type.model_class() is model
    named = set(entry.object_ids)
    if match == "exactly":
        assert named == expected_ids(incidents)
    else:
        assert expected_ids(incidents) <= named
    api = response.request["PATH_INFO"].startswith("/api/")
    assert entry.channel == (AccessChannel.API if api else AccessChannel.WEB)


def test_a_persons_history_shows_the_searches_that_listed_them(
    client, lambeth_supervisor, incidents
):
    client.force_login(lambeth_supervisor)
    person_search(client, incidents)

    reads = record_history(obj=first_victim(incidents))["reads"]

    assert [read.path for read in reads] == [AccessLogEntry.objects.get().path]


def test_a_list_showing_nobody_writes_nothing(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    assert client.get(reverse("cases:review-queue")).status_code == 200
    assert client.get(reverse("api:incident-list")).status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_another_boroughs_officer_is_logged_reading_only_what_they_saw(
    client, southwark_officer, incidents
):
    client.force_login(southwark_officer)

    client.get(reverse("cases:incident-list"))

    assert not AccessLogEntry.objects.exists()


SECTIONS = {
    "details": lambda incident, suspect: ("cases:incident-edit-details", []),
    "evidence": lambda incident, suspect: ("cases:incident-edit-evidence", []),
    "add a person": lambda incident, suspect: ("cases:incident-party-add", []),
    "add an offence": lambda incident, suspect: ("cases:incident-offence-add", []),
    "arrest decision": lambda incident, suspect: ("cases:incident-arrest-decision", [suspect.pk]),
    "protective order": lambda incident, suspect: ("cases:incident-order-add", []),
    "outcome": lambda incident, suspect: ("cases:incident-outcome", []),
    "close": lambda incident, suspect: ("cases:incident-close", []),
}


@pytest.mark.parametrize("section", SECTIONS.values(), ids=SECTIONS.keys())
def test_each_section_of_an_incident_logs_the_incident_read(
    client, lambeth_supervisor, incidents, section
):
    incident, _, suspect = incidents[0]
    name, extra = section(incident, suspect)
    client.force_login(lambeth_supervisor)

    response = client.get(reverse(name, args=[incident.reference, *extra]))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.content_type.model_class(), entry.object_id) == (Incident, str(incident.pk))


def test_the_add_an_address_page_logs_the_person_read(client, lambeth_supervisor, incidents):
    person = first_victim(incidents)
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("cases:person-address-add", args=[person.pk]))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.content_type.model_class(), entry.object_id) == (Person, str(person.pk))


@pytest.mark.parametrize("section", SECTIONS.values(), ids=SECTIONS.keys())
def test_a_refused_section_form_logs_the_incident_read(
    client, lambeth_supervisor, incidents, section
):
    """Posting a form with nothing valid shows the section again: the incident, its people
    by name. Without the entry an empty POST read the record unlogged."""
    incident, _, suspect = incidents[0]
    name, extra = section(incident, suspect)
    client.force_login(lambeth_supervisor)

    response = client.post(reverse(name, args=[incident.reference, *extra]), {"version": "1"})

    assert response.status_code in (200, 400, 409)
    assert incident.reference in response.text
    entry = AccessLogEntry.objects.get()
    assert (entry.content_type.model_class(), entry.object_id) == (Incident, str(incident.pk))


def test_a_refused_review_of_a_decision_logs_the_incident_and_victims_read(
    client, lambeth_supervisor, incidents
):
    decision = ArrestDecision.objects.get(incident=incidents[0][0])
    reviewer = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))  # not the decision's maker
    client.force_login(reviewer)

    response = client.post(reverse("cases:review-decision", args=[decision.pk]), {})

    assert response.status_code == 200
    assert {
        (entry.content_type.model_class(), entry.object_id or frozenset(entry.object_ids))
        for entry in AccessLogEntry.objects.all()
    } == {
        (Incident, str(incidents[0][0].pk)),
        (Person, frozenset(first_victim_ids(incidents))),
    }
