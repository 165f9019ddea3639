"""Reads through a list: one access-log entry names every record shown, and the audit pages
find it from any one of them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Incident
from cases.tests.factories import IncidentFactory, PersonFactory
from publicprotection.audit.models import AccessLogEntry
from publicprotection.audit.selectors import access_log_search
from publicprotection.audit.services import access_log_record, access_log_record_lists

pytestmark = pytest.mark.django_db


def test_one_entry_names_every_record_of_a_list(rf, lambeth_officer):
    incidents = [IncidentFactory() for _ in range(3)]
    request = rf.get("/cases/incidents/?page=1")
    request.user = lambeth_officer

    entry = access_log_record(request=request, objects=incidents)

    assert AccessLogEntry.objects.get() == entry
    assert entry.object_id == ""
    assert entry.object_ids == [str(incident.pk) for incident in incidents]
    assert entry.object_label == "(3 in a list)"
    assert entry.path == "/cases/incidents/?page=1"


def test_a_record_is_named_once_however_often_a_page_shows_it(rf, lambeth_officer):
    incident = IncidentFactory()
    request = rf.get("/")
    request.user = lambeth_officer

    entry = access_log_record(request=request, objects=[incident, incident])

    assert entry.object_ids == [str(incident.pk)]


def test_several_lists_are_logged_in_one_insert_as_each_would_be_alone(rf, lambeth_officer):
    incidents, people = [IncidentFactory() for _ in range(2)], [PersonFactory()]
    request = rf.get("/marac/", HTTP_USER_AGENT="Firefox")
    request.user = lambeth_officer

    with CaptureQueriesContext(connection) as captured:
        entries = access_log_record_lists(request=request, lists=[incidents, [], people])

    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert len(entries) == 2  # the empty list writes nothing
    alone = [access_log_record(request=request, objects=each) for each in (incidents, people)]
    fields = ("user_id", "action", "channel", "content_type_id", "object_id", "object_ids",
              "object_label", "purpose", "path", "method", "ip_address", "user_agent")  # fmt: skip
    stored = AccessLogEntry.objects.order_by("id")
    assert [[getattr(e, f) for f in fields] for e in stored[:2]] == [
        [getattr(e, f) for f in fields] for e in alone
    ]
    assert all(e.pk and e.occurred_at for e in stored)


def test_lists_that_showed_nobody_write_nothing(rf, lambeth_officer):
    request = rf.get("/")
    request.user = lambeth_officer

    with CaptureQueriesContext(connection) as captured:
        assert access_log_record_lists(request=request, lists=[[], []]) == []
    assert not captured.captured_queries


def test_a_list_that_names_its_model_is_logged_even_when_it_showed_nothing(rf, lambeth_officer):
    # A search that found nothing is still a search (the audit search's own entries).
    request = rf.get("/audit/?username=nobody")
    request.user = lambeth_officer

    entry = access_log_record(request=request, objects=[], model=Incident, purpose="Searched")

    assert AccessLogEntry.objects.get() == entry
    assert entry.content_type == ContentType.objects.get_for_model(Incident)
    assert (entry.object_id, entry.object_ids) == ("", [])
    assert entry.object_label == "(0 in a list)"
    assert entry.purpose == "Searched"
    assert access_log_record(request=request, objects=[]) is None


def test_one_record_or_a_list_never_both(rf, lambeth_officer):
    incident = IncidentFactory()
    request = rf.get("/")
    request.user = lambeth_officer

    with pytest.raises(TypeError):
        access_log_record(request=request, obj=incident, objects=[incident])
    with pytest.raises(TypeError):
        access_log_record(request=request)
    assert not AccessLogEntry.objects.exists()


def test_the_audit_finds_a_list_read_from_any_record_it_named(client, lambeth_officer, admin_user):
    shown, other = IncidentFactory(), IncidentFactory()
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-list"))
    client.force_login(admin_user)

    history = client.get(reverse("audit:record-history", args=["cases.incident", shown.pk]))

    assert [e.user for e in history.context["reads"]] == [lambeth_officer]
    assert reverse("cases:incident-list") in history.text
    # The list's one entry, found from either record (the auditor's visit is a read of its own).
    officer = lambeth_officer.username
    assert list(access_log_search(username=officer, object_id=str(shown.pk))) == list(
        access_log_search(username=officer, object_id=str(other.pk))
    )
    assert access_log_search(username=officer, object_id=str(shown.pk)).count() == 1


def test_an_incident_searched_by_reference_is_found_where_a_list_showed_it(
    client, lambeth_officer, admin_user
):
    """A list names its rows by id only: the auditor who types the reference, as the search
    form suggests, still finds the officer who saw the incident in a list."""
    shown = IncidentFactory()
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-list"))
    client.force_login(admin_user)
    officer = lambeth_officer.username
    incident_type = ContentType.objects.get_for_model(Incident)

    for reference in (shown.reference, shown.reference.lower()):
        [found] = access_log_search(username=officer, object_id=reference)
        assert str(shown.pk) in found.object_ids
        assert (
            access_log_search(
                username=officer, content_type=incident_type, object_id=reference
            ).count()
            == 1
        )
    person_type = ContentType.objects.get_for_model(PersonFactory._meta.model)
    assert not access_log_search(
        username=officer, content_type=person_type, object_id=shown.reference
    ).exists()
    page = client.get(reverse("audit:search"), {"username": officer, "record": shown.reference})
    assert [entry.user for entry in page.context["page_obj"]] == [lambeth_officer]
