"""Migration 0019: confidential addresses recorded before session 16 shared their place's row.

The old rows are made here as the old code made them (one row per postcode and first line,
first typing kept), each in its own transaction as requests were, so the history can tell
which typing created a row."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse

from cases.models import Address, PersonAddress
from cases.services.people import address_get_or_create, person_address_add
from cases.tests.factories import IncidentFactory, PersonFactory

pytestmark = pytest.mark.django_db
# Each old typing was its own request: only a committed transaction has its own NOW().
in_separate_transactions = pytest.mark.django_db(transaction=True)

migration = importlib.import_module("cases.migrations.0019_confidential_addresses_own_rows")

REFUGE_LINE = "Safe House refuge, flat 2"


def old_link(actor, person, *, line_1, postcode, line_2="", town="London", confidential=False):
    """person_address_add before session 16: every typing of a place shared its row."""
    with transaction.atomic():
        address = address_get_or_create(line_1=line_1, line_2=line_2, town=town, postcode=postcode)
        return PersonAddress.objects.create(
            person=person,
            address=address,
            is_confidential=confidential,
            recorded_borough=actor.team.borough,
        )


def run_migration():
    migration.give_confidential_addresses_their_own_rows(apps, None)


def page(client, viewer, name, *args) -> str:
    client.force_login(viewer)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.text


@in_separate_transactions
def test_a_refuge_that_created_the_shared_row_is_no_longer_shown_to_the_borough_that_typed_it_later(
    client, southwark_officer, lambeth_officer
):
    # Given Southwark recorded a refuge first, and Lambeth later typed the same first line and
    # postcode for a person and as an incident's location: all three shared Southwark's row
    victim = PersonFactory(actor=southwark_officer)
    refuge = old_link(
        southwark_officer, victim, line_1="3 Quiet Road", line_2=REFUGE_LINE, town="Southwark",
        postcode="SE1 4AA", confidential=True,
    )  # fmt: skip
    suspect = PersonFactory(actor=lambeth_officer)
    public = old_link(lambeth_officer, suspect, line_1="3 quiet road", postcode="se1 4aa")
    incident = IncidentFactory(
        actor=lambeth_officer, location={"line_1": "3 Quiet Road", "postcode": "SE1 4AA"}
    )
    assert refuge.address_id == public.address_id == incident.location_id
    assert REFUGE_LINE in page(client, lambeth_officer, "cases:person-detail", suspect.pk)

    run_migration()

    # Then the refuge has a row of its own, with the text Southwark recorded
    refuge.refresh_from_db()
    assert refuge.address_id != public.address_id
    assert (refuge.address.line_2, refuge.address.town) == (REFUGE_LINE, "Southwark")
    assert refuge.address.match_key.startswith("confidential|")
    # And the place's row, Southwark's typing, keeps only what Lambeth typed too
    place = Address.objects.get(pk=public.address_id)
    assert (place.line_1, place.line_2, place.town, place.postcode) == (
        "3 Quiet Road", "", "London", "SE1 4AA",
    )  # fmt: skip
    for name, arg in (
        ("cases:person-detail", suspect.pk),
        ("cases:incident-detail", incident.reference),
    ):
        text = page(client, lambeth_officer, name, arg)
        assert "Quiet Road" in text and "Safe House" not in text and "Southwark" not in text
    assert REFUGE_LINE in page(client, southwark_officer, "cases:person-detail", victim.pk)

    # And typing the place from now on never reaches the refuge
    again = person_address_add(
        actor=lambeth_officer, person=PersonFactory(actor=lambeth_officer),
        line_1="3 Quiet Road", postcode="SE1 4AA",
    )  # fmt: skip
    assert again.address_id == place.pk


@in_separate_transactions
def test_a_row_a_public_typing_created_keeps_its_text_for_everyone(
    southwark_officer, lambeth_officer
):
    # Given Lambeth typed a home first, and Southwark later recorded it as confidential
    public = old_link(
        lambeth_officer, PersonFactory(actor=lambeth_officer), line_1="8 Long Lane",
        line_2="Flat 3", postcode="SE1 1AA",
    )  # fmt: skip
    refuge = old_link(
        southwark_officer, PersonFactory(actor=southwark_officer), line_1="8 long lane",
        line_2="Refuge", postcode="SE1 1AA", confidential=True,
    )  # fmt: skip

    run_migration()

    # Then Lambeth's row keeps its second line (Southwark's was never saved), and Southwark's
    # link has its own copy of what its pages showed
    refuge.refresh_from_db()
    public.refresh_from_db()
    assert refuge.address_id != public.address_id
    assert public.address.line_2 == refuge.address.line_2 == "Flat 3"
    assert not public.address.match_key.startswith("confidential|")


def test_every_confidential_link_of_a_row_gets_its_own_and_a_second_run_changes_nothing(
    southwark_officer, lambeth_officer
):
    first = old_link(
        southwark_officer, PersonFactory(actor=southwark_officer), line_1="1 Hidden Way",
        line_2="Refuge", postcode="SE5 0AA", confidential=True,
    )  # fmt: skip
    second = old_link(
        lambeth_officer, PersonFactory(actor=lambeth_officer), line_1="1 Hidden Way",
        postcode="SE5 0AA", confidential=True,
    )  # fmt: skip
    place_id = first.address_id

    run_migration()
    first.refresh_from_db()
    second.refresh_from_db()
    assert len({place_id, first.address_id, second.address_id}) == 3
    assert first.address.line_2 == second.address.line_2 == "Refuge"
    # No public link is left on the place's row, and the refuge's typing is gone from it
    assert Address.objects.get(pk=place_id).line_2 == ""

    rows = Address.objects.count()
    run_migration()
    assert Address.objects.count() == rows


def test_a_row_whose_history_is_gone_is_treated_as_a_refuges_typing(
    southwark_officer, lambeth_officer
):
    # Given a row bulk-loaded with no history (as the synthetic loader and archives leave them)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # triggers off: no event
        try:
            address = Address.objects.create(
                line_1="5 Old Yard",
                line_2="Flat 9",
                postcode="SE1 2BB",
                match_key="SE12BB|5 old yard",
            )
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    refuge = PersonAddress.objects.create(
        person=PersonFactory(actor=southwark_officer), address=address, is_confidential=True
    )
    public = PersonAddress.objects.create(
        person=PersonFactory(actor=lambeth_officer), address=address
    )

    run_migration()

    refuge.refresh_from_db()
    public.refresh_from_db()
    assert refuge.address.line_2 == "Flat 9"
    assert public.address.line_2 == ""
