"""Who may run a MARAC is decided by the services, so the pages, the API and commands share it:
a coordinator of the borough's team (the central team's, any borough). Called directly as the
wrong user, each service refuses in its own words and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

from ..models import (
    AgendaDecision,
    MaracAction,
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    MeetingAttendance,
    MeetingInvitation,
    ReferralHistoryEntry,
)
from ..services.actions import action_create
from ..services.agendas import agenda_decision_record, agenda_generate
from ..services.documents import document_request
from ..services.meetings import (
    attendance_acknowledge,
    attendance_add,
    case_discussion_save,
    listing_remove,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_update,
    referral_list_at_meeting,
)
from ..services.referrals import referral_accept, referral_create, referral_reject
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import (
    REFERRAL_FIELDS,
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    refer,
    social_care_partner,
)
from .helpers import MONDAY, awaiting_decision

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(MaracMeeting.objects.values_list("pk", "status", "version").order_by("pk")),
        list(MaracReferral.objects.values_list("pk", "status").order_by("pk")),
        MaracCaseListing.objects.count(),
        MeetingInvitation.objects.count(),
        MaracAction.objects.count(),
        list(MeetingAttendance.objects.values_list("pk", "confidentiality_acknowledged")),
        ReferralHistoryEntry.objects.count(),
    )


def a_started_meeting_with_a_case():
    at = meeting(starts_at=timezone.now() - timedelta(hours=1))
    listing = listed_case(at)
    partner = idva_partner()
    meeting_invite(actor=coordinator(), meeting=at, agency=partner.agency)
    attendance = attendance_add(
        actor=coordinator(), meeting=at, person_name="Sam IDVA", agency=partner.agency
    )
    spare = refer()  # a referral to list
    return at, listing, partner, attendance, spare


MEETING_WRITES = {
    "change the meeting": lambda actor, at, listing, partner, attendance, spare: meeting_update(
        actor=actor, meeting_id=at.pk, expected_version=at.version, chair="Someone else"
    ),
    "mark it held": lambda actor, at, listing, partner, attendance, spare: meeting_mark_held(
        actor=actor, meeting=at
    ),
    "cancel it": lambda actor, at, listing, partner, attendance, spare: meeting_cancel(
        actor=actor, meeting=at
    ),
    "take a case off it": lambda actor, at, listing, partner, attendance, spare: listing_remove(
        actor=actor, listing=listing
    ),
    "list a case at it": lambda actor, at, listing, partner, attendance, spare: (
        referral_list_at_meeting(actor=actor, referral_id=spare.pk, meeting_id=at.pk)
    ),
    "record attendance": lambda actor, at, listing, partner, attendance, spare: attendance_add(
        actor=actor, meeting=at, person_name="Pat", agency_name="Housing"
    ),
    "record an acknowledgement": lambda actor, at, listing, partner, attendance, spare: (
        attendance_acknowledge(actor=actor, attendance_id=attendance.pk)
    ),
    "record a discussion": lambda actor, at, listing, partner, attendance, spare: (
        case_discussion_save(actor=actor, listing=listing, summary="Discussed.")
    ),
    "invite an agency": lambda actor, at, listing, partner, attendance, spare: meeting_invite(
        actor=actor, meeting=at, agency=social_care_partner().agency
    ),
    "add an action": lambda actor, at, listing, partner, attendance, spare: action_create(
        actor=actor,
        listing=listing,
        subject="victim",
        agency=partner.agency,
        owner="Sam IDVA",
        description="Safety plan",
        due_date=timezone.localdate() + timedelta(days=7),
    ),
    "withdraw an invitation": lambda actor, at, listing, partner, attendance, spare: (
        meeting_invitation_withdraw(actor=actor, invitation_id=at.invitations.get().pk)
    ),
}


@pytest.mark.parametrize("write", MEETING_WRITES.values(), ids=MEETING_WRITES.keys())
@pytest.mark.parametrize(
    "wrong_user,words",
    [
        (lambda: coordinator("SOU"), "another borough's MARAC"),
        (lambda: UserFactory(role=Role.SUPERVISOR, team=team("LAM")), "Only a MARAC coordinator"),
        (idva_partner, "Only a MARAC coordinator"),
    ],
    ids=["another borough's coordinator", "a supervisor", "a partner"],
)
def test_only_a_coordinator_of_the_meetings_borough_runs_it(write, wrong_user, words):
    at, listing, partner, attendance, spare = a_started_meeting_with_a_case()
    user = wrong_user()
    before = snapshot()

    with pytest.raises(PermissionDenied, match=words):
        write(user, at, listing, partner, attendance, spare)

    assert snapshot() == before


def test_a_central_coordinator_runs_any_boroughs_meeting():
    at, *_ = a_started_meeting_with_a_case()

    meeting_mark_held(actor=coordinator("CEN"), meeting=at)

    assert MaracMeeting.objects.get(pk=at.pk).status == "held"


def test_a_meeting_is_scheduled_by_a_coordinator_of_the_team():
    with pytest.raises(PermissionDenied, match="Only a MARAC coordinator"):
        meeting_create(
            actor=UserFactory(role=Role.SUPERVISOR, team=team("LAM")),
            team=team("LAM"),
            starts_at=timezone.now() + timedelta(days=3),
            chair="DI Jo Patel",
            venue="Brixton",
        )
    with pytest.raises(PermissionDenied, match="another borough's MARAC"):
        meeting_create(
            actor=coordinator("SOU"),
            team=team("LAM"),
            starts_at=timezone.now() + timedelta(days=3),
            chair="DI Jo Patel",
            venue="Brixton",
        )
    assert not MaracMeeting.objects.exists()


@pytest.mark.parametrize(
    "triage",
    [
        lambda actor, referral: referral_accept(actor=actor, referral_id=referral.pk),
        lambda actor, referral: referral_reject(
            actor=actor, referral_id=referral.pk, reason="Below the threshold"
        ),
    ],
    ids=["accept", "reject"],
)
def test_only_a_coordinator_of_the_referrals_borough_triages_it(triage):
    referral = refer()
    before = snapshot()

    with pytest.raises(PermissionDenied, match="another borough's MARAC"):
        triage(coordinator("SOU"), referral)
    with pytest.raises(PermissionDenied, match="Only a MARAC coordinator"):
        triage(referral.referred_by, referral)

    assert snapshot() == before


def test_a_partner_cannot_make_a_referral():
    assessment = high_assessment()

    with pytest.raises(PermissionDenied, match="can make a MARAC referral"):
        referral_create(actor=idva_partner(), assessment=assessment, **REFERRAL_FIELDS)

    assert not MaracReferral.objects.exists()


def test_only_the_agendas_team_records_its_decisions():
    awaiting_decision()
    agenda = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    item = agenda.items.first()

    for wrong_user, words in [
        (UserFactory(role=Role.SUPERVISOR, team=team("SOU")), "of the agenda's team"),
        (UserFactory(role=Role.OFFICER, team=team("LAM")), "of the agenda's team"),
    ]:
        with pytest.raises(PermissionDenied, match=words):
            agenda_decision_record(
                actor=wrong_user, item=item, action="Review", owner="DS Khan", done=False
            )
    assert not AgendaDecision.objects.exists()


def test_only_the_meetings_coordinators_and_invited_agencies_ask_for_its_documents():
    at = meeting()
    uninvited = idva_partner()

    for wrong_user in (
        uninvited,
        coordinator("SOU"),
        UserFactory(role=Role.SUPERVISOR, team=team("LAM")),
    ):
        with pytest.raises(PermissionDenied, match="coordinators and invited agencies"):
            document_request(actor=wrong_user, meeting=at, kind="pack")
    assert not at.documents.exists()
