"""The audit search's changes follow the same criteria as its reads: the user (by name, in any
case), the record type and the record, by id or by reference."""

import pghistory
import pytest
from django.urls import reverse

from cases.models import Incident
from cases.tests.factories import IncidentFactory, PersonFactory
from publicprotection.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "audit:search"


def change(incident_or_person, user, **values) -> None:
    with pghistory.context(user=user.pk, url="/test/"):
        type(incident_or_person).objects.filter(pk=incident_or_person.pk).update(**values)


def changed_objects(response) -> list[tuple[str, str]]:
    return [(event.pgh_obj_model, event.pgh_obj_id) for event in response.context["changes"]]


@pytest.fixture
def auditor(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def changed(lambeth_officer):
    """Two incidents and a person, each changed once by the officer."""
    first, second = IncidentFactory(), IncidentFactory()
    person = PersonFactory()
    for obj, values in ((first, {"cad_reference": "CAD-1"}), (second, {"cad_reference": "CAD-2"})):
        change(obj, lambeth_officer, **values)
    change(person, lambeth_officer, given_name="Renamed")
    return first, second, person


def test_a_record_searched_by_id_shows_only_its_own_changes(auditor, changed):
    first, second, person = changed

    response = auditor.get(
        reverse(SEARCH), {"record_type": "cases.incident", "record": str(first.pk)}
    )

    assert response.status_code == 200
    shown = changed_objects(response)
    assert shown and set(shown) == {("cases.Incident", str(first.pk))}


def test_a_record_searched_by_reference_shows_its_changes_in_any_case(auditor, changed):
    first, second, person = changed

    response = auditor.get(reverse(SEARCH), {"record": f" {first.reference.lower()} "})

    assert set(changed_objects(response)) == {("cases.Incident", str(first.pk))}


def test_a_record_number_without_a_type_finds_that_number_of_every_type(auditor, changed):
    first, second, person = changed

    response = auditor.get(reverse(SEARCH), {"record": str(person.pk)})

    shown = set(changed_objects(response))
    assert ("cases.Person", str(person.pk)) in shown
    assert {obj_id for _, obj_id in shown} == {str(person.pk)}


def test_a_record_type_alone_shows_only_changes_of_that_type(auditor, changed):
    response = auditor.get(reverse(SEARCH), {"record_type": "cases.person"})

    shown = changed_objects(response)
    assert shown and {model for model, _ in shown} == {"cases.Person"}


def test_a_deleted_records_changes_are_found_by_its_id(auditor, changed, lambeth_officer):
    first, second, person = changed
    pk = first.pk
    with pghistory.context(user=lambeth_officer.pk):
        Incident.objects.filter(pk=pk).delete()

    response = auditor.get(reverse(SEARCH), {"record_type": "cases.incident", "record": pk})

    labels = [event.pgh_label for event in response.context["changes"]]
    assert labels[0] == "delete" and "update" in labels


def test_a_record_that_names_nothing_shows_no_changes(auditor, changed):
    for record in ("NO-SUCH-REF", "99999999999999999999999", "-1", "1.5"):
        response = auditor.get(reverse(SEARCH), {"record": record})

        assert response.status_code == 200, record
        assert response.context["changes"] == [], record


def test_a_user_name_typed_in_another_case_shows_that_users_changes(auditor, changed):
    first, second, person = changed
    user = UserFactory(username="Sam.Jones")
    change(first, user, crime_reference="CR-SAM")

    response = auditor.get(reverse(SEARCH), {"username": "SAM.JONES"})

    assert changed_objects(response) == [("cases.Incident", str(first.pk))]


def test_an_unknown_user_name_shows_no_changes(auditor, changed):
    response = auditor.get(reverse(SEARCH), {"username": "nobody.here"})

    assert response.context["changes"] == []


def test_the_user_and_the_record_narrow_together(auditor, changed, lambeth_officer):
    first, second, person = changed
    other = UserFactory()
    change(first, other, crime_reference="CR-OTHER")

    response = auditor.get(reverse(SEARCH), {"username": other.username, "record": first.reference})

    [event] = response.context["changes"]
    assert (event.pgh_obj_id, event.pgh_data["crime_reference"]) == (str(first.pk), "CR-OTHER")


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("username", 150, "Enter a user name of 150 characters or fewer"),
        ("record", 120, "Enter a record of 120 characters or fewer"),
    ],
)
def test_over_long_criteria_are_refused_with_a_message_keeping_what_was_typed(
    auditor, field, limit, message
):
    typed = "x" * (limit + 1)

    response = auditor.get(reverse(SEARCH), {field: typed})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert response.context["page_obj"] is None and response.context["changes"] is None
    html = response.content.decode()
    assert message in html and f'value="{typed}"' in html


def test_criteria_at_the_limit_are_searched(auditor):
    response = auditor.get(reverse(SEARCH), {"username": "u" * 150, "record": "r" * 120})

    assert response.status_code == 200
    assert response.context["form"].is_valid()
    assert response.context["changes"] == []


def test_a_persons_changes_are_not_shown_for_an_incident_of_the_same_number(auditor, changed):
    first, second, person = changed

    response = auditor.get(
        reverse(SEARCH), {"record_type": "cases.incident", "record": str(person.pk)}
    )

    assert ("cases.Person", str(person.pk)) not in set(changed_objects(response))
