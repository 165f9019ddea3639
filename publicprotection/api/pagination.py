from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from publicprotection.pagination import MAX_PAGE
from publicprotection.query_params import whole_number


class CheckedPageSizeMixin:
    """`page_size` is a whole number from 1 to `max_page_size`, or a 400 naming it (DRF would
    quietly use the default page size instead), and the schema says so."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not 1 <= (whole_number(raw) or 0) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Enter a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return whole_number(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


class BoundedPageNumberPagination(CheckedPageSizeMixin, PageNumberPagination):
    """Page numbers past MAX_PAGE are refused before anything is counted or read."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param) or "1"  # DRF's own default
        if raw not in self.last_page_strings:
            # Django's paginator reads a page with int(), which takes any script's digits:
            # ASCII 0-9 only (as whole_number), however many, as "Too deep" below.
            if not (raw.isascii() and raw.isdecimal()):
                raise NotFound(
                    self.invalid_page_message.format(
                        page_number=raw, message="That page number is not an integer"
                    )
                )
            if len(raw) > 12 or int(raw) > MAX_PAGE:
                raise NotFound(
                    self.invalid_page_message.format(page_number=raw, message="Too deep.")
                )
        return super().paginate_queryset(queryset, request, view)


class CheckedCursorPagination(CheckedPageSizeMixin, CursorPagination):
    """Cursor pagination that answers a tampered cursor with DRF's 404 "Invalid cursor".

    DRF only checks that a cursor decodes; its position goes straight into a filter, so a
    position that is not a valid value of the ordering field (a date of month 13, letters for
    an id) failed in the database layer as a 500."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as error:
            raise NotFound(self.invalid_cursor_message) from error
