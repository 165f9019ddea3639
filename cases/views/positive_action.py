"""Positive action pages: the supervisor review queue, reviews, officers' responses, and
outstanding suspects. Thin: every page loads the decision through the viewer-scoped selector
(out of scope is a 404) after the role check (wrong role is a 403), then calls one service."""

from __future__ import annotations

import math

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from publicprotection.access.roles import CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.service_forms import ServiceFormMixin

from ..access_log import decision_subjects
from ..forms.positive_action import (
    RETURN,
    CloseOutstandingForm,
    RecordArrestForm,
    RespondForm,
    ReviewForm,
)
from ..models import ArrestDecision
from ..selectors import positive_action as selectors
from ..services import positive_action as services

RETURNED_SHOWN = 50


def latest_return(decision: ArrestDecision):
    """The supervisor's most recent return, from the prefetched events."""
    returns = [e for e in decision.review_events.all() if e.is_return]
    return returns[-1] if returns else None


# --- Lists --------------------------------------------------------------------------------------


class ReviewQueueView(RoleRequiredMixin, TemplateView):
    allowed_roles = SUPERVISORS
    template_name = "cases/positive_action/review_queue.html"

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        page = paginate_without_count(
            selectors.review_queue(viewer=viewer), self.request.GET.get("page")
        )
        now = timezone.now()
        for decision in page:
            due = decision.review_due_at or now
            decision.hours_left = max(math.ceil((due - now).total_seconds() / 3600), 0)
        returned = list(selectors.returned_to_officer(viewer=viewer)[: RETURNED_SHOWN + 1])
        shown = [*page.object_list, *returned[:RETURNED_SHOWN]]
        access_log_record(request=self.request, objects=shown, subjects=decision_subjects(shown))
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "decisions": page.object_list,
            "returned": returned[:RETURNED_SHOWN],
            "returned_truncated": len(returned) > RETURNED_SHOWN,
            "returned_shown": RETURNED_SHOWN,
            "query_string_without_page": query_string_without_page(self.request),
        }


class OutstandingSuspectsView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_WRITERS
    template_name = "cases/positive_action/outstanding_suspects.html"

    def get_context_data(self, **kwargs):
        page = paginate_without_count(
            selectors.outstanding_suspects(viewer=self.request.user), self.request.GET.get("page")
        )
        today = london_today()
        for decision in page:
            decision.days_outstanding = (today - timezone.localdate(decision.decided_at)).days
        access_log_record(
            request=self.request,
            objects=page.object_list,
            subjects=decision_subjects(page.object_list),
        )
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "decisions": page.object_list,
            "can_close": has_role(self.request.user, SUPERVISORS),
            "query_string_without_page": query_string_without_page(self.request),
        }


# --- One decision -------------------------------------------------------------------------------


class DecisionFormView(RecordPageReadLoggedMixin, RoleRequiredMixin, ServiceFormMixin, FormView):
    """A form about one decision. The decision is loaded (scoped) before anything else runs."""

    success_message = ""
    # The service's rule (not this reviewer, say) in its own words, on the page.
    permission_denied_on_form = True

    @cached_property
    def decision(self) -> ArrestDecision:
        return selectors.decision_get(viewer=self.request.user, decision_id=self.kwargs["pk"])

    def logged_record(self):
        return self.decision.incident

    def logged_subjects(self):
        return decision_subjects([self.decision])

    def logged_label(self) -> str:
        return self.decision.incident.reference

    def post(self, request, *args, **kwargs):
        self.decision  # noqa: B018 -- 404 before the form is even read
        if not self.can_act():
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def can_act(self) -> bool:
        raise NotImplementedError

    def call_service(self, data: dict) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        self.run_service(form, self.call_service, data=form.cleaned_data)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def state_error_url(self) -> str:
        # Someone else moved the decision on since the page was opened: show where it is.
        return self.request.path

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "decision": self.decision,
            "incident": self.decision.incident,
            "can_act": self.can_act(),
        }


class ReviewDecisionView(DecisionFormView):
    allowed_roles = SUPERVISORS
    template_name = "cases/positive_action/review_decision.html"
    form_class = ReviewForm

    def can_act(self) -> bool:
        return self.decision.can_review() and not self.review_refusal

    @cached_property
    def review_refusal(self) -> str | None:
        return services.review_refusal(actor=self.request.user, decision=self.decision)

    def call_service(self, data: dict) -> None:
        if data["action"] == RETURN:
            services.arrest_decision_return(
                actor=self.request.user,
                decision_id=self.decision.pk,
                required_action=data["required_action"],
                comment=data["comment"],
            )
            self.success_message = (
                f"Decision on {self.decision.suspect.person} returned to the officer."
            )
        else:
            services.arrest_decision_endorse(
                actor=self.request.user,
                decision_id=self.decision.pk,
                comment=data["comment"],
            )
            self.success_message = f"Decision on {self.decision.suspect.person} endorsed."

    def get_success_url(self) -> str:
        return reverse("cases:review-queue")

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The page also shows the victims' earlier incidents: a read of those people.
        victims = [victim.party.person for victim in self.review_case.victims]
        access_log_record(request=self.request, objects=victims, purpose="Review of a decision")
        return response

    @cached_property
    def review_case(self):
        return selectors.decision_review_case(viewer=self.request.user, decision=self.decision)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "review_refusal": self.review_refusal,
            "case": self.review_case,
            "history_shown": selectors.REVIEW_HISTORY_SHOWN,
        }


class RespondDecisionView(DecisionFormView):
    allowed_roles = CASE_WRITERS
    template_name = "cases/positive_action/respond_decision.html"
    form_class = RespondForm
    success_message = "Your response has been sent to the supervisor for review."

    def can_act(self) -> bool:
        return self.decision.can_respond() and not services.respond_refusal(
            actor=self.request.user, decision=self.decision
        )

    def call_service(self, data: dict) -> None:
        services.arrest_decision_respond(
            actor=self.request.user,
            decision_id=self.decision.pk,
            response=data["response"],
        )

    def get_success_url(self) -> str:
        return reverse("cases:incident-detail", args=[self.decision.incident.reference])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "returned": latest_return(self.decision)}


class RecordArrestView(DecisionFormView):
    allowed_roles = CASE_WRITERS
    template_name = "cases/positive_action/record_arrest.html"
    form_class = RecordArrestForm

    def can_act(self) -> bool:
        return self.decision.is_outstanding

    def call_service(self, data: dict) -> None:
        services.outstanding_suspect_arrested(
            actor=self.request.user,
            decision_id=self.decision.pk,
            arrested_at=data["arrested_at"],
            arrested_by=data["arrested_by"],
        )
        self.success_message = f"Arrest of {self.decision.suspect.person} recorded."

    def get_success_url(self) -> str:
        return reverse("cases:outstanding-suspects")


class CloseOutstandingView(DecisionFormView):
    allowed_roles = SUPERVISORS
    template_name = "cases/positive_action/close_outstanding.html"
    form_class = CloseOutstandingForm

    def can_act(self) -> bool:
        return self.decision.is_outstanding

    def call_service(self, data: dict) -> None:
        services.outstanding_suspect_close(
            actor=self.request.user,
            decision_id=self.decision.pk,
            comment=data["comment"],
        )
        self.success_message = (
            f"{self.decision.suspect.person} is no longer an outstanding suspect."
        )

    def get_success_url(self) -> str:
        return reverse("cases:outstanding-suspects")


urlpatterns = [
    path("reviews/", ReviewQueueView.as_view(), name="review-queue"),
    path("reviews/<int:pk>/", ReviewDecisionView.as_view(), name="review-decision"),
    path("decisions/<int:pk>/respond/", RespondDecisionView.as_view(), name="respond-decision"),
    path("decisions/<int:pk>/arrested/", RecordArrestView.as_view(), name="record-arrest"),
    path(
        "decisions/<int:pk>/close-outstanding/",
        CloseOutstandingView.as_view(),
        name="close-outstanding",
    ),
    path("outstanding-suspects/", OutstandingSuspectsView.as_view(), name="outstanding-suspects"),
]
