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

from ..forms_partners import ActionForm, InvitationForm
from ..forms_referrals import AttendanceForm, MeetingForm
from ..selectors import actions as action_selectors
from ..selectors import meetings as selectors
from ..services import actions as action_services
from ..services import meetings as services
from ..services import sharing as sharing_services
from ..services.referrals import ReferralStateError


def _choices_loaded_once(form):
    """The action form is rendered once per case: load the agency list once, not per case."""
    field = form.fields["agency"]
    field.choices = list(field.choices)
    return form


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
        agenda = selectors.meeting_agenda(self.meeting)
        research = selectors.meeting_research(self.meeting)
        actions = action_selectors.meeting_actions(self.meeting)
        case_plans = [
            {
                "case": case,
                "research": research.get(case.listing.pk, []),
                "actions": actions.get(case.listing.pk, []),
            }
            for entry in agenda
            for case in entry.cases
        ]
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "agenda": agenda,
            "case_plans": case_plans,
            "attendance": selectors.meeting_attendance(self.meeting),
            "form": kwargs.get("form") or AttendanceForm(),
            "invitations": selectors.meeting_invitations(self.meeting),
            "invitation_form": kwargs.get("invitation_form") or InvitationForm(),
            "action_form": _choices_loaded_once(kwargs.get("action_form") or ActionForm()),
            "action_listing_pk": kwargs.get("action_listing_pk"),
        }


class InvitationAddView(MeetingDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                sharing_services.meeting_invite(
                    actor=request.user, meeting=self.meeting, agency=form.cleaned_data["agency"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['agency']} invited.")
                return redirect("marac:meeting-detail", pk=pk)
        return self.render_to_response(self.get_context_data(invitation_form=form), status=400)


class InvitationWithdrawView(MeetingRoleMixin, View):
    def post(self, request, pk, invitation_pk):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        invitation = get_visible_or_404(meeting.invitations.all(), pk=invitation_pk)
        sharing_services.meeting_invitation_withdraw(
            actor=request.user, invitation_id=invitation.pk
        )
        messages.success(request, "Invitation withdrawn; the agency no longer sees these cases.")
        return redirect("marac:meeting-detail", pk=pk)


class ActionCreateView(MeetingDetailView):
    http_method_names = ["post"]

    def post(self, request, pk, listing_pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        listing = get_visible_or_404(self.meeting.listings.all(), pk=listing_pk)
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                action_services.action_create(
                    actor=request.user, listing=listing, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Action added.")
                return redirect("marac:meeting-detail", pk=pk)
        context = self.get_context_data(action_form=form, action_listing_pk=listing.pk)
        return self.render_to_response(context, status=400)


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
    path("meetings/<int:pk>/invitations/", InvitationAddView.as_view(), name="meeting-invite"),
    path(
        "meetings/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        InvitationWithdrawView.as_view(),
        name="meeting-invitation-withdraw",
    ),
    path(
        "meetings/<int:pk>/cases/<int:listing_pk>/actions/",
        ActionCreateView.as_view(),
        name="meeting-action-create",
    ),
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
