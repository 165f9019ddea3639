"""Agenda pages: scope, roles, decisions, downloads (logged), regeneration and broker outages."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.models import ArrestDecision
from marac.models import Agenda, AgendaDecision, AgendaSection, AgendaStatus
from marac.selectors.agendas import next_meeting_date
from marac.services.agendas import agenda_generate
from publicprotection.accounts.tests.factories import team
from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today

from .helpers import MONDAY, at, awaiting_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def lambeth_agenda():
    awaiting_decision()
    return agenda_generate(team=team("LAM"), meeting_date=MONDAY)


def urls(agenda):
    item = agenda.items.first()
    return {
        "get": [
            reverse("marac:agenda-detail", args=[agenda.pk]),
            reverse("marac:agenda-download", args=[agenda.pk]),
            reverse("marac:agenda-status", args=[agenda.pk]),
        ],
        "post": [
            reverse("marac:agenda-regenerate", args=[agenda.pk]),
            reverse("marac:agenda-retry", args=[agenda.pk]),
            reverse("marac:agenda-decision", args=[agenda.pk, item.pk]),
        ],
    }


DECISION = {"action": "Trace the suspect today", "owner": "DS Khan", "done": ""}


def decision_data(item, **overrides):
    return {f"item-{item.pk}-{k}": v for k, v in {**DECISION, **overrides}.items()}


def snapshot(agenda):
    agenda.refresh_from_db()
    return (agenda.status, agenda.attempts, agenda.checksum, AgendaDecision.objects.count())


def test_supervisor_sees_the_list_and_the_agenda(client, lambeth_supervisor, lambeth_agenda):
    client.force_login(lambeth_supervisor)

    listing = client.get(reverse("marac:agenda-list"))
    detail = client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk]))

    assert listing.status_code == 200
    assert "Ready" in listing.text
    assert "Generate today's agenda" in listing.text
    assert detail.status_code == 200
    assert lambeth_agenda.items.first().reference in detail.text
    assert "Protective orders expiring within 7 days" in detail.text
    assert AccessLogEntry.objects.filter(action="view", object_id=str(lambeth_agenda.pk)).exists()


def test_coordinator_may_use_the_pages(client, lambeth_coordinator, lambeth_agenda):
    client.force_login(lambeth_coordinator)

    assert client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk])).status_code == 200


def test_recording_a_decision(client, lambeth_supervisor, lambeth_agenda):
    item = lambeth_agenda.items.first()
    client.force_login(lambeth_supervisor)

    response = client.post(
        reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk]),
        decision_data(item, done="on", version=0),
    )

    assert response.status_code == 302
    decision = AgendaDecision.objects.get(item=item)
    assert (decision.action, decision.owner, decision.done) == (
        "Trace the suspect today", "DS Khan", True,
    )  # fmt: skip
    assert decision.recorded_by == lambeth_supervisor


def test_a_decision_without_an_owner_shows_the_error_and_keeps_the_input(
    client, lambeth_supervisor, lambeth_agenda
):
    item = lambeth_agenda.items.first()
    client.force_login(lambeth_supervisor)

    response = client.post(
        reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk]),
        decision_data(item, owner="", version=0),
    )

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Enter who owns the action" in response.text
    assert "Trace the suspect today" in response.text
    assert not AgendaDecision.objects.exists()


def test_a_stale_decision_from_another_tab_is_refused_and_keeps_the_input(
    client, lambeth_supervisor, lambeth_agenda
):
    item = lambeth_agenda.items.first()
    url = reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk])
    client.force_login(lambeth_supervisor)
    page = client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk])).text
    assert f'name="item-{item.pk}-version" value="0"' in page

    done = client.post(url, decision_data(item, done="on", version=0))
    stale = client.post(url, decision_data(item, owner="PC Jones", version=0))
    blind = client.post(url, decision_data(item, owner="PC Jones"))

    assert done.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this decision" in stale.text
    assert 'value="PC Jones"' in stale.text
    assert blind.status_code == 400
    decision = AgendaDecision.objects.get(item=item)
    assert (decision.owner, decision.done, decision.version) == ("DS Khan", True, 1)
    again = client.post(url, decision_data(item, owner="PC Jones", done="on", version=1))
    assert again.status_code == 302
    assert AgendaDecision.objects.get(item=item).owner == "PC Jones"


def test_download_is_a_logged_private_attachment(client, lambeth_supervisor, lambeth_agenda):
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("marac:agenda-download", args=[lambeth_agenda.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AccessLogEntry.objects.get(action="download")
    assert (entry.channel, entry.user, entry.object_id) == (
        "document", lambeth_supervisor, str(lambeth_agenda.pk),
    )  # fmt: skip


def test_central_team_sees_every_teams_agenda(client, central_supervisor, lambeth_agenda):
    client.force_login(central_supervisor)

    assert client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk])).status_code == 200
    assert lambeth_agenda.team.name in client.get(reverse("marac:agenda-list")).text


def test_another_boroughs_agenda_is_a_404_and_nothing_changes(
    client, southwark_supervisor, lambeth_agenda
):
    client.force_login(southwark_supervisor)
    before = snapshot(lambeth_agenda)

    for url in urls(lambeth_agenda)["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls(lambeth_agenda)["post"]:
        assert client.post(url, decision_data(lambeth_agenda.items.first())).status_code == 404
    assert lambeth_agenda.team.name not in client.get(reverse("marac:agenda-list")).text

    assert snapshot(lambeth_agenda) == before
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("who", ["lambeth_officer", "partner", "analyst"])
def test_other_roles_are_forbidden_and_nothing_changes(request, client, who, lambeth_agenda):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(lambeth_agenda)

    assert client.get(reverse("marac:agenda-list")).status_code == 403
    for url in urls(lambeth_agenda)["get"]:
        assert client.get(url).status_code == 403, url
    for url in [*urls(lambeth_agenda)["post"], reverse("marac:agenda-generate")]:
        assert client.post(url, decision_data(lambeth_agenda.items.first())).status_code == 403

    assert snapshot(lambeth_agenda) == before
    assert Agenda.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client, lambeth_agenda):
    before = snapshot(lambeth_agenda)

    for url in [reverse("marac:agenda-list"), *urls(lambeth_agenda)["get"]]:
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"], url
    for url in urls(lambeth_agenda)["post"]:
        assert client.post(url).status_code == 302

    assert snapshot(lambeth_agenda) == before


def test_generate_today_queues_the_task(
    client, lambeth_supervisor, django_capture_on_commit_callbacks
):
    client.force_login(lambeth_supervisor)

    with (
        mock.patch("marac.tasks.generate_agenda.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("marac:agenda-generate"), follow=True)

    # Today's, or on a day with no meeting the next meeting's (the test below fixes the day).
    meeting_date = next_meeting_date(london_today())
    agenda = Agenda.objects.get(team=team("LAM"), meeting_date=meeting_date)
    assert agenda.status == AgendaStatus.PENDING
    send.assert_called_once()
    assert send.call_args.kwargs["args"] == [agenda.team_id, meeting_date.isoformat(), True]
    assert "is being generated." in response.text
    # While pending the status block polls itself with htmx.
    assert 'hx-trigger="every 2s"' in response.text


@pytest.mark.django_db(transaction=True)
def test_broker_down_leaves_the_agenda_recorded_and_unsent_with_a_clear_message(client):
    # Committed for real, as in production, so the enqueue runs inside the request.
    from kombu.exceptions import OperationalError

    from publicprotection.accounts.models import Role
    from publicprotection.accounts.reference_data import load_reference_data
    from publicprotection.accounts.tests.factories import UserFactory

    load_reference_data()
    client.force_login(UserFactory(role=Role.SUPERVISOR, team=team("LAM")))

    with mock.patch(
        "marac.tasks.generate_agenda.apply_async", side_effect=OperationalError("refused")
    ):
        response = client.post(reverse("marac:agenda-generate"), follow=True)

    assert response.status_code == 200
    assert "Waiting for the background worker: the agenda will be built" in response.text
    agenda = Agenda.objects.get(team=team("LAM"), meeting_date=next_meeting_date(london_today()))
    assert agenda.status == AgendaStatus.PENDING
    assert agenda.sent_at is None and agenda.is_waiting_for_worker


def test_a_failed_agenda_shows_its_error_and_can_be_retried(
    client, lambeth_supervisor, django_capture_on_commit_callbacks
):
    agenda = Agenda.objects.create(
        team=team("LAM"), meeting_date=MONDAY, period_start="2025-05-30T06:00Z",
        period_end="2025-06-02T06:00Z", status=AgendaStatus.FAILED,
        error="RuntimeError: the PDF renderer crashed", attempts=3,
    )  # fmt: skip
    client.force_login(lambeth_supervisor)

    listing = client.get(reverse("marac:agenda-list"))
    assert "the PDF renderer crashed" in listing.text
    assert reverse("marac:agenda-retry", args=[agenda.pk]) in listing.text

    with (
        mock.patch("marac.tasks.generate_agenda.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("marac:agenda-retry", args=[agenda.pk]))

    agenda.refresh_from_db()
    assert agenda.status == AgendaStatus.PENDING
    send.assert_called_once()


def test_status_fragment_stops_polling_when_ready(client, lambeth_supervisor, lambeth_agenda):
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("marac:agenda-status", args=[lambeth_agenda.pk]))

    assert "Ready" in response.text
    assert "hx-trigger" not in response.text
    assert "<html" not in response.text


def test_agenda_page_queries_do_not_grow_with_items(
    client, lambeth_supervisor, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n):
        Agenda.objects.all().delete()
        for _ in range(n - Agenda.objects.count()):
            awaiting_decision()
        agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)
        assert agenda.items.count() >= n
        client.force_login(lambeth_supervisor)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("marac:agenda-detail", args=[agenda.pk])).status_code == 200
        return len(ctx)

    few = queries_for(5)
    many = queries_for(20)

    assert few == many


def _list_at(client, user, when):
    client.force_login(user)
    with (
        mock.patch("marac.views.agendas.london_today", return_value=when.date()),
        mock.patch("marac.views.agendas.timezone.now", return_value=when),
    ):
        response = client.get(reverse("marac:agenda-list"))
    assert response.status_code == 200
    return " ".join(response.text.split())


def test_before_the_meeting_time_the_list_says_when_todays_agenda_is_generated(
    client, lambeth_supervisor
):
    text = _list_at(client, lambeth_supervisor, at(MONDAY, 6, 10))

    assert "has not been generated yet. It will be generated automatically at 07:00" in text


def test_after_the_meeting_time_a_missing_agenda_is_explained(client, lambeth_supervisor):
    text = _list_at(client, lambeth_supervisor, at(MONDAY, 9))

    assert "It was due to be generated automatically at 07:00 (London time)" in text
    assert "the background worker may be down" in text


def test_on_a_weekend_the_list_names_the_next_meeting_and_its_generation_time(
    client, lambeth_supervisor, settings
):
    settings.DAILY_AGENDA_MINUTE = 2  # the beat check runs every 5 minutes: first at 07:05

    text = _list_at(client, lambeth_supervisor, at(date(2025, 5, 31), 10))

    assert (
        "There is no meeting today. The next agenda for Lambeth public protection group, for Monday 2 June 2025, "
        "will be generated automatically at 07:05 (London time) that morning."
    ) in text


def test_on_a_weekend_no_agenda_is_offered_for_today_only_for_the_next_meeting(
    client, lambeth_supervisor
):
    text = _list_at(client, lambeth_supervisor, at(date(2025, 5, 31), 10))

    assert "Generate today's agenda" not in text
    assert "Generate the agenda for Monday 2 June now" in text
    assert "it is built again after 07:00 that morning" in text


def test_on_a_weekend_generating_builds_the_next_meetings_agenda_not_one_for_today(
    client, lambeth_supervisor, django_capture_on_commit_callbacks
):
    saturday = at(date(2025, 5, 31), 10)
    client.force_login(lambeth_supervisor)

    with (
        mock.patch("marac.views.agendas.london_today", return_value=saturday.date()),
        mock.patch("marac.tasks.generate_agenda.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("marac:agenda-generate"), follow=True)

    agenda = Agenda.objects.get()
    assert agenda.team == team("LAM") and agenda.meeting_date == date(2025, 6, 2)
    assert send.call_args.kwargs["args"] == [agenda.team_id, "2025-06-02", True]
    assert "The agenda for Monday 2 June is being generated." in response.text


def test_on_a_weekend_with_the_next_agenda_asked_for_no_second_button(client, lambeth_supervisor):
    from marac.services.agendas import agenda_ensure

    agenda_ensure(team=team("LAM"), meeting_date=date(2025, 6, 2))

    text = _list_at(client, lambeth_supervisor, at(date(2025, 5, 31), 10))

    assert "has been asked for already" in text
    assert "Generate the agenda for" not in text and "Generate today's agenda" not in text


def test_the_agenda_shows_each_line_of_an_item_on_its_own_and_the_other_sections(
    client, lambeth_supervisor
):
    decision = awaiting_decision(decided_at=at(date(2025, 5, 20), 12))
    ArrestDecision.objects.filter(pk=decision.pk).update(is_outstanding=True)
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("marac:agenda-detail", args=[agenda.pk]))

    item = agenda.items.get(section=AgendaSection.OUTSTANDING_SUSPECTS)
    assert len(item.lines) == 2
    for line in item.lines:
        assert f"<li>{escape(line)}</li>" in response.text
    # Listed under outstanding suspects and awaiting review: each names the other.
    assert 'href="#section-awaiting_review">Decisions not to arrest awaiting supervisor review' in (
        response.text
    )
    assert 'href="#section-outstanding_suspects">Outstanding suspects</a>' in response.text


def test_a_refused_decision_shows_the_agenda_again_and_logs_its_read(
    client, lambeth_supervisor, lambeth_agenda
):
    item = lambeth_agenda.items.first()
    client.force_login(lambeth_supervisor)

    response = client.post(
        reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk]),
        decision_data(item, owner=""),
    )

    assert response.status_code == 400
    assert item.reference in response.text
    entry = AccessLogEntry.objects.get(user=lambeth_supervisor)
    assert (entry.content_type.model_class(), entry.object_id) == (Agenda, str(lambeth_agenda.pk))


def regenerate(client, agenda, django_capture_on_commit_callbacks):
    with (
        mock.patch("marac.tasks.generate_agenda.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("marac:agenda-regenerate", args=[agenda.pk]), follow=True)
    send.assert_called_once()
    agenda.refresh_from_db()
    return response


def downloaded(client, agenda) -> bytes:
    response = client.get(reverse("marac:agenda-download", args=[agenda.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_while_an_agenda_is_regenerated_its_last_pdf_stays_downloadable_and_the_page_says_so(
    client, lambeth_supervisor, lambeth_agenda, django_capture_on_commit_callbacks
):
    client.force_login(lambeth_supervisor)
    before = downloaded(client, lambeth_agenda)

    listing = regenerate(client, lambeth_agenda, django_capture_on_commit_callbacks)

    assert lambeth_agenda.status == AgendaStatus.PENDING
    assert downloaded(client, lambeth_agenda) == before
    download_url = reverse("marac:agenda-download", args=[lambeth_agenda.pk])
    detail = client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk]))
    fragment = client.get(reverse("marac:agenda-status", args=[lambeth_agenda.pk]))
    for page in (listing, detail):
        assert "A newer version is being produced" in page.text
        assert download_url in page.text
    assert "A newer version is being produced" in fragment.text
    assert 'hx-trigger="every 2s"' in fragment.text  # still polled until the new one is ready


def test_a_failed_regeneration_shows_the_last_agenda_with_what_went_wrong(
    client, lambeth_supervisor, lambeth_agenda, django_capture_on_commit_callbacks
):
    client.force_login(lambeth_supervisor)
    before = downloaded(client, lambeth_agenda)
    item = lambeth_agenda.items.first()
    regenerate(client, lambeth_agenda, django_capture_on_commit_callbacks)
    with (
        mock.patch("marac.services.agendas.render_agenda_pdf", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        agenda_generate(team=lambeth_agenda.team, meeting_date=MONDAY, force=True)

    detail = client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk]))

    assert downloaded(client, lambeth_agenda) == before
    assert "A newer version could not be produced" in detail.text and "boom" in detail.text
    assert item.reference in detail.text  # the items, with their decision forms
    assert reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk]) in detail.text
    assert (
        reverse("marac:agenda-regenerate", args=[lambeth_agenda.pk])
        in client.get(reverse("marac:agenda-list")).text
    )


def test_an_agenda_never_built_has_nothing_to_download(client, lambeth_supervisor):
    agenda = Agenda.objects.create(
        team=team("LAM"), meeting_date=MONDAY, period_start="2025-05-30T06:00Z",
        period_end="2025-06-02T06:00Z", status=AgendaStatus.PENDING,
    )  # fmt: skip
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("marac:agenda-download", args=[agenda.pk]))
    detail = client.get(reverse("marac:agenda-detail", args=[agenda.pk]))

    assert response.status_code == 404
    assert "A newer version" not in detail.text
    assert reverse("marac:agenda-download", args=[agenda.pk]) not in detail.text


def test_a_decision_sent_while_the_agenda_is_regenerated_keeps_what_was_typed(
    client, lambeth_supervisor, lambeth_agenda, django_capture_on_commit_callbacks
):
    """In the meeting, someone presses Regenerate while a supervisor types a decision: the save
    is refused (the build may replace the item), but the page shows the last good agenda again
    with the decision as typed, to save once the newer version is ready."""
    item = lambeth_agenda.items.first()
    url = reverse("marac:agenda-decision", args=[lambeth_agenda.pk, item.pk])
    client.force_login(lambeth_supervisor)
    regenerate(client, lambeth_agenda, django_capture_on_commit_callbacks)

    refused = client.post(url, decision_data(item, owner="PC Jones", version=0))

    assert refused.status_code == 409
    assert "Decisions are recorded on a ready agenda" in refused.text
    assert "Trace the suspect today" in refused.text and 'value="PC Jones"' in refused.text
    assert f'action="{url}"' in refused.text
    assert not AgendaDecision.objects.exists()
    # While it is regenerated the page shows the last good agenda's items.
    detail = client.get(reverse("marac:agenda-detail", args=[lambeth_agenda.pk])).text
    assert item.reference in detail and f'action="{url}"' in detail

    agenda_generate(team=lambeth_agenda.team, meeting_date=MONDAY, force=True)
    saved = client.post(url, decision_data(item, owner="PC Jones", version=0))

    assert saved.status_code == 302
    assert AgendaDecision.objects.get(item=item).owner == "PC Jones"


def test_the_list_still_leads_to_an_agenda_being_regenerated_with_its_items(
    client, lambeth_supervisor, lambeth_agenda, django_capture_on_commit_callbacks
):
    """Its page still shows the last good agenda's items (and the PDF stays downloadable): the
    list links to it and counts them, instead of a bare date and a dash."""
    client.force_login(lambeth_supervisor)
    total = lambeth_agenda.total_items
    assert total > 0

    listing = regenerate(client, lambeth_agenda, django_capture_on_commit_callbacks).text

    assert lambeth_agenda.status == AgendaStatus.PENDING
    assert f'href="{reverse("marac:agenda-detail", args=[lambeth_agenda.pk])}"' in listing
    assert f'govuk-table__cell--numeric">{total}</td>' in listing
