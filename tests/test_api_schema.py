"""The API does what its schema says (docs/adr/0012).

Schemathesis runs every operation of the drf-spectacular schema with a bounded number of
generated requests, each sent twice: as a Lambeth officer and as a Lambeth MARAC coordinator,
with API tokens. A request fails the test when the answer is a server error, or when its status
code, content type or body is not what the schema documents for that operation.

Half the generated requests name records that exist (the seeded incident, person, decision,
assessment...), so the answers are not only 404s.
"""

from __future__ import annotations

import json
import zlib

import pytest

# A dev dependency in uv.lock: a virtualenv made before it was added skips this module until
# `uv sync` (CI and `make test` build theirs from the lock).
schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.tests.factories import complete_incident  # noqa: E402
from publicprotection.accounts.models import Role  # noqa: E402
from publicprotection.accounts.services import api_token_create  # noqa: E402
from publicprotection.accounts.tests.factories import UserFactory, team  # noqa: E402
from publicprotection.api.throttling import SharedUserRateThrottle  # noqa: E402
from riskassessment.tests.factories import start_assessment  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded so the run stays short: 67 operations, two calls per example.
MAX_EXAMPLES = 4


def api_schema():
    """The schema as /api/schema/ serves it, answered by the project's WSGI application."""
    raw = json.loads(json.dumps(SchemaGenerator().get_schema(public=True), default=str))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


schema = api_schema()


@pytest.fixture
def wsgi_in_test_transaction():
    """The requests go through the WSGI handler inside the test's transaction: like Django's
    test client, keep the handler from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, monkeypatch, wsgi_in_test_transaction):
    """Two callers with tokens, and one record of each kind in their borough."""
    # Hundreds of requests a minute from the same two users: the rate limit is not under test.
    monkeypatch.setattr(SharedUserRateThrottle, "allow_request", lambda self, request, view: True)
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    coordinator = UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM"))
    incident, victim, suspect = complete_incident(actor=officer)
    assessment = start_assessment(victim=victim, actor=officer)
    ids = {
        "/api/v1/incidents/": incident.pk,
        "/api/v1/persons/": victim.person_id,
        "/api/v1/arrest-decisions/": suspect.arrest_decision.pk,
        "/api/v1/risk-assessments/": assessment.pk,
    }
    tokens = [
        api_token_create(user=user, name="schema test", session_verified=True)[1]
        for user in (officer, coordinator)
    ]
    return tokens, ids


def with_known_id(case, ids) -> None:
    """Every other request names a record that exists, chosen by the request's own content so
    a failure replays the same way."""
    if "id" not in (case.path_parameters or {}):
        return
    if zlib.crc32(repr((case.body, case.query)).encode()) % 2:
        return
    for prefix, pk in ids.items():
        if case.path.startswith(prefix):
            case.path_parameters["id"] = pk


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, seeded):
    tokens, ids = seeded
    with_known_id(case, ids)
    for token in tokens:
        response = case.call(headers={"Authorization": f"Token {token}"})
        case.validate_response(response, checks=CHECKS)
