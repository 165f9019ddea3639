"""Model predicates that drive both the services' guards and what the templates show."""

import pytest

from cases.models import Incident, IncidentStatus


@pytest.mark.parametrize(
    ("status", "can_submit", "can_close", "can_edit"),
    [
        (IncidentStatus.DRAFT, True, False, True),
        (IncidentStatus.OPEN, False, True, True),
        (IncidentStatus.CLOSED, False, False, False),
    ],
)
def test_what_an_incident_allows_in_each_status(status, can_submit, can_close, can_edit):
    incident = Incident(status=status)
    assert incident.can_submit() is can_submit
    assert incident.can_close() is can_close
    assert incident.can_edit() is can_edit
