"""The tasks: a real Celery worker against Redis, the daily fan-out and the missing check."""

import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command

from marac import tasks
from marac.meeting_calendar import meeting_time
from marac.models import Agenda, AgendaStatus
from publicprotection.accounts.models import Team
from publicprotection.accounts.tests.factories import team

from .helpers import MONDAY, at, awaiting_decision, empty_queue, wait_for


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker_against_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from cases.reference_data import load_reference_data as load_offences
    from publicprotection.accounts.reference_data import load_reference_data
    from publicprotection.celery import app
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
    settings.DAILY_AGENDA_CHECK_ON_WORKER_START = False  # this test queues its own work
    settings.BACKGROUND_RESEND_ON_WORKER_START = False
    decision = awaiting_decision()
    lambeth = team("LAM")

    empty_queue(app)
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        tasks.generate_agenda.delay(lambeth.pk, MONDAY.isoformat())
        tasks.generate_agenda.delay(lambeth.pk, MONDAY.isoformat())  # a duplicate is harmless
        ready = wait_for(
            lambda: Agenda.objects.filter(
                team=lambeth, meeting_date=MONDAY, status=AgendaStatus.READY
            ).exists()
        )
        time.sleep(0.5)  # let the duplicate finish too

    assert ready
    agenda = Agenda.objects.get(team=lambeth, meeting_date=MONDAY)
    assert agenda.attempts == 1  # the duplicate found it ready and left it
    # Awaiting review is listed by suspect: one person once, with a line per decision.
    assert agenda.items.filter(object_id=decision.suspect.person_id).exists()


def test_generate_agenda_retries_transient_errors_with_backoff_and_a_limit():
    task = tasks.generate_agenda

    assert task.acks_late is True
    assert task.max_retries == 5
    assert task.retry_backoff
    assert task.time_limit and task.soft_time_limit
    from django.db import OperationalError

    assert OperationalError in task.autoretry_for


@pytest.mark.django_db
def test_daily_fan_out_makes_one_row_and_one_task_per_team():
    with mock.patch.object(tasks, "_queue") as queue:
        count = tasks.generate_daily_agendas(MONDAY.isoformat())

    teams = Team.objects.count()
    assert count == teams == 33
    assert queue.call_count == teams
    assert Agenda.objects.filter(meeting_date=MONDAY, status=AgendaStatus.PENDING).count() == 33


@pytest.mark.django_db
def test_the_fan_out_with_the_broker_down_records_every_agenda_and_stops_sending():
    from kombu.exceptions import OperationalError

    with mock.patch.object(
        tasks.generate_agenda, "apply_async", side_effect=OperationalError("refused")
    ) as send:
        tasks.generate_daily_agendas(MONDAY.isoformat())

    send.assert_called_once()
    waiting = Agenda.objects.filter(meeting_date=MONDAY, status="pending", sent_at=None)
    assert waiting.count() == 33  # all recorded: the sweeper sends them when it is back


@pytest.mark.django_db
def test_missing_check_waits_for_the_meeting_time_and_skips_ready_and_running_ones():
    ready, running, failed_often = team("LAM"), team("SOU"), team("CAM")
    for t, status, attempts in ((ready, "ready", 1), (running, "generating", 1),
                                (failed_often, "failed", 3)):  # fmt: skip
        Agenda.objects.create(
            team=t, meeting_date=MONDAY, period_start=at(MONDAY, 7), period_end=at(MONDAY, 7),
            status=status, attempts=attempts, file="x.pdf", checksum="x",
        )  # fmt: skip
    # Running: a worker holds its lease.
    Agenda.objects.filter(team=running).update(
        sent_at=at(MONDAY, 7), lease_expires_at=at(MONDAY, 8)
    )

    assert tasks.missing_team_ids(MONDAY, now=meeting_time(MONDAY) - timedelta(minutes=1)) == []
    missing = tasks.missing_team_ids(MONDAY, now=meeting_time(MONDAY))
    assert len(missing) == 30
    assert {ready.pk, running.pk, failed_often.pk}.isdisjoint(missing)
    saturday = MONDAY - timedelta(days=2)
    assert tasks.missing_team_ids(saturday, now=meeting_time(saturday) + timedelta(hours=1)) == []


@pytest.mark.django_db
def test_missing_check_picks_up_a_generation_whose_lease_expired():
    Agenda.objects.create(
        team=team("LAM"), meeting_date=MONDAY, period_start=at(MONDAY, 7),
        period_end=at(MONDAY, 7), status="generating", attempts=1,
        sent_at=at(MONDAY, 7), lease_expires_at=at(MONDAY, 7, 7),
    )  # fmt: skip

    assert team("LAM").pk not in tasks.missing_team_ids(MONDAY, now=at(MONDAY, 7, 6))
    assert team("LAM").pk in tasks.missing_team_ids(MONDAY, now=at(MONDAY, 7, 8))


@pytest.mark.django_db
def test_worker_start_queues_the_missing_check(settings):
    settings.DAILY_AGENDA_CHECK_ON_WORKER_START = True
    with mock.patch.object(tasks.generate_missing_agendas, "apply_async") as send:
        tasks._check_for_missing_agendas()
    send.assert_called_once()

    from kombu.exceptions import OperationalError

    with mock.patch.object(
        tasks.generate_missing_agendas, "apply_async", side_effect=OperationalError("down")
    ):
        tasks._check_for_missing_agendas()  # logged, not raised


def test_beat_schedule_runs_the_check():
    from publicprotection.celery import app

    entry = app.conf.beat_schedule["marac-daily-agendas"]
    assert entry["task"] == "marac.tasks.generate_missing_agendas"
    assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_the_command_generates_synchronously(capsys):
    awaiting_decision()

    call_command("generate_daily_agendas", "--date", MONDAY.isoformat(), "--borough", "lam")

    out = capsys.readouterr().out
    agenda = Agenda.objects.get(team=team("LAM"), meeting_date=MONDAY)
    assert agenda.status == AgendaStatus.READY
    assert f"LAM {MONDAY}: ready" in out
    assert Agenda.objects.count() == 1


@pytest.mark.django_db
def test_the_command_rejects_a_bad_date_or_team():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("generate_daily_agendas", "--date", "02/06/2025")
    with pytest.raises(CommandError):
        call_command("generate_daily_agendas", "--borough", "XXX")


def test_the_services_send_the_tasks_by_their_registered_names():
    """marac.broker names the tasks instead of importing them (imports run tasks -> services):
    the names must be the tasks' own, and registered once Django is set up."""
    from celery import current_app

    from marac import broker

    assert tasks.generate_agenda.name == broker.GENERATE_AGENDA
    assert tasks.generate_meeting_document.name == broker.GENERATE_MEETING_DOCUMENT
    for name in (broker.GENERATE_AGENDA, broker.GENERATE_MEETING_DOCUMENT):
        assert name in current_app.tasks


@pytest.mark.django_db
def test_the_fan_out_sends_the_largest_agendas_first():
    """By each team's last ready agenda (carried items counted once), so the worker's processes
    finish together; teams with none follow in id order."""
    sizes = {"LAM": {"high_risk": 2, "overdue_rara": 200, "carried_forward": 50},
             "SOU": {"overdue_rara": 240}, "CAM": {"high_risk": 1}}  # fmt: skip
    for code, counts in sizes.items():
        Agenda.objects.create(
            team=team(code), meeting_date=MONDAY - timedelta(days=3), counts=counts,
            period_start=at(MONDAY, 7), period_end=at(MONDAY, 7), status="ready",
            file="x.pdf", checksum="x",
        )  # fmt: skip
    # An older, larger agenda of CAM's is not its last one.
    Agenda.objects.create(
        team=team("CAM"), meeting_date=MONDAY - timedelta(days=4), counts={"overdue_rara": 999},
        period_start=at(MONDAY, 7), period_end=at(MONDAY, 7), status="ready",
        file="x.pdf", checksum="x",
    )  # fmt: skip

    with mock.patch.object(tasks, "_queue") as queue:
        tasks.generate_daily_agendas(MONDAY.isoformat())

    sent = [c.args[0] for c in queue.call_args_list]
    first = [team(code).pk for code in ("SOU", "LAM", "CAM")]
    assert sent[:3] == first
    assert sent[3:] == sorted(Team.objects.exclude(pk__in=first).values_list("pk", flat=True))


@pytest.mark.django_db
def test_an_agenda_generated_before_its_meeting_time_is_completed_by_the_run_after_it(
    lambeth_supervisor,
):
    """Generated by hand at 06:30 (the page offers it: "or you can generate it now", and a
    click after midnight generates the new day's), Monday's agenda cannot hold what comes in
    before 07:00, and Tuesday's covers only from Monday 07:00. The run after the meeting time
    builds it again, keeping the decisions already recorded; then it is left alone."""
    from marac.models import AgendaSection
    from marac.services.agendas import agenda_decision_record, agenda_generate

    from .helpers import submitted_assessment

    awaiting_decision()
    lam = team("LAM")
    with time_machine.travel(at(MONDAY, 6, 30), tick=False):
        early = agenda_generate(team=lam, meeting_date=MONDAY)
    item = early.items.first()
    agenda_decision_record(actor=lambeth_supervisor, item=item, action="Review today",
                           owner="DS Khan", done=False)  # fmt: skip
    submitted_assessment(at(MONDAY, 6, 45))  # after the early build, before the meeting
    task = tasks.generate_agenda

    def lambeths_worker(args=None, **kwargs):
        if args[0] == lam.pk:
            task.apply(args=args)

    with (
        time_machine.travel(at(MONDAY, 7, 5), tick=False),
        mock.patch.object(task, "apply_async", side_effect=lambeths_worker),
    ):
        tasks.generate_missing_agendas()

    agenda = Agenda.objects.get(pk=early.pk)
    assert agenda.is_ready and agenda.generated_at >= meeting_time(MONDAY)
    assert (
        agenda.counts[AgendaSection.HIGH_RISK] == early.counts.get(AgendaSection.HIGH_RISK, 0) + 1
    )
    item.refresh_from_db()
    assert item.decision.action == "Review today"
    assert lam.pk not in tasks.missing_team_ids(MONDAY, now=at(MONDAY, 7, 10))
