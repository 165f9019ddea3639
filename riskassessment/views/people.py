"""A person's risk: their current level (the latest confirmed one) and the history of every
assessment. The person is loaded through the person register's scoped selector (not visible is
a 404), and the assessments through the risk selectors, so a viewer sees only what their scope
allows."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from cases.selectors.people import person_get
from publicprotection.access.roles import CASE_READERS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record

from ..selectors import assessments as selectors


class PersonRiskMixin(RoleRequiredMixin):
    """Both pages show the person's risk by name: each logs the read of the person, the
    fragment too (fetched on its own, it shows the same current level)."""

    allowed_roles = CASE_READERS

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        person = context["person"]
        access_log_record(request=request, obj=person, label=person.full_name)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        person = person_get(viewer=self.request.user, person_id=self.kwargs["person_id"])
        history = selectors.person_risk_history(viewer=self.request.user, person=person)
        current = selectors.current_confirmed_level(history)
        # Newer assessments not yet confirmed: they do not change the current level, but the
        # reader should know one is in progress.
        pending = [
            a
            for a in history
            if not a.is_confirmed
            and a.is_current
            and (current is None or a.created_at > current.created_at)
        ]
        return {
            **super().get_context_data(**kwargs),
            "person": person,
            "history": history,
            "current": current,
            "pending": pending[0] if pending else None,
            # London-wide: the level, when and where it was set (never the assessment).
            "london": selectors.current_risk(viewer=self.request.user, person_id=person.pk),
        }


class PersonRiskView(PersonRiskMixin, TemplateView):
    template_name = "riskassessment/people/history.html"


class PersonRiskSummaryView(PersonRiskMixin, TemplateView):
    """The current level block alone, for the person page to load (with htmx) and link on.

    Logged although the person page that loads it logs the person too: anyone may ask for it
    directly, person by person, and it names the person and their risk."""

    template_name = "riskassessment/people/summary_fragment.html"


urlpatterns = [
    path("people/<int:person_id>/", PersonRiskView.as_view(), name="person-risk"),
    path(
        "people/<int:person_id>/summary/",
        PersonRiskSummaryView.as_view(),
        name="person-risk-summary",
    ),
]
