"""The door to the review pages: signed in, and the review lead or a central supervisor."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from publicprotection.service_forms import ServiceFormMixin

from ..selectors.reviews import can_work_on_reviews


class ReviewerRequiredMixin(LoginRequiredMixin, ServiceFormMixin):
    invalid_status = 400

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_work_on_reviews(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
