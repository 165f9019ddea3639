"""Reads of MARAC referrals: the coordinator's triage lists, the assessments still to be
referred, repeat-MARAC alerts and the criteria a referral meets.

Referrals are read by MARAC coordinators within their borough (the central team's across
London). Partner agencies see nothing here yet: sharing comes with its own selector.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import Party, PartyRole, Person, SafeContactMethod
from cases.selectors.incidents import incidents_visible_to
from cases.selectors.people import persons_visible_to
from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, MARAC_COORDINATORS, has_role
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer, viewer_borough_id
from publicprotection.lookups import AnyOfIds
from riskassessment.models import (
    AnswerValue,
    AssessmentStatus,
    Level,
    MaracDecision,
    RiskAssessment,
    visible_high_risk,
)
from riskassessment.selectors.assessments import assessments_visible_to, superseded_by_a_draft

from ..models import (
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    ReferralCriterion,
    ReferralHistoryEntry,
    ReferralStatus,
    RepeatMaracCandidate,
)

REFERRAL_READERS = MARAC_COORDINATORS
# Officers refer from their own assessments; coordinators from any in their borough.
REFERRAL_CREATORS = CASE_WRITERS | MARAC_COORDINATORS


def repeat_window() -> timedelta:
    return timedelta(days=settings.MARAC_REPEAT_WINDOW_DAYS)


def referrals_visible_to(*, viewer) -> QuerySet[MaracReferral]:
    return scope_to_viewer(
        MaracReferral.objects.all(),
        viewer=viewer,
        borough_field="borough_id",
        police_roles=REFERRAL_READERS,
    )


def referral_list(*, viewer, status: str = "") -> QuerySet[MaracReferral]:
    qs = (
        referrals_visible_to(viewer=viewer)
        .select_related("person", "incident", "borough", "referred_by")
        .prefetch_related(perpetrators_prefetch())
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def referral_get(*, viewer, referral_id) -> MaracReferral:
    qs = (
        referrals_visible_to(viewer=viewer)
        .select_related("person", "incident", "borough", "assessment", "referred_by")
        .prefetch_related(
            perpetrators_prefetch(),
            Prefetch(
                "history",
                queryset=ReferralHistoryEntry.objects.select_related("actor").order_by(
                    "created_at", "id"
                ),
            ),
            Prefetch(
                "listings",
                queryset=MaracCaseListing.objects.select_related("meeting__team"),
            ),
        )
    )
    return get_visible_or_404(qs, pk=referral_id)


def open_referral_exists() -> Exists:
    return Exists(
        MaracReferral.objects.filter(assessment_id=OuterRef("pk")).exclude(
            status=ReferralStatus.REJECTED
        )
    )


def to_be_referred_filter() -> Q:
    """Current, submitted visible HIGH assessments not decided against referral.

    High risk cases go to MARAC (DOMAIN.md, MARAC). The rule reads the level in force, however
    it became HIGH (the officer's level, a supervisor's regrade, DASH, a reassessment, an
    escalation), and the instrument's recommendation: a recommended HIGH that an officer or a
    supervisor set lower is still a visible high risk (professional judgement is never used to
    downgrade). One with no decision recorded is to be referred, and only a recorded decision
    not to refer, with its reasons, takes it off the list. A HIGH whose reassessment
    is still a draft stays in force (`superseded_by_a_draft`): starting a reassessment and
    leaving it unsubmitted must not take a HIGH off the list."""
    return (
        visible_high_risk()
        & (Q(is_current=True) | Q(id__in=superseded_by_a_draft()))
        & ~Q(marac_decision=MaracDecision.NOT_REFERRED)
        & ~Q(status=AssessmentStatus.DRAFT)
    )


def assessments_to_be_referred(*, viewer) -> QuerySet[RiskAssessment]:
    """HIGH assessments (`to_be_referred_filter`) with no referral yet."""
    if viewer.role not in MARAC_COORDINATORS:
        return RiskAssessment.objects.none()
    # `has_open_marac_referral` is kept by the database from the referrals (marac's triggers),
    # and the partial index assessment_to_refer holds only the HIGHs without one: the list
    # reads the few waiting, not every HIGH the years referred. Those few are checked against
    # the referrals themselves as well.
    high_not_referred = (
        assessments_visible_to(viewer=viewer)
        .filter(to_be_referred_filter(), has_open_marac_referral=False)
        .filter(~open_referral_exists())
        .order_by()
    )
    # Two index ranges, read apart: the current HIGHs (assessment_to_refer) and the few HIGHs
    # behind a reassessment still a draft. An OR of the two in one query could use neither.
    waiting = (
        high_not_referred.filter(is_current=True)
        .values("id")
        .union(high_not_referred.filter(id__in=superseded_by_a_draft()).values("id"))
    )
    # Read as `id IN (…)`: the subquery is an index-only scan of assessment_to_refer, costed
    # from the index's own size (the few waiting). Read directly, the plan took its row count
    # from the predicate's columns (96,000 HIGHs at a million incidents, whatever the index
    # holds), costed the fetch at 57,000, and with some statistics samples started two parallel
    # workers for a list that is usually empty: 7-9 ms against 0.1 ms (benchmarks/README.md).
    return (
        RiskAssessment.objects.filter(id__in=waiting)
        .select_related("incident", "person", "level_set_by")
        .order_by("-submitted_at", "-id")
    )


def referable_assessment_get(*, viewer, assessment_id) -> RiskAssessment:
    """An assessment the viewer may refer: in scope and with a level recorded."""
    if viewer.role not in REFERRAL_CREATORS:
        return get_visible_or_404(RiskAssessment.objects.none(), pk=assessment_id)
    qs = assessments_visible_to(viewer=viewer).select_related(
        "incident__borough", "person", "instrument"
    )
    return get_visible_or_404(qs.exclude(final_level=""), pk=assessment_id)


def _deeper(value, levels: int):
    """`value` as seen from `levels` subqueries further in (an OuterRef must be wrapped once
    per level; a plain value stays as it is)."""
    for _ in range(levels):
        value = OuterRef(value) if isinstance(value, OuterRef) else value
    return value


def earlier_referrals_of_the_same_pair(
    victim, incident, when, window: timedelta | None = None
) -> QuerySet[MaracReferral]:
    """Referrals (not rejected) of the victim in the repeat window (`window`, by default the
    setting's) before `when` whose incident had a suspect who is also a suspect of `incident`:
    a new incident between the same victim and perpetrator (DOMAIN.md, MARAC: repeat).
    Arguments are values, or OuterRefs into the query this is used in."""
    window = repeat_window() if window is None else window
    suspects_now = Party.objects.filter(
        incident_id=_deeper(incident, 2), role=PartyRole.SUSPECT
    ).values("person_id")
    same_perpetrator = Party.objects.filter(
        incident_id=OuterRef("incident_id"), role=PartyRole.SUSPECT, person_id__in=suspects_now
    )
    return MaracReferral.objects.filter(
        Exists(same_perpetrator),
        person_id=victim,
        created_at__lt=when,
        created_at__gte=when - window,
    ).exclude(status=ReferralStatus.REJECTED)


# A case's 12-month review is shown from a month before its anniversary until a month after.
REVIEW_SHOWN_BEFORE = timedelta(days=30)
REVIEW_SHOWN_AFTER = timedelta(days=30)


def twelve_month_reviews_due(*, viewer, first: int | None = None) -> QuerySet[MaracReferral]:
    """Heard cases of the viewer's borough whose last MARAC was about a year ago, not listed
    since: they come back "reaching 12 months since their last MARAC". Annotated with
    `last_heard` (the start of that meeting), oldest first. `first`: only the first so many
    (the MARAC home's page), found before anything else about them is read."""
    if viewer.role not in MARAC_COORDINATORS:
        return MaracReferral.objects.none()
    year = timedelta(days=365)
    now = timezone.now()
    earliest, latest = now - year - REVIEW_SHOWN_AFTER, now - year + REVIEW_SHOWN_BEFORE
    # Only cases heard at a meeting of that window can be due: they are read first, so the
    # work follows the window's meetings instead of every case the borough ever heard (3,400
    # in ten years, each with its last hearing looked up). A case is only ever listed at its
    # own borough's meetings (`referral_list_at_meeting`).
    meetings = MaracMeeting.objects.filter(starts_at__gte=earliest, starts_at__lte=latest)
    if (borough_id := viewer_borough_id(viewer)) is not None:
        meetings = meetings.filter(team__borough_id=borough_id)
    # Each case heard then, with its last hearing of the window: that is its last hearing,
    # unless it was listed at a later meeting, which takes it off the list (`listed_since`).
    last_heard_then: dict[int, datetime] = {}
    for referral_id, starts_at in MaracCaseListing.objects.filter(meeting__in=meetings).values_list(
        "referral_id", "meeting__starts_at"
    ):
        if referral_id not in last_heard_then or starts_at > last_heard_then[referral_id]:
            last_heard_then[referral_id] = starts_at
    last_heard = Subquery(
        MaracCaseListing.objects.filter(referral=OuterRef("pk"))
        .order_by("-meeting__starts_at")
        .values("meeting__starts_at")[:1]
    )
    listed_since = MaracCaseListing.objects.filter(
        referral=OuterRef("pk"), meeting__starts_at__gt=latest
    )
    rule = (
        referrals_visible_to(viewer=viewer)
        .filter(status=ReferralStatus.HEARD)
        .filter(~Exists(listed_since))
    )
    due = rule.filter(AnyOfIds(F("pk"), list(last_heard_then)))
    if first is not None:
        # The page is chosen in the order the window's hearings give (oldest first), a few
        # more cases than the page at a time, until it is full; only its cases are joined to
        # their person and incident. London-wide at a million incidents about 1,700 cases are
        # due: looking each one's last hearing up to sort them all was 20 ms for the page of
        # 20 (and 21 ms more before, when each was also joined).
        in_order = sorted(last_heard_then, key=lambda pk: (last_heard_then[pk], pk))
        page: list[int] = []
        start, batch = 0, 2 * first
        while len(page) < first and start < len(in_order):
            chosen = in_order[start : start + batch]
            kept = set(rule.filter(AnyOfIds(F("pk"), chosen)).values_list("pk", flat=True))
            page.extend(pk for pk in chosen if pk in kept)
            start, batch = start + batch, batch * 2
        due = MaracReferral.objects.filter(AnyOfIds(F("pk"), page[:first]))
    due = due.annotate(last_heard=last_heard).order_by("last_heard", "id")
    return due.select_related("person", "incident")


def repeat_marac_alerts(*, viewer, borough_id: int | None = None) -> QuerySet[Party]:
    """Victims of an incident in scope who had a MARAC referral, about the same perpetrator, in
    the 12 months before it: a repeat MARAC. Incidents already referred for that victim drop
    off the list. Newest incident first; the MARAC home shows the first page. `borough_id`
    narrows a London-wide coordinator's alerts to one borough (their home's choice)."""
    if viewer.role not in MARAC_COORDINATORS:
        return Party.objects.none()
    return _repeat_alerts_among(viewer, borough_id, _repeat_candidate_ids(viewer, borough_id))


def first_repeat_marac_alerts(
    *, viewer, limit: int, borough_id: int | None = None, request=None
) -> list[Party]:
    """The first `limit` of `repeat_marac_alerts`, the whole rule applied to the newest
    candidates only: a few more than the page at a time, in the alerts' own order, until the
    page is full. London-wide at a million incidents the rule on all 500 candidates took
    23-29 ms; nine in ten candidates are alerts, so the first batch nearly always fills the
    page. `request`: the candidates read once for the request (the navigation's number)."""
    if viewer.role not in MARAC_COORDINATORS:
        return []
    memo = _request_memo(request, borough_id) if request is not None else None
    ids = memo["ids"] if memo is not None else _repeat_candidate_ids(viewer, borough_id)
    start, batch = 0, 2 * limit
    if len(ids) <= batch:
        # One batch holds them all (a borough's 15-21): the whole list's query, which the
        # request's navigation number also counts, built once for both.
        alerts = (
            memo["alerts"] if memo is not None else _repeat_alerts_among(viewer, borough_id, ids)
        )
        return list(alerts[:limit])
    found: list[Party] = []
    while len(found) < limit and start < len(ids):
        # Candidates are newest first like the alerts (their incident's time, then the party):
        # each batch's alerts follow the previous batch's.
        found.extend(_repeat_alerts_among(viewer, borough_id, ids[start : start + batch]))
        start, batch = start + batch, batch * 2
    return found[:limit]


def _repeat_candidate_ids(viewer, borough_id: int | None) -> list[int]:
    """The parties that may be repeat alerts, newest incident first: the few victims of the
    window whose person was referred (not rejected) in the window before their incident, kept
    by database triggers (RepeatMaracCandidate, ADR 0017). One index range, about 15 rows a
    borough and 500 across London at a million incidents; looking each of the year's victims
    up in the referrals instead (3,100 in a borough, 100,000 across London) cost 7.5-10 ms on
    every page a coordinator opened (the navigation's number), and London's walk 25 ms."""
    since = timezone.now() - repeat_window()
    candidates = RepeatMaracCandidate.objects.filter(
        occurred_at__gte=since, last_referral_at__gte=F("occurred_at") - repeat_window()
    )
    if (borough := borough_id if borough_id is not None else viewer_borough_id(viewer)) is not None:
        candidates = candidates.filter(borough_id=borough)
    # The candidacy's occurred_at is its incident's (the triggers keep it): the same order as
    # the alerts' own, so a page can be chosen among the first candidates.
    return list(candidates.order_by("-occurred_at", "-party_id").values_list("party_id", flat=True))


def _repeat_alerts_among(viewer, borough_id: int | None, ids: list[int]) -> QuerySet[Party]:
    """The repeat alerts among the parties `ids`: the viewer's scope and the whole rule (a
    candidacy is a hint), newest incident first."""
    # Incidents of the last repeat window only: an alert is about a new incident, and older
    # ones were either referred or decided long ago.
    since = timezone.now() - repeat_window()
    parties = scope_to_viewer(
        _repeat_rule(repeat_window()).filter(
            role=PartyRole.VICTIM, incident__occurred_at__gte=since
        ),
        viewer=viewer,
        borough_field="incident__borough_id",
        police_roles=MARAC_COORDINATORS,
    )
    if borough_id is not None:  # a London-wide coordinator's chosen borough (their home)
        parties = parties.filter(incident__borough_id=borough_id)
    return (
        parties.filter(AnyOfIds(F("pk"), ids))
        .select_related("incident", "person")
        .order_by(F("incident__occurred_at").desc(), "-id")
    )


def _request_memo(request, borough_id: int | None) -> dict:
    memo = request.__dict__.setdefault("_pp_repeat_marac_alerts", {})
    if borough_id not in memo:
        ids = _repeat_candidate_ids(request.user, borough_id)
        memo[borough_id] = {
            "ids": ids,
            "alerts": _repeat_alerts_among(request.user, borough_id, ids),
        }
    return memo[borough_id]


def request_repeat_marac_alerts(request, *, borough_id: int | None = None) -> QuerySet[Party]:
    """`repeat_marac_alerts` of the request's user, worked out once per request: the MARAC
    home's list and the navigation's number (worklists) both ask for it, and the candidates
    query runs when the queryset is built (about 1.3 ms at a million incidents, since ADR
    0017; it was 7.5 ms, twice a page). The memo is kept on the request object, so it ends with the
    request: it never outlives a write made by a later one (a memo on the viewer would, for
    a user object kept across requests, as tests and tasks keep them). Within one request the
    alerts are read once, before any write the request may make: only GET pages show them."""
    if request.user.role not in MARAC_COORDINATORS:
        return Party.objects.none()
    return _request_memo(request, borough_id)["alerts"]


@functools.lru_cache(maxsize=4)
def _repeat_rule(window: timedelta) -> QuerySet[Party]:
    """The parties with an earlier referral of their person about the same perpetrator (within
    `window` before their incident) and no referral of their incident: the rule of a repeat
    MARAC alert, without scope or candidates.

    Built once per process and window, then narrowed per request (each `.filter` is a copy,
    so this one is never changed or evaluated): resolving its nested EXISTS subqueries was
    about 3 ms of Python on every page a coordinator opened (the navigation's number), and
    only the window is in it. The window is the key: a changed setting builds the rule anew.
    """
    earlier = earlier_referrals_of_the_same_pair(
        OuterRef("person_id"), OuterRef("incident_id"), OuterRef("incident__occurred_at"), window
    )
    return Party.objects.filter(Exists(earlier)).filter(
        ~Exists(
            MaracReferral.objects.filter(
                person_id=OuterRef("person_id"), incident_id=OuterRef("incident_id")
            )
        )
    )


@dataclass(frozen=True)
class SuggestedCriterion:
    criterion: str
    reason: str


def _yes_count(assessment: RiskAssessment) -> int:
    return assessment.answers.filter(value=AnswerValue.YES).count()


def suggested_criteria(*, assessment: RiskAssessment) -> list[SuggestedCriterion]:
    """The criteria the records show (DOMAIN.md, MARAC). Professional judgement is the
    referrer's to add; nothing here ever removes a criterion the referrer chose."""
    found = []
    code = assessment.instrument.code
    if code == "dash":
        yes = _yes_count(assessment)
        if yes >= settings.MARAC_DASH_HIGH_RISK_YES_COUNT:
            found.append(
                SuggestedCriterion(
                    ReferralCriterion.VISIBLE_HIGH_RISK, f"DASH: {yes} questions answered yes."
                )
            )
    elif assessment.final_level == Level.HIGH:
        found.append(
            SuggestedCriterion(ReferralCriterion.VISIBLE_HIGH_RISK, "Assessed as HIGH risk.")
        )
    elif assessment.recommended_level == Level.HIGH:
        found.append(
            SuggestedCriterion(
                ReferralCriterion.VISIBLE_HIGH_RISK,
                f"{assessment.instrument.name} recommended HIGH risk "
                f"(the level set is {assessment.get_final_level_display() or 'not set'}).",
            )
        )

    when = assessment.incident.occurred_at
    incidents = (
        Party.objects.filter(
            person_id=assessment.person_id,
            role=PartyRole.VICTIM,
            incident__occurred_at__gte=when - repeat_window(),
            incident__occurred_at__lte=when,
        )
        .values("incident_id")
        .distinct()
        .count()
    )
    needed = settings.MARAC_ESCALATION_INCIDENT_COUNT
    if incidents >= needed:
        found.append(
            SuggestedCriterion(
                ReferralCriterion.POTENTIAL_ESCALATION,
                f"The victim's domestic incident number {incidents} within "
                f"{settings.MARAC_REPEAT_WINDOW_DAYS} days ({needed} or more).",
            )
        )

    earlier = (
        earlier_referrals_of_the_same_pair(assessment.person_id, assessment.incident_id, when)
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        found.append(
            SuggestedCriterion(
                ReferralCriterion.REPEAT,
                f"Referred to MARAC on {earlier.created_at:%d %B %Y} about the same "
                f"perpetrator, within {settings.MARAC_REPEAT_WINDOW_DAYS} days before this "
                "incident.",
            )
        )
    return found


def referrals_awaiting_triage(*, viewer) -> QuerySet[MaracReferral]:
    """The referrals list's rows awaiting triage, without their perpetrators: the lists that
    show them (the MARAC home, the coordinator's work list) name none, and reading them was a
    query and about 1.5 ms of Python a page."""
    return referral_list(viewer=viewer, status=ReferralStatus.SUBMITTED).prefetch_related(None)


# --- A victim's MARAC status, London-wide ------------------------------------------------------

OPEN_REFERRAL_STATUSES = (ReferralStatus.SUBMITTED, ReferralStatus.ACCEPTED, ReferralStatus.LISTED)


@dataclass(frozen=True)
class OpenReferral:
    """That a referral is open, where and since when: never the referral itself."""

    person_id: int
    status: str
    borough_name: str
    referred_at: object

    @property
    def status_label(self) -> str:
        return ReferralStatus(self.status).label


def open_referrals(*, viewer, person_ids) -> dict[int, OpenReferral]:
    """Each person's newest open MARAC referral (awaiting triage, accepted or listed), across
    London. DOMAIN.md: a victim's open MARAC referral is shown London-wide, like repeat flags,
    to every police viewer; the referral stays in its borough's scope. One query."""
    if not has_role(viewer, CASE_READERS):
        return {}
    rows = (
        MaracReferral.objects.filter(
            person_id__in=list(person_ids), status__in=OPEN_REFERRAL_STATUSES
        )
        .order_by("person_id", "-created_at", "-id")
        .distinct("person_id")
        .values_list("person_id", "status", "borough__name", "created_at")
    )
    return {row[0]: OpenReferral(*row) for row in rows}


CHILD_ROLES = (PartyRole.CHILD_PRESENT, PartyRole.CHILD_IN_HOUSEHOLD)


def referral_initial_from_records(*, assessment: RiskAssessment) -> dict:
    """What the referral form can be filled with from the records, for the referrer to check:
    the victim's safe contact route and times (never an address: a refuge or confidential one
    must not reach a partner), language and interpreter, the children recorded in the incident
    and the ids of its suspects (chosen among `perpetrator_candidates`). Two queries."""
    person = Person.objects.get(pk=assessment.person_id)
    parties = list(
        Party.objects.filter(incident_id=assessment.incident_id)
        .exclude(role=PartyRole.VICTIM)
        .order_by("id")
    )
    contact = []
    if person.safe_contact_method:
        contact.append(SafeContactMethod(person.safe_contact_method).label)
    if person.phone and person.safe_contact_method != SafeContactMethod.NO_CONTACT:
        contact.append(f"phone {person.phone}")
    initial = {
        "safe_contact": ": ".join(contact),
        "safe_contact_times": person.safe_contact_times,
        "language": person.language,
        "interpreter": person.interpreter_needed,
        "children_in_household": len(
            {party.person_id for party in parties if party.role in CHILD_ROLES}
        ),
        # The incident's suspects are pre-selected among the people on record.
        "perpetrators": [party.person_id for party in parties if party.role == PartyRole.SUSPECT],
    }
    return {name: value for name, value in initial.items() if value not in ("", None, [])}


# --- The perpetrators a referral names -----------------------------------------------------


def perpetrator_candidates(*, viewer, assessment: RiskAssessment) -> QuerySet[Person]:
    """The people a referral of `assessment` may name as perpetrators: those recorded as
    suspects in the victim's incidents that the viewer may see (never the victim). Annotated
    with `in_this_incident`; the assessed incident's suspects first, then by name."""
    victims_incidents = Party.objects.filter(
        person_id=assessment.person_id,
        role=PartyRole.VICTIM,
        incident__in=incidents_visible_to(viewer=viewer),
    ).values("incident_id")
    suspect_in = Party.objects.filter(
        person_id=OuterRef("pk"), role=PartyRole.SUSPECT, incident_id__in=victims_incidents
    )
    this_incident = Party.objects.filter(
        person_id=OuterRef("pk"), role=PartyRole.SUSPECT, incident_id=assessment.incident_id
    )
    return (
        Person.objects.filter(Exists(suspect_in))
        .exclude(pk=assessment.person_id)
        .annotate(in_this_incident=Exists(this_incident))
        .order_by("-in_this_incident", "family_name", "given_name", "id")
    )


@dataclass(frozen=True)
class NamedPerpetrator:
    """A linked perpetrator as a page shows it: the link only where the viewer may open the
    person's page."""

    person_id: int
    name: str
    linkable: bool


def named_perpetrators(*, viewer, referrals) -> dict[int, list[NamedPerpetrator]]:
    """Each referral's linked perpetrators, by referral id (their `perpetrators` prefetched,
    as the referral selectors do). One query for which people the viewer may open; partners,
    who open no person page, get names only and no query."""
    referrals = list(referrals)
    people = {person.pk for r in referrals for person in r.perpetrators.all()}
    openable = (
        set(persons_visible_to(viewer=viewer).filter(pk__in=people).values_list("pk", flat=True))
        if people and has_role(viewer, CASE_READERS)
        else set()
    )
    return {
        r.pk: [
            NamedPerpetrator(person.pk, person.full_name, person.pk in openable)
            for person in r.perpetrators.all()
        ]
        for r in referrals
    }


def perpetrators_prefetch() -> Prefetch:
    return Prefetch("perpetrators", queryset=Person.objects.order_by("family_name", "given_name"))
