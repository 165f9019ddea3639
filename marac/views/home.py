"""The MARAC home page: the coordinator's triage work; for partner agencies, a focused view of
their meetings, the cases shared with them and their open actions."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.views import RoleRequiredMixin

from ..forms_partners import ActionUpdateForm
from ..selectors import actions as action_selectors
from ..selectors import meetings as meeting_selectors
from ..selectors import referrals as selectors
from ..selectors import sharing as sharing_selectors

HOME_LIMIT = 20


class MaracHomeView(RoleRequiredMixin, TemplateView):
    allowed_roles = MARAC_COORDINATORS | PARTNERS
    template_name = "marac/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        viewer = self.request.user
        if not has_role(viewer, MARAC_COORDINATORS):
            return {
                **context,
                "is_partner": True,
                "partner_meetings": list(
                    sharing_selectors.partner_meetings(viewer=viewer)[:HOME_LIMIT]
                ),
                "shared_cases": list(
                    sharing_selectors.cases_shared_with(viewer=viewer)[:HOME_LIMIT]
                ),
                "update_form": ActionUpdateForm(),
                "partner_actions": list(
                    action_selectors.actions_visible_to(viewer=viewer)[:HOME_LIMIT]
                ),
            }
        return {
            **context,
            "awaiting_triage": list(
                selectors.referrals_awaiting_triage(viewer=viewer)[:HOME_LIMIT]
            ),
            "repeat_alerts": list(selectors.repeat_marac_alerts(viewer=viewer)[:HOME_LIMIT]),
            "reviews_due": list(selectors.twelve_month_reviews_due(viewer=viewer)[:HOME_LIMIT]),
            "to_be_referred": list(
                selectors.assessments_to_be_referred(viewer=viewer)[:HOME_LIMIT]
            ),
            "upcoming_meetings": meeting_selectors.upcoming_meetings(viewer=viewer),
        }


urlpatterns = [path("", MaracHomeView.as_view(), name="home")]
