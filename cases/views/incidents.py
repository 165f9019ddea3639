"""HTML views for case records: thin, on the selectors and services."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record

from ..models import IncidentStatus
from ..selectors import incidents as selectors


class IncidentListView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/incidents/list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filters = selectors.IncidentFilters(
            status=params.get("status", ""), q=params.get("reference", "")
        )
        incidents = selectors.incident_list(viewer=self.request.user, filters=filters)
        page = Paginator(incidents, self.paginate_by).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "incidents": page.object_list,
            "filters": filters,
            "status_choices": IncidentStatus.choices,
            "query_string_without_page": f"{query.urlencode()}&" if query else "",
        }


class IncidentDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/incidents/detail.html"

    def get_context_data(self, **kwargs):
        incident = selectors.incident_get(viewer=self.request.user, reference=kwargs["reference"])
        access_log_record(request=self.request, obj=incident, label=incident.reference)
        return {**super().get_context_data(**kwargs), "incident": incident}


from django.urls import path  # noqa: E402

urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incident-list"),
    path("incidents/<path:reference>/", IncidentDetailView.as_view(), name="incident-detail"),
]
