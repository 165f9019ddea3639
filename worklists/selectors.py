"""What is waiting for the viewer: the work lists of each role's home page, and their counts
for the navigation.

Every list is built on the owning app's viewer-scoped selector and only narrowed here (to the
viewer's own records, a due window, a chosen borough), so nothing a list shows or counts is
outside what the viewer may read. The lists are built lazily: counting one runs its COUNT
query, showing one runs its page query, and a list never shown is never queried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cases.models import IncidentStatus, Party, PartyRole
from cases.selectors.incidents import IncidentFilters, incident_list
from cases.selectors.positive_action import outstanding_suspects, returned_to_officer, review_queue
from marac.access_log import action_subjects, listing_subjects
from marac.models import ActionStatus, CaseResearch, MeetingStatus
from marac.selectors.actions import ActionFilters, action_list, actions_visible_to
from marac.selectors.documents import pack_documents_for
from marac.selectors.meetings import meeting_list
from marac.selectors.referrals import (
    assessments_to_be_referred,
    first_repeat_marac_alerts,
    referrals_awaiting_triage,
    repeat_marac_alerts,
    request_repeat_marac_alerts,
)
from marac.selectors.sharing import cases_shared_with
from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import scope_to_viewer, viewer_borough_id
from publicprotection.accounts.models import Borough, Role
from riskassessment.models import OPEN_RARA_STATUSES, AssessmentStatus, RiskAssessment
from riskassessment.selectors.assessments import assessments_visible_to, grading_review_queue
from riskassessment.selectors.plans import (
    RaraActionFilters,
    london_today,
    overdue_actions_for_supervisor,
    rara_action_list,
)

# How many rows of each list the home page shows; the rest are a "see all" link away.
HOME_LIMIT = 10
# Counts stop here ("99+"): counting reads at most this many rows more of a list, so a list
# that is long London-wide (a central coordinator's repeat alerts) costs no more on each page.
COUNT_CAP = 99


def due_soon_days() -> int:
    """Actions due within this many days are listed as due (overdue ones always are)."""
    return settings.HOME_DUE_SOON_DAYS


@dataclass(frozen=True)
class WorkItem:
    """One row of a work list: the record (for the access log), what to call it, where the
    work on it is finished, and when it is due."""

    record: object
    title: str
    url: str
    action: str  # the link's words: "Respond", "Review", "Record research"
    detail: str = ""
    due: date | None = None
    overdue: bool = False
    tag: str = ""  # a status worth a tag ("Not asked for", "Ready")
    tag_colour: str = "grey"

    @property
    def title_html(self) -> str:
        return breakable(self.title)

    @property
    def detail_html(self) -> str:
        return breakable(self.detail)


def breakable(text: str) -> str:
    """The text, escaped, with a line-break opportunity after each "/": a reference
    (DV/LAM/2026/000123) may wrap on a 320px screen, and still copies whole."""
    return mark_safe(escape(text).replace("/", "/<wbr>"))  # noqa: S308 - escaped first


@dataclass
class WorkList:
    """One list on a home page. `rows` builds the scoped query when first needed."""

    key: str
    title: str
    empty: str
    rows: Callable[[], QuerySet]
    describe: Callable[[object], WorkItem]
    see_all: str = ""  # the full (paginated) list, where there is one
    counted: bool = True  # counts towards the number in the navigation
    hint: str = ""
    # Lists that are not "work" (upcoming meetings) show without a count in their heading.
    show_count: bool = True
    # Whether its rows name people: such a list writes the access log when shown.
    names_people: bool = True
    # The people the rows shown are about, when they are not people themselves (the owning
    # app's access_log helpers): the read then reaches their record history (ADR 0002).
    subjects: Callable[[list], list] | None = None
    # Reads what the rows shown need beyond their own query (one query for them all).
    prepare: Callable[[list], None] | None = None
    # Expensive to count (London's repeat alerts: the whole rule on about 500 candidates,
    # 15 ms at a million incidents; 150-250 ms before ADR 0017): the navigation's number
    # counts it only when the other lists leave the total under the cap.
    costly: bool = False
    # Reads the first n rows itself, where that is cheaper than slicing the query (London's
    # repeat alerts: the rule applied to the newest candidates only).
    first: Callable[[int], list] | None = None

    @cached_property
    def queryset(self) -> QuerySet:
        return self.rows()

    @cached_property
    def count(self) -> int:
        return self.queryset.count()

    @cached_property
    def records(self) -> list:
        if self.first is not None:
            return self.first(HOME_LIMIT)
        return list(self.queryset[:HOME_LIMIT])

    @cached_property
    def items(self) -> list[WorkItem]:
        return self.describe_all(self.records)

    @property
    def more(self) -> int:
        return max(self.count - len(self.records), 0)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)

    @property
    def full_list_url(self) -> str:
        """The page with every row: the owning app's list where there is one, else this
        list's own paginated page."""
        return self.see_all or reverse("worklist", args=[self.key])

    def subjects_of(self, records: list) -> list:
        return self.subjects(records) if self.subjects is not None else []

    def describe_all(self, records: list) -> list[WorkItem]:
        if self.prepare is not None and records:
            self.prepare(records)
        return [self.describe(record) for record in records]


def _case_title(incident, person) -> str:
    """A row about someone in an incident: "DV/LAM/2026/000123: Jane Doe"."""
    return f"{incident.reference}: {person.full_name}"


def _due_item(record, today: date, *, due: date | None, **fields) -> WorkItem:
    """A row with a due date, overdue once the day has passed."""
    return WorkItem(record=record, due=due, overdue=bool(due and due < today), **fields)


# --- Officer ----------------------------------------------------------------------------------


def _theirs(viewer) -> Q:
    """Incidents the officer recorded or is in charge of."""
    return Q(incident__created_by=viewer) | Q(incident__officer_in_charge=viewer)


def officer_returned_decisions(*, viewer) -> QuerySet:
    """Decisions not to arrest a supervisor returned to the officer who made them (or who is
    in charge of the incident), oldest first."""
    return returned_to_officer(viewer=viewer).filter(Q(decided_by=viewer) | _theirs(viewer))


# The list behind "See all" of the officer's drafts: the home counts what that link lists.
OWN_DRAFTS = IncidentFilters(status=IncidentStatus.DRAFT, recorded_by_me=True)


def officer_draft_incidents(*, viewer) -> QuerySet:
    return incident_list(viewer=viewer, filters=OWN_DRAFTS).order_by("created_at", "id")


def officer_draft_assessments(*, viewer) -> QuerySet:
    """The officer's own risk assessments started and not submitted."""
    return (
        assessments_visible_to(viewer=viewer)
        .filter(status=AssessmentStatus.DRAFT, is_current=True, created_by=viewer)
        .select_related("incident", "person")
        .order_by("created_at", "id")
    )


def officer_victims_not_assessed(*, viewer) -> QuerySet:
    """Victims of the officer's submitted incidents, closed ones included, with no risk
    assessment yet: every victim of every incident is assessed (DOMAIN.md, SPECSS+), and
    closing an incident assesses nobody. Read through flags the database keeps (ADR 0016):
    the officer's incidents with a victim waiting (`Incident.has_victim_to_assess`, a partial
    index by recorder and one by officer in charge), then those victims
    (`Party.has_risk_assessment`), so that neither the officer's years of incidents nor
    London's assessed victims are read; the few found are checked against the assessments."""
    assessed = RiskAssessment.objects.filter(victim_id=OuterRef("pk"))
    parties = scope_to_viewer(
        Party.objects.filter(
            role=PartyRole.VICTIM,
            has_risk_assessment=False,
            incident__has_victim_to_assess=True,
        ).exclude(incident__status=IncidentStatus.DRAFT),
        viewer=viewer,
        borough_field="incident__borough_id",
        police_roles=CASE_READERS,
    )
    return (
        parties.filter(_theirs(viewer))
        .filter(~Exists(assessed))
        .select_related("incident", "person")
        .order_by("incident__submitted_at", "id")
    )


def officer_actions_due(*, viewer) -> QuerySet:
    """The officer's own open RARA actions overdue or due within the next few days."""
    horizon = london_today() + timedelta(days=due_soon_days())
    return rara_action_list(viewer=viewer, filters=RaraActionFilters(owner_id=viewer.pk)).filter(
        status__in=OPEN_RARA_STATUSES, due_date__lte=horizon
    )


def officer_outstanding_suspects(*, viewer) -> QuerySet:
    return outstanding_suspects(viewer=viewer).filter(Q(decided_by=viewer) | _theirs(viewer))


def _officer_lists(viewer) -> list[WorkList]:
    today = london_today()

    def returned(decision):
        return WorkItem(
            record=decision,
            title=_case_title(decision.incident, decision.suspect.person),
            url=reverse("cases:respond-decision", args=[decision.pk]),
            action="Respond",
            detail="Decision not to arrest returned by a supervisor",
        )

    def draft(incident):
        return WorkItem(
            record=incident,
            title=incident.reference,
            url=reverse("cases:incident-detail", args=[incident.reference]),
            action="Finish and submit",
            detail=f"Draft started {timezone.localtime(incident.created_at):%-d %b %Y %H:%M}",
        )

    def draft_assessment(assessment):
        return WorkItem(
            record=assessment,
            title=_case_title(assessment.incident, assessment.person),
            url=reverse("riskassessment:assessment-detail", args=[assessment.pk]),
            action="Complete the assessment",
            detail="Risk assessment started, not submitted",
        )

    def not_assessed(party):
        return WorkItem(
            record=party,
            title=_case_title(party.incident, party.person),
            # The incident's risk page, where each victim's assessment is started.
            url=reverse("riskassessment:incident-risk", args=[party.incident.reference]),
            action="Assess risk",
            detail="Victim with no risk assessment"
            + (" (incident closed)" if party.incident.status == IncidentStatus.CLOSED else ""),
        )

    def action_due(action):
        return _due_item(
            action,
            today,
            due=action.due_date,
            title=f"{action.action_type.name}: {action.assessment.person.full_name}",
            url=reverse("riskassessment:rara-action-edit", args=[action.pk]),
            action="Update the action",
            detail=action.assessment.incident.reference,
        )

    def suspect(decision):
        return WorkItem(
            record=decision,
            title=_case_title(decision.incident, decision.suspect.person),
            url=reverse("cases:record-arrest", args=[decision.pk]),
            action="Record the arrest",
            detail=f"Outstanding since {timezone.localtime(decision.decided_at):%-d %b %Y}",
        )

    return [
        WorkList(
            key="returned",
            title="Decisions returned to you",
            empty="Nothing waiting: no decision has been returned to you.",
            hint="A supervisor returned these decisions not to arrest with an action to take.",
            rows=lambda: officer_returned_decisions(viewer=viewer),
            describe=returned,
        ),
        WorkList(
            key="drafts",
            title="Your draft incidents",
            empty="Nothing waiting: you have no draft incidents.",
            rows=lambda: officer_draft_incidents(viewer=viewer),
            describe=draft,
            see_all=reverse("cases:incident-list") + "?status=draft&recorded_by_me=on",
        ),
        WorkList(
            key="assessments",
            title="Risk assessments to finish",
            empty="Nothing waiting: your risk assessments are all submitted.",
            rows=lambda: officer_draft_assessments(viewer=viewer),
            describe=draft_assessment,
        ),
        WorkList(
            key="not_assessed",
            title="Victims to assess",
            empty="Nothing waiting: every victim in your incidents has an assessment.",
            rows=lambda: officer_victims_not_assessed(viewer=viewer),
            describe=not_assessed,
        ),
        WorkList(
            key="actions",
            title="Your RARA actions due",
            empty="Nothing waiting: none of your actions is overdue or due soon.",
            hint=f"Overdue, or due in the next {due_soon_days()} days.",
            rows=lambda: officer_actions_due(viewer=viewer),
            describe=action_due,
        ),
        WorkList(
            key="suspects",
            title="Your outstanding suspects",
            empty="Nothing waiting: you have no outstanding suspects.",
            rows=lambda: officer_outstanding_suspects(viewer=viewer),
            describe=suspect,
            see_all=reverse("cases:outstanding-suspects"),
        ),
    ]


# --- Supervisor -------------------------------------------------------------------------------


def _supervisor_lists(viewer) -> list[WorkList]:
    today = london_today()
    now = timezone.now()

    def review(decision):
        due_at = decision.review_due_at
        return WorkItem(
            record=decision,
            title=_case_title(decision.incident, decision.suspect.person),
            url=reverse("cases:review-decision", args=[decision.pk]),
            action="Review",
            detail=f"Not arrested, decided by {decision.decided_by.display_name}",
            due=timezone.localdate(due_at) if due_at else None,
            overdue=bool(due_at and due_at < now),
        )

    def grading(assessment):
        return WorkItem(
            record=assessment,
            title=_case_title(assessment.incident, assessment.person),
            url=reverse("riskassessment:grading-review", args=[assessment.pk]),
            action="Confirm or regrade",
            detail=f"{assessment.get_final_level_display()}, by "
            f"{assessment.created_by.display_name}",
        )

    def overdue_action(action):
        return _due_item(
            action,
            today,
            due=action.due_date,
            title=f"{action.action_type.name}: {action.assessment.person.full_name}",
            url=reverse("riskassessment:rara-action-edit", args=[action.pk]),
            action="Chase the action",
            detail=f"{action.assessment.incident.reference}, owner {action.owner.display_name}",
        )

    return [
        WorkList(
            key="reviews",
            title="Decisions not to arrest to review",
            empty="Nothing waiting: no decision is awaiting your review.",
            hint="Each must be reviewed within its deadline; overdue ones first.",
            rows=lambda: review_queue(viewer=viewer),
            describe=review,
            see_all=reverse("cases:review-queue"),
        ),
        WorkList(
            key="gradings",
            title="Risk gradings to confirm",
            empty="Nothing waiting: no risk grading is awaiting confirmation.",
            rows=lambda: grading_review_queue(viewer=viewer),
            describe=grading,
            see_all=reverse("riskassessment:grading-review-queue"),
        ),
        WorkList(
            key="team_actions",
            title="Your team's overdue RARA actions",
            empty="Nothing waiting: no RARA action is overdue.",
            rows=lambda: overdue_actions_for_supervisor(viewer=viewer),
            describe=overdue_action,
            see_all=reverse("riskassessment:rara-overdue"),
        ),
    ]


# --- MARAC coordinator ------------------------------------------------------------------------


def chooses_borough(viewer) -> bool:
    """A London-wide (central team) coordinator narrows their home to a borough; one whose
    team is a borough's is already confined to it by the access core."""
    return viewer.role == Role.MARAC_COORDINATOR and viewer_borough_id(viewer) is None


def coordinator_borough_choices(viewer) -> list[Borough]:
    return list(Borough.objects.order_by("name")) if chooses_borough(viewer) else []


def _in_borough(queryset: QuerySet, lookup: str, borough_id: int | None) -> QuerySet:
    return queryset if borough_id is None else queryset.filter(**{lookup: borough_id})


def coordinator_triage(*, viewer, borough_id=None) -> QuerySet:
    return _in_borough(referrals_awaiting_triage(viewer=viewer), "borough_id", borough_id).order_by(
        "created_at", "id"
    )


def coordinator_high_undecided(*, viewer, borough_id=None) -> QuerySet:
    """Current HIGH assessments with neither a referral nor a decision not to refer."""
    return _in_borough(assessments_to_be_referred(viewer=viewer), "borough_id", borough_id)


def coordinator_repeat_alerts(*, viewer, borough_id=None, request=None) -> QuerySet:
    # The borough goes into the selector, which then reads only that borough's candidates
    # (ADR 0017) instead of London's.
    if request is not None:  # the page may show them too (the MARAC home): worked out once
        return request_repeat_marac_alerts(request, borough_id=borough_id)
    return repeat_marac_alerts(viewer=viewer, borough_id=borough_id)


def coordinator_meetings(*, viewer, borough_id=None) -> QuerySet:
    return _in_borough(
        meeting_list(viewer=viewer, upcoming=True).filter(status=MeetingStatus.SCHEDULED),
        "team__borough_id",
        borough_id,
    )


def coordinator_overdue_actions(*, viewer, borough_id=None) -> QuerySet:
    return _in_borough(
        action_list(viewer=viewer, filters=ActionFilters(overdue=True)),
        "listing__referral__borough_id",
        borough_id,
    ).order_by("due_date", "id")


def _coordinator_lists(viewer, borough_id, request) -> list[WorkList]:
    today = timezone.localdate()

    def triage(referral):
        return WorkItem(
            record=referral,
            title=f"{referral.reference}: {referral.person.full_name}",
            url=reverse("marac:referral-detail", args=[referral.pk]),
            action="Triage",
            detail=f"{referral.borough.name}, referred "
            f"{timezone.localtime(referral.created_at):%-d %b %Y}",
            tag="Repeat MARAC" if referral.is_repeat else "",
            tag_colour="red",
        )

    def high(assessment):
        set_at = assessment.level_set_at or assessment.submitted_at
        return WorkItem(
            record=assessment,
            title=_case_title(assessment.incident, assessment.person),
            url=reverse("marac:referral-create") + f"?assessment={assessment.pk}",
            action="Refer to MARAC",
            detail=f"HIGH since {timezone.localtime(set_at):%-d %b %Y}" if set_at else "HIGH",
        )

    def repeat(party):
        return WorkItem(
            record=party,
            title=_case_title(party.incident, party.person),
            url=reverse("cases:incident-detail", args=[party.incident.reference]),
            action="Decide on a repeat referral",
            detail=f"New incident {timezone.localtime(party.incident.occurred_at):%-d %b %Y}, "
            "within 12 months of the last referral",
            tag="Repeat MARAC",
            tag_colour="red",
        )

    packs: dict = {}

    def meeting(meeting):
        pack = packs.get(meeting.pk)
        state = pack.get_status_display() if pack else "Not asked for"
        if pack and pack.is_being_replaced:
            # The last good pack stays downloadable while a newer one is built (ADR 0006).
            state = "Ready, a newer version is being produced"
        colour = (
            "green"
            if pack and (pack.is_ready or pack.is_being_replaced)
            else "red"
            if pack and pack.is_failed
            else "yellow"
        )
        return WorkItem(
            record=meeting,
            title=f"{timezone.localtime(meeting.starts_at):%A %-d %B %Y, %H:%M}",
            url=reverse("marac:meeting-detail", args=[meeting.pk]),
            action="Prepare the meeting",
            detail=f"{meeting.team.name}, {meeting.listed} of {meeting.max_cases} cases listed",
            tag=f"Pack: {state}",
            tag_colour=colour,
        )

    def marac_action(action):
        return _due_item(
            action,
            today,
            due=action.due_date,
            title=f"{action.agency.name}: {action.listing.referral.person.full_name}",
            url=reverse("marac:meeting-detail", args=[action.listing.meeting_id])
            + f"#action-{action.pk}",
            action="Chase the action",
            detail=action.description[:120],
        )

    meetings = WorkList(
        key="meetings",
        prepare=lambda shown: packs.update(pack_documents_for(viewer=viewer, meetings=shown)),
        title="Upcoming meetings",
        empty="No meeting is scheduled.",
        rows=lambda: coordinator_meetings(viewer=viewer, borough_id=borough_id),
        describe=meeting,
        see_all=reverse("marac:meeting-list"),
        counted=False,
        show_count=False,
        names_people=False,
    )
    return [
        WorkList(
            key="triage",
            title="Referrals to triage",
            empty="Nothing waiting: no referral is awaiting triage.",
            rows=lambda: coordinator_triage(viewer=viewer, borough_id=borough_id),
            describe=triage,
            see_all=reverse("marac:referral-list") + "?status=submitted",
        ),
        WorkList(
            key="high",
            title="HIGH risk cases not yet referred",
            empty="Nothing waiting: every HIGH risk case is referred or decided against.",
            hint="Current HIGH risk with no MARAC referral and no recorded decision not to refer.",
            rows=lambda: coordinator_high_undecided(viewer=viewer, borough_id=borough_id),
            describe=high,
        ),
        WorkList(
            key="repeats",
            title="Repeat MARAC alerts",
            empty="Nothing waiting: no repeat MARAC alerts.",
            hint="New incidents within 12 months of the victim's last MARAC referral.",
            rows=lambda: coordinator_repeat_alerts(
                viewer=viewer, borough_id=borough_id, request=request
            ),
            first=lambda limit: first_repeat_marac_alerts(
                viewer=viewer, limit=limit, borough_id=borough_id, request=request
            ),
            describe=repeat,
            # All of London: the whole rule on each of London's candidates (about 500).
            costly=borough_id is None and chooses_borough(viewer),
        ),
        meetings,
        WorkList(
            key="marac_actions",
            title="Overdue MARAC actions",
            empty="Nothing waiting: no MARAC action is overdue.",
            rows=lambda: coordinator_overdue_actions(viewer=viewer, borough_id=borough_id),
            describe=marac_action,
        ),
    ]


# --- Partner agency ---------------------------------------------------------------------------


def partner_upcoming_cases(*, viewer) -> QuerySet:
    """Cases shared with the agency that are listed at a meeting still to come."""
    return (
        cases_shared_with(viewer=viewer)
        .filter(meeting__starts_at__gte=timezone.now(), meeting__status=MeetingStatus.SCHEDULED)
        .order_by("meeting__starts_at", "position", "id")
    )


def partner_research_to_record(*, viewer) -> QuerySet:
    """Upcoming cases the agency has not recorded its research on yet."""
    if viewer.agency_id is None:
        return partner_upcoming_cases(viewer=viewer).none()
    recorded = CaseResearch.objects.filter(listing_id=OuterRef("pk"), agency_id=viewer.agency_id)
    return partner_upcoming_cases(viewer=viewer).filter(~Exists(recorded))


def partner_actions_due(*, viewer) -> QuerySet:
    """The agency's open actions, overdue or due within the next few days."""
    horizon = timezone.localdate() + timedelta(days=due_soon_days())
    return (
        actions_visible_to(viewer=viewer)
        .filter(status=ActionStatus.OPEN, due_date__lte=horizon)
        .order_by("due_date", "id")
    )


def _partner_lists(viewer) -> list[WorkList]:
    today = timezone.localdate()

    def case(listing):
        return WorkItem(
            record=listing,
            title=listing.referral.person.full_name,
            url=reverse("marac:case-summary", args=[listing.pk]),
            action="Read the case",
            detail=f"{listing.meeting.team.name} MARAC, "
            f"{timezone.localtime(listing.meeting.starts_at):%-d %b %Y %H:%M}",
        )

    def research(listing):
        return WorkItem(
            record=listing,
            title=listing.referral.person.full_name,
            url=reverse("marac:case-summary", args=[listing.pk]) + "#your-research",
            action="Record research",
            detail=f"Meeting {timezone.localtime(listing.meeting.starts_at):%-d %b %Y %H:%M}",
            due=timezone.localdate(listing.meeting.starts_at),
        )

    def action_due(action):
        return _due_item(
            action,
            today,
            due=action.due_date,
            title=f"{action.get_subject_display()}: {action.listing.referral.person.full_name}",
            url=reverse("marac:case-summary", args=[action.listing_id]) + f"#action-{action.pk}",
            action="Update the action",
            detail=action.description[:120],
        )

    return [
        WorkList(
            key="research",
            title="Research to record",
            empty="Nothing waiting: your agency's research is recorded for every coming case.",
            hint="Record what your agency holds before the meeting, fact apart from opinion.",
            rows=lambda: partner_research_to_record(viewer=viewer),
            describe=research,
            subjects=listing_subjects,
        ),
        WorkList(
            key="partner_actions",
            title="Your agency's actions due",
            empty="Nothing waiting: none of your agency's actions is overdue or due soon.",
            hint=f"Overdue, or due in the next {due_soon_days()} days.",
            rows=lambda: partner_actions_due(viewer=viewer),
            describe=action_due,
            subjects=action_subjects,
        ),
        WorkList(
            key="upcoming_cases",
            title="Cases at your coming meetings",
            empty="No case is listed at a coming meeting your agency is invited to.",
            rows=lambda: partner_upcoming_cases(viewer=viewer),
            describe=case,
            subjects=listing_subjects,
            see_all=reverse("marac:case-list"),
            counted=False,
        ),
    ]


# --- For the viewer ---------------------------------------------------------------------------


ROLES_WITH_WORK_LISTS = frozenset(
    {Role.OFFICER, Role.SUPERVISOR, Role.MARAC_COORDINATOR, Role.PARTNER}
)


def work_lists(*, viewer, borough_id: int | None = None, request=None) -> list[WorkList]:
    """The viewer's home work lists, by role; other roles (analyst, review lead, administrator)
    have none and keep the links home. `borough_id` narrows a London-wide coordinator's.
    `request`, when the lists are built for one (whose user is `viewer`): a list the page may
    also show on its own (the MARAC home's repeat alerts) is then worked out once for both."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return []
    if viewer.role == Role.OFFICER:
        return _officer_lists(viewer)
    if viewer.role == Role.SUPERVISOR:
        return _supervisor_lists(viewer)
    if viewer.role == Role.MARAC_COORDINATOR:
        return _coordinator_lists(viewer, borough_id, request)
    if viewer.role == Role.PARTNER:
        return _partner_lists(viewer)
    return []


def count_all(lists: list[WorkList]) -> None:
    """Count every list in one query (a scalar COUNT subquery per list, of at most
    COUNT_CAP + 1 rows), so the home page and the number in the navigation cost one round
    trip, however many lists a role has. Each list's query is the one it shows, compiled by
    Django; only their counts are combined. The rows are counted unordered: any COUNT_CAP + 1
    of them give the same number, and the order made PostgreSQL sort every row first (a
    London-wide supervisor's 5,900 overdue actions: 3.8 of the query's 4.2 ms at a million
    incidents)."""
    pending = [work_list for work_list in lists if "count" not in work_list.__dict__]
    if not pending:
        return
    parts, params = [], []
    for work_list in list(pending):
        try:
            capped = work_list.queryset.order_by().values("pk")[: COUNT_CAP + 1]
            sql, list_params = capped.query.sql_with_params()
        except EmptyResultSet:  # .none(): nothing to ask the database
            work_list.__dict__["count"] = 0
            pending.remove(work_list)
            continue
        # Django compiled the SQL; every value in it is still a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(list_params)
    if not pending:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    for work_list, count in zip(pending, counts, strict=True):
        work_list.__dict__["count"] = count  # the cached_property's slot


def waiting_count(lists: list[WorkList]) -> int:
    """How many things wait for the viewer, over the lists that are work to do.

    Costly lists are counted only when the others come to no more than COUNT_CAP: past it the
    navigation says "99+" whatever they add (a London-wide coordinator's triage list alone
    usually does), so the total may then leave them out."""
    counted = [work_list for work_list in lists if work_list.counted]
    cheap = [work_list for work_list in counted if not work_list.costly]
    count_all(cheap)
    total = sum(work_list.count for work_list in cheap)
    if total > COUNT_CAP:
        return total
    costly = [work_list for work_list in counted if work_list.costly]
    count_all(costly)
    return total + sum(work_list.count for work_list in costly)


def waiting_label(total: int) -> str:
    """The number for the navigation: "" when nothing waits, "99+" past the cap."""
    if not total:
        return ""
    return f"{COUNT_CAP}+" if total > COUNT_CAP else str(total)
