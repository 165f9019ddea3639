"""An incident's risk and MARAC state, for the incident pages and lists of the cases app.

cases never imports the apps above it, so its pages load this by URL name
(`marac:incident-states`, with htmx; a link without JavaScript). The facts are the
London-wide snapshots of ADR 0009: each victim's current level (riskassessment's
`current_risks`) and open MARAC referral (`open_referrals`), never an assessment or a referral.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import Party, PartyRole
from cases.selectors.incidents import incidents_visible_to
from riskassessment.models import LEVEL_RANK, Level
from riskassessment.selectors.assessments import current_risks

from .referrals import OpenReferral, open_referrals

# One page of a list at most: a longer request is cut to this many incidents.
STATES_LIMIT = 50


@dataclass(frozen=True)
class IncidentState:
    """The highest current risk of the incident's victims and their open MARAC referral."""

    incident_id: int
    level: str  # "" when no victim has a level
    # The level is a newer submitted assessment still awaiting a supervisor's confirmation.
    awaiting_confirmation: bool
    referral: OpenReferral | None

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""


def incident_states(*, viewer, incident_ids: Iterable[int]) -> dict[int, IncidentState]:
    """Each visible incident's state, by incident id; out of scope ones are left out.
    Four queries whatever the number of incidents (up to STATES_LIMIT)."""
    ids = list(dict.fromkeys(incident_ids))[:STATES_LIMIT]
    victims = (
        Party.objects.filter(
            incident_id__in=incidents_visible_to(viewer=viewer).filter(pk__in=ids).values("pk"),
            role=PartyRole.VICTIM,
        )
        .values_list("incident_id", "person_id")
        .order_by("incident_id", "id")
    )
    people_of: dict[int, list[int]] = defaultdict(list)
    visible: list[int] = []
    for incident_id, person_id in victims:
        people_of[incident_id].append(person_id)
        if incident_id not in visible:
            visible.append(incident_id)
    person_ids = {p for people in people_of.values() for p in people}
    risks = current_risks(viewer=viewer, person_ids=person_ids)
    referrals = open_referrals(viewer=viewer, person_ids=person_ids)
    states = {}
    for incident_id in visible:
        level, pending, referral = "", False, None
        for person_id in people_of[incident_id]:
            risk = risks.get(person_id)
            if risk is not None:
                # The confirmed level, or a newer one awaiting confirmation if it is higher.
                for snapshot, waiting in ((risk.confirmed, False), (risk.pending, True)):
                    if snapshot and (not level or LEVEL_RANK[snapshot.level] > LEVEL_RANK[level]):
                        level, pending = snapshot.level, waiting
            referral = referral or referrals.get(person_id)
        states[incident_id] = IncidentState(
            incident_id=incident_id,
            level=level,
            awaiting_confirmation=pending,
            referral=referral,
        )
    return states
