"""Risk assessment API: one view per operation, on the same selectors and services as the pages.

Out of scope is a 404 like a missing record; bad input and a service's field errors are a 400;
a stale version, or a step the assessment's state does not allow, is a 409; a supervisor who
may not review this grading (their own assessment) is a 403."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from cases.models import Party
from cases.selectors.incidents import incidents_visible_to
from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, SUPERVISORS
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record
from publicprotection.errors import StateError

from ..access_log import assessment_label, assessment_subjects
from ..models import Instrument, RiskAssessment
from ..selectors import assessments as selectors
from ..serializers.assessments import (
    RiskAssessmentCreateInputSerializer,
    RiskAssessmentDetailOutputSerializer,
    RiskAssessmentFilterSerializer,
    RiskAssessmentOutputSerializer,
    RiskAssessmentReviewInputSerializer,
    RiskAssessmentSubmitInputSerializer,
    RiskAssessmentUpdateInputSerializer,
)
from ..services import assessments as services

CanReadCases = role_permission(CASE_READERS, "CanReadCases")
CanWriteCases = role_permission(CASE_WRITERS, "CanWriteCases")
IsSupervisor = role_permission(SUPERVISORS, "IsSupervisor")

TAGS = ["risk assessments"]


class RiskAssessmentCursorPagination(CheckedCursorPagination):
    """No count(*) and no deep offsets."""

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


def _detail(request, assessment_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    assessment = services.assessment_with_current_escalation(
        selectors.assessment_get(viewer=request.user, assessment_id=assessment_id)
    )
    return Response(RiskAssessmentDetailOutputSerializer(assessment).data, status=status_code)


def _visible(request, pk: int) -> RiskAssessment:
    return selectors.assessment_get(viewer=request.user, assessment_id=pk)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _require_editable(assessment: RiskAssessment) -> None:
    if not assessment.can_edit():
        raise StateError(
            "This assessment has been submitted (or superseded) and cannot be changed."
        )


def _visible_victim(request, party_id: int) -> Party:
    party = (
        Party.objects.filter(pk=party_id, incident__in=incidents_visible_to(viewer=request.user))
        .select_related("incident")
        .first()
    )
    if party is None:
        raise exceptions.ValidationError({"victim": ["Unknown victim."]})
    if not party.is_victim:
        raise exceptions.ValidationError({"victim": ["Risk assessments are for victims."]})
    return party


def _active_instrument(code: str) -> Instrument | None:
    if not code:
        return None
    instrument = selectors.active_instrument(code=code)
    if instrument is None:
        raise exceptions.ValidationError({"instrument": ["Unknown instrument."]})
    return instrument


class RiskAssessmentListCreateApi(GenericAPIView):
    """GET lists assessments (case readers); POST starts one (officers and supervisors)."""

    serializer_class = RiskAssessmentOutputSerializer
    pagination_class = RiskAssessmentCursorPagination
    queryset = RiskAssessment.objects.none()  # for the schema; reads go through the selectors

    def get_permissions(self):
        return [CanWriteCases()] if self.request.method == "POST" else [CanReadCases()]

    @extend_schema(
        operation_id="risk_assessments_list",
        description="Risk assessments the caller may see, newest first.",
        tags=TAGS,
        parameters=[RiskAssessmentFilterSerializer],
        responses=RiskAssessmentOutputSerializer(many=True),
    )
    def get(self, request):
        params = RiskAssessmentFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            selectors.assessment_list(viewer=request.user, filters=params.validated_data)
        )
        access_log_record(request=request, objects=page, subjects=assessment_subjects(page))
        return self.get_paginated_response(RiskAssessmentOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="risk_assessments_create",
        description=(
            "Start the victim's assessment (201), or open their draft if one is in progress "
            "(200). If their current assessment has been submitted this is a reassessment, "
            "which needs a reassessment_reason."
        ),
        tags=TAGS,
        request=RiskAssessmentCreateInputSerializer,
        responses={
            201: RiskAssessmentDetailOutputSerializer,
            200: OpenApiResponse(
                RiskAssessmentDetailOutputSerializer, description="The victim's existing draft."
            ),
        },
    )
    def post(self, request):
        data = _validated(RiskAssessmentCreateInputSerializer, request)
        victim = _visible_victim(request, data["victim"])
        instrument = _active_instrument(data["instrument"])
        started = timezone.now()
        assessment = services.assessment_start(
            actor=request.user,
            victim=victim,
            instrument=instrument,
            reassessment_reason=data["reassessment_reason"],
        )
        created = assessment.created_at >= started
        return _detail(
            request, assessment.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RiskAssessmentDetailApi(GenericAPIView):
    serializer_class = RiskAssessmentDetailOutputSerializer

    def get_permissions(self):
        reading = self.request.method in ("GET", "HEAD", "OPTIONS")
        return [CanReadCases()] if reading else [CanWriteCases()]

    @extend_schema(operation_id="risk_assessments_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        assessment = _visible(request, pk)
        access_log_record(
            request=request,
            obj=assessment,
            label=assessment_label(assessment),
            subjects=assessment_subjects([assessment]),
        )
        return Response(self.get_serializer(assessment).data)

    @extend_schema(
        operation_id="risk_assessments_partial_update",
        description=(
            "Save a draft: answers by question code, and the officer's choices. Only the "
            "fields sent change. The recommendation is recalculated."
        ),
        tags=TAGS,
        request=RiskAssessmentUpdateInputSerializer,
        responses={200: RiskAssessmentDetailOutputSerializer},
    )
    def patch(self, request, pk: int):
        assessment = _visible(request, pk)
        data = _validated(RiskAssessmentUpdateInputSerializer, request)
        _require_editable(assessment)
        version = requested_version(request, data.pop("version", None))
        answers = {a["question"]: (a["value"], a["note"]) for a in data.pop("answers", None) or []}
        services.assessment_save(
            assessment_id=assessment.pk,
            actor=request.user,
            expected_version=version,
            answers=answers,
            **data,
        )
        return _detail(request, assessment.pk)


class RiskAssessmentSubmitApi(GenericAPIView):
    """Submit the draft for supervisor review; a 400 lists what stops it, by field."""

    permission_classes = [CanWriteCases]
    serializer_class = RiskAssessmentSubmitInputSerializer

    @extend_schema(
        operation_id="risk_assessments_submit",
        tags=TAGS,
        request=RiskAssessmentSubmitInputSerializer,
        responses={200: RiskAssessmentDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        assessment = _visible(request, pk)
        data = _validated(RiskAssessmentSubmitInputSerializer, request)
        _require_editable(assessment)
        services.assessment_submit(
            assessment_id=assessment.pk,
            actor=request.user,
            expected_version=requested_version(request, data.get("version"), required=False),
        )
        return _detail(request, assessment.pk)


class RiskAssessmentReviewApi(GenericAPIView):
    """A supervisor confirms the grading, or regrades it with a rationale."""

    permission_classes = [IsSupervisor]
    serializer_class = RiskAssessmentReviewInputSerializer

    @extend_schema(
        operation_id="risk_assessments_review",
        tags=TAGS,
        request=RiskAssessmentReviewInputSerializer,
        responses={200: RiskAssessmentDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        assessment = _visible(request, pk)
        data = _validated(RiskAssessmentReviewInputSerializer, request)
        if not assessment.can_review():
            raise StateError("This assessment is not awaiting review.")
        if data["action"] == "regrade":
            services.assessment_regrade(
                assessment_id=assessment.pk,
                actor=request.user,
                level=data["level"],
                rationale=data["rationale"],
                marac_decision=data["marac_decision"],
                marac_not_referred_reason=data["marac_not_referred_reason"],
            )
        else:
            services.assessment_confirm(
                assessment_id=assessment.pk,
                actor=request.user,
                rationale=data["rationale"],
            )
        return _detail(request, assessment.pk)


urlpatterns = [
    path("risk-assessments/", RiskAssessmentListCreateApi.as_view(), name="risk-assessment-list"),
    path(
        "risk-assessments/<int:pk>/",
        RiskAssessmentDetailApi.as_view(),
        name="risk-assessment-detail",
    ),
    path(
        "risk-assessments/<int:pk>/submit/",
        RiskAssessmentSubmitApi.as_view(),
        name="risk-assessment-submit",
    ),
    path(
        "risk-assessments/<int:pk>/review/",
        RiskAssessmentReviewApi.as_view(),
        name="risk-assessment-review",
    ),
]
