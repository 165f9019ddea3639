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

from cases.models import (
    ArrestDecision,
    IncidentStatus,
    Party,
    PartyRole,
    ProtectiveOrder,
    ReviewStatus,
)
from cases.selectors.flags import window
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
    visible_high_risk_by_level,
)
from riskassessment.selectors.assessments import superseded_by_a_draft

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
    """One item: `lines` are shown one a line (each reason the item is on the agenda on its
    own), stored in the item's summary joined by newlines."""

    section: str
    object_type: str
    object_id: int
    reference: str
    lines: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.section, self.object_type, self.object_id)

    @property
    def summary(self) -> str:
        return "\n".join(self.lines)


# A draft incident is still being written: nothing in it reaches the meeting until submitted.
NOT_DRAFT = ~Q(incident__status=IncidentStatus.DRAFT)


def _local(when: datetime | None) -> str:
    return when.astimezone(LONDON).strftime("%d %b %Y %H:%M") if when else "not recorded"


def _in_borough(queryset, field: str, team: Team):
    return queryset if team.is_central else queryset.filter(**{field: team.borough_id})


# --- Risk assessments ------------------------------------------------------------------------


# The agenda's "new high risk": HIGH in force, or recommended HIGH and set lower (a visible
# high risk still goes to MARAC, DOMAIN.md).
VISIBLE_HIGH = visible_high_risk_by_level()
# Medium with escalation, unless recommended HIGH: that one is under "new high risk".
MEDIUM_NOT_RECOMMENDED_HIGH = Q(final_level=Level.MEDIUM) & ~Q(recommended_level=Level.HIGH)


def _submitted_in(period: Period, levels: Q):
    """Current assessments at `levels` submitted in the period, or whose level was set in it (a
    supervisor's regrade after the submission's meeting is new to the meeting), or whose
    incident was submitted in it (an assessment made while the incident was a draft waits for
    it: it must not miss every meeting because its own submission fell in an earlier period).

    The ids are read first, one index range a condition: the three conditions OR-ed in one
    query span two tables, so PostgreSQL joined every incident to every assessment at the
    level (over a second at a million incidents, growing with history)."""
    start, end = period.start, period.end
    at_level = RiskAssessment.objects.filter(levels).order_by()
    ids = (
        at_level.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values_list("id", flat=True)
        .union(
            at_level.filter(level_set_at__gte=start, level_set_at__lt=end).values_list(
                "id", flat=True
            ),
            at_level.filter(
                incident__submitted_at__gte=start, incident__submitted_at__lt=end
            ).values_list("id", flat=True),
        )
    )
    return RiskAssessment.objects.filter(
        NOT_DRAFT,
        Q(is_current=True) | Q(id__in=superseded_by_a_draft()),  # the level in force
        levels,
        id__in=list(ids),
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


def _assessment_lines(assessment: RiskAssessment, *, with_borough: bool = False) -> tuple[str, ...]:
    lines = [
        f"{assessment.person.full_name}, graded {assessment.get_final_level_display().upper()}"
        + (
            f" (recommended {assessment.get_recommended_level_display().upper()})"
            if assessment.is_lowered
            else ""
        )
        + f" with {assessment.instrument.name} {level_set_by_text(assessment)}"
        f" ({assessment.get_status_display().lower()})."
    ]
    if with_borough:
        lines.append(f"Borough: {assessment.borough.name}.")
    lines.extend(f"Reason: {reason}" for reason in assessment.recommendation_reasons or [])
    if assessment.escalation_reason:
        lines.append(f"Escalation: {assessment.escalation_reason}")
    lines.append(
        "MARAC: " + (assessment.get_marac_decision_display() or "no decision recorded") + "."
    )
    return tuple(lines)


def new_high_risk(team: Team, period: Period, *, with_borough: bool = False) -> list[ItemSpec]:
    qs = _in_borough(_submitted_in(period, VISIBLE_HIGH), "borough_id", team)
    section = AgendaSection.LONDON_HIGH_RISK if team.is_central else AgendaSection.HIGH_RISK
    return [
        ItemSpec(
            section,
            ItemObjectType.RISK_ASSESSMENT,
            a.pk,
            a.incident.reference,
            _assessment_lines(a, with_borough=with_borough or team.is_central),
        )
        for a in qs.order_by("submitted_at", "id")
    ]


def medium_with_escalation(team: Team, period: Period) -> list[ItemSpec]:
    escalation = Answer.objects.filter(
        assessment=OuterRef("pk"), question__code=ESCALATION_CODE, value=AnswerValue.YES
    )
    qs = _in_borough(
        _submitted_in(period, MEDIUM_NOT_RECOMMENDED_HIGH).filter(Exists(escalation)),
        "borough_id",
        team,
    )
    return [
        ItemSpec(
            AgendaSection.MEDIUM_ESCALATION,
            ItemObjectType.RISK_ASSESSMENT,
            a.pk,
            a.incident.reference,
            _assessment_lines(a),
        )
        for a in qs.order_by("submitted_at", "id")
    ]


# --- Positive action -------------------------------------------------------------------------


def _decisions(team: Team):
    return _in_borough(
        ArrestDecision.objects.filter(NOT_DRAFT).select_related(
            "incident", "suspect__person", "decided_by"
        ),
        "borough_id",  # the incident's, copied by the database
        team,
    )


def _by_suspect(decisions) -> dict[int, list[ArrestDecision]]:
    """The decisions grouped by the suspect (a person), in the order given: one item a person,
    however many incidents they are outstanding or awaiting review in."""
    grouped: dict[int, list[ArrestDecision]] = {}
    for d in decisions:
        grouped.setdefault(d.suspect.person_id, []).append(d)
    return grouped


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def outstanding_suspects(team: Team, period: Period) -> list[ItemSpec]:
    """Every suspect still outstanding at the meeting, once each (with every incident they are
    outstanding in), longest outstanding first."""
    meeting_day = period.end.astimezone(LONDON).date()
    decisions = _decisions(team).filter(is_outstanding=True).order_by("decided_at", "id")
    items = []
    for person_id, rows in _by_suspect(decisions).items():
        lines = [
            f"{rows[0].suspect.person.full_name}: outstanding in {_plural(len(rows), 'incident')}."
        ]
        for d in rows:
            days = (meeting_day - d.decided_at.astimezone(LONDON).date()).days
            lines.append(
                f"{d.incident.reference}: outstanding for {_plural(days, 'day')} "
                f"(since {_local(d.decided_at)}). Reason not arrested: {d.get_reason_display()}. "
                f"Decided by {d.decided_by.display_name}."
            )
        items.append(
            ItemSpec(
                AgendaSection.OUTSTANDING_SUSPECTS,
                ItemObjectType.PERSON,
                person_id,
                rows[-1].incident.reference,
                tuple(lines),
            )
        )
    return items


def awaiting_review(team: Team, period: Period) -> list[ItemSpec]:
    """Decisions not to arrest waiting for a supervisor, once a suspect: those with an overdue
    review at the meeting first, then by the earliest deadline."""

    def overdue(d: ArrestDecision) -> bool:
        return bool(d.review_due_at and d.review_due_at < period.end)

    def urgency(d: ArrestDecision):
        return (not overdue(d), d.review_due_at or period.end, d.pk)

    decisions = sorted(_decisions(team).filter(review_status=ReviewStatus.AWAITING), key=urgency)
    items = []
    for person_id, rows in _by_suspect(decisions).items():
        lines = [
            f"{rows[0].suspect.person.full_name}: "
            f"{_plural(len(rows), 'decision')} not to arrest awaiting review."
        ]
        for d in rows:
            due = (
                f"OVERDUE: review was due {_local(d.review_due_at)}."
                if overdue(d)
                else f"Review due {_local(d.review_due_at)}."
            )
            lines.append(
                f"{d.incident.reference}: {due} Not arrested: {d.get_reason_display()}. "
                f"Decided by {d.decided_by.display_name} on {_local(d.decided_at)}."
            )
        items.append(
            ItemSpec(
                AgendaSection.AWAITING_REVIEW,
                ItemObjectType.PERSON,
                person_id,
                rows[0].incident.reference,
                tuple(lines),
            )
        )
    return items


# --- Repeat victims and serial perpetrators ----------------------------------------------------


def _parties_in_period(team: Team, period: Period, role: str):
    qs = Party.objects.filter(
        NOT_DRAFT,
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
            NOT_DRAFT,
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
            (
                f"{p.person.full_name}, victim in {p.incident.reference} "
                f"(reported {_local(p.incident.reported_at)}).",
                f"{_plural(p.other_incidents, 'other incident')} as a victim within "
                f"{settings.REPEAT_WINDOW_DAYS} days.",
            ),
        )
        for p in sorted(latest.values(), key=lambda p: (p.incident.reported_at, p.pk))
    ]


def serial_perpetrators(team: Team, period: Period) -> list[ItemSpec]:
    """Suspects in incidents reported in the period who have abused two or more victims."""
    suspects = list(
        _parties_in_period(team, period, PartyRole.SUSPECT).order_by("-incident__reported_at")
    )
    # Victims of each suspect in submitted incidents, any time (as the repeat flags count them,
    # drafts aside).
    victims = dict(
        Party.objects.filter(
            NOT_DRAFT, person_id__in={p.person_id for p in suspects}, role=PartyRole.SUSPECT
        )
        .values("person_id")
        .annotate(
            n=Count(
                "incident__parties__person",
                filter=Q(incident__parties__role=PartyRole.VICTIM),
                distinct=True,
            )
        )
        .filter(n__gte=2)
        .values_list("person_id", "n")
    )
    serial = set(victims)
    if not serial:
        return []
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
            (
                f"{p.person.full_name}, suspect in {p.incident.reference} "
                f"(reported {_local(p.incident.reported_at)}).",
                f"Abuse against {victims[p.person_id]} different victims.",
            ),
        )
        for p in sorted(latest.values(), key=lambda p: (p.incident.reported_at, p.pk))
    ]


# --- RARA --------------------------------------------------------------------------------------


def overdue_rara_actions(team: Team, period: Period) -> list[ItemSpec]:
    """Open RARA actions due before the meeting day."""
    meeting_day = period.end.astimezone(LONDON).date()
    qs = _in_borough(
        RaraAction.objects.filter(
            ~Q(assessment__incident__status=IncidentStatus.DRAFT),
            status__in=OPEN_RARA_STATUSES,
            due_date__lt=meeting_day,
        ),
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
                (
                    f"{action.get_category_display()}: {action.action_type.name} for "
                    f"{action.assessment.person.full_name}.",
                    f"Owner {action.owner.display_name}; due {action.due_date:%d %b %Y}, "
                    f"{_plural(days, 'day')} overdue ({action.get_status_display().lower()}).",
                ),
            )
        )
    return items


# --- MARAC and protective orders ---------------------------------------------------------------


def marac_referrals_awaiting(team: Team, period: Period) -> list[ItemSpec]:
    """Referrals the coordinator has not yet accepted, rejected or listed, oldest first."""
    qs = _in_borough(
        MaracReferral.objects.filter(NOT_DRAFT, status=ReferralStatus.SUBMITTED), "borough_id", team
    ).select_related("incident", "person")
    return [
        ItemSpec(
            AgendaSection.MARAC_AWAITING,
            ItemObjectType.MARAC_REFERRAL,
            referral.pk,
            referral.incident.reference,
            (
                f"{referral.person.full_name}: referred {_local(referral.created_at)}; "
                "awaiting the coordinator.",
                *(["Repeat MARAC."] if referral.is_repeat else []),
            ),
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
            NOT_DRAFT,
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
            (
                f"{party.person.full_name}: a new incident with the same perpetrator within "
                f"{settings.MARAC_REPEAT_WINDOW_DAYS} days of their last MARAC referral.",
                "Repeat MARAC.",
            ),
        )
        for party in rows
    ]


def orders_expiring(team: Team, period: Period) -> list[ItemSpec]:
    """Protective orders expiring from the meeting day to seven days after it."""
    meeting_day = period.end.astimezone(LONDON).date()
    qs = _in_borough(
        ProtectiveOrder.objects.filter(
            NOT_DRAFT,
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
                (
                    f"{order.get_order_type_display()} protecting "
                    f"{order.protected_person.full_name}{against}.",
                    f"Expires {order.expires_on:%d %b %Y} "
                    f"({'today' if days == 0 else 'in ' + _plural(days, 'day')}).",
                ),
            )
        )
    return items


# --- Central: people across boroughs ----------------------------------------------------------


def cross_borough_people(team: Team, period: Period) -> list[ItemSpec]:
    """People who are a party in incidents reported in the period in two or more boroughs."""
    in_period = Party.objects.filter(
        NOT_DRAFT, incident__reported_at__gte=period.start, incident__reported_at__lt=period.end
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
        incidents = [
            f"{p.incident.reference}: {p.incident.borough.name}, {p.get_role_display().lower()}."
            for p in rows
        ]
        items.append(
            ItemSpec(
                AgendaSection.CROSS_BOROUGH,
                ItemObjectType.PERSON,
                person_id,
                rows[-1].incident.reference,
                (f"{rows[0].person.full_name}:", *incidents),
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
