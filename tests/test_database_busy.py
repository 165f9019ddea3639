"""The database refusing a save for now (a deadlock, a serialization failure, a statement or lock
timeout) while the user saves a form: the form comes back with everything typed and a message to
save again (503, Retry-After), nothing is saved, and saving again works. Not the 503 page, which
would lose a long form.

The refusals are PostgreSQL's own: the statement timeout is a real one (the save's statement is
made to wait past a 1 ms `statement_timeout`); the others are raised by the server with their
SQLSTATE just before the save's statement, as a lost deadlock or serialization check would be.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident, IncidentStatus
from cases.tests.factories import IncidentFactory, complete_incident, incident_details_form
from riskassessment.models import AssessmentStatus
from riskassessment.tests.factories import add_action, answer, start_assessment

pytestmark = pytest.mark.django_db

REFUSALS = {
    "statement timeout": ["SET LOCAL statement_timeout = 1", "SELECT pg_sleep(0.2)"],
    "deadlock": ["DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$"],
    "serialization failure": [
        "DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$"
    ],
    "lock timeout": [
        "DO $$ BEGIN RAISE EXCEPTION 'lock not available' USING ERRCODE = '55P03'; END $$"
    ],
}


@contextmanager
def refused_once(statement_prefix: str, refusal: str | list[str], *, with_param=None):
    """The first statement starting with `statement_prefix` (and given `with_param`, if named)
    is refused by PostgreSQL: `refusal` names one of REFUSALS, or gives the statements that
    make it."""
    statements = REFUSALS[refusal] if isinstance(refusal, str) else refusal
    refused = []

    def wrapper(execute, sql, params, many, context):
        if (
            not refused
            and sql.startswith(statement_prefix)
            and (with_param is None or with_param in (params or ()))
        ):
            refused.append(sql)
            for statement in statements:
                execute(statement, None, False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused
    assert refused, f"no statement started with {statement_prefix!r}"


def evidence_form(incident, **overrides):
    return {
        "version": incident.version,
        "victim_account": "She said he grabbed her by the throat.",
        "officer_narrative": "A long narrative typed at the scene over forty minutes.",
        "evidence_types": ["bwv"],
        "victim_supports_prosecution": "",
        **overrides,
    }


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_section_save_shows_the_form_again_with_what_was_typed(
    client, lambeth_officer, refusal
):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    url = reverse("cases:incident-edit-evidence", args=[incident.reference])
    client.force_login(lambeth_officer)

    with refused_once('UPDATE "cases_incident"', refusal):
        response = client.post(url, evidence_form(incident))

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "nothing has been saved" in response.text
    assert "A long narrative typed at the scene over forty minutes." in response.text
    assert "grabbed her by the throat" in response.text
    incident.refresh_from_db()
    assert incident.version == 1 and incident.victim_account == ""

    again = client.post(url, evidence_form(incident))

    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.officer_narrative.startswith("A long narrative") and incident.version == 2


def test_a_refused_create_form_keeps_what_was_typed_and_its_token_saves_once(
    client, lambeth_officer
):
    form = incident_details_form(_once="a-token-from-the-rendered-form", cad_reference="CAD 4321")
    client.force_login(lambeth_officer)

    with refused_once('INSERT INTO "cases_incident"', "deadlock"):
        response = client.post(reverse("cases:incident-create"), form)

    assert response.status_code == 503
    assert "nothing has been saved" in response.text and "CAD 4321" in response.text
    assert not Incident.objects.exists()

    # The same form sent again (its one-time token was not spent by the refused save).
    again = client.post(reverse("cases:incident-create"), form)
    twice = client.post(reverse("cases:incident-create"), form)

    incident = Incident.objects.get()
    assert again.status_code == 302 and twice.status_code == 302
    assert incident.cad_reference == "CAD 4321"


def test_a_refused_button_says_so_on_its_page_and_changes_nothing(client, lambeth_officer):
    incident, _, _ = complete_incident(
        actor=lambeth_officer, decision="arrested", status=IncidentStatus.DRAFT
    )
    url = reverse("cases:incident-submit", args=[incident.reference])
    client.force_login(lambeth_officer)

    with refused_once('UPDATE "cases_incident"', "statement timeout"):
        response = client.post(url, {"version": incident.version}, follow=True)

    assert response.status_code == 200
    assert "too busy to do this just now, so nothing has changed" in response.text
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT

    client.post(url, {"version": incident.version})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_a_database_that_is_down_is_still_the_503_page(client, lambeth_officer):
    """Not every OperationalError is worth showing the form for: one without a retryable
    SQLSTATE (the server gone) goes on to the 503 page."""
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    url = reverse("cases:incident-edit-evidence", args=[incident.reference])
    client.force_login(lambeth_officer)
    client.raise_request_exception = False
    gone = ["DO $$ BEGIN RAISE EXCEPTION 'shutting down' USING ERRCODE = '57P01'; END $$"]

    with refused_once('UPDATE "cases_incident"', gone):
        response = client.post(url, evidence_form(incident))

    assert response.status_code == 503
    assert "cannot reach its database" in response.text


def test_a_refused_assessment_submission_keeps_the_saved_draft_and_says_to_submit_again(
    client, lambeth_officer
):
    assessment = answer(start_assessment(actor=lambeth_officer), yes=["strangulation"])
    add_action(assessment)
    url = reverse("riskassessment:assessment-detail", args=[assessment.pk])
    form = {"version": assessment.version, "submit": "1"}
    for a in assessment.answers.select_related("question"):
        form[f"answer_{a.question.code}"] = a.value
        form[f"note_{a.question.code}"] = a.note
    form.update(
        final_level="high",
        marac_decision="refer",
        note_stalking="Follows her home from work most days",
    )
    client.force_login(lambeth_officer)

    with refused_once(
        'UPDATE "riskassessment_riskassessment"',
        "deadlock",
        with_param=AssessmentStatus.AWAITING_REVIEW,
    ):
        response = client.post(url, form)

    assert response.status_code == 503
    assert "saved as a draft" in response.text and "Submit it again" in response.text
    assert "Follows her home from work most days" in response.text
    assessment.refresh_from_db()
    assert assessment.is_draft
    assert assessment.answers.get(question__code="stalking").note.startswith("Follows her home")

    shown = re.search(r'name="version" value="(\d+)"', response.text).group(1)
    again = client.post(url, {**form, "version": shown})

    assert again.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AWAITING_REVIEW


# Refused outside a form's save: while a page or an API call loads its record. The database is
# up and busy, so the answer says so (try again), not that it cannot be reached.
INCIDENT_LOAD = 'SELECT "cases_incident"."id"'


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_page_refused_while_loading_says_the_system_is_busy_not_down(
    client, lambeth_officer, refusal
):
    incident = IncidentFactory(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    client.raise_request_exception = False

    with refused_once(INCIDENT_LOAD, refusal):
        response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "busy" in response.text and "not down" in response.text
    assert "cannot reach its database" not in response.text
    assert 'class="govuk-template' in response.text  # the styled standalone page


def test_a_page_whose_database_is_gone_while_loading_still_says_it_cannot_reach_it(
    client, lambeth_officer
):
    incident = IncidentFactory(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    client.raise_request_exception = False
    gone = ["DO $$ BEGIN RAISE EXCEPTION 'shutting down' USING ERRCODE = '57P01'; END $$"]

    with refused_once(INCIDENT_LOAD, gone):
        response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "cannot reach its database" in response.text
    assert "busy" not in response.text


def assert_database_busy_problem(response):
    assert response.status_code == 503, response.content[:500]
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["type"] == "server_error"
    [error] = body["errors"]
    assert error["code"] == "database_busy" and error["attr"] is None
    assert "nothing has been saved" in error["detail"] and "again" in error["detail"]
    assert "deadlock" not in response.text and "serialize" not in response.text


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_an_api_read_refused_by_a_busy_database_is_a_503_problem_to_retry(
    api_client, lambeth_officer, refusal
):
    incident = IncidentFactory(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    api_client.raise_request_exception = False  # still reported, as on a page

    with refused_once(INCIDENT_LOAD, refusal):
        response = api_client.get(reverse("api:incident-detail", args=[incident.pk]))

    assert_database_busy_problem(response)


def api_incident(**overrides):
    now = timezone.now()
    return {
        "borough": "LAM",
        "occurred_at": (now - timedelta(hours=3)).isoformat(),
        "reported_at": (now - timedelta(hours=2)).isoformat(),
        "how_reported": "999",
        "abuse_types": ["physical"],
        "cad_reference": "CAD 8765",
        **overrides,
    }


def test_an_api_save_refused_by_a_busy_database_saves_nothing_and_a_retry_saves_once(
    api_client, lambeth_officer
):
    api_client.force_login(lambeth_officer)  # a session: the key is this user's
    api_client.raise_request_exception = False
    url = reverse("api:incident-list")
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-after-a-deadlock"}
    body = api_incident()

    with refused_once('INSERT INTO "cases_incident"', "deadlock"):
        response = api_client.post(url, body, format="json", **key)

    assert_database_busy_problem(response)
    assert not Incident.objects.exists()

    # The same request again, as the answer says: the key was not spent on the refusal.
    again = api_client.post(url, body, format="json", **key)
    replayed = api_client.post(url, body, format="json", **key)

    assert again.status_code == 201, again.content[:500]
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert Incident.objects.get().cad_reference == "CAD 8765"


def test_an_api_post_refused_while_loading_frees_its_key_for_the_retry(api_client, lambeth_officer):
    """Refused before the service, outside any savepoint of its own: the request's transaction
    (the one its Idempotency-Key is claimed in) is rolled back as a whole, so the answer is
    still the 503 problem, not a 500, and the retry runs."""
    incident, _, _ = complete_incident(
        actor=lambeth_officer, decision="arrested", status=IncidentStatus.DRAFT
    )
    api_client.force_login(lambeth_officer)  # a session: the key is this user's
    api_client.raise_request_exception = False
    url = reverse("api:incident-submit", args=[incident.pk])
    key = {"HTTP_IDEMPOTENCY_KEY": "submit-after-a-lock-timeout"}

    with refused_once(INCIDENT_LOAD, "lock timeout"):
        response = api_client.post(url, {"version": incident.version}, format="json", **key)

    assert_database_busy_problem(response)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT

    again = api_client.post(url, {"version": incident.version}, format="json", **key)

    assert again.status_code == 200, again.content[:500]
    assert "Idempotent-Replayed" not in again
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_an_api_call_refused_before_its_view_runs_is_the_same_503_problem(client, lambeth_officer):
    """Refused in a middleware (the session's read), outside DRF: the handler for uncaught
    errors answers /api/ paths in the API's shape too."""
    client.force_login(lambeth_officer)
    client.raise_request_exception = False

    with refused_once('SELECT "django_session"', "serialization failure"):
        response = client.get(reverse("api:incident-list"))

    assert_database_busy_problem(response)
