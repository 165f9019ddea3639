"""The audit search always has a date window (the last 12 months unless changed): a record's
reads are looked for in a bounded number of the access log's monthly partitions (issue #22)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import IncidentFactory
from publicprotection.audit.forms import AuditSearchForm
from publicprotection.audit.selectors import search_window_start
from publicprotection.audit.services import access_log_record
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

SEARCH = "audit:search"


def read(rf, user, incident, when=None) -> None:
    request = rf.get("/")
    request.user = user
    if when is None:
        access_log_record(request=request, obj=incident, label=incident.reference)
        return
    with time_machine.travel(when, tick=False):
        access_log_record(request=request, obj=incident, label=incident.reference)


def by_record(incident, **dates):
    return {"record_type": "cases.incident", "record": incident.reference, **dates}


@pytest.mark.parametrize(
    ("date_to", "date_from"),
    [
        (dt.date(2026, 12, 6), dt.date(2025, 12, 6)),
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        (dt.date(2026, 3, 31), dt.date(2025, 3, 31)),
        (dt.date(1, 12, 31), dt.date.min),  # twelve months before would be in year 0
    ],
)
def test_the_default_window_is_the_twelve_months_before_the_end(date_to, date_from):
    assert search_window_start(date_to) == date_from


def test_the_empty_form_shows_the_last_twelve_months(client, admin_user):
    client.force_login(admin_user)
    today = timezone.localdate()
    start = search_window_start(today)

    response = client.get(reverse(SEARCH))

    assert f'name="date_from_year" value="{start.year}"' in response.text
    assert f'name="date_from_day" value="{start.day}"' in response.text
    assert f'name="date_to_year" value="{today.year}"' in response.text


def test_a_search_without_dates_reads_the_last_twelve_months_and_shows_them(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident)
    read(rf, lambeth_officer, incident, timezone.now() - dt.timedelta(days=400))
    client.force_login(admin_user)
    today = timezone.localdate()

    response = client.get(
        reverse(SEARCH),
        by_record(incident, date_from_day="", date_from_month="", date_from_year=""),
    )

    assert len(response.context["page_obj"].object_list) == 1
    assert response.context["form"].cleaned_data["date_from"] == search_window_start(today)
    assert response.context["form"].cleaned_data["date_to"] == today
    # The window used is shown in the boxes, to change.
    start = search_window_start(today)
    assert f'name="date_from_year" value="{start.year}"' in response.text
    assert f'name="date_to_day" value="{today.day}"' in response.text


def test_an_empty_from_date_is_twelve_months_before_the_to_date(client, admin_user):
    client.force_login(admin_user)

    response = client.get(
        reverse(SEARCH), {"username": "x", "date_to": "2024-02-29", "date_from": ""}
    )

    assert response.context["form"].cleaned_data["date_from"] == dt.date(2023, 2, 28)


def test_a_wider_window_finds_older_reads(client, rf, lambeth_officer, admin_user):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, timezone.now() - dt.timedelta(days=400))
    client.force_login(admin_user)
    earlier = (timezone.localdate() - dt.timedelta(days=500)).isoformat()

    response = client.get(reverse(SEARCH), by_record(incident, date_from=earlier))

    assert len(response.context["page_obj"].object_list) == 1


def test_a_record_read_only_before_the_window_says_so_and_how_to_look_further_back(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident, timezone.now() - dt.timedelta(days=400))
    client.force_login(admin_user)

    response = client.get(reverse(SEARCH), by_record(incident))

    assert response.context["page_obj"].object_list == []
    start = search_window_start(timezone.localdate())
    assert f"No reads of {incident.reference}" in response.text
    assert f"from {start:%-d %B %Y} to" in response.text
    assert "To look further back, change the From date." in response.text


def test_a_record_in_the_empty_state_is_escaped(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse(SEARCH), {"record": "<b>x</b>"})

    assert "No reads of &lt;b&gt;x&lt;/b&gt;" in response.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "date_to",
            "The end date must be the same as or after the start date",
        ),
        ({"date_to": "2099-01-01"}, "date_to", "The end date must be today or in the past"),
        (
            {"date_from": "2099-01-01", "date_to": "2026-01-01"},
            "date_from",
            "The start date must be today or in the past",
        ),
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
            "date_from",
            "Enter a valid date.",
        ),
        (
            {"date_from_day": "1", "date_from_month": "", "date_from_year": "2026"},
            "date_from",
            "From must include a month",
        ),
    ],
)
def test_bad_windows_are_refused_with_clear_messages_keeping_what_was_typed(
    client, admin_user, query, field, message
):
    client.force_login(admin_user)

    response = client.get(reverse(SEARCH), {"username": "someone", **query})

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert message in response.context["form"].errors[field]
    assert "There is a problem" in response.text
    assert 'name="username" value="someone"' in response.text


def test_a_future_date_keeps_what_was_typed(client, admin_user):
    client.force_login(admin_user)

    response = client.get(
        reverse(SEARCH), {"date_to_day": "1", "date_to_month": "1", "date_to_year": "2099"}
    )

    assert 'name="date_to_year" value="2099"' in response.text


def test_the_form_takes_today_for_its_window():
    form = AuditSearchForm({"date_to": "2026-06-10"}, today=dt.date(2026, 6, 9))

    assert not form.is_valid()
    assert form.errors["date_to"] == ["The end date must be today or in the past"]


@pytest.mark.parametrize("role_user", ["lambeth_officer", "lambeth_supervisor"])
def test_the_window_changes_nothing_about_who_may_search(client, request, role_user):
    client.force_login(request.getfixturevalue(role_user))

    response = client.get(reverse(SEARCH), {"record": "1", "date_from": "2020-01-01"})

    assert response.status_code == 403


def test_a_record_search_costs_the_same_queries_however_many_reads(
    client, rf, lambeth_officer, admin_user
):
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident)
    client.force_login(admin_user)

    def more_reads():
        for _ in range(5):
            read(rf, lambeth_officer, incident)
            read(rf, lambeth_officer, incident, timezone.now() - dt.timedelta(days=400))

    response = assert_queries_do_not_grow(
        client, reverse(SEARCH), more_reads, data=by_record(incident)
    )

    assert len(response.context["page_obj"].object_list) == 6


def test_the_search_reads_the_log_with_jit_off(client, rf, lambeth_officer, admin_user):
    """Compiling the record search for every monthly partition took seconds at 13 million
    rows (selectors.access_log_page): the page's read of the log runs with JIT off."""
    incident = IncidentFactory()
    read(rf, lambeth_officer, incident)
    client.force_login(admin_user)
    jit_while_reading = []

    def note_jit(execute, sql, params, many, context):
        if 'FROM "audit_accesslogentry"' in sql:
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                jit_while_reading.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_jit):
        response = client.get(reverse(SEARCH), by_record(incident))

    assert len(response.context["page_obj"].object_list) == 1
    assert jit_while_reading == ["off"]
