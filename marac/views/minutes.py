"""The minutes of a MARAC meeting, assembled from its records, and the coordinator's form for
each case's discussion summary."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.scope import get_visible_or_404
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin

from ..forms_partners import DiscussionForm
from ..models import MaracMeeting
from ..selectors import meetings as selectors
from ..services import meetings as services
from .meetings import MeetingRoleMixin


class MinutesView(RecordPageReadLoggedMixin, MeetingRoleMixin, TemplateView):
    template_name = "marac/meetings/minutes.html"

    def get(self, request, pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        return self.render_to_response(self.get_context_data())

    def logged_record(self) -> MaracMeeting:
        return self.meeting

    def logged_label(self) -> str:
        return f"Minutes: {self.meeting}"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "minutes": selectors.meeting_minutes(self.meeting),
            "form": kwargs.get("form") or DiscussionForm(),
            "form_listing_pk": kwargs.get("form_listing_pk"),
        }


class DiscussionSaveView(MinutesView):
    http_method_names = ["post"]

    def post(self, request, pk, listing_pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        self.listing = listing = get_visible_or_404(self.meeting.listings.all(), pk=listing_pk)
        form = DiscussionForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.case_discussion_save,
                actor=request.user,
                listing=listing,
                **form.cleaned_data,
            )
            messages.success(request, "Discussion summary saved.")
            return redirect("marac:meeting-minutes", pk=pk)
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        context = self.get_context_data(form=form, form_listing_pk=self.listing.pk)
        return self.render_to_response(context, status=status)


urlpatterns = [
    path("meetings/<int:pk>/minutes/", MinutesView.as_view(), name="meeting-minutes"),
    path(
        "meetings/<int:pk>/cases/<int:listing_pk>/discussion/",
        DiscussionSaveView.as_view(),
        name="meeting-discussion",
    ),
]
