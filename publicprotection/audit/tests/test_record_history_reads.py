"""A record's history lists its newest reads, read with JIT off (at 50 million access-log rows
the same search over every monthly partition was compiled for seconds: issue #22)."""

import pytest
from django.db import connection
from django.urls import reverse

from cases.tests.factories import IncidentFactory
from publicprotection.audit import selectors
from publicprotection.audit.services import access_log_record

pytestmark = pytest.mark.django_db


def read(rf, user, incident, times: int) -> None:
    request = rf.get("/")
    request.user = user
    for _ in range(times):
        access_log_record(request=request, obj=incident, label=incident.reference)


def history_url(incident) -> str:
    return reverse("audit:record-history", args=["cases.incident", incident.pk])


def test_the_newest_reads_are_listed_and_older_ones_found_by_the_search(
    client, rf, monkeypatch, lambeth_officer, admin_user
):
    monkeypatch.setattr(selectors, "RECORD_HISTORY_READS", 3)
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, 4)
    client.force_login(admin_user)

    response = client.get(history_url(incident))

    reads = response.context["reads"]
    assert len(reads) == 3
    assert [r.occurred_at for r in reads] == sorted((r.occurred_at for r in reads), reverse=True)
    assert "These are the newest 3 reads." in response.text
    assert f"record_type=cases.incident&amp;record={incident.pk}" in response.text


def test_a_record_read_less_often_says_nothing_about_older_reads(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, 2)
    client.force_login(admin_user)

    response = client.get(history_url(incident))

    assert len(response.context["reads"]) == 2
    assert "newest" not in response.text


def test_the_reads_are_read_with_jit_off(client, rf, lambeth_officer, admin_user):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, 1)
    client.force_login(admin_user)
    jit_while_reading = []

    def note_jit(execute, sql, params, many, context):
        if 'FROM "audit_accesslogentry"' in sql:
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                jit_while_reading.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_jit):
        client.get(history_url(incident))

    assert jit_while_reading == ["off"]


def test_an_auditor_reading_a_records_history_is_logged_as_a_read_of_it(
    client, rf, lambeth_officer, admin_user
):
    # The history names the record and every value it held: who looked is on the trail too,
    # from the next visit on (not among the reads the page itself lists).
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, 1)
    client.force_login(admin_user)

    first = client.get(history_url(incident))
    second = client.get(history_url(incident))

    assert [r.user for r in first.context["reads"]] == [lambeth_officer]
    assert [r.user for r in second.context["reads"]] == [admin_user, lambeth_officer]
    assert second.context["reads"][0].path == history_url(incident)
