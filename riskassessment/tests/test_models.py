"""Model predicates that drive both the services' guards and what the templates show."""

import pytest

from riskassessment.models import RaraAction, RaraStatus


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (RaraStatus.PLANNED, True),
        (RaraStatus.IN_PROGRESS, True),
        *((status, False) for status in RaraStatus if status not in ("planned", "in_progress")),
    ],
)
def test_an_action_is_open_while_planned_or_in_progress(status, is_open):
    assert RaraAction(status=status).is_open is is_open
