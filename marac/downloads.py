"""The audited download of a stored meeting document (pack or minutes), shared by the page
(marac.views.packs) and the API (marac.apis.packs). The caller finds the meeting and the
document through the document selectors, so only the viewer's own copy ever gets here."""

from __future__ import annotations

from django.http import Http404

from cases.models import Person
from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.audit.services import access_log_record
from publicprotection.private_files import audited_pdf_download

from .selectors.documents import document_subjects
from .services.documents import document_filename


def document_download(request, *, meeting, document):
    """The viewer's copy as an audited, uncached PDF: the ready one, or the last good one while
    a newer one is being produced; a 404 while none was ever built. The download is logged
    against the meeting, and against the cases the copy holds and the people it names (one
    entry each), as a page naming them would be."""
    if document is None or not document.has_pdf:
        raise Http404("The document is not ready")
    response = audited_pdf_download(
        request,
        name=document.file.name,
        filename=document_filename(document),
        logged_obj=meeting,
        label=str(document),
    )
    listings, person_ids = document_subjects(
        viewer=request.user, meeting=meeting, kind=document.kind
    )
    # The log needs their ids only: no query for the people themselves.
    for objects in (listings, [Person(pk=pk) for pk in person_ids]):
        access_log_record(
            request=request,
            objects=objects,
            action=AccessAction.DOWNLOAD,
            channel=AccessChannel.DOCUMENT,
        )
    return response
