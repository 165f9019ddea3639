"""API views for arrest decisions and their reviews: one view per operation, on the same
selectors and services as the pages. Out of scope is a 404 like a missing record; a service's
field errors are a 400; a step the decision's state does not allow is a 409."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, SUPERVISORS
from publicprotection.access.views import role_permission
from publicprotection.audit.services import access_log_record

from ..access_log import decision_subjects
from ..models import ArrestDecision
from ..selectors import positive_action as selectors
from ..serializers.positive_action import (
    ArrestDecisionCreateInputSerializer,
    ArrestDecisionDetailOutputSerializer,
    ArrestDecisionFilterSerializer,
    ArrestDecisionOutputSerializer,
    ArrestDecisionRespondInputSerializer,
    ArrestDecisionReviewInputSerializer,
    OutstandingSuspectArrestInputSerializer,
    OutstandingSuspectCloseInputSerializer,
)
from ..services import positive_action as services

CanReadCases = role_permission(CASE_READERS, "CanReadCases")
CanWriteCases = role_permission(CASE_WRITERS, "CanWriteCases")
IsSupervisor = role_permission(SUPERVISORS, "IsSupervisor")

TAGS = ["arrest decisions"]


def _detail(request, decision_id: int) -> Response:
    decision = selectors.decision_get(viewer=request.user, decision_id=decision_id)
    return Response(ArrestDecisionDetailOutputSerializer(decision).data)


class ArrestDecisionListCreateApi(GenericAPIView):
    """GET lists decisions (case readers); POST records one (officers and supervisors).

    One URL, two operations, each with its own serializers and permission.
    """

    serializer_class = ArrestDecisionOutputSerializer
    queryset = ArrestDecision.objects.none()  # for the schema; reads go through the selectors

    def get_permissions(self):
        return [CanWriteCases()] if self.request.method == "POST" else [CanReadCases()]

    @extend_schema(
        operation_id="arrest_decisions_list",
        description="Arrest decisions the caller may see, oldest first.",
        tags=TAGS,
        parameters=[ArrestDecisionFilterSerializer],
        responses=ArrestDecisionOutputSerializer(many=True),
    )
    def get(self, request):
        params = ArrestDecisionFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = selectors.DecisionFilters(
            review_status=data.get("review_status", ""),
            outstanding=data.get("outstanding"),
            overdue=data.get("overdue"),
            incident_reference=data.get("incident", ""),
        )
        queryset = selectors.decision_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        access_log_record(request=request, objects=page, subjects=decision_subjects(page))
        return self.get_paginated_response(ArrestDecisionOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="arrest_decisions_create",
        description=(
            "Record the arrest decision for a suspect. A decision not to arrest needs a reason "
            "and a justification of substance; on a submitted incident it goes to the "
            "supervisor review queue at once."
        ),
        tags=TAGS,
        request=ArrestDecisionCreateInputSerializer,
        responses={201: ArrestDecisionDetailOutputSerializer},
    )
    def post(self, request):
        serializer = ArrestDecisionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        suspect = selectors.suspect_visible_to(viewer=request.user, party_id=data.pop("suspect"))
        if suspect is None:
            raise exceptions.ValidationError({"suspect": ["Unknown suspect"]})
        decision = services.arrest_decision_record(actor=request.user, suspect=suspect, **data)
        response = _detail(request, decision.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ArrestDecisionDetailApi(GenericAPIView):
    permission_classes = [CanReadCases]
    serializer_class = ArrestDecisionDetailOutputSerializer

    @extend_schema(operation_id="arrest_decisions_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        decision = selectors.decision_get(viewer=request.user, decision_id=pk)
        access_log_record(
            request=request,
            obj=decision.incident,
            label=decision.incident.reference,
            subjects=decision_subjects([decision]),
        )
        return Response(self.get_serializer(decision).data)


class ArrestDecisionReviewApi(GenericAPIView):
    """A supervisor endorses the decision, or returns it to the officer with a required action."""

    permission_classes = [IsSupervisor]
    serializer_class = ArrestDecisionReviewInputSerializer

    @extend_schema(
        operation_id="arrest_decisions_review",
        tags=TAGS,
        request=ArrestDecisionReviewInputSerializer,
        responses={200: ArrestDecisionDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        decision = selectors.decision_get(viewer=request.user, decision_id=pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "return":
            services.arrest_decision_return(
                actor=request.user,
                decision_id=decision.pk,
                required_action=data["required_action"],
                comment=data["comment"],
            )
        else:
            services.arrest_decision_endorse(
                actor=request.user,
                decision_id=decision.pk,
                comment=data["comment"],
            )
        return _detail(request, decision.pk)


class ArrestDecisionRespondApi(GenericAPIView):
    """The officer answers a returned decision; it goes back to the review queue."""

    permission_classes = [CanWriteCases]
    serializer_class = ArrestDecisionRespondInputSerializer

    @extend_schema(
        operation_id="arrest_decisions_respond",
        tags=TAGS,
        request=ArrestDecisionRespondInputSerializer,
        responses={200: ArrestDecisionDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        decision = selectors.decision_get(viewer=request.user, decision_id=pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.arrest_decision_respond(
            actor=request.user,
            decision_id=decision.pk,
            response=serializer.validated_data["response"],
        )
        return _detail(request, decision.pk)


class OutstandingSuspectArrestApi(GenericAPIView):
    """An outstanding suspect has been traced and arrested."""

    permission_classes = [CanWriteCases]
    serializer_class = OutstandingSuspectArrestInputSerializer

    @extend_schema(
        operation_id="arrest_decisions_arrest",
        tags=TAGS,
        request=OutstandingSuspectArrestInputSerializer,
        responses={200: ArrestDecisionDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        decision = selectors.decision_get(viewer=request.user, decision_id=pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.outstanding_suspect_arrested(
            actor=request.user,
            decision_id=decision.pk,
            **serializer.validated_data,
        )
        return _detail(request, decision.pk)


class OutstandingSuspectCloseApi(GenericAPIView):
    """A supervisor closes an outstanding suspect without an arrest, saying why."""

    permission_classes = [IsSupervisor]
    serializer_class = OutstandingSuspectCloseInputSerializer

    @extend_schema(
        operation_id="arrest_decisions_close_outstanding",
        tags=TAGS,
        request=OutstandingSuspectCloseInputSerializer,
        responses={200: ArrestDecisionDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        decision = selectors.decision_get(viewer=request.user, decision_id=pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.outstanding_suspect_close(
            actor=request.user,
            decision_id=decision.pk,
            comment=serializer.validated_data["comment"],
        )
        return _detail(request, decision.pk)


from django.urls import path  # noqa: E402

urlpatterns = [
    path("arrest-decisions/", ArrestDecisionListCreateApi.as_view(), name="arrest-decision-list"),
    path(
        "arrest-decisions/<int:pk>/",
        ArrestDecisionDetailApi.as_view(),
        name="arrest-decision-detail",
    ),
    path(
        "arrest-decisions/<int:pk>/reviews/",
        ArrestDecisionReviewApi.as_view(),
        name="arrest-decision-review",
    ),
    path(
        "arrest-decisions/<int:pk>/responses/",
        ArrestDecisionRespondApi.as_view(),
        name="arrest-decision-respond",
    ),
    path(
        "arrest-decisions/<int:pk>/arrest/",
        OutstandingSuspectArrestApi.as_view(),
        name="arrest-decision-arrest",
    ),
    path(
        "arrest-decisions/<int:pk>/close-outstanding/",
        OutstandingSuspectCloseApi.as_view(),
        name="arrest-decision-close-outstanding",
    ),
]
