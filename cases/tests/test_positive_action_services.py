"""Positive action: arrest decisions, the supervisor review exchange, outstanding suspects."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestOutcome,
    IncidentStatus,
    NotArrestedReason,
    OffenceType,
    PartyRole,
    ReviewEventKind,
    ReviewStatus,
)
from cases.selectors import positive_action as selectors
from cases.services.incidents import incident_submit
from cases.services.positive_action import (
    POSITIVE_ACTION_POLICY,
    DecisionStateError,
    arrest_decision_endorse,
    arrest_decision_record,
    arrest_decision_respond,
    arrest_decision_return,
    justification_problem,
    outstanding_suspect_arrested,
    outstanding_suspect_close,
)
from cases.tests.factories import (
    GOOD_JUSTIFICATION,
    IncidentFactory,
    add_offence,
    add_party,
    complete_incident,
    not_arrested,
)
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = pytest.mark.django_db

VICTIM_ONLY = "The victim does not support a prosecution."
REAL_GROUNDS = (
    " The suspect had left before officers arrived and could not be found after an area search;"
    " enquiries continue at his mother's address."
)


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


@pytest.fixture
def central_supervisor(db):
    return UserFactory(username="cen.test.supervisor", role=Role.SUPERVISOR, team=team("CEN"))


def open_suspect(borough_code="LAM"):
    """An open incident with a suspect of an offence with a power of arrest, no decision yet."""
    incident, _victim, suspect = complete_incident(borough_code=borough_code, decision=None)
    return incident, suspect


def record_not_arrested(suspect, justification, reason=NotArrestedReason.INSUFFICIENT_GROUNDS):
    return arrest_decision_record(
        actor=suspect.incident.created_by,
        suspect=suspect,
        outcome=ArrestOutcome.NOT_ARRESTED,
        reason=reason,
        justification=justification,
    )


def queued_decision(borough_code="LAM", reason=NotArrestedReason.SUSPECT_NOT_PRESENT):
    incident, suspect = open_suspect(borough_code)
    return not_arrested(suspect, reason=reason)


def event_kinds(decision):
    return list(decision.review_events.values_list("kind", flat=True))


# --- Justification --------------------------------------------------------------------------------


def test_a_short_justification_is_refused():
    _incident, suspect = open_suspect()

    with pytest.raises(ValidationError) as error:
        record_not_arrested(suspect, "He had gone.")

    assert "at least 12 words" in error.value.message_dict["justification"][0]
    assert not ArrestDecision.objects.exists()


def test_victim_not_supporting_a_prosecution_alone_is_refused_with_the_policy():
    _incident, suspect = open_suspect()

    with pytest.raises(ValidationError) as error:
        record_not_arrested(suspect, VICTIM_ONLY)

    assert error.value.message_dict["justification"] == [POSITIVE_ACTION_POLICY]
    assert "does not depend on the victim's willingness" in POSITIVE_ACTION_POLICY
    assert not ArrestDecision.objects.exists()


def test_victim_not_supporting_padded_with_words_but_no_grounds_is_still_refused():
    problem = justification_problem(
        "The victim does not support a prosecution and she clearly said she does not want "
        "any police action taken at all against him today."
    )

    assert problem == POSITIVE_ACTION_POLICY


def test_victim_not_supporting_plus_real_grounds_is_accepted():
    _incident, suspect = open_suspect()

    decision = record_not_arrested(suspect, VICTIM_ONLY + REAL_GROUNDS)

    assert decision.outcome == ArrestOutcome.NOT_ARRESTED
    assert justification_problem(VICTIM_ONLY + REAL_GROUNDS) is None


def test_not_arrested_needs_a_reason():
    _incident, suspect = open_suspect()

    with pytest.raises(ValidationError) as error:
        record_not_arrested(suspect, GOOD_JUSTIFICATION, reason="")

    assert "reason" in error.value.message_dict


# --- Arrested -----------------------------------------------------------------------------------


def record_arrested(suspect, arrested_at):
    return arrest_decision_record(
        actor=suspect.incident.created_by,
        suspect=suspect,
        outcome=ArrestOutcome.ARRESTED,
        arrested_at=arrested_at,
        arrested_by="PC 123",
    )


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (None, "Enter when the suspect was arrested"),
        (timedelta(hours=1), "The arrest time cannot be in the future"),
        (timedelta(hours=-5), "The arrest cannot be before the incident happened"),
    ],
)
def test_arrested_needs_a_time_not_in_the_future_nor_before_the_incident(when, message):
    _incident, suspect = open_suspect()  # happened two hours ago
    arrested_at = None if when is None else timezone.now() + when

    with pytest.raises(ValidationError) as error:
        record_arrested(suspect, arrested_at)

    assert error.value.message_dict["arrested_at"] == [message]
    assert not ArrestDecision.objects.exists()


def test_an_arrest_needs_no_review():
    _incident, suspect = open_suspect()

    decision = record_arrested(suspect, timezone.now() - timedelta(minutes=20))

    assert decision.review_status == ReviewStatus.NOT_REQUIRED
    assert not decision.is_outstanding
    assert event_kinds(decision) == []


def test_a_decision_needs_an_offence_with_a_power_of_arrest():
    incident = IncidentFactory()
    suspect = add_party(incident, PartyRole.SUSPECT)
    no_power = OffenceType.objects.create(
        code="no_power", name="No power of arrest", power_of_arrest=False, seriousness=1
    )
    from cases.services.incidents import offence_add

    offence_add(
        actor=incident.created_by, incident_id=incident.pk, suspect=suspect, offence_type=no_power
    )

    with pytest.raises(ValidationError) as error:
        record_not_arrested(suspect, GOOD_JUSTIFICATION)

    assert "power of arrest" in error.value.messages[0]
    assert not ArrestDecision.objects.exists()


def test_a_second_decision_for_the_same_suspect_is_refused_and_the_first_kept():
    _incident, suspect = open_suspect()
    first = record_not_arrested(suspect, GOOD_JUSTIFICATION)

    with pytest.raises(DecisionStateError):
        record_arrested(suspect, timezone.now() - timedelta(minutes=5))

    assert list(ArrestDecision.objects.all()) == [first]
    first.refresh_from_db()
    assert first.outcome == ArrestOutcome.NOT_ARRESTED


# --- Entering the review queue -------------------------------------------------------------------


def test_a_draft_incidents_decision_is_queued_only_on_submission(lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    add_party(incident, PartyRole.VICTIM)
    suspect = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, suspect)
    decision = not_arrested(suspect)
    assert decision.review_status == ReviewStatus.NOT_REQUIRED
    assert decision.review_due_at is None
    assert not selectors.review_queue(viewer=lambeth_officer).exists()

    before = timezone.now()
    incident_submit(actor=lambeth_officer, incident_id=incident.pk)

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    assert decision.review_due_at >= before + timedelta(hours=24)
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]
    assert list(selectors.review_queue(viewer=lambeth_officer)) == [decision]


def test_an_open_incidents_decision_is_queued_at_once_with_the_deadline_setting(settings):
    settings.ARREST_REVIEW_DEADLINE_HOURS = 6
    before = timezone.now()

    decision = queued_decision()

    assert decision.review_status == ReviewStatus.AWAITING
    assert before + timedelta(hours=6) <= decision.review_due_at
    assert decision.review_due_at <= timezone.now() + timedelta(hours=6)
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]


# --- Endorse, return, respond --------------------------------------------------------------------


def test_the_whole_exchange_is_kept_in_order(lambeth_supervisor, lambeth_officer):
    decision = queued_decision()
    first_deadline = decision.review_due_at

    arrest_decision_return(
        actor=lambeth_supervisor,
        decision_id=decision.pk,
        required_action="Visit his mother's address today.",
        comment="Not enough tracing done.",
    )
    arrest_decision_respond(
        actor=lambeth_officer, decision_id=decision.pk, response="Visited; not there."
    )
    arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk, comment="Agreed.")

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED
    assert decision.review_due_at > first_deadline
    events = list(decision.review_events.all())
    assert [e.kind for e in events] == [
        ReviewEventKind.SUBMITTED,
        ReviewEventKind.RETURNED,
        ReviewEventKind.RESPONDED,
        ReviewEventKind.ENDORSED,
    ]
    assert events[1].required_action == "Visit his mother's address today."
    assert events[1].comment == "Not enough tracing done."
    assert (events[2].actor, events[2].comment) == (lambeth_officer, "Visited; not there.")
    assert (events[3].actor, events[3].comment) == (lambeth_supervisor, "Agreed.")
    # The decision itself is untouched by the exchange.
    assert decision.justification == GOOD_JUSTIFICATION


def test_returning_without_a_required_action_is_refused(lambeth_supervisor):
    decision = queued_decision()

    with pytest.raises(ValidationError) as error:
        arrest_decision_return(
            actor=lambeth_supervisor, decision_id=decision.pk, required_action=" "
        )

    assert error.value.message_dict == {"required_action": ["Say what the officer must do"]}
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]


def test_another_boroughs_supervisor_is_refused(southwark_supervisor):
    decision = queued_decision("LAM")

    with pytest.raises(PermissionDenied):
        arrest_decision_endorse(actor=southwark_supervisor, decision_id=decision.pk)
    with pytest.raises(PermissionDenied):
        arrest_decision_return(
            actor=southwark_supervisor, decision_id=decision.pk, required_action="Trace him."
        )

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]


def test_the_central_supervisor_reviews_any_borough(central_supervisor):
    decision = queued_decision("SOU")

    arrest_decision_endorse(actor=central_supervisor, decision_id=decision.pk)

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED


def test_an_officer_cannot_review(lambeth_officer):
    decision = queued_decision()

    with pytest.raises(PermissionDenied):
        arrest_decision_endorse(actor=lambeth_officer, decision_id=decision.pk)

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING


def test_a_supervisor_cannot_review_their_own_decision(lambeth_supervisor):
    _incident, suspect = open_suspect()
    decision = not_arrested(suspect, actor=lambeth_supervisor)

    with pytest.raises(PermissionDenied):
        arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk)

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING


def test_a_decision_not_awaiting_review_cannot_be_reviewed_again(lambeth_supervisor):
    decision = queued_decision()
    arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk)

    with pytest.raises(DecisionStateError):
        arrest_decision_return(
            actor=lambeth_supervisor, decision_id=decision.pk, required_action="Trace him."
        )

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED, ReviewEventKind.ENDORSED]


def test_only_a_returned_decision_can_be_answered(lambeth_officer):
    decision = queued_decision()

    with pytest.raises(DecisionStateError):
        arrest_decision_respond(actor=lambeth_officer, decision_id=decision.pk, response="Done.")

    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]


def returned_decision(supervisor, borough_code="LAM"):
    decision = queued_decision(borough_code)
    arrest_decision_return(actor=supervisor, decision_id=decision.pk, required_action="Trace him.")
    return decision


def test_a_response_needs_text(lambeth_supervisor, lambeth_officer):
    decision = returned_decision(lambeth_supervisor)

    with pytest.raises(ValidationError) as error:
        arrest_decision_respond(actor=lambeth_officer, decision_id=decision.pk, response="  ")

    assert "response" in error.value.message_dict
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.RETURNED


def test_another_boroughs_officer_cannot_respond(lambeth_supervisor, southwark_officer):
    decision = returned_decision(lambeth_supervisor)

    with pytest.raises(PermissionDenied):
        arrest_decision_respond(actor=southwark_officer, decision_id=decision.pk, response="Done.")

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.RETURNED


def test_the_returning_supervisor_cannot_answer_their_own_return(lambeth_supervisor):
    decision = returned_decision(lambeth_supervisor)

    with pytest.raises(PermissionDenied):
        arrest_decision_respond(actor=lambeth_supervisor, decision_id=decision.pk, response="Done.")

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.RETURNED


# --- Outstanding suspects ------------------------------------------------------------------------


def test_a_suspect_not_present_is_outstanding_other_reasons_are_not():
    gone = queued_decision(reason=NotArrestedReason.SUSPECT_NOT_PRESENT)
    not_necessary = queued_decision(reason=NotArrestedReason.NOT_NECESSARY)

    assert gone.is_outstanding
    assert not not_necessary.is_outstanding


def test_an_outstanding_suspect_arrested_later_is_no_longer_outstanding(lambeth_officer):
    decision = queued_decision()
    when = timezone.now() - timedelta(minutes=10)

    outstanding_suspect_arrested(
        actor=lambeth_officer, decision_id=decision.pk, arrested_at=when, arrested_by="PC 42"
    )

    decision.refresh_from_db()
    assert not decision.is_outstanding
    assert (decision.arrested_at, decision.arrested_by) == (when, "PC 42")
    # The original decision is kept: it was a decision not to arrest, later overtaken.
    assert decision.outcome == ArrestOutcome.NOT_ARRESTED
    event = decision.review_events.get(kind=ReviewEventKind.ARRESTED)
    assert event.actor == lambeth_officer
    assert "by PC 42" in event.comment
    assert not selectors.outstanding_suspects(viewer=lambeth_officer).exists()


@pytest.mark.parametrize(
    ("when", "by", "field"),
    [
        (None, "PC 42", "arrested_at"),
        (timedelta(hours=1), "PC 42", "arrested_at"),
        (timedelta(days=-2), "PC 42", "arrested_at"),
        (timedelta(minutes=-5), " ", "arrested_by"),
    ],
)
def test_a_later_arrest_is_checked(lambeth_officer, when, by, field):
    decision = queued_decision()
    arrested_at = None if when is None else timezone.now() + when

    with pytest.raises(ValidationError) as error:
        outstanding_suspect_arrested(
            actor=lambeth_officer, decision_id=decision.pk, arrested_at=arrested_at, arrested_by=by
        )

    assert list(error.value.message_dict) == [field]
    decision.refresh_from_db()
    assert decision.is_outstanding
    assert decision.arrested_at is None


def test_a_suspect_not_outstanding_cannot_be_arrested_later(lambeth_officer):
    decision = queued_decision(reason=NotArrestedReason.NOT_NECESSARY)

    with pytest.raises(DecisionStateError):
        outstanding_suspect_arrested(
            actor=lambeth_officer,
            decision_id=decision.pk,
            arrested_at=timezone.now(),
            arrested_by="PC 1",
        )


def test_another_boroughs_officer_cannot_record_a_later_arrest(southwark_officer):
    decision = queued_decision("LAM")

    with pytest.raises(PermissionDenied):
        outstanding_suspect_arrested(
            actor=southwark_officer,
            decision_id=decision.pk,
            arrested_at=timezone.now() - timedelta(minutes=1),
            arrested_by="PC 1",
        )

    decision.refresh_from_db()
    assert decision.is_outstanding


def test_a_supervisor_closes_an_outstanding_suspect_with_a_comment(lambeth_supervisor):
    decision = queued_decision()

    outstanding_suspect_close(
        actor=lambeth_supervisor, decision_id=decision.pk, comment="Suspect has left the country."
    )

    decision.refresh_from_db()
    assert not decision.is_outstanding
    assert decision.outstanding_closed_at is not None
    event = decision.review_events.get(kind=ReviewEventKind.OUTSTANDING_CLOSED)
    assert (event.actor, event.comment) == (lambeth_supervisor, "Suspect has left the country.")


def test_closing_an_outstanding_suspect_needs_a_comment_and_a_supervisor(
    lambeth_supervisor, lambeth_officer
):
    decision = queued_decision()

    with pytest.raises(ValidationError) as error:
        outstanding_suspect_close(actor=lambeth_supervisor, decision_id=decision.pk, comment="")
    with pytest.raises(PermissionDenied):
        outstanding_suspect_close(actor=lambeth_officer, decision_id=decision.pk, comment="Gone.")

    assert "comment" in error.value.message_dict
    decision.refresh_from_db()
    assert decision.is_outstanding
    assert event_kinds(decision) == [ReviewEventKind.SUBMITTED]


# --- Selectors ----------------------------------------------------------------------------------


def test_the_queue_is_oldest_deadline_first_with_overdue_marked(lambeth_supervisor):
    later, earlier, overdue = queued_decision(), queued_decision(), queued_decision()
    now = timezone.now()
    ArrestDecision.objects.filter(pk=later.pk).update(review_due_at=now + timedelta(hours=20))
    ArrestDecision.objects.filter(pk=earlier.pk).update(review_due_at=now + timedelta(hours=2))
    ArrestDecision.objects.filter(pk=overdue.pk).update(review_due_at=now - timedelta(hours=1))

    queue = list(selectors.review_queue(viewer=lambeth_supervisor))

    assert queue == [overdue, earlier, later]
    assert [d.is_overdue for d in queue] == [True, False, False]


def test_the_queue_holds_only_decisions_awaiting_review(lambeth_supervisor):
    waiting = queued_decision()
    endorsed = queued_decision()
    arrest_decision_endorse(actor=lambeth_supervisor, decision_id=endorsed.pk)
    returned = returned_decision(lambeth_supervisor)
    _incident, suspect = open_suspect()
    record_arrested(suspect, timezone.now() - timedelta(minutes=5))

    assert list(selectors.review_queue(viewer=lambeth_supervisor)) == [waiting]
    assert list(selectors.returned_to_officer(viewer=lambeth_supervisor)) == [returned]


def test_the_queue_is_scoped_to_the_borough_and_central_sees_all(
    lambeth_supervisor, central_supervisor, partner
):
    lambeth = queued_decision("LAM")
    southwark = queued_decision("SOU")

    assert list(selectors.review_queue(viewer=lambeth_supervisor)) == [lambeth]
    assert set(selectors.review_queue(viewer=central_supervisor)) == {lambeth, southwark}
    assert not selectors.review_queue(viewer=partner).exists()


def test_outstanding_suspects_are_oldest_first_and_scoped(lambeth_officer, central_supervisor):
    newer, older = queued_decision("LAM"), queued_decision("LAM")
    southwark = queued_decision("SOU")
    queued_decision("LAM", reason=NotArrestedReason.INSUFFICIENT_GROUNDS)
    ArrestDecision.objects.filter(pk=older.pk).update(
        decided_at=F("decided_at") - timedelta(days=3)
    )

    assert list(selectors.outstanding_suspects(viewer=lambeth_officer)) == [older, newer]
    assert set(selectors.outstanding_suspects(viewer=central_supervisor)) == {
        older,
        newer,
        southwark,
    }


def test_decision_list_filters(lambeth_officer, lambeth_supervisor):
    overdue = queued_decision()
    ArrestDecision.objects.filter(pk=overdue.pk).update(
        review_due_at=timezone.now() - timedelta(minutes=1)
    )
    endorsed = queued_decision(reason=NotArrestedReason.NOT_NECESSARY)
    arrest_decision_endorse(actor=lambeth_supervisor, decision_id=endorsed.pk)

    def listed(**filters):
        return list(
            selectors.decision_list(
                viewer=lambeth_officer, filters=selectors.DecisionFilters(**filters)
            )
        )

    assert listed() == [overdue, endorsed]
    assert listed(review_status=ReviewStatus.ENDORSED) == [endorsed]
    assert listed(outstanding=True) == [overdue]
    assert listed(outstanding=False) == [endorsed]
    assert listed(overdue=True) == [overdue]
    assert listed(overdue=False) == [endorsed]
    assert listed(incident_reference=endorsed.incident.reference) == [endorsed]


def test_decision_get_is_scoped(lambeth_officer, southwark_officer):
    from django.http import Http404

    decision = queued_decision("LAM")

    assert selectors.decision_get(viewer=lambeth_officer, decision_id=decision.pk) == decision
    with pytest.raises(Http404):
        selectors.decision_get(viewer=southwark_officer, decision_id=decision.pk)


def test_suspect_visible_to_is_scoped(lambeth_officer, southwark_officer):
    _incident, suspect = open_suspect("LAM")
    borough = Borough.objects.get(code="LAM")

    assert suspect.incident.borough == borough
    assert selectors.suspect_visible_to(viewer=lambeth_officer, party_id=suspect.pk) == suspect
    assert selectors.suspect_visible_to(viewer=southwark_officer, party_id=suspect.pk) is None


def test_whoever_answered_a_returned_review_cannot_then_review_it(lambeth_supervisor):
    # Given one supervisor returned the decision and a second supervisor answered it
    returner = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    decision = returned_decision(returner)
    arrest_decision_respond(
        actor=lambeth_supervisor, decision_id=decision.pk, response="Visited his mother's."
    )

    # When the one who answered tries to endorse or return it
    for review in (
        lambda: arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk),
        lambda: arrest_decision_return(
            actor=lambeth_supervisor, decision_id=decision.pk, required_action="More."
        ),
    ):
        with pytest.raises(PermissionDenied) as error:
            review()
        # Then the rule says why, and nothing changed
        assert "another supervisor must review it" in str(error.value)
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    assert event_kinds(decision)[-1] == ReviewEventKind.RESPONDED

    # The supervisor who returned it (who wrote none of it) may review the answer
    arrest_decision_endorse(actor=returner, decision_id=decision.pk)
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.ENDORSED


def test_an_earlier_answer_still_counts_after_a_second_return(lambeth_supervisor):
    returner = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    decision = returned_decision(returner)
    arrest_decision_respond(actor=lambeth_supervisor, decision_id=decision.pk, response="Done.")
    arrest_decision_return(actor=returner, decision_id=decision.pk, required_action="And more.")
    arrest_decision_respond(
        actor=decision.decided_by, decision_id=decision.pk, response="Done that too."
    )

    with pytest.raises(PermissionDenied):
        arrest_decision_endorse(actor=lambeth_supervisor, decision_id=decision.pk)


# --- The free-text guard: contractions, phrasings, padding ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The victim won't support a prosecution.",
        "The victim won\u2019t support a prosecution.",
        "Victim doesnt want to support any prosecution.",
        "The victim declined to provide a statement.",
        "She was reluctant to make a complaint.",
        "The victim wants the matter dropped.",
        "Complainant is unwilling to assist police.",
        "Victim asked for the charges to be dropped.",
    ],
)
def test_each_way_of_writing_non_support_is_refused_with_the_policy(text):
    assert justification_problem(text) == POSITIVE_ACTION_POLICY


@pytest.mark.parametrize(
    "padding",
    [
        " Nothing further to add at this time, see notes above, as per previous update.",
        " Blah blah blah blah blah blah blah blah blah blah blah blah.",
        " Lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum.",
        " The the the the the the the the the the the the.",
    ],
)
def test_non_support_followed_by_twelve_words_of_filler_is_refused(padding):
    assert len(padding.split()) >= 12
    assert justification_problem("The victim won't support a prosecution." + padding) == (
        POSITIVE_ACTION_POLICY
    )


def test_twelve_words_of_filler_alone_are_not_a_justification():
    problem = justification_problem(
        "Nothing further to add at this time, see notes above, as per previous update."
    )

    assert problem is not None and "justification of substance" in problem


@pytest.mark.parametrize(
    "grounds",
    [
        REAL_GROUNDS,
        " The suspect had left before officers arrived and he couldn't be found after an area "
        "search with the dog unit; a circulation is in place.",
    ],
)
def test_non_support_with_real_grounds_is_still_accepted(grounds):
    assert justification_problem("The victim won't support a prosecution." + grounds) is None


@pytest.mark.parametrize(
    "text",
    [
        # Zero-width spaces split the words: the guard read "n ot" and counted more words.
        "The victim does n\u200bot support a prosecution and won\u200bt give a statement.",
        # Cyrillic letters that look Latin ("о", "е"): "nоt" was read as "n", "t".
        "The victim does n\u043et want to support a prosecution and w\u043en't give a "
        "statement t\u043e police.",
        "The victim d\u043eesn't supp\u043ert a pr\u043esecuti\u043en and will n\u043et give a "
        "statement to the police.",
        # Soft hyphens and full-width letters, as pasted from other programs.
        "The vic\u00adtim does n\u00adot support a prose\u00adcution and will not give a "
        "statement to the police.",
        "The victim does \uff4e\uff4f\uff54 support a prosecution and will \uff4e\uff4f\uff54 "
        "give a statement to the police.",
    ],
)
def test_non_support_written_with_invisible_or_look_alike_characters_is_refused(text):
    # Given a justification that, read as a person reads it, only says the victim does not
    # support a prosecution
    # When the guard reads it
    problem = justification_problem(text)

    # Then it is refused with the policy, as the plain text is
    assert problem == POSITIVE_ACTION_POLICY


def test_a_justification_with_invisible_characters_is_refused_by_the_service(lambeth_officer):
    _incident, _victim, suspect = complete_incident(actor=lambeth_officer, decision=None)

    with pytest.raises(ValidationError) as error:
        arrest_decision_record(
            actor=lambeth_officer,
            suspect=suspect,
            outcome=ArrestOutcome.NOT_ARRESTED,
            reason=NotArrestedReason.INSUFFICIENT_GROUNDS,
            justification="The victim does n\u200bot support a prosecution and won\u200bt give "
            "a statement to the police.",
        )

    assert error.value.message_dict["justification"] == [POSITIVE_ACTION_POLICY]
    assert not ArrestDecision.objects.filter(suspect=suspect).exists()
