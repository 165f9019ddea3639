"""Protective orders: recorded against an incident's people, listed when expiring."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import ProtectiveOrder
from cases.selectors.orders import orders_expiring
from cases.services.orders import protective_order_add
from cases.tests.factories import complete_incident

pytestmark = pytest.mark.django_db


def order(incident, victim, suspect, *, expires_in_days, **kwargs):
    today = timezone.localdate()
    return protective_order_add(
        actor=incident.created_by,
        incident_id=incident.pk,
        protected=victim,
        respondent=suspect,
        order_type="non_molestation",
        made_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=expires_in_days) if expires_in_days is not None else None,
        **kwargs,
    )


def test_orders_expiring_within_seven_days_are_listed_oldest_expiry_first():
    incident, victim, suspect = complete_incident()
    later = order(incident, victim, suspect, expires_in_days=7)
    sooner = order(incident, victim, suspect, expires_in_days=0)
    order(incident, victim, suspect, expires_in_days=8)  # outside the window
    order(incident, victim, suspect, expires_in_days=-1)  # already expired
    order(incident, victim, suspect, expires_in_days=None)  # open-ended

    expiring = list(orders_expiring(borough_id=incident.borough_id, today=timezone.localdate()))

    assert expiring == [sooner, later]
    assert list(orders_expiring(borough_id=None, today=timezone.localdate())) == [sooner, later]


def test_an_order_protects_a_victim_or_child_and_is_against_a_suspect():
    incident, victim, suspect = complete_incident()

    with pytest.raises(ValidationError) as error:
        protective_order_add(
            actor=incident.created_by,
            incident_id=incident.pk,
            protected=suspect,
            respondent=victim,
            order_type="dvpo",
            made_on=timezone.localdate(),
            expires_on=timezone.localdate() - timedelta(days=1),
        )

    assert set(error.value.message_dict) == {"protected", "respondent", "expires_on"}
    assert not ProtectiveOrder.objects.exists()


def test_an_officer_records_an_order_on_the_incident_page(client, lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    url = reverse("cases:incident-order-add", args=[incident.reference])

    bad = client.post(url, {"protected": victim.pk, "order_type": "", "made_on": "2026-02-30"})
    good = client.post(
        url,
        {
            "protected": victim.pk,
            "respondent": suspect.pk,
            "order_type": "non_molestation",
            "made_on": timezone.localdate().isoformat(),
            "expires_on": (timezone.localdate() + timedelta(days=180)).isoformat(),
            "issued_by": "Family Court at Croydon",
        },
    )

    assert "Choose the type of order" in bad.text and "Enter a real date" in bad.text
    assert good.status_code == 302
    page = client.get(reverse("cases:incident-detail", args=[incident.reference]))
    assert "Non-molestation order" in page.text and "Family Court at Croydon" in page.text


def test_orders_through_the_api_and_denials(
    api_client, lambeth_officer, southwark_officer, analyst
):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    url = reverse("api:incident-protective-orders", args=[incident.pk])
    body = {"protected": victim.pk, "respondent": suspect.pk, "order_type": "dvpo",
            "made_on": timezone.localdate().isoformat()}  # fmt: skip

    api_client.force_authenticate(southwark_officer)
    assert api_client.post(url, body, format="json").status_code == 404
    api_client.force_authenticate(analyst)
    assert api_client.post(url, body, format="json").status_code == 403
    api_client.force_authenticate(lambeth_officer)
    assert api_client.post(url, {**body, "order_type": "x"}, format="json").status_code == 400
    assert api_client.post(url, body, format="json").status_code == 201

    detail = api_client.get(reverse("api:incident-detail", args=[incident.pk])).json()
    assert [o["order_type"] for o in detail["protective_orders"]] == ["dvpo"]
