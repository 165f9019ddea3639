"""What each section picks, and the edges of 'since the previous meeting'."""

from datetime import date, timedelta

import pytest
from django.db.models import Q

from cases.models import ArrestDecision, Incident, IncidentStatus, PartyRole
from cases.tests.factories import PersonFactory, add_offence, add_party, not_arrested
from marac.meeting_calendar import meeting_period
from marac.models import AgendaSection, ItemObjectType
from marac.selectors.content import agenda_content
from publicprotection.accounts.tests.factories import team
from riskassessment.models import AssessmentStatus, RiskAssessment

from .helpers import (
    MONDAY,
    at,
    awaiting_decision,
    incident_reported,
    overdue_action,
    submitted_assessment,
    suspect_of,
    victim_again,
)

pytestmark = pytest.mark.django_db


def refs(team_code, meeting_date, section):
    items = agenda_content(team(team_code), meeting_period(meeting_date))
    return [i.reference for i in items if i.section == section]


def test_monday_covers_the_weekend_from_fridays_meeting():
    period = meeting_period(MONDAY)

    assert period.start == at(date(2025, 5, 30), 7)
    assert period.end == at(MONDAY, 7)


def test_tuesday_to_friday_cover_the_previous_morning_and_winter_time_is_london_time():
    period = meeting_period(date(2025, 1, 15))  # a Wednesday in GMT

    assert period.start == at(date(2025, 1, 14), 7)
    assert period.end.utcoffset() == timedelta(0)
    assert meeting_period(MONDAY).end.utcoffset() == timedelta(hours=1)


def test_meeting_time_is_a_setting(settings):
    settings.DAILY_AGENDA_HOUR = 8
    settings.DAILY_AGENDA_MINUTE = 30

    assert meeting_period(MONDAY).end == at(MONDAY, 8, 30)


def test_new_high_risk_boundaries_and_the_weekend():
    start, end = meeting_period(MONDAY).start, meeting_period(MONDAY).end
    at_start = submitted_assessment(start)
    saturday = submitted_assessment(at(date(2025, 5, 31), 23))
    just_before_end = submitted_assessment(end - timedelta(seconds=1))
    before_start = submitted_assessment(start - timedelta(seconds=1))
    at_end = submitted_assessment(end)
    medium = submitted_assessment(at(date(2025, 5, 31), 10), level="medium")
    southwark = submitted_assessment(at(date(2025, 5, 31), 10), borough_code="SOU")

    found = refs("LAM", MONDAY, AgendaSection.HIGH_RISK)

    assert set(found) == {
        at_start.incident.reference,
        saturday.incident.reference,
        just_before_end.incident.reference,
    }
    for outside in (before_start, at_end, medium, southwark):
        assert outside.incident.reference not in found


def test_tuesday_does_not_repeat_mondays_items():
    weekend = submitted_assessment(at(date(2025, 5, 31), 10))
    monday_morning = submitted_assessment(at(MONDAY, 9))

    tuesday = refs("LAM", date(2025, 6, 3), AgendaSection.HIGH_RISK)

    assert tuesday == [monday_morning.incident.reference]
    assert weekend.incident.reference not in tuesday


def test_medium_risk_only_with_escalation():
    escalating = submitted_assessment(at(date(2025, 5, 31), 10), level="medium", escalation=True)
    plain = submitted_assessment(at(date(2025, 5, 31), 11), level="medium")

    found = refs("LAM", MONDAY, AgendaSection.MEDIUM_ESCALATION)

    assert found == [escalating.incident.reference]
    assert plain.incident.reference not in found


def test_outstanding_suspects_show_how_long_oldest_first():
    old = awaiting_decision(decided_at=at(date(2025, 5, 20), 12))
    recent = awaiting_decision(decided_at=at(date(2025, 6, 1), 12))
    awaiting_decision(borough_code="SOU")

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.OUTSTANDING_SUSPECTS
    ]

    assert [i.object_id for i in items] == [old.suspect.person_id, recent.suspect.person_id]
    assert "outstanding for 13 days" in items[0].summary
    assert "outstanding for 1 day " in items[1].summary


def test_decisions_awaiting_review_overdue_first():
    due_later = awaiting_decision(due_at=at(MONDAY, 18))
    overdue = awaiting_decision(due_at=at(date(2025, 5, 31), 9))
    reviewed = awaiting_decision(due_at=at(date(2025, 5, 31), 8))
    ArrestDecision.objects.filter(pk=reviewed.pk).update(review_status="endorsed")

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.AWAITING_REVIEW
    ]

    assert [i.object_id for i in items] == [overdue.suspect.person_id, due_later.suspect.person_id]
    assert items[0].lines[1].startswith(f"{overdue.incident.reference}: OVERDUE")
    assert "OVERDUE" not in items[1].summary


def test_repeat_victims_in_the_period():
    person = PersonFactory()
    victim_again(person, at(date(2025, 4, 1), 12))
    latest = victim_again(person, at(date(2025, 5, 31), 12))
    once = PersonFactory()
    victim_again(once, at(date(2025, 5, 31), 13))
    earlier = PersonFactory()  # a repeat victim, but nothing new since the last meeting
    victim_again(earlier, at(date(2025, 4, 1), 12))
    victim_again(earlier, at(date(2025, 5, 29), 12))

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.REPEAT_VICTIMS
    ]

    assert [(i.object_id, i.reference) for i in items] == [(person.pk, latest.reference)]
    assert "1 other incident as a victim" in items[0].summary


def test_serial_perpetrators_in_the_period():
    serial = PersonFactory()
    suspect_of(serial, at(date(2025, 3, 1), 12))
    latest = suspect_of(serial, at(date(2025, 5, 31), 12))
    single = PersonFactory()
    suspect_of(single, at(date(2025, 5, 31), 12))

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.SERIAL_PERPETRATORS
    ]

    assert [(i.object_id, i.reference) for i in items] == [(serial.pk, latest.reference)]


def test_overdue_rara_actions_due_before_the_meeting_day():
    overdue = overdue_action(date(2025, 5, 30))
    due_today = overdue_action(MONDAY)
    done = overdue_action(date(2025, 5, 1))
    done.status = "done"
    done.save()

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.OVERDUE_RARA
    ]

    assert [i.object_id for i in items] == [overdue.pk]
    assert due_today.pk not in [i.object_id for i in items]
    assert "3 days overdue" in items[0].summary


def test_central_lists_london_high_risk_and_people_across_boroughs():
    lambeth = submitted_assessment(at(date(2025, 5, 31), 10))
    southwark = submitted_assessment(at(date(2025, 5, 31), 11), borough_code="SOU")
    traveller = PersonFactory()
    in_lambeth = victim_again(traveller, at(date(2025, 5, 30), 20))
    in_southwark = victim_again(traveller, at(date(2025, 6, 1), 9), borough_code="SOU")
    stay_at_home = PersonFactory()
    victim_again(stay_at_home, at(date(2025, 5, 31), 9))
    victim_again(stay_at_home, at(date(2025, 5, 31), 19))
    outside = PersonFactory()  # the other borough's incident is before the period
    victim_again(outside, at(date(2025, 5, 29), 9), borough_code="SOU")
    victim_again(outside, at(date(2025, 5, 31), 9))

    items = agenda_content(team("CEN"), meeting_period(MONDAY))

    high = [i for i in items if i.section == AgendaSection.LONDON_HIGH_RISK]
    assert {i.reference for i in high} == {lambeth.incident.reference, southwark.incident.reference}
    assert any("Borough: Southwark" in i.summary for i in high)
    cross = [i for i in items if i.section == AgendaSection.CROSS_BOROUGH]
    assert [i.object_id for i in cross] == [traveller.pk]
    assert in_lambeth.reference in cross[0].summary
    assert in_southwark.reference in cross[0].summary
    assert {i.section for i in items} <= {
        AgendaSection.LONDON_HIGH_RISK,
        AgendaSection.CROSS_BOROUGH,
    }


def test_borough_agenda_has_no_central_sections():
    incident_reported(at(date(2025, 5, 31), 10), decision="not_arrested")

    sections = {i.section for i in agenda_content(team("LAM"), meeting_period(MONDAY))}

    assert AgendaSection.CROSS_BOROUGH not in sections
    assert AgendaSection.OUTSTANDING_SUSPECTS in sections


def test_marac_referrals_awaiting_a_decision_oldest_first():
    from marac.models import MaracReferral

    from .factories import refer

    first, second = refer(), refer()
    MaracReferral.objects.filter(pk=second.pk).update(status="accepted")

    got = refs("LAM", MONDAY, AgendaSection.MARAC_AWAITING)

    assert got == [first.incident.reference]


def test_repeat_marac_alert_for_a_new_incident_within_a_year_of_the_last_referral():
    from cases.models import Party, PartyRole
    from marac.models import MaracReferral

    from .factories import refer

    def with_perpetrator_of(incident, referral):
        perpetrator = Party.objects.get(incident=referral.incident, role=PartyRole.SUSPECT)
        add_party(incident, PartyRole.SUSPECT, person=perpetrator.person)
        return incident

    referral = refer()
    MaracReferral.objects.filter(pk=referral.pk).update(
        created_at=at(MONDAY, 7) - timedelta(days=200)
    )
    new_incident = with_perpetrator_of(
        victim_again(referral.person, at(date(2025, 5, 31), 10)), referral
    )
    # The same victim with another perpetrator is not a repeat MARAC.
    victim_again(referral.person, at(date(2025, 5, 31), 12))
    stale = refer()
    MaracReferral.objects.filter(pk=stale.pk).update(created_at=at(MONDAY, 7) - timedelta(days=400))
    with_perpetrator_of(victim_again(stale.person, at(date(2025, 5, 31), 11)), stale)

    assert refs("LAM", MONDAY, AgendaSection.REPEAT_MARAC) == [new_incident.reference]


def test_protective_orders_expiring_from_the_meeting_day_to_seven_days_after():
    from cases.services.orders import protective_order_add

    incident, victim, suspect = incident_reported(at(date(2025, 5, 1), 9))

    def order(expires):
        return protective_order_add(
            actor=incident.created_by, incident_id=incident.pk, protected=victim,
            respondent=suspect, order_type="dvpo", made_on=date(2025, 5, 1), expires_on=expires,
        )  # fmt: skip

    order(MONDAY - timedelta(days=1))  # expired yesterday
    on_the_day = order(MONDAY)
    last_day = order(MONDAY + timedelta(days=7))
    order(MONDAY + timedelta(days=8))  # too far ahead

    items = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.ORDERS_EXPIRING
    ]

    assert [i.object_id for i in items] == [on_the_day.pk, last_day.pk]
    assert "Expires 02 Jun 2025 (today)." in items[0].lines


def test_a_suspect_outstanding_and_awaiting_review_in_two_incidents_is_listed_once_a_section():
    first = awaiting_decision(
        decided_at=at(date(2025, 5, 20), 12), due_at=at(date(2025, 5, 21), 12)
    )
    second_incident, _, _ = incident_reported(at(date(2025, 5, 31), 10))
    second_suspect = add_party(second_incident, PartyRole.SUSPECT, person=first.suspect.person)
    add_offence(second_incident, second_suspect)
    second = not_arrested(second_suspect)
    ArrestDecision.objects.filter(pk=second.pk).update(
        is_outstanding=True,
        decided_at=at(date(2025, 5, 31), 11),
        review_status="awaiting",
        review_due_at=at(date(2025, 6, 1), 11),
    )

    items = agenda_content(team("LAM"), meeting_period(MONDAY))

    for section in (AgendaSection.OUTSTANDING_SUSPECTS, AgendaSection.AWAITING_REVIEW):
        listed = [i for i in items if i.section == section]
        person = first.suspect.person
        assert [i.object_id for i in listed] == [person.pk], section
        lines = listed[0].lines
        assert lines[0].startswith(f"{person.full_name}: ")
        # Each incident on its own line, never run together.
        assert [line.split(":")[0] for line in lines[1:]] == [
            first.incident.reference,
            second.incident.reference,
        ]


def test_each_reason_for_a_high_risk_assessment_is_its_own_line():
    assessment = submitted_assessment(at(date(2025, 5, 31), 10))
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        recommendation_reasons=["Credible threats to kill", "Strangulation or choking"]
    )

    (item,) = [
        i
        for i in agenda_content(team("LAM"), meeting_period(MONDAY))
        if i.section == AgendaSection.HIGH_RISK
    ]

    assert "Reason: Credible threats to kill" in item.lines
    assert "Reason: Strangulation or choking" in item.lines
    assert item.lines[-1] == "MARAC: no decision recorded."
    assert item.summary == "\n".join(item.lines)


def test_draft_incidents_stay_off_the_agenda():
    period = meeting_period(MONDAY)
    draft, _, suspect = incident_reported(at(date(2025, 5, 31), 10), status=IncidentStatus.DRAFT)
    decision = not_arrested(suspect)
    ArrestDecision.objects.filter(pk=decision.pk).update(
        is_outstanding=True, review_status="awaiting", review_due_at=at(date(2025, 6, 1), 10)
    )
    victim = draft.parties.get(role=PartyRole.VICTIM).person
    victim_again(victim, at(date(2025, 4, 1), 12))  # a submitted earlier incident
    other_victim = PersonFactory()
    earlier, _, _ = incident_reported(at(date(2025, 4, 2), 12))
    add_party(earlier, PartyRole.VICTIM, person=other_victim)
    earlier.parties.filter(role=PartyRole.SUSPECT).update(person=suspect.person)
    high = submitted_assessment(at(date(2025, 5, 31), 11))
    Incident.objects.filter(pk=high.incident_id).update(status=IncidentStatus.DRAFT)

    items = agenda_content(team("LAM"), period)

    references = {i.reference for i in items}
    assert draft.reference not in references
    assert high.incident.reference not in references
    assert suspect.person_id not in {
        i.object_id for i in items if i.object_type == ItemObjectType.PERSON
    }


def test_a_high_assessed_while_its_incident_was_a_draft_reaches_the_meeting_after_submission():
    """Found by the invariants suite: the assessment's own submission fell in an earlier period,
    while its incident was a draft (off every agenda); it must not miss every meeting."""
    high = submitted_assessment(at(date(2025, 5, 20), 11))  # a week before Monday's period
    Incident.objects.filter(pk=high.incident_id).update(status=IncidentStatus.DRAFT)
    assert high.pk not in {i.object_id for i in agenda_content(team("LAM"), meeting_period(MONDAY))}

    Incident.objects.filter(pk=high.incident_id).update(
        status=IncidentStatus.OPEN, submitted_at=at(date(2025, 5, 31), 9)
    )

    items = agenda_content(team("LAM"), meeting_period(MONDAY))
    assert high.pk in {
        i.object_id for i in items if i.object_type == ItemObjectType.RISK_ASSESSMENT
    }


def _by_the_rule(period, level, borough_code=None):
    """The new-assessment rule as one plain query (how the selector read it before it read
    ids first): the reference the faster selector must match, row for row."""
    qs = RiskAssessment.objects.filter(
        Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
        | Q(level_set_at__gte=period.start, level_set_at__lt=period.end)
        | Q(incident__submitted_at__gte=period.start, incident__submitted_at__lt=period.end),
        ~Q(incident__status=IncidentStatus.DRAFT),
        is_current=True,
        final_level=level,
        status__in=[AssessmentStatus.AWAITING_REVIEW, AssessmentStatus.CONFIRMED],
    )
    if borough_code:
        qs = qs.filter(borough__code=borough_code)
    return list(qs.order_by("submitted_at", "id").values_list("id", flat=True))


def test_new_assessments_read_by_ids_first_are_exactly_the_rules():
    """Each way in (submitted, level set, incident submitted in the period) at each edge of the
    period, for both levels, and each way out (not current, a draft, a draft incident, another
    borough, no escalation): the sections list exactly what the rule's plain query lists."""
    period = meeting_period(MONDAY)
    start, end = period.start, period.end
    earlier = start - timedelta(days=10)
    made = []
    for when in (start, end - timedelta(seconds=1), start - timedelta(seconds=1), end):
        for level, escalation in (("high", False), ("medium", True), ("medium", False)):
            by_submission = submitted_assessment(when, level=level, escalation=escalation)
            regraded = submitted_assessment(earlier, level=level, escalation=escalation)
            RiskAssessment.objects.filter(pk=regraded.pk).update(level_set_at=when)
            late_incident = submitted_assessment(earlier, level=level, escalation=escalation)
            Incident.objects.filter(pk=late_incident.incident_id).update(submitted_at=when)
            made += [by_submission, regraded, late_incident]
    in_period = at(date(2025, 5, 31), 10)
    twice = submitted_assessment(in_period)  # in by two ways: listed once
    RiskAssessment.objects.filter(pk=twice.pk).update(level_set_at=in_period)
    superseded = submitted_assessment(in_period)
    RiskAssessment.objects.filter(pk=superseded.pk).update(is_current=False)
    draft = submitted_assessment(in_period)
    RiskAssessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.DRAFT)
    confirmed = submitted_assessment(in_period)
    RiskAssessment.objects.filter(pk=confirmed.pk).update(status=AssessmentStatus.CONFIRMED)
    draft_incident = submitted_assessment(in_period)
    Incident.objects.filter(pk=draft_incident.incident_id).update(status=IncidentStatus.DRAFT)
    southwark = submitted_assessment(in_period, borough_code="SOU")
    old = submitted_assessment(earlier)

    def listed(team_code, section):
        items = agenda_content(team(team_code), period)
        return [i.object_id for i in items if i.section == section]

    high = listed("LAM", AgendaSection.HIGH_RISK)
    medium = listed("LAM", AgendaSection.MEDIUM_ESCALATION)
    london = listed("CEN", AgendaSection.LONDON_HIGH_RISK)

    assert high == _by_the_rule(period, "high", "LAM")
    assert london == _by_the_rule(period, "high")
    with_escalation = set(
        RiskAssessment.objects.filter(
            answers__question__code="escalation", answers__value="yes"
        ).values_list("id", flat=True)
    )
    assert medium == [pk for pk in _by_the_rule(period, "medium", "LAM") if pk in with_escalation]
    # Not vacuous: every way in, at both edges, is listed; every way out is not.
    inside = [a.pk for a in made[:18] if a.final_level == "high" or a.pk in with_escalation]
    assert len(inside) == 12
    assert set(inside) <= set(high) | set(medium)
    assert not {a.pk for a in made[18:]} & (set(high) | set(medium) | set(london))
    assert high.count(twice.pk) == 1 and confirmed.pk in high
    for out in (superseded, draft, draft_incident, old):
        assert out.pk not in high and out.pk not in london
    assert southwark.pk in london and southwark.pk not in high
