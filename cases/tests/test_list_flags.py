"""The incident list's flags for a page (`list_flags`, one SQL query) follow the same rules as
the list's flag filters (the ORM's `repeat_victim_exists` / `repeat_location_exists`) and the
page's decisions: checked on incidents just inside and just outside the window."""

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import ArrestDecision, Incident, PartyRole, ReviewStatus
from cases.selectors.flags import (
    ListFlags,
    list_flags,
    repeat_location_exists,
    repeat_victim_exists,
    window,
)
from cases.services.positive_action import arrest_decision_return
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_party,
    complete_incident,
)

pytestmark = pytest.mark.django_db

PLACE = {"line_1": "1 High Street", "postcode": "SE1 1AA"}
OTHER_PLACE = {"line_1": "9 Low Road", "postcode": "SE5 9ZZ"}


def _at(days_ago: float):
    return timezone.now() - timedelta(days=days_ago)


def _orm_flags(ids: list[int]) -> ListFlags:
    """The same flags by the ORM expressions the list's filters use."""
    incidents = Incident.objects.filter(pk__in=ids)
    decisions = ArrestDecision.objects.filter(incident_id=OuterRef("pk"))
    return ListFlags(
        repeat_victim=set(incidents.filter(repeat_victim_exists()).values_list("pk", flat=True)),
        repeat_location=set(
            incidents.filter(location__isnull=False)
            .filter(repeat_location_exists())
            .values_list("pk", flat=True)
        ),
        outstanding_suspect=set(
            incidents.filter(Exists(decisions.filter(is_outstanding=True))).values_list(
                "pk", flat=True
            )
        ),
        decision_returned=set(
            incidents.filter(
                Exists(decisions.filter(review_status=ReviewStatus.RETURNED))
            ).values_list("pk", flat=True)
        ),
    )


def test_list_flags_match_the_list_filters_inside_and_outside_the_window(lambeth_supervisor):
    days = window().days
    victim, far_victim, suspect_only = PersonFactory(), PersonFactory(), PersonFactory()
    # A victim twice within the window, at the same place: both incidents are repeats.
    first = IncidentFactory(occurred_at=_at(days - 1), location=PLACE)
    add_party(first, PartyRole.VICTIM, person=victim)
    second = IncidentFactory(occurred_at=_at(0.1), location=PLACE)
    add_party(second, PartyRole.VICTIM, person=victim)
    # The same victim and place more than a window before the first: not a repeat of the
    # second, but of the first (within a window of it).
    oldest = IncidentFactory(occurred_at=_at(2 * days - 10), location=OTHER_PLACE)
    add_party(oldest, PartyRole.VICTIM, person=victim)
    # Two incidents of another victim further apart than the window: no flag.
    apart_a = IncidentFactory(occurred_at=_at(days + 40))
    add_party(apart_a, PartyRole.VICTIM, person=far_victim)
    apart_b = IncidentFactory(occurred_at=_at(10), location=OTHER_PLACE)
    add_party(apart_b, PartyRole.VICTIM, person=far_victim)
    # Someone who was a victim once and a suspect once: not a repeat victim.
    as_victim = IncidentFactory(occurred_at=_at(5))
    add_party(as_victim, PartyRole.VICTIM, person=suspect_only)
    as_suspect = IncidentFactory(occurred_at=_at(3))
    add_party(as_suspect, PartyRole.VICTIM)
    add_party(as_suspect, PartyRole.SUSPECT, person=suspect_only)
    # Decisions: one not arrested and outstanding (suspect not present), one returned.
    outstanding, _, _ = complete_incident()
    returned, _, suspect = complete_incident()
    arrest_decision_return(
        actor=lambeth_supervisor,
        decision_id=suspect.arrest_decision.pk,
        required_action="Take a statement from the neighbour.",
    )
    ids = [
        i.pk for i in (first, second, oldest, apart_a, apart_b, as_victim, as_suspect, outstanding)
    ] + [returned.pk]

    flags = list_flags(ids)

    assert flags == _orm_flags(ids)
    assert flags.repeat_victim == {first.pk, second.pk, oldest.pk}
    assert flags.repeat_location == {first.pk, second.pk}
    assert outstanding.pk in flags.outstanding_suspect
    assert flags.decision_returned == {returned.pk}


def test_no_incidents_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list_flags([]) == ListFlags()
