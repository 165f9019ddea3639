"""MARAC referral pages: the list with a status filter, a new referral from an assessment,
and one referral with its history and the coordinator's triage (accept, reject with a reason,
list at a meeting). Thin: role check (403), scoped selector (404), one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.timezone import localtime
from django.views.generic import TemplateView

from publicprotection.access.roles import MARAC_COORDINATORS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.query_params import whole_number
from publicprotection.row_links import url_for_each
from publicprotection.service_forms import ServiceActionView, ServiceFormMixin

from ..access_log import referral_label, referral_subjects
from ..forms_referrals import ListAtMeetingForm, ReferralForm, RejectForm
from ..models import MaracReferral, ReferralCriterion, ReferralStatus
from ..selectors import meetings as meeting_selectors
from ..selectors import referrals as selectors
from ..services import meetings as meeting_services
from ..services import referrals as services


class CoordinatorMixin(RoleRequiredMixin):
    allowed_roles = selectors.REFERRAL_READERS


class ReferralListView(CoordinatorMixin, TemplateView):
    template_name = "marac/referrals/list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        if status not in ReferralStatus.values:
            status = ""
        page = paginate_without_count(
            selectors.referral_list(viewer=self.request.user, status=status),
            self.request.GET.get("page"),
        )
        access_log_record(
            request=self.request,
            objects=page.object_list,
            subjects=referral_subjects(page.object_list),
        )
        referral_url = url_for_each("marac:referral-detail")  # one reverse for the page
        for referral in page.object_list:
            referral.detail_url = referral_url(referral.pk)
        return {
            **super().get_context_data(**kwargs),
            "status": status,
            "statuses": ReferralStatus.choices,
            "page_obj": page,
            "referrals": page.object_list,
            "query_string_without_page": query_string_without_page(self.request),
        }


class ReferralCreateView(
    RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView
):
    """New referral from an assessment: ?assessment=<id>. Suggested criteria are pre-ticked."""

    invalid_status = 400
    allowed_roles = selectors.REFERRAL_CREATORS
    template_name = "marac/referrals/new.html"

    def _assessment(self):
        assessment_id = whole_number(self.request.GET.get("assessment", ""))
        if assessment_id is None:
            raise Http404("No such assessment")
        return selectors.referable_assessment_get(
            viewer=self.request.user, assessment_id=assessment_id
        )

    def get(self, request, *args, **kwargs):
        self.assessment = self._assessment()
        self.suggested = selectors.suggested_criteria(assessment=self.assessment)
        # Filled from the records (the referrer checks it): the criteria, the victim's safe
        # contact, language, the children and the perpetrators.
        initial = selectors.referral_initial_from_records(assessment=self.assessment)
        form = self._form(initial={**initial, "criteria": [s.criterion for s in self.suggested]})
        return self.render_to_response(self.get_context_data(form=form))

    def logged_record(self):
        return self.assessment

    def logged_subjects(self):
        # The form shows the victim and the perpetrator candidates by name; the assessment is
        # the victim's.
        return [self.assessment.person_id]

    def _form(self, data=None, initial=None) -> ReferralForm:
        return ReferralForm(
            data,
            initial=initial,
            candidates=selectors.perpetrator_candidates(
                viewer=self.request.user, assessment=self.assessment
            ),
            repeat_on_record=any(s.criterion == ReferralCriterion.REPEAT for s in self.suggested),
        )

    def post(self, request, *args, **kwargs):
        self.assessment = self._assessment()
        self.suggested = selectors.suggested_criteria(assessment=self.assessment)
        form = self._form(request.POST)
        if form.is_valid():
            referral = self.run_service(
                form,
                services.referral_create,
                actor=request.user,
                assessment=self.assessment,
                **form.cleaned_data,
            )
            messages.success(request, f"{self.assessment.person.full_name} referred to MARAC.")
            if has_role(request.user, MARAC_COORDINATORS):
                return redirect("marac:referral-detail", pk=referral.pk)
            return redirect("riskassessment:assessment-detail", pk=self.assessment.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "assessment": self.assessment,
            "suggested": self.suggested,
        }


class ReferralDetailView(RecordPageReadLoggedMixin, CoordinatorMixin, TemplateView):
    template_name = "marac/referrals/detail.html"

    def get(self, request, *args, **kwargs):
        self.referral = selectors.referral_get(viewer=request.user, referral_id=kwargs["pk"])
        return self.render_to_response(self.get_context_data())

    def logged_record(self) -> MaracReferral:
        return self.referral

    def logged_label(self) -> str:
        return referral_label(self.referral)

    def logged_subjects(self):
        return referral_subjects([self.referral])

    def get_context_data(self, **kwargs):
        referral = self.referral
        meetings = meeting_selectors.meetings_with_space_for(
            viewer=self.request.user, referral=referral
        )
        return {
            "referral": referral,
            "perpetrators": selectors.named_perpetrators(
                viewer=self.request.user, referrals=[referral]
            )[referral.pk],
            "history": list(referral.history.all()),
            "listings": list(referral.listings.all()),
            "reject_form": kwargs.get("reject_form") or RejectForm(),
            "list_form": kwargs.get("list_form")
            or ListAtMeetingForm(meetings=meetings, is_repeat=referral.is_repeat),
            "has_meetings": meetings.exists() if referral.can_list() else False,
            "error_form": kwargs.get("reject_form") or kwargs.get("list_form"),
            **super().get_context_data(**kwargs),
        }


class ReferralStateErrorMixin(ServiceFormMixin):
    """Someone else triaged the referral meanwhile: its page shows where it is now."""

    invalid_status = 400

    def state_error_url(self) -> str:
        return reverse("marac:referral-detail", args=[self.kwargs["pk"]])


class ReferralAcceptView(CoordinatorMixin, ServiceActionView):
    success_message = "Referral accepted."

    def load(self):
        self.referral = selectors.referral_get(
            viewer=self.request.user, referral_id=self.kwargs["pk"]
        )

    def perform(self):
        services.referral_accept(actor=self.request.user, referral_id=self.referral.pk)

    def back_url(self) -> str:
        # Where the referral is now (someone else may have triaged it meanwhile).
        return reverse("marac:referral-detail", args=[self.referral.pk])


class ReferralRejectView(ReferralStateErrorMixin, ReferralDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        self.referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        form = RejectForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.referral_reject,
                actor=request.user,
                referral_id=pk,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Referral rejected.")
            return redirect("marac:referral-detail", pk=pk)
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        return self.render_to_response(self.get_context_data(reject_form=form), status=status)


class ReferralListAtMeetingView(ReferralStateErrorMixin, ReferralDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        self.referral = selectors.referral_get(viewer=request.user, referral_id=pk)
        meetings = meeting_selectors.meetings_with_space_for(
            viewer=request.user, referral=self.referral
        )
        form = ListAtMeetingForm(request.POST, meetings=meetings, is_repeat=self.referral.is_repeat)
        if form.is_valid():
            meeting = form.cleaned_data["meeting"]
            self.run_service(
                form,
                meeting_services.referral_list_at_meeting,
                actor=request.user,
                referral_id=pk,
                meeting_id=meeting.pk,
                twelve_month_review=form.cleaned_data.get("twelve_month_review", False),
            )
            messages.success(
                request, f"Listed at the meeting on {localtime(meeting.starts_at):%d %B %Y}."
            )
            return redirect("marac:meeting-agenda", pk=meeting.pk)
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        return self.render_to_response(self.get_context_data(list_form=form), status=status)


urlpatterns = [
    path("referrals/", ReferralListView.as_view(), name="referral-list"),
    path("referrals/new/", ReferralCreateView.as_view(), name="referral-create"),
    path("referrals/<int:pk>/", ReferralDetailView.as_view(), name="referral-detail"),
    path("referrals/<int:pk>/accept/", ReferralAcceptView.as_view(), name="referral-accept"),
    path("referrals/<int:pk>/reject/", ReferralRejectView.as_view(), name="referral-reject"),
    path("referrals/<int:pk>/list/", ReferralListAtMeetingView.as_view(), name="referral-list-at"),
]
