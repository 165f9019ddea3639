"""The police chronology for a domestic homicide review, built from the records: every contact
the records hold with the victim and the suspect, London-wide and across time, in date order,
each entry linked to its record by URL name, with missed-opportunity markers.

Read only by those who may read the review (review_get has already checked). The number of
queries is fixed (one per kind of record), whatever the number of entries.

Missed-opportunity markers (the rules; DOMAIN.md):
- HIGH_NO_MARAC: a submitted HIGH assessment (set or recommended) with no MARAC decision
  recorded and no referral;
- REVIEW_LATE: a decision not to arrest whose supervisor review came after its deadline, or is
  still awaited past it;
- ACTION_DECLINED / ACTION_OVERDUE: a RARA action declined by the victim, or a RARA or MARAC
  action past its due date and still open (a MARAC action "not done by the agency" is a
  missed opportunity too);
- REPEAT_NOT_FLAGGED: an incident with the victim within the MARAC repeat window after a MARAC
  referral, with no repeat referral made from it; or the victim's Nth incident within the
  repeat window (ESCALATION_INCIDENT_COUNT) whose assessments did not flag escalation;
- ORDER_LAPSED: a protective order that expired (before the death, or before today) with no
  later order for the same person made by its expiry;
- CHILDREN_NOT_REFERRED: a mandatory children's services referral never made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    ChildrensServicesReferral,
    Incident,
    Offence,
    Party,
    PartyRole,
    ProtectiveOrder,
    ReviewStatus,
)
from marac.models import (
    ActionStatus,
    AgendaItem,
    CaseResearch,
    ItemObjectType,
    MaracAction,
    MaracCaseListing,
    MaracReferral,
)
from publicprotection.london_time import LONDON, london_today
from riskassessment.models import (
    AssessmentStatus,
    GradingReview,
    RaraAction,
    RaraStatus,
    RiskAssessment,
)

from ..models import HomicideReview

HIGH_NO_MARAC = "HIGH risk with no MARAC decision"
REVIEW_LATE = "Arrest decision reviewed after its deadline"
REVIEW_OVERDUE = "Arrest decision review overdue"
ACTION_DECLINED = "Action declined"
ACTION_OVERDUE = "Action overdue"
ACTION_NOT_DONE = "Action not done by the agency"
REPEAT_NOT_FLAGGED = "Repeat incident not flagged"
ORDER_LAPSED = "Order expired without review or renewal"
CHILDREN_NOT_REFERRED = "Children's services referral not made"

MARKERS = [
    HIGH_NO_MARAC,
    REVIEW_LATE,
    REVIEW_OVERDUE,
    ACTION_DECLINED,
    ACTION_OVERDUE,
    ACTION_NOT_DONE,
    REPEAT_NOT_FLAGGED,
    ORDER_LAPSED,
    CHILDREN_NOT_REFERRED,
]


@dataclass
class Entry:
    when: datetime
    kind: str
    about: str  # "victim", "suspect" or "victim and suspect"
    summary: str
    reference: str
    url_name: str
    url_args: tuple
    markers: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)

    @property
    def day(self) -> date:
        return self.when.astimezone(LONDON).date()


@dataclass
class Chronology:
    review: HomicideReview
    entries: list[Entry]
    start: date | None
    end: date | None

    @property
    def marker_count(self) -> int:
        return sum(len(entry.markers) for entry in self.entries)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def _who(person_ids: set[int], victim_id: int, suspect_id: int | None) -> str:
    names = []
    if victim_id in person_ids:
        names.append("victim")
    if suspect_id and suspect_id in person_ids:
        names.append("suspect")
    return " and ".join(names) or "victim"


def chronology_for(
    *, review: HomicideReview, start: date | None = None, end: date | None = None
) -> Chronology:
    victim_id, suspect_id = review.victim_id, review.suspect_id
    people = {victim_id} | ({suspect_id} if suspect_id else set())
    today = london_today()
    # Deadlines are judged as at the death (the question is what happened while she was alive),
    # or today for a step still open.
    cut_off = min(today, review.date_of_death)
    entries: list[Entry] = []

    # --- Incidents, their parties and offences ----------------------------------------------
    incidents = list(
        Incident.objects.filter(parties__person_id__in=people)
        .distinct()
        .select_related("borough")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("person")),
            Prefetch("offences", queryset=Offence.objects.select_related("offence_type")),
        )
        .order_by("occurred_at", "id")
    )
    incident_ids = [incident.pk for incident in incidents]
    involved: dict[int, set[int]] = {}
    victim_incidents: list[Incident] = []
    for incident in incidents:
        parties = list(incident.parties.all())
        involved[incident.pk] = {p.person_id for p in parties if p.person_id in people}
        if any(p.person_id == victim_id and p.is_victim for p in parties):
            victim_incidents.append(incident)

    # --- Assessments, gradings and RARA actions ------------------------------------------------
    assessments = list(
        RiskAssessment.objects.filter(person_id__in=people)
        .exclude(status=AssessmentStatus.DRAFT)
        .select_related("instrument", "incident")
        .prefetch_related(
            Prefetch("reviews", queryset=GradingReview.objects.order_by("created_at", "id")),
            Prefetch("actions", queryset=RaraAction.objects.select_related("action_type")),
        )
        .order_by("created_at", "id")
    )
    referrals = list(
        MaracReferral.objects.filter(person_id__in=people)
        .select_related("incident", "borough")
        .order_by("created_at", "id")
    )
    referred_assessments = {r.assessment_id for r in referrals}
    escalation_flagged = defaultdict(bool)
    for assessment in assessments:
        escalation_flagged[assessment.incident_id] |= assessment.escalation_suggested
        when = assessment.submitted_at or assessment.created_at
        markers = []
        if (
            assessment.is_visible_high_risk
            and not assessment.marac_decision
            and assessment.pk not in referred_assessments
        ):
            markers.append(HIGH_NO_MARAC)
        entries.append(
            Entry(
                when=when,
                kind="Risk assessment",
                about=_who({assessment.person_id}, victim_id, suspect_id),
                summary=(
                    f"{assessment.instrument.name}: "
                    f"{assessment.get_final_level_display() or 'not graded'}"
                    f" (recommended {assessment.get_recommended_level_display() or 'none'})"
                    + (
                        f"; MARAC: {assessment.get_marac_decision_display()}"
                        if assessment.marac_decision
                        else ""
                    )
                ),
                reference=assessment.incident.reference,
                url_name="riskassessment:assessment-detail",
                url_args=(assessment.pk,),
                markers=markers,
            )
        )
        for grading in assessment.reviews.all():
            entries.append(
                Entry(
                    when=grading.created_at,
                    kind="Grading review",
                    about=_who({assessment.person_id}, victim_id, suspect_id),
                    summary=(
                        f"{grading.get_action_display()}: {grading.get_from_level_display()} "
                        f"to {grading.get_to_level_display()}"
                    ),
                    reference=assessment.incident.reference,
                    url_name="riskassessment:assessment-detail",
                    url_args=(assessment.pk,),
                )
            )
        for action in assessment.actions.all():
            markers = []
            done_late = (
                action.is_done
                and action.completed_at is not None
                and action.completed_at.astimezone(LONDON).date() > action.due_date
            )
            still_open = action.is_open
            if action.status == RaraStatus.DECLINED:
                markers.append(ACTION_DECLINED)
            elif (still_open and action.due_date < cut_off) or done_late:
                markers.append(ACTION_OVERDUE)
            entries.append(
                Entry(
                    when=action.created_at,
                    kind="RARA action",
                    about=_who({assessment.person_id}, victim_id, suspect_id),
                    summary=(
                        f"{action.get_category_display()}: {action.action_type.name}, due "
                        f"{action.due_date:%d %B %Y}: {action.get_status_display()}"
                    ),
                    reference=assessment.incident.reference,
                    url_name="riskassessment:assessment-detail",
                    url_args=(assessment.pk,),
                    markers=markers,
                )
            )

    # --- Repeat incidents not flagged ---------------------------------------------------------
    marac_window = timedelta(days=settings.MARAC_REPEAT_WINDOW_DAYS)
    repeat_window = timedelta(days=settings.REPEAT_WINDOW_DAYS)
    victim_referrals = [r for r in referrals if r.person_id == victim_id]
    repeat_referral_incidents = {r.incident_id for r in victim_referrals if r.is_repeat}
    not_flagged: set[int] = set()
    for index, incident in enumerate(victim_incidents):
        earlier = [
            r
            for r in victim_referrals
            if r.created_at < incident.occurred_at
            and incident.occurred_at - r.created_at <= marac_window
            and r.incident_id != incident.pk
        ]
        if earlier and incident.pk not in repeat_referral_incidents:
            not_flagged.add(incident.pk)
        within = [
            other
            for other in victim_incidents[: index + 1]
            if incident.occurred_at - other.occurred_at <= repeat_window
        ]
        if (
            len(within) >= settings.ESCALATION_INCIDENT_COUNT
            and not escalation_flagged[incident.pk]
        ):
            not_flagged.add(incident.pk)

    for incident in incidents:
        parties = ", ".join(
            f"{p.person.full_name} ({p.get_role_display().lower()})"
            for p in incident.parties.all()
            if p.role in (PartyRole.VICTIM, PartyRole.SUSPECT)
        )
        offences = ", ".join(o.offence_type.name for o in incident.offences.all()) or "no offence"
        entries.append(
            Entry(
                when=incident.occurred_at,
                kind="Incident",
                about=_who(involved[incident.pk], victim_id, suspect_id),
                summary=f"{incident.borough.name}: {parties}; {offences}",
                reference=incident.reference,
                url_name="cases:incident-detail",
                url_args=(incident.reference,),
                markers=[REPEAT_NOT_FLAGGED] if incident.pk in not_flagged else [],
            )
        )

    # --- Arrest decisions and their reviews ---------------------------------------------------
    decisions = list(
        ArrestDecision.objects.filter(incident_id__in=incident_ids)
        .select_related("incident", "suspect__person")
        .prefetch_related(
            Prefetch(
                "review_events", queryset=ArrestReviewEvent.objects.order_by("created_at", "id")
            )
        )
    )
    for decision in decisions:
        events = list(decision.review_events.all())
        markers = []
        if decision.review_due_at:
            reviewed = [e.created_at for e in events if e.kind in ("endorsed", "returned")]
            if reviewed and reviewed[0] > decision.review_due_at:
                markers.append(REVIEW_LATE)
            elif (
                not reviewed
                and decision.review_status == ReviewStatus.AWAITING
                and decision.review_due_at < min(timezone.now(), _at(review.date_of_death))
            ):
                markers.append(REVIEW_OVERDUE)
        if decision.outcome == ArrestOutcome.ARRESTED:
            summary = f"{decision.suspect.person.full_name} arrested"
        else:
            summary = (
                f"{decision.suspect.person.full_name} not arrested: {decision.get_reason_display()}"
            )
        entries.append(
            Entry(
                when=decision.decided_at,
                kind="Arrest decision",
                about=_who(involved.get(decision.incident_id, set()), victim_id, suspect_id),
                summary=summary,
                reference=decision.incident.reference,
                url_name="cases:incident-detail",
                url_args=(decision.incident.reference,),
                markers=markers,
            )
        )
        for event in events:
            entries.append(
                Entry(
                    when=event.created_at,
                    kind="Arrest decision review",
                    about=_who(involved.get(decision.incident_id, set()), victim_id, suspect_id),
                    summary=event.get_kind_display()
                    + (f": {event.required_action}" if event.required_action else ""),
                    reference=decision.incident.reference,
                    url_name="cases:incident-detail",
                    url_args=(decision.incident.reference,),
                )
            )

    # --- Protective orders --------------------------------------------------------------------
    orders = list(
        ProtectiveOrder.objects.filter(
            Q(protected_person_id__in=people) | Q(respondent_id__in=people)
        )
        .select_related("incident")
        .order_by("made_on", "id")
    )
    for order in orders:
        markers = []
        if order.expires_on and order.expires_on < cut_off:
            renewed = any(
                other.pk != order.pk
                and other.protected_person_id == order.protected_person_id
                and order.made_on < other.made_on <= order.expires_on
                for other in orders
            )
            if not renewed:
                markers.append(ORDER_LAPSED)
        expiry = f", expires {order.expires_on:%d %B %Y}" if order.expires_on else ", open-ended"
        entries.append(
            Entry(
                when=_at(order.made_on),
                kind="Protective order",
                about=_who({order.protected_person_id, order.respondent_id}, victim_id, suspect_id),
                summary=f"{order.get_order_type_display()} made{expiry}",
                reference=order.incident.reference,
                url_name="cases:incident-detail",
                url_args=(order.incident.reference,),
                markers=markers,
            )
        )

    # --- Children's services referrals --------------------------------------------------------
    for referral in ChildrensServicesReferral.objects.filter(
        incident_id__in=incident_ids
    ).select_related("incident"):
        made = referral.referred_at is not None
        entries.append(
            Entry(
                when=referral.referred_at or referral.incident.occurred_at,
                kind="Children's services referral",
                about=_who(involved.get(referral.incident_id, set()), victim_id, suspect_id),
                summary=(
                    f"Referred to {referral.referred_to or 'children’s services'}"
                    if made
                    else "Required (" + ", ".join(referral.reason_labels) + "): not made"
                ),
                reference=referral.incident.reference,
                url_name="cases:incident-detail",
                url_args=(referral.incident.reference,),
                markers=[] if made else [CHILDREN_NOT_REFERRED],
            )
        )

    # --- MARAC: referrals, listings, research, actions ----------------------------------------
    for referral in referrals:
        entries.append(
            Entry(
                when=referral.created_at,
                kind="MARAC referral",
                about=_who({referral.person_id}, victim_id, suspect_id),
                summary=(
                    f"{referral.borough.name} MARAC, by {referral.referring_agency}: "
                    f"{referral.get_status_display()}" + (" (repeat)" if referral.is_repeat else "")
                ),
                reference=referral.reference,
                url_name="marac:referral-detail",
                url_args=(referral.pk,),
            )
        )
    referral_ids = [r.pk for r in referrals]
    listings = list(
        MaracCaseListing.objects.filter(referral_id__in=referral_ids)
        .select_related("meeting__team", "referral")
        .prefetch_related(
            Prefetch("research", queryset=CaseResearch.objects.select_related("agency")),
            Prefetch("actions", queryset=MaracAction.objects.select_related("agency")),
        )
    )
    for listing in listings:
        about = _who({listing.referral.person_id}, victim_id, suspect_id)
        meeting = listing.meeting
        entries.append(
            Entry(
                when=meeting.starts_at,
                kind="MARAC listing",
                about=about,
                summary=f"Listed at {meeting.team.name} MARAC ({listing.get_category_display()})",
                reference=listing.referral.reference,
                url_name="marac:meeting-detail",
                url_args=(meeting.pk,),
            )
        )
        for research in listing.research.all():
            entries.append(
                Entry(
                    when=research.updated_at,
                    kind="MARAC research",
                    about=about,
                    # That the agency researched the case, never what it found: its research
                    # was shared under the MARAC's confidentiality statement, and each agency
                    # supplies its own chronology to the review (DOMAIN.md).
                    summary=(
                        f"{research.agency.name} recorded research for the meeting (what it "
                        "holds is in its own chronology)"
                    ),
                    reference=listing.referral.reference,
                    url_name="marac:meeting-detail",
                    url_args=(meeting.pk,),
                )
            )
        for action in listing.actions.all():
            markers = []
            if action.status == ActionStatus.NOT_DONE:
                markers.append(ACTION_NOT_DONE)
            elif action.status == ActionStatus.OPEN and action.due_date < cut_off:
                markers.append(ACTION_OVERDUE)
            entries.append(
                Entry(
                    when=action.created_at,
                    kind="MARAC action",
                    about=about,
                    summary=(
                        f"{action.agency.name}: {action.description[:200]} (due "
                        f"{action.due_date:%d %B %Y}): {action.get_status_display()}"
                    ),
                    reference=listing.referral.reference,
                    url_name="marac:meeting-detail",
                    url_args=(meeting.pk,),
                    markers=markers,
                )
            )

    # --- Daily risk management meeting agendas ------------------------------------------------
    party_ids = [
        p.pk for incident in incidents for p in incident.parties.all() if p.person_id in people
    ]
    wanted = {
        ItemObjectType.PERSON: list(people),
        ItemObjectType.PARTY: party_ids,
        ItemObjectType.RISK_ASSESSMENT: [a.pk for a in assessments],
        ItemObjectType.ARREST_DECISION: [d.pk for d in decisions],
        ItemObjectType.RARA_ACTION: [x.pk for a in assessments for x in a.actions.all()],
        ItemObjectType.MARAC_REFERRAL: referral_ids,
        ItemObjectType.PROTECTIVE_ORDER: [o.pk for o in orders],
    }
    condition = Q(pk__in=[])
    for object_type, ids in wanted.items():
        if ids:
            condition |= Q(object_type=object_type, object_id__in=ids)
    for item in AgendaItem.objects.filter(condition).select_related("agenda__team"):
        agenda = item.agenda
        entries.append(
            Entry(
                when=_at(agenda.meeting_date),
                kind="Daily meeting agenda",
                about="victim" if item.object_type != ItemObjectType.ARREST_DECISION else "suspect",
                summary=f"{agenda.team.name}: {item.get_section_display()}: {item.summary[:200]}",
                reference=item.reference,
                url_name="marac:agenda-detail",
                url_args=(agenda.pk,),
            )
        )

    entries.sort(key=lambda e: (e.when, e.kind))
    if start:
        entries = [e for e in entries if e.day >= start]
    if end:
        entries = [e for e in entries if e.day <= end]
    return Chronology(review=review, entries=entries, start=start, end=end)
