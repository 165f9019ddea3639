"""The MARAC home page: the coordinator's triage work; for partner agencies, an empty state
until cases are shared with them."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.views import RoleRequiredMixin

from ..selectors import meetings as meeting_selectors
from ..selectors import referrals as selectors

HOME_LIMIT = 20


class MaracHomeView(RoleRequiredMixin, TemplateView):
    allowed_roles = MARAC_COORDINATORS | PARTNERS
    template_name = "marac/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        viewer = self.request.user
        if not has_role(viewer, MARAC_COORDINATORS):
            return {**context, "is_partner": True}
        return {
            **context,
            "awaiting_triage": list(
                selectors.referrals_awaiting_triage(viewer=viewer)[:HOME_LIMIT]
            ),
            "repeat_alerts": list(selectors.repeat_marac_alerts(viewer=viewer)[:HOME_LIMIT]),
            "to_be_referred": list(
                selectors.assessments_to_be_referred(viewer=viewer)[:HOME_LIMIT]
            ),
            "upcoming_meetings": meeting_selectors.upcoming_meetings(viewer=viewer),
        }


urlpatterns = [path("", MaracHomeView.as_view(), name="home")]
