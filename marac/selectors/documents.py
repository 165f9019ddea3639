"""Reads for meeting documents (packs and minutes): who may ask for which copy, the copy's row,
and the content of a pack or minutes as one viewer may see it.

Audiences: a MARAC coordinator who can see the meeting gets the full copy (agency None); a
member of an agency invited to the meeting gets the agency's copy, built from the same
viewer-scoped selectors the partner pages use (the cases shared with the agency, the agency's
own research and its own open actions). Anyone else gets a 404.

Everything a pack shows about a case (risk factors, recent incidents, children, previous
MARACs) is read only for listings the viewer may see: the listing share is the door, as for
the partner case summary. No address of any kind is ever read here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from cases.models import CHILD_ROLES, Party, PartyRole
from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.scope import get_visible_or_404
from publicprotection.accounts.models import Agency
from riskassessment.models import Answer, AnswerValue, Level

from ..models import (
    ActionStatus,
    CaseResearch,
    DocumentKind,
    MaracCaseListing,
    MaracMeeting,
    MeetingDocument,
    MeetingStatus,
    ReferralPerpetrator,
)
from . import meetings as meeting_selectors
from .actions import actions_visible_to
from .referrals import perpetrators_prefetch
from .sharing import age_of, cases_shared_with, partner_meetings

DOCUMENT_READERS = MARAC_COORDINATORS | PARTNERS
INCIDENT_WINDOW = timedelta(days=365)


def is_partner(viewer) -> bool:
    return has_role(viewer, PARTNERS)


def document_meetings_visible_to(*, viewer) -> QuerySet[MaracMeeting]:
    """Coordinators: the meetings of their borough (central: all). Partners: the meetings their
    agency is invited to, past or future, unless cancelled (a cancelled meeting's cases are no
    longer shared with anyone, so neither are its documents)."""
    if is_partner(viewer):
        return partner_meetings(viewer=viewer, upcoming=False).exclude(
            status=MeetingStatus.CANCELLED
        )
    return meeting_selectors.meetings_visible_to(viewer=viewer)


def document_meeting_get(*, viewer, meeting_id) -> MaracMeeting:
    return get_visible_or_404(document_meetings_visible_to(viewer=viewer), pk=meeting_id)


def document_audience(viewer) -> Agency | None:
    """The copy the viewer gets: their agency's, or the full copy (None) for coordinators."""
    return viewer.agency if is_partner(viewer) else None


def document_get(*, viewer, meeting: MaracMeeting, kind: str) -> MeetingDocument | None:
    """The viewer's copy of the meeting's document of this kind, if one was asked for. The
    meeting must already come from document_meeting_get."""
    audience = document_audience(viewer)
    return (
        MeetingDocument.objects.select_related("meeting__team", "agency")
        .filter(meeting=meeting, kind=kind, agency=audience)
        .first()
    )


def documents_for(*, viewer, meeting: MaracMeeting) -> dict[str, MeetingDocument | None]:
    """The viewer's copies of both kinds, by kind (one query)."""
    audience = document_audience(viewer)
    rows = {
        doc.kind: doc
        for doc in MeetingDocument.objects.select_related("meeting__team", "agency").filter(
            meeting=meeting, agency=audience
        )
    }
    return {kind: rows.get(kind) for kind in DocumentKind.values}


def pack_documents_for(*, viewer, meetings) -> dict[int, MeetingDocument]:
    """The viewer's copy of the pack of each of `meetings` that has one asked for, by meeting
    id (one query). The meetings must already come from a viewer-scoped selector."""
    audience = document_audience(viewer)
    documents = MeetingDocument.objects.filter(
        meeting__in=[meeting.pk for meeting in meetings],
        kind=DocumentKind.PACK,
        agency=audience,
    )
    return {document.meeting_id: document for document in documents}


def viewer_may_have(*, viewer, document: MeetingDocument) -> bool:
    """Whether `viewer` (the requester, when the worker builds the copy) still has the access
    the copy is for: the same agency and still invited, or a coordinator who sees the meeting."""
    if document.agency_id is None:
        if is_partner(viewer) or not has_role(viewer, MARAC_COORDINATORS):
            return False
    elif not is_partner(viewer) or viewer.agency_id != document.agency_id:
        return False
    return document_meetings_visible_to(viewer=viewer).filter(pk=document.meeting_id).exists()


# --- What a copy contains ------------------------------------------------------------------


@dataclass
class PackCase:
    number: int
    starts_at: object
    ends_at: object
    listing: MaracCaseListing
    age: int | None
    risk_level: str
    risk_factors: list[str] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    incidents: list = field(default_factory=list)
    previous_marac: list[MaracCaseListing] = field(default_factory=list)
    research: list[CaseResearch] = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def referral(self):
        return self.listing.referral


def _visible_listing_ids(viewer, meeting: MaracMeeting) -> set[int]:
    return set(
        cases_shared_with(viewer=viewer).filter(meeting=meeting).values_list("pk", flat=True)
    )


def _risk_factors(assessment_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    answers = Answer.objects.filter(assessment_id__in=assessment_ids, value=AnswerValue.YES)
    for assessment_id, text in answers.order_by("question__order").values_list(
        "assessment_id", "question__text"
    ):
        out.setdefault(assessment_id, []).append(text)
    return out


def _children(incident_ids: set[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    parties = Party.objects.filter(incident_id__in=incident_ids, role__in=CHILD_ROLES)
    for party in parties.select_related("person").order_by("id"):
        out.setdefault(party.incident_id, []).append(
            {
                "name": party.person.full_name,
                "age": age_of(party.person),
                "role": party.get_role_display(),
            }
        )
    return out


def _incidents(person_ids: set[int], until) -> dict[int, list]:
    """Each victim's domestic incidents in the 12 months before the meeting: when, reference,
    crime or not. Never the location."""
    out: dict[int, list] = {}
    parties = Party.objects.filter(
        person_id__in=person_ids,
        role=PartyRole.VICTIM,
        incident__occurred_at__gte=until - INCIDENT_WINDOW,
        incident__occurred_at__lte=until,
    ).select_related("incident")
    seen: set[tuple[int, int]] = set()
    for party in parties.order_by("-incident__occurred_at", "incident_id"):
        key = (party.person_id, party.incident_id)
        if key in seen:
            continue
        seen.add(key)
        incident = party.incident
        out.setdefault(party.person_id, []).append(
            {
                "reference": incident.reference,
                "occurred_at": incident.occurred_at,
                "is_crime": incident.is_crime,
            }
        )
    return out


def _previous_marac(person_ids: set[int], meeting: MaracMeeting) -> dict[int, list]:
    out: dict[int, list] = {}
    earlier = (
        MaracCaseListing.objects.filter(
            referral__person_id__in=person_ids, meeting__starts_at__lt=meeting.starts_at
        )
        .exclude(meeting=meeting)
        .select_related("meeting__team", "referral")
        .order_by("-meeting__starts_at", "id")
    )
    for listing in earlier:
        out.setdefault(listing.referral.person_id, []).append(listing)
    return out


def _research(viewer, meeting: MaracMeeting, listing_ids: set[int]) -> dict[int, list]:
    research = CaseResearch.objects.filter(listing_id__in=listing_ids).select_related("agency")
    if is_partner(viewer):
        # Partners read only their own agency's research (as on the case summary page).
        research = research.filter(agency_id=viewer.agency_id)
    out: dict[int, list] = {}
    for item in research.order_by("agency__name", "id"):
        out.setdefault(item.listing_id, []).append(item)
    return out


def _open_actions(viewer, person_ids: set[int]) -> dict[int, list]:
    """Open actions on each victim's cases, at this meeting or earlier ones, as the viewer may
    see them (partners: their own agency's)."""
    out: dict[int, list] = {}
    actions = actions_visible_to(viewer=viewer).filter(
        listing__referral__person_id__in=person_ids, status=ActionStatus.OPEN
    )
    for action in actions.order_by("due_date", "id"):
        out.setdefault(action.listing.referral.person_id, []).append(action)
    return out


@dataclass
class PackContent:
    meeting: MaracMeeting
    agency: Agency | None
    agenda: list
    cases: list[PackCase]
    invitations: list
    attendance: list
    confidentiality_statement: str


def pack_content(*, viewer, meeting: MaracMeeting) -> PackContent:
    """The pack as the viewer may read it, in a fixed number of queries however many cases."""
    agenda = meeting_selectors.meeting_agenda(meeting)
    if is_partner(viewer):
        visible = _visible_listing_ids(viewer, meeting)
        own_actions = set(actions_visible_to(viewer=viewer).values_list("pk", flat=True))
        for entry in agenda:
            entry.cases = [case for case in entry.cases if case.listing.pk in visible]
            entry.actions = [action for action in entry.actions if action.pk in own_actions]
    agenda_cases = [case for entry in agenda for case in entry.cases]
    listings = [case.listing for case in agenda_cases]
    referrals = [listing.referral for listing in listings]
    prefetch_related_objects(referrals, perpetrators_prefetch())
    person_ids = {r.person_id for r in referrals}
    listing_ids = {listing.pk for listing in listings}
    assessments = {r.assessment_id for r in referrals if r.assessment_id}
    factors = _risk_factors(assessments)
    children = _children({r.incident_id for r in referrals})
    # Police records beyond the case summary (incidents anywhere in London, MARACs of other
    # boroughs) are in the coordinators' copy only: an agency's copy holds what its case
    # summary shows (the referral's recent history), and the police present the rest.
    police_copy = not is_partner(viewer)
    incidents = _incidents(person_ids, meeting.starts_at) if police_copy else {}
    previous = _previous_marac(person_ids, meeting) if police_copy else {}
    research = _research(viewer, meeting, listing_ids)
    actions = _open_actions(viewer, person_ids)
    levels = dict(
        MaracCaseListing.objects.filter(pk__in=listing_ids)
        .exclude(referral__assessment__isnull=True)
        .values_list("pk", "referral__assessment__final_level")
    )
    cases = []
    for case in agenda_cases:
        referral = case.listing.referral
        level = levels.get(case.listing.pk) or ""
        cases.append(
            PackCase(
                number=case.number,
                starts_at=case.starts_at,
                ends_at=case.ends_at,
                listing=case.listing,
                age=age_of(referral.person),
                risk_level=Level(level).label if level in Level.values else "Not recorded",
                risk_factors=factors.get(referral.assessment_id, []),
                children=children.get(referral.incident_id, []),
                incidents=incidents.get(referral.person_id, []),
                previous_marac=previous.get(referral.person_id, []),
                research=research.get(case.listing.pk, []),
                actions=actions.get(referral.person_id, []),
            )
        )
    return PackContent(
        meeting=meeting,
        agency=document_audience(viewer),
        agenda=agenda,
        cases=cases,
        invitations=meeting_selectors.meeting_invitations(meeting),
        attendance=meeting_selectors.meeting_attendance(meeting),
        confidentiality_statement=meeting_selectors.CONFIDENTIALITY_STATEMENT,
    )


def minutes_content(*, viewer, meeting: MaracMeeting) -> meeting_selectors.Minutes:
    """The minutes as the viewer may read them: partners get the cases shared with their agency
    and, on each, only their agency's actions."""
    minutes = meeting_selectors.meeting_minutes(meeting)
    if is_partner(viewer):
        visible = _visible_listing_ids(viewer, meeting)
        minutes.cases = [case for case in minutes.cases if case.listing.pk in visible]
        own_actions = set(actions_visible_to(viewer=viewer).values_list("pk", flat=True))
        for case in minutes.cases:
            case.actions = [action for action in case.actions if action.pk in own_actions]
    return minutes


def minutes_available(meeting: MaracMeeting) -> bool:
    """Minutes are written after the meeting has started (and never for a cancelled one)."""
    return not meeting.is_cancelled and meeting.starts_at <= timezone.now()


def document_subjects(
    *, viewer, meeting: MaracMeeting, kind: str
) -> tuple[list[MaracCaseListing], list[int]]:
    """The cases the viewer's copy of the meeting's document holds (the same viewer-scoped
    listings its content is built from) and the ids of the people it names: each case's
    victim, and in the pack also the linked perpetrators and the children recorded in the
    referral's incident. A download logs them (ADR 0002), so a person's record history shows
    which agency downloaded a document naming them. Three queries at most."""
    listings = list(cases_shared_with(viewer=viewer).filter(meeting=meeting))
    people = {listing.referral.person_id for listing in listings}
    if kind == DocumentKind.PACK and listings:
        people.update(
            ReferralPerpetrator.objects.filter(
                referral_id__in=[listing.referral_id for listing in listings]
            ).values_list("person_id", flat=True)
        )
        people.update(
            Party.objects.filter(
                incident_id__in={listing.referral.incident_id for listing in listings},
                role__in=CHILD_ROLES,
            ).values_list("person_id", flat=True)
        )
    return listings, sorted(people)
