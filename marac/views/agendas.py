"""Daily meeting agenda pages: the list with status and (re)generation, one agenda with the
meeting's decisions, its status fragment for htmx polling, and the audited PDF download.

Thin: each view checks the role (403), loads the agenda through the viewer-scoped selector
(another team's agenda is a 404), then calls one service or renders."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.private_files import audited_pdf_download
from publicprotection.service_forms import ServiceActionView, ServiceFormMixin

from ..forms import AgendaDecisionForm
from ..models import Agenda, AgendaDecision
from ..pdf import agenda_sections
from ..selectors import agendas as selectors
from ..selectors.content import NOT_YET_AVAILABLE
from ..services import agendas as services

WAITING = (
    "Waiting for the background worker: the agenda will be built as soon as it is back. "
    "Your request is recorded; you do not need to ask again."
)


class AgendaRoleMixin(RoleRequiredMixin):
    allowed_roles = selectors.AGENDA_READERS


class AgendaListView(AgendaRoleMixin, TemplateView):
    template_name = "marac/agendas/list.html"

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        today = london_today()
        page = paginate_without_count(
            selectors.agenda_list(viewer=viewer), self.request.GET.get("page")
        )
        todays = (
            selectors.agendas_visible_to(viewer=viewer)
            .filter(team_id=viewer.team_id, meeting_date=today)
            .first()
        )
        next_meeting = selectors.next_meeting_date(today)
        generated_at = selectors.automatic_generation_time(next_meeting)
        next_agenda = (
            selectors.agendas_visible_to(viewer=viewer)
            .filter(team_id=viewer.team_id, meeting_date=next_meeting)
            .first()
            if next_meeting != today
            else None
        )
        return {
            **super().get_context_data(**kwargs),
            "today": today,
            "todays_agenda": todays,
            "next_meeting": next_meeting,
            "next_agenda": next_agenda,
            "automatic_generation_at": generated_at,
            "automatic_generation_passed": timezone.now() >= generated_at,
            "page_obj": page,
            "agendas": page.object_list,
            "query_string_without_page": query_string_without_page(self.request),
        }


class AgendaGenerateView(AgendaRoleMixin, ServiceActionView):
    """Generate (or regenerate) the viewer's own team's agenda for today, or, on a day with no
    meeting (a weekend, a bank holiday), for the next meeting: an agenda for a day without a
    meeting would be an extra "meeting" in the calendar's periods. One built before its meeting
    time is built again after it (marac.tasks.missing_team_ids)."""

    def team_and_date(self):
        return self.request.user.team, selectors.next_meeting_date(london_today())

    def perform(self):
        team, meeting_date = self.team_and_date()
        _, queued = services.agenda_request_generation(team=team, meeting_date=meeting_date)
        return queued

    def succeeded(self, queued):
        if queued is False:
            messages.warning(self.request, WAITING)
            return self.respond(self.back_url())
        return super().succeeded(queued)

    def get_success_message(self, queued) -> str:
        _, meeting_date = self.team_and_date()
        if meeting_date != london_today():
            return f"The agenda for {meeting_date:%A} {meeting_date.day} {meeting_date:%B} is being generated."
        return "The agenda is being generated."

    def back_url(self) -> str:
        return reverse("marac:agenda-list")


class AgendaRegenerateView(AgendaGenerateView):
    """Regenerate one agenda (also the retry of a failed one); decisions are kept."""

    def load(self):
        self.agenda = selectors.agenda_get(viewer=self.request.user, agenda_id=self.kwargs["pk"])

    def team_and_date(self):
        return self.agenda.team, self.agenda.meeting_date

    def get_success_message(self, queued) -> str:
        return "The agenda is being generated."


class AgendaStatusView(AgendaRoleMixin, View):
    """The status block alone: htmx polls it every 2 seconds until the agenda is ready."""

    def get(self, request, pk):
        agenda = selectors.agenda_get(viewer=request.user, agenda_id=pk)
        return render(request, "marac/agendas/includes/status.html", {"agenda": agenda})


class AgendaDetailView(RecordPageReadLoggedMixin, AgendaRoleMixin, TemplateView):
    template_name = "marac/agendas/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.bound_form = None
        self.bound_item_id = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.agenda = selectors.agenda_get(viewer=request.user, agenda_id=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def logged_record(self) -> Agenda:
        return self.agenda

    def logged_subjects(self):
        # The page shows the items only once a PDF was built (the last good one's items).
        return selectors.agenda_subjects(self.agenda) if self.agenda.has_pdf else []

    def get_context_data(self, **kwargs):
        # The last good agenda's items stay while a newer version is produced (ADR 0005).
        items = selectors.agenda_items(self.agenda) if self.agenda.has_pdf else []
        for item in items:
            if item.pk == self.bound_item_id:
                item.form = self.bound_form
                continue
            decision = getattr(item, "decision", None)
            initial = (
                {
                    "action": decision.action,
                    "owner": decision.owner,
                    "done": decision.done,
                    "version": decision.version,
                }
                if decision
                else {"version": 0}
            )
            item.form = AgendaDecisionForm(prefix=f"item-{item.pk}", initial=initial)
        return {
            **super().get_context_data(**kwargs),
            "agenda": self.agenda,
            "sections": agenda_sections(self.agenda, items),
            "not_yet_available": NOT_YET_AVAILABLE,
            "error_form": self.bound_form,
        }


class AgendaDecisionView(ServiceFormMixin, AgendaDetailView):
    """Record the meeting's decision on one item; errors re-show the agenda with the item's form."""

    http_method_names = ["post"]
    invalid_status = 400

    def post(self, request, pk, item_pk):
        item = selectors.agenda_item_get(viewer=request.user, agenda_id=pk, item_id=item_pk)
        self.agenda = item.agenda
        self.item = item
        form = AgendaDecisionForm(request.POST, prefix=f"item-{item.pk}")
        if form.is_valid():
            data = dict(form.cleaned_data)
            self.run_service(
                form,
                services.agenda_decision_record,
                actor=request.user,
                item=item,
                expected_version=data.pop("version"),
                **data,
            )
            messages.success(request, f"Decision recorded on {item.reference}.")
            return redirect(f"{reverse('marac:agenda-detail', args=[pk])}#item-{item.pk}")
        return self.form_rejected(form, 400)

    def saved_meanwhile(self):
        # Keep what was typed; the next save goes against the decision saved meanwhile.
        return AgendaDecision.objects.filter(item=self.item).first()

    def form_rejected(self, form, status, **context):
        # Also the refusal while a newer version is being produced (a StateError): the form
        # again at 409 with what was typed, to save once it is ready, never only a warning.
        self.bound_form, self.bound_item_id = form, self.item.pk
        return self.render_to_response(self.get_context_data(), status=status)


class AgendaDownloadView(AgendaRoleMixin, View):
    def get(self, request, pk):
        agenda = selectors.agenda_get(viewer=request.user, agenda_id=pk)
        # Ready, or the last good version while a newer one is produced.
        if not agenda.has_pdf:
            raise Http404("The agenda is not ready")
        return audited_pdf_download(
            request,
            name=agenda.file.name,
            filename=f"agenda-{agenda.team.code}-{agenda.meeting_date:%Y-%m-%d}.pdf",
            logged_obj=agenda,
            subjects=selectors.agenda_subjects(agenda),
        )


urlpatterns = [
    path("agendas/", AgendaListView.as_view(), name="agenda-list"),
    path("agendas/generate/", AgendaGenerateView.as_view(), name="agenda-generate"),
    path("agendas/<int:pk>/", AgendaDetailView.as_view(), name="agenda-detail"),
    path("agendas/<int:pk>/status/", AgendaStatusView.as_view(), name="agenda-status"),
    path("agendas/<int:pk>/pdf/", AgendaDownloadView.as_view(), name="agenda-download"),
    path("agendas/<int:pk>/regenerate/", AgendaRegenerateView.as_view(), name="agenda-regenerate"),
    path("agendas/<int:pk>/retry/", AgendaRegenerateView.as_view(), name="agenda-retry"),
    path(
        "agendas/<int:pk>/items/<int:item_pk>/decision/",
        AgendaDecisionView.as_view(),
        name="agenda-decision",
    ),
]
