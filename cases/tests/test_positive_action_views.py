"""Positive action pages: the review queue, reviews, responses and outstanding suspects.

Every page checks the role (403) and then the viewer's scope (404, like a missing record)
before anything is read or changed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestReviewEvent,
    IncidentStatus,
    NotArrestedReason,
    ReviewEventKind,
    ReviewStatus,
)
from cases.services.positive_action import (
    arrest_decision_endorse,
    arrest_decision_respond,
    arrest_decision_return,
)
from cases.tests.factories import complete_incident, not_arrested
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


def queued_decision(borough_code="LAM", reason=NotArrestedReason.SUSPECT_NOT_PRESENT, actor=None):
    _incident, _victim, suspect = complete_incident(borough_code=borough_code, decision=None)
    return not_arrested(suspect, reason=reason, actor=actor)


def returned_decision(supervisor, borough_code="LAM"):
    decision = queued_decision(borough_code)
    arrest_decision_return(
        actor=supervisor, decision_id=decision.pk, required_action="Visit his mother's address."
    )
    return decision


def snapshot(decision):
    """What a denied request must not change."""
    decision.refresh_from_db()
    return (
        decision.review_status,
        decision.is_outstanding,
        decision.arrested_at,
        decision.updated_at,
        list(decision.review_events.values_list("kind", flat=True)),
    )


def review_url(decision):
    return reverse("cases:review-decision", args=[decision.pk])


def respond_url(decision):
    return reverse("cases:respond-decision", args=[decision.pk])


def arrest_url(decision):
    return reverse("cases:record-arrest", args=[decision.pk])


def close_url(decision):
    return reverse("cases:close-outstanding", args=[decision.pk])


QUEUE = reverse("cases:review-queue")
OUTSTANDING = reverse("cases:outstanding-suspects")


# --- Review queue -------------------------------------------------------------------------------


def test_queue_lists_oldest_deadline_first_with_overdue_and_time_left(client, lambeth_supervisor):
    later, overdue = queued_decision(), queued_decision()
    now = timezone.now()
    ArrestDecision.objects.filter(pk=later.pk).update(
        review_due_at=now + timedelta(hours=19, minutes=30)
    )
    ArrestDecision.objects.filter(pk=overdue.pk).update(review_due_at=now - timedelta(hours=2))
    returned = returned_decision(UserFactory(role=Role.SUPERVISOR, team=team("LAM")))
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert [d.pk for d in response.context["decisions"]] == [overdue.pk, later.pk]
    assert [d.pk for d in response.context["returned"]] == [returned.pk]
    text = response.text
    assert text.count("govuk-tag--red") == 1
    assert "Due in 20h" in text
    assert text.index(overdue.incident.reference) < text.index(later.incident.reference)
    assert reverse("cases:incident-detail", args=[later.incident.reference]) in text
    assert review_url(later) in text
    assert later.suspect.person.full_name in text
    assert "Suspect not present: to be traced" in text
    assert "Returned to officers" in text


def test_queue_shows_times_in_london_time(client, lambeth_supervisor):
    decision = queued_decision()
    # 13:05 UTC in July is 14:05 in London (BST).
    ArrestDecision.objects.filter(pk=decision.pk).update(
        review_due_at=datetime(2026, 7, 26, 13, 5, tzinfo=UTC)
    )
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE)

    assert "26 Jul 2026 14:05" in response.text


def test_queue_empty_state(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "There are no decisions waiting for review." in response.text
    assert "No decisions are waiting for an officer's response." in response.text


def test_queue_shows_only_the_supervisors_borough(client, southwark_supervisor):
    lambeth = queued_decision("LAM")
    southwark = queued_decision("SOU")
    client.force_login(southwark_supervisor)

    response = client.get(QUEUE)

    assert [d.pk for d in response.context["decisions"]] == [southwark.pk]
    assert lambeth.incident.reference not in response.text


def test_queue_is_for_supervisors_only(client, lambeth_officer, partner, analyst):
    queued_decision()

    anonymous = client.get(QUEUE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    for user in (lambeth_officer, partner, analyst):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403


def test_queue_pages_without_counting(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE, {"page": "abc"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_queue_query_count_does_not_grow_with_rows(
    client, lambeth_supervisor, django_assert_max_num_queries
):
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    for _ in range(4):
        queued_decision()
    returned_decision(supervisor)
    client.force_login(lambeth_supervisor)
    with django_assert_max_num_queries(15) as five:
        client.get(QUEUE)
    for _ in range(12):
        queued_decision()
    for _ in range(3):
        returned_decision(supervisor)
    with django_assert_max_num_queries(15) as twenty:
        response = client.get(QUEUE)

    assert len(response.context["decisions"]) == 16
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- Reviewing a decision -----------------------------------------------------------------------


def test_review_page_shows_the_incident_the_decision_and_its_history(client, lambeth_supervisor):
    decision = queued_decision()
    client.force_login(lambeth_supervisor)

    response = client.get(review_url(decision))

    assert response.status_code == 200
    text = response.text
    assert decision.incident.reference in text
    assert decision.justification in text
    assert "Sent for review" in text
    assert "moj-timeline" in text
    assert "Endorse the decision" in text
    assert "Return it to the officer" in text
    entry = AccessLogEntry.objects.get(object_id=str(decision.incident.pk))
    assert entry.user == lambeth_supervisor


def test_endorsing_returns_to_the_queue_with_a_message(client, lambeth_supervisor):
    decision = queued_decision()
    client.force_login(lambeth_supervisor)

    response = client.post(
        review_url(decision), {"action": "endorse", "comment": "Good tracing plan."}, follow=True
    )

    assert response.redirect_chain == [(QUEUE, 302)]
    assert "endorsed" in response.text
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED
    event = decision.review_events.last()
    assert (event.kind, event.actor, event.comment) == (
        ReviewEventKind.ENDORSED,
        lambeth_supervisor,
        "Good tracing plan.",
    )


def test_returning_records_the_required_action(client, lambeth_supervisor):
    decision = queued_decision()
    client.force_login(lambeth_supervisor)

    response = client.post(
        review_url(decision),
        {"action": "return", "required_action": "Check the CCTV.", "comment": "Thin."},
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.RETURNED
    event = decision.review_events.last()
    assert (event.kind, event.required_action, event.comment) == (
        ReviewEventKind.RETURNED,
        "Check the CCTV.",
        "Thin.",
    )


def test_returning_without_a_required_action_shows_the_error_and_keeps_the_input(
    client, lambeth_supervisor
):
    decision = queued_decision()
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    response = client.post(
        review_url(decision), {"action": "return", "required_action": "", "comment": "Typed text"}
    )

    assert response.status_code == 200
    text = response.text
    assert "<title>Error: " in text
    assert "govuk-error-summary" in text
    assert 'href="#id_required_action"' in text
    assert "Say what the officer must do" in text
    assert "Typed text" in text
    assert 'value="return" id="id_action_1" checked' in text
    assert snapshot(decision) == before


def test_review_without_a_choice_is_an_error(client, lambeth_supervisor):
    decision = queued_decision()
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    response = client.post(review_url(decision), {"action": "approve"})

    assert response.status_code == 200
    assert "Select whether you endorse the decision or return it" in response.text
    assert snapshot(decision) == before


def test_officer_and_partner_cannot_review(client, lambeth_officer, partner):
    decision = queued_decision()
    before = snapshot(decision)

    for user in (lambeth_officer, partner):
        client.force_login(user)
        assert client.get(review_url(decision)).status_code == 403
        assert client.post(review_url(decision), {"action": "endorse"}).status_code == 403

    assert snapshot(decision) == before
    assert AccessLogEntry.objects.count() == 0


def test_another_boroughs_supervisor_gets_404_like_a_missing_decision(client, southwark_supervisor):
    decision = queued_decision("LAM")
    before = snapshot(decision)
    client.force_login(southwark_supervisor)

    out_of_scope = client.get(review_url(decision))
    missing = client.get(reverse("cases:review-decision", args=[999_999]))
    posted = client.post(review_url(decision), {"action": "endorse"})

    assert out_of_scope.status_code == missing.status_code == posted.status_code == 404
    assert snapshot(decision) == before
    assert AccessLogEntry.objects.count() == 0


def test_anonymous_post_changes_nothing(client):
    decision = queued_decision()
    before = snapshot(decision)

    response = client.post(review_url(decision), {"action": "endorse"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(decision) == before


def test_a_reviewed_decision_shows_its_history_without_the_form(client, lambeth_supervisor):
    decision = queued_decision()
    arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk, comment="Fine.")
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    page = client.get(review_url(decision))
    posted = client.post(review_url(decision), {"action": "return", "required_action": "X"})

    assert "Endorse the decision" not in page.text
    assert "not waiting for review" in page.text
    assert "Fine." in page.text
    assert posted.status_code == 302
    assert snapshot(decision) == before


def test_a_supervisor_cannot_review_their_own_decision(client, lambeth_supervisor):
    decision = queued_decision(actor=lambeth_supervisor)
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    page = client.get(review_url(decision))
    client.post(review_url(decision), {"action": "endorse"})

    assert "another supervisor must review it" in page.text
    assert "Endorse the decision" not in page.text
    assert snapshot(decision) == before


# --- Officer's response -------------------------------------------------------------------------


def test_respond_page_shows_the_required_action_and_the_history(
    client, lambeth_supervisor, lambeth_officer
):
    decision = returned_decision(lambeth_supervisor)
    client.force_login(lambeth_officer)

    response = client.get(respond_url(decision))

    assert response.status_code == 200
    text = response.text
    assert "govuk-warning-text" in text
    assert "Visit his mother&#x27;s address." in text
    assert "Returned with a required action" in text
    assert "Your response" in text


def test_responding_sends_it_back_for_review(client, lambeth_supervisor, lambeth_officer):
    decision = returned_decision(lambeth_supervisor)
    client.force_login(lambeth_officer)

    response = client.post(respond_url(decision), {"response": "Visited; not there."})

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "cases:incident-detail", args=[decision.incident.reference]
    )
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    event = decision.review_events.last()
    assert (event.kind, event.actor, event.comment) == (
        ReviewEventKind.RESPONDED,
        lambeth_officer,
        "Visited; not there.",
    )


def test_an_empty_response_is_an_error(client, lambeth_supervisor, lambeth_officer):
    decision = returned_decision(lambeth_supervisor)
    before = snapshot(decision)
    client.force_login(lambeth_officer)

    response = client.post(respond_url(decision), {"response": "   "})

    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "Say what you have done about the required action" in response.text
    assert snapshot(decision) == before


def test_a_decision_not_returned_shows_history_and_no_form(client, lambeth_officer):
    decision = queued_decision()
    before = snapshot(decision)
    client.force_login(lambeth_officer)

    page = client.get(respond_url(decision))
    posted = client.post(respond_url(decision), {"response": "Done."})

    assert page.status_code == 200
    assert "nothing to respond to" in page.text
    assert 'name="response"' not in page.text
    assert posted.status_code == 302
    assert snapshot(decision) == before


def test_respond_denials(client, lambeth_supervisor, southwark_officer, partner, analyst):
    decision = returned_decision(lambeth_supervisor)
    before = snapshot(decision)

    anonymous = client.post(respond_url(decision), {"response": "Done."})
    assert anonymous.status_code == 302
    for user, status in ((partner, 403), (analyst, 403), (southwark_officer, 404)):
        client.force_login(user)
        assert client.get(respond_url(decision)).status_code == status
        assert client.post(respond_url(decision), {"response": "Done."}).status_code == status

    assert snapshot(decision) == before


# --- Outstanding suspects -----------------------------------------------------------------------


def test_outstanding_suspects_oldest_first_with_days_and_actions_for_officers(
    client, lambeth_officer
):
    newer, older = queued_decision(), queued_decision()
    ArrestDecision.objects.filter(pk=older.pk).update(decided_at=timezone.now() - timedelta(days=3))
    queued_decision(reason=NotArrestedReason.NOT_NECESSARY)
    southwark = queued_decision("SOU")
    client.force_login(lambeth_officer)

    response = client.get(OUTSTANDING)

    assert response.status_code == 200
    assert [d.pk for d in response.context["decisions"]] == [older.pk, newer.pk]
    text = response.text
    assert "3 days" in text
    assert "0 days" in text
    assert "Lambeth" in text
    assert arrest_url(older) in text
    assert close_url(older) not in text
    assert southwark.incident.reference not in text


def test_supervisors_see_the_close_link(client, lambeth_supervisor):
    decision = queued_decision()
    client.force_login(lambeth_supervisor)

    response = client.get(OUTSTANDING)

    assert close_url(decision) in response.text


def test_outstanding_suspects_empty_state(client, lambeth_officer):
    client.force_login(lambeth_officer)

    assert "There are no outstanding suspects." in client.get(OUTSTANDING).text


def test_outstanding_suspects_is_for_officers_and_supervisors(client, partner, analyst):
    assert client.get(OUTSTANDING).status_code == 302
    for user in (partner, analyst):
        client.force_login(user)
        assert client.get(OUTSTANDING).status_code == 403


def test_outstanding_query_count_does_not_grow_with_rows(
    client, lambeth_officer, django_assert_max_num_queries
):
    for _ in range(5):
        queued_decision()
    client.force_login(lambeth_officer)
    with django_assert_max_num_queries(12) as five:
        client.get(OUTSTANDING)
    for _ in range(15):
        queued_decision()
    with django_assert_max_num_queries(12) as twenty:
        response = client.get(OUTSTANDING)

    assert len(response.context["decisions"]) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- Record a later arrest ----------------------------------------------------------------------


def test_recording_the_arrest_of_an_outstanding_suspect(client, lambeth_officer):
    decision = queued_decision()
    when = timezone.localtime() - timedelta(minutes=30)
    client.force_login(lambeth_officer)

    page = client.get(arrest_url(decision))
    response = client.post(
        arrest_url(decision),
        {"arrested_at": when.strftime("%Y-%m-%dT%H:%M"), "arrested_by": "PC 42"},
    )

    assert page.status_code == 200
    assert 'name="arrested_at_day"' in page.text and 'name="arrested_at_minute"' in page.text
    assert response.status_code == 302
    assert response["Location"] == OUTSTANDING
    decision.refresh_from_db()
    assert not decision.is_outstanding
    assert decision.arrested_by == "PC 42"
    assert decision.review_events.filter(kind=ReviewEventKind.ARRESTED).exists()


def test_a_future_arrest_time_is_shown_by_the_field_and_the_input_kept(client, lambeth_officer):
    decision = queued_decision()
    before = snapshot(decision)
    future = timezone.localtime() + timedelta(days=1)
    typed = {
        "arrested_at_day": str(future.day),
        "arrested_at_month": str(future.month),
        "arrested_at_year": str(future.year),
        "arrested_at_hour": f"{future.hour:02d}",
        "arrested_at_minute": f"{future.minute:02d}",
    }
    client.force_login(lambeth_officer)

    response = client.post(arrest_url(decision), {**typed, "arrested_by": "PC 42"})

    assert response.status_code == 200
    text = response.text
    assert "<title>Error: " in text
    assert 'href="#id_arrested_at_day"' in text
    assert 'id="id_arrested_at_error"' in text
    assert "The arrest time cannot be in the future" in text
    for name, value in typed.items():  # every box kept as typed, all marked in error
        assert f'name="{name}" value="{value}" class="govuk-input govuk-date-input__input' in text
    assert text.count("govuk-input--error") == 5
    assert 'value="PC 42"' in text
    assert snapshot(decision) == before


def test_missing_arrest_fields_are_errors(client, lambeth_officer):
    decision = queued_decision()
    before = snapshot(decision)
    client.force_login(lambeth_officer)

    response = client.post(arrest_url(decision), {"arrested_at": "not a date"})

    assert "Enter a real date and time" in response.text
    assert "Enter the name or number of the arresting officer" in response.text
    assert snapshot(decision) == before


def test_record_arrest_denials(client, southwark_officer, partner, analyst):
    decision = queued_decision("LAM")
    before = snapshot(decision)
    data = {
        "arrested_at": (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "arrested_by": "PC 1",
    }

    assert client.post(arrest_url(decision), data).status_code == 302
    for user, status in ((partner, 403), (analyst, 403), (southwark_officer, 404)):
        client.force_login(user)
        assert client.get(arrest_url(decision)).status_code == status
        assert client.post(arrest_url(decision), data).status_code == status

    assert snapshot(decision) == before


def test_a_suspect_no_longer_outstanding_has_no_arrest_form(client, lambeth_officer):
    decision = queued_decision(reason=NotArrestedReason.INSUFFICIENT_GROUNDS)
    client.force_login(lambeth_officer)

    response = client.get(arrest_url(decision))

    assert "is not an outstanding suspect" in response.text
    assert 'name="arrested_at"' not in response.text


# --- Close an outstanding suspect ---------------------------------------------------------------


def test_a_supervisor_closes_an_outstanding_suspect(client, lambeth_supervisor):
    decision = queued_decision()
    client.force_login(lambeth_supervisor)

    response = client.post(close_url(decision), {"comment": "Deported; no longer in the UK."})

    assert response.status_code == 302
    assert response["Location"] == OUTSTANDING
    decision.refresh_from_db()
    assert not decision.is_outstanding
    event = decision.review_events.last()
    assert (event.kind, event.comment) == (
        ReviewEventKind.OUTSTANDING_CLOSED,
        "Deported; no longer in the UK.",
    )


def test_closing_needs_a_comment(client, lambeth_supervisor):
    decision = queued_decision()
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    response = client.post(close_url(decision), {"comment": ""})

    assert response.status_code == 200
    assert "Say why the suspect no longer needs to be traced" in response.text
    assert snapshot(decision) == before


def test_close_denials(client, lambeth_officer, southwark_supervisor, partner):
    decision = queued_decision("LAM")
    before = snapshot(decision)

    assert client.post(close_url(decision), {"comment": "Gone."}).status_code == 302
    for user, status in ((lambeth_officer, 403), (partner, 403), (southwark_supervisor, 404)):
        client.force_login(user)
        assert client.get(close_url(decision)).status_code == status
        assert client.post(close_url(decision), {"comment": "Gone."}).status_code == status

    assert snapshot(decision) == before
    assert not ArrestReviewEvent.objects.filter(kind=ReviewEventKind.OUTSTANDING_CLOSED).exists()


def test_the_supervisor_who_answered_the_return_cannot_review_it(client, lambeth_supervisor):
    # Given another supervisor returned the decision and this one answered it
    returner = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    decision = returned_decision(returner)
    arrest_decision_respond(actor=lambeth_supervisor, decision_id=decision.pk, response="Done.")
    before = snapshot(decision)
    client.force_login(lambeth_supervisor)

    # When they open the review and post an endorsement anyway
    page = client.get(review_url(decision))
    client.post(review_url(decision), {"action": "endorse"})

    # Then the page says why, offers no form, and nothing changed
    assert "You answered a returned review of this decision" in page.text
    assert "Endorse the decision" not in page.text
    assert snapshot(decision) == before


def test_the_returning_supervisor_may_review_the_answer(client, lambeth_supervisor):
    decision = returned_decision(lambeth_supervisor)
    arrest_decision_respond(actor=decision.decided_by, decision_id=decision.pk, response="Done.")
    client.force_login(lambeth_supervisor)

    assert "Endorse the decision" in client.get(review_url(decision)).text
    client.post(review_url(decision), {"action": "endorse"})

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED


def test_a_drafts_decision_not_to_arrest_says_it_will_be_reviewed_on_submission(
    client, lambeth_officer
):
    incident, _, _ = complete_incident(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    assert incident.arrest_decisions.get().review_status == ReviewStatus.NOT_REQUIRED
    assert "A supervisor will review this decision when the incident is submitted." in response.text
    assert "No review needed" not in response.text


def test_a_submitted_decision_not_to_arrest_shows_its_review_status(client, lambeth_officer):
    decision = queued_decision(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-detail", args=[decision.incident.reference]))

    assert "Awaiting review" in response.text
    assert "when the incident is submitted" not in response.text
