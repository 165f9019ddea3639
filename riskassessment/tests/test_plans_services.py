"""RARA plans: adding and updating actions, and the overdue and scoped reads."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import PartnerFactory, UserFactory, team
from riskassessment.models import (
    AssessmentStatus,
    Level,
    RaraAction,
    RaraActionType,
    RaraCategory,
    RaraStatus,
)
from riskassessment.selectors.plans import (
    london_today,
    overdue_actions_for_owner,
    overdue_actions_for_supervisor,
    owner_candidates,
    rara_actions_visible_to,
)
from riskassessment.services.assessments import assessment_start, assessment_submit
from riskassessment.services.plans import rara_action_add, rara_action_update
from riskassessment.tests.factories import answer, start_assessment

pytestmark = pytest.mark.django_db

ACCEPT_DETAILS = {
    "options_offered": "Refuge place; sanctuary scheme; non-molestation order.",
    "declined_reason": "She wants to stay near her children's school.",
    "monitoring": "Weekly IDVA contact and a marker on the address.",
}


def action_type(code="idva_referral"):
    return RaraActionType.objects.get(code=code)


def add(assessment, actor, **kwargs):
    kwargs.setdefault("category", RaraCategory.REDUCE)
    kwargs.setdefault("action_type", action_type())
    kwargs.setdefault("owner", actor)
    kwargs.setdefault("due_date", london_today() + timedelta(days=7))
    return rara_action_add(actor=actor, assessment_id=assessment.pk, **kwargs)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def make_overdue(action, days=1):
    RaraAction.objects.filter(pk=action.pk).update(due_date=london_today() - timedelta(days=days))
    action.refresh_from_db()
    return action


def submitted_assessment(actor):
    assessment = start_assessment(actor=actor)
    answer(assessment, actor=actor, final_level=Level.STANDARD)
    return assessment_submit(actor=actor, assessment_id=assessment.pk)


# --- Adding an action -------------------------------------------------------------------------


def test_an_action_is_added_to_a_draft_with_the_assessments_borough(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    due = london_today() + timedelta(days=3)

    action = add(assessment, lambeth_officer, notes="  Referral sent by email.  ", due_date=due)

    action.refresh_from_db()
    assert action.assessment_id == assessment.pk
    assert action.borough_id == assessment.borough_id
    assert action.status == RaraStatus.PLANNED
    assert action.owner == lambeth_officer
    assert action.created_by == lambeth_officer
    assert action.due_date == due
    assert action.notes == "Referral sent by email."
    assert action.completed_at is None


def test_actions_can_be_added_after_submission(lambeth_officer):
    assessment = submitted_assessment(lambeth_officer)
    assert assessment.status == AssessmentStatus.AWAITING_REVIEW

    action = add(assessment, lambeth_officer)

    assert assessment.actions.get() == action


def test_no_action_is_added_to_an_assessment_replaced_by_a_reassessment(lambeth_officer):
    old = submitted_assessment(lambeth_officer)
    assessment_start(actor=lambeth_officer, victim=old.victim, reassessment_reason="New threats")
    old.refresh_from_db()
    assert old.is_current is False

    with pytest.raises(ValidationError) as excinfo:
        add(old, lambeth_officer)

    assert "replaced by a reassessment" in excinfo.value.messages[0]
    assert not RaraAction.objects.exists()


def test_accept_needs_the_options_the_reasons_and_the_monitoring(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)

    with pytest.raises(ValidationError) as excinfo:
        add(assessment, lambeth_officer, category=RaraCategory.ACCEPT, monitoring="   ")

    assert errors_of(excinfo) == {
        "options_offered": ["List each option offered to the victim"],
        "declined_reason": ["Record the victim's reasons for declining"],
        "monitoring": ["Say how the remaining risk is monitored"],
    }
    assert not RaraAction.objects.exists()


def test_accept_is_recorded_with_its_details(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)

    action = add(
        assessment,
        lambeth_officer,
        category=RaraCategory.ACCEPT,
        action_type=action_type("other"),
        **ACCEPT_DETAILS,
    )

    action.refresh_from_db()
    assert action.category == RaraCategory.ACCEPT
    assert action.options_offered == ACCEPT_DETAILS["options_offered"]
    assert action.declined_reason == ACCEPT_DETAILS["declined_reason"]
    assert action.monitoring == ACCEPT_DETAILS["monitoring"]


def test_the_due_date_cannot_be_in_the_past_but_can_be_today(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)

    with pytest.raises(ValidationError) as excinfo:
        add(assessment, lambeth_officer, due_date=london_today() - timedelta(days=1))
    action = add(assessment, lambeth_officer, due_date=london_today())

    assert errors_of(excinfo) == {"due_date": ["The due date must be today or later"]}
    assert list(assessment.actions.all()) == [action]


@pytest.mark.parametrize(
    "make_owner",
    [
        pytest.param(lambda: UserFactory(role=Role.OFFICER, team=team("SOU")), id="other borough"),
        pytest.param(lambda: UserFactory(is_active=False), id="inactive"),
        pytest.param(PartnerFactory, id="partner"),
    ],
)
def test_the_owner_must_be_an_active_police_user_who_can_see_the_case(lambeth_officer, make_owner):
    assessment = start_assessment(actor=lambeth_officer)

    with pytest.raises(ValidationError) as excinfo:
        add(assessment, lambeth_officer, owner=make_owner())

    assert list(errors_of(excinfo)) == ["owner"]
    assert not RaraAction.objects.exists()


def test_the_owner_may_be_in_the_borough_or_the_central_team(
    lambeth_officer, lambeth_supervisor, central_officer
):
    assessment = start_assessment(actor=lambeth_officer)

    first = add(assessment, lambeth_officer, owner=lambeth_supervisor)
    second = add(assessment, lambeth_officer, owner=central_officer)

    assert (first.owner, second.owner) == (lambeth_supervisor, central_officer)


def test_owner_candidates_are_active_police_users_who_can_see_the_borough(
    lambeth_officer, lambeth_supervisor, central_officer, southwark_officer, partner, analyst
):
    inactive = UserFactory(is_active=False, team=team("LAM"))
    assessment = start_assessment(actor=lambeth_officer)

    candidates = set(owner_candidates(borough_id=assessment.borough_id))

    assert {lambeth_officer, lambeth_supervisor, central_officer} <= candidates
    # Analysts see no case, so they own no action on one.
    assert not {southwark_officer, partner, analyst, inactive} & candidates


@pytest.mark.parametrize("actor_fixture", ["southwark_officer", "analyst", "partner"])
def test_only_writers_in_scope_may_add(request, lambeth_officer, actor_fixture):
    assessment = start_assessment(actor=lambeth_officer)
    actor = request.getfixturevalue(actor_fixture)

    with pytest.raises(PermissionDenied):
        add(assessment, actor, owner=lambeth_officer)

    assert not RaraAction.objects.exists()


# --- Updating an action -----------------------------------------------------------------------


@pytest.fixture
def action(lambeth_officer):
    return add(start_assessment(actor=lambeth_officer), lambeth_officer)


def test_declined_needs_the_victims_reason(action, lambeth_officer):
    with pytest.raises(ValidationError) as excinfo:
        rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.DECLINED)

    assert errors_of(excinfo) == {"declined_reason": ["Record why the victim declined"]}
    action.refresh_from_db()
    assert action.status == RaraStatus.PLANNED


def test_declined_with_a_reason_is_recorded(action, lambeth_officer):
    rara_action_update(
        actor=lambeth_officer,
        action_id=action.pk,
        status=RaraStatus.DECLINED,
        declined_reason="Does not want contact with an IDVA",
    )

    action.refresh_from_db()
    assert action.status == RaraStatus.DECLINED
    assert action.declined_reason == "Does not want contact with an IDVA"
    assert action.completed_at is None


def test_done_sets_completed_at(action, lambeth_officer):
    before = datetime.now(UTC)

    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.DONE)

    action.refresh_from_db()
    assert action.status == RaraStatus.DONE
    assert action.completed_at >= before


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([RaraStatus.IN_PROGRESS], RaraStatus.DONE),
        ([RaraStatus.IN_PROGRESS], RaraStatus.CANCELLED),
        ([], RaraStatus.IN_PROGRESS),
        ([], RaraStatus.CANCELLED),
    ],
)
def test_allowed_transitions(action, lambeth_officer, path, target):
    for status in path:
        rara_action_update(actor=lambeth_officer, action_id=action.pk, status=status)

    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=target)

    action.refresh_from_db()
    assert action.status == target


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        (
            [RaraStatus.DONE],
            RaraStatus.PLANNED,
            "An action that is done cannot be changed to planned",
        ),
        (
            [RaraStatus.CANCELLED],
            RaraStatus.IN_PROGRESS,
            "An action that is cancelled cannot be changed to in progress",
        ),
        (
            [RaraStatus.IN_PROGRESS],
            RaraStatus.PLANNED,
            "An action that is in progress cannot be changed to planned",
        ),
        (
            [RaraStatus.DONE],
            RaraStatus.CANCELLED,
            "An action that is done cannot be changed to cancelled",
        ),
    ],
)
def test_refused_transitions_leave_the_action_as_it_was(
    action, lambeth_officer, path, target, message
):
    for status in path:
        rara_action_update(actor=lambeth_officer, action_id=action.pk, status=status)
    action.refresh_from_db()
    before = (action.status, action.updated_at, action.completed_at)

    with pytest.raises(ValidationError) as excinfo:
        rara_action_update(actor=lambeth_officer, action_id=action.pk, status=target)

    assert errors_of(excinfo) == {"status": [message]}
    action.refresh_from_db()
    assert (action.status, action.updated_at, action.completed_at) == before


def test_a_final_action_can_still_have_its_notes_updated(action, lambeth_officer):
    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.DONE)

    rara_action_update(
        actor=lambeth_officer, action_id=action.pk, status=RaraStatus.DONE, notes="IDVA allocated"
    )

    action.refresh_from_db()
    assert (action.status, action.notes) == (RaraStatus.DONE, "IDVA allocated")


def test_the_due_date_cannot_move_into_the_past(action, lambeth_officer):
    with pytest.raises(ValidationError) as excinfo:
        rara_action_update(
            actor=lambeth_officer,
            action_id=action.pk,
            due_date=london_today() - timedelta(days=2),
        )

    assert errors_of(excinfo) == {"due_date": ["The due date must be today or later"]}


def test_an_overdue_action_keeps_its_due_date_while_its_status_moves_on(action, lambeth_officer):
    make_overdue(action, days=3)

    rara_action_update(
        actor=lambeth_officer,
        action_id=action.pk,
        status=RaraStatus.IN_PROGRESS,
        due_date=action.due_date,
    )

    action.refresh_from_db()
    assert action.status == RaraStatus.IN_PROGRESS
    assert action.due_date == london_today() - timedelta(days=3)


def test_an_accept_action_keeps_its_declined_reason(lambeth_officer):
    accept = add(
        start_assessment(actor=lambeth_officer),
        lambeth_officer,
        category=RaraCategory.ACCEPT,
        **ACCEPT_DETAILS,
    )

    with pytest.raises(ValidationError) as excinfo:
        rara_action_update(actor=lambeth_officer, action_id=accept.pk, declined_reason=" ")

    assert errors_of(excinfo) == {"declined_reason": ["Record the victim's reasons for declining"]}


def test_actions_on_a_replaced_assessment_can_still_be_closed(lambeth_officer):
    old = submitted_assessment(lambeth_officer)
    action = add(old, lambeth_officer)
    assessment_start(actor=lambeth_officer, victim=old.victim, reassessment_reason="New threats")

    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.CANCELLED)

    action.refresh_from_db()
    assert action.status == RaraStatus.CANCELLED


def test_another_borough_cannot_update(action, southwark_officer):
    with pytest.raises(PermissionDenied):
        rara_action_update(actor=southwark_officer, action_id=action.pk, status=RaraStatus.DONE)

    action.refresh_from_db()
    assert action.status == RaraStatus.PLANNED


# --- Reads --------------------------------------------------------------------------------------


def test_overdue_starts_the_day_after_the_due_date(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    due_today = add(assessment, lambeth_officer, due_date=london_today())
    due_yesterday = make_overdue(add(assessment, lambeth_officer))

    overdue = list(overdue_actions_for_owner(viewer=lambeth_officer))

    assert overdue == [due_yesterday]
    assert due_today not in overdue


def test_today_is_the_london_date_not_the_utc_one(lambeth_officer):
    action = add(start_assessment(actor=lambeth_officer), lambeth_officer)
    RaraAction.objects.filter(pk=action.pk).update(due_date=date(2026, 7, 26))
    # 23:30 UTC on 26 July is 00:30 on 27 July in London (BST): the action is now overdue.
    just_after_midnight = datetime(2026, 7, 26, 23, 30, tzinfo=UTC)
    just_before_midnight = datetime(2026, 7, 26, 22, 30, tzinfo=UTC)

    with mock.patch("django.utils.timezone.now", return_value=just_before_midnight):
        before = list(overdue_actions_for_owner(viewer=lambeth_officer))
    with mock.patch("django.utils.timezone.now", return_value=just_after_midnight):
        after = list(overdue_actions_for_owner(viewer=lambeth_officer))

    assert before == []
    assert after == [action]


def test_done_declined_and_cancelled_actions_are_never_overdue(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    open_ones = [add(assessment, lambeth_officer) for _ in range(2)]
    rara_action_update(
        actor=lambeth_officer, action_id=open_ones[1].pk, status=RaraStatus.IN_PROGRESS
    )
    closed = [add(assessment, lambeth_officer) for _ in range(3)]
    rara_action_update(actor=lambeth_officer, action_id=closed[0].pk, status=RaraStatus.DONE)
    rara_action_update(actor=lambeth_officer, action_id=closed[1].pk, status=RaraStatus.CANCELLED)
    rara_action_update(
        actor=lambeth_officer,
        action_id=closed[2].pk,
        status=RaraStatus.DECLINED,
        declined_reason="Declined",
    )
    for number, action in enumerate(open_ones + closed, start=1):
        make_overdue(action, days=number)

    overdue = list(overdue_actions_for_owner(viewer=lambeth_officer))

    # Oldest due first.
    assert overdue == [open_ones[1], open_ones[0]]


def test_the_owner_sees_their_own_and_the_supervisor_the_borough(
    lambeth_officer, lambeth_supervisor, southwark_officer
):
    colleague = UserFactory(role=Role.OFFICER, team=team("LAM"))
    lambeth = start_assessment(actor=lambeth_officer)
    mine = make_overdue(add(lambeth, lambeth_officer), days=2)
    theirs = make_overdue(add(lambeth, lambeth_officer, owner=colleague), days=1)
    southwark = make_overdue(
        add(start_assessment(actor=southwark_officer, borough_code="SOU"), southwark_officer)
    )

    assert list(overdue_actions_for_owner(viewer=lambeth_officer)) == [mine]
    assert list(overdue_actions_for_owner(viewer=colleague)) == [theirs]
    assert list(overdue_actions_for_supervisor(viewer=lambeth_supervisor)) == [mine, theirs]
    assert list(overdue_actions_for_supervisor(viewer=southwark_officer)) == [southwark]


def test_actions_are_scoped_by_the_access_core(
    lambeth_officer, southwark_officer, central_officer, analyst, partner
):
    action = add(start_assessment(actor=lambeth_officer), lambeth_officer)

    assert list(rara_actions_visible_to(viewer=lambeth_officer)) == [action]
    assert list(rara_actions_visible_to(viewer=central_officer)) == [action]
    assert list(rara_actions_visible_to(viewer=analyst)) == []
    assert list(rara_actions_visible_to(viewer=southwark_officer)) == []
    assert list(rara_actions_visible_to(viewer=partner)) == []


def test_submission_needs_a_plan_at_medium_and_high_until_an_action_is_added(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    assessment = answer(
        assessment, actor=lambeth_officer, yes=["separation", "stalking", "pregnancy"]
    )
    assessment = answer(assessment, actor=lambeth_officer, final_level=Level.MEDIUM)

    with pytest.raises(ValidationError) as excinfo:
        assessment_submit(actor=lambeth_officer, assessment_id=assessment.pk)
    add(assessment, lambeth_officer)
    submitted = assessment_submit(actor=lambeth_officer, assessment_id=assessment.pk)

    assert "plan" in errors_of(excinfo)
    assert submitted.status == AssessmentStatus.AWAITING_REVIEW


# --- The plan a medium or high risk needs stays a plan ----------------------------------------


def submitted_medium_with_a_plan(actor):
    """A MEDIUM (recommended MEDIUM) awaiting review, with one action."""
    assessment = start_assessment(actor=actor)
    assessment = answer(assessment, actor=actor, yes=["separation"], final_level=Level.MEDIUM)
    action = add(assessment, actor)
    return assessment_submit(actor=actor, assessment_id=assessment.pk), action


def cancel(actor, action):
    return rara_action_update(actor=actor, action_id=action.pk, status=RaraStatus.CANCELLED)


def test_the_last_action_of_a_medium_risk_plan_cannot_be_cancelled(lambeth_officer):
    _, action = submitted_medium_with_a_plan(lambeth_officer)

    with pytest.raises(ValidationError) as excinfo:
        cancel(lambeth_officer, action)

    assert "medium risk needs a RARA plan" in errors_of(excinfo)["status"][0]
    action.refresh_from_db()
    assert action.status == RaraStatus.PLANNED


def test_it_can_be_cancelled_once_a_replacement_is_added(lambeth_officer):
    assessment, action = submitted_medium_with_a_plan(lambeth_officer)
    replacement = add(assessment, lambeth_officer, action_type=action_type("non_molestation_order"))

    cancel(lambeth_officer, action)

    with pytest.raises(ValidationError):
        cancel(lambeth_officer, replacement)
    assert assessment.actions.exclude(status=RaraStatus.CANCELLED).get() == replacement


def test_a_done_plan_is_still_a_plan_and_its_last_open_action_can_be_cancelled(lambeth_officer):
    assessment, action = submitted_medium_with_a_plan(lambeth_officer)
    other = add(assessment, lambeth_officer, action_type=action_type("non_molestation_order"))
    rara_action_update(actor=lambeth_officer, action_id=other.pk, status=RaraStatus.DONE)

    cancel(lambeth_officer, action)


@pytest.mark.parametrize("where", ["draft", "standard", "replaced"])
def test_the_rule_is_for_a_level_in_force_that_needs_a_plan(lambeth_officer, where):
    if where == "draft":
        action = add(start_assessment(actor=lambeth_officer), lambeth_officer)
    elif where == "standard":
        action = add(submitted_assessment(lambeth_officer), lambeth_officer)
    else:
        assessment, action = submitted_medium_with_a_plan(lambeth_officer)
        reassessment = assessment_start(
            actor=lambeth_officer, victim=assessment.victim, reassessment_reason="New threats"
        )
        answer(reassessment, actor=lambeth_officer, no=["separation"], final_level=Level.STANDARD)
        assessment_submit(actor=lambeth_officer, assessment_id=reassessment.pk)

    cancel(lambeth_officer, action)


def test_a_medium_whose_reassessment_is_a_draft_is_still_in_force(lambeth_officer):
    assessment, action = submitted_medium_with_a_plan(lambeth_officer)
    assessment_start(actor=lambeth_officer, victim=assessment.victim, reassessment_reason="New")

    with pytest.raises(ValidationError):
        cancel(lambeth_officer, action)


@pytest.mark.django_db(transaction=True)
def test_updates_run_in_their_own_transaction_as_in_a_request():
    """Outside a test's wrapping transaction, as in a request: the service opens its own (its
    row locks need one; a lost decorator made every status change a 500)."""
    from publicprotection.accounts.reference_data import load_reference_data

    load_reference_data()
    lambeth_officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    _, action = submitted_medium_with_a_plan(lambeth_officer)

    with pytest.raises(ValidationError):
        cancel(lambeth_officer, action)
    updated = rara_action_update(
        actor=lambeth_officer, action_id=action.pk, status=RaraStatus.IN_PROGRESS
    )

    assert updated.status == RaraStatus.IN_PROGRESS
