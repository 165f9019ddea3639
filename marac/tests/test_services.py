"""Generating agendas: contents, PDF, idempotency, carry forward, failure and retry."""

import hashlib
from datetime import date, timedelta
from io import BytesIO
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from marac.models import Agenda, AgendaDecision, AgendaItem, AgendaSection, AgendaStatus
from marac.services import agendas as services
from marac.services.agendas import agenda_decision_record, agenda_generate
from publicprotection.accounts.tests.factories import team

from .helpers import MONDAY, at, awaiting_decision, submitted_assessment

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)


def pdf_text(agenda: Agenda) -> str:
    with default_storage.open(agenda.file.name, "rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def files_of(agenda: Agenda) -> list[str]:
    _, files = default_storage.listdir(services.agenda_directory(agenda.team, agenda.meeting_date))
    return files


def test_generate_builds_items_counts_and_a_marked_pdf():
    decision = awaiting_decision(due_at=at(date(2025, 5, 31), 9))
    high = submitted_assessment(at(date(2025, 5, 31), 10))

    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    assert agenda.status == AgendaStatus.READY
    assert agenda.generated_at is not None
    # The assessment's own incident also has a decision not to arrest awaiting review.
    assert agenda.counts[AgendaSection.AWAITING_REVIEW] == 2
    assert agenda.counts[AgendaSection.HIGH_RISK] == 1
    with default_storage.open(agenda.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == agenda.checksum
    text = pdf_text(agenda)
    assert "OFFICIAL-SENSITIVE" in text
    assert "Lambeth" in text
    assert "2 June 2025" in text
    assert "Page 1 of" in text
    for title in ("New high risk assessments", "Outstanding suspects", "Overdue RARA actions",
                  "Decisions not to arrest awaiting supervisor review"):  # fmt: skip
        assert title in text
    assert decision.incident.reference in text
    assert high.incident.reference in text
    for title in ("MARAC referrals awaiting a decision", "Repeat-MARAC alerts",
                  "Protective orders expiring within 7 days"):  # fmt: skip
        assert title in text


def test_generating_twice_gives_one_agenda_one_file_and_the_same_items(
    django_capture_on_commit_callbacks,
):
    awaiting_decision()
    with django_capture_on_commit_callbacks(execute=True):
        first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    first_items = set(first.items.values_list("section", "object_type", "object_id"))

    with django_capture_on_commit_callbacks(execute=True):
        again = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
        forced = agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)

    assert Agenda.objects.filter(team=team("LAM"), meeting_date=MONDAY).count() == 1
    assert again.pk == forced.pk == first.pk
    assert again.attempts == 1  # a ready agenda is left alone unless forced
    assert set(forced.items.values_list("section", "object_type", "object_id")) == first_items
    assert files_of(forced) == [forced.file.name.rsplit("/", 1)[1]]


def test_regenerating_keeps_the_decisions_recorded(lambeth_supervisor):
    awaiting_decision()
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    item = agenda.items.get(section=AgendaSection.AWAITING_REVIEW)
    agenda_decision_record(actor=lambeth_supervisor, item=item, action="Review today",
                           owner="DS Khan", done=False)  # fmt: skip

    agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)

    item.refresh_from_db()
    assert item.decision.action == "Review today"
    assert AgendaDecision.objects.count() == 1


def test_undecided_and_unfinished_items_carry_forward_done_ones_do_not(lambeth_supervisor):
    decided_done, decided_open, undecided = (awaiting_decision() for _ in range(3))
    monday = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    items = {i.object_id: i for i in monday.items.filter(section=AgendaSection.AWAITING_REVIEW)}
    suspect = {d: d.suspect.person_id for d in (decided_done, decided_open, undecided)}
    agenda_decision_record(actor=lambeth_supervisor, item=items[suspect[decided_done]],
                           action="Endorse", owner="DS Khan", done=True)  # fmt: skip
    agenda_decision_record(actor=lambeth_supervisor, item=items[suspect[decided_open]],
                           action="Chase officer", owner="PC Jones", done=False)  # fmt: skip
    # The decisions leave the review queue, so only the carry-forward keeps them on Tuesday.
    from cases.models import ArrestDecision

    ArrestDecision.objects.update(review_status="endorsed", is_outstanding=False)

    tuesday = agenda_generate(team=team("LAM"), meeting_date=TUESDAY)

    carried = {
        i.object_id: i
        for i in tuesday.items.filter(
            carried_from__isnull=False, section=AgendaSection.AWAITING_REVIEW
        )
    }
    assert set(carried) == {suspect[decided_open], suspect[undecided]}
    assert carried[suspect[decided_open]].carried_from == items[suspect[decided_open]]
    # Plus the three outstanding-suspect items nobody decided on.
    assert tuesday.counts["carried_forward"] == 5
    assert "Chase officer" in pdf_text(tuesday)


def test_a_failure_is_recorded_and_a_retry_completes_it():
    awaiting_decision()
    with (
        mock.patch.object(services, "render_agenda_pdf", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    agenda = Agenda.objects.get(team=team("LAM"), meeting_date=MONDAY)
    assert agenda.status == AgendaStatus.FAILED
    assert "boom" in agenda.error
    assert agenda.file.name == ""
    assert not AgendaItem.objects.filter(agenda=agenda).exists()  # rolled back with the failure

    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    assert agenda.status == AgendaStatus.READY
    assert agenda.error == ""
    assert agenda.attempts == 2


def test_a_worker_killed_mid_task_leaves_no_half_file_and_the_redelivery_completes_it(
    django_capture_on_commit_callbacks,
):
    awaiting_decision()
    agenda = services.agenda_ensure(team=team("LAM"), meeting_date=MONDAY)
    # The killed run: the row says generating; an orphan file may be half written.
    Agenda.objects.filter(pk=agenda.pk).update(status=AgendaStatus.GENERATING, attempts=1)
    directory = services.agenda_directory(agenda.team, MONDAY)
    default_storage.save(f"{directory}/agenda-LAM-2025-06-02-half.pdf", BytesIO(b"%PDF-1.7 trunc"))

    with django_capture_on_commit_callbacks(execute=True):
        agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    assert agenda.status == AgendaStatus.READY
    assert files_of(agenda) == [agenda.file.name.rsplit("/", 1)[1]]
    assert pdf_text(agenda)


def test_a_transient_failure_is_raised_for_the_task_to_retry():
    from django.db import OperationalError

    with (
        mock.patch.object(services, "agenda_content", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    assert Agenda.objects.get(team=team("LAM"), meeting_date=MONDAY).status == AgendaStatus.FAILED


def test_request_generation_with_the_broker_down_leaves_it_pending():
    from kombu.exceptions import OperationalError

    with mock.patch(
        "marac.tasks.generate_agenda.apply_async", side_effect=OperationalError("no redis")
    ):
        agenda, queued = services.agenda_request_generation(team=team("LAM"), meeting_date=MONDAY)

    assert queued is None  # the test's transaction has not committed; see test_views


def test_decisions_need_an_action_and_an_owner(lambeth_supervisor):
    awaiting_decision()
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    item = agenda.items.first()

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        agenda_decision_record(actor=lambeth_supervisor, item=item, action=" ", owner="",
                               done=False)  # fmt: skip

    assert {"action", "owner"} <= set(error.value.message_dict)
    assert not AgendaDecision.objects.exists()


def test_central_agenda_pdf():
    high = submitted_assessment(at(date(2025, 5, 31), 10), borough_code="SOU")

    agenda = agenda_generate(team=team("CEN"), meeting_date=MONDAY)

    text = pdf_text(agenda)
    assert "High risk assessments across London" in text
    assert "People in incidents in two or more boroughs" in text
    assert high.incident.reference in text


def regeneration_asked_for(agenda: Agenda) -> Agenda:
    """What the Regenerate button does (the worker not started yet)."""
    with mock.patch("marac.tasks.generate_agenda.apply_async"):
        services.agenda_request_generation(team=agenda.team, meeting_date=agenda.meeting_date)
    agenda.refresh_from_db()
    return agenda


def test_a_ready_agenda_being_regenerated_keeps_its_pdf_until_the_new_one_is_ready(
    django_capture_on_commit_callbacks,
):
    awaiting_decision()
    with django_capture_on_commit_callbacks(execute=True):
        first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)

    agenda = regeneration_asked_for(first)

    assert agenda.status == AgendaStatus.PENDING and agenda.has_pdf
    assert (agenda.file.name, agenda.checksum) == (first.file.name, first.checksum)
    assert default_storage.exists(first.file.name)

    submitted_assessment(at(date(2025, 5, 31), 10))  # something new for the next version
    with django_capture_on_commit_callbacks(execute=True):
        regenerated = agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)

    assert regenerated.is_ready and regenerated.checksum != first.checksum
    assert files_of(regenerated) == [regenerated.file.name.rsplit("/", 1)[1]]


def test_a_failed_regeneration_leaves_the_last_good_agenda_ready_with_the_error(
    lambeth_supervisor,
):
    awaiting_decision()
    first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    item = first.items.get(section=AgendaSection.AWAITING_REVIEW)
    agenda_decision_record(actor=lambeth_supervisor, item=item, action="Review today",
                           owner="DS Khan", done=False)  # fmt: skip
    items_before = set(first.items.values_list("pk", "section", "object_id"))
    regeneration_asked_for(first)

    with (
        mock.patch.object(services, "render_agenda_pdf", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)

    agenda = Agenda.objects.get(pk=first.pk)
    assert agenda.status == AgendaStatus.READY
    assert "boom" in agenda.error
    assert (agenda.file.name, agenda.checksum) == (first.file.name, first.checksum)
    assert agenda.generated_at == first.generated_at and agenda.counts == first.counts
    assert hashlib.sha256(default_storage.open(agenda.file.name).read()).hexdigest() == (
        first.checksum
    )
    assert set(agenda.items.values_list("pk", "section", "object_id")) == items_before
    # The meeting can go on recording decisions on it.
    agenda_decision_record(actor=lambeth_supervisor, item=item, action="Review by noon",
                           owner="DS Khan", done=True, expected_version=1)  # fmt: skip

    # Regenerating again works, and clears the error.
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)
    assert agenda.is_ready and agenda.error == ""


def test_a_regeneration_the_sweeper_sends_is_built_by_the_tasks_retry_after_a_transient_error(
    django_capture_on_commit_callbacks,
):
    """Asked for while the broker was down, a regeneration is sent by the sweeper, which sends
    no `force`. A database blip fails the first attempt and leaves the last good agenda ready
    with the error; the task's retry still builds the newer version."""
    from django.db import OperationalError
    from kombu.exceptions import OperationalError as BrokerDown

    from marac import tasks
    from marac.services.background import lost_builds_resend

    awaiting_decision()
    first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    task = tasks.generate_agenda
    with (
        mock.patch.object(task, "apply_async", side_effect=BrokerDown("no redis")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.agenda_request_generation(team=first.team, meeting_date=MONDAY)
    submitted_assessment(at(date(2025, 5, 31), 10))  # something new for the newer version
    render, renders = services.render_agenda_pdf, []

    def blip_then_render(*args):
        renders.append(args)
        if len(renders) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return render(*args)

    def worker_takes_it(args=None, **kwargs):
        return task.apply(args=args)

    with (
        mock.patch.object(services, "render_agenda_pdf", blip_then_render),
        mock.patch.object(task, "apply_async", worker_takes_it),
    ):
        assert lost_builds_resend().agendas == 1

    agenda = Agenda.objects.get(pk=first.pk)
    assert len(renders) == 2
    assert agenda.is_ready and agenda.error == ""
    assert agenda.checksum != first.checksum
    assert agenda.counts[AgendaSection.HIGH_RISK] == 1


def test_the_next_agenda_carries_forward_from_the_last_one_while_it_is_regenerated(
    lambeth_supervisor,
):
    """Monday's agenda is being regenerated (asked for again, its worker slow or killed, or
    the broker down) when Tuesday's is built: its last good version, with the meeting's
    decisions, is still the one to carry forward from."""
    decided_open = awaiting_decision()
    monday = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    item = monday.items.get(
        section=AgendaSection.AWAITING_REVIEW, object_id=decided_open.suspect.person_id
    )
    agenda_decision_record(actor=lambeth_supervisor, item=item, action="Chase officer",
                           owner="PC Jones", done=False)  # fmt: skip
    from cases.models import ArrestDecision

    ArrestDecision.objects.update(review_status="endorsed", is_outstanding=False)
    regeneration_asked_for(monday)

    tuesday = agenda_generate(team=team("LAM"), meeting_date=TUESDAY)

    carried = tuesday.items.get(section=AgendaSection.AWAITING_REVIEW)
    assert carried.carried_from == item
    assert tuesday.counts["carried_forward"] == monday.items.count()
    assert "Chase officer" in pdf_text(tuesday)


def test_asking_twice_for_a_regeneration_builds_it_once(django_capture_on_commit_callbacks):
    """A second click (or another tab) while the regeneration asked for is queued sends
    nothing: two builds would render the agenda twice and refuse the meeting's decisions
    while the second one runs."""
    awaiting_decision()
    first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    sends = []
    for _ in range(2):
        with (
            mock.patch("marac.tasks.generate_agenda.apply_async") as send,
            django_capture_on_commit_callbacks(execute=True),
        ):
            agenda, queued = services.agenda_request_generation(
                team=first.team, meeting_date=MONDAY
            )
        sends.append(send.call_count)

    assert sends == [1, 0]
    assert queued is None
    agenda.refresh_from_db()
    assert agenda.status == AgendaStatus.PENDING and agenda.sent_at is not None
    assert not agenda.can_regenerate()  # the page shows no button meanwhile


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_message_that_waited_for_the_build_finds_the_agenda_ready(reference_data):
    """The same agenda's message delivered twice (acks_late redelivery, the sweeper, two beats):
    the second started just before the first locked the row to build, so it waited for that
    build; it then finds the agenda ready instead of rendering it again."""
    import threading

    from django.db import connection

    awaiting_decision()
    lam = team("LAM")
    ensure, render, renders, errors = services._ensure, services.render_agenda_pdf, [], []

    def the_duplicate():
        try:
            agenda_generate(team=lam, meeting_date=MONDAY)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    calls = {"first": 0}

    def first_then_duplicate(team, meeting_date):
        if threading.current_thread() is threading.main_thread():
            calls["first"] += 1
            if calls["first"] == 2:  # between the first's claim and its build
                duplicate = threading.Thread(target=the_duplicate)
                duplicate.start()
                duplicate.join(timeout=60)
        return ensure(team, meeting_date)

    def counted_render(*args):
        renders.append(threading.current_thread().name)
        return render(*args)

    with (
        mock.patch.object(services, "_ensure", first_then_duplicate),
        mock.patch.object(services, "render_agenda_pdf", counted_render),
    ):
        agenda = agenda_generate(team=lam, meeting_date=MONDAY)

    assert errors == []
    assert agenda.is_ready
    assert len(renders) == 1


def test_a_builds_clean_up_running_late_keeps_the_file_a_newer_build_points_at(
    django_capture_on_commit_callbacks,
):
    """A build's clean-up of earlier files runs once it has committed; its worker paused just
    there (a stalled host) while the next build (asked for again) stored and committed its
    PDF. The late clean-up must not delete the file the agenda now points at."""
    awaiting_decision()
    with django_capture_on_commit_callbacks() as first_clean_up:
        first = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    submitted_assessment(at(date(2025, 5, 31), 10))  # the next version differs
    with django_capture_on_commit_callbacks(execute=True):
        agenda_generate(team=team("LAM"), meeting_date=MONDAY, force=True)

    for clean_up in first_clean_up:  # the paused worker wakes
        clean_up()

    agenda = Agenda.objects.get(pk=first.pk)
    assert agenda.checksum != first.checksum
    assert default_storage.exists(agenda.file.name)
    assert files_of(agenda) == [agenda.file.name.rsplit("/", 1)[1]]
