"""Errors the case services raise for the views and API views to show."""

from django.core.exceptions import ValidationError


class ConcurrentEditError(ValidationError):
    """Someone else saved the record since this form was opened."""

    def __init__(self, noun: str = "record"):
        super().__init__(
            f"Someone else changed this {noun} while you were editing it. Your changes have "
            "not been saved: check the current version (open it in a new tab), then save again.",
            code="concurrent_edit",
        )
