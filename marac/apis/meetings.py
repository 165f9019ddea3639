"""MARAC meeting API: list and schedule meetings; one meeting with its ordered agenda; mark it
held or cancel it; take a case off it. Coordinators of the meeting's borough team only (403 for
other roles, 404 for another borough's meeting); a transition the meeting's status does not
allow is a 409 with the reason."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from publicprotection.access.scope import get_visible_or_404
from publicprotection.access.views import role_permission
from publicprotection.api.pagination import CheckedCursorPagination
from publicprotection.audit.services import access_log_record

from ..access_log import meeting_subjects
from ..models import MaracCaseListing, MaracMeeting
from ..selectors import meetings as selectors
from ..serializers.meetings import (
    MeetingCreateInputSerializer,
    MeetingDetailOutputSerializer,
    MeetingOutputSerializer,
)
from ..services import meetings as services

CanUseMeetings = role_permission(selectors.MEETING_READERS, "CanUseMaracMeetings")
TAGS = ["MARAC meetings"]


class MeetingCursorPagination(CheckedCursorPagination):
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-starts_at", "-id")


def _detail(request, meeting_id: int, status_code=status.HTTP_200_OK) -> Response:
    meeting = selectors.meeting_get(viewer=request.user, meeting_id=meeting_id)
    meeting.listed = meeting.listings.count()
    meeting.agenda = selectors.meeting_agenda(meeting)
    return Response(MeetingDetailOutputSerializer(meeting).data, status=status_code)


class MeetingListCreateApi(GenericAPIView):
    serializer_class = MeetingOutputSerializer
    pagination_class = MeetingCursorPagination
    queryset = MaracMeeting.objects.none()
    permission_classes = [CanUseMeetings]

    @extend_schema(
        operation_id="marac_meetings_list",
        tags=TAGS,
        responses=MeetingOutputSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.meeting_list(viewer=request.user))
        return self.get_paginated_response(MeetingOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="marac_meetings_create",
        description="Schedule a meeting of the caller's borough team; capacity defaults apply.",
        tags=TAGS,
        request=MeetingCreateInputSerializer,
        responses={201: MeetingDetailOutputSerializer},
    )
    def post(self, request):
        serializer = MeetingCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = request.user.team
        meeting = services.meeting_create(
            actor=request.user,
            team=None if team is None or team.is_central else team,
            **serializer.validated_data,
        )
        return _detail(request, meeting.pk, status.HTTP_201_CREATED)


class MeetingDetailApi(GenericAPIView):
    serializer_class = MeetingDetailOutputSerializer
    queryset = MaracMeeting.objects.none()
    permission_classes = [CanUseMeetings]

    @extend_schema(operation_id="marac_meetings_retrieve", tags=TAGS)
    def get(self, request, pk: int):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        access_log_record(request=request, obj=meeting, subjects=meeting_subjects(meeting))
        return _detail(request, pk)


class MeetingHeldApi(GenericAPIView):
    serializer_class = MeetingDetailOutputSerializer
    queryset = MaracMeeting.objects.none()
    permission_classes = [CanUseMeetings]

    @extend_schema(
        operation_id="marac_meetings_mark_held",
        description="Record that the meeting took place (once it has started): its cases are "
        "heard. 409 unless it is scheduled and has started.",
        tags=TAGS,
        request=None,
    )
    def post(self, request, pk: int):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        services.meeting_mark_held(
            actor=request.user,
            meeting=meeting,
        )
        return _detail(request, pk)


class MeetingCancelApi(GenericAPIView):
    serializer_class = MeetingDetailOutputSerializer
    queryset = MaracMeeting.objects.none()
    permission_classes = [CanUseMeetings]

    @extend_schema(
        operation_id="marac_meetings_cancel",
        description="Cancel a scheduled meeting: its cases go back to accepted, to be listed "
        "again, and the invited agencies lose access to them. 409 unless it is scheduled.",
        tags=TAGS,
        request=None,
    )
    def post(self, request, pk: int):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        services.meeting_cancel(
            actor=request.user,
            meeting=meeting,
        )
        return _detail(request, pk)


class MeetingListingRemoveApi(GenericAPIView):
    queryset = MaracCaseListing.objects.none()
    permission_classes = [CanUseMeetings]

    @extend_schema(
        operation_id="marac_meetings_listings_destroy",
        description="Take a case off a scheduled meeting; the referral is back to accepted and "
        "the agencies' access to the case through this meeting is withdrawn. 409 once the "
        "meeting is held or cancelled, or once research, actions or minutes exist on the case.",
        tags=TAGS,
        request=None,
        responses={204: None},
    )
    def delete(self, request, pk: int, listing_id: int):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        listing = get_visible_or_404(meeting.listings.all(), pk=listing_id)
        try:
            services.listing_remove(
                actor=request.user,
                listing=listing,
            )
        except MaracCaseListing.DoesNotExist as error:  # removed by someone else meanwhile
            raise Http404("No such record") from error
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("marac/meetings/", MeetingListCreateApi.as_view(), name="marac-meeting-list"),
    path("marac/meetings/<int:pk>/", MeetingDetailApi.as_view(), name="marac-meeting-detail"),
    path("marac/meetings/<int:pk>/held/", MeetingHeldApi.as_view(), name="marac-meeting-held"),
    path(
        "marac/meetings/<int:pk>/cancel/", MeetingCancelApi.as_view(), name="marac-meeting-cancel"
    ),
    path(
        "marac/meetings/<int:pk>/listings/<int:listing_id>/",
        MeetingListingRemoveApi.as_view(),
        name="marac-meeting-listing-remove",
    ),
]
