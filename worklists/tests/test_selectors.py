"""Each role's work lists: what is waiting appears, what is done or belongs to someone else,
another borough or another agency does not."""

import pytest
from django.utils import timezone

from cases.models import Incident, IncidentStatus, PartyRole
from cases.services.positive_action import arrest_decision_respond
from cases.tests.factories import add_party, complete_incident
from marac.models import ActionStatus, MaracAction
from publicprotection.accounts.models import Borough
from riskassessment.models import RaraStatus
from riskassessment.tests.factories import start_assessment
from worklists import selectors
from worklists.tests import builders

pytestmark = pytest.mark.django_db


def keys(lists):
    return [work_list.key for work_list in lists]


def shown(lists, key):
    return next(work_list for work_list in lists if work_list.key == key).records


# --- Officer ------------------------------------------------------------------------------------


def test_officer_sees_decisions_returned_to_them_until_they_respond(
    lambeth_officer, lambeth_supervisor, southwark_officer
):
    mine = builders.returned_decision(lambeth_officer, lambeth_supervisor)
    colleague = builders.returned_decision(
        builders.UserFactory(role="officer", team=lambeth_officer.team), lambeth_supervisor
    )
    assert list(selectors.officer_returned_decisions(viewer=lambeth_officer)) == [mine]
    assert colleague not in selectors.officer_returned_decisions(viewer=lambeth_officer)
    assert not selectors.officer_returned_decisions(viewer=southwark_officer).exists()

    arrest_decision_respond(actor=lambeth_officer, decision_id=mine.pk, response="Done: spoke.")

    assert not selectors.officer_returned_decisions(viewer=lambeth_officer).exists()


def test_officer_sees_own_drafts_only(lambeth_officer, southwark_officer):
    draft = builders.draft_incident(lambeth_officer)
    complete_incident(actor=lambeth_officer)  # open, not a draft
    builders.draft_incident(builders.UserFactory(role="officer", team=lambeth_officer.team))

    assert list(selectors.officer_draft_incidents(viewer=lambeth_officer)) == [draft]
    assert not selectors.officer_draft_incidents(viewer=southwark_officer).exists()


def test_officer_assessments_to_finish_and_victims_to_assess(lambeth_officer, southwark_officer):
    incident, victim, _ = complete_incident(actor=lambeth_officer)
    second = add_party(incident, PartyRole.VICTIM, actor=lambeth_officer)
    draft = start_assessment(victim=victim, actor=lambeth_officer)

    assert list(selectors.officer_draft_assessments(viewer=lambeth_officer)) == [draft]
    # The assessed victim has left the "to assess" list; the other is still on it.
    assert list(selectors.officer_victims_not_assessed(viewer=lambeth_officer)) == [second]
    assert not selectors.officer_draft_assessments(viewer=southwark_officer).exists()
    assert not selectors.officer_victims_not_assessed(viewer=southwark_officer).exists()


def test_a_victim_of_an_incident_closed_unassessed_stays_on_the_officers_list():
    """Given a victim never assessed in an incident closed before closing needed it (records
    from before this rule, or loaded from an earlier system), the officer's "Victims to assess"
    still lists them, saying the incident is closed: nothing else asks for the assessment. The
    list used to cover open incidents only."""
    incident, victim, _ = complete_incident()
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.CLOSED)
    officer = incident.created_by

    assert list(selectors.officer_victims_not_assessed(viewer=officer)) == [victim]
    listed = next(w for w in selectors.work_lists(viewer=officer) if w.key == "not_assessed")
    assert "(incident closed)" in listed.items[0].detail

    start_assessment(victim=victim, actor=officer)
    assert not selectors.officer_victims_not_assessed(viewer=officer).exists()


def test_a_draft_incidents_victims_are_not_listed_until_it_is_submitted():
    incident, victim, _ = complete_incident()
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.DRAFT)

    assert not selectors.officer_victims_not_assessed(viewer=incident.created_by).exists()


def test_officer_actions_due_are_own_open_and_overdue_or_due_soon(
    lambeth_officer, lambeth_supervisor
):
    assessment = start_assessment(actor=lambeth_officer)
    overdue = builders.rara_action(assessment, lambeth_officer, -2)
    due = builders.rara_action(assessment, lambeth_officer, 3)
    builders.rara_action(assessment, lambeth_officer, 30)  # not due yet
    done = builders.rara_action(assessment, lambeth_officer, -1)
    done.status = RaraStatus.DONE
    done.save()
    builders.rara_action(assessment, lambeth_supervisor, -5)  # someone else's

    rows = list(selectors.officer_actions_due(viewer=lambeth_officer))

    assert rows == [overdue, due]
    assert [row.is_overdue for row in rows] == [True, False]


def test_officer_outstanding_suspects_are_their_own(lambeth_officer, southwark_officer):
    _, _, suspect = complete_incident(actor=lambeth_officer)
    complete_incident()  # another officer's outstanding suspect in Lambeth

    rows = list(selectors.officer_outstanding_suspects(viewer=lambeth_officer))

    assert [decision.suspect_id for decision in rows] == [suspect.pk]
    assert not selectors.officer_outstanding_suspects(viewer=southwark_officer).exists()


# --- Supervisor ---------------------------------------------------------------------------------


def test_supervisor_lists_are_their_borough_only(
    lambeth_supervisor, southwark_supervisor, lambeth_officer
):
    # Each comes with an incident whose decision not to arrest awaits review.
    grading = builders.submitted_assessment(borough_code="LAM", level="medium")
    builders.submitted_assessment(borough_code="SOU", level="medium")
    overdue = builders.rara_action(grading, lambeth_officer, -3)

    lists = selectors.work_lists(viewer=lambeth_supervisor)
    other = selectors.work_lists(viewer=southwark_supervisor)

    assert keys(lists) == ["reviews", "gradings", "team_actions"]
    assert [d.incident_id for d in shown(lists, "reviews")] == [grading.incident_id]
    assert shown(lists, "gradings") == [grading]
    assert shown(lists, "team_actions") == [overdue]
    assert [len(work_list.records) for work_list in other] == [1, 1, 0]
    assert grading not in shown(other, "gradings")


# --- MARAC coordinator --------------------------------------------------------------------------


def test_coordinator_lists_triage_high_undecided_and_overdue_actions(lambeth_coordinator):
    waiting = builders.referral("LAM")
    builders.referral("SOU")
    undecided = builders.submitted_assessment(borough_code="LAM")
    builders.submitted_assessment(borough_code="SOU")
    builders.submitted_assessment(borough_code="LAM", marac_decision="not_referred")
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    listing = builders.listed_case(at, idva.agency)
    late = builders.marac_action(listing, idva.agency, 5)
    MaracAction.objects.filter(pk=late.pk).update(due_date=timezone.localdate().replace(year=2025))

    lists = selectors.work_lists(viewer=lambeth_coordinator)

    assert keys(lists) == ["triage", "high", "repeats", "meetings", "marac_actions"]
    assert shown(lists, "triage") == [waiting]
    assert shown(lists, "high") == [undecided]
    assert shown(lists, "meetings") == [at]
    assert shown(lists, "marac_actions") == [late]


def test_meeting_rows_carry_their_pack_state(lambeth_coordinator):
    at = builders.meeting("LAM")

    meetings = next(
        wl for wl in selectors.work_lists(viewer=lambeth_coordinator) if wl.key == "meetings"
    )

    assert [item.tag for item in meetings.items] == ["Pack: Not asked for"]
    assert meetings.items[0].record == at


def test_a_pack_being_rebuilt_is_still_shown_ready(lambeth_coordinator):
    """Asking for a newer pack keeps the last one downloadable (ADR 0006): the row does not say
    the meeting has no pack to circulate."""
    from marac.models import DocumentStatus, MeetingDocument

    at = builders.meeting("LAM")
    MeetingDocument.objects.create(
        meeting=at, kind="pack", requested_by=lambeth_coordinator, status=DocumentStatus.PENDING,
        file="marac/meetings/1/pack/coordinator/pack-0123456789abcdef.pdf", checksum="0" * 64,
    )  # fmt: skip

    meetings = next(
        wl for wl in selectors.work_lists(viewer=lambeth_coordinator) if wl.key == "meetings"
    )

    assert [(item.tag, item.tag_colour) for item in meetings.items] == [
        ("Pack: Ready, a newer version is being produced", "green")
    ]


def test_london_wide_coordinator_narrows_to_the_chosen_borough(central_coordinator):
    lambeth = builders.referral("LAM")
    southwark = builders.referral("SOU")
    sou = Borough.objects.get(code="SOU")

    everywhere = shown(selectors.work_lists(viewer=central_coordinator), "triage")
    narrowed = shown(selectors.work_lists(viewer=central_coordinator, borough_id=sou.pk), "triage")

    assert set(everywhere) == {lambeth, southwark}
    assert narrowed == [southwark]
    assert selectors.chooses_borough(central_coordinator)


def test_a_borough_coordinator_cannot_widen_their_lists(lambeth_coordinator):
    builders.referral("SOU")
    sou = Borough.objects.get(code="SOU")

    lists = selectors.work_lists(viewer=lambeth_coordinator, borough_id=sou.pk)

    assert shown(lists, "triage") == []
    assert not selectors.chooses_borough(lambeth_coordinator)


# --- Partner ------------------------------------------------------------------------------------


def test_partner_sees_its_cases_research_to_record_and_actions_due():
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    other = builders.idva_partner()
    first = builders.listed_case(at, idva.agency)
    second = builders.listed_case(at, idva.agency)
    theirs = builders.listed_case(builders.meeting("LAM"), other.agency)  # not shared with idva
    builders.record_research(idva, first)
    due = builders.marac_action(first, idva.agency, 2)
    builders.marac_action(first, idva.agency, 40)  # not due soon
    closed = builders.marac_action(second, idva.agency, 1)
    MaracAction.objects.filter(pk=closed.pk).update(status=ActionStatus.DONE)

    lists = selectors.work_lists(viewer=idva)

    assert keys(lists) == ["research", "partner_actions", "upcoming_cases"]
    assert shown(lists, "research") == [second]
    assert shown(lists, "partner_actions") == [due]
    assert set(shown(lists, "upcoming_cases")) == {first, second}
    others = selectors.work_lists(viewer=other)
    assert shown(others, "research") == [theirs]
    assert shown(others, "partner_actions") == []


# --- Other roles and counts ---------------------------------------------------------------------


def test_other_roles_have_no_work_lists(analyst, admin_user):
    assert selectors.work_lists(viewer=analyst) == []
    assert selectors.work_lists(viewer=admin_user) == []


def test_counts_match_the_lists_in_one_query(
    lambeth_officer, lambeth_supervisor, django_assert_num_queries
):
    builders.returned_decision(lambeth_officer, lambeth_supervisor)
    builders.draft_incident(lambeth_officer)
    builders.draft_incident(lambeth_officer)
    lists = selectors.work_lists(viewer=lambeth_officer)

    with django_assert_num_queries(1) as queries:
        total = selectors.waiting_count(lists)

    # Counted unordered: a capped count needs no sort of every row first.
    assert "ORDER BY" not in queries.captured_queries[0]["sql"]
    counts = {work_list.key: work_list.count for work_list in lists}
    assert counts["returned"] == 1
    assert counts["drafts"] == 2
    assert counts["suspects"] == 1
    assert counts["not_assessed"] == 1
    assert total == sum(counts.values())
    assert counts == {wl.key: len(wl.records) for wl in lists}


def test_counts_stop_at_the_cap(lambeth_officer, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(4):
        builders.draft_incident(lambeth_officer)
    lists = selectors.work_lists(viewer=lambeth_officer)

    total = selectors.waiting_count(lists)

    drafts = next(work_list for work_list in lists if work_list.key == "drafts")
    assert drafts.count == 3  # the cap and one more: enough to know there are more
    assert drafts.count_label == "2+"
    assert selectors.waiting_label(total) == "2+"
    assert selectors.waiting_label(0) == ""


def _list(key, rows, *, costly=False):
    return selectors.WorkList(
        key=key, title=key, empty="", rows=rows, describe=lambda record: None, costly=costly
    )


def _never():
    raise AssertionError("a costly list was counted although the total was already past the cap")


def test_a_costly_list_is_counted_only_when_the_others_leave_the_total_under_the_cap(
    monkeypatch, django_assert_num_queries
):
    from publicprotection.accounts.models import Borough

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    past_the_cap = [
        _list("many", lambda: Borough.objects.all()),
        _list("costly", _never, costly=True),
    ]
    with django_assert_num_queries(1):
        assert selectors.waiting_label(selectors.waiting_count(past_the_cap)) == "2+"

    under = [
        _list("none", lambda: Borough.objects.none()),
        _list("costly", lambda: Borough.objects.filter(code="LAM"), costly=True),
    ]
    assert selectors.waiting_count(under) == 1


def test_only_a_london_wide_coordinators_repeat_alerts_over_london_are_costly():
    from marac.tests.factories import coordinator
    from publicprotection.accounts.models import Borough

    def repeats(viewer, borough_id=None):
        lists = selectors.work_lists(viewer=viewer, borough_id=borough_id)
        return next(work_list for work_list in lists if work_list.key == "repeats")

    central = coordinator("CEN")
    assert repeats(central).costly
    assert not repeats(central, Borough.objects.get(code="LAM").pk).costly
    assert not repeats(coordinator("LAM")).costly
