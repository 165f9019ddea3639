"""A fictional Lambeth MARAC: the high-risk victims referred and listed at the next meeting,
the IDVA and children's social care invited, their research recorded and actions agreed.

Idempotent: once the demo meeting exists, nothing more is done. Uses the services throughout
(history, shares and audit as for real work).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from cases.models import Party, PartyRole
from marac.models import ActionSubject, MaracMeeting, ReferralCriterion
from marac.services.actions import action_create
from marac.services.meetings import meeting_create, referral_list_at_meeting
from marac.services.referrals import referral_accept, referral_create
from marac.services.research import research_save
from marac.services.sharing import meeting_invite
from publicprotection.accounts.models import Agency, Team, User
from riskassessment.models import Level, RiskAssessment

VENUE = "Lambeth Town Hall, MARAC room"
RESEARCH = {
    "idva": (
        "Known to the IDVA service since March; two support contacts this month.",
        "The victim is frightened of the perpetrator's release and wants to stay local.",
        "Details of the victim's new address.",
        "Held for the victim's safety; shared only with the police on request.",
    ),
    "childrens_social_care": (
        "No open case; the household was assessed after a referral in 2024 and closed.",
        "Grandchildren visit at weekends; the victim's daughter is worried for them.",
        "",
        "",
    ),
}


def _next_meeting_start() -> datetime:
    """Ten o'clock on the Thursday at least a week away."""
    day = timezone.localdate() + timedelta(days=7)
    day += timedelta(days=(3 - day.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def seed_demo(stdout) -> None:
    lambeth = Team.objects.get(code="LAM")
    coordinator = User.objects.get(username="lam.coordinator")
    if MaracMeeting.objects.filter(team=lambeth, created_by=coordinator, venue=VENUE).exists():
        stdout.write("Demo MARAC meeting: already there")
        return
    meeting = meeting_create(
        actor=coordinator,
        team=lambeth,
        starts_at=_next_meeting_start(),
        venue=VENUE,
        chair="DI Jo Patel",
    )
    agencies = {
        code: agency
        for code in RESEARCH
        if (
            agency := Agency.objects.filter(borough=lambeth.borough, agency_type__code=code).first()
        )
    }
    for agency in agencies.values():
        meeting_invite(actor=coordinator, meeting=meeting, agency=agency)

    # The demo officers' high-risk victims (not synthetic data, when a dataset is loaded too).
    assessments = RiskAssessment.objects.filter(
        borough__code="LAM",
        final_level=Level.HIGH,
        created_by__username__startswith="lam.officer",
    ).select_related("created_by", "person")
    listed = 0
    for assessment in assessments.order_by("id"):
        suspects = list(
            Party.objects.filter(
                incident_id=assessment.incident_id, role=PartyRole.SUSPECT
            ).values_list("person_id", flat=True)
        )
        referral = referral_create(
            actor=assessment.created_by,
            assessment=assessment,
            referring_agency="Metropolitan Police",
            criteria=[ReferralCriterion.VISIBLE_HIGH_RISK],
            victim_aware=True,
            victim_consents=True,
            safe_contact="Through the IDVA only.",
            perpetrators=suspects,
            perpetrator_note="" if suspects else "Former partner, not identified.",
            recent_history="Escalating incidents this year; strangulation at the last.",
        )
        referral_accept(actor=coordinator, referral_id=referral.pk, comment="Meets the criteria.")
        listing = referral_list_at_meeting(
            actor=coordinator, referral_id=referral.pk, meeting_id=meeting.pk
        )
        listed += 1
        for code, agency in agencies.items():
            partner = User.objects.filter(agency=agency).first()
            if partner is None or (code == "idva" and listed > 1):
                continue  # the IDVA has yet to record on the later cases: work on its home
            facts, opinion, withheld, reason = RESEARCH[code]
            research_save(
                actor=partner,
                listing=listing,
                facts=facts,
                opinion=opinion,
                withheld=withheld,
                withheld_reason=reason,
            )
        if "idva" in agencies:
            action_create(
                actor=coordinator,
                listing=listing,
                subject=ActionSubject.VICTIM,
                agency=agencies["idva"],
                owner="Sam Reid (IDVA)",
                description="Safety plan review with the victim; sanctuary scheme referral.",
                due_date=meeting.starts_at.date() + timedelta(days=14),
            )
    stdout.write(f"Demo MARAC meeting: {meeting} with {listed} listed cases")
