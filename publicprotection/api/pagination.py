from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination

from publicprotection.pagination import MAX_PAGE


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbers past MAX_PAGE are refused before anything is counted or read."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw.isdigit() and int(raw) > MAX_PAGE:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="Too deep."))
        return super().paginate_queryset(queryset, request, view)


class CheckedCursorPagination(CursorPagination):
    """Cursor pagination that answers a tampered cursor with DRF's 404 "Invalid cursor".

    DRF only checks that a cursor decodes; its position goes straight into a filter, so a
    position that is not a valid value of the ordering field (a date of month 13, letters for
    an id) failed in the database layer as a 500."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as error:
            raise NotFound(self.invalid_cursor_message) from error
