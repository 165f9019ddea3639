"""The meeting documents API: ask for the caller's copy of a meeting's pack or minutes (built
by the worker), read its status, and download the PDF once ready.

The copy is the caller's audience's: a coordinator's full copy, or an invited agency's copy
with only what the agency may see. Not their meeting (or no such meeting) is a 404, a role
without documents a 403; every download is logged."""

from __future__ import annotations

import json

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from publicprotection.access.views import role_permission

from ..downloads import document_download
from ..models import DocumentKind, DocumentStatus, MeetingDocument
from ..selectors import documents as selectors
from ..services import documents as services

CanUseMeetingDocuments = role_permission(selectors.DOCUMENT_READERS, "CanUseMaracMeetingDocuments")
TAGS = ["MARAC meeting documents"]


class MeetingDocumentOutputSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    agency_name = serializers.SerializerMethodField(
        help_text="The agency whose copy this is; null for the coordinator's full copy."
    )
    download_url = serializers.SerializerMethodField(
        help_text=(
            "Where to download the PDF; null until a copy is built. While a newer copy is being "
            "produced (or after it could not be), the last good one stays downloadable here."
        )
    )
    requested_at = serializers.DateTimeField(source="updated_at", read_only=True)
    sent_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the build was handed to the background worker; null while it waits.",
    )
    waiting_for_worker = serializers.SerializerMethodField(
        help_text=(
            "True when the request is recorded but the background worker could not be reached: "
            "it is sent, and the copy built, as soon as the worker is back."
        ),
    )
    status_detail = serializers.SerializerMethodField(help_text="The status in words.")

    class Meta:
        model = MeetingDocument
        fields = [
            "id",
            "meeting",
            "kind",
            "agency",
            "agency_name",
            "status",
            "error",
            "generated_at",
            "requested_at",
            "sent_at",
            "waiting_for_worker",
            "status_detail",
            "checksum",
            "download_url",
        ]
        read_only_fields = fields

    def get_agency_name(self, obj) -> str | None:
        return obj.agency.name if obj.agency_id else None

    def get_waiting_for_worker(self, obj) -> bool:
        # The answer to a request whose message goes to the broker when the request's
        # transaction commits (an Idempotency-Key's), after this is drawn up: not waiting.
        return obj.is_waiting_for_worker and not self.context.get("sends_on_commit")

    def get_status_detail(self, obj) -> str:
        label = obj.get_kind_display().lower()
        if self.get_waiting_for_worker(obj):
            detail = (
                "Waiting for the background worker: the request is recorded and the "
                f"{label} will be built as soon as the worker is back."
            )
        elif obj.is_ready and obj.error:
            detail = (
                f"A newer version of the {label} could not be produced ({obj.error}); the "
                "version generated before is unchanged and ready to download."
            )
        else:
            detail = {
                DocumentStatus.PENDING: f"Sent to the background worker: the {label} is queued.",
                DocumentStatus.GENERATING: f"The background worker is building the {label}.",
                DocumentStatus.READY: f"The {label} is ready to download.",
                DocumentStatus.FAILED: f"Building the {label} failed: {obj.error}",
            }[obj.status]
        if obj.is_being_replaced:
            detail += (
                " A newer version is being produced; until it is ready, the version generated "
                "before stays available to download."
            )
        return detail

    def get_download_url(self, obj) -> str | None:
        if not obj.has_pdf:
            return None
        return reverse(f"api:marac-meeting-{obj.kind}-file", args=[obj.meeting_id])


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; errors still go out as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


def _load(request, pk: int, kind: str):
    meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
    return meeting, selectors.document_get(viewer=request.user, meeting=meeting, kind=kind)


class MeetingDocumentApi(GenericAPIView):
    kind: str = ""
    serializer_class = MeetingDocumentOutputSerializer
    queryset = MeetingDocument.objects.none()
    permission_classes = [CanUseMeetingDocuments]

    def get(self, request, pk: int):
        _, document = _load(request, pk, self.kind)
        if document is None:
            raise Http404(f"No {DocumentKind(self.kind).label.lower()} has been asked for yet.")
        return Response(MeetingDocumentOutputSerializer(document).data)

    def post(self, request, pk: int):
        meeting, _ = _load(request, pk, self.kind)
        document, queued = services.document_request(
            actor=request.user,
            meeting=meeting,
            kind=self.kind,
        )
        # Asked for and not yet sent: the request runs in a transaction (an Idempotency-Key's)
        # whose commit sends it; a refused send is then seen on the next read.
        sends_on_commit = queued is None and document.is_waiting_for_worker
        data = MeetingDocumentOutputSerializer(
            document, context={"sends_on_commit": sends_on_commit}
        ).data
        return Response(data, status.HTTP_202_ACCEPTED)


class MeetingDocumentFileApi(GenericAPIView):
    kind: str = ""
    queryset = MeetingDocument.objects.none()
    permission_classes = [CanUseMeetingDocuments]
    renderer_classes = [JSONRenderer, PdfRenderer]

    def get(self, request, pk: int):
        meeting, document = _load(request, pk, self.kind)
        return document_download(request, meeting=meeting, document=document)


def _get_schema(kind: str):
    label = DocumentKind(kind).label.lower()
    return extend_schema(
        operation_id=f"marac_meeting_{kind}_retrieve",
        summary=f"The status of the caller's copy of the {label}",
        tags=TAGS,
        responses={
            200: MeetingDocumentOutputSerializer,
            404: OpenApiResponse(description="Not asked for yet, or not the caller's meeting."),
        },
    )


def _post_schema(kind: str):
    label = DocumentKind(kind).label.lower()
    return extend_schema(
        operation_id=f"marac_meeting_{kind}_create",
        summary=f"Ask for the caller's copy of the {label}",
        description=(
            "Records the request, hands the build to the background worker and returns at once "
            "with the copy's status (pending). If the worker's queue cannot be reached the "
            "request is still recorded: `waiting_for_worker` is true and `sent_at` null, and the "
            "build is sent as soon as the queue is back (asking again is not needed). Asking "
            "while a build is under way changes nothing. Coordinators get the full copy; "
            "members of an invited agency get their agency's copy."
        ),
        tags=TAGS,
        request=None,
        responses={
            202: MeetingDocumentOutputSerializer,
            404: OpenApiResponse(description="Not the caller's meeting."),
            409: OpenApiResponse(description="Not available now (minutes before the meeting)."),
        },
    )


def _file_schema(kind: str):
    label = DocumentKind(kind).label.lower()
    return extend_schema(
        operation_id=f"marac_meeting_{kind}_file_retrieve",
        summary=f"Download the caller's copy of the {label} (PDF)",
        description="Logged as a download; never cached.",
        tags=TAGS,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not ready, or not the caller's meeting."),
        },
    )


class MeetingPackApi(MeetingDocumentApi):
    kind = DocumentKind.PACK

    @_get_schema(DocumentKind.PACK)
    def get(self, request, pk: int):
        return super().get(request, pk)

    @_post_schema(DocumentKind.PACK)
    def post(self, request, pk: int):
        return super().post(request, pk)


class MeetingPackFileApi(MeetingDocumentFileApi):
    kind = DocumentKind.PACK

    @_file_schema(DocumentKind.PACK)
    def get(self, request, pk: int):
        return super().get(request, pk)


class MeetingMinutesApi(MeetingDocumentApi):
    kind = DocumentKind.MINUTES

    @_get_schema(DocumentKind.MINUTES)
    def get(self, request, pk: int):
        return super().get(request, pk)

    @_post_schema(DocumentKind.MINUTES)
    def post(self, request, pk: int):
        return super().post(request, pk)


class MeetingMinutesFileApi(MeetingDocumentFileApi):
    kind = DocumentKind.MINUTES

    @_file_schema(DocumentKind.MINUTES)
    def get(self, request, pk: int):
        return super().get(request, pk)


urlpatterns = [
    path("marac/meetings/<int:pk>/pack/", MeetingPackApi.as_view(), name="marac-meeting-pack"),
    path(
        "marac/meetings/<int:pk>/pack/file/",
        MeetingPackFileApi.as_view(),
        name="marac-meeting-pack-file",
    ),
    path(
        "marac/meetings/<int:pk>/minutes/",
        MeetingMinutesApi.as_view(),
        name="marac-meeting-minutes",
    ),
    path(
        "marac/meetings/<int:pk>/minutes/file/",
        MeetingMinutesFileApi.as_view(),
        name="marac-meeting-minutes-file",
    ),
]
