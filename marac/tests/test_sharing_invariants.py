"""The MARAC sharing rules as invariants of a property-based test over sequences of steps: whatever order the
coordinator invites and withdraws agencies, adds and reassigns actions and cancels the meeting
in, and whatever the agencies try meanwhile,

- an agency sees the meeting's cases exactly while it is invited and the meeting stands;
- it sees its own open actions on them under the same condition, and nobody else's;
- the coordinator's "without access" list is exactly the open actions whose agency lost it;
- an agency's update is accepted only while it sees the action;
- an agency's research is accepted only while it sees the case."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publicprotection.errors import StateError

from ..models import ActionStatus, MaracAction, MeetingInvitation, MeetingStatus
from ..selectors.actions import actions_visible_to, actions_without_access
from ..selectors.sharing import cases_shared_with
from ..services.actions import action_create, action_reassign, action_update
from ..services.meetings import MeetingStateError, meeting_cancel
from ..services.research import research_save
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import coordinator, idva_partner, listed_case, meeting, social_care_partner

pytestmark = pytest.mark.django_db


class MaracSharing:
    """One meeting with two listed cases and two partner agencies; each step is a
    coordinator's or an agency's move, and the invariants are checked after every step."""

    def __init__(self):
        self.coord = coordinator()
        self.meeting = meeting(max_cases=5)
        self.listings = [listed_case(self.meeting, self.coord) for _ in range(2)]
        self.partners = [idva_partner(), social_care_partner()]

    # --- What the model says ----------------------------------------------------------------

    def sees_cases(self, partner) -> bool:
        self.meeting.refresh_from_db()
        invited = MeetingInvitation.objects.filter(meeting=self.meeting, agency=partner.agency)
        return invited.exists() and self.meeting.status != MeetingStatus.CANCELLED

    def open_actions(self, partner=None):
        actions = MaracAction.objects.filter(
            listing__meeting=self.meeting, status=ActionStatus.OPEN
        )
        return actions if partner is None else actions.filter(agency=partner.agency)

    def action(self, number: int) -> MaracAction | None:
        actions = list(MaracAction.objects.filter(listing__meeting=self.meeting).order_by("pk"))
        return actions[number % len(actions)] if actions else None

    # --- Steps ------------------------------------------------------------------------------

    def invite(self, agency, _number):
        # Refused when already invited, or the meeting is cancelled.
        with contextlib.suppress(ValidationError, StateError):
            meeting_invite(
                actor=self.coord, meeting=self.meeting, agency=self.partners[agency].agency
            )

    def withdraw(self, agency, _number):
        invitation = MeetingInvitation.objects.filter(
            meeting=self.meeting, agency=self.partners[agency].agency
        ).first()
        if invitation is not None:
            held = meeting_invitation_withdraw(actor=self.coord, invitation_id=invitation.pk)
            assert {a.pk for a in held} <= {a.pk for a in actions_without_access(self.meeting)}

    def add_action(self, agency, number):
        # Refused when the agency is not invited, or the meeting is cancelled.
        with contextlib.suppress(ValidationError, StateError):
            action_create(
                actor=self.coord,
                listing=self.listings[number % 2],
                subject="victim",
                agency=self.partners[agency].agency,
                owner="Owner",
                description="Safety plan",
                due_date=date.today() + timedelta(days=7),
            )

    def reassign(self, agency, number):
        action = self.action(number)
        if action is not None:
            # Refused when the agency is not invited, the action is finished or the meeting
            # cancelled, or nothing would change.
            with contextlib.suppress(ValidationError, StateError):
                action_reassign(
                    actor=self.coord,
                    action_id=action.pk,
                    agency=self.partners[agency].agency,
                    owner=f"Owner {number}",
                )

    def agency_updates(self, agency, number):
        action, partner = self.action(number), self.partners[agency]
        if action is None:
            return
        allowed = actions_visible_to(viewer=partner).filter(pk=action.pk).exists()
        try:
            action_update(
                actor=partner,
                action_id=action.pk,
                text="Update",
                status=ActionStatus.DONE if number % 2 else "",
            )
        except PermissionDenied:
            assert not allowed
        else:
            assert allowed

    def agency_researches(self, agency, number):
        listing, partner = self.listings[number % 2], self.partners[agency]
        allowed = cases_shared_with(viewer=partner).filter(pk=listing.pk).exists()
        try:
            research_save(actor=partner, listing=listing, facts=f"Research {number}")
        except PermissionDenied:
            assert not allowed
        else:
            assert allowed

    def cancel(self, _agency, _number):
        with contextlib.suppress(MeetingStateError):
            meeting_cancel(actor=self.coord, meeting=self.meeting)

    # --- Invariants -------------------------------------------------------------------------

    def check(self):
        for partner in self.partners:
            sees = self.sees_cases(partner)
            assert set(cases_shared_with(viewer=partner)) == (set(self.listings) if sees else set())
            expected = set(self.open_actions(partner)) if sees else set()
            assert set(actions_visible_to(viewer=partner)) == expected
        # The coordinator sees every open action whose agency lost access, and only those.
        lost = {
            action
            for partner in self.partners
            if not self.sees_cases(partner)
            for action in self.open_actions(partner)
        }
        assert set(actions_without_access(self.meeting)) == lost


# The coordinator's moves are drawn more often than cancelling, so that most runs get far.
STEP = st.sampled_from(
    ["invite"] * 3
    + ["add_action"] * 3
    + ["withdraw"] * 2
    + ["reassign", "agency_updates", "agency_researches"] * 2
    + ["cancel"]
)


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(st.tuples(STEP, st.integers(0, 1), st.integers(0, 20)), min_size=8, max_size=16)
)
def test_marac_sharing_invariants_hold_whatever_the_order(steps):
    world = MaracSharing()
    for name, agency, number in steps:
        getattr(world, name)(agency, number)
        world.check()
