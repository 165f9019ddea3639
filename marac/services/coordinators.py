"""Who may run a MARAC: its coordinators, each within their borough's team (the central team's
anywhere). The pages and the API check the role and reach the record through the viewer's scope
first (another borough's is a 404); the services hold the rule for every caller."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from publicprotection.access.roles import MARAC_COORDINATORS, has_role
from publicprotection.access.scope import viewer_borough_id


def require_coordinator_for(actor, *, borough_id: int | None, noun: str = "case") -> None:
    """`actor` coordinates the MARAC of `borough_id` (a central coordinator: every borough)."""
    if not has_role(actor, MARAC_COORDINATORS):
        raise PermissionDenied("Only a MARAC coordinator can do this.")
    own = viewer_borough_id(actor)
    if own is not None and own != borough_id:
        raise PermissionDenied(f"This {noun} belongs to another borough's MARAC.")
