"""Uploaded files the server cannot keep while it reads the request.

Django writes an upload bigger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file as the
request arrives, before any view runs (the first `request.POST` read, in a middleware). When
the temporary folder is full (ENOSPC), read-only or gone, that write raised an OSError and the
user got the 500 page, losing the whole form.

`TemporaryFileOrReportUploadHandler` (FILE_UPLOAD_HANDLERS) stops storing such a file instead,
reads the rest of the request as usual, and leaves an `UnstoredUpload` under the file's field.
A form (`GovukFormMixin`) then refuses the field with UPLOAD_NOT_STORED, so the page shows the
form again with everything typed and nothing is saved, as when the private storage cannot keep
a letter (homicidereviews.services._store_letter).
"""

from __future__ import annotations

import contextlib
import logging

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

logger = logging.getLogger(__name__)

UPLOAD_NOT_STORED = (
    "The file could not be stored on the server just now, so nothing has been saved. Choose "
    "the file again and save in a few minutes, or save without it and add it later."
)


class UnstoredUpload(UploadedFile):
    """Where an uploaded file would be: its name and size as sent, and no content."""

    def __init__(self, name: str, content_type: str | None, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def open(self, mode=None):
        raise ValueError("The upload was not stored")

    def close(self):
        pass  # nothing was opened (the request closes every upload at its end)


class TemporaryFileOrReportUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, except that a file it cannot write is dropped (its
    temporary file removed) and reported by an `UnstoredUpload`, not raised."""

    def new_file(self, *args, **kwargs):
        self.unstored = False
        self.file = None  # not the previous field's file, should this one not be created
        try:
            super().new_file(*args, **kwargs)
        except OSError:
            self._give_up()

    def receive_data_chunk(self, raw_data, start):
        if self.unstored:
            return None  # the rest of this file is read and dropped
        try:
            self.file.write(raw_data)
        except OSError:
            self._give_up()
        return None

    def file_complete(self, file_size):
        if not self.unstored:
            try:
                return super().file_complete(file_size)  # its seek writes what is buffered
            except OSError:
                self._give_up()
        return UnstoredUpload(self.file_name, self.content_type, file_size)

    def upload_interrupted(self):
        if getattr(self, "file", None) is not None:  # none left once given up
            super().upload_interrupted()

    def _give_up(self) -> None:
        logger.exception("Could not store the upload %r in a temporary file", self.file_name)
        self.unstored = True
        if self.file is not None:
            # A NamedTemporaryFile: closing removes it, even when writing out its buffer fails,
            # which frees what it took.
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
