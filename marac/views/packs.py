"""A MARAC meeting's documents, the pack and the minutes and action log, per audience: the
coordinator's full copy, or an invited agency's copy holding only what the agency may see.

Built by the worker (marac.services.documents), stored privately, and downloaded only
through marac.downloads: audited, never cached. While a copy is being built its status block polls
itself with htmx (the page works without JavaScript: a refresh link does the same).

Coordinators of the meeting's team (central: all) and members of agencies invited to the
meeting; anyone else gets a 403 (wrong role) or a 404 (not their meeting)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View
from django.views.generic import TemplateView

from publicprotection.access.views import RoleRequiredMixin

from ..downloads import document_download
from ..models import DocumentKind
from ..selectors import documents as selectors
from ..services import documents as services


def waiting_message(label: str) -> str:
    return (
        f"Waiting for the background worker: the {label.lower()} will be built as soon as it is "
        "back. Your request is recorded; you do not need to ask again."
    )


class DocumentRoleMixin(RoleRequiredMixin):
    allowed_roles = selectors.DOCUMENT_READERS


def _kind(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise Http404("No such document")
    return kind


def document_block(request, meeting, kind: str, document=None) -> dict:
    """The context of one document's status block."""
    return {
        "meeting": meeting,
        "kind": kind,
        "kind_label": DocumentKind(kind).label,
        "document": document,
        "available": kind != DocumentKind.MINUTES or selectors.minutes_available(meeting),
        "audience": selectors.document_audience(request.user),
    }


def _blocks(request, meeting) -> list[dict]:
    documents = selectors.documents_for(viewer=request.user, meeting=meeting)
    return [document_block(request, meeting, kind, documents[kind]) for kind in DocumentKind]


class MeetingDocumentsView(DocumentRoleMixin, TemplateView):
    """The viewer's copies of the meeting's documents: the page partners use, and the page a
    coordinator reaches from the meeting without JavaScript."""

    template_name = "marac/meetings/documents.html"

    def get(self, request, pk):
        self.meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "blocks": _blocks(self.request, self.meeting),
            "is_partner": selectors.is_partner(self.request.user),
        }


class MeetingDocumentsPanelView(DocumentRoleMixin, View):
    """Both status blocks alone, loaded into the meeting page by htmx."""

    def get(self, request, pk):
        meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
        return render(
            request,
            "marac/meetings/includes/documents_panel.html",
            {"meeting": meeting, "blocks": _blocks(request, meeting)},
        )


class DocumentStatusView(DocumentRoleMixin, View):
    """One status block: htmx polls it every 2 seconds until the copy is ready or failed."""

    def get(self, request, pk, kind):
        kind = _kind(kind)
        meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
        document = selectors.document_get(viewer=request.user, meeting=meeting, kind=kind)
        return render(
            request,
            "marac/meetings/includes/document_status.html",
            document_block(request, meeting, kind, document),
        )


class DocumentRequestView(DocumentRoleMixin, View):
    """Ask for the viewer's copy (also the retry of a failed one, or a fresh copy)."""

    def post(self, request, pk, kind):
        kind = _kind(kind)
        meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
        label = DocumentKind(kind).label
        try:
            document, queued = services.document_request(
                actor=request.user, meeting=meeting, kind=kind
            )
        except services.DocumentStateError as exc:
            messages.warning(request, str(exc))
            document = selectors.document_get(viewer=request.user, meeting=meeting, kind=kind)
        else:
            if queued is False:
                messages.warning(request, waiting_message(label))
            elif queued is None and document.is_in_progress:
                messages.info(request, f"The {label.lower()} is already being generated.")
            else:
                messages.success(request, f"The {label.lower()} is being generated.")
        if request.headers.get("HX-Request"):
            return render(
                request,
                "marac/meetings/includes/document_status.html",
                document_block(request, meeting, kind, document),
            )
        if selectors.is_partner(request.user):
            return redirect("marac:meeting-documents", pk=pk)
        return redirect("marac:meeting-detail", pk=pk)


class DocumentDownloadView(DocumentRoleMixin, View):
    def get(self, request, pk, kind=DocumentKind.PACK):
        kind = _kind(kind)
        meeting = selectors.document_meeting_get(viewer=request.user, meeting_id=pk)
        document = selectors.document_get(viewer=request.user, meeting=meeting, kind=kind)
        return document_download(request, meeting=meeting, document=document)


urlpatterns = [
    path("meetings/<int:pk>/pack/", DocumentDownloadView.as_view(), name="meeting-pack"),
    path("meetings/<int:pk>/documents/", MeetingDocumentsView.as_view(), name="meeting-documents"),
    path(
        "meetings/<int:pk>/documents/panel/",
        MeetingDocumentsPanelView.as_view(),
        name="meeting-documents-panel",
    ),
    path(
        "meetings/<int:pk>/documents/<slug:kind>/",
        DocumentRequestView.as_view(),
        name="meeting-document-request",
    ),
    path(
        "meetings/<int:pk>/documents/<slug:kind>/status/",
        DocumentStatusView.as_view(),
        name="meeting-document-status",
    ),
    path(
        "meetings/<int:pk>/documents/<slug:kind>/pdf/",
        DocumentDownloadView.as_view(),
        name="meeting-document-download",
    ),
]
