"""Supervisor review of gradings: the queue, and confirming or regrading one assessment.

Thin: the role is checked first (403), then the assessment is loaded through the viewer-scoped
selector (another borough's is a 404), then one service is called. The services decide when a
rationale or a new level is needed, and who may review (never the assessment's author)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from publicprotection.access.roles import SUPERVISORS
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.service_forms import ServiceFormMixin

from ..access_log import assessment_label, assessment_subjects
from ..forms.reviews import REGRADE, GradingReviewForm
from ..models import AnswerValue, Level, RiskAssessment
from ..selectors import assessments as selectors
from ..services import assessments as services


def information_gaps(assessment: RiskAssessment) -> list:
    """The answers still 'not known', from the prefetched answers."""
    return [a for a in assessment.answers.all() if a.value == AnswerValue.NOT_KNOWN]


class GradingReviewQueueView(RoleRequiredMixin, TemplateView):
    allowed_roles = SUPERVISORS
    template_name = "riskassessment/reviews/queue.html"

    def get_context_data(self, **kwargs):
        page = paginate_without_count(
            selectors.grading_review_queue(viewer=self.request.user),
            self.request.GET.get("page"),
        )
        access_log_record(
            request=self.request,
            objects=page.object_list,
            subjects=assessment_subjects(page.object_list),
        )
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "assessments": page.object_list,
            "query_string_without_page": query_string_without_page(self.request),
        }


class GradingReviewView(RecordPageReadLoggedMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    allowed_roles = SUPERVISORS
    template_name = "riskassessment/reviews/review.html"
    form_class = GradingReviewForm
    # A supervisor who may review gradings, but not this one (they made or submitted it).
    permission_denied_on_form = True

    @cached_property
    def assessment(self) -> RiskAssessment:
        return selectors.assessment_get(viewer=self.request.user, assessment_id=self.kwargs["pk"])

    def logged_record(self) -> RiskAssessment:
        return self.assessment

    def logged_label(self) -> str:
        return assessment_label(self.assessment)

    def logged_subjects(self):
        return assessment_subjects([self.assessment])

    def post(self, request, *args, **kwargs):
        if not self.assessment.can_review():
            messages.warning(
                request,
                "This assessment is not awaiting review: "
                f"{self.assessment.get_status_display().lower()}.",
            )
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        assessment = self.assessment
        person = assessment.person.full_name
        if data["action"] == REGRADE:
            self.run_service(
                form,
                services.assessment_regrade,
                actor=self.request.user,
                assessment_id=assessment.pk,
                level=data["level"],
                rationale=data["rationale"],
                marac_decision=data["marac_decision"],
                marac_not_referred_reason=data["marac_not_referred_reason"],
            )
            message = (
                f"{person} regraded from {assessment.get_final_level_display().lower()} "
                f"to {Level(data['level']).label.lower()} risk."
            )
        else:
            self.run_service(
                form,
                services.assessment_confirm,
                actor=self.request.user,
                assessment_id=assessment.pk,
                rationale=data["rationale"],
            )
            message = (
                f"Grading of {person} confirmed: "
                f"{assessment.get_final_level_display().lower()} risk."
            )
        messages.success(self.request, message)
        return redirect(reverse("riskassessment:grading-review-queue"))

    def get_context_data(self, **kwargs):
        assessment = self.assessment
        refusal = services.grading_review_refusal(actor=self.request.user, assessment=assessment)
        return {
            **super().get_context_data(**kwargs),
            "assessment": assessment,
            "incident": assessment.incident,
            "information_gaps": information_gaps(assessment),
            "is_own_assessment": assessment.created_by_id == self.request.user.pk,
            "review_refusal": refusal,
            "can_act": assessment.can_review() and not refusal,
        }


urlpatterns = [
    path("reviews/", GradingReviewQueueView.as_view(), name="grading-review-queue"),
    path("reviews/<int:pk>/", GradingReviewView.as_view(), name="grading-review"),
]
