"""Incident pages: list, record, the draft task list, and each section of the record.

Views are thin: they parse a form, call one service, and redirect or re-render with the
typed input kept. Every page reads through the selectors, so scope is the access core's.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessAction
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import london_today
from publicprotection.pagination import paginate_without_count, query_string_without_page
from publicprotection.query_params import whole_number
from publicprotection.row_links import INCIDENT_REFERENCE_SAMPLE, url_for_each
from publicprotection.service_forms import ServiceActionView, ServiceFormMixin

# Registers <incident_ref:...> for the URL patterns below.
from .. import converters  # noqa: E402, F401
from ..access_log import incident_subjects
from ..forms.incidents import (
    ArrestDecisionForm,
    ChildrensReferralForm,
    CloseIncidentForm,
    EvidenceForm,
    IncidentDetailsEditForm,
    IncidentDetailsForm,
    IncidentFilterForm,
    OffenceForm,
    OutcomeForm,
    PartySearchForm,
    ProtectiveOrderForm,
    SuspectRelationshipForm,
)
from ..models import (
    ArrestDecision,
    ChildrensServicesReferral,
    Incident,
    Party,
    PartyRole,
)
from ..selectors import incidents as selectors
from ..selectors.flags import incident_flags, list_flags
from ..selectors.people import person_candidates_describe, person_search, persons_visible_to
from ..services import incidents as services
from ..services.orders import protective_order_add
from ..services.positive_action import arrest_decision_record, respond_refusal
from .people import register_query
from .positive_action import latest_return


def writable_boroughs(user):
    borough_id = viewer_borough_id(user)
    return Borough.objects.all() if borough_id is None else Borough.objects.filter(pk=borough_id)


# --- List and detail ------------------------------------------------------------------------


class IncidentListView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/incidents/list.html"

    def get_context_data(self, **kwargs):
        form = IncidentFilterForm(self.request.GET or None)
        filters = selectors.IncidentFilters()
        if form.is_bound and form.is_valid():
            filters = form.filters()
        incidents = selectors.incident_list(viewer=self.request.user, filters=filters)
        page = paginate_without_count(incidents, self.request.GET.get("page"))
        access_log_record(request=self.request, objects=page.object_list)
        flags = list_flags([incident.pk for incident in page.object_list])
        # One reverse a kind of link, not two a row (publicprotection/row_links.py).
        detail_url = url_for_each("cases:incident-detail", INCIDENT_REFERENCE_SAMPLE)
        risk_url = url_for_each("riskassessment:incident-risk", INCIDENT_REFERENCE_SAMPLE)
        for incident in page.object_list:
            incident.detail_url = detail_url(incident.reference)
            incident.risk_url = risk_url(incident.reference)
            incident.has_repeat_victim = incident.pk in flags.repeat_victim
            incident.has_repeat_location = incident.pk in flags.repeat_location
            incident.has_outstanding = incident.pk in flags.outstanding_suspect
            incident.has_returned_decision = incident.pk in flags.decision_returned
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page_obj": page,
            "incidents": page.object_list,
            # The risk and MARAC state of the page's incidents: the marac app's fragment.
            "states_query": urlencode([("incident", incident.pk) for incident in page]),
            "can_record": has_role(self.request.user, CASE_WRITERS),
            "query_string_without_page": query_string_without_page(self.request),
        }


class IncidentDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/incidents/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        incident = selectors.incident_get(viewer=user, reference=kwargs["reference"])
        access_log_record(
            request=self.request,
            obj=incident,
            label=incident.reference,
            subjects=incident_subjects(incident),
        )
        parties = list(incident.parties.all())
        referral = ChildrensServicesReferral.objects.filter(incident=incident).first()
        flags = incident_flags(incident, parties)
        can_write = has_role(user, CASE_WRITERS) and incident.can_edit()
        decided = {d.suspect_id for d in incident.arrest_decisions.all()}
        # Decisions a supervisor returned, each with the return saying what to do (prefetched).
        returned = [
            (decision, latest_return(decision))
            for decision in incident.arrest_decisions.all()
            if decision.can_respond()
        ]
        for decision, event in returned:
            # The banner says what the supervisor asks; the decision's history does not repeat it.
            decision.return_in_banner = event
        arrestable = {
            o.suspect_id for o in incident.offences.all() if o.offence_type.power_of_arrest
        }
        return {
            **super().get_context_data(**kwargs),
            "incident": incident,
            "parties": [(p, flags.people.get(p.person_id)) for p in parties],
            "victims": [p for p in parties if p.is_victim],
            "suspects": [p for p in parties if p.is_suspect],
            "suspects_needing_decision": [
                p for p in parties if p.pk in arrestable and p.pk not in decided
            ],
            "flags": flags,
            "returned_decisions": [
                {
                    "decision": decision,
                    "returned": event,
                    # Anyone who records incidents answers, except the supervisor who returned it.
                    "can_respond": has_role(user, CASE_WRITERS)
                    and not respond_refusal(actor=user, decision=decision),
                }
                for decision, event in returned
            ],
            "referral": referral,
            "orders": list(incident.protective_orders.all()),
            "today": london_today(),
            "can_write": can_write,
            "is_draft": incident.can_submit(),
            "submission_problems": services.submission_problems(incident)
            if incident.can_submit()
            else [],
            "can_close": has_role(user, SUPERVISORS) and incident.can_close(),
            "can_record_outcome": can_write and incident.can_close() and incident.is_crime,
        }


# --- Writing -------------------------------------------------------------------------------


class IncidentWriteMixin(RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin):
    """Loads the incident through the viewer's scope; refuses closed incidents."""

    allowed_roles = CASE_WRITERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_role(request.user, self.allowed_roles):
            self.incident = selectors.incident_get(
                viewer=request.user, reference=kwargs["reference"]
            )
            if not self.incident.can_edit():
                messages.error(request, "A closed incident cannot be changed.")
                return redirect(self.incident_url())
        return super().dispatch(request, *args, **kwargs)

    def logged_record(self) -> Incident:
        # Each section's form shows the incident, and most of them its people by name.
        return self.incident

    def logged_label(self) -> str:
        return self.incident.reference

    def logged_subjects(self):
        return incident_subjects(self.incident)

    def incident_url(self) -> str:
        return reverse("cases:incident-detail", args=[self.incident.reference])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "incident": self.incident}

    def saved_meanwhile(self):
        # A stale save keeps what was typed on the version now saved, so saving again (after
        # checking the other change) is a deliberate choice that works.
        return Incident.objects.only("version").get(pk=self.incident.pk)


class IncidentCreateView(ServiceFormMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_WRITERS
    template_name = "cases/incidents/create.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "form": kwargs.get("form") or self.blank_form(),
        }

    def blank_form(self):
        boroughs = writable_boroughs(self.request.user)
        initial = {"reported_at": timezone.localtime().replace(second=0, microsecond=0)}
        if boroughs.count() == 1:
            initial["borough"] = boroughs.first().code
        return IncidentDetailsForm(initial=initial, boroughs=boroughs)

    def post(self, request, *args, **kwargs):
        form = IncidentDetailsForm(request.POST, boroughs=writable_boroughs(request.user))
        if form.is_valid():
            incident = self.run_service(
                form,
                services.incident_create,
                actor=request.user,
                borough=form.cleaned_data["borough"],
                location=form.location(),
                **form.service_fields(),
            )
            messages.success(
                request, f"Draft {incident.reference} saved. Add the people involved next."
            )
            return redirect("cases:incident-detail", incident.reference)
        return self.render_to_response(self.get_context_data(form=form))


class IncidentDetailsEditView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/edit_details.html"

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        if form is None:
            i = self.incident
            form = IncidentDetailsEditForm(
                initial={
                    "version": i.version,
                    "occurred_at": timezone.localtime(i.occurred_at),
                    "reported_at": timezone.localtime(i.reported_at),
                    "how_reported": i.how_reported,
                    "borough": i.borough.code,
                    "location_line_1": i.location.line_1 if i.location else "",
                    "location_line_2": i.location.line_2 if i.location else "",
                    "location_postcode": i.location.postcode if i.location else "",
                    "is_crime": "true" if i.is_crime else "false",
                    "abuse_types": i.abuse_types,
                    "cad_reference": i.cad_reference,
                    "crime_reference": i.crime_reference,
                    "officer_in_charge": i.officer_in_charge_id,
                },
                boroughs=Borough.objects.filter(pk=i.borough_id),
                officers=selectors.officer_in_charge_candidates(borough_id=i.borough_id),
            )
        return {**super().get_context_data(**kwargs), "form": form}

    def post(self, request, *args, **kwargs):
        form = IncidentDetailsEditForm(
            request.POST,
            boroughs=Borough.objects.filter(pk=self.incident.borough_id),
            officers=selectors.officer_in_charge_candidates(borough_id=self.incident.borough_id),
        )
        if form.is_valid():
            self.run_service(
                form,
                services.incident_update,
                actor=request.user,
                incident_id=self.incident.pk,
                expected_version=form.cleaned_data["version"],
                location=form.location(),
                **form.service_fields(),
            )
            messages.success(request, "Incident details saved.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class EvidenceEditView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/edit_evidence.html"

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        if form is None:
            i = self.incident
            initial = {name: getattr(i, name) for name in EvidenceForm.FIELDS}
            initial["version"] = i.version
            initial["victim_supports_prosecution"] = {True: "true", False: "false"}.get(
                i.victim_supports_prosecution, ""
            )
            form = EvidenceForm(initial=initial)
        return {**super().get_context_data(**kwargs), "form": form}

    def post(self, request, *args, **kwargs):
        form = EvidenceForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.incident_update,
                actor=request.user,
                incident_id=self.incident.pk,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
            messages.success(request, "Accounts and evidence saved.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class PartyAddView(IncidentWriteMixin, TemplateView):
    """Find the person first (fuzzy name and date of birth), then link, or register them."""

    template_name = "cases/incidents/party_add.html"

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or PartySearchForm(
            initial={"role": self.request.GET.get("role", "")}
        )
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "matches": kwargs.get("matches"),
            "searched": kwargs.get("matches") is not None,
            "register_url": kwargs.get("register_url", ""),
            "confirm": kwargs.get("confirm"),
        }

    def get(self, request, *args, **kwargs):
        # Back from registering a new person: offer to link them. Linking is a POST (a GET
        # changes nothing), and only a person the viewer already sees is named here.
        if request.GET.get("person"):
            role = request.GET.get("role", "")
            relationship = request.GET.get("relationship_to_victim", "")
            separation = request.GET.get("separation", "")
            form = PartySearchForm(
                initial={
                    "role": role,
                    "relationship_to_victim": relationship,
                    "separation": separation,
                }
            )
            person = None
            if (person_id := whole_number(request.GET["person"])) is not None:
                person = persons_visible_to(viewer=request.user).filter(pk=person_id).first()
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    confirm={
                        "person": person,
                        "role": role,
                        "role_label": dict(PartyRole.choices).get(role, ""),
                        "relationship_to_victim": relationship,
                        "separation": separation,
                    },
                )
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = PartySearchForm(request.POST)
        if not form.is_valid():
            if request.POST.get("person"):  # a choice from the matches: show them again
                return self.form_rejected(form, self.invalid_status)
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("person"):
            return self._link(form, request.POST["person"])
        return self.render_to_response(
            self.get_context_data(form=form, **self._search_results(form.cleaned_data))
        )

    def _search_results(self, data) -> dict:
        """The London-wide duplicate check for the typed name and date of birth, as the page
        shows it: the matches (logged as read) and the link to register someone new."""
        matches = person_search(
            viewer=self.request.user,
            name=data["name"],
            date_of_birth=data.get("date_of_birth"),
            visible_only=False,
        )
        person_candidates_describe(people=matches)
        access_log_record(request=self.request, objects=matches)
        # "None of these": the registration form gets the name and date of birth, and the
        # signed word that this London-wide check was shown, so it does not check again.
        back = reverse("cases:incident-party-add", args=[self.incident.reference])
        back += "?" + urlencode(
            {
                "role": data.get("role", ""),
                "relationship_to_victim": data.get("relationship_to_victim", ""),
                "separation": data.get("separation", ""),
            }
        )
        register_url = (
            reverse("cases:person-create")
            + "?"
            + urlencode(
                {
                    **register_query(
                        user=self.request.user,
                        name=data["name"],
                        date_of_birth=data.get("date_of_birth"),
                        checked=True,
                    ),
                    "next": back,
                }
            )
        )
        return {"matches": matches, "register_url": register_url}

    def form_rejected(self, form, status: int, **context):
        """A refused link (a suspect's relationship missing, someone already recorded, a
        person who cannot be linked) shows the matches again beside the error, so the officer
        chooses again without searching again."""
        data = form.cleaned_data  # less any field the service refused (Form.add_error)
        if data.get("name"):
            context.update(self._search_results(data))
        return super().form_rejected(form, status, **context)

    def _link(self, form, person_id):
        # The typed name and date of birth come with the chosen person (the match list's
        # buttons are in the search form): the service links only a person the viewer sees
        # or a match of that search, so an id alone links no one.
        if (person_id := whole_number(person_id)) is None:
            form.add_error(None, services.PERSON_NOT_LINKABLE)
            return self.form_rejected(form, self.invalid_status)
        party = self.run_service(
            form,
            services.party_add,
            actor=self.request.user,
            incident_id=self.incident.pk,
            person_id=person_id,
            role=form.cleaned_data["role"],
            relationship_to_victim=form.cleaned_data["relationship_to_victim"],
            separation=form.cleaned_data["separation"],
            notes=form.cleaned_data["notes"],
            searched_name=form.cleaned_data["name"],
            searched_date_of_birth=form.cleaned_data["date_of_birth"],
        )
        person = party.person
        # The link shows the person to the incident's borough: logged as a combination.
        access_log_record(
            request=self.request,
            obj=person,
            action=AccessAction.COMBINE,
            label=person.full_name,
            purpose=f"Linked as {form.cleaned_data['role']} to {self.incident.reference}",
        )
        messages.success(self.request, f"{person} added.")
        return redirect(self.incident_url())


class PartyRemoveView(IncidentWriteMixin, ServiceActionView):
    def load(self):
        self.party = self.incident.parties.filter(pk=self.kwargs["party_id"]).first()
        if self.party is None:
            raise Http404

    def perform(self):
        services.party_remove(actor=self.request.user, party_id=self.party.pk)

    def get_success_message(self, result) -> str:
        return f"{self.party.person} removed from the incident."

    def back_url(self) -> str:
        return self.incident_url()


class OffenceAddView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/offence_add.html"

    def suspects(self):
        return [p for p in self.incident.parties.all() if p.is_suspect]

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or OffenceForm(suspects=self.suspects())
        return {**super().get_context_data(**kwargs), "form": form}

    def post(self, request, *args, **kwargs):
        form = OffenceForm(request.POST, suspects=self.suspects())
        if form.is_valid():
            offence = self.run_service(
                form,
                services.offence_add,
                actor=request.user,
                incident_id=self.incident.pk,
                suspect=form.cleaned_data["suspect"],
                offence_type=form.cleaned_data["offence_type"],
                notes=form.cleaned_data["notes"],
            )
            messages.success(request, f"{offence.offence_type} recorded.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class OffenceRemoveView(IncidentWriteMixin, ServiceActionView):
    def load(self):
        self.offence = self.incident.offences.filter(pk=self.kwargs["offence_id"]).first()
        if self.offence is None:
            raise Http404

    def perform(self):
        services.offence_remove(actor=self.request.user, offence_id=self.offence.pk)

    def get_success_message(self, result) -> str:
        return f"{self.offence.offence_type} removed."

    def back_url(self) -> str:
        return self.incident_url()


class ArrestDecisionView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/arrest_decision.html"

    def suspect(self) -> Party:
        return selectors.suspect_of(self.incident, self.kwargs["party_id"])

    def get_context_data(self, **kwargs):
        suspect = self.suspect()
        existing = ArrestDecision.objects.filter(suspect=suspect).first()
        return {
            **super().get_context_data(**kwargs),
            "suspect": suspect,
            "existing": existing,
            "offences": [o for o in self.incident.offences.all() if o.suspect_id == suspect.pk],
            "form": kwargs.get("form") or ArrestDecisionForm(),
        }

    def post(self, request, *args, **kwargs):
        suspect = self.suspect()
        form = ArrestDecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            self.run_service(
                form,
                arrest_decision_record,
                actor=request.user,
                suspect=suspect,
                outcome=data["outcome"],
                arrested_at=data["arrested_at"],
                arrested_by=data["arrested_by"],
                reason=data["reason"],
                justification=data["justification"],
                necessity_grounds=form.necessity_grounds(),
            )
            messages.success(request, f"Arrest decision for {suspect.person} recorded.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class ProtectiveOrderAddView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/protective_order_add.html"

    def _form(self, data=None):
        parties = list(self.incident.parties.all())
        return ProtectiveOrderForm(
            data,
            protected=[p for p in parties if p.can_be_protected],
            respondents=[p for p in parties if p.is_suspect],
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "form": kwargs.get("form") or self._form()}

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            order = self.run_service(
                form,
                protective_order_add,
                actor=request.user,
                incident_id=self.incident.pk,
                **form.cleaned_data,
            )
            messages.success(request, f"{order.get_order_type_display()} recorded.")
            return redirect(f"{self.incident_url()}#protective-orders")
        return self.render_to_response(self.get_context_data(form=form))


class ChildrensReferralView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/childrens_referral.html"

    def get_context_data(self, **kwargs):
        referral = ChildrensServicesReferral.objects.filter(incident=self.incident).first()
        if referral is None:
            raise Http404
        form = kwargs.get("form")
        if form is None:
            form = ChildrensReferralForm(
                initial={
                    "referred_at": timezone.localtime(referral.referred_at)
                    if referral.referred_at
                    else None,
                    "referred_to": referral.referred_to,
                    "referral_reference": referral.referral_reference,
                    "notes": referral.notes,
                    "version": self.incident.version,
                }
            )
        return {**super().get_context_data(**kwargs), "form": form, "referral": referral}

    def post(self, request, *args, **kwargs):
        form = ChildrensReferralForm(request.POST)
        if form.is_valid():
            try:
                self.run_service(
                    form,
                    services.childrens_referral_record,
                    actor=request.user,
                    incident_id=self.incident.pk,
                    expected_version=form.cleaned_data.pop("version"),
                    **form.cleaned_data,
                )
            except ChildrensServicesReferral.DoesNotExist as missing:
                raise Http404 from missing
            messages.success(request, "Children's services referral recorded.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class IncidentSubmitView(IncidentWriteMixin, ServiceActionView):
    def perform(self):
        version = whole_number(self.request.POST.get("version", ""))
        services.incident_submit(
            actor=self.request.user, incident_id=self.incident.pk, expected_version=version
        )

    def get_success_message(self, result) -> str:
        return (
            f"{self.incident.reference} submitted. Decisions not to arrest have gone to a "
            "supervisor for review."
        )

    def back_url(self) -> str:
        return self.incident_url()


class SuspectRelationshipView(IncidentWriteMixin, TemplateView):
    """Correct a suspect's relationship to the victim and separation (draft or open)."""

    template_name = "cases/incidents/suspect_relationship.html"

    @cached_property
    def suspect(self) -> Party:
        return selectors.suspect_of(self.incident, self.kwargs["party_id"])

    def get_context_data(self, **kwargs):
        suspect = self.suspect
        form = kwargs.get("form") or SuspectRelationshipForm(
            initial={
                "relationship_to_victim": suspect.relationship_to_victim,
                "separation": suspect.separation,
                "version": self.incident.version,
            }
        )
        return {**super().get_context_data(**kwargs), "form": form, "suspect": suspect}

    def post(self, request, *args, **kwargs):
        form = SuspectRelationshipForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.suspect_relationship_update,
                actor=request.user,
                party_id=self.suspect.pk,
                expected_version=form.cleaned_data["version"],
                relationship_to_victim=form.cleaned_data["relationship_to_victim"],
                separation=form.cleaned_data["separation"],
            )
            messages.success(request, f"{self.suspect.person.full_name}'s relationship saved.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class OutcomeView(IncidentWriteMixin, TemplateView):
    template_name = "cases/incidents/outcome.html"

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or OutcomeForm(
            initial={
                "outcome": self.incident.outcome,
                "no_further_action_reason": self.incident.no_further_action_reason,
                "version": self.incident.version,
            }
        )
        return {**super().get_context_data(**kwargs), "form": form}

    def post(self, request, *args, **kwargs):
        form = OutcomeForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.incident_record_outcome,
                actor=request.user,
                incident_id=self.incident.pk,
                expected_version=form.cleaned_data.pop("version"),
                **form.cleaned_data,
            )
            messages.success(request, "Outcome recorded.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


class IncidentCloseView(IncidentWriteMixin, TemplateView):
    allowed_roles = SUPERVISORS
    template_name = "cases/incidents/close.html"

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        return {
            **super().get_context_data(**kwargs),
            "form": form or CloseIncidentForm(),
            # Said before the supervisor writes the comment, and again beside a missing one; a
            # refused close already shows them in the error summary.
            "closing_problems": []
            if form is not None and form.non_field_errors()
            else services.closing_problems(self.incident),
        }

    def post(self, request, *args, **kwargs):
        form = CloseIncidentForm(request.POST)
        if form.is_valid():
            self.run_service(
                form,
                services.incident_close,
                actor=request.user,
                incident_id=self.incident.pk,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, f"{self.incident.reference} closed.")
            return redirect(self.incident_url())
        return self.render_to_response(self.get_context_data(form=form))


REF = "incidents/<incident_ref:reference>"

urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incident-list"),
    path("incidents/new/", IncidentCreateView.as_view(), name="incident-create"),
    path(f"{REF}/", IncidentDetailView.as_view(), name="incident-detail"),
    path(f"{REF}/details/", IncidentDetailsEditView.as_view(), name="incident-edit-details"),
    path(f"{REF}/evidence/", EvidenceEditView.as_view(), name="incident-edit-evidence"),
    path(f"{REF}/people/add/", PartyAddView.as_view(), name="incident-party-add"),
    path(
        f"{REF}/suspects/<int:party_id>/relationship/",
        SuspectRelationshipView.as_view(),
        name="incident-suspect-relationship",
    ),
    path(
        f"{REF}/people/<int:party_id>/remove/",
        PartyRemoveView.as_view(),
        name="incident-party-remove",
    ),
    path(f"{REF}/offences/add/", OffenceAddView.as_view(), name="incident-offence-add"),
    path(
        f"{REF}/offences/<int:offence_id>/remove/",
        OffenceRemoveView.as_view(),
        name="incident-offence-remove",
    ),
    path(
        f"{REF}/suspects/<int:party_id>/arrest-decision/",
        ArrestDecisionView.as_view(),
        name="incident-arrest-decision",
    ),
    path(f"{REF}/childrens-referral/", ChildrensReferralView.as_view(), name="incident-referral"),
    path(
        f"{REF}/protective-orders/add/",
        ProtectiveOrderAddView.as_view(),
        name="incident-order-add",
    ),
    path(f"{REF}/submit/", IncidentSubmitView.as_view(), name="incident-submit"),
    path(f"{REF}/outcome/", OutcomeView.as_view(), name="incident-outcome"),
    path(f"{REF}/close/", IncidentCloseView.as_view(), name="incident-close"),
]
