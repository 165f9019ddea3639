"""MARAC meeting pages: the list, scheduling and changing a meeting, and one meeting with its
ordered agenda, time slots and attendance; marking it held, cancelling it, and taking a case
off it. Coordinators of the meeting's borough team only."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from publicprotection.access.scope import get_visible_or_404
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.service_forms import ServiceActionView, ServiceFormMixin

from ..access_log import action_label, action_subjects, meeting_subjects
from ..forms_partners import ActionForm, ActionReassignForm, InvitationForm
from ..forms_referrals import AttendanceForm, MeetingForm
from ..models import ActionStatus, DocumentKind, MaracAction, MaracCaseListing, MaracMeeting
from ..selectors import actions as action_selectors
from ..selectors import documents as document_selectors
from ..selectors import meetings as selectors
from ..services import actions as action_services
from ..services import meetings as services
from ..services import sharing as sharing_services
from .packs import document_block

# The page holds several forms, and an action form per case: each gets its own ids so that
# every label points at its own field (ids must be unique on a page).
INVITATION_IDS = "invite-%s"
ATTENDANCE_IDS = "attendance-%s"
ACTION_FIELDS_TEMPLATE = "marac/meetings/includes/action_form_fields.html"
ACTIONS_WITHOUT_ACCESS = "#actions-without-access"


def action_form_ids(listing_pk: int) -> str:
    return f"action-{listing_pk}-%s"


def _share_agency_choices(forms) -> list:
    """The page's agency lists (attendance, invitation, every action form) are one query,
    `Agency.objects.order_by("name")`: load it once and give each form the same choices.
    Validation still checks a submitted agency against each field's own queryset."""
    choices = None
    for form in forms:
        field = form.fields["agency"]
        if choices is None:
            # Iterating, not list(), which would first COUNT the agencies.
            choices = [*iter(field.choices)]
        field.choices = choices
    return choices


def _action_forms(case_plans, bound_form, bound_listing_pk, agency_choices):
    """Each case's "Add an action" fields, as markup.

    A blank form is the same for every case but for its ids, so it is rendered once and given
    each case's ids: rendering a form per case was most of the page's time with 18 cases. A form
    sent back with errors is rendered on its own. The placeholder is random so no text in the
    form (an agency's name) can match it.
    """
    placeholder = action_form_ids(f"new{secrets.token_hex(8)}") % ""
    blank_fields = None
    for plan in case_plans:
        pk = plan["case"].listing.pk
        if pk == bound_listing_pk:
            bound_form.fields["agency"].choices = agency_choices
            plan["action_fields"] = render_to_string(ACTION_FIELDS_TEMPLATE, {"form": bound_form})
            continue
        if blank_fields is None:
            blank = ActionForm(auto_id=f"{placeholder}%s")
            blank.fields["agency"].choices = agency_choices
            blank_fields = render_to_string(ACTION_FIELDS_TEMPLATE, {"form": blank})
        # The ids are the only difference between cases, and they contain only the pk.
        plan["action_fields"] = mark_safe(  # noqa: S308 - rendered by the template above
            blank_fields.replace(placeholder, action_form_ids(pk) % "")
        )


class MeetingRoleMixin(ServiceFormMixin, RoleRequiredMixin):
    allowed_roles = selectors.MEETING_READERS
    invalid_status = 400


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
            meeting = self.run_service(form, self.save, data=form.cleaned_data)
            messages.success(request, "Meeting saved.")
            return redirect("marac:meeting-detail", pk=meeting.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def saved_meanwhile(self):
        # Keep what was typed; the next save goes against the version saved meanwhile.
        return MaracMeeting.objects.get(pk=self.meeting.pk)

    def state_error_url(self) -> str | None:
        # The meeting is no longer scheduled: its page shows where it is now.
        return reverse("marac:meeting-detail", args=[self.meeting.pk]) if self.meeting else None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "meeting": self.meeting}


class MeetingCreateView(MeetingFormView):
    def initial(self):
        return services.meeting_defaults(team=self.request.user.team)

    def save(self, data):
        team = self.request.user.team
        data.pop("version", None)
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
        initial = {name: getattr(self.meeting, name) for name in services.MEETING_FIELDS}
        return {**initial, "version": self.meeting.version}

    def save(self, data):
        return services.meeting_update(
            actor=self.request.user,
            meeting_id=self.meeting.pk,
            # A form without the version it was opened on is treated as stale.
            expected_version=data.pop("version", None) or 0,
            **data,
        )


# The meeting page is split into sections a coordinator moves between (MOJ sub-navigation),
# each at its own URL and loading only its own part: with 20 cases, research, action plans
# and every form on one page ran to thousands of pixels and a query for each part.
# (slug, title, URL name)
MEETING_SECTIONS = [
    ("overview", "Overview", "marac:meeting-detail"),
    ("agenda", "Agenda", "marac:meeting-agenda"),
    ("research", "Research", "marac:meeting-research"),
    ("actions", "Action plans", "marac:meeting-actions"),
    ("invitations", "Invited agencies", "marac:meeting-invite"),
    ("attendance", "Attendance", "marac:meeting-attendance"),
]


class MeetingDetailView(RecordPageReadLoggedMixin, MeetingRoleMixin, TemplateView):
    """One section of a meeting (overview by default). Subclasses name their section."""

    template_name = "marac/meetings/detail.html"
    section = "overview"

    def get(self, request, *args, **kwargs):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=kwargs["pk"])
        return self.render_to_response(self.get_context_data())

    def logged_record(self) -> MaracMeeting:
        # Every section names the meeting's cases; a refused form shows the section again.
        return self.meeting

    def logged_subjects(self):
        return meeting_subjects(self.meeting)

    def get_context_data(self, **kwargs):
        build = getattr(self, f"_{self.section}_context")
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "section": self.section,
            "section_title": next(t for slug, t, _n in MEETING_SECTIONS if slug == self.section),
            "sections": [
                {
                    "slug": slug,
                    "title": title,
                    "url": reverse(name, args=[self.meeting.pk]),
                    "current": slug == self.section,
                }
                for slug, title, name in MEETING_SECTIONS
            ],
            **build(**kwargs),
        }

    def _cases(self) -> list:
        return [case for entry in selectors.meeting_agenda(self.meeting) for case in entry.cases]

    def _overview_context(self, **kwargs) -> dict:
        documents = document_selectors.documents_for(viewer=self.request.user, meeting=self.meeting)
        removals = []
        if self.meeting.can_cancel():  # scheduled: cases can still come off
            blockers = selectors.listing_removal_blockers(self.meeting)
            removals = [
                {"case": case, "blocker": blockers.get(case.listing.pk, "")}
                for case in self._cases()
            ]
        return {
            # The documents panel is rendered in the page (it works without JavaScript); htmx
            # only polls a copy that is being built.
            "document_blocks": [
                document_block(self.request, self.meeting, kind, documents[kind])
                for kind in DocumentKind
            ],
            "removals": removals,
            "case_count": self.meeting.listings.count(),
        }

    def _agenda_context(self, **kwargs) -> dict:
        return {"agenda": selectors.meeting_agenda(self.meeting)}

    def _research_context(self, **kwargs) -> dict:
        research = selectors.meeting_research(self.meeting)
        return {
            "case_plans": [
                {"case": case, "research": research.get(case.listing.pk, [])}
                for case in self._cases()
            ]
        }

    def _actions_context(self, **kwargs) -> dict:
        actions = action_selectors.meeting_actions(self.meeting)
        case_plans = [
            {"case": case, "actions": actions.get(case.listing.pk, [])} for case in self._cases()
        ]
        without_access = action_selectors.actions_without_access(self.meeting)
        agency_choices = _share_agency_choices([ActionForm()])
        _action_forms(
            case_plans, kwargs.get("action_form"), kwargs.get("action_listing_pk"), agency_choices
        )
        reassign_agencies = None
        if without_access and not self.meeting.is_cancelled:
            # The invited agencies, read once for every action's reassign form.
            reassign_agencies = [
                (invitation.agency.pk, invitation.agency.name)
                for invitation in selectors.meeting_invitations(self.meeting)
            ]
        return {
            "case_plans": case_plans,
            "action_form": kwargs.get("action_form"),
            "action_listing_pk": kwargs.get("action_listing_pk"),
            # Open actions whose agency no longer sees the case: reassign or close each.
            "actions_without_access": without_access,
            "reassign_agencies": reassign_agencies,
            "close_statuses": [
                (status.value, status.label)
                for status in (ActionStatus.NOT_POSSIBLE, ActionStatus.NOT_DONE, ActionStatus.DONE)
            ],
        }

    def _invitations_context(self, **kwargs) -> dict:
        invitation_form = kwargs.get("invitation_form") or InvitationForm(auto_id=INVITATION_IDS)
        invitations = selectors.meeting_invitations(self.meeting)
        held = action_selectors.open_actions_by_agency(self.meeting)
        for invitation in invitations:
            invitation.open_actions = held.get(invitation.agency_id, 0)
        return {"invitations": invitations, "invitation_form": invitation_form}

    def _attendance_context(self, **kwargs) -> dict:
        form = kwargs.get("form") or AttendanceForm(auto_id=ATTENDANCE_IDS)
        return {"attendance": selectors.meeting_attendance(self.meeting), "form": form}


class MeetingAgendaView(MeetingDetailView):
    section = "agenda"


class MeetingResearchView(MeetingDetailView):
    section = "research"


class MeetingActionsView(MeetingDetailView):
    section = "actions"


class InvitationAddView(MeetingDetailView):
    """The invited agencies section; POST invites one."""

    section = "invitations"

    def post(self, request, pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        form = InvitationForm(request.POST, auto_id=INVITATION_IDS)
        if form.is_valid():
            self.run_service(
                form,
                sharing_services.meeting_invite,
                actor=request.user,
                meeting=self.meeting,
                agency=form.cleaned_data["agency"],
            )
            messages.success(request, f"{form.cleaned_data['agency']} invited.")
            return redirect("marac:meeting-invite", pk=pk)
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        return self.render_to_response(self.get_context_data(invitation_form=form), status=status)


class MeetingActionView(MeetingRoleMixin, ServiceActionView):
    """A button on a meeting's page: the meeting is loaded through the viewer's scope first."""

    def load(self):
        self.meeting = selectors.meeting_get(viewer=self.request.user, meeting_id=self.kwargs["pk"])

    def back_url(self) -> str:
        return reverse("marac:meeting-detail", args=[self.meeting.pk])


class InvitationWithdrawView(MeetingActionView):
    def load(self):
        super().load()
        self.invitation = get_visible_or_404(
            self.meeting.invitations.select_related("agency"), pk=self.kwargs["invitation_pk"]
        )

    def perform(self):
        return sharing_services.meeting_invitation_withdraw(
            actor=self.request.user, invitation_id=self.invitation.pk
        )

    def get_success_message(self, held) -> str:
        message = f"Invitation withdrawn; {self.invitation.agency} no longer sees these cases."
        if held:
            count = "1 open action" if len(held) == 1 else f"{len(held)} open actions"
            message += f" It held {count} on them: reassign or close them below."
        return message

    def get_success_url(self, held) -> str:
        return reverse("marac:meeting-actions", args=[self.meeting.pk]) + ACTIONS_WITHOUT_ACCESS

    def back_url(self) -> str:
        return reverse("marac:meeting-invite", args=[self.meeting.pk])


class ActionCreateView(MeetingDetailView):
    http_method_names = ["post"]
    section = "actions"

    def post(self, request, pk, listing_pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        self.listing = listing = get_visible_or_404(self.meeting.listings.all(), pk=listing_pk)
        form = ActionForm(request.POST, auto_id=action_form_ids(listing.pk))
        if form.is_valid():
            self.run_service(
                form,
                action_services.action_create,
                actor=request.user,
                listing=listing,
                **form.cleaned_data,
            )
            messages.success(request, "Action added.")
            return redirect(reverse("marac:meeting-actions", args=[pk]) + f"#case-{listing.pk}")
        return self.form_rejected(form, 400)

    def form_rejected(self, form, status, **context):
        context = self.get_context_data(action_form=form, action_listing_pk=self.listing.pk)
        return self.render_to_response(context, status=status)


class ActionReassignView(RecordPageReadLoggedMixin, MeetingRoleMixin, TemplateView):
    """Give an open action of the meeting's cases to another invited agency. A refusal is shown
    on a page of its own, with the errors and what was typed; a stale one (someone reassigned or
    closed it since the form was opened) also with who holds it now."""

    http_method_names = ["post"]
    template_name = "marac/actions/reassign.html"

    def post(self, request, pk, action_pk):
        self.meeting = meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        self.action = action = get_visible_or_404(
            action_selectors.actions_visible_to(viewer=request.user).filter(
                listing__meeting=meeting
            ),
            pk=action_pk,
        )
        form = ActionReassignForm(request.POST, meeting=meeting)
        if form.is_valid():
            data = dict(form.cleaned_data)
            self.run_service(
                form,
                action_services.action_reassign,
                actor=request.user,
                action_id=action.pk,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, f"Action given to {data['agency']}.")
            return redirect(reverse("marac:meeting-actions", args=[pk]) + ACTIONS_WITHOUT_ACCESS)
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # Who holds it now, and the last update (the other reassignment): shown above the form,
        # which keeps what was typed and moves on to this version.
        return (
            action_selectors.actions_visible_to(viewer=self.request.user)
            .select_related("agency")
            .filter(pk=self.action.pk)
            .first()
        )

    def form_rejected(self, form, status, saved_meanwhile=None):
        context = self.get_context_data(
            meeting=self.meeting,
            action=self.action,
            form=form,
            saved_meanwhile=saved_meanwhile,
            last_update=saved_meanwhile.updates.order_by("-created_at", "-id").first()
            if saved_meanwhile
            else None,
        )
        return self.render_to_response(context, status=status)

    def logged_record(self) -> MaracAction:
        # The page names the action's victim.
        return self.action

    def logged_label(self) -> str:
        return action_label(self.action)

    def logged_subjects(self):
        return action_subjects([self.action])


class AttendanceAddView(MeetingDetailView):
    """The attendance section; POST adds an attendee or apologies."""

    section = "attendance"

    def post(self, request, pk):
        self.meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        form = AttendanceForm(request.POST, auto_id=ATTENDANCE_IDS)
        if form.is_valid():
            self.run_service(
                form,
                services.attendance_add,
                actor=request.user,
                meeting=self.meeting,
                **form.cleaned_data,
            )
            messages.success(request, f"{form.cleaned_data['person_name']} added.")
            return redirect("marac:meeting-attendance", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AttendanceAcknowledgeView(MeetingActionView):
    def load(self):
        super().load()
        self.attendance = get_visible_or_404(
            self.meeting.attendance.all(), pk=self.kwargs["attendance_pk"]
        )

    def perform(self):
        services.attendance_acknowledge(actor=self.request.user, attendance_id=self.attendance.pk)

    def get_success_message(self, result) -> str:
        return f"{self.attendance.person_name} acknowledged the statement."

    def back_url(self) -> str:
        return reverse("marac:meeting-attendance", args=[self.meeting.pk])


class MeetingTransitionView(MeetingActionView):
    """One transition of the meeting (the subclass's `service`), then back to its page."""

    def perform(self):
        self.service(actor=self.request.user, meeting=self.meeting)


class MeetingMarkHeldView(MeetingTransitionView):
    service = staticmethod(services.meeting_mark_held)
    success_message = "Meeting marked as held; its cases are heard."


class MeetingCancelView(MeetingTransitionView):
    service = staticmethod(services.meeting_cancel)
    success_message = (
        "Meeting cancelled. Its cases are back to be listed at another meeting, and the invited "
        "agencies no longer see them (nor their actions on them: close any still open below)."
    )


class ListingRemoveView(MeetingActionView):
    def load(self):
        super().load()
        self.listing = get_visible_or_404(
            self.meeting.listings.select_related("referral"), pk=self.kwargs["listing_pk"]
        )

    def perform(self):
        try:
            services.listing_remove(actor=self.request.user, listing=self.listing)
        except MaracCaseListing.DoesNotExist as exc:  # removed by someone else meanwhile
            raise Http404("No such record") from exc

    def get_success_message(self, result) -> str:
        return (
            f"{self.listing.referral.reference} removed from the meeting; it can be listed again."
        )


urlpatterns = [
    path("meetings/<int:pk>/held/", MeetingMarkHeldView.as_view(), name="meeting-held"),
    path("meetings/<int:pk>/cancel/", MeetingCancelView.as_view(), name="meeting-cancel"),
    path(
        "meetings/<int:pk>/cases/<int:listing_pk>/remove/",
        ListingRemoveView.as_view(),
        name="meeting-listing-remove",
    ),
    path("meetings/<int:pk>/invitations/", InvitationAddView.as_view(), name="meeting-invite"),
    path(
        "meetings/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        InvitationWithdrawView.as_view(),
        name="meeting-invitation-withdraw",
    ),
    path(
        "meetings/<int:pk>/actions/<int:action_pk>/reassign/",
        ActionReassignView.as_view(),
        name="meeting-action-reassign",
    ),
    path(
        "meetings/<int:pk>/cases/<int:listing_pk>/actions/",
        ActionCreateView.as_view(),
        name="meeting-action-create",
    ),
    path("meetings/", MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/agenda/", MeetingAgendaView.as_view(), name="meeting-agenda"),
    path("meetings/<int:pk>/research/", MeetingResearchView.as_view(), name="meeting-research"),
    path("meetings/<int:pk>/actions/", MeetingActionsView.as_view(), name="meeting-actions"),
    path("meetings/<int:pk>/edit/", MeetingEditView.as_view(), name="meeting-edit"),
    path("meetings/<int:pk>/attendance/", AttendanceAddView.as_view(), name="meeting-attendance"),
    path(
        "meetings/<int:pk>/attendance/<int:attendance_pk>/acknowledge/",
        AttendanceAcknowledgeView.as_view(),
        name="meeting-attendance-acknowledge",
    ),
]
