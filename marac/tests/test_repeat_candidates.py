"""The repeat-MARAC candidates (RepeatMaracCandidate), kept by database triggers: whatever writes
a referral, a party or an incident, through the services or around them, the table holds
exactly the victims the rule gives (`repeat_candidates_by_the_rule`), and the alerts read from
it are the rule's. A missed write path would hide a repeat MARAC from the coordinator."""

import random
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from cases.models import Incident, IncidentStatus, Party, PartyRole
from cases.services.incidents import incident_update, party_add, party_remove
from cases.tests.factories import IncidentFactory, PersonFactory, add_party, complete_incident
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from tests.locks import backends_waiting_for_a_lock

from ..models import MaracReferral, ReferralStatus
from ..selectors.referrals import (
    _repeat_alerts_among,
    first_repeat_marac_alerts,
    repeat_marac_alerts,
)
from ..services.referrals import referral_reject
from .factories import (
    coordinator,
    new_incident_of,
    referral_made_days_ago,
    repeat_candidates_by_the_rule,
    repeat_candidates_kept,
)
from .helpers import separate_connection, wait_for

pytestmark = pytest.mark.django_db


def candidate_parties() -> set[int]:
    return {row[0] for row in repeat_candidates_kept()}


def assert_kept_by_the_rule() -> None:
    assert repeat_candidates_kept() == repeat_candidates_by_the_rule()


@pytest.fixture
def repeat():
    """A victim referred 30 days ago, and their new incident 10 days after it (same perpetrator)."""
    referral = referral_made_days_ago(30)
    victim = new_incident_of(referral.person, 10, referral)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()
    return referral, victim


def alerted(viewer, **kwargs) -> set[int]:
    return {party.pk for party in repeat_marac_alerts(viewer=viewer, **kwargs)}


# --- Each write path --------------------------------------------------------------------------


def test_a_victim_referred_before_their_incident_is_a_candidate_with_its_times(repeat):
    referral, victim = repeat
    incident = Incident.objects.get(pk=victim.incident_id)
    assert (victim.pk, incident.borough_id, incident.occurred_at, referral.created_at) in (
        repeat_candidates_kept()
    )


def test_suspects_witnesses_and_victims_never_referred_are_not_candidates(repeat):
    referral, victim = repeat
    kept = candidate_parties()
    for party in Party.objects.filter(incident_id=victim.incident_id).exclude(pk=victim.pk):
        assert party.pk not in kept
    stranger = add_party(victim.incident, PartyRole.VICTIM)
    assert stranger.pk not in candidate_parties()
    witness = add_party(victim.incident, PartyRole.WITNESS, person=referral.person)
    assert witness.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_rejecting_the_referral_removes_the_candidacy_and_reopening_it_restores_it(repeat):
    referral, victim = repeat
    referral_reject(actor=coordinator(), referral_id=referral.pk, reason="Not enough detail.")
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()

    MaracReferral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACCEPTED)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()


def test_a_status_change_between_open_states_keeps_the_candidacy(repeat):
    referral, victim = repeat
    MaracReferral.objects.filter(pk=referral.pk).update(status=ReferralStatus.LISTED)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()


def test_a_referral_made_after_the_incident_does_not_count(repeat):
    referral, victim = repeat
    occurred = Incident.objects.get(pk=victim.incident_id).occurred_at
    MaracReferral.objects.filter(pk=referral.pk).update(created_at=occurred + timedelta(hours=1))
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_the_latest_of_several_referrals_is_kept(repeat):
    referral, victim = repeat
    second = referral_made_days_ago(40)
    MaracReferral.objects.filter(pk=second.pk).update(
        person=referral.person, created_at=referral.created_at + timedelta(days=5)
    )
    assert_kept_by_the_rule()
    (row,) = [r for r in repeat_candidates_kept() if r[0] == victim.pk]
    assert row[3] == referral.created_at + timedelta(days=5)

    MaracReferral.objects.filter(pk=second.pk).delete()  # back to the first one
    (row,) = [r for r in repeat_candidates_kept() if r[0] == victim.pk]
    assert row[3] == referral.created_at
    assert_kept_by_the_rule()


def test_a_referral_moved_to_another_person_moves_the_candidacy(repeat):
    referral, victim = repeat
    other = PersonFactory()
    others_victim = add_party(victim.incident, PartyRole.VICTIM, person=other)
    assert others_victim.pk not in candidate_parties()

    MaracReferral.objects.filter(pk=referral.pk).update(person=other)

    kept = candidate_parties()
    assert victim.pk not in kept and others_victim.pk in kept
    assert_kept_by_the_rule()


def test_deleting_the_referral_removes_the_candidacy(repeat):
    referral, victim = repeat
    referral.perpetrators.clear()
    referral.history.all().delete()
    MaracReferral.objects.filter(pk=referral.pk).delete()
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_a_victim_added_to_a_later_incident_through_the_service_is_a_candidate(repeat):
    referral, _ = repeat
    incident = IncidentFactory(
        occurred_at=referral.created_at + timedelta(days=2), status=IncidentStatus.DRAFT
    )
    officer = UserFactory(team=team("LAM"))
    party = party_add(
        actor=officer,
        incident_id=incident.pk,
        person_id=referral.person.pk,
        searched_name=referral.person.full_name,
        role=PartyRole.VICTIM,
    )
    assert party.pk in candidate_parties()
    assert_kept_by_the_rule()

    party_remove(actor=officer, party_id=party.pk)
    assert party.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_a_party_whose_role_changes_from_victim_loses_the_candidacy_and_regains_it(repeat):
    _, victim = repeat
    Party.objects.filter(pk=victim.pk).update(role=PartyRole.WITNESS)
    assert victim.pk not in candidate_parties()
    Party.objects.filter(pk=victim.pk).update(role=PartyRole.VICTIM)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()


def test_a_party_given_another_person_follows_that_persons_referrals(repeat):
    referral, victim = repeat
    Party.objects.filter(pk=victim.pk).update(person=PersonFactory())
    assert victim.pk not in candidate_parties()
    Party.objects.filter(pk=victim.pk).update(person=referral.person)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()


def test_a_party_moved_to_an_incident_before_the_referral_loses_the_candidacy(repeat):
    referral, victim = repeat
    earlier = IncidentFactory(occurred_at=referral.created_at - timedelta(days=3))
    Party.objects.filter(pk=victim.pk).update(incident=earlier)
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_deleting_a_party_or_its_whole_incident_removes_the_candidacy(repeat):
    referral, victim = repeat
    Party.objects.filter(pk=victim.pk).delete()
    assert victim.pk not in candidate_parties()

    incident = IncidentFactory(occurred_at=referral.created_at + timedelta(days=1))
    party = add_party(incident, PartyRole.VICTIM, person=referral.person)
    assert party.pk in candidate_parties()
    Incident.objects.filter(pk=incident.pk).delete()
    assert party.pk not in candidate_parties()
    assert_kept_by_the_rule()


def test_an_incident_moved_before_the_referral_and_back_follows(repeat):
    referral, victim = repeat
    incident = Incident.objects.get(pk=victim.incident_id)
    officer = UserFactory(team=team("LAM"))
    before = referral.created_at - timedelta(days=1)
    incident_update(
        actor=officer,
        incident_id=incident.pk,
        expected_version=incident.version,
        occurred_at=before,
        reported_at=before + timedelta(hours=1),
    )
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()

    after = referral.created_at + timedelta(days=1)
    Incident.objects.filter(pk=incident.pk).update(occurred_at=after, reported_at=after)
    assert victim.pk in candidate_parties()
    assert_kept_by_the_rule()


def test_an_incident_moved_to_another_borough_carries_its_candidacy_there(repeat):
    _, victim = repeat
    southwark = Borough.objects.get(code="SOU")
    Incident.objects.filter(pk=victim.incident_id).update(borough=southwark)
    (row,) = [r for r in repeat_candidates_kept() if r[0] == victim.pk]
    assert row[1] == southwark.pk
    assert_kept_by_the_rule()


def test_the_rebuild_gives_what_the_triggers_kept(repeat):
    referral, _ = repeat
    new_incident_of(referral.person, 3, referral, same_perpetrator=False)
    kept = repeat_candidates_kept()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM marac_repeatmaraccandidate")
        cursor.execute("SELECT marac_repeat_candidates_rebuild()")
    assert repeat_candidates_kept() == kept == repeat_candidates_by_the_rule()


def test_random_writes_in_any_order_keep_the_table_to_the_rule():
    """Sixty writes drawn from every path, on a small world of three people who are referred,
    not referred, rejected, moved; the table is checked against the rule after each."""
    rng = random.Random(7)
    referrals = [referral_made_days_ago(days) for days in (60, 30, 5)]
    people = [r.person for r in referrals] + [PersonFactory()]
    incidents = [r.incident for r in referrals]
    for days in (-20, 1, 15, 45):
        incidents.append(IncidentFactory(occurred_at=referrals[0].created_at + timedelta(days)))
    for incident in incidents[3:]:
        for person in rng.sample(people, 2):
            add_party(incident, PartyRole.VICTIM, person=person)

    def a_party():
        return rng.choice(list(Party.objects.order_by("pk")))

    writes = [
        lambda: MaracReferral.objects.filter(pk=rng.choice(referrals).pk).update(
            status=ReferralStatus.REJECTED, rejection_reason="Random."
        ),
        lambda: MaracReferral.objects.filter(pk=rng.choice(referrals).pk).update(
            status=rng.choice([ReferralStatus.SUBMITTED, ReferralStatus.HEARD])
        ),
        lambda: MaracReferral.objects.filter(pk=rng.choice(referrals).pk).update(
            created_at=timezone.now() - timedelta(days=rng.randint(0, 90))
        ),
        lambda: MaracReferral.objects.filter(pk=rng.choice(referrals).pk).update(
            person=rng.choice(people)
        ),
        lambda: Party.objects.filter(pk=a_party().pk).update(
            role=rng.choice([PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.SUSPECT])
        ),
        lambda: Party.objects.filter(pk=a_party().pk).update(person=rng.choice(people)),
        lambda: Party.objects.filter(pk=a_party().pk).update(incident=rng.choice(incidents)),
        lambda: Incident.objects.filter(pk=rng.choice(incidents).pk).update(
            occurred_at=(when := timezone.now() - timedelta(days=rng.randint(0, 90))),
            reported_at=when,
        ),
        lambda: Incident.objects.filter(pk=rng.choice(incidents).pk).update(
            borough=Borough.objects.order_by("?").first()
        ),
        lambda: Party.objects.create(
            incident=rng.choice(incidents), role=PartyRole.VICTIM, person=rng.choice(people)
        ),
        lambda: Party.objects.filter(pk=a_party().pk).delete(),
    ]
    done = 0
    for step in range(60):
        try:
            with transaction.atomic():
                rng.choice(writes)()
        except IntegrityError:  # a write the constraints refuse (a person twice in one role)
            continue
        done += 1
        assert repeat_candidates_kept() == repeat_candidates_by_the_rule(), f"after write {step}"
    assert done >= 40  # the constraints refused few of them


# --- The alerts read from it ------------------------------------------------------------------


def test_the_window_is_applied_when_reading_so_a_new_setting_needs_no_rebuild(repeat, settings):
    _, victim = repeat
    borough_coordinator = coordinator("LAM")
    london = UserFactory(role=Role.MARAC_COORDINATOR, team=team("CEN"))
    assert victim.pk in alerted(borough_coordinator) & alerted(london)

    settings.MARAC_REPEAT_WINDOW_DAYS = 9  # the incident came 10 days after the referral
    assert victim.pk not in alerted(borough_coordinator) | alerted(london)
    settings.MARAC_REPEAT_WINDOW_DAYS = 25  # both the referral and the incident inside it
    assert victim.pk in alerted(borough_coordinator) & alerted(london)


def test_the_rule_kept_for_the_process_is_the_one_of_the_current_window(repeat, settings):
    # The rule is built once per window (_repeat_rule): given the candidate directly, so only
    # the rule's own window can leave it out, a shorter window must not reuse the longer one's.
    _, victim = repeat
    borough_coordinator = coordinator("LAM")
    assert list(_repeat_alerts_among(borough_coordinator, None, [victim.pk])) == [victim]
    settings.MARAC_REPEAT_WINDOW_DAYS = 9  # the incident came 10 days after the referral
    assert list(_repeat_alerts_among(borough_coordinator, None, [victim.pk])) == []
    settings.MARAC_REPEAT_WINDOW_DAYS = 25
    assert list(_repeat_alerts_among(borough_coordinator, None, [victim.pk])) == [victim]


def test_alerts_stay_in_the_viewers_borough_and_follow_a_moved_incident(repeat):
    _, victim = repeat
    lambeth, southwark = coordinator("LAM"), coordinator("SOU")
    assert victim.pk in alerted(lambeth) and victim.pk not in alerted(southwark)
    london = UserFactory(role=Role.MARAC_COORDINATOR, team=team("CEN"))
    southwark_id = Borough.objects.get(code="SOU").pk
    assert victim.pk not in alerted(london, borough_id=southwark_id)

    Incident.objects.filter(pk=victim.incident_id).update(borough_id=southwark_id)
    assert victim.pk in alerted(southwark) and victim.pk not in alerted(lambeth)
    assert victim.pk in alerted(london, borough_id=southwark_id)


def test_a_borough_coordinators_alerts_are_one_candidates_query_however_many_victims(repeat):
    from django.test.utils import CaptureQueriesContext

    lambeth = coordinator("LAM")
    with CaptureQueriesContext(connection) as few:
        list(repeat_marac_alerts(viewer=lambeth))
    for _ in range(3):
        complete_incident()
    with CaptureQueriesContext(connection) as many:
        list(repeat_marac_alerts(viewer=lambeth))
    assert len(few) == len(many)
    assert any("marac_repeatmaraccandidate" in q["sql"] for q in many.captured_queries)


# --- Two writers about one victim at once -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_writers_about_one_victim_leave_the_candidacy_the_rule_gives(reference_data):
    """One transaction reopens an old rejected referral while another rejects the latest: each
    alone computes from its own snapshot, and the second would remove the candidacy the first's
    reopened referral still gives. The person's lock makes the second wait and then read it."""
    referral = referral_made_days_ago(30)
    victim = new_incident_of(referral.person, 10, referral)
    older = referral_made_days_ago(50)
    MaracReferral.objects.filter(pk=older.pk).update(
        person=referral.person, status=ReferralStatus.REJECTED, rejection_reason="Duplicate."
    )
    assert_kept_by_the_rule()

    first, second = separate_connection(), separate_connection()
    try:
        first.cursor().execute(
            "UPDATE marac_maracreferral SET status = 'accepted' WHERE id = %s", [older.pk]
        )

        def reject_the_latest():
            try:
                second.cursor().execute(
                    "UPDATE marac_maracreferral SET status = 'rejected', "
                    "rejection_reason = 'Wrong person' WHERE id = %s",
                    [referral.pk],
                )
                second.commit()
            except Exception:
                second.rollback()
                raise

        # The second waits: for the person's lock (without it, for the first's rows).
        assert second_writer_waits_then_runs(first, reject_the_latest) == []
    finally:
        first.close()
        second.close()
    (row,) = [r for r in repeat_candidates_kept() if r[0] == victim.pk]
    older.refresh_from_db()
    assert row[3] == older.created_at
    assert_kept_by_the_rule()


# --- As deployed: the application's database role ----------------------------------------------


def test_the_application_role_keeps_the_candidates_and_cannot_skip_it(reference_data, as_app_role):
    """The triggers run as the role that writes: the application's (no superuser, no owner)
    must be able to keep the table, or every new victim and referral would fail."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == django_settings.DATABASE_APP_ROLE
    referral = referral_made_days_ago(30)
    victim = new_incident_of(referral.person, 10, referral)
    assert victim.pk in candidate_parties()
    referral_reject(actor=coordinator(), referral_id=referral.pk, reason="Not enough detail.")
    assert victim.pk not in candidate_parties()
    assert_kept_by_the_rule()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_party DISABLE TRIGGER ALL")


# --- Writes around the services, at once: a party and its incident ------------------------------


def add_victim_while_the_incident_changes(incident, person, change_sql, params):
    """Another connection changes the incident (not committed yet) while this one adds a
    victim; the party's trigger must wait and read the incident as committed."""
    first = separate_connection()
    try:
        first.cursor().execute(change_sql, params)

        def add():
            try:
                with transaction.atomic():
                    Party.objects.create(incident=incident, person=person, role=PartyRole.VICTIM)
            finally:
                connection.close()  # the thread's own connection

        assert second_writer_waits_then_runs(first, add) == []
    finally:
        first.close()


def second_writer_waits_then_runs(first, write) -> list[Exception]:
    """Run `write` in a thread while `first` (a connection) holds its uncommitted change: the
    write must wait for a lock; then `first` commits and the write finishes. Returns what the
    write raised."""
    errors = []

    def run():
        try:
            write()
        except Exception as error:  # noqa: BLE001 (returned to the test)
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    assert wait_for(lambda: backends_waiting_for_a_lock() == 1, timeout=5), (
        "the second writer did not wait"
    )
    first.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    return errors


@pytest.mark.django_db(transaction=True)
def test_a_victim_added_while_the_incidents_time_is_corrected_is_a_candidate(reference_data):
    """Found in review: without the party's wait, it was computed from the old time (before the
    referral) and the incident's trigger, which chose its victims before it existed, never
    corrected it: a repeat MARAC missing."""
    referral = referral_made_days_ago(30)
    incident, _, _ = complete_incident(occurred_at=referral.created_at - timedelta(days=10))
    corrected = referral.created_at + timedelta(days=10)

    add_victim_while_the_incident_changes(
        incident,
        referral.person,
        "UPDATE cases_incident SET occurred_at = %s, reported_at = GREATEST(reported_at, %s) "
        "WHERE id = %s",
        [corrected, corrected, incident.pk],
    )

    assert Party.objects.get(incident=incident, person=referral.person).pk in candidate_parties()
    assert_kept_by_the_rule()


@pytest.mark.django_db(transaction=True)
def test_a_victim_added_while_the_incident_moves_borough_is_kept_under_the_new_one(
    reference_data,
):
    """Found in review: the candidacy was kept under the old borough, whose coordinator no
    longer sees the incident, and the new borough's never saw the alert."""
    referral = referral_made_days_ago(30)
    incident, _, _ = complete_incident(occurred_at=referral.created_at + timedelta(days=10))
    other = Borough.objects.exclude(pk=incident.borough_id).order_by("pk").first()

    add_victim_while_the_incident_changes(
        incident,
        referral.person,
        "UPDATE cases_incident SET borough_id = %s WHERE id = %s",
        [other.pk, incident.pk],
    )

    assert [r for r in repeat_candidates_kept() if r[1] == other.pk]
    assert_kept_by_the_rule()


def test_suspects_and_witnesses_lock_no_one(repeat):
    """A party that is not, and was not, a victim has no candidacy: its trigger returns before
    taking any lock (bulk edits of suspects contend with no referral)."""
    _, victim = repeat

    def advisory_locks_held() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    held = advisory_locks_held()
    witness = add_party(victim.incident, PartyRole.WITNESS)
    Party.objects.filter(pk=witness.pk).update(role=PartyRole.SUSPECT)
    Party.objects.filter(pk=witness.pk).delete()
    assert advisory_locks_held() == held
    # A victim's does lock (the test's measure works).
    add_party(victim.incident, PartyRole.VICTIM)
    assert advisory_locks_held() == held + 1
    assert_kept_by_the_rule()


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_write_the_candidates_around_the_triggers(
    reference_data, as_app_role
):
    """Found in review: granted DML like any domain table, one statement of the application's
    role could hide a repeat MARAC from every coordinator, with no history. It may only read
    the table; the triggers write it through functions that run as the owner."""
    referral = referral_made_days_ago(30)
    incident, _, _ = complete_incident(occurred_at=referral.created_at + timedelta(days=10))
    victim = add_party(incident, PartyRole.VICTIM, person=referral.person)
    assert victim.pk in candidate_parties()
    for statement, params in (
        ("DELETE FROM marac_repeatmaraccandidate WHERE party_id = %s", [victim.pk]),
        ("UPDATE marac_repeatmaraccandidate SET last_referral_at = '2000-01-01'", []),
        (
            "INSERT INTO marac_repeatmaraccandidate SELECT id, 1, now(), now() "
            "FROM cases_party WHERE id <> %s LIMIT 1",
            [victim.pk],
        ),
        ("SELECT marac_repeat_candidates_rebuild()", []),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert_kept_by_the_rule()


# --- The home's first page ----------------------------------------------------------------------


def test_the_first_page_of_alerts_is_the_start_of_the_whole_list_past_candidates_that_fail():
    """`first_repeat_marac_alerts` applies the rule to the newest candidates a batch at a time:
    when the newest fail it, the page still holds the
    next alerts, in the whole list's order, ties in time by party."""
    referral = referral_made_days_ago(60)
    alerts = [new_incident_of(referral.person, days, referral) for days in (5, 10, 15)]
    tied = new_incident_of(referral.person, 15, referral)
    Incident.objects.filter(pk=tied.incident_id).update(
        occurred_at=Incident.objects.get(pk=alerts[2].incident_id).occurred_at
    )
    # The newest candidates, each failing the rule (another perpetrator): the first batches.
    failing = [
        new_incident_of(referral.person, days, referral, same_perpetrator=False)
        for days in (40, 45, 50)
    ]
    assert {party.pk for party in failing} <= candidate_parties()
    assert_kept_by_the_rule()

    for viewer in (coordinator(), coordinator("CEN")):
        whole = list(repeat_marac_alerts(viewer=viewer))
        assert [party.pk for party in whole] == [
            *sorted([alerts[2].pk, tied.pk], reverse=True),
            alerts[1].pk,
            alerts[0].pk,
        ]
        for limit in range(1, len(whole) + 2):
            page = first_repeat_marac_alerts(viewer=viewer, limit=limit)
            assert page == whole[:limit]
            assert page[0].incident.reference and page[0].person.full_name  # read with them
    assert first_repeat_marac_alerts(viewer=coordinator("SOU"), limit=20) == []
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    assert first_repeat_marac_alerts(viewer=officer, limit=20) == []
