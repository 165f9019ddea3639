"""A person's MARAC status, for the person and risk pages to load (with htmx) by URL name:
whether a referral is open anywhere in London, where and since when, never the referral."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from cases.selectors.people import person_get
from publicprotection.access.roles import CASE_READERS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record

from ..selectors.referrals import open_referrals


class PersonMaracStatusView(RoleRequiredMixin, TemplateView):
    """Logged although the page that loads it logs the person too: anyone may ask for it
    directly, person by person, and it tells whether the person is at MARAC and where."""

    allowed_roles = CASE_READERS
    template_name = "marac/people/status_fragment.html"

    def get_context_data(self, **kwargs):
        person = person_get(viewer=self.request.user, person_id=self.kwargs["person_id"])
        access_log_record(request=self.request, obj=person, label=person.full_name)
        return {
            **super().get_context_data(**kwargs),
            "person": person,
            "referral": open_referrals(viewer=self.request.user, person_ids=[person.pk]).get(
                person.pk
            ),
        }


urlpatterns = [
    path(
        "people/<int:person_id>/status/",
        PersonMaracStatusView.as_view(),
        name="person-marac-status",
    ),
]
