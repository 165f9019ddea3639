"""Two officers editing one record: the second, stale save is refused, never silently
overwrites the first (forms keep what was typed; the API is 409 by body version, 412 by
If-Match, and hands out ETags)."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.tests.factories import IncidentFactory, PersonFactory, complete_incident
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.london_time import london_today
from riskassessment.models import RaraAction, RaraActionType, RaraCategory, RiskAssessment
from riskassessment.services import assessments
from riskassessment.services.plans import rara_action_add
from riskassessment.tests.factories import answer, start_assessment
from tests.locks import backends_waiting_for_a_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    return rara_action_add(
        actor=lambeth_officer,
        assessment_id=assessment.pk,
        category=RaraCategory.REDUCE,
        action_type=RaraActionType.objects.get(code="idva_referral"),
        owner=lambeth_officer,
        due_date=london_today() + timedelta(days=7),
    )


def edit_form(action, notes, version):
    return {
        "status": "planned",
        "due_date": action.due_date.isoformat(),
        "notes": notes,
        "declined_reason": "",
        "version": version,
    }


def test_a_stale_rara_form_does_not_overwrite_the_first_officers_note(
    action, lambeth_officer, lambeth_supervisor
):
    url = reverse("riskassessment:rara-action-edit", args=[action.pk])
    first, second = Client(), Client()
    first.force_login(lambeth_officer)
    second.force_login(lambeth_supervisor)
    first.get(url)
    second.get(url)  # both opened version 1

    saved = first.post(url, edit_form(action, "Victim moved to a refuge", 1))
    stale = second.post(url, edit_form(action, "Phoned the victim", 1))

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this RARA action" in stale.text
    assert "Phoned the victim</textarea>" in stale.text  # what was typed is kept
    assert "Victim moved to a refuge" in stale.text  # and what was saved meanwhile is shown
    assert RaraAction.objects.get(pk=action.pk).notes == "Victim moved to a refuge"
    # The re-shown form carries the current version: saving again (merged) works.
    merged = second.post(url, edit_form(action, "Victim moved to a refuge. Phoned the victim", 2))
    assert merged.status_code == 302
    assert RaraAction.objects.get(pk=action.pk).notes.endswith("Phoned the victim")


def test_a_stale_api_patch_is_refused(api_client, action, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:rara-action-detail", args=[action.pk])
    api_client.patch(url, {"notes": "First", "version": 1}, format="json")

    stale = api_client.patch(url, {"notes": "Second", "version": 1}, format="json")

    assert stale.status_code == 409
    assert RaraAction.objects.get(pk=action.pk).notes == "First"


def test_an_api_patch_without_a_version_is_refused(api_client, action, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        reverse("api:rara-action-detail", args=[action.pk]), {"notes": "Blind"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "version"
    assert RaraAction.objects.get(pk=action.pk).notes == ""


def test_etag_and_if_match_on_a_rara_action(api_client, action, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:rara-action-detail", args=[action.pk])

    read = api_client.get(url)
    assert read["ETag"] == '"v1"'
    saved = api_client.patch(url, {"notes": "First"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert saved.status_code == 200
    assert saved["ETag"] == '"v2"'

    stale = api_client.patch(url, {"notes": "Second"}, format="json", HTTP_IF_MATCH=read["ETag"])

    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "precondition_failed"
    assert RaraAction.objects.get(pk=action.pk).notes == "First"


@pytest.mark.parametrize("header", ['"nonsense"', "v1", '"v1", "v2"'])
def test_an_if_match_that_names_no_version_is_412(api_client, action, lambeth_officer, header):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        reverse("api:rara-action-detail", args=[action.pk]),
        {"notes": "x"},
        format="json",
        HTTP_IF_MATCH=header,
    )

    assert response.status_code == 412
    assert RaraAction.objects.get(pk=action.pk).notes == ""


def test_if_match_and_body_version_must_agree(api_client, action, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        reverse("api:rara-action-detail", args=[action.pk]),
        {"notes": "x", "version": 2},
        format="json",
        HTTP_IF_MATCH='"v1"',
    )

    assert response.status_code == 400


def test_if_match_on_an_incident_and_a_person(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    incident = IncidentFactory(actor=lambeth_officer)
    person = PersonFactory()
    incident_url = reverse("api:incident-detail", args=[incident.pk])
    person_url = reverse("api:person-detail", args=[person.pk])

    incident_etag = api_client.get(incident_url)["ETag"]
    person_etag = api_client.get(person_url)["ETag"]
    assert (
        api_client.patch(
            incident_url, {"cad_reference": "CAD 1"}, format="json", HTTP_IF_MATCH=incident_etag
        ).status_code
        == 200
    )
    assert (
        api_client.patch(
            person_url, {"given_name": "Alexa"}, format="json", HTTP_IF_MATCH=person_etag
        ).status_code
        == 200
    )

    stale_incident = api_client.patch(
        incident_url, {"cad_reference": "CAD 2"}, format="json", HTTP_IF_MATCH=incident_etag
    )
    stale_person = api_client.patch(
        person_url, {"given_name": "Alex"}, format="json", HTTP_IF_MATCH=person_etag
    )

    assert (stale_incident.status_code, stale_person.status_code) == (412, 412)
    incident.refresh_from_db()
    person.refresh_from_db()
    assert (incident.cad_reference, person.given_name) == ("CAD 1", "Alexa")


def test_the_schema_documents_if_match_on_patch(client, lambeth_officer):
    client.force_login(lambeth_officer)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()

    patch = schema["paths"]["/api/v1/rara-actions/{id}/"]["patch"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert "412" in patch["responses"]


def second_waits_while_first_holds(first, second, held, release) -> dict:
    """Run `first` in a thread named "first" until it sets `held` (inside its transaction),
    then `second` in a thread named "second"; check that the second waits for a lock, release
    the first, and return each one's result's pk, or the name of the error it raised."""
    outcomes = {}

    def run(call):
        name = threading.current_thread().name
        try:
            outcomes[name] = call().pk
        except Exception as error:  # noqa: BLE001 (the test reports it)
            outcomes[name] = type(error).__name__
        finally:
            connection.close()

    one = threading.Thread(target=run, args=(first,), name="first")
    two = threading.Thread(target=run, args=(second,), name="second")
    one.start()
    assert held.wait(timeout=10)
    two.start()
    deadline = time.monotonic() + 5
    while backends_waiting_for_a_lock() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert backends_waiting_for_a_lock() == 1, "the second did not wait"
    release.set()
    one.join(timeout=20)
    two.join(timeout=20)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_officers_starting_a_victims_first_assessment_at_once_get_the_same_draft():
    """Two officers press "Start assessment" for the same victim at the same moment: both read
    "no current assessment". The second must wait and then open the first's draft, not fail
    on the one-current-assessment-per-victim index (an IntegrityError: a 500 on the page)."""
    officer = UserFactory(team=team("LAM"))
    colleague = UserFactory(team=team("LAM"))
    _, victim, _ = complete_incident(actor=officer)
    created, release = threading.Event(), threading.Event()
    real_prefill = assessments._prefill_from_records

    def prefill_then_hold(assessment):
        real_prefill(assessment)
        if threading.current_thread().name == "first":
            created.set()
            release.wait(timeout=10)  # the first start's transaction stays open meanwhile

    with mock.patch.object(assessments, "_prefill_from_records", prefill_then_hold):
        outcomes = second_waits_while_first_holds(
            lambda: assessments.assessment_start(actor=officer, victim=victim),
            lambda: assessments.assessment_start(actor=colleague, victim=victim),
            created,
            release,
        )

    draft = RiskAssessment.objects.get()
    assert outcomes == {"first": draft.pk, "second": draft.pk}


@pytest.mark.django_db(transaction=True)
def test_submitting_while_a_colleague_starts_a_reassessment_takes_turns_not_a_deadlock():
    """Submitting writes the victim's party (has_submitted_risk_assessment, by trigger). It
    took the assessment's lock first and the party's second, while a start for the same victim
    takes the incident's, the party's and then the assessment's: the two deadlocked, and one
    request failed. Submission now locks in the start's order, so the start waits its turn."""
    officer = UserFactory(team=team("LAM"))
    colleague = UserFactory(team=team("LAM"))
    _, victim, _ = complete_incident(actor=officer)
    draft = answer(start_assessment(victim=victim, actor=officer), final_level="standard")
    checking, release = threading.Event(), threading.Event()
    real_problems = assessments.submission_problems

    def problems_then_hold(assessment):
        found = real_problems(assessment)
        if threading.current_thread().name == "first":
            checking.set()
            release.wait(timeout=10)  # the submission's transaction stays open meanwhile
        return found

    with mock.patch.object(assessments, "submission_problems", problems_then_hold):
        outcomes = second_waits_while_first_holds(
            lambda: assessments.assessment_submit(actor=officer, assessment_id=draft.pk),
            lambda: assessments.assessment_start(
                actor=colleague, victim=victim, reassessment_reason="New facts."
            ),
            checking,
            release,
        )

    # Both done, one after the other: the submission, then a reassessment of the victim.
    assert outcomes["first"] == draft.pk  # the submission
    reassessment = RiskAssessment.objects.get(victim=victim, is_current=True)
    assert outcomes["second"] == reassessment.pk != draft.pk  # the start
    assert RiskAssessment.objects.get(pk=draft.pk).status == "awaiting_review"
