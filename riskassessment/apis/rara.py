"""RARA action API, on the same selectors and services as the pages.

A wrong role is a 403; an action out of the caller's scope is a 404 like a missing one; a
service's field errors are a 400.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record

from ..access_log import rara_action_label, rara_action_subjects
from ..models import RaraAction
from ..selectors import plans as selectors
from ..selectors.assessments import assessments_visible_to
from ..serializers.plans import (
    RaraActionCreateInputSerializer,
    RaraActionFilterSerializer,
    RaraActionOutputSerializer,
    RaraActionUpdateInputSerializer,
)
from ..services import plans as services

CanReadCases = role_permission(CASE_READERS, "CanReadCases")
CanWriteCases = role_permission(CASE_WRITERS, "CanWriteCases")

TAGS = ["RARA actions"]


class RaraActionCursorPagination(CheckedCursorPagination):
    """No count(*) and no deep offsets over millions of actions."""

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("due_date", "id")


def _action_response(request, action_id: int, status_code=status.HTTP_200_OK) -> Response:
    action = selectors.rara_action_get(viewer=request.user, action_id=action_id)
    return Response(RaraActionOutputSerializer(action).data, status=status_code)


class RaraActionListCreateApi(GenericAPIView):
    """GET lists actions (case readers); POST adds one to a plan (officers and supervisors)."""

    serializer_class = RaraActionOutputSerializer
    pagination_class = RaraActionCursorPagination
    queryset = RaraAction.objects.none()  # for the schema; reads go through the selectors

    def get_permissions(self):
        return [CanWriteCases()] if self.request.method == "POST" else [CanReadCases()]

    @extend_schema(
        operation_id="rara_actions_list",
        description="RARA actions the caller may see, earliest due first.",
        tags=TAGS,
        parameters=[RaraActionFilterSerializer],
        responses=RaraActionOutputSerializer(many=True),
    )
    def get(self, request):
        params = RaraActionFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = selectors.RaraActionFilters(
            assessment_id=data.get("assessment"),
            status=data.get("status", ""),
            overdue=data.get("overdue"),
            owner_id=request.user.pk if data.get("owner") == "me" else None,
        )
        queryset = selectors.rara_action_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        access_log_record(request=request, objects=page, subjects=rara_action_subjects(page))
        return self.get_paginated_response(RaraActionOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="rara_actions_create",
        description=(
            "Add an action to an assessment's RARA plan. Accept needs the options offered, the "
            "victim's reasons for declining and how the remaining risk is monitored. The due "
            "date must be today or later; the owner must be a police user who can see the case."
        ),
        tags=TAGS,
        request=RaraActionCreateInputSerializer,
        responses={201: RaraActionOutputSerializer},
    )
    def post(self, request):
        serializer = RaraActionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        assessment = (
            assessments_visible_to(viewer=request.user).filter(pk=data.pop("assessment")).first()
        )
        if assessment is None:
            raise exceptions.ValidationError({"assessment": ["Unknown assessment"]})
        owner_id = data.pop("owner", None)
        owner = (
            request.user
            if owner_id is None
            else get_user_model().objects.filter(pk=owner_id).first()
        )
        if owner is None:
            raise exceptions.ValidationError({"owner": [services.OWNER_ERROR]})
        action = services.rara_action_add(
            actor=request.user,
            assessment_id=assessment.pk,
            owner=owner,
            **data,
        )
        return _action_response(request, action.pk, status.HTTP_201_CREATED)


class RaraActionDetailApi(GenericAPIView):
    """GET one action (case readers); PATCH its status, notes, due date or declined reason."""

    serializer_class = RaraActionOutputSerializer
    queryset = RaraAction.objects.none()

    def get_permissions(self):
        return [CanWriteCases()] if self.request.method == "PATCH" else [CanReadCases()]

    @extend_schema(operation_id="rara_actions_retrieve", description="One RARA action.", tags=TAGS)
    def get(self, request, pk: int):
        action = selectors.rara_action_get(viewer=request.user, action_id=pk)
        access_log_record(
            request=request,
            obj=action,
            label=rara_action_label(action),
            subjects=rara_action_subjects([action]),
        )
        return Response(self.get_serializer(action).data)

    @extend_schema(
        operation_id="rara_actions_partial_update",
        description=(
            "Planned actions may move to in progress, done, declined or cancelled; in progress "
            "to done, declined or cancelled. Done, declined and cancelled are final. Declined "
            "needs the victim's reason."
        ),
        tags=TAGS,
        request=RaraActionUpdateInputSerializer,
        responses={200: RaraActionOutputSerializer},
    )
    def patch(self, request, pk: int):
        action = selectors.rara_action_get(viewer=request.user, action_id=pk)
        serializer = RaraActionUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.rara_action_update(
            actor=request.user,
            action_id=action.pk,
            expected_version=requested_version(request, data.pop("version", None)),
            **data,
        )
        return _action_response(request, action.pk)


urlpatterns = [
    path("rara-actions/", RaraActionListCreateApi.as_view(), name="rara-action-list"),
    path("rara-actions/<int:pk>/", RaraActionDetailApi.as_view(), name="rara-action-detail"),
]
