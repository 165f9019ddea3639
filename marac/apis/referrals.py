"""MARAC referral API, on the same selectors and services as the pages.

A wrong role is a 403; a referral or assessment out of scope is a 404 like a missing one (for
the assessment named in a new referral, a 400 on that field); field errors are a 400; a
transition the referral's status does not allow is a 409.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import has_role
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.audit.services import access_log_record

from ..access_log import referral_label, referral_subjects
from ..models import MaracReferral
from ..selectors import meetings as meeting_selectors
from ..selectors import referrals as selectors
from ..serializers.referrals import (
    ReferralCreateInputSerializer,
    ReferralDetailOutputSerializer,
    ReferralFilterSerializer,
    ReferralListAtInputSerializer,
    ReferralOutputSerializer,
    ReferralRejectInputSerializer,
)
from ..services import meetings as meeting_services
from ..services import referrals as services

CanReadReferrals = role_permission(selectors.REFERRAL_READERS, "CanReadReferrals")
CanCreateReferrals = role_permission(selectors.REFERRAL_CREATORS, "CanCreateReferrals")

TAGS = ["MARAC referrals"]


class ReferralCursorPagination(CheckedCursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


def _detail(request, referral_id: int, status_code=status.HTTP_200_OK) -> Response:
    referral = selectors.referral_get(viewer=request.user, referral_id=referral_id)
    return Response(ReferralDetailOutputSerializer(referral).data, status=status_code)


class ReferralListCreateApi(GenericAPIView):
    """GET lists referrals (coordinators); POST refers an assessed victim (officers,
    supervisors and coordinators)."""

    serializer_class = ReferralOutputSerializer
    pagination_class = ReferralCursorPagination
    queryset = MaracReferral.objects.none()

    def get_permissions(self):
        return [CanCreateReferrals()] if self.request.method == "POST" else [CanReadReferrals()]

    @extend_schema(
        operation_id="marac_referrals_list",
        tags=TAGS,
        parameters=[ReferralFilterSerializer],
        responses=ReferralOutputSerializer(many=True),
    )
    def get(self, request):
        params = ReferralFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        queryset = selectors.referral_list(
            viewer=request.user, status=params.validated_data.get("status", "")
        )
        page = self.paginate_queryset(queryset)
        access_log_record(request=request, objects=page, subjects=referral_subjects(page))
        return self.get_paginated_response(ReferralOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="marac_referrals_create",
        description=(
            "Refer the victim of an assessment. Criteria the records show are added and kept; "
            "repeat is refused unless the records show it. Without the victim's consent, "
            "no_consent_reason is required. perpetrators: ids of people recorded as suspects "
            "in the victim's incidents that the caller may see (others are refused with a "
            "400); perpetrator_note describes one not on record; one or both. 409 if the "
            "assessment already has an open referral (two identical requests at once: one "
            "wins, the other gets 409)."
        ),
        tags=TAGS,
        request=ReferralCreateInputSerializer,
        responses={201: ReferralDetailOutputSerializer},
    )
    def post(self, request):
        serializer = ReferralCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            assessment = selectors.referable_assessment_get(
                viewer=request.user, assessment_id=data.pop("assessment")
            )
        except Http404 as exc:
            raise exceptions.ValidationError({"assessment": ["Unknown assessment"]}) from exc
        referral = services.referral_create(actor=request.user, assessment=assessment, **data)
        if not has_role(request.user, selectors.REFERRAL_READERS):
            return Response(
                {"id": referral.pk, "reference": referral.reference, "status": referral.status},
                status=status.HTTP_201_CREATED,
            )
        return _detail(request, referral.pk, status.HTTP_201_CREATED)


class ReferralDetailApi(GenericAPIView):
    serializer_class = ReferralDetailOutputSerializer
    queryset = MaracReferral.objects.none()
    permission_classes = [CanReadReferrals]

    @extend_schema(operation_id="marac_referrals_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        access_log_record(
            request=request,
            obj=referral,
            label=referral_label(referral),
            subjects=referral_subjects([referral]),
        )
        return Response(self.get_serializer(referral).data)


class ReferralAcceptApi(GenericAPIView):
    serializer_class = ReferralDetailOutputSerializer
    queryset = MaracReferral.objects.none()
    permission_classes = [CanReadReferrals]

    @extend_schema(operation_id="marac_referrals_accept", tags=TAGS, request=None)
    def post(self, request, pk: int):
        referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        services.referral_accept(actor=request.user, referral_id=referral.pk)
        return _detail(request, pk)


class ReferralRejectApi(GenericAPIView):
    serializer_class = ReferralDetailOutputSerializer
    queryset = MaracReferral.objects.none()
    permission_classes = [CanReadReferrals]

    @extend_schema(
        operation_id="marac_referrals_reject", tags=TAGS, request=ReferralRejectInputSerializer
    )
    def post(self, request, pk: int):
        referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        serializer = ReferralRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.referral_reject(
            actor=request.user,
            referral_id=referral.pk,
            reason=serializer.validated_data["reason"],
        )
        return _detail(request, pk)


class ReferralListAtApi(GenericAPIView):
    serializer_class = ReferralDetailOutputSerializer
    queryset = MaracReferral.objects.none()
    permission_classes = [CanReadReferrals]

    @extend_schema(
        operation_id="marac_referrals_list_at_meeting",
        description=(
            "List the referral at a meeting of its borough; 400 when the meeting is full, or "
            "when twelve_month_review is asked of a referral that is not a repeat."
        ),
        tags=TAGS,
        request=ReferralListAtInputSerializer,
    )
    def post(self, request, pk: int):
        referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        serializer = ReferralListAtInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = (
            meeting_selectors.meetings_visible_to(viewer=request.user)
            .filter(pk=serializer.validated_data["meeting"])
            .first()
        )
        if meeting is None:
            raise exceptions.ValidationError({"meeting": ["Unknown meeting"]})
        meeting_services.referral_list_at_meeting(
            actor=request.user,
            referral_id=referral.pk,
            meeting_id=meeting.pk,
            twelve_month_review=serializer.validated_data["twelve_month_review"],
        )
        return _detail(request, pk)


urlpatterns = [
    path("marac/referrals/", ReferralListCreateApi.as_view(), name="marac-referral-list"),
    path("marac/referrals/<int:pk>/", ReferralDetailApi.as_view(), name="marac-referral-detail"),
    path(
        "marac/referrals/<int:pk>/accept/",
        ReferralAcceptApi.as_view(),
        name="marac-referral-accept",
    ),
    path(
        "marac/referrals/<int:pk>/reject/",
        ReferralRejectApi.as_view(),
        name="marac-referral-reject",
    ),
    path(
        "marac/referrals/<int:pk>/list-at-meeting/",
        ReferralListAtApi.as_view(),
        name="marac-referral-list-at",
    ),
]
