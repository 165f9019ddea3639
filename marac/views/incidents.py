"""Risk and MARAC state of incidents, for the cases app's incident page and list to load by
URL name (with htmx, one request a page): the highest current risk level of each incident's
victims and their open MARAC referral, London-wide snapshots only (ADR 0009)."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from cases.models import Incident
from publicprotection.access.roles import CASE_READERS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record
from publicprotection.query_params import whole_number

from ..selectors.incidents import STATES_LIMIT, incident_states


class IncidentStatesView(RoleRequiredMixin, TemplateView):
    """Out-of-band swaps, one per incident asked for (`?incident=<id>`, repeated).

    The incidents whose state it shows are logged as a list read, although the page that loads
    it logs them too: anyone may ask for any ids directly. An id out of the viewer's scope, or
    of an incident with no victim, gets the same "Not assessed" as an unassessed one, and is
    not logged (nothing about it is shown)."""

    allowed_roles = CASE_READERS
    template_name = "marac/incidents/states_fragment.html"

    def get_context_data(self, **kwargs):
        ids = [whole_number(i, max_digits=11) for i in self.request.GET.getlist("incident")]
        ids = [i for i in ids if i is not None]
        ids = list(dict.fromkeys(ids))[:STATES_LIMIT]
        states = incident_states(viewer=self.request.user, incident_ids=ids)
        # The log needs their ids only: no query for the incidents themselves.
        access_log_record(request=self.request, objects=[Incident(pk=pk) for pk in states])
        return {
            **super().get_context_data(**kwargs),
            "rows": [(incident_id, states.get(incident_id)) for incident_id in ids],
        }


urlpatterns = [
    path("incidents/states/", IncidentStatesView.as_view(), name="incident-states"),
]
