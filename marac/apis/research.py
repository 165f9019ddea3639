"""Partner research on a shared MARAC case: each invited agency records what it holds, fact
apart from opinion, and what it withholds and why (marac.services.research).

GET: a partner reads its own agency's research on the case; a coordinator every agency's.
POST (partners): create or replace the agency's research; 201 when new, 200 when replaced.
A case not shared with the caller is a 404; every read is logged.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.views import role_permission
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record

from ..access_log import listing_label, listing_subjects
from ..models import CaseResearch
from ..selectors import sharing as selectors
from ..serializers.research import ResearchInputSerializer, ResearchOutputSerializer
from ..services import research as services

CanReadResearch = role_permission(MARAC_COORDINATORS | PARTNERS, "CanReadMaracResearch")
CanRecordResearch = role_permission(PARTNERS, "CanRecordMaracResearch")
TAGS = ["MARAC cases"]


class CaseResearchApi(GenericAPIView):
    serializer_class = ResearchOutputSerializer
    queryset = CaseResearch.objects.none()
    pagination_class = None  # one record per invited agency at most

    def get_permissions(self):
        return [CanRecordResearch()] if self.request.method == "POST" else [CanReadResearch()]

    @extend_schema(
        operation_id="marac_cases_research_list",
        tags=TAGS,
        responses=ResearchOutputSerializer(many=True),
    )
    def get(self, request, pk: int):
        listing = selectors.shared_case_get(viewer=request.user, listing_id=pk)
        research = CaseResearch.objects.filter(listing=listing).select_related(
            "agency", "recorded_by"
        )
        if has_role(request.user, PARTNERS):
            # Partners read only their own agency's research.
            research = research.filter(agency_id=request.user.agency_id)
        access_log_record(
            request=request,
            obj=listing,
            label=f"{listing_label(listing)} research",
            subjects=listing_subjects([listing]),
        )
        data = ResearchOutputSerializer(research.order_by("agency__name", "id"), many=True).data
        return Response(data)

    @extend_schema(
        operation_id="marac_cases_research_save",
        description=(
            "Create or replace the caller's agency's research. Something must be recorded; "
            "withheld needs withheld_reason."
        ),
        tags=TAGS,
        request=ResearchInputSerializer,
        responses={200: ResearchOutputSerializer, 201: ResearchOutputSerializer},
    )
    def post(self, request, pk: int):
        listing = selectors.shared_case_get(viewer=request.user, listing_id=pk)
        serializer = ResearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existed = CaseResearch.objects.filter(
            listing=listing, agency_id=request.user.agency_id
        ).exists()
        data = dict(serializer.validated_data)
        version = requested_version(request, data.pop("version", None))
        research = services.research_save(
            actor=request.user, listing=listing, expected_version=version, **data
        )
        return Response(
            ResearchOutputSerializer(research).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


urlpatterns = [
    path(
        "marac/cases/<int:pk>/research/",
        CaseResearchApi.as_view(),
        name="marac-case-research",
    ),
]
