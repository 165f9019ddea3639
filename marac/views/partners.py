"""What partner agencies see: the cases shared with them (listed at meetings their agency is
invited to), one case's summary with their agency's research, and their open actions.
Coordinators reach the same pages within their borough. Out of scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.service_forms import ServiceFormMixin

from ..access_log import action_label, action_subjects, listing_label, listing_subjects
from ..forms_partners import ActionUpdateForm, ResearchForm
from ..models import CaseResearch, MaracAction, MaracCaseListing
from ..selectors import actions as action_selectors
from ..selectors import referrals as referral_selectors
from ..selectors import sharing as selectors
from ..services import actions as action_services
from ..services import research as research_services

LIST_LIMIT = 100


class SharedCaseMixin(RoleRequiredMixin):
    allowed_roles = MARAC_COORDINATORS | PARTNERS


class CaseListView(SharedCaseMixin, TemplateView):
    template_name = "marac/cases/list.html"

    def get_context_data(self, **kwargs):
        cases = list(selectors.cases_shared_with(viewer=self.request.user)[:LIST_LIMIT])
        access_log_record(request=self.request, objects=cases, subjects=listing_subjects(cases))
        return {**super().get_context_data(**kwargs), "cases": cases}


class CaseSummaryView(RecordPageReadLoggedMixin, SharedCaseMixin, TemplateView):
    template_name = "marac/cases/summary.html"

    def load(self, pk):
        self.listing = selectors.shared_case_get(viewer=self.request.user, listing_id=pk)

    def get(self, request, pk):
        self.load(pk)
        return self.render_to_response(self.get_context_data())

    def logged_record(self) -> MaracCaseListing:
        return self.listing

    def logged_label(self) -> str:
        return listing_label(self.listing)

    def logged_subjects(self):
        return listing_subjects([self.listing])

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        listing = self.listing
        referral = listing.referral
        is_partner = has_role(viewer, PARTNERS)
        research = CaseResearch.objects.filter(listing=listing).select_related("agency")
        own_research = None
        if is_partner:
            # Partners read only their own agency's research.
            research = research.filter(agency_id=viewer.agency_id)
            own_research = research.first()
        research_form = kwargs.get("research_form")
        if is_partner and research_form is None:
            initial = {"version": 0}
            if own_research is not None:
                initial = {
                    name: getattr(own_research, name)
                    for name in ("facts", "opinion", "withheld", "withheld_reason", "version")
                }
            research_form = ResearchForm(initial=initial)
        return {
            **super().get_context_data(**kwargs),
            "listing": listing,
            "referral": referral,
            "perpetrators": referral_selectors.named_perpetrators(
                viewer=viewer, referrals=[referral]
            )[referral.pk],
            "person": referral.person,
            "age": selectors.age_of(referral.person),
            "risk_level": referral.assessment.get_final_level_display()
            if referral.assessment_id and referral.assessment.final_level
            else "",
            "show_safe_contact": selectors.may_see_safe_contact(viewer),
            "is_partner": is_partner,
            "research": list(research.order_by("agency__name")),
            "research_form": research_form,
            "actions": list(
                action_selectors.actions_visible_to(viewer=viewer).filter(listing=listing)
            ),
            "update_form": ActionUpdateForm(),
        }


class ResearchSaveView(ServiceFormMixin, CaseSummaryView):
    allowed_roles = PARTNERS
    http_method_names = ["post"]
    invalid_status = 400

    def post(self, request, pk):
        self.load(pk)
        form = ResearchForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            self.run_service(
                form,
                research_services.research_save,
                actor=request.user,
                listing=self.listing,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, "Research saved.")
            return redirect("marac:case-summary", pk=pk)
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # Keep what was typed; the next save goes against the version saved meanwhile.
        return CaseResearch.objects.filter(
            listing=self.listing, agency_id=self.request.user.agency_id
        ).first()

    def form_rejected(self, form, status, saved_meanwhile=None):
        context = self.get_context_data(
            research_form=form, research_saved_meanwhile=saved_meanwhile
        )
        return self.render_to_response(context, status=status)


class ActionUpdateView(RecordPageReadLoggedMixin, ServiceFormMixin, SharedCaseMixin, TemplateView):
    """The update form sits in lists (home, meeting page); a refused update is shown on a page
    of its own, with the errors and what was typed."""

    http_method_names = ["post"]
    template_name = "marac/actions/update.html"
    invalid_status = 400

    def post(self, request, pk):
        self.action = action = action_selectors.action_get(viewer=request.user, action_id=pk)
        form = ActionUpdateForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                action_services.action_update,
                actor=request.user,
                action_id=action.pk,
                **form.cleaned_data,
            )
            messages.success(request, "Update recorded.")
            if has_role(request.user, MARAC_COORDINATORS):
                return redirect("marac:meeting-actions", pk=action.listing.meeting_id)
            return redirect("marac:home")
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        context = self.get_context_data(action=self.action, form=form, **context)
        return self.render_to_response(context, status=status)

    def logged_record(self) -> MaracAction:
        # The page names the action's victim.
        return self.action

    def logged_label(self) -> str:
        return action_label(self.action)

    def logged_subjects(self):
        return action_subjects([self.action])


urlpatterns = [
    path("cases/", CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", CaseSummaryView.as_view(), name="case-summary"),
    path("cases/<int:pk>/research/", ResearchSaveView.as_view(), name="case-research"),
    path("actions/<int:pk>/update/", ActionUpdateView.as_view(), name="action-update"),
]
