"""Pages that show one record log its read whenever they are rendered.

A page's form refused (a POST with nothing valid, a stale version, a service's error) shows the
whole page again: the record, its people by name. Logging in get() alone let anyone read the
record unlogged by posting an empty form, so the read is logged where the page is rendered.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model

from .services import access_log_record


class RecordPageReadLoggedMixin:
    """For a view whose every rendered page shows `logged_record()` (before TemplateView or
    FormView). A response that is not the page (a redirect, a 404) logs nothing."""

    def logged_record(self) -> Model:
        raise NotImplementedError

    def logged_label(self) -> str:
        """The entry's label (default: the record's str)."""
        return ""

    def logged_subjects(self) -> Iterable[Model | int]:
        """The people the record is about, when it is not a person (access_log_record's
        `subjects`): the page's read then appears in their record history."""
        return ()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        access_log_record(
            request=self.request,
            obj=self.logged_record(),
            label=self.logged_label(),
            subjects=self.logged_subjects(),
        )
        return response
