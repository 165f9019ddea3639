"""Query counts of the audit pages: one GET, more reads and changes, the same GET again, and
the count must not change (issue #8)."""

import pghistory
import pytest
from django.urls import reverse

from cases.models import Incident
from cases.tests.factories import IncidentFactory
from publicprotection.accounts.tests.factories import UserFactory
from publicprotection.audit.services import access_log_record
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def read_by(rf, user, incident, times: int) -> None:
    request = rf.get("/")
    request.user = user
    for _ in range(times):
        access_log_record(request=request, obj=incident, label=incident.reference)


def changed_by(user, incident, times: int) -> None:
    with pghistory.context(user=user.pk, url="/test/"):
        for number in range(times):
            Incident.objects.filter(pk=incident.pk).update(cad_reference=f"CAD-{number}")


def test_audit_search_queries_do_not_grow_with_reads_and_changes(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory(actor=lambeth_officer)
    read_by(rf, lambeth_officer, incident, 2)
    changed_by(lambeth_officer, incident, 2)
    client.force_login(admin_user)

    def more_reads_and_changes():
        for _ in range(4):
            other = IncidentFactory(actor=UserFactory())
            read_by(rf, lambeth_officer, other, 5)
            changed_by(lambeth_officer, other, 3)

    response = assert_queries_do_not_grow(
        client,
        reverse("audit:search"),
        more_reads_and_changes,
        data={"username": lambeth_officer.username},
    )

    assert len(response.context["page_obj"].object_list) == 22
    assert len(response.context["changes"]) >= 14


def test_record_history_queries_do_not_grow_with_reads_and_changes(
    client, rf, lambeth_officer, southwark_officer, admin_user
):
    incident = IncidentFactory(actor=lambeth_officer)
    read_by(rf, lambeth_officer, incident, 1)
    changed_by(lambeth_officer, incident, 1)
    client.force_login(admin_user)

    def more_reads_and_changes():
        for reader in (lambeth_officer, southwark_officer, UserFactory(), UserFactory()):
            read_by(rf, reader, incident, 3)
            changed_by(reader, incident, 3)

    response = assert_queries_do_not_grow(
        client,
        reverse("audit:record-history", args=["cases.incident", incident.pk]),
        more_reads_and_changes,
    )

    # The auditor's own earlier visits are reads of the record too.
    assert len([r for r in response.context["reads"] if r.user != admin_user]) == 13
    assert len(response.context["changes"]) >= 13


def test_a_deep_audit_page_costs_no_more_than_the_first(client, rf, lambeth_officer, admin_user):
    """/audit/?page=999999999 took 11 s on a modest log: it counted the log and read to the
    last page. Pages are bounded and nothing is counted."""
    incident = IncidentFactory(actor=lambeth_officer)
    read_by(rf, lambeth_officer, incident, 3)
    client.force_login(admin_user)
    query = {"username": lambeth_officer.username}
    client.get(reverse("audit:search"), query)  # warm

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("audit:search"), {**query, "page": "1"})
    with CaptureQueriesContext(connection) as deep:
        response = client.get(reverse("audit:search"), {**query, "page": "999999999"})

    assert response.status_code == 200
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert not any("COUNT(" in q["sql"].upper() for q in deep.captured_queries)
    offsets = [q["sql"] for q in deep.captured_queries if "OFFSET" in q["sql"]]
    assert all(int(sql.rsplit("OFFSET", 1)[1].split()[0]) <= 400 * 50 for sql in offsets)
