"""The MARAC home page: the coordinator's triage work; for partner agencies, a focused view of
their meetings, the cases shared with them and their open actions."""

from __future__ import annotations

from django.urls import path, reverse
from django.views.generic import TemplateView

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record, access_log_record_lists
from publicprotection.row_links import INCIDENT_REFERENCE_SAMPLE, url_for_each

from ..access_log import action_subjects, listing_subjects, referral_subjects
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
            shared_cases = list(sharing_selectors.cases_shared_with(viewer=viewer)[:HOME_LIMIT])
            partner_actions = list(action_selectors.actions_visible_to(viewer=viewer)[:HOME_LIMIT])
            access_log_record(
                request=self.request,
                objects=shared_cases,
                subjects=listing_subjects(shared_cases),
            )
            access_log_record(
                request=self.request,
                objects=partner_actions,
                subjects=action_subjects(partner_actions),
            )
            return {
                **context,
                "is_partner": True,
                "partner_meetings": list(
                    sharing_selectors.partner_meetings(viewer=viewer)[:HOME_LIMIT]
                ),
                "shared_cases": shared_cases,
                "update_form": ActionUpdateForm(),
                "partner_actions": partner_actions,
            }
        awaiting_triage = list(selectors.referrals_awaiting_triage(viewer=viewer)[:HOME_LIMIT])
        # The navigation's number counts the same alerts: their candidates are read once.
        repeat_alerts = selectors.first_repeat_marac_alerts(
            viewer=viewer, limit=HOME_LIMIT, request=self.request
        )
        reviews_due = list(selectors.twelve_month_reviews_due(viewer=viewer, first=HOME_LIMIT))
        to_be_referred = list(selectors.assessments_to_be_referred(viewer=viewer)[:HOME_LIMIT])
        # One entry for each kind of record the page names (referrals, incident parties,
        # assessments), each naming every one of them shown; one INSERT for them all.
        referrals = [*awaiting_triage, *reviews_due]
        access_log_record_lists(
            request=self.request,
            lists=[referrals, repeat_alerts, to_be_referred],
            # ... and about the people they are: the referred victims, the repeat victims (the
            # alerts are their incident parties), the assessed victims.
            subjects=[
                referral_subjects(referrals),
                [party.person_id for party in repeat_alerts],
                [assessment.person_id for assessment in to_be_referred],
            ],
        )
        # Each row's link from one reverse a kind (publicprotection/row_links.py).
        referral_url = url_for_each("marac:referral-detail")
        for referral in (*awaiting_triage, *reviews_due):
            referral.detail_url = referral_url(referral.pk)
        incident_url = url_for_each("cases:incident-detail", INCIDENT_REFERENCE_SAMPLE)
        for party in repeat_alerts:
            party.incident_url = incident_url(party.incident.reference)
        return {
            **context,
            "refer_url": reverse("marac:referral-create"),
            "awaiting_triage": awaiting_triage,
            "repeat_alerts": repeat_alerts,
            "reviews_due": reviews_due,
            "to_be_referred": to_be_referred,
            "upcoming_meetings": meeting_selectors.upcoming_meetings(viewer=viewer),
        }


urlpatterns = [path("", MaracHomeView.as_view(), name="home")]
