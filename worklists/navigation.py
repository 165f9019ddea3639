"""The number of things waiting for the viewer, shown on Home in the navigation of every page
(the wiring's publicprotection.navigation attaches it), and the borough a London-wide
coordinator chose for their home.

The number is computed only when a page shows the navigation (the template calls it), once
per request, in one query (worklists.selectors.count_all).
"""

from __future__ import annotations

from .selectors import WorkList, chooses_borough, waiting_count, waiting_label, work_lists

# A London-wide coordinator's chosen borough for their home (its id), kept in the session.
HOME_BOROUGH_SESSION_KEY = "pp_home_borough"


def home_borough_id(request) -> int | None:
    """The borough a London-wide coordinator chose for their home, or None (all of London).
    For anyone else None: their scope is already their borough, or they have no choice."""
    value = request.session.get(HOME_BOROUGH_SESSION_KEY)
    if value is None or not chooses_borough(request.user):
        return None
    return int(value)


def request_work_lists(request) -> list[WorkList]:
    """The viewer's work lists, built once per request (the home page and the navigation
    share them, and so their counts)."""
    cached = getattr(request, "_pp_work_lists", None)
    if cached is None:
        cached = work_lists(
            viewer=request.user, borough_id=home_borough_id(request), request=request
        )
        request._pp_work_lists = cached
    return cached


class WaitingCount:
    """Called by the template (Django calls callables), so pages without the navigation and
    htmx fragments never run the count."""

    def __init__(self, request):
        self.request = request
        self.value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            self.value = waiting_label(waiting_count(request_work_lists(self.request)))
        return self.value
