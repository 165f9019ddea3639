"""The audited download of a stored meeting document (pack or minutes), shared by the page
(marac.views.packs) and the API (marac.apis.packs). The caller finds the meeting and the
document through the document selectors, so only the viewer's own copy ever gets here."""

from __future__ import annotations

from django.http import Http404

from publicprotection.private_files import audited_pdf_download

from .services.documents import document_filename


def document_download(request, *, meeting, document):
    """The viewer's copy as an audited, uncached PDF: the ready one, or the last good one while
    a newer one is being produced; a 404 while none was ever built."""
    if document is None or not document.has_pdf:
        raise Http404("The document is not ready")
    return audited_pdf_download(
        request,
        name=document.file.name,
        filename=document_filename(document),
        logged_obj=meeting,
        label=str(document),
    )
