"""MARAC meeting pages: the list, scheduling and changing a meeting, and one meeting with its
ordered agenda, time slots and attendance. Coordinators of the meeting's borough team only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.views import View
from django.views.generic import TemplateView

from publicprotection.access.scope import get_visible_or_404
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.services import access_log_record
from publicprotection.govuk_forms import apply_service_errors
from publicprotection.pagination import paginate_without_count, query_string_without_page

from ..forms_referrals import AttendanceForm, MeetingForm
from ..selectors import meetings as selectors
from ..services import meetings as services
from ..services.referrals import ReferralStateError


class MeetingRoleMixin(RoleRequiredMixin):
    allowed_roles = selectors.MEETING_READERS


class MeetingListView(MeetingRoleMixin, TemplateView):
    template_name = "marac/meetings/list.html"

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        page = paginate_without_count(
            selectors.meeting_list(viewer=viewer), self.request.GET.get("page")
        )
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "meetings": page.object_list,
            "can_schedule": viewer.team is not None and not viewer.team.is_central,
            "query_string_without_page": query_string_without_page(self.request),
        }


class MeetingFormView(MeetingRoleMixin, TemplateView):
    template_name = "marac/meetings/form.html"
    meeting = None

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=MeetingForm(initial=self.initial()))
        )

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = self.save(form.cleaned_data)
            except ReferralStateError as exc:
                messages.warning(request, str(exc))
                return redirect("marac:meeting-detail", pk=self.meeting.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Meeting saved.")
                return redirect("marac:meeting-detail", pk=meeting.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "meeting": self.meeting}


class MeetingCreateView(MeetingFormView):
    def initial(self):
        return services.meeting_defaults(team=self.request.user.team)

    def save(self, data):
        team = self.request.user.team
        return services.meeting_create(
            actor=self.request.user, team=None if team.is_central else team, **data
        )


class MeetingEditView(MeetingFormView):
    def get(self, request, *args, **kwargs):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def initial(self):
        return {name: getattr(self.meeting, name) for name in services.MEETING_FIELDS}

    def save(self, data):
        return services.meeting_update(actor=self.request.user, meeting_id=self.meeting.pk, **data)


class MeetingDetailView(MeetingRoleMixin, TemplateView):
    template_name = "marac/meetings/detail.html"

    def get(self, request, *args, **kwargs):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=kwargs["pk"])
        access_log_record(request=request, obj=self.meeting)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "agenda": selectors.meeting_agenda(self.meeting),
            "attendance": selectors.meeting_attendance(self.meeting),
            "form": kwargs.get("form") or AttendanceForm(),
        }


class AttendanceAddView(MeetingDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        form = AttendanceForm(request.POST)
        if form.is_valid():
            try:
                services.attendance_add(
                    actor=request.user, meeting=self.meeting, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['person_name']} added.")
                return redirect("marac:meeting-detail", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AttendanceAcknowledgeView(MeetingRoleMixin, View):
    def post(self, request, pk, attendance_pk):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        attendance = get_visible_or_404(meeting.attendance.all(), pk=attendance_pk)
        try:
            services.attendance_acknowledge(actor=request.user, attendance_id=attendance.pk)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{attendance.person_name} acknowledged the statement.")
        return redirect("marac:meeting-detail", pk=pk)


urlpatterns = [
    path("meetings/", MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/edit/", MeetingEditView.as_view(), name="meeting-edit"),
    path("meetings/<int:pk>/attendance/", AttendanceAddView.as_view(), name="meeting-attendance"),
    path(
        "meetings/<int:pk>/attendance/<int:attendance_pk>/acknowledge/",
        AttendanceAcknowledgeView.as_view(),
        name="meeting-attendance-acknowledge",
    ),
]
