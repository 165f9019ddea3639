"""Safeguarding invariants, checked by a stateful property-based suite (hypothesis).

The machine drives the real services as different users (officers, supervisors and MARAC
coordinators of two boroughs) through random sequences: recording incidents and their people,
ages that change, arrest decisions (the refused "victim does not support" among them),
children's services referrals, submission, reviews, arrests of outstanding suspects, closure,
risk assessments and reassessments with their plans and MARAC decisions, supervisors'
confirmations and regrades, MARAC referrals and their triage, meetings (scheduled, held,
cancelled), invitations of partner agencies and their withdrawal, actions and partners' updates,
and time passing (days to a year and more). After every step it checks that nothing has fallen
through:

- every current HIGH (in force or recommended) has a MARAC referral, a decision not to refer,
  or is in the coordinator's list to be referred and on the borough's next daily agenda, which
  names who set the level;
- every submitted incident with a victim under DOMESTIC_ABUSE_MINIMUM_AGE is routed to child
  safeguarding with a children's services referral record;
- every not-arrested decision on a submitted incident is in the supervisor's queue until
  reviewed;
- an outstanding suspect is listed until arrested or the case closed;
- every victim of a submitted incident with no risk assessment is in their officer's "Victims to
  assess", and no closed incident has one;
- every MEDIUM or HIGH level in force has a RARA plan (an action not cancelled);
- a victim with another incident within the repeat window is flagged as a repeat victim;
- a partner agency sees exactly the cases (and its open actions) of the meetings it is currently
  invited to (not cancelled);
- a new incident for a victim and perpetrator referred to MARAC in the 12 months before it is
  alerted to the coordinator as a repeat MARAC, until it is referred itself.

`make invariants` runs many sequences (INVARIANT_SEQUENCES, 10,000 there) and prints the count
and any violation, with how often the deeper states (a case listed, a repeat alert...) were
reached; the normal test run runs a bounded number (INVARIANT_SEQUENCES, default 10, of
INVARIANT_STEPS, 20, steps each).
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cases.models import (
    VICTIM_NOT_SUPPORTING,
    ArrestDecision,
    ArrestOutcome,
    ChildrensServicesReferral,
    Incident,
    IncidentStatus,
    NotArrestedReason,
    OffenceType,
    Party,
    PartyRole,
    ReviewStatus,
)
from cases.selectors.flags import incident_flags, window
from cases.selectors.people import persons_editable_by
from cases.selectors.positive_action import outstanding_suspects, review_queue
from cases.services import incidents as incident_services
from cases.services import positive_action as arrest_services
from cases.services.people import person_create, person_update
from cases.services.safeguarding import age_on
from cases.tests.factories import GOOD_JUSTIFICATION, NECESSITY_GROUNDS
from marac.meeting_calendar import is_meeting_day, meeting_period, meeting_time
from marac.models import (
    ActionStatus,
    ActionSubject,
    MaracAction,
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    MeetingInvitation,
    MeetingStatus,
    ReferralStatus,
)
from marac.selectors.actions import actions_visible_to
from marac.selectors.content import level_set_by_text, new_high_risk
from marac.selectors.referrals import (
    assessments_to_be_referred,
    repeat_marac_alerts,
    repeat_window,
)
from marac.selectors.sharing import cases_shared_with
from marac.services.actions import action_create, action_update
from marac.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    referral_list_at_meeting,
)
from marac.services.referrals import (
    referral_accept,
    referral_create,
    referral_reject,
)
from marac.services.sharing import meeting_invitation_withdraw, meeting_invite
from marac.tests.factories import repeat_candidates_by_the_rule, repeat_candidates_kept
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import AgencyFactory, UserFactory, team
from publicprotection.errors import StateError
from riskassessment.models import (
    AssessmentStatus,
    Level,
    MaracDecision,
    RaraAction,
    RaraActionType,
    RaraStatus,
    RiskAssessment,
)
from riskassessment.services import assessments as risk_services
from riskassessment.services.plans import rara_action_add, rara_action_update
from worklists.selectors import officer_victims_not_assessed

SEQUENCES = int(os.environ.get("INVARIANT_SEQUENCES", "10"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "20"))
PROGRESS_EVERY = 250
BOROUGHS = ("LAM", "SOU")
# The services' refusals (docs/adr/0012): bad input, not in a state for it, not allowed.
REFUSED = (ValidationError, StateError, PermissionDenied)

RUN = {"sequences": 0}
# How often the deeper states were reached, printed with the count: a run that never lists a
# case or alerts a repeat proves little about them.
REACHED: dict[str, int] = {}


def reached(what: str) -> None:
    REACHED[what] = REACHED.get(what, 0) + 1


class SafeguardingMachine(RuleBasedStateMachine):
    incidents = Bundle("incidents")
    assessments = Bundle("assessments")
    referrals = Bundle("referrals")
    meetings = Bundle("meetings")
    listings = Bundle("listings")

    def __init__(self):
        super().__init__()
        RUN["sequences"] += 1
        if RUN["sequences"] % PROGRESS_EVERY == 0:
            print(f"invariants: {RUN['sequences']} sequences so far; {dict(REACHED)}", flush=True)
        # Each sequence in a savepoint, rolled back at teardown: the next starts clean.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        # Time passes only when a rule says so (time_passes): every service reads this clock.
        self.now = timezone.now()
        self.elapsed = timedelta(0)
        self._clock = time_machine.travel(self.now, tick=True)
        self._clock.start()
        self.users = {
            code: {
                role: UserFactory(role=role, team=team(code))
                for role in (Role.OFFICER, Role.SUPERVISOR, Role.MARAC_COORDINATOR)
            }
            for code in BOROUGHS
        }
        # Partner agencies (not borough-bound), each with one member.
        self.agencies = [AgencyFactory(), AgencyFactory()]
        self.partners = [
            UserFactory(role=Role.PARTNER, team=None, agency=agency) for agency in self.agencies
        ]
        self.victims: list[int] = []
        self.perpetrator_of: dict[int, int] = {}  # victim -> the suspect of their last incident
        self.names = 0
        self._parties_checked = None
        self._sharing_checked = None

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    def officer(self, incident: Incident):
        return self.users[incident.borough.code][Role.OFFICER]

    def supervisor(self, incident: Incident):
        return self.users[incident.borough.code][Role.SUPERVISOR]

    def coordinator(self, record):
        return self.users[record.borough.code][Role.MARAC_COORDINATOR]

    def meeting_coordinator(self, meeting: MaracMeeting):
        return self.users[meeting.team.code][Role.MARAC_COORDINATOR]

    def person(self, actor, age: int | None):
        self.names += 1
        born = (
            None
            if age is None
            else timezone.localdate() - timedelta(days=age * 365 + 40)  # well inside the year
        )
        return person_create(
            actor=actor, given_name="Alex", family_name=f"Test{self.names}", date_of_birth=born
        )

    # --- cases ----------------------------------------------------------------------------

    @initialize(
        target=incidents,
        borough=st.sampled_from(BOROUGHS),
        age=st.sampled_from([None, 34, 15]),
    )
    def first_incident(self, borough, age):
        # Every sequence starts with a case, so that its steps work on one.
        return self.record_incident(borough, age, 0, False, False)

    @rule(
        target=incidents,
        borough=st.sampled_from(BOROUGHS),
        age=st.sampled_from([None, 34, 15, 17]),
        # Mostly recent (after an earlier referral, once time has passed: a repeat), some old.
        days_ago=st.sampled_from([0, 0, 1, 10, 100, 400]),
        same_victim=st.booleans(),
        same_perpetrator=st.booleans(),
    )
    def record_incident(self, borough, age, days_ago, same_victim, same_perpetrator):
        officer = self.users[borough][Role.OFFICER]
        when = timezone.now() - timedelta(days=days_ago, hours=2)
        incident = incident_services.incident_create(
            actor=officer,
            borough=Borough.objects.get(code=borough),
            occurred_at=when,
            reported_at=when + timedelta(minutes=30),
            how_reported="999",
            officer_narrative="Attended; both parties spoken to; body-worn video recorded.",
        )
        if same_victim and self.victims:
            from cases.models import Person

            victim = Person.objects.get(pk=self.victims[days_ago % len(self.victims)])
        else:
            victim = self.person(officer, age)
            self.victims.append(victim.pk)
        incident_services.party_add(
            actor=officer,
            incident_id=incident.pk,
            person_id=victim.pk,
            searched_name=victim.full_name,
            role=PartyRole.VICTIM,
        )
        from cases.models import Person

        known = self.perpetrator_of.get(victim.pk) if same_perpetrator else None
        perpetrator = Person.objects.get(pk=known) if known else self.person(officer, 40)
        self.perpetrator_of[victim.pk] = perpetrator.pk
        suspect = incident_services.party_add(
            actor=officer,
            incident_id=incident.pk,
            person_id=perpetrator.pk,
            searched_name=perpetrator.full_name,
            role=PartyRole.SUSPECT,
            relationship_to_victim="partner",
        )
        incident_services.offence_add(
            actor=officer,
            incident_id=incident.pk,
            suspect=suspect,
            offence_type=OffenceType.objects.get(code="abh"),
        )
        return incident.pk

    @rule(
        incident_id=incidents,
        kind=st.sampled_from(
            ["arrested", "not_present", "not_necessary", "insufficient", VICTIM_NOT_SUPPORTING]
        ),
    )
    def decide_arrest(self, incident_id, kind):
        incident = Incident.objects.get(pk=incident_id)
        suspect = (
            incident.parties.filter(role=PartyRole.SUSPECT, arrest_decision__isnull=True)
            .order_by("id")
            .first()
        )
        if suspect is None:
            return
        kwargs = {"justification": GOOD_JUSTIFICATION}
        if kind == "arrested":
            kwargs = {"arrested_at": incident.occurred_at + timedelta(minutes=20),
                      "arrested_by": "PC 123"}  # fmt: skip
            outcome = ArrestOutcome.ARRESTED
        else:
            outcome = ArrestOutcome.NOT_ARRESTED
            kwargs["reason"] = {
                "not_present": NotArrestedReason.SUSPECT_NOT_PRESENT,
                "not_necessary": NotArrestedReason.NOT_NECESSARY,
                "insufficient": NotArrestedReason.INSUFFICIENT_GROUNDS,
                VICTIM_NOT_SUPPORTING: VICTIM_NOT_SUPPORTING,
            }[kind]
            kwargs["necessity_grounds"] = NECESSITY_GROUNDS
        try:
            arrest_services.arrest_decision_record(
                actor=self.officer(incident), suspect=suspect, outcome=outcome, **kwargs
            )
        except REFUSED:
            if kind != VICTIM_NOT_SUPPORTING and incident.status != IncidentStatus.CLOSED:
                raise
            return
        assert kind != VICTIM_NOT_SUPPORTING, "victim non-support was accepted as a reason"

    @rule(incident_id=incidents)
    def officer_adds_a_suspect_after_submission(self, incident_id):
        """A second suspect of an arrestable offence, learnt of later: nothing asks for their
        arrest decision again until the incident is closed."""
        incident = Incident.objects.get(pk=incident_id)
        if incident.is_draft or incident.status == IncidentStatus.CLOSED:
            return
        officer = self.officer(incident)
        suspect = incident_services.party_add(
            actor=officer,
            incident_id=incident.pk,
            person_id=self.person(officer, 30).pk,
            role=PartyRole.SUSPECT,
            relationship_to_victim="partner",
        )
        incident_services.offence_add(
            actor=officer,
            incident_id=incident.pk,
            suspect=suspect,
            offence_type=OffenceType.objects.get(code="abh"),
        )
        reached("late suspect")

    @rule(incident_id=incidents, age=st.sampled_from([None, 15, 34]))
    def victims_age_changes(self, incident_id, age):
        incident = Incident.objects.get(pk=incident_id)
        if incident.status == IncidentStatus.CLOSED:
            return
        victim = incident.parties.filter(role=PartyRole.VICTIM).select_related("person").first()
        person = victim.person
        born = None if age is None else timezone.localdate() - timedelta(days=age * 365 + 40)
        officer = self.officer(incident)
        # Another borough's person named only in this officer's draft is seen, not changed.
        editable = persons_editable_by(viewer=officer).filter(pk=person.pk).exists()
        try:
            person_update(
                actor=officer,
                person_id=person.pk,
                expected_version=person.version,
                date_of_birth=born,
                estimated_age=None,
            )
        except PermissionDenied:
            assert not editable, f"{officer} was refused a change of {person}"
            return
        assert editable, f"{officer} changed {person}, seen only through a draft"

    @rule(incident_id=incidents)
    def record_childrens_referral(self, incident_id):
        incident = Incident.objects.get(pk=incident_id)
        with contextlib.suppress(REFUSED):
            incident_services.childrens_referral_record(
                actor=self.officer(incident),
                incident_id=incident_id,
                referred_at=timezone.now() - timedelta(minutes=1),
                referred_to="MASH",
            )

    @rule(incident_id=incidents)
    def submit_incident(self, incident_id):
        incident = Incident.objects.get(pk=incident_id)
        with contextlib.suppress(REFUSED):
            incident_services.incident_submit(actor=self.officer(incident), incident_id=incident_id)

    @rule(incident_id=incidents, endorse=st.booleans())
    def supervisor_reviews_decision(self, incident_id, endorse):
        decision = ArrestDecision.objects.filter(incident_id=incident_id).first()
        if decision is None:
            return
        incident = decision.incident
        try:
            if endorse:
                arrest_services.arrest_decision_endorse(
                    actor=self.supervisor(incident), decision_id=decision.pk
                )
            else:
                arrest_services.arrest_decision_return(
                    actor=self.supervisor(incident),
                    decision_id=decision.pk,
                    required_action="Visit the brother's address today.",
                )
        except REFUSED:
            pass

    @rule(incident_id=incidents)
    def officer_responds(self, incident_id):
        decision = ArrestDecision.objects.filter(incident_id=incident_id).first()
        if decision is None:
            return
        with contextlib.suppress(REFUSED):
            arrest_services.arrest_decision_respond(
                actor=self.officer(decision.incident),
                decision_id=decision.pk,
                response="Visited; not there; circulation in place.",
            )

    @rule(incident_id=incidents)
    def outstanding_suspect_arrested(self, incident_id):
        decision = ArrestDecision.objects.filter(incident_id=incident_id).first()
        if decision is None:
            return
        with contextlib.suppress(REFUSED):
            arrest_services.outstanding_suspect_arrested(
                actor=self.officer(decision.incident),
                decision_id=decision.pk,
                arrested_at=timezone.now() - timedelta(minutes=5),
                arrested_by="PC 456",
            )

    @rule(incident_id=incidents)
    def supervisor_closes_incident(self, incident_id):
        incident = Incident.objects.get(pk=incident_id)
        with contextlib.suppress(REFUSED):
            incident_services.incident_close(
                actor=self.supervisor(incident), incident_id=incident_id, comment="Closed."
            )

    # --- risk -----------------------------------------------------------------------------

    @rule(
        target=assessments,
        incident_id=incidents,
        # Weighted towards HIGH and a plan, so that the MARAC states are reached often.
        level=st.sampled_from([Level.HIGH, Level.HIGH, Level.MEDIUM, Level.STANDARD]),
        marac=st.sampled_from(["", MaracDecision.REFER, MaracDecision.NOT_REFERRED]),
        plan=st.sampled_from([True, True, True, False]),
        yes=st.lists(st.sampled_from(["strangulation", "separation", "escalation"]), max_size=2),
    )
    def officer_assesses(self, incident_id, level, marac, plan, yes):
        incident = Incident.objects.get(pk=incident_id)
        victim = incident.parties.filter(role=PartyRole.VICTIM).first()
        officer = self.officer(incident)
        try:
            assessment = risk_services.assessment_start(
                actor=officer, victim=victim, reassessment_reason="Circumstances changed."
            )
            if plan:
                self._add_action(officer, assessment)
            fields = {"final_level": level, "raise_note": "Officer's judgement.",
                      "lowering_rationale": "Officer's rationale.", "marac_decision": marac}  # fmt: skip
            if marac == MaracDecision.NOT_REFERRED:
                fields["marac_not_referred_reason"] = "Heard at MAPPA instead."
            assessment = risk_services.assessment_save(
                actor=officer,
                assessment_id=assessment.pk,
                expected_version=assessment.version,
                answers=dict.fromkeys(yes, ("yes", "")),
                **fields,
            )
            risk_services.assessment_submit(actor=officer, assessment_id=assessment.pk)
        except REFUSED:
            pass
        current = RiskAssessment.objects.filter(victim=victim, is_current=True).first()
        return current.pk if current else 0

    @rule(target=assessments, incident_id=incidents)
    def officer_starts_assessment_and_leaves_it_a_draft(self, incident_id):
        """A draft nobody submits: the incident must not close on it."""
        incident = Incident.objects.get(pk=incident_id)
        victim = incident.parties.filter(role=PartyRole.VICTIM).first()
        with contextlib.suppress(REFUSED):
            risk_services.assessment_start(
                actor=self.officer(incident), victim=victim, reassessment_reason="New facts."
            )
        current = RiskAssessment.objects.filter(victim=victim, is_current=True).first()
        return current.pk if current else 0

    def _add_action(self, actor, assessment):
        rara_action_add(
            actor=actor,
            assessment_id=assessment.pk,
            category="reduce",
            action_type=RaraActionType.objects.get(code="idva_referral"),
            owner=actor,
            due_date=timezone.localdate() + timedelta(days=3),
        )

    @rule(assessment_id=assessments)
    def officer_cancels_plan_action(self, assessment_id):
        action = (
            RaraAction.objects.filter(assessment_id=assessment_id)
            .exclude(status=RaraStatus.CANCELLED)
            .first()
        )
        if action is None:
            return
        with contextlib.suppress(REFUSED):
            rara_action_update(
                actor=self.officer(action.assessment.incident),
                action_id=action.pk,
                status=RaraStatus.CANCELLED,
            )

    @rule(assessment_id=assessments)
    def officer_adds_plan_action(self, assessment_id):
        assessment = RiskAssessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            return
        with contextlib.suppress(REFUSED):
            self._add_action(self.officer(assessment.incident), assessment)

    @rule(
        assessment_id=assessments,
        regrade=st.sampled_from([None, *Level.values]),
        marac=st.sampled_from(["", MaracDecision.REFER, MaracDecision.NOT_REFERRED]),
    )
    def supervisor_reviews_grading(self, assessment_id, regrade, marac):
        assessment = RiskAssessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            return
        supervisor = self.supervisor(assessment.incident)
        try:
            if regrade is None:
                risk_services.assessment_confirm(
                    actor=supervisor, assessment_id=assessment.pk, rationale="Agreed."
                )
            else:
                risk_services.assessment_regrade(
                    actor=supervisor,
                    assessment_id=assessment.pk,
                    level=regrade,
                    rationale="New information from the IDVA.",
                    marac_decision=marac,
                    marac_not_referred_reason="Heard at MAPPA instead.",
                )
        except REFUSED:
            pass

    @rule(target=referrals, assessment_id=assessments)
    def officer_refers_to_marac(self, assessment_id):
        referral = self._refer(assessment_id)
        return multiple() if referral is None else referral.pk

    def _refer(self, assessment_id) -> MaracReferral | None:
        assessment = RiskAssessment.objects.filter(pk=assessment_id).first()
        if assessment is None or not assessment.final_level:
            return None
        try:
            return referral_create(
                actor=self.officer(assessment.incident),
                assessment=assessment,
                referring_agency="Metropolitan Police",
                criteria=["professional_judgement"],
                victim_aware=True,
                victim_consents=True,
                perpetrator_note="Former partner",
                recent_history="Call-outs since March.",
            )
        except REFUSED:
            return None

    # --- MARAC ----------------------------------------------------------------------------

    @rule(referral_id=referrals, accept=st.booleans())
    def coordinator_triages(self, referral_id, accept):
        referral = MaracReferral.objects.get(pk=referral_id)
        coordinator = self.coordinator(referral)
        with contextlib.suppress(REFUSED):
            if accept:
                referral_accept(actor=coordinator, referral_id=referral_id)
            else:
                referral_reject(
                    actor=coordinator, referral_id=referral_id, reason="Below the threshold."
                )

    @precondition(lambda self: MaracReferral.objects.exists())
    @rule(target=meetings, borough=st.sampled_from(BOROUGHS), days_ahead=st.integers(0, 20))
    def coordinator_schedules_meeting(self, borough, days_ahead):
        meeting = meeting_create(
            actor=self.users[borough][Role.MARAC_COORDINATOR],
            team=team(borough),
            starts_at=timezone.now() + timedelta(days=days_ahead, minutes=5),
            venue="Civic Centre",
            chair="DI Chair",
        )
        return meeting.pk

    @rule(target=listings, referral_id=referrals, meeting_id=meetings)
    def coordinator_lists_case(self, referral_id, meeting_id):
        meeting = MaracMeeting.objects.select_related("team").get(pk=meeting_id)
        try:
            listing = referral_list_at_meeting(
                actor=self.meeting_coordinator(meeting),
                referral_id=referral_id,
                meeting_id=meeting_id,
            )
        except REFUSED:
            return multiple()
        reached("case listed at a meeting")
        return listing.pk

    @rule(target=listings, assessment_id=assessments, which=st.integers(0, 1))
    def case_taken_to_meeting(self, assessment_id, which):
        """The usual path in one step: the officer refers (unless referred already), the
        coordinator accepts, lists the case at the borough's next meeting (scheduling one if
        there is none), invites an agency and gives it an action on the case."""
        referral = (
            MaracReferral.objects.filter(assessment_id=assessment_id)
            .exclude(status=ReferralStatus.REJECTED)
            .first()
        ) or self._refer(assessment_id)
        if referral is None:
            return multiple()
        referral_id = referral.pk
        coordinator = self.coordinator(referral)
        with contextlib.suppress(REFUSED):
            referral_accept(actor=coordinator, referral_id=referral_id)
        meeting = (
            MaracMeeting.objects.filter(
                team=coordinator.team,
                status=MeetingStatus.SCHEDULED,
                starts_at__gt=timezone.now(),
            )
            .order_by("starts_at")
            .first()
        ) or meeting_create(
            actor=coordinator,
            team=coordinator.team,
            starts_at=timezone.now() + timedelta(days=7),
            venue="Civic Centre",
            chair="DI Chair",
        )
        try:
            listing = referral_list_at_meeting(
                actor=coordinator, referral_id=referral_id, meeting_id=meeting.pk
            )
        except REFUSED:
            return multiple()
        reached("case listed at a meeting")
        agency = self.agencies[which]
        with contextlib.suppress(REFUSED):
            meeting_invite(actor=coordinator, meeting=meeting, agency=agency)
        action_create(
            actor=coordinator,
            listing=listing,
            subject=ActionSubject.VICTIM,
            agency=agency,
            owner="Sam Keyworker",
            description="Safety planning visit.",
            due_date=timezone.localdate() + timedelta(days=7),
        )
        reached("action recorded")
        return listing.pk

    @rule(meeting_id=meetings, which=st.integers(0, 1))
    def coordinator_invites_agency(self, meeting_id, which):
        meeting = MaracMeeting.objects.select_related("team").get(pk=meeting_id)
        with contextlib.suppress(REFUSED):
            meeting_invite(
                actor=self.meeting_coordinator(meeting),
                meeting=meeting,
                agency=self.agencies[which],
            )

    @rule(meeting_id=meetings, which=st.integers(0, 1))
    def coordinator_withdraws_invitation(self, meeting_id, which):
        meeting = MaracMeeting.objects.select_related("team").get(pk=meeting_id)
        invitation = MeetingInvitation.objects.filter(
            meeting=meeting, agency=self.agencies[which]
        ).first()
        if invitation is not None:
            reached("invitation withdrawn")
            meeting_invitation_withdraw(
                actor=self.meeting_coordinator(meeting), invitation_id=invitation.pk
            )

    @rule(listing_id=listings, which=st.integers(0, 1))
    def coordinator_records_action(self, listing_id, which):
        listing = (
            MaracCaseListing.objects.select_related("meeting__team").filter(pk=listing_id).first()
        )
        if listing is None:
            return
        with contextlib.suppress(REFUSED):
            action_create(
                actor=self.meeting_coordinator(listing.meeting),
                listing=listing,
                subject=ActionSubject.VICTIM,
                agency=self.agencies[which],
                owner="Sam Keyworker",
                description="Safety planning visit.",
                due_date=timezone.localdate() + timedelta(days=7),
            )
            reached("action recorded")

    @precondition(lambda self: MaracAction.objects.exists())
    @rule(which=st.integers(0, 1), status=st.sampled_from(["", ActionStatus.DONE]))
    def partner_updates_action(self, which, status):
        partner = self.partners[which]
        action = actions_visible_to(viewer=partner).order_by("id").first()
        if action is not None:
            action_update(actor=partner, action_id=action.pk, text="Visited.", status=status)

    @rule(listing_id=listings, held=st.booleans())
    def meeting_held_or_cancelled(self, listing_id, held):
        listing = MaracCaseListing.objects.filter(pk=listing_id).first()
        if listing is None:
            return
        meeting = MaracMeeting.objects.select_related("team").get(pk=listing.meeting_id)
        coordinator = self.meeting_coordinator(meeting)
        with contextlib.suppress(REFUSED):
            if held:
                meeting_mark_held(actor=coordinator, meeting=meeting)
                reached("meeting held")
            else:
                meeting_cancel(actor=coordinator, meeting=meeting)
                reached("meeting cancelled")

    # --- time -----------------------------------------------------------------------------

    @rule(days=st.sampled_from([1, 3, 30, 200, 370]))
    def time_passes(self, days):
        self.elapsed += timedelta(days=days)
        self._clock.stop()
        self._clock = time_machine.travel(self.now + self.elapsed, tick=True)
        self._clock.start()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def every_current_high_reaches_marac(self):
        # The level in force: the current assessment's, or, while a reassessment is a draft
        # (no level yet), the one it replaces.
        reassessing = RiskAssessment.objects.filter(
            status=AssessmentStatus.DRAFT, is_current=True
        ).values("supersedes_id")
        # HIGH in force or recommended (a visible high risk, whatever level the officer set).
        highs = (
            RiskAssessment.objects.filter(Q(is_current=True) | Q(id__in=reassessing))
            .filter(Q(final_level=Level.HIGH) | Q(recommended_level=Level.HIGH))
            .exclude(status=AssessmentStatus.DRAFT)
        )
        for assessment in highs:
            referred = (
                MaracReferral.objects.filter(assessment=assessment)
                .exclude(status=ReferralStatus.REJECTED)
                .exists()
            )
            if referred or assessment.marac_decision == MaracDecision.NOT_REFERRED:
                continue
            coordinator = self.coordinator(assessment)
            listed = assessments_to_be_referred(viewer=coordinator).filter(pk=assessment.pk)
            assert listed.exists(), (
                f"HIGH assessment {assessment.pk} has no referral, no decision, and is not listed"
            )
            self._on_next_daily_agenda(assessment)

    def _on_next_daily_agenda(self, assessment: RiskAssessment) -> None:
        """A HIGH still to be referred is on the borough's daily agenda after its level was set,
        naming who set it."""
        if assessment.incident.status == IncidentStatus.DRAFT:
            return  # on the agenda after its incident is submitted (drafts stay off agendas)
        when = assessment.level_set_at or assessment.submitted_at
        when = max(when, assessment.incident.submitted_at or when)
        day = timezone.localtime(when).date()
        while not (is_meeting_day(day) and meeting_time(day) > when):
            day += timedelta(days=1)
        items = new_high_risk(team(assessment.borough.code), meeting_period(day))
        item = next((i for i in items if i.object_id == assessment.pk), None)
        reached("HIGH to be referred, on its agenda")
        assert item is not None, f"HIGH assessment {assessment.pk} is not on the {day} agenda"
        assert level_set_by_text(assessment) in item.summary, item.summary

    @invariant()
    def partners_see_exactly_the_cases_of_meetings_they_are_invited_to(self):
        # What partners see depends only on listings, invitations, meetings' status and
        # actions: skip the check when none of them changed since the last step.
        sharing = (
            list(MaracCaseListing.objects.order_by("pk").values_list("pk", "meeting_id")),
            list(MeetingInvitation.objects.order_by("pk").values_list("meeting_id", "agency_id")),
            list(MaracMeeting.objects.order_by("pk").values_list("pk", "status")),
            list(MaracAction.objects.order_by("pk").values_list("pk", "status", "agency_id")),
        )
        if sharing == self._sharing_checked:
            return
        self._sharing_checked = sharing
        for partner, agency in zip(self.partners, self.agencies, strict=True):
            invited = MeetingInvitation.objects.filter(agency=agency).exclude(
                meeting__status=MeetingStatus.CANCELLED
            )
            expected = set(
                MaracCaseListing.objects.filter(meeting__in=invited.values("meeting")).values_list(
                    "pk", flat=True
                )
            )
            seen = set(cases_shared_with(viewer=partner).values_list("pk", flat=True))
            assert seen == expected, f"{agency} sees cases {seen}, invited to {expected}"
            if expected:
                reached("partner sees a case")
            expected_actions = set(
                MaracAction.objects.filter(
                    agency=agency, status=ActionStatus.OPEN, listing__in=expected
                ).values_list("pk", flat=True)
            )
            seen_actions = set(actions_visible_to(viewer=partner).values_list("pk", flat=True))
            assert seen_actions == expected_actions, (
                f"{agency} sees actions {seen_actions}, should see {expected_actions}"
            )

    @invariant()
    def repeat_marac_victims_are_alerted(self):
        """A new incident for a victim and perpetrator referred to MARAC in the 12 months
        before it is flagged to the coordinator as a repeat (until it is referred itself)."""
        if not MaracReferral.objects.exists():
            return  # no earlier referral, no repeat
        now = timezone.now()
        for party in Party.objects.filter(
            role=PartyRole.VICTIM, incident__occurred_at__gte=now - repeat_window()
        ).select_related("incident__borough"):
            occurred = party.incident.occurred_at
            suspects = set(
                Party.objects.filter(
                    incident_id=party.incident_id, role=PartyRole.SUSPECT
                ).values_list("person_id", flat=True)
            )
            earlier = [
                referral
                for referral in MaracReferral.objects.filter(person_id=party.person_id).exclude(
                    status=ReferralStatus.REJECTED
                )
                if occurred - repeat_window() <= referral.created_at < occurred
                and suspects
                & set(
                    Party.objects.filter(
                        incident_id=referral.incident_id, role=PartyRole.SUSPECT
                    ).values_list("person_id", flat=True)
                )
            ]
            referred_itself = MaracReferral.objects.filter(
                person_id=party.person_id, incident_id=party.incident_id
            ).exists()
            alerted = (
                repeat_marac_alerts(viewer=self.coordinator(party.incident))
                .filter(pk=party.pk)
                .exists()
            )
            expected = bool(earlier) and not referred_itself
            if expected:
                reached("repeat MARAC alert")
            assert alerted == expected, f"{party.incident}: alerted {alerted}, repeat {expected}"

    @invariant()
    def every_submitted_child_victim_is_routed_with_a_referral(self):
        minimum = django_settings.DOMESTIC_ABUSE_MINIMUM_AGE
        submitted = Incident.objects.exclude(status=IncidentStatus.DRAFT)
        for party in Party.objects.filter(
            incident__in=submitted, role=PartyRole.VICTIM
        ).select_related("person", "incident"):
            day = timezone.localtime(party.incident.occurred_at).date()
            age = age_on(party.person, day)
            if age is None or age >= minimum or party.incident.status == IncidentStatus.CLOSED:
                continue
            assert party.incident.child_safeguarding, f"{party.incident} not routed"
            assert ChildrensServicesReferral.objects.filter(incident=party.incident).exists()

    @invariant()
    def every_not_arrested_decision_on_a_submitted_incident_is_reviewed_or_queued(self):
        decisions = ArrestDecision.objects.filter(outcome=ArrestOutcome.NOT_ARRESTED).exclude(
            incident__status=IncidentStatus.DRAFT
        )
        for decision in decisions.select_related("incident__borough"):
            assert decision.review_status != ReviewStatus.NOT_REQUIRED, decision
            if decision.review_status == ReviewStatus.AWAITING:
                queue = review_queue(viewer=self.supervisor(decision.incident))
                assert queue.filter(pk=decision.pk).exists(), f"{decision} not in the queue"

    @invariant()
    def no_closed_incident_leaves_a_decision_or_childrens_referral_unrecorded(self):
        undecided = Party.objects.filter(
            incident__status=IncidentStatus.CLOSED,
            role=PartyRole.SUSPECT,
            offences__offence_type__power_of_arrest=True,
            arrest_decision__isnull=True,
        )
        assert not undecided.exists(), list(undecided)
        unmade = ChildrensServicesReferral.objects.filter(
            incident__status=IncidentStatus.CLOSED, referred_at__isnull=True
        )
        assert not unmade.exists(), list(unmade)

    @invariant()
    def every_victim_not_assessed_is_on_their_officers_list(self):
        """Every victim of a submitted incident with no risk assessment is in the "Victims to
        assess" of the officer who recorded it; no closed incident has one, nor one whose
        assessment is still a draft; and the flags that list and the close check read are the
        assessments' answer."""
        victims = Party.objects.filter(role=PartyRole.VICTIM).select_related("incident__borough")
        for victim in victims:
            assessed = RiskAssessment.objects.filter(victim=victim).exists()
            assert victim.has_risk_assessment == assessed, victim
            submitted = (
                RiskAssessment.objects.filter(victim=victim)
                .exclude(status=AssessmentStatus.DRAFT)
                .exists()
            )
            assert victim.has_submitted_risk_assessment == submitted, victim
            # A closed incident's victims were assessed: a draft does not count.
            if victim.incident.status == IncidentStatus.CLOSED:
                assert submitted, f"{victim.incident} closed with {victim} not assessed"
            waiting = victim.incident.parties.filter(
                role=PartyRole.VICTIM, has_risk_assessment=False
            ).exists()
            assert victim.incident.has_victim_to_assess == waiting, victim.incident
            if assessed or victim.incident.status == IncidentStatus.DRAFT:
                continue
            assert victim.incident.status != IncidentStatus.CLOSED, victim.incident
            listed = officer_victims_not_assessed(viewer=self.officer(victim.incident))
            assert listed.filter(pk=victim.pk).exists(), f"{victim} not listed"

    @invariant()
    def outstanding_suspects_are_listed_until_arrested_or_closed(self):
        for decision in ArrestDecision.objects.filter(
            reason=NotArrestedReason.SUSPECT_NOT_PRESENT
        ).select_related("incident__borough"):
            resolved = decision.arrested_at is not None or decision.outstanding_closed_at
            listed = (
                outstanding_suspects(viewer=self.officer(decision.incident))
                .filter(pk=decision.pk)
                .exists()
            )
            assert listed != bool(resolved), f"{decision}: listed {listed}, resolved {resolved}"

    @invariant()
    def every_medium_or_high_has_a_plan(self):
        # The level in force (current, or replaced by a reassessment still a draft) has a plan:
        # an action not cancelled.
        levels = django_settings.RARA_PLAN_REQUIRED_LEVELS
        reassessing = RiskAssessment.objects.filter(
            status=AssessmentStatus.DRAFT, is_current=True
        ).values("supersedes_id")
        in_force = RiskAssessment.objects.filter(Q(is_current=True) | Q(id__in=reassessing))
        for assessment in in_force.filter(final_level__in=levels).exclude(
            status=AssessmentStatus.DRAFT
        ):
            planned = assessment.actions.exclude(status=RaraStatus.CANCELLED).exists()
            assert planned, f"{assessment.final_level} {assessment.pk}: no plan"

    @invariant()
    def repeat_victims_are_flagged(self):
        # Flags depend only on who is a party to which incident, and when: skip the check (the
        # slowest) when none of that changed since the last step.
        parties = list(
            Party.objects.order_by("pk").values_list(
                "pk", "person_id", "role", "incident__occurred_at"
            )
        )
        if parties == self._parties_checked:
            return
        self._parties_checked = parties
        for incident in Incident.objects.all():
            parties = list(incident.parties.all())
            flags = incident_flags(incident, parties)
            for party in parties:
                if party.role != PartyRole.VICTIM:
                    continue
                other = (
                    Party.objects.filter(
                        person_id=party.person_id,
                        role=PartyRole.VICTIM,
                        incident__occurred_at__gte=incident.occurred_at - window(),
                        incident__occurred_at__lte=incident.occurred_at + window(),
                    )
                    .exclude(incident=incident)
                    .exists()
                )
                assert flags.people[party.person_id].repeat_victim == other, incident

    @invariant()
    def repeat_marac_candidates_follow_the_records(self):
        # The database's table of repeat-MARAC candidates (kept by triggers, ADR 0017) is the
        # rule's, worked out from the referrals, parties and incidents alone.
        assert repeat_candidates_kept() == repeat_candidates_by_the_rule()


def run_machine(sequences: int, steps: int) -> None:
    RUN["sequences"] = 0
    REACHED.clear()
    run_state_machine_as_test(
        SafeguardingMachine,
        settings=settings(
            max_examples=sequences,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.mark.django_db
def test_safeguarding_invariants_hold_for_random_sequences():
    try:
        run_machine(SEQUENCES, STEPS)
    except BaseException:
        print(f"\ninvariants: {RUN['sequences']} sequences run; violations: 1 (shrunk above)")
        raise
    print(f"\ninvariants: {RUN['sequences']} sequences run; violations: 0")
    print("reached: " + ", ".join(f"{what} {n}" for what, n in sorted(REACHED.items())))
