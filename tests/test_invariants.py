"""Safeguarding invariants, checked by a stateful property-based suite (hypothesis).

The machine drives the real services as different users (officers, supervisors and MARAC
coordinators of two boroughs) through random sequences: recording incidents and their people,
ages that change, arrest decisions (the refused "victim does not support" among them),
children's services referrals, submission, reviews, arrests of outstanding suspects, closure,
risk assessments with their plans and MARAC decisions, supervisors' confirmations and regrades,
and MARAC referrals. After every step it checks that nothing has fallen through:

- every current HIGH has a MARAC referral, a decision not to refer, or is in the coordinator's
  list to be referred;
- every submitted incident with a victim under DOMESTIC_ABUSE_MINIMUM_AGE is routed to child
  safeguarding with a children's services referral record;
- every not-arrested decision on a submitted incident is in the supervisor's queue until
  reviewed;
- an outstanding suspect is listed until arrested or the case closed;
- every MEDIUM or HIGH level has a RARA plan;
- a victim with another incident within the repeat window is flagged as a repeat victim.

`make invariants` runs many sequences (INVARIANT_SEQUENCES, 10,000 there) and prints the count
and any violation; the normal test run runs a bounded number (INVARIANT_SEQUENCES, default 10, of up to INVARIANT_STEPS, 20, steps).
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
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
from cases.selectors.positive_action import outstanding_suspects, review_queue
from cases.services import incidents as incident_services
from cases.services import positive_action as arrest_services
from cases.services.incidents import age_on
from cases.services.people import person_create, person_update
from cases.tests.factories import GOOD_JUSTIFICATION, NECESSITY_GROUNDS
from marac.models import MaracReferral, ReferralStatus
from marac.selectors.referrals import assessments_to_be_referred
from marac.services.referrals import referral_create
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.errors import StateError
from riskassessment.models import (
    AssessmentStatus,
    Level,
    MaracDecision,
    RaraActionType,
    RiskAssessment,
)
from riskassessment.services import assessments as risk_services
from riskassessment.services.plans import rara_action_add

SEQUENCES = int(os.environ.get("INVARIANT_SEQUENCES", "10"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "20"))
BOROUGHS = ("LAM", "SOU")
# The services' refusals (docs/adr/0012): bad input, not in a state for it, not allowed.
REFUSED = (ValidationError, StateError, PermissionDenied)

RUN = {"sequences": 0}


class SafeguardingMachine(RuleBasedStateMachine):
    incidents = Bundle("incidents")
    assessments = Bundle("assessments")

    def __init__(self):
        super().__init__()
        RUN["sequences"] += 1
        # Each sequence in a savepoint, rolled back at teardown: the next starts clean.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = timezone.now()
        self.users = {
            code: {
                role: UserFactory(role=role, team=team(code))
                for role in (Role.OFFICER, Role.SUPERVISOR, Role.MARAC_COORDINATOR)
            }
            for code in BOROUGHS
        }
        self.victims: list[int] = []
        self.names = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    def officer(self, incident: Incident):
        return self.users[incident.borough.code][Role.OFFICER]

    def supervisor(self, incident: Incident):
        return self.users[incident.borough.code][Role.SUPERVISOR]

    def person(self, actor, age: int | None):
        self.names += 1
        born = (
            None
            if age is None
            else self.now.date() - timedelta(days=age * 365 + 40)  # an age well inside the year
        )
        return person_create(
            actor=actor, given_name="Alex", family_name=f"Test{self.names}", date_of_birth=born
        )

    # --- cases ----------------------------------------------------------------------------

    @rule(
        target=incidents,
        borough=st.sampled_from(BOROUGHS),
        age=st.sampled_from([None, 34, 15, 17]),
        days_ago=st.integers(min_value=0, max_value=500),
        same_victim=st.booleans(),
    )
    def record_incident(self, borough, age, days_ago, same_victim):
        officer = self.users[borough][Role.OFFICER]
        when = self.now - timedelta(days=days_ago, hours=2)
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
            actor=officer, incident_id=incident.pk, person=victim, role=PartyRole.VICTIM
        )
        suspect = incident_services.party_add(
            actor=officer,
            incident_id=incident.pk,
            person=self.person(officer, 40),
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
        suspect = incident.parties.filter(role=PartyRole.SUSPECT).first()
        if suspect is None or hasattr(suspect, "arrest_decision"):
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

    @rule(incident_id=incidents, age=st.sampled_from([None, 15, 34]))
    def victims_age_changes(self, incident_id, age):
        incident = Incident.objects.get(pk=incident_id)
        if incident.status == IncidentStatus.CLOSED:
            return
        victim = incident.parties.filter(role=PartyRole.VICTIM).select_related("person").first()
        person = victim.person
        born = None if age is None else self.now.date() - timedelta(days=age * 365 + 40)
        person_update(
            actor=self.officer(incident),
            person_id=person.pk,
            expected_version=person.version,
            date_of_birth=born,
            estimated_age=None,
        )

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
        level=st.sampled_from(Level.values),
        marac=st.sampled_from(["", MaracDecision.REFER, MaracDecision.NOT_REFERRED]),
        plan=st.booleans(),
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

    @rule(assessment_id=assessments)
    def officer_refers_to_marac(self, assessment_id):
        assessment = RiskAssessment.objects.filter(pk=assessment_id).first()
        if assessment is None or not assessment.final_level:
            return
        with contextlib.suppress(REFUSED):
            referral_create(
                actor=self.officer(assessment.incident),
                assessment=assessment,
                referring_agency="Metropolitan Police",
                criteria=["professional_judgement"],
                victim_aware=True,
                victim_consents=True,
                perpetrators="Former partner",
                recent_history="Call-outs since March.",
            )

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def every_current_high_reaches_marac(self):
        highs = RiskAssessment.objects.filter(final_level=Level.HIGH, is_current=True).exclude(
            status=AssessmentStatus.DRAFT
        )
        for assessment in highs:
            referred = (
                MaracReferral.objects.filter(assessment=assessment)
                .exclude(status=ReferralStatus.REJECTED)
                .exists()
            )
            coordinator = self.users[assessment.borough.code][Role.MARAC_COORDINATOR]
            listed = assessments_to_be_referred(viewer=coordinator).filter(pk=assessment.pk)
            assert (
                referred
                or assessment.marac_decision == MaracDecision.NOT_REFERRED
                or listed.exists()
            ), f"HIGH assessment {assessment.pk} has no referral, no decision, and is not listed"

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
        levels = django_settings.RARA_PLAN_REQUIRED_LEVELS
        for assessment in RiskAssessment.objects.filter(final_level__in=levels).exclude(
            status=AssessmentStatus.DRAFT
        ):
            assert assessment.actions.exists(), f"{assessment.final_level} {assessment.pk}: no plan"

    @invariant()
    def repeat_victims_are_flagged(self):
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


def run_machine(sequences: int, steps: int) -> None:
    RUN["sequences"] = 0
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
