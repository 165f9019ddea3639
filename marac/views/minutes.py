"""The minutes of a MARAC meeting, assembled from its records, and the coordinator's form for
each case's discussion summary."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from publicprotection.access.scope import get_visible_or_404
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin

from ..access_log import meeting_subjects
from ..forms_partners import DiscussionForm
from ..models import CaseDiscussion, MaracMeeting
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

    def logged_subjects(self):
        return meeting_subjects(self.meeting)

    def get_context_data(self, **kwargs):
        minutes = selectors.meeting_minutes(self.meeting)
        posted, posted_pk = kwargs.get("form"), kwargs.get("form_listing_pk")
        # Each case's form opens on its summary and the version it was read at; a refused one
        # is shown again as it was posted.
        case_forms = [
            (
                case,
                posted
                if posted is not None and case.listing.pk == posted_pk
                else discussion_form(
                    case.listing.pk, initial={"summary": case.summary, "version": case.version}
                ),
            )  # fmt: skip
            for case in minutes.cases
        ]
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "minutes": minutes,
            "case_forms": case_forms,
            "form": posted or DiscussionForm(),
            "form_listing_pk": posted_pk,
        }


def discussion_form(listing_pk: int, data=None, **kwargs) -> DiscussionForm:
    # One form per case on the page: ids unique to the case.
    return DiscussionForm(data, auto_id=f"case-{listing_pk}-%s", **kwargs)


class DiscussionSaveView(MinutesView):
    http_method_names = ["post"]

    def post(self, request, pk, listing_pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        self.listing = listing = get_visible_or_404(self.meeting.listings.all(), pk=listing_pk)
        form = discussion_form(listing.pk, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            self.run_service(
                form,
                services.case_discussion_save,
                actor=request.user,
                listing=listing,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, "Discussion summary saved.")
            return redirect("marac:meeting-minutes", pk=pk)
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # Keep what was typed; the next save goes against the summary saved meanwhile (shown
        # above the form).
        return CaseDiscussion.objects.filter(listing=self.listing).first()

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
