"""MARAC action plans over the API, on the same selectors and services as the pages.

Coordinators see and add the actions of their borough's cases, and reassign those whose agency
no longer sees the case; a partner agency's members see only the open actions assigned to their
agency on cases still shared with it (marac.selectors.actions) and record updates on them. A wrong role is a 403; an action out of scope is a 404 like a missing one (a case named in
a new action that the caller cannot see: a 400 on that field); field errors are a 400; an
update to a finished action, or an action on a cancelled meeting, is a 409.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.api.versions import requested_version
from publicprotection.audit.services import access_log_record

from ..access_log import action_label, action_subjects
from ..models import MaracAction
from ..selectors import actions as selectors
from ..selectors import sharing as sharing_selectors
from ..serializers.actions import (
    ActionCreateInputSerializer,
    ActionFilterSerializer,
    ActionOutputSerializer,
    ActionReassignInputSerializer,
    ActionUpdateCreatedOutputSerializer,
    ActionUpdateInputSerializer,
)
from ..services import actions as services

CanReadActions = role_permission(MARAC_COORDINATORS | PARTNERS, "CanReadMaracActions")
CanCreateActions = role_permission(MARAC_COORDINATORS, "CanCreateMaracActions")
TAGS = ["MARAC actions"]


class ActionCursorPagination(CheckedCursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("due_date", "id")


class ActionListCreateApi(GenericAPIView):
    """GET lists the caller's actions; POST adds an action to a listed case (coordinators)."""

    serializer_class = ActionOutputSerializer
    pagination_class = ActionCursorPagination
    queryset = MaracAction.objects.none()

    def get_permissions(self):
        return [CanCreateActions()] if self.request.method == "POST" else [CanReadActions()]

    @extend_schema(
        operation_id="marac_actions_list",
        description=(
            "Coordinators: the actions of their borough's cases. Partner agencies: the open "
            "actions assigned to their agency."
        ),
        tags=TAGS,
        parameters=[ActionFilterSerializer],
        responses=ActionOutputSerializer(many=True),
    )
    def get(self, request):
        params = ActionFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        queryset = selectors.action_list(
            viewer=request.user, filters=selectors.ActionFilters(**params.validated_data)
        )
        page = self.paginate_queryset(queryset)
        access_log_record(request=request, objects=page, subjects=action_subjects(page))
        return self.get_paginated_response(ActionOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="marac_actions_create",
        tags=TAGS,
        request=ActionCreateInputSerializer,
        responses={201: ActionOutputSerializer},
    )
    def post(self, request):
        serializer = ActionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        listing = (
            sharing_selectors.cases_shared_with(viewer=request.user)
            .filter(pk=data.pop("case"))
            .first()
        )
        if listing is None:
            raise exceptions.ValidationError({"case": ["Unknown case"]})
        action = services.action_create(actor=request.user, listing=listing, **data)
        action = selectors.action_get(viewer=request.user, action_id=action.pk)
        return Response(ActionOutputSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionDetailApi(GenericAPIView):
    serializer_class = ActionOutputSerializer
    queryset = MaracAction.objects.none()
    permission_classes = [CanReadActions]

    @extend_schema(operation_id="marac_actions_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        action = selectors.action_get(viewer=request.user, action_id=pk)
        access_log_record(
            request=request,
            obj=action,
            label=action_label(action),
            subjects=action_subjects([action]),
        )
        return Response(ActionOutputSerializer(action).data)


class ActionUpdateCreateApi(GenericAPIView):
    serializer_class = ActionUpdateCreatedOutputSerializer
    queryset = MaracAction.objects.none()
    permission_classes = [CanReadActions]

    @extend_schema(
        operation_id="marac_actions_updates_create",
        description=(
            "Record an update on an open action (its agency or a coordinator), optionally "
            "finishing it; 409 once it is finished. A partner no longer sees a finished action."
        ),
        tags=TAGS,
        request=ActionUpdateInputSerializer,
        responses={201: ActionUpdateCreatedOutputSerializer},
    )
    def post(self, request, pk: int):
        action = selectors.action_get(viewer=request.user, action_id=pk)
        serializer = ActionUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = services.action_update(
            actor=request.user,
            action_id=action.pk,
            **serializer.validated_data,
        )
        return Response(
            ActionUpdateCreatedOutputSerializer(update).data, status=status.HTTP_201_CREATED
        )


class ActionReassignApi(GenericAPIView):
    serializer_class = ActionOutputSerializer
    queryset = MaracAction.objects.none()
    permission_classes = [CanCreateActions]

    @extend_schema(
        operation_id="marac_actions_reassign",
        description=(
            "Give an open action to another agency invited to its meeting (coordinators), "
            "recorded as an update. For an action whose agency's invitation was withdrawn "
            "(agency_has_access false). Send the version read (or If-Match): a stale one is a "
            "409 (412 with If-Match), as when another coordinator reassigned it meanwhile. 400 "
            "if the agency is not invited; 409 once the action is finished or its meeting "
            "cancelled (close it with an update instead)."
        ),
        tags=TAGS,
        request=ActionReassignInputSerializer,
        responses={200: ActionOutputSerializer},
    )
    def post(self, request, pk: int):
        action = selectors.action_get(viewer=request.user, action_id=pk)
        serializer = ActionReassignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.action_reassign(
            actor=request.user,
            action_id=action.pk,
            expected_version=requested_version(request, data.pop("version", None)),
            **data,
        )
        action = selectors.action_get(viewer=request.user, action_id=pk)
        return Response(ActionOutputSerializer(action).data)


urlpatterns = [
    path("marac/actions/", ActionListCreateApi.as_view(), name="marac-action-list"),
    path("marac/actions/<int:pk>/", ActionDetailApi.as_view(), name="marac-action-detail"),
    path(
        "marac/actions/<int:pk>/updates/",
        ActionUpdateCreateApi.as_view(),
        name="marac-action-update-create",
    ),
    path(
        "marac/actions/<int:pk>/reassign/",
        ActionReassignApi.as_view(),
        name="marac-action-reassign",
    ),
]
