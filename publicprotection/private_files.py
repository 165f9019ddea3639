"""Documents kept in the private storage (`STORAGES["default"]`, never under a static or public
media URL): agendas, meeting packs, minutes.

Written whole, under a name that carries their checksum, before any row points at them (a
worker killed mid-write leaves at most an orphan that the retry overwrites or removes); served
only as an audited download that is never cached.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.audit.services import access_log_record


def store_checksummed(name: str, content: bytes, checksum: str) -> str:
    """Write `content` at `name` (which carries `checksum`); an identical file already there is
    kept, a different one replaced. Returns the name."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() == checksum:
                return name
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # pragma: no cover - a concurrent writer; never point at a surprise name
        default_storage.delete(saved)
        raise RuntimeError(f"Private file name clash: {name}")
    return name


def remove_other_files(directory: str, keep: str | None) -> None:
    """Delete the files of `directory` other than `keep` (earlier versions of a document), or
    every file when `keep` is None (the document itself is gone)."""
    try:
        _, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for filename in files:
        path = f"{directory}/{filename}"
        if path != keep:
            default_storage.delete(path)


def audited_pdf_download(
    request, *, name: str, filename: str, logged_obj, label: str = "", subjects=()
):
    """The stored PDF as an attachment, its download written to the access log (with the
    people it is about as `subjects`, access_log_record's), never cached. A missing file is a
    404 (and nothing is logged)."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The document file is missing") from exc
    access_log_record(
        request=request,
        obj=logged_obj,
        action=AccessAction.DOWNLOAD,
        channel=AccessChannel.DOCUMENT,
        label=label,
        subjects=subjects,
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
