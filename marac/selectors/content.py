"""What goes on a daily meeting agenda: each section's rule, as reads of cases and
riskassessment for one team over the period since its previous meeting.

These reads run for a team (by the generator), not for a signed-in viewer: a borough agenda
covers that borough's records; the central agenda covers London. Who may then read the agenda
is decided by `marac.selectors.agendas`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cases.models import ArrestDecision, Party, PartyRole, ProtectiveOrder, ReviewStatus
from cases.selectors.flags import serial_perpetrator_ids, window
from publicprotection.accounts.models import Team
from publicprotection.london_time import LONDON
from riskassessment.models import (
    OPEN_RARA_STATUSES,
    Answer,
    AnswerValue,
    AssessmentStatus,
    Level,
    RaraAction,
    RiskAssessment,
)

from ..meeting_calendar import Period
from ..models import AgendaSection, ItemObjectType, MaracReferral, ReferralStatus
from .referrals import earlier_referrals_of_the_same_pair

ESCALATION_CODE = "escalation"

# Sections the meeting discusses but whose records do not exist yet: named on the agenda as not
# available, never filled with made-up rows.
NOT_YET_AVAILABLE: list[str] = []
ORDER_EXPIRY_DAYS = 7
BOROUGH_SECTIONS = [
    AgendaSection.HIGH_RISK,
    AgendaSection.MEDIUM_ESCALATION,
    AgendaSection.OUTSTANDING_SUSPECTS,
    AgendaSection.AWAITING_REVIEW,
    AgendaSection.REPEAT_VICTIMS,
    AgendaSection.SERIAL_PERPETRATORS,
    AgendaSection.OVERDUE_RARA,
    AgendaSection.MARAC_AWAITING,
    AgendaSection.REPEAT_MARAC,
    AgendaSection.ORDERS_EXPIRING,
]
CENTRAL_SECTIONS = [AgendaSection.LONDON_HIGH_RISK, AgendaSection.CROSS_BOROUGH]


def sections_for(team: Team) -> list[str]:
    return CENTRAL_SECTIONS if team.is_central else BOROUGH_SECTIONS


@dataclass(frozen=True)
class ItemSpec:
    section: str
    object_type: str
    object_id: int
    reference: str
    summary: str

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.section, self.object_type, self.object_id)


def _local(when: datetime | None) -> str:
    return when.astimezone(LONDON).strftime("%d %b %Y %H:%M") if when else "not recorded"


def _in_borough(queryset, field: str, team: Team):
    return queryset if team.is_central else queryset.filter(**{field: team.borough_id})


# --- Risk assessments ------------------------------------------------------------------------


def _submitted_in(period: Period):
    """Assessments submitted in the period, or whose level was set in it (a supervisor's
    regrade after the submission's meeting is new to the meeting)."""
    return RiskAssessment.objects.filter(
        Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
        | Q(level_set_at__gte=period.start, level_set_at__lt=period.end),
        is_current=True,
        status__in=[AssessmentStatus.AWAITING_REVIEW, AssessmentStatus.CONFIRMED],
    ).select_related("incident", "person", "borough", "instrument", "created_by", "level_set_by")


def level_set_by_text(assessment: RiskAssessment) -> str:
    """Who set the level in force: a regrading supervisor is named as such, never the officer."""
    setter = assessment.level_set_by or assessment.created_by
    when = assessment.level_set_at or assessment.submitted_at
    regraded = assessment.is_regraded
    who = f"regraded by {setter.display_name}" if regraded else f"by {setter.display_name}"
    text = f"{who} on {_local(when)}"
    if regraded:
        text += f" (assessed by {assessment.created_by.display_name})"
    return text


def _assessment_summary(assessment: RiskAssessment, *, with_borough: bool = False) -> str:
    parts = [
        f"{assessment.person.full_name}, graded {assessment.get_final_level_display().upper()}"
        f" with {assessment.instrument.name} {level_set_by_text(assessment)}"
        f" ({assessment.get_status_display().lower()})."
    ]
    if with_borough:
        parts.append(f"Borough: {assessment.borough.name}.")
    if assessment.recommendation_reasons:
        parts.append("Reasons: " + "; ".join(str(r) for r in assessment.recommendation_reasons))
    if assessment.escalation_reason:
        parts.append(f"Escalation: {assessment.escalation_reason}")
    parts.append(
        "MARAC: " + (assessment.get_marac_decision_display() or "no decision recorded") + "."
    )
    return " ".join(parts)


def new_high_risk(team: Team, period: Period, *, with_borough: bool = False) -> list[ItemSpec]:
    qs = _in_borough(_submitted_in(period).filter(final_level=Level.HIGH), "borough_id", team)
    section = AgendaSection.LONDON_HIGH_RISK if team.is_central else AgendaSection.HIGH_RISK
    return [
        ItemSpec(
            section,
            ItemObjectType.RISK_ASSESSMENT,
            a.pk,
            a.incident.reference,
            _assessment_summary(a, with_borough=with_borough or team.is_central),
        )
        for a in qs.order_by("submitted_at", "id")
    ]


def medium_with_escalation(team: Team, period: Period) -> list[ItemSpec]:
    escalation = Answer.objects.filter(
        assessment=OuterRef("pk"), question__code=ESCALATION_CODE, value=AnswerValue.YES
    )
    qs = _in_borough(
        _submitted_in(period).filter(Exists(escalation), final_level=Level.MEDIUM),
        "borough_id",
        team,
    )
    return [
        ItemSpec(
            AgendaSection.MEDIUM_ESCALATION,
            ItemObjectType.RISK_ASSESSMENT,
            a.pk,
            a.incident.reference,
            _assessment_summary(a),
        )
        for a in qs.order_by("submitted_at", "id")
    ]


# --- Positive action -------------------------------------------------------------------------


def _decisions(team: Team):
    return _in_borough(
        ArrestDecision.objects.select_related("incident", "suspect__person", "decided_by"),
        "incident__borough_id",
        team,
    )


def outstanding_suspects(team: Team, period: Period) -> list[ItemSpec]:
    """Every suspect still outstanding at the meeting, longest outstanding first."""
    items = []
    for d in _decisions(team).filter(is_outstanding=True).order_by("decided_at", "id"):
        days = (period.end.astimezone(LONDON).date() - d.decided_at.astimezone(LONDON).date()).days
        items.append(
            ItemSpec(
                AgendaSection.OUTSTANDING_SUSPECTS,
                ItemObjectType.ARREST_DECISION,
                d.pk,
                d.incident.reference,
                f"{d.suspect.person.full_name}, outstanding for {days} "
                f"day{'s' if days != 1 else ''} (since {_local(d.decided_at)}). "
                f"Reason not arrested: {d.get_reason_display()}. "
                f"Decided by {d.decided_by.display_name}.",
            )
        )
    return items


def awaiting_review(team: Team, period: Period) -> list[ItemSpec]:
    """Decisions not to arrest waiting for a supervisor: overdue at the meeting first."""
    decisions = _decisions(team).filter(review_status=ReviewStatus.AWAITING)
    decisions = sorted(
        decisions,
        key=lambda d: (
            not (d.review_due_at and d.review_due_at < period.end),
            d.review_due_at or period.end,
            d.pk,
        ),
    )
    items = []
    for d in decisions:
        overdue = bool(d.review_due_at and d.review_due_at < period.end)
        due = (
            f"OVERDUE: review was due {_local(d.review_due_at)}."
            if overdue
            else (f"Review due {_local(d.review_due_at)}.")
        )
        items.append(
            ItemSpec(
                AgendaSection.AWAITING_REVIEW,
                ItemObjectType.ARREST_DECISION,
                d.pk,
                d.incident.reference,
                f"{due} Suspect {d.suspect.person.full_name} not arrested: "
                f"{d.get_reason_display()}. Decided by {d.decided_by.display_name} "
                f"on {_local(d.decided_at)}.",
            )
        )
    return items


# --- Repeat victims and serial perpetrators ----------------------------------------------------


def _parties_in_period(team: Team, period: Period, role: str):
    qs = Party.objects.filter(
        role=role,
        incident__reported_at__gte=period.start,
        incident__reported_at__lt=period.end,
    ).select_related("incident", "person")
    return _in_borough(qs, "incident__borough_id", team)


def repeat_victims(team: Team, period: Period) -> list[ItemSpec]:
    """Victims in incidents reported in the period with another incident as victim within the
    repeat window (anywhere in London)."""
    others = (
        Party.objects.filter(
            role=PartyRole.VICTIM,
            person_id=OuterRef("person_id"),
            incident__occurred_at__gte=OuterRef("incident__occurred_at") - window(),
            incident__occurred_at__lte=OuterRef("incident__occurred_at") + window(),
        )
        .exclude(incident_id=OuterRef("incident_id"))
        .order_by()
        .values("person_id")
        .annotate(n=Count("incident_id", distinct=True))
        .values("n")
    )
    parties = (
        _parties_in_period(team, period, PartyRole.VICTIM)
        .annotate(other_incidents=Coalesce(Subquery(others), 0))
        .filter(other_incidents__gte=1)
        .order_by("person_id", "-incident__reported_at")
    )
    latest: dict[int, Party] = {}
    for party in parties:
        latest.setdefault(party.person_id, party)
    return [
        ItemSpec(
            AgendaSection.REPEAT_VICTIMS,
            ItemObjectType.PERSON,
            p.person_id,
            p.incident.reference,
            f"{p.person.full_name}, victim in {p.incident.reference} "
            f"(reported {_local(p.incident.reported_at)}), with {p.other_incidents} other "
            f"incident{'s' if p.other_incidents != 1 else ''} as a victim within "
            f"{settings.REPEAT_WINDOW_DAYS} days.",
        )
        for p in sorted(latest.values(), key=lambda p: (p.incident.reported_at, p.pk))
    ]


def serial_perpetrators(team: Team, period: Period) -> list[ItemSpec]:
    """Suspects in incidents reported in the period who have abused two or more victims."""
    suspects = list(
        _parties_in_period(team, period, PartyRole.SUSPECT).order_by("-incident__reported_at")
    )
    serial = serial_perpetrator_ids({p.person_id for p in suspects})
    if not serial:
        return []
    victims = dict(
        Party.objects.filter(person_id__in=serial, role=PartyRole.SUSPECT)
        .values("person_id")
        .annotate(
            n=Count(
                "incident__parties__person",
                filter=Q(incident__parties__role=PartyRole.VICTIM),
                distinct=True,
            )
        )
        .values_list("person_id", "n")
    )
    latest: dict[int, Party] = {}
    for party in suspects:
        if party.person_id in serial:
            latest.setdefault(party.person_id, party)
    return [
        ItemSpec(
            AgendaSection.SERIAL_PERPETRATORS,
            ItemObjectType.PERSON,
            p.person_id,
            p.incident.reference,
            f"{p.person.full_name}, suspect in {p.incident.reference} "
            f"(reported {_local(p.incident.reported_at)}): abuse against "
            f"{victims.get(p.person_id, 2)} different victims.",
        )
        for p in sorted(latest.values(), key=lambda p: (p.incident.reported_at, p.pk))
    ]


# --- RARA --------------------------------------------------------------------------------------


def overdue_rara_actions(team: Team, period: Period) -> list[ItemSpec]:
    """Open RARA actions due before the meeting day."""
    meeting_day = period.end.astimezone(LONDON).date()
    qs = _in_borough(
        RaraAction.objects.filter(status__in=OPEN_RARA_STATUSES, due_date__lt=meeting_day),
        "borough_id",
        team,
    ).select_related("assessment__incident", "assessment__person", "action_type", "owner")
    items = []
    for action in qs.order_by("due_date", "id"):
        days = (meeting_day - action.due_date).days
        items.append(
            ItemSpec(
                AgendaSection.OVERDUE_RARA,
                ItemObjectType.RARA_ACTION,
                action.pk,
                action.assessment.incident.reference,
                f"{action.get_category_display()}: {action.action_type.name} for "
                f"{action.assessment.person.full_name}. Owner {action.owner.display_name}; "
                f"due {action.due_date:%d %b %Y}, {days} day{'s' if days != 1 else ''} overdue "
                f"({action.get_status_display().lower()}).",
            )
        )
    return items


# --- MARAC and protective orders ---------------------------------------------------------------


def marac_referrals_awaiting(team: Team, period: Period) -> list[ItemSpec]:
    """Referrals the coordinator has not yet accepted, rejected or listed, oldest first."""
    qs = _in_borough(
        MaracReferral.objects.filter(status=ReferralStatus.SUBMITTED), "borough_id", team
    ).select_related("incident", "person")
    return [
        ItemSpec(
            AgendaSection.MARAC_AWAITING,
            ItemObjectType.MARAC_REFERRAL,
            referral.pk,
            referral.incident.reference,
            f"{referral.person.full_name}: referred {_local(referral.created_at)}"
            f"{' (repeat MARAC)' if referral.is_repeat else ''}; awaiting the coordinator.",
        )
        for referral in qs.order_by("created_at", "id")
    ]


def repeat_marac(team: Team, period: Period) -> list[ItemSpec]:
    """Victims of an incident reported in the period who had a MARAC referral about the same
    perpetrator in the repeat window before it, where that incident has not been referred."""
    earlier = earlier_referrals_of_the_same_pair(
        OuterRef("person_id"), OuterRef("incident_id"), OuterRef("incident__occurred_at")
    )
    referred = MaracReferral.objects.filter(
        person_id=OuterRef("person_id"), incident_id=OuterRef("incident_id")
    )
    parties = _in_borough(
        Party.objects.filter(
            role=PartyRole.VICTIM,
            incident__reported_at__gte=period.start,
            incident__reported_at__lt=period.end,
        ),
        "incident__borough_id",
        team,
    )
    rows = (
        parties.filter(Exists(earlier))
        .exclude(Exists(referred))
        .select_related("incident", "person")
        .order_by("incident__reported_at", "id")
    )
    return [
        ItemSpec(
            AgendaSection.REPEAT_MARAC,
            ItemObjectType.PARTY,
            party.pk,
            party.incident.reference,
            f"{party.person.full_name}: a new incident with the same perpetrator within "
            f"{settings.MARAC_REPEAT_WINDOW_DAYS} days of their last MARAC referral (repeat MARAC).",
        )
        for party in rows
    ]


def orders_expiring(team: Team, period: Period) -> list[ItemSpec]:
    """Protective orders expiring from the meeting day to seven days after it."""
    meeting_day = period.end.astimezone(LONDON).date()
    qs = _in_borough(
        ProtectiveOrder.objects.filter(
            expires_on__gte=meeting_day,
            expires_on__lte=meeting_day + timedelta(days=ORDER_EXPIRY_DAYS),
        ),
        "borough_id",
        team,
    ).select_related("incident", "protected_person", "respondent")
    items = []
    for order in qs.order_by("expires_on", "id"):
        days = (order.expires_on - meeting_day).days
        against = f" against {order.respondent.full_name}" if order.respondent_id else ""
        items.append(
            ItemSpec(
                AgendaSection.ORDERS_EXPIRING,
                ItemObjectType.PROTECTIVE_ORDER,
                order.pk,
                order.incident.reference,
                f"{order.get_order_type_display()} protecting {order.protected_person.full_name}"
                f"{against}: expires {order.expires_on:%d %b %Y}"
                f" ({'today' if days == 0 else f'in {days} day' + ('s' if days != 1 else '')}).",
            )
        )
    return items


# --- Central: people across boroughs ----------------------------------------------------------


def cross_borough_people(team: Team, period: Period) -> list[ItemSpec]:
    """People who are a party in incidents reported in the period in two or more boroughs."""
    in_period = Party.objects.filter(
        incident__reported_at__gte=period.start, incident__reported_at__lt=period.end
    )
    person_ids = list(
        in_period.values("person_id")
        .annotate(boroughs=Count("incident__borough_id", distinct=True))
        .filter(boroughs__gte=2)
        .values_list("person_id", flat=True)
    )
    parties = (
        in_period.filter(person_id__in=person_ids)
        .select_related("incident__borough", "person")
        .order_by("person_id", "incident__reported_at", "id")
    )
    by_person: dict[int, list[Party]] = defaultdict(list)
    for party in parties:
        by_person[party.person_id].append(party)
    items = []
    for person_id, rows in by_person.items():
        incidents = "; ".join(
            f"{p.incident.reference} ({p.incident.borough.name}, {p.get_role_display().lower()})"
            for p in rows
        )
        items.append(
            ItemSpec(
                AgendaSection.CROSS_BOROUGH,
                ItemObjectType.PERSON,
                person_id,
                rows[-1].incident.reference,
                f"{rows[0].person.full_name}: {incidents}.",
            )
        )
    return items


SECTION_RULES = {
    AgendaSection.HIGH_RISK: new_high_risk,
    AgendaSection.LONDON_HIGH_RISK: new_high_risk,
    AgendaSection.CROSS_BOROUGH: cross_borough_people,
    AgendaSection.MEDIUM_ESCALATION: medium_with_escalation,
    AgendaSection.OUTSTANDING_SUSPECTS: outstanding_suspects,
    AgendaSection.AWAITING_REVIEW: awaiting_review,
    AgendaSection.REPEAT_VICTIMS: repeat_victims,
    AgendaSection.SERIAL_PERPETRATORS: serial_perpetrators,
    AgendaSection.OVERDUE_RARA: overdue_rara_actions,
    AgendaSection.MARAC_AWAITING: marac_referrals_awaiting,
    AgendaSection.REPEAT_MARAC: repeat_marac,
    AgendaSection.ORDERS_EXPIRING: orders_expiring,
}


def agenda_content(team: Team, period: Period) -> list[ItemSpec]:
    """Every new item for the team's agenda, section by section in meeting order."""
    items: list[ItemSpec] = []
    for section in sections_for(team):
        items.extend(SECTION_RULES[section](team, period))
    return items
