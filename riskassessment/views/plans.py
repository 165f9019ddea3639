"""RARA plan pages: add an action to an assessment's plan, update one, and the overdue lists.

Thin: the role is checked first (403), then the assessment or action is loaded through the
viewer's scope (404, like a missing record), then one service is called.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.service_forms import ServiceFormMixin

from ..access_log import (
    assessment_label,
    assessment_subjects,
    rara_action_label,
    rara_action_subjects,
)
from ..forms.plans import RaraActionAddForm, RaraActionEditForm
from ..models import RaraAction, RiskAssessment
from ..selectors import plans as selectors
from ..services import plans as services

OWN_OVERDUE_SHOWN = 100


def assessment_url(assessment_id: int) -> str:
    return reverse("riskassessment:assessment-detail", args=[assessment_id])


class RaraActionAddView(
    RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView
):
    allowed_roles = CASE_WRITERS
    template_name = "riskassessment/plans/add.html"

    @cached_property
    def assessment(self) -> RiskAssessment:
        return selectors.plan_assessment_get(
            viewer=self.request.user, assessment_id=self.kwargs["pk"]
        )

    def make_form(self, data=None) -> RaraActionAddForm:
        return RaraActionAddForm(
            data,
            owners=selectors.owner_candidates(borough_id=self.assessment.borough_id),
            initial={"owner": self.request.user.pk},
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def logged_record(self) -> RiskAssessment:
        return self.assessment

    def logged_label(self) -> str:
        return f"RARA plan: {assessment_label(self.assessment)}"

    def logged_subjects(self):
        return assessment_subjects([self.assessment])

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            action = self.run_service(
                form,
                services.rara_action_add,
                actor=request.user,
                assessment_id=self.assessment.pk,
                **form.cleaned_data,
            )
            messages.success(request, f"{action.action_type.name} added to the RARA plan.")
            return redirect(assessment_url(self.assessment.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "assessment": self.assessment,
            "incident": self.assessment.incident,
        }


class RaraActionEditView(
    RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView
):
    allowed_roles = CASE_WRITERS
    template_name = "riskassessment/plans/edit.html"

    @cached_property
    def action(self) -> RaraAction:
        return selectors.rara_action_get(viewer=self.request.user, action_id=self.kwargs["pk"])

    def make_form(self, data=None) -> RaraActionEditForm:
        action = self.action
        return RaraActionEditForm(
            data,
            statuses=services.statuses_reachable_from(action.status),
            initial={
                "version": action.version,
                "status": action.status,
                "due_date": action.due_date,
                "notes": action.notes,
                "declined_reason": action.declined_reason,
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def logged_record(self) -> RaraAction:
        return self.action

    def logged_label(self) -> str:
        return rara_action_label(self.action)

    def logged_subjects(self):
        return rara_action_subjects([self.action])

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            self.run_service(
                form,
                services.rara_action_update,
                actor=request.user,
                action_id=self.action.pk,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, f"{self.action.action_type.name} updated.")
            return redirect(assessment_url(self.action.assessment_id))
        return self.render_to_response(self.get_context_data(form=form))

    def saved_meanwhile(self):
        # Shown beside what was typed; the next save goes against the version now shown.
        return selectors.rara_action_get(viewer=self.request.user, action_id=self.action.pk)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "action": self.action,
            "assessment": self.action.assessment,
            "incident": self.action.assessment.incident,
        }


class RaraOverdueView(RoleRequiredMixin, TemplateView):
    """Overdue actions for their owner, and for a supervisor everything overdue in scope."""

    allowed_roles = CASE_READERS
    template_name = "riskassessment/plans/overdue.html"

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        today = london_today()
        own = list(selectors.overdue_actions_for_owner(viewer=viewer)[: OWN_OVERDUE_SHOWN + 1])
        context = {
            **super().get_context_data(**kwargs),
            "own_actions": own[:OWN_OVERDUE_SHOWN],
            "own_truncated": len(own) > OWN_OVERDUE_SHOWN,
            "own_shown": OWN_OVERDUE_SHOWN,
            "is_supervisor": has_role(viewer, SUPERVISORS),
            "is_pan_london": viewer_borough_id(viewer) is None,
            "can_update": has_role(viewer, CASE_WRITERS),
        }
        rows = list(context["own_actions"])
        if context["is_supervisor"]:
            page = paginate_without_count(
                selectors.overdue_actions_for_supervisor(viewer=viewer),
                self.request.GET.get("page"),
            )
            context.update(
                page_obj=page,
                scope_actions=page.object_list,
                query_string_without_page=query_string_without_page(self.request),
            )
            rows += page.object_list
        for action in rows:
            action.days_overdue = (today - action.due_date).days
        access_log_record(request=self.request, objects=rows, subjects=rara_action_subjects(rows))
        return context


urlpatterns = [
    path("assessments/<int:pk>/plan/add/", RaraActionAddView.as_view(), name="rara-action-add"),
    path("plan/actions/<int:pk>/", RaraActionEditView.as_view(), name="rara-action-edit"),
    path("plan/overdue/", RaraOverdueView.as_view(), name="rara-overdue"),
]
