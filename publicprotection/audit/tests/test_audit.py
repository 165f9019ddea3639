"""Audit: triggers record every change, reads are logged, and the trail is append-only."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse

from cases.models import Incident, IncidentEvent
from cases.tests.factories import IncidentFactory
from publicprotection.audit.models import AccessLogEntry
from publicprotection.audit.services import access_log_record

pytestmark = pytest.mark.django_db

DATABASE_REFUSED = (InternalError, IntegrityError)


def test_bulk_update_is_recorded_by_the_triggers():
    incident = IncidentFactory(cad_reference="CAD-1")

    Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-2")

    labels = list(
        IncidentEvent.objects.filter(pgh_obj_id=incident.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", "cad_reference")
    )
    assert labels == [("insert", "CAD-1"), ("update", "CAD-2")]


def test_delete_is_recorded():
    incident = IncidentFactory()
    pk = incident.pk
    incident.delete()

    assert IncidentEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()


def test_changes_made_through_a_request_carry_the_user_and_url(client, admin_user):
    import pghistory

    incident = IncidentFactory()
    with pghistory.context(user=admin_user.pk, url="/test/"):
        Incident.objects.filter(pk=incident.pk).update(crime_reference="CR-9")

    event = IncidentEvent.objects.get(pgh_obj_id=incident.pk, pgh_label="update")
    assert event.pgh_context.metadata["user"] == admin_user.pk
    assert event.pgh_context.metadata["url"] == "/test/"


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_access_log_rejects_update_and_delete(rf, lambeth_officer):
    incident = IncidentFactory()
    request = rf.get("/")
    request.user = lambeth_officer
    entry = access_log_record(request=request, obj=incident)

    with pytest.raises(DATABASE_REFUSED):
        _raw("UPDATE audit_accesslogentry SET purpose = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DATABASE_REFUSED):
        _raw("DELETE FROM audit_accesslogentry WHERE id = %s", [entry.pk])
    with pytest.raises(DATABASE_REFUSED), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(purpose="tampered")
    assert AccessLogEntry.objects.get(pk=entry.pk).purpose == ""


def test_change_history_rejects_update_and_delete():
    incident = IncidentFactory()
    event = IncidentEvent.objects.get(pgh_obj_id=incident.pk)

    with pytest.raises(DATABASE_REFUSED):
        _raw("UPDATE cases_incidentevent SET cad_reference = 'x' WHERE pgh_id = %s", [event.pk])
    with pytest.raises(DATABASE_REFUSED):
        _raw("DELETE FROM cases_incidentevent WHERE pgh_id = %s", [event.pk])


def test_history_context_rejects_delete():
    import pghistory

    with pghistory.context(user=None, url="/x/"):
        IncidentFactory()
    with pytest.raises(DATABASE_REFUSED):
        _raw("DELETE FROM pghistory_context")


def test_audit_search_is_for_administrators_only(client, lambeth_supervisor, admin_user):
    client.force_login(lambeth_supervisor)
    assert client.get(reverse("audit:search")).status_code == 403

    client.force_login(admin_user)
    assert client.get(reverse("audit:search")).status_code == 200


def test_audit_search_finds_reads_by_user_and_record(client, lambeth_officer, admin_user):
    incident = IncidentFactory()
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-detail", args=[incident.reference]))
    client.force_login(admin_user)

    by_user = client.get(reverse("audit:search"), {"username": lambeth_officer.username})
    by_record = client.get(
        reverse("audit:search"), {"record_type": "cases.incident", "record": incident.reference}
    )
    by_other_user = client.get(reverse("audit:search"), {"username": "nobody"})

    assert len(by_user.context["page_obj"].object_list) == 1
    assert len(by_record.context["page_obj"].object_list) == 1
    assert len(by_other_user.context["page_obj"].object_list) == 0


def test_audit_search_bad_dates_show_an_error_not_a_500(client, admin_user):
    client.force_login(admin_user)

    response = client.get(
        reverse("audit:search"), {"date_from": "2026-02-30", "date_to": "2026-01-01"}
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'name="date_from_day" value="30"' in response.text


def test_record_history_shows_changes_and_reads(client, lambeth_officer, admin_user):
    incident = IncidentFactory()
    Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-77")
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-detail", args=[incident.reference]))
    client.force_login(admin_user)

    response = client.get(reverse("audit:record-history", args=["cases.incident", incident.pk]))

    assert response.status_code == 200
    assert len(response.context["changes"]) == 2
    assert [e.user for e in response.context["reads"]] == [lambeth_officer]


def test_record_history_refuses_other_models(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("audit:record-history", args=["auth.permission", 1]))

    assert response.status_code == 404
