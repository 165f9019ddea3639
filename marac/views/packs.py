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
from django.shortcuts import render
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from publicprotection.access.views import RoleRequiredMixin
from publicprotection.service_forms import ServiceActionView

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


class DocumentRequestView(DocumentRoleMixin, ServiceActionView):
    """Ask for the viewer's copy (also the retry of a failed one, or a fresh copy)."""

    def load(self):
        self.kind = _kind(self.kwargs["kind"])
        self.label = DocumentKind(self.kind).label.lower()
        self.meeting = selectors.document_meeting_get(
            viewer=self.request.user, meeting_id=self.kwargs["pk"]
        )

    def perform(self):
        document, queued = services.document_request(
            actor=self.request.user, meeting=self.meeting, kind=self.kind
        )
        return queued, document

    def succeeded(self, result):
        queued, document = result
        if queued is False:
            messages.warning(self.request, waiting_message(self.label))
        elif queued is None and document.is_in_progress:
            messages.info(self.request, f"The {self.label} is already being generated.")
        else:
            messages.success(self.request, f"The {self.label} is being generated.")
        return self.respond(self.back_url())

    def respond(self, url: str):
        if self.request.headers.get("HX-Request"):
            # htmx swaps in the status block, with the banner's words in it.
            document = selectors.document_get(
                viewer=self.request.user, meeting=self.meeting, kind=self.kind
            )
            return render(
                self.request,
                "marac/meetings/includes/document_status.html",
                document_block(self.request, self.meeting, self.kind, document),
            )
        return super().respond(url)

    def back_url(self) -> str:
        if selectors.is_partner(self.request.user):
            return reverse("marac:meeting-documents", args=[self.meeting.pk])
        return reverse("marac:meeting-detail", args=[self.meeting.pk])


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
