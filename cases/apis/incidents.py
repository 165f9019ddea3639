"""API views for case records: one view per operation, on the same selectors as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import get_visible_or_404
from publicprotection.access.views import role_permission
from publicprotection.audit.services import access_log_record

from ..selectors import incidents as selectors
from ..serializers.incidents import IncidentOutputSerializer

CanReadCases = role_permission(CASE_READERS, "CanReadCases")


class IncidentListApi(GenericAPIView):
    permission_classes = [CanReadCases]
    serializer_class = IncidentOutputSerializer

    @extend_schema(
        operation_id="incidents_list",
        parameters=[
            OpenApiParameter("status", str, description="draft, open or closed"),
            OpenApiParameter("reference", str, description="Exact incident reference"),
        ],
    )
    def get(self, request):
        filters = selectors.IncidentFilters(
            status=request.query_params.get("status", ""),
            q=request.query_params.get("reference", ""),
        )
        queryset = selectors.incident_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class IncidentDetailApi(GenericAPIView):
    permission_classes = [CanReadCases]
    serializer_class = IncidentOutputSerializer

    @extend_schema(operation_id="incidents_retrieve")
    def get(self, request, pk: int):
        incident = get_visible_or_404(
            selectors.incidents_visible_to(viewer=request.user).select_related(
                "borough", "officer_in_charge"
            ),
            pk=pk,
        )
        access_log_record(request=request, obj=incident, label=incident.reference)
        return Response(self.get_serializer(incident).data)


from django.urls import path  # noqa: E402

urlpatterns = [
    path("incidents/", IncidentListApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", IncidentDetailApi.as_view(), name="incident-detail"),
]
