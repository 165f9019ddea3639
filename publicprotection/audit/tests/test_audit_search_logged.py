"""The audit search is itself a read of the audit trail, logged like any other (who watches the
watchers): the entries it showed, the change events it showed, and what was searched for."""

import datetime as dt
from html import escape

import pghistory
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from cases.models import Incident
from cases.tests.factories import IncidentFactory
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.forms import RECORD_MAX, USERNAME_MAX
from publicprotection.audit.models import AccessAction, AccessChannel, AccessLogEntry
from publicprotection.audit.services import access_log_record

pytestmark = pytest.mark.django_db

SEARCH = "audit:search"


def read(rf, user, incident) -> None:
    request = rf.get("/")
    request.user = user
    access_log_record(request=request, obj=incident, label=incident.reference)


def logged_by(user) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user).order_by("id"))


def test_a_search_with_results_is_one_entry_naming_the_auditor_the_rows_and_the_criteria(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident)
    read(rf, lambeth_officer, incident)
    client.force_login(admin_user)
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)

    response = client.get(
        reverse(SEARCH),
        {
            "username": lambeth_officer.username,
            "record_type": "cases.incident",
            "record": f" {incident.reference} ",
            "date_from": start.isoformat(),
            "date_to": today.isoformat(),
            "page": "1",
        },
    )

    shown = response.context["page_obj"].object_list
    assert len(shown) == 2
    assert response.context["changes"] == []  # nothing changed by the officer: one entry
    [entry] = logged_by(admin_user)
    assert (entry.action, entry.channel) == (AccessAction.VIEW, AccessChannel.WEB)
    assert entry.content_type == ContentType.objects.get_for_model(AccessLogEntry)
    assert entry.object_ids == [str(row.pk) for row in shown]
    assert entry.object_label == "(2 in a list)"
    assert entry.purpose == (
        f'Audit search: user "{lambeth_officer.username}", record type Incident, '
        f'record "{incident.reference}", {start.isoformat()} to {today.isoformat()}, page 1'
    )
    assert entry.path.startswith("/audit/?")


def test_the_change_events_shown_are_a_second_entry_with_the_same_criteria(
    client, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    with pghistory.context(user=lambeth_officer.pk, url="/test/"):
        Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-5")
    client.force_login(admin_user)

    response = client.get(reverse(SEARCH), {"username": lambeth_officer.username})

    changes = response.context["changes"]
    assert len(changes) == 1
    reads_entry, changes_entry = logged_by(admin_user)
    assert reads_entry.content_type == ContentType.objects.get_for_model(AccessLogEntry)
    assert reads_entry.object_ids == []
    assert changes_entry.content_type == ContentType.objects.get_for_model(Events)
    assert changes_entry.object_ids == [changes[0].pgh_slug]
    assert changes_entry.purpose == reads_entry.purpose
    assert reads_entry.purpose.startswith(f'Audit search: user "{lambeth_officer.username}", ')


def test_a_search_that_finds_nothing_is_logged_naming_no_entry(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse(SEARCH), {"username": "nobody", "record": "DA-404"})

    assert response.context["page_obj"].object_list == []
    assert response.context["changes"] == []
    [entry] = logged_by(admin_user)
    assert entry.content_type == ContentType.objects.get_for_model(AccessLogEntry)
    assert (entry.object_id, entry.object_ids) == ("", [])
    assert entry.object_label == "(0 in a list)"
    assert entry.purpose.startswith(
        'Audit search: user "nobody", any record type, record "DA-404", '
    )


def test_only_a_search_that_ran_is_logged_not_the_empty_form_nor_a_refused_one(client, admin_user):
    client.force_login(admin_user)

    client.get(reverse(SEARCH))
    refused = client.get(
        reverse(SEARCH), {"username": "someone", "date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    ran = client.get(reverse(SEARCH), {"username": "someone"})

    assert refused.context["form"].errors and refused.context["page_obj"] is None
    assert ran.context["page_obj"] is not None
    [entry] = logged_by(admin_user)
    assert entry.purpose.startswith('Audit search: user "someone", ')


def test_a_search_never_lists_itself_and_the_next_search_lists_it(client, admin_user):
    client.force_login(admin_user)
    by_myself = {"username": admin_user.username}

    first = client.get(reverse(SEARCH), by_myself)
    written_by_first = {entry.pk for entry in logged_by(admin_user)}
    second = client.get(reverse(SEARCH), by_myself)

    assert first.context["page_obj"].object_list == []
    assert written_by_first  # logged, after its own results were read
    assert {entry.pk for entry in second.context["page_obj"].object_list} == written_by_first


def test_another_auditor_sees_what_an_auditor_searched_for(client, rf, lambeth_officer, admin_user):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident)
    client.force_login(admin_user)
    client.get(reverse(SEARCH), {"record_type": "cases.incident", "record": incident.reference})
    other_auditor = UserFactory(username="ada.admin", role=Role.ADMIN, team=team("CEN"))
    client.force_login(other_auditor)

    response = client.get(reverse(SEARCH), {"username": admin_user.username})

    rows = response.context["page_obj"].object_list
    [shown] = [e for e in rows if e.content_type.model_class() is AccessLogEntry]
    assert shown.user == admin_user
    assert len(shown.object_ids) == 1  # the officer's read, which the first search showed
    assert f'record "{incident.reference}"' in shown.purpose
    assert escape(shown.purpose) in response.text
    assert "Access log entry (1 in a list)" in response.text


def test_the_longest_criteria_allowed_fit_whole_with_the_dates_and_page(client, admin_user):
    client.force_login(admin_user)
    username, record = "u" * USERNAME_MAX, "r" * RECORD_MAX

    client.get(reverse(SEARCH), {"username": username, "record": record, "page": "3"})

    [entry] = logged_by(admin_user)
    assert len(entry.purpose) <= AccessLogEntry._meta.get_field("purpose").max_length
    assert f'user "{username}", ' in entry.purpose
    assert f'record "{record}", ' in entry.purpose
    assert entry.purpose.endswith(f"to {timezone.localdate().isoformat()}, page 3")


def test_a_longer_search_is_refused_and_not_logged(client, admin_user):
    client.force_login(admin_user)

    client.get(reverse(SEARCH), {"username": "u" * 600, "record": "r" * 600, "page": "3"})

    assert logged_by(admin_user) == []
