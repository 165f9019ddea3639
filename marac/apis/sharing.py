"""The partner-facing API: the MARAC cases shared with the caller's agency (coordinators: their
borough's listed cases). Out of scope is a 404; every detail read is logged."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.audit.services import access_log_record

from ..access_log import listing_label, listing_subjects
from ..models import MaracCaseListing
from ..selectors import sharing as selectors
from ..serializers.sharing import SharedCaseDetailOutputSerializer, SharedCaseOutputSerializer

CanReadSharedCases = role_permission(MARAC_COORDINATORS | PARTNERS, "CanReadSharedMaracCases")
TAGS = ["MARAC cases"]


class SharedCaseCursorPagination(CheckedCursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-id",)


class SharedCaseListApi(GenericAPIView):
    serializer_class = SharedCaseOutputSerializer
    pagination_class = SharedCaseCursorPagination
    queryset = MaracCaseListing.objects.none()
    permission_classes = [CanReadSharedCases]

    @extend_schema(
        operation_id="marac_cases_list",
        tags=TAGS,
        responses=SharedCaseOutputSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.cases_shared_with(viewer=request.user))
        access_log_record(request=request, objects=page, subjects=listing_subjects(page))
        return self.get_paginated_response(SharedCaseOutputSerializer(page, many=True).data)


class SharedCaseDetailApi(GenericAPIView):
    serializer_class = SharedCaseDetailOutputSerializer
    queryset = MaracCaseListing.objects.none()
    permission_classes = [CanReadSharedCases]

    @extend_schema(operation_id="marac_cases_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        listing = selectors.shared_case_get(viewer=request.user, listing_id=pk)
        access_log_record(
            request=request,
            obj=listing,
            label=listing_label(listing),
            subjects=listing_subjects([listing]),
        )
        data = SharedCaseDetailOutputSerializer(listing, context={"request": request}).data
        return Response(data)


urlpatterns = [
    path("marac/cases/", SharedCaseListApi.as_view(), name="marac-case-list"),
    path("marac/cases/<int:pk>/", SharedCaseDetailApi.as_view(), name="marac-case-detail"),
]
