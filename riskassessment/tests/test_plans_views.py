"""RARA plan pages: add an action, update it, and the overdue lists.

Every page checks the role (403) and then the viewer's scope (404, like a missing record)
before anything is read or changed."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today
from riskassessment.models import (
    Level,
    RaraAction,
    RaraActionType,
    RaraCategory,
    RaraStatus,
)
from riskassessment.services.assessments import assessment_start, assessment_submit
from riskassessment.services.plans import rara_action_add, rara_action_update
from riskassessment.tests.factories import answer, start_assessment

pytestmark = pytest.mark.django_db

OVERDUE = reverse("riskassessment:rara-overdue")


@pytest.fixture
def assessment(lambeth_officer):
    return start_assessment(actor=lambeth_officer)


def add(assessment, actor, **kwargs):
    kwargs.setdefault("category", RaraCategory.REDUCE)
    kwargs.setdefault("action_type", RaraActionType.objects.get(code="idva_referral"))
    kwargs.setdefault("owner", actor)
    kwargs.setdefault("due_date", london_today() + timedelta(days=7))
    return rara_action_add(actor=actor, assessment_id=assessment.pk, **kwargs)


def make_overdue(action, days=1):
    RaraAction.objects.filter(pk=action.pk).update(due_date=london_today() - timedelta(days=days))
    action.refresh_from_db()
    return action


def add_url(assessment):
    return reverse("riskassessment:rara-action-add", args=[assessment.pk])


def edit_url(action):
    return reverse("riskassessment:rara-action-edit", args=[action.pk])


def detail_url(assessment_id):
    return reverse("riskassessment:assessment-detail", args=[assessment_id])


def post_status(client, action, status, notes):
    """The edit form sent with a new status and notes, the rest as the action has it."""
    return client.post(
        edit_url(action),
        {
            "status": status,
            "due_date": action.due_date.isoformat(),
            "notes": notes,
            "declined_reason": "",
            "version": version_of(action),
        },
    )


def valid_post(owner, **overrides):
    data = {
        "category": RaraCategory.AVOID,
        "action_type": RaraActionType.objects.get(code="non_molestation_order").pk,
        "owner": owner.pk,
        "due_date": (london_today() + timedelta(days=14)).isoformat(),
        "notes": "Victim to see a solicitor on Monday.",
        "options_offered": "",
        "declined_reason": "",
        "monitoring": "",
    }
    return {**data, **overrides}


def snapshot(action):
    action.refresh_from_db()
    return (action.status, action.notes, action.due_date, action.updated_at, action.completed_at)


# --- Add an action ------------------------------------------------------------------------------


def test_add_page_offers_the_catalogue_and_the_owners_who_can_see_the_case(
    client, lambeth_officer, lambeth_supervisor, central_officer, southwark_officer, assessment
):
    client.force_login(lambeth_officer)

    response = client.get(add_url(assessment))

    assert response.status_code == 200
    text = response.text
    assert "<title>Add a RARA action" in text
    assert "Non-molestation order (usually Avoid)" in text
    assert "Sanctuary scheme / target hardening (usually Reduce)" in text
    form = response.context["form"]
    owners = set(form.fields["owner"].queryset)
    assert {lambeth_officer, lambeth_supervisor, central_officer} <= owners
    assert southwark_officer not in owners
    assert form["owner"].value() == lambeth_officer.pk
    assert 'name="due_date_day"' in text  # the GOV.UK date input
    assert "If the victim declined everything (Accept)" in text
    assert reverse("cases:incident-detail", args=[assessment.incident.reference]) in text
    assert detail_url(assessment.pk) in text
    assert AccessLogEntry.objects.filter(
        user=lambeth_officer, object_id=str(assessment.pk)
    ).exists()


def test_adding_an_action_saves_it_and_returns_to_the_assessment(
    client, lambeth_officer, lambeth_supervisor, assessment
):
    client.force_login(lambeth_officer)

    response = client.post(add_url(assessment), valid_post(lambeth_supervisor))

    assert response.status_code == 302
    assert response["Location"] == detail_url(assessment.pk)
    action = assessment.actions.get()
    assert action.category == RaraCategory.AVOID
    assert action.action_type.code == "non_molestation_order"
    assert action.owner == lambeth_supervisor
    assert action.created_by == lambeth_officer
    assert action.notes == "Victim to see a solicitor on Monday."
    assert action.borough_id == assessment.borough_id


def test_accept_without_its_details_shows_the_errors_and_keeps_the_input(
    client, lambeth_officer, assessment
):
    client.force_login(lambeth_officer)
    yesterday = (london_today() - timedelta(days=1)).isoformat()

    response = client.post(
        add_url(assessment),
        valid_post(
            lambeth_officer,
            category=RaraCategory.ACCEPT,
            due_date=yesterday,
            options_offered="Refuge; sanctuary scheme",
            notes="Spoke to her at the front counter",
        ),
    )

    assert response.status_code == 200
    text = response.text
    assert "<title>Error: Add a RARA action" in text
    assert "There is a problem" in text
    assert "Record the victim&#x27;s reasons for declining" in text
    assert "Say how the remaining risk is monitored" in text
    assert "The due date must be today or later" in text
    assert "List each option offered to the victim" not in text
    assert "Refuge; sanctuary scheme</textarea>" in text
    assert "Spoke to her at the front counter</textarea>" in text
    due = london_today() - timedelta(days=1)
    assert f'name="due_date_day" value="{due.day}"' in text
    assert f'name="due_date_year" value="{due.year}"' in text
    assert 'value="accept" id="id_category_3" checked' in text
    assert not RaraAction.objects.exists()


def test_missing_fields_are_reported_by_the_form(client, lambeth_officer, assessment):
    client.force_login(lambeth_officer)

    response = client.post(add_url(assessment), {"notes": "Only notes"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["category"] == ["Select the RARA category"]
    assert errors["action_type"] == ["Choose the action"]
    assert errors["owner"] == ["Choose the owner"]
    assert errors["due_date"] == ["Enter the due date"]
    assert "Only notes</textarea>" in response.text
    assert not RaraAction.objects.exists()


def test_an_owner_from_another_borough_is_refused(client, lambeth_officer, southwark_officer):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.post(add_url(assessment), valid_post(southwark_officer))

    assert response.status_code == 200
    assert response.context["form"].errors["owner"] == ["Choose the owner"]
    assert not RaraAction.objects.exists()


def test_a_replaced_assessment_shows_a_notice_instead_of_the_form(client, lambeth_officer):
    old = start_assessment(actor=lambeth_officer)
    answer(old, actor=lambeth_officer, final_level=Level.STANDARD)
    assessment_submit(actor=lambeth_officer, assessment_id=old.pk)
    assessment_start(actor=lambeth_officer, victim=old.victim, reassessment_reason="New threats")
    client.force_login(lambeth_officer)

    page = client.get(add_url(old))
    posted = client.post(add_url(old), valid_post(lambeth_officer))

    assert "replaced by a reassessment" in page.text
    assert "<form" not in page.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert posted.status_code == 200
    assert not RaraAction.objects.exists()


def test_add_denials_change_nothing(
    client, lambeth_officer, southwark_officer, analyst, partner, assessment
):
    url = add_url(assessment)
    data = valid_post(lambeth_officer)

    anonymous = client.post(url, data)
    client.force_login(partner)
    as_partner = (client.get(url), client.post(url, data))
    client.force_login(analyst)
    as_analyst = (client.get(url), client.post(url, data))
    client.force_login(southwark_officer)
    other_borough = (client.get(url), client.post(url, data))
    missing = client.get(reverse("riskassessment:rara-action-add", args=[assessment.pk + 999]))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert [r.status_code for r in as_partner] == [403, 403]
    assert [r.status_code for r in as_analyst] == [403, 403]
    assert [r.status_code for r in other_borough] == [404, 404]
    assert missing.status_code == 404
    assert not RaraAction.objects.exists()


# --- Update an action ---------------------------------------------------------------------------


def test_edit_page_offers_only_the_statuses_the_action_can_move_to(
    client, lambeth_officer, assessment
):
    action = add(assessment, lambeth_officer)
    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.IN_PROGRESS)
    client.force_login(lambeth_officer)

    response = client.get(edit_url(action))

    assert response.status_code == 200
    choices = [value for value, _label in response.context["form"].fields["status"].choices]
    assert choices == ["in_progress", "done", "declined", "cancelled"]
    assert "Update: IDVA referral" in response.text
    assert response.context["form"]["status"].value() == "in_progress"


def version_of(action) -> int:
    return RaraAction.objects.values_list("version", flat=True).get(pk=action.pk)


def test_marking_an_action_done(client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    client.force_login(lambeth_officer)

    response = post_status(client, action, "done", "Referral accepted")

    assert response.status_code == 302
    assert response["Location"] == detail_url(assessment.pk)
    action.refresh_from_db()
    assert action.status == RaraStatus.DONE
    assert action.notes == "Referral accepted"
    assert action.completed_at is not None


def test_declined_without_a_reason_shows_the_error_and_keeps_the_input(
    client, lambeth_officer, assessment
):
    action = add(assessment, lambeth_officer)
    before = snapshot(action)
    client.force_login(lambeth_officer)

    response = post_status(client, action, "declined", "Phoned twice")

    assert response.status_code == 200
    assert "<title>Error: Update RARA action" in response.text
    assert response.context["form"].errors["declined_reason"] == ["Record why the victim declined"]
    assert "Phoned twice</textarea>" in response.text
    assert snapshot(action) == before


def test_a_finished_action_cannot_be_reopened(client, lambeth_officer, assessment):
    action = add(assessment, lambeth_officer)
    rara_action_update(actor=lambeth_officer, action_id=action.pk, status=RaraStatus.DONE)
    before = snapshot(action)
    client.force_login(lambeth_officer)

    page = client.get(edit_url(action))
    response = client.post(
        edit_url(action),
        {
            "status": "planned",
            "due_date": action.due_date.isoformat(),
            "notes": "",
            "version": version_of(action),
        },
    )

    assert "its status cannot change" in page.text
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert snapshot(action) == before


def test_edit_denials_change_nothing(
    client, lambeth_officer, southwark_officer, analyst, partner, assessment
):
    action = add(assessment, lambeth_officer)
    before = snapshot(action)
    url = edit_url(action)
    data = {"status": "done", "due_date": action.due_date.isoformat(), "notes": "Changed"}

    anonymous = client.post(url, data)
    client.force_login(partner)
    as_partner = (client.get(url), client.post(url, data))
    client.force_login(analyst)
    as_analyst = (client.get(url), client.post(url, data))
    client.force_login(southwark_officer)
    other_borough = (client.get(url), client.post(url, data))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert [r.status_code for r in as_partner] == [403, 403]
    assert [r.status_code for r in as_analyst] == [403, 403]
    assert [r.status_code for r in other_borough] == [404, 404]
    assert snapshot(action) == before


# --- The plan table (included in the assessment page) -------------------------------------------


def test_plan_table_shows_overdue_accept_details_and_change_links(lambeth_officer, assessment):
    late = make_overdue(add(assessment, lambeth_officer, notes="Chase the IDVA"), days=2)
    accept = add(
        assessment,
        lambeth_officer,
        category=RaraCategory.ACCEPT,
        action_type=RaraActionType.objects.get(code="other"),
        options_offered="Refuge",
        declined_reason="Wants to stay at home",
        monitoring="Weekly calls",
        due_date=date(2099, 11, 26),
    )
    done = make_overdue(add(assessment, lambeth_officer), days=5)
    rara_action_update(actor=lambeth_officer, action_id=done.pk, status=RaraStatus.DONE)
    actions = RaraAction.objects.select_related("action_type", "owner").order_by("due_date")

    editable = render_to_string(
        "riskassessment/plans/includes/plan_table.html",
        {"actions": actions, "can_edit_plan": True, "assessment": assessment},
    )
    read_only = render_to_string(
        "riskassessment/plans/includes/plan_table.html",
        {"actions": actions, "can_edit_plan": False, "assessment": assessment},
    )

    assert editable.count(">Overdue</strong>") == 1  # the done one is not overdue
    assert "26 Nov 2099" in editable
    assert "Chase the IDVA" in editable
    assert "Wants to stay at home" in editable and "Weekly calls" in editable
    assert ">Accept</strong>" in editable and ">Reduce</strong>" in editable
    assert "Declined by victim" not in editable and ">Done</strong>" in editable
    for action in (late, accept, done):
        assert edit_url(action) in editable
        assert edit_url(action) not in read_only
    assert lambeth_officer.display_name in read_only


def test_plan_table_empty_state(assessment):
    html = render_to_string(
        "riskassessment/plans/includes/plan_table.html",
        {"actions": [], "can_edit_plan": True, "assessment": assessment},
    )

    assert "No actions in the plan yet." in html


# --- Overdue lists ------------------------------------------------------------------------------


def test_an_officer_sees_their_own_overdue_actions_only(
    client, lambeth_officer, lambeth_supervisor, assessment
):
    mine = make_overdue(add(assessment, lambeth_officer), days=3)
    make_overdue(add(assessment, lambeth_officer, owner=lambeth_supervisor))
    add(assessment, lambeth_officer)  # not yet due
    client.force_login(lambeth_officer)

    response = client.get(OVERDUE)

    assert response.status_code == 200
    assert response.context["own_actions"] == [mine]
    text = response.text
    assert "Your overdue actions" in text
    assert "Overdue in your borough" not in text
    assert assessment.person.full_name in text
    incident_link = reverse("cases:incident-detail", args=[assessment.incident.reference])
    assert f'href="{incident_link}"' in text
    assert "IDVA referral" in text
    assert (london_today() - timedelta(days=3)).strftime("%-d %b %Y") in text
    assert "3 days" in text
    assert edit_url(mine) in text


def test_a_supervisor_also_sees_everything_overdue_in_their_borough(
    client, lambeth_officer, lambeth_supervisor, southwark_officer, assessment
):
    theirs = make_overdue(add(assessment, lambeth_officer), days=1)
    older = make_overdue(add(assessment, lambeth_officer), days=4)
    southwark = make_overdue(
        add(start_assessment(actor=southwark_officer, borough_code="SOU"), southwark_officer)
    )
    client.force_login(lambeth_supervisor)

    response = client.get(OVERDUE)

    assert response.status_code == 200
    assert response.context["own_actions"] == []
    assert list(response.context["scope_actions"]) == [older, theirs]
    text = response.text
    assert "You have no overdue actions." in text
    assert "Overdue in your borough" in text
    assert "1 day<" in text and "4 days" in text
    assert southwark.assessment.incident.reference not in text


def test_overdue_empty_states(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(OVERDUE)

    assert "You have no overdue actions." in response.text
    assert "No actions are overdue." in response.text


def test_overdue_supervisor_table_is_paginated(client, lambeth_officer, lambeth_supervisor):
    assessment = start_assessment(actor=lambeth_officer)
    for days in range(1, 28):
        make_overdue(add(assessment, lambeth_officer), days=days)
    client.force_login(lambeth_supervisor)

    first = client.get(OVERDUE)
    second = client.get(OVERDUE, {"page": 2})

    assert len(first.context["scope_actions"]) == 25
    assert first.context["page_obj"].has_next
    assert len(second.context["scope_actions"]) == 2
    assert "page=2" in first.text


def test_overdue_denials(client, partner):
    anonymous = client.get(OVERDUE)
    client.force_login(partner)
    as_partner = client.get(OVERDUE)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert as_partner.status_code == 403


def test_overdue_query_count_does_not_grow_with_rows(
    client, lambeth_officer, django_assert_max_num_queries
):
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    assessments = [start_assessment(actor=lambeth_officer) for _ in range(4)]

    def overdue_rows(count):
        for number in range(count):
            assessment = assessments[number % len(assessments)]
            owner = supervisor if number % 2 else lambeth_officer
            make_overdue(add(assessment, lambeth_officer, owner=owner), days=number + 1)

    overdue_rows(5)
    client.force_login(supervisor)
    with django_assert_max_num_queries(15) as five:
        client.get(OVERDUE)
    overdue_rows(15)
    with django_assert_max_num_queries(15) as twenty:
        response = client.get(OVERDUE)

    assert len(response.context["scope_actions"]) == 20
    assert len(response.context["own_actions"]) == 9
    assert len(twenty.captured_queries) == len(five.captured_queries)


def test_a_refused_plan_form_shows_the_plan_again_and_logs_its_read(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    action = rara_action_add(
        actor=lambeth_officer,
        assessment_id=assessment.pk,
        category=RaraCategory.REDUCE,
        action_type=RaraActionType.objects.get(code="idva_referral"),
        owner=lambeth_officer,
        due_date=london_today() + timedelta(days=3),
    )
    client.force_login(lambeth_officer)

    added = client.post(reverse("riskassessment:rara-action-add", args=[assessment.pk]), {})
    edited = client.post(reverse("riskassessment:rara-action-edit", args=[action.pk]), {})

    assert (added.status_code, edited.status_code) == (200, 200)
    assert [
        (entry.content_type.model_class(), entry.object_id)
        for entry in AccessLogEntry.objects.filter(user=lambeth_officer).order_by("id")
    ] == [(type(assessment), str(assessment.pk)), (RaraAction, str(action.pk))]


def test_cancelling_the_last_action_of_a_medium_plan_says_why_and_keeps_the_input(
    client, lambeth_officer, assessment
):
    assessment = answer(
        assessment, actor=lambeth_officer, yes=["separation"], final_level=Level.MEDIUM
    )
    action = add(assessment, lambeth_officer)
    assessment_submit(actor=lambeth_officer, assessment_id=assessment.pk)
    before = snapshot(action)
    client.force_login(lambeth_officer)

    response = post_status(client, action, "cancelled", "The IDVA service is full")

    assert response.status_code == 200
    [error] = response.context["form"].errors["status"]
    assert "medium risk needs a RARA plan: add the action that replaces it first" in error
    assert "The IDVA service is full</textarea>" in response.text
    assert snapshot(action) == before
